"""A seller's first sync: every Seller report stream selected by default, two years back from now,
against createReport's quota scaled up (the simulator's --rate-scale), in each report order the tap has.

    python -m bench first-sync           # 6 to 9 minutes (2 cores): two years, 43 streams, 326 createReport calls
    python -m bench first-sync --quick   # ~15 s: 5 streams, 6 months (tests/sim/test_bench_first_sync.py)

Three figures, each against what Amazon's quota allows at the earliest (the i-th createReport, 0-based,
can be made (i - burst + 1) / rate seconds in; the last report is ready its processing time later):
- the whole sync's wall time against max(0, N - burst) / rate + processing for its N createReport calls;
- when the newest window of every stream partition was in (a windowed stream's window with the latest
  end, a snapshot's one report), against the same bound for those M reports alone;
- the whole sync again with Amazon taking longer to build a report than createReport's burst lasts
  (15 reports at one a minute: 15 minutes, scaled), where a fixed 15 reports in flight would bind.

When a window is in is read off the tap's stderr: its one INFO line per window ("STREAM MARKETPLACE
WINDOW: report ID DONE, ...", or CANCELLED when Amazon has no data for it), logged once the window's
records are written. The simulator's data lies in the first half of 2024, so most windows of the last
two years are empty and put no RECORD on stdout: the log line is there for every window. Each run
has a simulator of its own, so no report of an earlier run is reused. Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.processes import CREATE_BURST, CREATE_RATE, REPO, SimulatorProcess, tap_command

AMAZON_BURST_SPAN = CREATE_BURST / CREATE_RATE  # ~15 minutes: past it, 15 reports in flight bind
QUICK_STREAMS = (
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
    "GET_FBA_REIMBURSEMENTS_DATA",
    "GET_MERCHANT_LISTINGS_ALL_DATA",
)
SETTING = "newest_first"
IN_FLIGHT_LINE = "reports in flight (max_reports_in_flight unset"
# "STREAM MARKETPLACE WINDOW: report ID STATUS..." (report_streams.py), WINDOW "snapshot" or "START..END".
WINDOW_LINE = re.compile(
    r"^(?P<stream>\S+) (?P<marketplace>[A-Z0-9]+) (?:snapshot|(?P<start>\S+)\.\.(?P<end>\S+)): "
    r"report (?P<report>\S+) (?P<status>DONE|CANCELLED|FATAL)\b"
)
REQUESTED_LINE = re.compile(
    r"^\S+ [A-Z0-9]+ (?:snapshot|\S+\.\.\S+): requested report (?P<report>\S+) \((?P<in_flight>\d+) in flight\)"
)


@dataclass(frozen=True)
class Workload:
    streams: tuple[str, ...] | None  # None: every Seller report stream selected by default
    days: int | None  # None: the tap's default start_date, two years before now
    rate_scale: float
    processing: float  # seconds Amazon takes to build a report (the simulator does not scale it)
    slow_processing: float

    @property
    def rate(self) -> float:
        return CREATE_RATE * self.rate_scale

    def bound(self, reports: int, processing: float) -> float:
        return max(0, reports - CREATE_BURST) / self.rate + processing


FULL = Workload(streams=None, days=None, rate_scale=120.0, processing=5.0, slow_processing=20.0)
QUICK = Workload(streams=QUICK_STREAMS, days=183, rate_scale=600.0, processing=0.5, slow_processing=3.0)


@dataclass(frozen=True)
class Window:
    at: float  # seconds from the tap's start to its line on stderr
    stream: str
    marketplace: str
    end: datetime | None  # None: a snapshot
    report: str


@dataclass
class Run:
    wall: float
    cpu: float
    returncode: int
    records: int
    lines: list[tuple[float, str]]  # (seconds from the start, the log message)
    epoch: float = 0.0  # time.time() at the start, the simulator's clock for its requests
    creates: int = 0  # accepted createReport calls
    last_create: float = 0.0  # seconds from the start to the last accepted createReport
    throttled: int = 0  # createReport calls answered 429
    windows: list[Window] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)
    max_in_flight: int = 0

    def message(self, needle: str) -> str | None:
        found = self.logged(needle)
        return found[1] if found else None

    def logged(self, needle: str) -> tuple[float, str] | None:
        """The first log message with `needle` in it, and when it came."""
        return next(((at, text) for at, text in self.lines if needle in text), None)

    def newest(self) -> dict[tuple[str, str], Window]:
        """Per stream partition, the first line of its newest window (latest end; a snapshot's only one)."""
        newest: dict[tuple[str, str], Window] = {}
        for window in self.windows:
            key = (window.stream, window.marketplace)
            seen = newest.get(key)
            if seen is None or (window.end is not None and seen.end is not None and window.end > seen.end):
                newest[key] = window
        return newest


def _message(line: str) -> str:
    # "2026-12-04 04:21:55,408 | INFO     | tap-amazon-sp                  | message"
    parts = line.split(" | ", 3)
    return parts[3] if len(parts) == 4 else line


def _parse(run: Run) -> None:
    for at, text in run.lines:
        found = WINDOW_LINE.match(text)
        if found:
            end = found["end"]
            run.windows.append(
                Window(
                    at,
                    found["stream"],
                    found["marketplace"],
                    datetime.fromisoformat(end) if end else None,
                    found["report"],
                )
            )
            continue
        found = REQUESTED_LINE.match(text)
        if found:
            run.requested.add(found["report"])
            run.max_in_flight = max(run.max_in_flight, int(found["in_flight"]))


def run_tap(command: list[str]) -> Run:
    """Run the tap; stamp each stderr line as it arrives, count RECORD lines on stdout, take its rusage."""
    epoch = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[tuple[float, str]] = []

    def read_stderr(stream: Any) -> None:
        # A generator: each line is stamped as it is read, not when the stream ends.
        lines.extend(
            (time.perf_counter() - started, _message(raw.decode("utf-8", "replace").rstrip("\n"))) for raw in stream
        )

    reader = threading.Thread(target=read_stderr, args=(proc.stderr,), daemon=True)
    reader.start()
    records = 0
    marker = b'{"type":"RECORD"'
    for line in proc.stdout:
        if line.startswith(marker):
            records += 1
    reader.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(wall, usage.ru_utime + usage.ru_stime, proc.returncode, records, lines, epoch)
    _parse(run)
    return run


def report_streams(sim: SimulatorProcess, workdir: Path) -> list[str]:
    """Every Seller report stream the tap selects by default (report streams are named GET_...)."""
    config_path = workdir / "discover.json"
    config_path.write_text(json.dumps(sim.config(account_type="Seller")))
    discovered = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--config", str(config_path), "--discover"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    streams = []
    for entry in json.loads(discovered.stdout)["streams"]:
        root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        if root.get("selected-by-default") and entry["tap_stream_id"].startswith("GET_"):
            streams.append(entry["tap_stream_id"])
    return streams


def has_setting(name: str) -> bool:
    about = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--about", "--format", "json"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    return name in json.loads(about.stdout)["settings"]["properties"]


def sync(
    work: Workload, processing: float, extra: dict[str, Any], streams: list[str] | None = None
) -> tuple[Run, list[str]]:
    """One first sync against a fresh simulator; the run and the streams it selected."""
    sim = SimulatorProcess("--processing-delay", str(processing), "--rate-scale", str(work.rate_scale))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            selected = streams or list(work.streams or report_streams(sim, Path(tmp)))
            config: dict[str, Any] = {"account_type": "Seller", **extra}
            if work.days is not None:
                start = datetime.now(timezone.utc) - timedelta(days=work.days)
                config["start_date"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            command = tap_command(Path(tmp), sim.config(**config), selected)
            run = run_tap(command)
        creates = [r for r in sim.requests() if r["operation"] == "createReport"]
    finally:
        sim.close()
    accepted = [r["time"] for r in creates if r["status"] == 202]
    run.creates = len(accepted)
    run.last_create = max(accepted, default=run.epoch) - run.epoch
    run.throttled = sum(1 for r in creates if r["status"] == 429)
    return run, selected


def _failed(label: str, run: Run) -> bool:
    if run.returncode == 0:
        return False
    tail = "\n".join(text for _, text in run.lines[-30:])
    print(f"{label}: the tap failed (exit {run.returncode}):\n{tail}", flush=True)
    return True


def _orders() -> list[tuple[str, dict[str, Any]]]:
    if has_setting(SETTING):
        return [("oldest first (newest_first: false)", {SETTING: False}), ("newest first (default)", {})]
    print(f"The tap has no `{SETTING}` setting yet: only its one order (oldest first) is measured.")
    return [("oldest first (no newest_first setting)", {})]


def first_sync(quick: bool = False) -> int:
    work = QUICK if quick else FULL
    span = f"{work.days} days" if work.days else "two years (the default start_date)"
    scaled = AMAZON_BURST_SPAN / work.rate_scale
    print(
        f"\n== First sync of {'a handful of Seller report streams' if quick else 'every Seller report stream'}, "
        f"{span} back from now, "
        f"createReport at {work.rate_scale:.0f}x: burst {CREATE_BURST}, then {work.rate:.2f}/s =="
    )
    print(
        f"{work.processing:g} s to build a report ({work.processing * work.rate_scale / 60:.0f} min at Amazon's rate); "
        f"a fresh simulator per run; wall is the tap's whole run, start-up included.\n"
    )
    header = (
        f"{'order':<40} | {'createReport':>12} {'wall s':>7} {'bound s':>7} {'ratio':>5} | "
        f"{'newest M':>8} {'all in s':>8} {'bound s':>7} {'ratio':>5} | last newest window in"
    )
    streams: list[str] | None = None
    printed_header = False
    for label, extra in _orders():
        run, streams = sync(work, work.processing, extra, streams)
        if _failed(label, run):
            return 1
        if not printed_header:
            plan = run.message("Sync plan: ")
            print(f"{len(streams)} streams: {', '.join(streams)}")
            print(f"tap: {plan.split(';')[0] if plan else '(no plan line)'}\n")
            print(header)
            print("-" * len(header))
            printed_header = True
        bound = work.bound(run.creates, work.processing)
        newest = run.newest()
        created = {w.report for w in newest.values() if w.report in run.requested}
        last = max(newest.values(), key=lambda w: w.at)
        newest_bound = work.bound(len(created), work.processing)
        print(
            f"{label:<40} | {run.creates:>12} {run.wall:>7.1f} {bound:>7.1f} {run.wall / bound:>5.2f} | "
            f"{len(created):>8} {last.at:>8.1f} {newest_bound:>7.1f} {last.at / newest_bound:>5.2f} | "
            f"{last.stream} {last.marketplace} ({len(newest)} partitions)",
            flush=True,
        )
        print(
            f"{'':<40} | {run.throttled} createReport 429s, {run.records} records, tap CPU {run.cpu:.1f} s, "
            f"at most {run.max_in_flight} reports in flight, last createReport at {run.last_create:.1f} s "
            f"(the quota's earliest {work.bound(run.creates, 0.0):.1f} s)",
            flush=True,
        )
    print(
        f"\n== Slow report builds: {work.slow_processing:g} s each ({work.slow_processing * work.rate_scale / 60:.0f} min "
        f"at Amazon's rate; {CREATE_BURST} reports in flight last {scaled:.1f} s here, 15 min at Amazon's), "
        "default order, max_reports_in_flight unset ==\n"
    )
    run, _ = sync(work, work.slow_processing, {}, streams)
    if _failed("slow builds", run):
        return 1
    bound = work.bound(run.creates, work.slow_processing)
    sizing = run.logged(IN_FLIGHT_LINE)
    if sizing:
        before = sum(1 for at, text in run.lines if at <= sizing[0] and REQUESTED_LINE.match(text))
        print(f"tap, {sizing[0]:.1f} s in, after {before} createReport calls: {sizing[1]}")
    else:
        print(f"tap: (no in-flight sizing line: the limit stayed at {CREATE_BURST})")
    print(f"last createReport at {run.last_create:.1f} s (the quota's earliest {work.bound(run.creates, 0.0):.1f} s)")
    print(
        f"createReport calls {run.creates} ({run.throttled} 429s), at most {run.max_in_flight} reports in flight; "
        f"wall {run.wall:.1f} s | bound {bound:.1f} s (= max(0, {run.creates} - {CREATE_BURST}) / {work.rate:.2f} + "
        f"{work.slow_processing:g}) | ratio {run.wall / bound:.2f}",
        flush=True,
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average at the end {load}")
    return 0
