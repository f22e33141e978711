"""BATCH messages (`batch_config`): files that hold what RECORD messages would, each announced
before any STATE that counts its records; snapshot streams stay RECORD; a stopped run leaves only
whole files and a STATE to resume from."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.records import parse_datetime
from tests.conftest import RATE_SCALE, make_config
from tests.sim.test_interrupt import Running, assert_quiet, stall
from tests.sim.test_kill_resume import keyed
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.data import Dataset
from tests.support.batch_files import as_records, batch_config, path_of, read_batch
from tests.support.tap_runner import REPO, TapRun, catalog_for, run_cli, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
END = "2024-04-01T00:00:00Z"


def read_as_target(run: TapRun) -> list[dict[str, Any]]:
    """The run's messages parsed as a target parses them (numbers as Decimal), each BATCH message
    replaced by the records of its files."""
    return as_records(
        [json.loads(line, parse_float=Decimal) for line in run.stdout.splitlines() if line.startswith("{")]
    )


def records_of(messages: list[dict[str, Any]], stream: str) -> list[dict[str, Any]]:
    """The records of `stream` without their report ids (each run requests its own reports)."""
    return [
        {k: v for k, v in m["record"].items() if k != "report_id"}
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == stream
    ]


def batched(run: TapRun, stream: str) -> list[dict[str, Any]]:
    return [m for m in run.messages if m["type"] == "BATCH" and m["stream"] == stream]


def test_batch_files_hold_the_records_the_record_messages_carry(sim: Simulator, tmp_path: Path):
    streams = [ALL_ORDERS, "orders", "order_items"]
    config = make_config(sim, end_date=END, period_in_days=30)
    plain = run_tap(config, streams=streams)
    batch = run_tap({**config, "batch_config": batch_config(tmp_path)}, streams=streams)
    assert plain.error is None and batch.error is None, plain.stderr + batch.stderr

    # The flat file goes through the direct encoder, orders and their items through the SDK's path.
    for stream in streams:
        assert batched(batch, stream), stream
        assert not [m for m in batch.messages if m["type"] == "RECORD" and m["stream"] == stream]
        want = records_of(read_as_target(plain), stream)
        assert len(want) > 5, stream
        assert records_of(read_as_target(batch), stream) == want, stream
    # Typed as RECORD messages are: decimals are JSON numbers, integers integers, booleans booleans.
    record = read_batch(batched(batch, ALL_ORDERS)[0])[0]
    assert isinstance(record["item_price"], Decimal) and isinstance(record["quantity"], int)
    assert isinstance(record["is_business_order"], bool)
    # The same bookmarks, STATE by STATE.
    assert [batch.bookmark(ALL_ORDERS, US, s) for s in batch.states] == [
        plain.bookmark(ALL_ORDERS, US, s) for s in plain.states
    ]
    # Every file a message names is there, gzipped; nothing else is left in the directory.
    named = {path_of(url) for m in batch.messages if m["type"] == "BATCH" for url in m["manifest"]}
    assert named == set(tmp_path.iterdir())
    assert all(path.name.endswith(".json.gz") for path in named)


def test_a_snapshot_stream_keeps_record_messages_with_its_version_and_says_so_once(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END, batch_config=batch_config(tmp_path))
    run = run_tap(config, streams=[LISTINGS, ALL_ORDERS])
    assert run.error is None, run.stderr[-3000:]
    listings = [m for m in run.messages if m.get("stream") == LISTINGS and m["type"] != "SCHEMA"]
    records = [m for m in listings if m["type"] == "RECORD"]
    assert len(records) > 5 and not batched(run, LISTINGS)
    version = records[0]["version"]
    assert {m["version"] for m in records} == {version}
    assert listings[-1] == {"type": "ACTIVATE_VERSION", "stream": LISTINGS, "version": version}
    said = [line for line in run.stderr.splitlines() if "RECORD messages, not BATCH" in line]
    assert len(said) == 1 and LISTINGS in said[0], run.stderr[-3000:]
    # The windowed stream of the same run is batched.
    assert batched(run, ALL_ORDERS)


def test_with_account_id_a_snapshot_stream_has_no_version_and_is_batched(sim: Simulator, tmp_path: Path):
    # Accounts sharing tables send no ACTIVATE_VERSION (test_snapshot_versions.py): nothing needs _sdc_*.
    config = make_config(sim, end_date=END, account_id="A1SELLER", batch_config=batch_config(tmp_path))
    run = run_tap(config, streams=[LISTINGS])
    assert run.error is None, run.stderr[-3000:]
    assert batched(run, LISTINGS)
    assert not [m for m in run.messages if m["type"] in ("RECORD", "ACTIVATE_VERSION")]
    assert "RECORD messages, not BATCH" not in run.stderr


class Streamed:
    """The CLI's stdout read line by line as it comes; each BATCH message's files are read the moment
    the message is, and every STATE notes how many records had been announced by then."""

    def __init__(self, directory: Path, config: dict[str, Any], streams: list[str]) -> None:
        (directory / "config.json").write_text(json.dumps(config))
        (directory / "catalog.json").write_text(json.dumps(catalog_for(config, streams)))
        command = [sys.executable, "-m", "tap_amazon_sp", "--config", str(directory / "config.json")]
        command += ["--catalog", str(directory / "catalog.json")]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
        self.announced: list[tuple[str, dict[str, Any]]] = []
        self.states: list[tuple[dict[str, Any], int]] = []
        errors: list[str] = []
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            reader = threading.Thread(target=errors.extend, args=(proc.stderr,), daemon=True)
            reader.start()
            for line in proc.stdout:
                message = json.loads(line)
                if message["type"] == "BATCH":
                    assert not any(
                        path_of(url).with_name(path_of(url).name + ".part").exists() for url in message["manifest"]
                    )
                    self.announced += [(message["stream"], r) for r in read_batch(message)]
                elif message["type"] == "STATE":
                    self.states.append((message["value"], len(self.announced)))
            proc.wait(timeout=60)
            reader.join()
        self.returncode = proc.returncode
        self.stderr = "".join(errors)


def loaded(state: dict[str, Any], stream: str) -> Iterator[tuple[str, datetime | None, datetime]]:
    """What each partition's state says is loaded: up to its bookmark, and the range a sync read
    newest first has loaded beyond it (`loaded_range`), as (marketplace, from, to)."""
    for partition in state.get("bookmarks", {}).get(stream, {}).get("partitions", []):
        marketplace = partition["context"]["marketplace_id"]
        value = partition.get("replication_key_value")
        if value:
            yield marketplace, None, parse_datetime(value)
        beyond = partition.get("loaded_range")
        if beyond:
            yield marketplace, parse_datetime(beyond["start"]), parse_datetime(beyond["end"])


def test_every_state_comes_after_the_batch_files_of_every_record_its_bookmarks_count(sim: Simulator, tmp_path: Path):
    # Windows of 30 days, files of at most 7 records (so a window spans several), two streams, two
    # marketplaces: read in order, no STATE names a bookmark whose records a BATCH has not announced.
    streams = [ALL_ORDERS, RETURNS]
    root = tmp_path / "batches"
    config = make_config(
        sim,
        end_date=END,
        period_in_days=30,
        lookback_days=0,
        marketplace_ids=[US, "A2EUQ1WTGCTBG2"],
        batch_config=batch_config(root, batch_size=7),
    )
    run = Streamed(tmp_path, config, streams)
    assert run.returncode == 0, run.stderr[-3000:]
    checked = 0
    for stream in streams:
        everything = [r for s, r in run.announced if s == stream]
        assert len(everything) > 20, stream
        for state, announced in run.states:
            so_far = [r for s, r in run.announced[:announced] if s == stream]
            for marketplace, since, until in loaded(state, stream):
                counted = [
                    r
                    for r in everything
                    if r["marketplace_id"] == marketplace
                    and parse_datetime(r["data_end_time"]) <= until
                    and (since is None or parse_datetime(r["data_start_time"]) >= since)
                ]
                assert all(r in so_far for r in counted), (stream, marketplace, since, until)
                checked += len(counted)
    assert checked > 100
    # Files of 7 records at most; every window's last file closed at its STATE, so some hold fewer.
    sizes = [len(read_batch(json.loads(line))) for line in _batch_lines(root, run)]
    assert max(sizes) == 7 and min(sizes) < 7


def _batch_lines(root: Path, run: Streamed) -> list[str]:
    # Rebuilt from the directory: every file there was announced (read above), none is left half-written.
    names = sorted(root.iterdir())
    assert not [p for p in names if p.name.endswith(".part")]
    assert sum(len(read_batch(_message(p))) for p in names) == len(run.announced)
    return [json.dumps(_message(p)) for p in names]


def _message(path: Path) -> dict[str, Any]:
    return {"type": "BATCH", "encoding": {"compression": "gzip"}, "manifest": [path.as_uri()]}


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A simulator whose All Orders reports are one 12,000-row document (about 1 MB gzipped)."""
    path = tmp_path_factory.mktemp("document") / "all-orders.tsv.gz"
    with gzip.open(path, "wb", compresslevel=6) as out:
        for chunk in Dataset(3, 12_000).big_document(ALL_ORDERS, US, 12_000):
            out.write(chunk)
    with Simulator(processing_delay=0.05, rate_scale=RATE_SCALE, document_files={ALL_ORDERS: path}) as sim:
        yield sim


