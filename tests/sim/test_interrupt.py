"""Stopped before the end: by SIGTERM or SIGINT, or by a reader that closed the pipe.

The real command runs in a subprocess with real pipes. A signalled run must leave only whole
lines on stdout, end with a STATE from which a rerun loses nothing, and exit 128 + the signal
(143 for SIGTERM, 130 for SIGINT), so that an orchestrator never records it as a success. A
reader that goes away gets one line on stderr and a non-zero exit, without a traceback.
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
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.records import format_datetime
from tests.conftest import RATE_SCALE, make_config
from tests.sim.test_kill_resume import PHASES, STREAMS, keyed, run_until, windows
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import REPO, TapRun, catalog_for, report_requests

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
# Two windows of about 900 records (1 MB) each: far more than a pipe and the tap's buffer hold.
END = "2024-03-01T00:00:00Z"
EXIT = {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGHUP: 129}
NOISE = ("Traceback", "Exception ignored", "unhandled error", "BrokenPipeError")


@pytest.fixture(scope="module")
def large() -> Iterator[Simulator]:
    with Simulator(seed=11, rows=2000, processing_delay=0.05, rate_scale=RATE_SCALE) as sim:
        yield sim


@pytest.fixture
def big(large: Simulator) -> Iterator[Simulator]:
    """A simulator with documents of a megabyte, clean, and checked for requests Amazon would refuse."""
    large.reset()
    yield large
    violations = large.violations
    large.reset()
    assert violations == [], violations


class Running:
    """The tap's CLI in a subprocess whose stdout the test reads when it chooses to."""

    def __init__(
        self,
        directory: Path,
        config: dict[str, Any],
        *,
        state: dict[str, Any] | None = None,
        unbuffered: bool = True,
        stdout: int = subprocess.PIPE,
        streams: tuple[str, ...] = (ALL_ORDERS,),
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "config.json").write_text(json.dumps(config))
        (directory / "catalog.json").write_text(json.dumps(catalog_for(config, list(streams))))
        # `python -m tap_amazon_sp` runs what the tap-amazon-sp command runs.
        command = [
            sys.executable,
            "-m",
            "tap_amazon_sp",
            "--config",
            str(directory / "config.json"),
            "--catalog",
            str(directory / "catalog.json"),
        ]
        if state is not None:
            (directory / "state.json").write_text(json.dumps(state))
            command += ["--state", str(directory / "state.json")]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
        # Unbuffered, stdout is a raw file that may take part of a write; buffered, a BufferedWriter.
        env.pop("PYTHONUNBUFFERED", None)
        if unbuffered:
            env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=REPO)
        self.out = bytearray()
        self._err: list[bytes] = []
        assert self.proc.stderr is not None
        self._err_reader = threading.Thread(target=lambda: self._err.append(self.proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        self._err_reader.start()

    def read_until(self, done: Callable[[bytes], bool]) -> None:
        """Read stdout until `done(what was read)`; then the test stops reading (a slow reader)."""
        assert self.proc.stdout is not None
        while not done(bytes(self.out)):
            chunk = self.proc.stdout.read1(4096)  # type: ignore[attr-defined]  # a BufferedReader
            assert chunk, "the tap ended before the moment came"
            self.out += chunk

    def finish(self, *, whole: bool = True) -> TapRun:
        """Read the rest, wait for the exit, and parse what was printed (every line must be JSON,
        unless the test cut the reading short itself)."""
        if self.proc.stdout is not None:
            self.out += self.proc.stdout.read()
            self.proc.stdout.close()
        self.proc.wait(timeout=60)
        self._err_reader.join(timeout=10)
        self.proc.stderr.close()  # type: ignore[union-attr]
        stdout = self.out.decode()
        if not whole:
            return TapRun("", b"".join(self._err).decode(), self.proc.returncode)
        assert not stdout or stdout.endswith("\n"), stdout[-200:]
        for line in stdout.splitlines():
            json.loads(line)
        return TapRun(stdout, b"".join(self._err).decode(), self.proc.returncode)


def records_seen(count: int) -> Callable[[bytes], bool]:
    return lambda out: out.count(b'"type":"RECORD"') >= count


def stall() -> None:
    # The reader stops reading: the tap's next 64 KiB writes fill the pipe and block.
    time.sleep(0.3)


def assert_quiet(run: TapRun) -> None:
    for word in NOISE:
        assert word not in run.stderr, run.stderr[-3000:]


def config_for(sim: Simulator) -> dict[str, Any]:
    return make_config(sim, end_date=END, period_in_days=30, lookback_days=0)


@pytest.fixture(scope="module")
def uninterrupted(large: Simulator, tmp_path_factory: pytest.TempPathFactory) -> TapRun:
    """What a run of the large simulator that nothing stops prints."""
    clean = Running(tmp_path_factory.mktemp("clean"), config_for(large)).finish()
    assert clean.returncode == 0, clean.stderr[-3000:]
    return clean


def assert_resumes(sim: Simulator, tmp_path: Path, stopped: TapRun, clean: TapRun) -> tuple[TapRun, list[Any]]:
    """A rerun from the stopped run's last STATE, together with it, gives an uninterrupted run's
    records. Returns the rerun and the requests it made."""
    before = len(sim.requests)
    rerun = Running(tmp_path / "rerun", config_for(sim), state=stopped.last_state).finish()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    requests = sim.requests[before:]
    want = keyed([clean])
    assert keyed([stopped, rerun]) == want
    assert windows(keyed([stopped, rerun])) == windows(want)
    assert rerun.bookmark(ALL_ORDERS, US) == clean.bookmark(ALL_ORDERS, US)
    return rerun, requests


@pytest.mark.parametrize(("sig", "unbuffered"), [(signal.SIGTERM, True), (signal.SIGINT, False), (signal.SIGHUP, True)])
def test_a_signal_mid_window_to_a_tap_with_a_slow_reader_leaves_whole_lines_a_resumable_state_and_exit_128_plus_it(
    big: Simulator, uninterrupted: TapRun, tmp_path: Path, sig: signal.Signals, unbuffered: bool
):
    tap = Running(tmp_path / "first", config_for(big), unbuffered=unbuffered)
    tap.read_until(records_seen(20))
    stall()
    tap.proc.send_signal(sig)
    stall()
    stopped = tap.finish()

    assert stopped.returncode == EXIT[sig], stopped.stderr[-3000:]
    assert stopped.messages[-1]["type"] == "STATE"
    assert f"Stopped by {sig.name}" in stopped.stderr
    assert_quiet(stopped)
    # Stopped in the first window: no bookmark yet, and its report is remembered for the rerun.
    assert stopped.bookmark(ALL_ORDERS, US) is None
    partition = stopped.last_state["bookmarks"][ALL_ORDERS]["partitions"][0]
    first_window = _when(min(partition["pending_reports"]).split("/")[0])
    _rerun, requests = assert_resumes(big, tmp_path, stopped, uninterrupted)
    # The rerun read the report the first run had requested for the window it cut.
    assert first_window not in {_when(b["dataStartTime"]) for b in report_requests(requests)}


def test_a_signal_while_the_tap_waits_for_a_report_stops_it_before_the_report_is_done(
    big: Simulator, tmp_path: Path, uninterrupted: TapRun
):
    big.set_faults(processing_delays=[3.0])
    tap = Running(tmp_path / "first", config_for(big))
    deadline = time.monotonic() + 30
    while not any(r.operation == "getReport" for r in big.requests) and time.monotonic() < deadline:
        time.sleep(0.01)
    tap.proc.send_signal(signal.SIGTERM)
    stopped = tap.finish()

    assert stopped.returncode == 143, stopped.stderr[-3000:]
    pending = stopped.last_state["bookmarks"][ALL_ORDERS]["partitions"][0]["pending_reports"]
    # Read newest first: the newest window's report is the first requested, and the one waited for.
    report_id = pending[max(pending)]["report_id"]
    # It did not wait for the report to finish: Amazon is still building it.
    assert big.reports.get(report_id)["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
    assert not any(r.path.startswith("/_documents/") for r in big.requests)
    assert_quiet(stopped)
    rerun, _requests = assert_resumes(big, tmp_path, stopped, uninterrupted)
    assert f"reusing report {report_id}" in rerun.stderr


def test_a_second_signal_while_stopping_is_ignored_and_cuts_no_line(
    big: Simulator, tmp_path: Path, uninterrupted: TapRun
):
    tap = Running(tmp_path / "first", config_for(big))
    tap.read_until(records_seen(20))
    stall()
    tap.proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    tap.proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    tap.proc.send_signal(signal.SIGTERM)
    stall()
    stopped = tap.finish()

    assert stopped.returncode == 143, stopped.stderr[-3000:]
    assert stopped.messages[-1]["type"] == "STATE"
    assert "SIGINT, SIGTERM while stopping: ignored" in stopped.stderr
    assert_quiet(stopped)
    assert_resumes(big, tmp_path, stopped, uninterrupted)


def test_signals_at_random_points_exit_128_plus_the_signal_and_the_reruns_lose_nothing(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date="2024-04-15T00:00:00Z", period_in_days=30, lookback_days=0)
    clean, _ = run_until(sim, tmp_path, config, None, None)
    assert clean.returncode == 0, clean.stderr[-3000:]
    rng = random.Random(20261202)
    # Polls are covered by the test of a signal while waiting for a report.
    plan = [
        (phase, rng.randint(1, 3), rng.choice([signal.SIGTERM, signal.SIGINT])) for phase in PHASES if phase != "poll"
    ]
    runs: list[TapRun] = []
    state: dict[str, Any] | None = None
    for phase, count, sig in [*plan, (None, 0, None)]:
        moment = (phase, count) if phase else None
        run, signalled = run_until(sim, tmp_path, config, state, moment, sig or signal.SIGKILL)
        runs.append(run)
        assert_quiet(run)
        if signalled:
            assert sig is not None
            assert run.returncode in (EXIT[sig], 0), run.stderr[-3000:]
            if run.returncode:
                assert run.messages[-1]["type"] == "STATE"
        else:
            assert run.returncode == 0, run.stderr[-3000:]
        state = run.last_state or state
    assert sum(run.returncode != 0 for run in runs) >= 3
    assert keyed(runs) == keyed([clean])
    assert windows(keyed(runs)) == windows(keyed([clean]))
    for stream in STREAMS:
        assert runs[-1].bookmark(stream, US) == clean.bookmark(stream, US), stream


@pytest.mark.parametrize("reader", [["head", "-n", "1"], ["head", "-c", "100"]])
def test_a_reader_that_closes_the_pipe_gets_one_line_and_a_non_zero_exit_without_a_traceback(
    big: Simulator, tmp_path: Path, reader: list[str]
):
    tap = Running(tmp_path / "first", config_for(big))
    assert tap.proc.stdout is not None
    head = subprocess.Popen(reader, stdin=tap.proc.stdout, stdout=subprocess.PIPE)
    tap.proc.stdout.close()
    tap.proc.stdout = None
    shown, _ = head.communicate(timeout=60)
    run = tap.finish()

    assert shown and head.returncode == 0
    assert run.returncode == 1, run.stderr[-3000:]
    said = [line for line in run.stderr.splitlines() if "pipe" in line.lower()]
    assert len(said) == 1 and "The output pipe was closed by its reader" in said[0], run.stderr[-3000:]
    assert_quiet(run)


def test_a_signal_after_the_reader_closed_the_pipe_still_ends_quietly(big: Simulator, tmp_path: Path):
    tap = Running(tmp_path / "first", config_for(big))
    tap.read_until(records_seen(5))
    assert tap.proc.stdout is not None
    tap.proc.send_signal(signal.SIGTERM)
    tap.proc.stdout.close()
    tap.proc.stdout = None
    run = tap.finish(whole=False)

    assert run.returncode in (1, 143), run.stderr[-3000:]
    assert_quiet(run)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for `signum` (Linux: SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal handlers from /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_before_the_tap_has_started_ends_it_quietly_with_128_plus_the_signal(
    big: Simulator, tmp_path: Path, sig: signal.Signals
):
    tap = Running(tmp_path / "first", config_for(big))
    # The command handles SIGTERM (Python alone does not) from before it imports the SDK.
    while not _catches(tap.proc.pid, signal.SIGTERM) and tap.proc.poll() is None:
        time.sleep(0.001)
    tap.proc.send_signal(sig)
    run = tap.finish()

    assert run.returncode == EXIT[sig], run.stderr[-3000:]
    assert_quiet(run)
    assert "KeyboardInterrupt" not in run.stderr


def test_discovery_into_a_closed_pipe_is_one_line_and_exit_1(big: Simulator, tmp_path: Path):
    (tmp_path / "config.json").write_text(json.dumps(config_for(big)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    tap = subprocess.Popen(
        [sys.executable, "-m", "tap_amazon_sp", "--config", str(tmp_path / "config.json"), "--discover"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert tap.stdout is not None and tap.stderr is not None
    head = subprocess.Popen(["head", "-c", "100"], stdin=tap.stdout, stdout=subprocess.PIPE)
    tap.stdout.close()
    shown, _ = head.communicate(timeout=60)
    stderr = tap.stderr.read().decode()
    tap.stderr.close()
    assert tap.wait(timeout=60) == 1
    assert shown.startswith(b"{")
    said = [line for line in stderr.splitlines() if "pipe" in line.lower()]
    assert len(said) == 1 and "The output pipe was closed by its reader" in said[0], stderr[-3000:]
    for word in NOISE:
        assert word not in stderr


def test_a_signal_during_the_test_of_records_ends_it_with_one_line(big: Simulator, tmp_path: Path):
    big.set_faults(processing_delay=30)
    (tmp_path / "config.json").write_text(json.dumps(config_for(big)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    tap = subprocess.Popen(
        [sys.executable, "-m", "tap_amazon_sp", "--config", str(tmp_path / "config.json"), "--test=records"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    deadline = time.monotonic() + 30
    while not any(r.operation == "getReport" for r in big.requests) and time.monotonic() < deadline:
        time.sleep(0.01)
    tap.send_signal(signal.SIGTERM)
    _, stderr = tap.communicate(timeout=60)
    text = stderr.decode()
    assert tap.returncode == 143, text[-3000:]
    assert "Stopped by SIGTERM" in text
    for word in NOISE:
        assert word not in text


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a file every write to fails")
def test_a_stdout_that_refuses_writes_is_one_line_and_exit_1(big: Simulator, tmp_path: Path):
    with open("/dev/full", "wb") as full:
        tap = Running(tmp_path / "first", config_for(big), stdout=full.fileno())
        run = tap.finish(whole=False)
    assert run.returncode == 1, run.stderr[-3000:]
    (line,) = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert "Writing to stdout failed (No space left on device); stopping" in line
    assert_quiet(run)


@pytest.mark.parametrize(
    ("stream", "operation", "phase"),
    [
        ("data_kiosk_sales_and_traffic_by_date", "createQuery", "query"),
        ("GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT", "createReport", "create"),
    ],
)
def test_a_signal_while_amazon_answers_a_create_call_waits_for_the_state_naming_what_it_made(
    sim: Simulator, tmp_path: Path, stream: str, operation: str, phase: str
):
    # Amazon has made the query or report when the signal comes, its answer still on the way: stopping
    # at once would leave it out of the state, and the next sync would ask Amazon for it again.
    now = datetime.now(timezone.utc)
    start = "2024-01-03T00:00:00Z" if stream.startswith("GET_") else format_datetime(now - timedelta(days=20))
    end = "2024-01-29T00:00:00Z" if stream.startswith("GET_") else format_datetime(now)
    config = make_config(sim, start_date=start, end_date=end)
    sim.set_faults(slow_answer={operation: 1}, hang_seconds=1.0)
    stopped, signalled = run_until(sim, tmp_path, config, None, (phase, 1), sig=signal.SIGTERM, streams=(stream,))
    assert signalled and stopped.returncode == 128 + signal.SIGTERM, stopped.stderr[-3000:]
    made = [r for r in sim.requests if r.operation == operation]
    assert len(made) == 1
    assert ("pending_queries" if phase == "query" else "pending_reports") in json.dumps(stopped.last_state)
    first = len(sim.requests)
    rerun, _ = run_until(sim, tmp_path, config, stopped.last_state, None, streams=(stream,))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    again = [r.body for r in sim.requests[first:] if r.operation == operation]
    assert made[0].body not in again
