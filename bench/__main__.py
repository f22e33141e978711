"""Benchmarks against the simulator: throughput of one large report, latency of a windowed sync,
many accounts synced in parallel, and loading into PostgreSQL.

    python -m bench                      # throughput and latency (the latency part takes about a minute)
    python -m bench throughput --sizes 50000,300000
    python -m bench latency
    python -m bench e2e --rows 300000    # tap, meltano run into PostgreSQL, the COPY floor (bench/e2e.py)
    python -m bench accounts --accounts 1,2,4,8
    python -m bench first-sync           # ~6 minutes (~9 with two report orders): a two-year first sync of every Seller report stream
    python -m bench first-sync --quick   # a handful of streams, 6 months (bench/first_sync.py)

Everything runs as separate processes, as in production: the simulator, the tap CLI (stdout into a
pipe whose RECORD lines this process counts) and the floor loop (bench/floor.py); bench/processes.py
measures them. Nothing here is asserted: the figures are printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.accounts import accounts
from bench.documents import ALL_ORDERS, all_orders_document
from bench.processes import CREATE_BURST, CREATE_RATE, SimulatorProcess, machine, measure, tap_command

BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"


def throughput(sizes: list[int]) -> None:
    print("\n== Throughput: one GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL report of N rows ==")
    print("records/s counts from the first to the last record seen on the tap's stdout; CPU and peak RSS are")
    print("the whole process's (start-up included). The floor downloads, gunzips, decodes, splits and writes")
    print("one JSON line per row (bench/floor.py). 'span' compares first-to-last record; 'wall' compares whole")
    print("processes, start-up and shutdown included.\n")
    header = (
        f"{'rows':>9} | {'tap rec/s':>9} {'tap CPU s':>9} {'tap RSS MB':>10} | "
        f"{'floor rec/s':>11} {'floor CPU s':>11} {'floor RSS MB':>12} | {'tap s':>6} {'floor s':>7} "
        f"{'span x':>6} {'wall x':>6}"
    )
    print(header)
    print("-" * len(header))
    for rows in sizes:
        document = all_orders_document(rows)
        sim = SimulatorProcess(
            "--processing-delay", "0.2", "--rate-scale", "1000", "--document-file", f"{ALL_ORDERS}={document}"
        )
        try:
            floor = measure([sys.executable, "-m", "bench.floor", sim.document_url(), "utf-8"], b"\n")
            with tempfile.TemporaryDirectory() as tmp:
                config = sim.config(start_date="2024-01-01T00:00:00Z", end_date="2024-01-02T00:00:00Z")
                tap = measure(tap_command(Path(tmp), config, [ALL_ORDERS]), b'{"type":"RECORD"')
        finally:
            sim.close()
        for name, run in (("tap", tap), ("floor", floor)):
            if run.returncode != 0 or run.lines != rows:
                print(f"{name} failed for {rows} rows (exit {run.returncode}, {run.lines} lines):\n{run.stderr}")
                return
        span = (tap.last - tap.first) / (floor.last - floor.first)
        print(
            f"{rows:>9} | {tap.per_second:>9,.0f} {tap.cpu:>9.2f} {tap.peak_rss_mb:>10.1f} | "
            f"{floor.per_second:>11,.0f} {floor.cpu:>11.2f} {floor.peak_rss_mb:>12.1f} | "
            f"{tap.wall:>6.2f} {floor.wall:>7.2f} {span:>6.2f} {tap.wall / floor.wall:>6.2f}",
            flush=True,
        )


def latency(streams: list[str], windows: int = 12, processing: float = 20.0) -> None:
    reports = windows * len(streams)
    print(
        f"\n== Latency: {len(streams)} stream(s) x {windows} one-day windows = {reports} reports, "
        f"{processing:.0f} s report processing, Amazon's real quota =="
    )
    print(f"createReport: burst {CREATE_BURST}, then {CREATE_RATE} per second (simulator at rate scale 1)")
    print("streams: " + ", ".join(streams) + "\n")
    sim = SimulatorProcess("--processing-delay", str(processing), "--rate-scale", "1", "--rows", "5000")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = sim.config(
                start_date="2024-01-01T00:00:00Z", end_date=f"2024-01-{1 + windows:02d}T00:00:00Z", period_in_days=1
            )
            command = tap_command(Path(tmp), config, streams)
            sim_requests_before = len(sim.requests())
            run = measure(command, b'{"type":"RECORD"')
        creates = [r for r in sim.requests()[sim_requests_before:] if r["operation"] == "createReport"]
    finally:
        sim.close()
    if run.returncode != 0:
        print(f"tap failed (exit {run.returncode}):\n{run.stderr}")
        return
    # The i-th report (0-based) can be created no earlier than (i - burst + 1) / rate seconds in; the
    # last one to be created is ready `processing` seconds later. Download and start-up are not counted.
    last_created = max(0.0, (reports - CREATE_BURST) / CREATE_RATE)
    bound = last_created + processing
    spread = (creates[-1]["time"] - creates[0]["time"]) if creates else 0.0
    print(f"createReport calls: {len(creates)}, all within {spread:.1f} s of the first")
    print(f"records: {run.lines}; tap CPU {run.cpu:.2f} s; peak RSS {run.peak_rss_mb:.1f} MB")
    print(
        f"wall time {run.wall:.1f} s | lower bound {bound:.1f} s "
        f"(= max(0, {reports} - {CREATE_BURST}) / {CREATE_RATE} + {processing:.0f}) | ratio {run.wall / bound:.2f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "which", nargs="?", choices=("all", "throughput", "latency", "e2e", "accounts", "first-sync"), default="all"
    )
    parser.add_argument("--sizes", default="50000,300000,1000000", help="rows per document, comma separated")
    parser.add_argument("--rows", type=int, default=300_000, help="e2e: rows of the one All Orders report")
    parser.add_argument("--accounts", default="1,2,4,8", help="accounts synced at once, comma separated")
    parser.add_argument("--quick", action="store_true", help="first-sync: 5 streams, 6 months, a faster quota")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}")
    if args.which == "e2e":
        # Not part of `all`: it needs PostgreSQL's server binaries and installs Meltano's plugins.
        from bench.e2e import end_to_end

        return end_to_end(args.rows)
    if args.which == "first-sync":
        # Not part of `all` either: it takes 6 to 9 minutes.
        from bench.first_sync import first_sync

        return first_sync(quick=args.quick)
    if args.which in ("all", "throughput"):
        throughput([int(s) for s in args.sizes.split(",") if s.strip()])
    if args.which in ("all", "latency"):
        latency([ALL_ORDERS])
        # The same number of reports spread over two streams: the second stream's windows are
        # requested while the first stream's are processed.
        latency([ALL_ORDERS, BY_UPDATE], windows=6)
    if args.which == "accounts":
        counts = [int(s) for s in args.accounts.split(",") if s.strip()]
        # Every figure is against one account alone, so that one is always measured first.
        accounts([1, *(c for c in counts if c != 1)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