def one_window(sim: Simulator, **changes: Any) -> dict[str, Any]:
    return make_config(sim, start_date="2024-01-01T00:00:00Z", end_date="2024-01-02T00:00:00Z", **changes)


def test_sigterm_mid_window_leaves_whole_files_for_every_batch_message_and_a_state_to_resume_from(
    large: Simulator, tmp_path: Path
):
    large.reset()
    clean = run_tap(one_window(large), streams=[ALL_ORDERS])
    assert clean.error is None, clean.stderr[-3000:]
    root = tmp_path / "batches"
    config = one_window(large, batch_config=batch_config(root, batch_size=1000))
    # The document stops coming part way (for far longer than the test takes): the tap has announced
    # the files it filled from what came, and is writing the next when the signal comes.
    large.set_faults(stall_document={ALL_ORDERS: 1}, hang_seconds=60)
    tap = Running(tmp_path / "first", config)
    tap.read_until(lambda out: out.count(b'"type":"BATCH"') >= 2)
    stall()
    assert sorted(root.glob("*.part")), "the tap is not writing a file"
    tap.proc.send_signal(signal.SIGTERM)
    stopped = tap.finish()
    large.reset()

    assert stopped.returncode == 143, stopped.stderr[-3000:]
    assert stopped.messages[-1]["type"] == "STATE"
    assert_quiet(stopped)
    # Its files so far are whole and announced; the one it was writing is gone; no bookmark yet.
    assert stopped.bookmark(ALL_ORDERS, US) is None
    first = [m for m in stopped.messages if m["type"] == "BATCH"]
    assert len(first) >= 2
    assert sorted(root.iterdir()) == sorted(path_of(url) for m in first for url in m["manifest"])
    assert all(len(read_batch(m)) == 1000 for m in first)

    rerun = Running(tmp_path / "rerun", config, state=stopped.last_state).finish()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert not [p for p in root.iterdir() if p.name.endswith(".part")]
    both = [_records_run(run) for run in (stopped, rerun)]
    assert keyed(both) == keyed([clean])
    assert len(keyed([clean])) > 10_000
    assert rerun.bookmark(ALL_ORDERS, US) == clean.bookmark(ALL_ORDERS, US)


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"encoding": {"format": "parquet", "compression": "gzip"}}, "batch_config.encoding.format"),
        ({"encoding": {"format": "jsonl", "compression": "zstd"}}, "batch_config.encoding.compression"),
        ({"storage": {"root": "s3://bucket/batches"}}, "batch_config.storage.root"),
        ({"storage": {"prefix": "x"}}, "batch_config.storage.root"),
        ({"batch_size": 0}, "batch_config.batch_size"),
    ],
    ids=["parquet", "zstd", "s3", "no root", "batch size zero"],
)
def test_a_batch_config_the_tap_cannot_write_is_one_line_before_any_request(
    sim: Simulator, tmp_path: Path, change: dict[str, Any], setting: str
):
    config = make_config(sim, batch_config={**batch_config(tmp_path), **change})
    _assert_refused(sim, run_cli(config), setting)


def test_a_batch_root_that_cannot_be_written_is_one_line_before_any_request(sim: Simulator, tmp_path: Path):
    # A directory under a file cannot be made, whoever runs the tap (root included).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    config = make_config(sim, end_date=END, batch_config=batch_config(blocker / "batches"))
    run = run_cli(config)
    _assert_refused(sim, run, "batch_config.storage.root")
    assert str(blocker / "batches") in run.stderr


def _assert_refused(sim: Simulator, run: TapRun, setting: str) -> None:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1, run.stderr
    assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), errors[0]
    assert sim.requests == []
    assert run.messages == []


def _records_run(run: TapRun) -> TapRun:
    """`run` as if its batched records had come as RECORD messages."""
    lines = [json.dumps(m, default=float) for m in as_records(run.messages)]
    return TapRun("\n".join(lines) + "\n", run.stderr, run.returncode)
