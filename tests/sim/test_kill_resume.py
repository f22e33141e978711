"""SIGKILL at random points of a sync, then a rerun with the last STATE it printed: the union of
what all the runs printed equals one uninterrupted run, and no window is lost.

The real command runs in a subprocess; the test reads its stdout line by line and watches the
requests the simulator receives, and kills it when the chosen moment comes: during createReport,
while polling, during a download, in the middle of a window's records, or just after a bookmark
moved (between windows). A killed run's output is what a target would have received.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import REPO, TapRun, catalog_for, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
# A windowed flat file, a snapshot and a windowed JSON report: four, one and four windows.
STREAMS = (ALL_ORDERS, LISTINGS, SALES)
END = "2024-04-15T00:00:00Z"
PHASES = ("create", "poll", "download", "record", "state")
# Each phase at least twice, in an order and at counts drawn from a fixed seed.
SEED = 20240601


def kill_plan() -> list[tuple[str, int]]:
    rng = random.Random(SEED)
    phases = list(PHASES) * 2
    rng.shuffle(phases)
    return [(phase, rng.randint(1, 3)) for phase in phases]


def run_until(
    sim: Simulator,
    directory: Path,
    config: dict[str, Any],
    state: dict[str, Any] | None,
    kill_at: tuple[str, int] | None,
    sig: int = signal.SIGKILL,
    streams: tuple[str, ...] = STREAMS,
) -> tuple[TapRun, bool]:
    """Run the CLI on `streams`; send it `sig` when `kill_at` happens. Returns the run and whether it
    was signalled."""
    (directory / "config.json").write_text(json.dumps(config))
    (directory / "catalog.json").write_text(json.dumps(catalog_for(config, list(streams))))
    command = [
        sys.executable,
        "-m",
        "tap_amazon_sp.tap",
        "--config",
        str(directory / "config.json"),
        "--catalog",
        str(directory / "catalog.json"),
    ]
    if state is not None:
        (directory / "state.json").write_text(json.dumps(state))
        command += ["--state", str(directory / "state.json")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    first_request = len(sim.requests)
    lines: list[str] = []
    errors: list[str] = []
    killed = False
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        readers = [
            threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True),
            threading.Thread(target=errors.extend, args=(proc.stderr,), daemon=True),
        ]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if kill_at is not None and happened(kill_at, sim.requests[first_request:], list(lines), state):
                proc.send_signal(sig)
                killed = True
                break
            time.sleep(0.002)
        proc.wait(timeout=30)
        for reader in readers:
            reader.join()
    return TapRun("".join(lines), "".join(errors), proc.returncode), killed


def happened(kill_at: tuple[str, int], requests: list[Any], lines: list[str], state: dict[str, Any] | None) -> bool:
    phase, count = kill_at
    if phase == "create":
        return sum(r.operation == "createReport" for r in requests) >= count
    if phase == "query":
        return sum(r.operation == "createQuery" for r in requests) >= count
    if phase == "poll":
        return sum(r.operation == "getReport" for r in requests) >= count
    if phase == "download":
        return sum(r.path.startswith("/_documents/") for r in requests) >= count
    messages = [json.loads(line) for line in lines if line.startswith("{")]
    if phase == "record":
        return sum(m["type"] == "RECORD" for m in messages) >= count
    # "state": a bookmark moved past the state this run started from.
    return sum(m["type"] == "STATE" and m["value"] != (state or {}) for m in messages) >= count


def keyed(runs: list[TapRun]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every record of `runs` by stream and primary key; a record printed twice must be identical."""
    union: dict[tuple[Any, ...], dict[str, Any]] = {}
    for run in runs:
        for message in run.messages:
            if message["type"] != "RECORD":
                continue
            stream = message["stream"]
            # The report id names the report a run requested: the only field that may differ.
            record = {k: v for k, v in message["record"].items() if k != "report_id"}
            key = (stream, *(record[name] for name in BY_STREAM[stream].primary_key), record["marketplace_id"])
            assert union.setdefault(key, record) == record, key
    return union


def windows(records: dict[tuple[Any, ...], dict[str, Any]]) -> set[tuple[str, str | None, str]]:
    return {(key[0], r["data_start_time"], r["data_end_time"]) for key, r in records.items()}


def loaded(state: dict[str, Any] | None, stream: str) -> list[tuple[str, str]]:
    """The spans a state says are loaded for a stream: up to its bookmark, and its loaded_range."""
    spans = []
    for partition in (state or {}).get("bookmarks", {}).get(stream, {}).get("partitions", []):
        if partition.get("replication_key_value"):
            spans.append(("", str(partition["replication_key_value"])))
        if partition.get("loaded_range"):
            spans.append((partition["loaded_range"]["start"], partition["loaded_range"]["end"]))
    return spans


def asked_again(requests: list[Any], state: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """The reports `requests` asked for whose windows `state` already says are loaded."""
    again = []
    for body in (json.loads(r.body) for r in requests if r.operation == "createReport"):
        if "dataStartTime" not in body:
            continue
        start = body["dataStartTime"].replace("Z", "+00:00")
        end = body["dataEndTime"].replace("Z", "+00:00")
        for low, high in loaded(state, body["reportType"]):
            if low <= start and end <= high:
                again.append((body["reportType"], start, end))
    return again


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first", "oldest first"])
def test_killed_at_random_points_and_resumed_the_union_equals_an_uninterrupted_run(
    sim: Simulator, tmp_path: Path, newest_first: bool
):
    # No look-back: a record re-read from a look-back window names that window, so the union of
    # the runs would not match the clean run's windows (test_lookback.py covers the look-back).
    # Three and a half months in windows of 30 days: newest first reads them in four passes.
    config = make_config(sim, end_date=END, period_in_days=30, lookback_days=0, newest_first=newest_first)
    clean = run_tap(config, streams=list(STREAMS))
    assert clean.error is None, clean.stderr[-3000:]
    want = keyed([clean])
    assert len(want) == len(clean.records())  # primary keys are unique in a clean run
    assert {key[0] for key in want} == set(STREAMS)

    runs: list[TapRun] = []
    kills: list[tuple[str, int]] = []
    state: dict[str, Any] | None = None
    plan = kill_plan()
    for _ in range(len(plan) + 1):
        kill_at = plan.pop(0) if plan else None
        first_request = len(sim.requests)
        run, killed = run_until(sim, tmp_path, config, state, kill_at)
        runs.append(run)
        # Nothing the state it was given says is loaded is requested again.
        assert asked_again(sim.requests[first_request:], state) == [], kill_at
        if not killed:
            assert run.returncode == 0, run.stderr[-3000:]
            break
        assert run.returncode == -9
        kills.append(kill_at)  # type: ignore[arg-type]
        # What the next run is given: the last STATE this one printed (a target saved no other).
        state = run.last_state or state
    else:
        raise AssertionError("the sync never finished")

    assert len(kills) == 2 * len(PHASES), kills
    got = keyed(runs)
    assert got == want
    assert windows(got) == windows(want)
    for stream in STREAMS:
        assert runs[-1].bookmark(stream, US) == clean.bookmark(stream, US), stream
