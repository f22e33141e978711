"""Many accounts in parallel: N taps against N simulators (one account each) at a scaled quota.

    python -m bench accounts --accounts 1,2,4,8

Amazon meters each selling account (and application) on its own, so N accounts synced at once
should take about as long as one: the work is waiting for createReport's quota and for Amazon to
process reports, not CPU. Each account is its own simulator process (its own quota, its own data)
and its own tap process, as with one `meltano run` per account; wall time runs from the start of
the first tap to the end of the last.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from bench.documents import ALL_ORDERS
from bench.processes import CREATE_BURST, CREATE_RATE, Measured, SimulatorProcess, measure, tap_command

WINDOWS = 30  # one-day windows, i.e. reports per account: 15 past createReport's burst
PROCESSING = 5.0  # seconds Amazon takes to process each report
RATE_SCALE = 60.0  # createReport refills once a second instead of once a minute
ROWS = 2000


def quota_floor() -> float:
    """When the last report of one account can be ready: its creation slot, then its processing."""
    return max(0, WINDOWS - CREATE_BURST) / (CREATE_RATE * RATE_SCALE) + PROCESSING


def parallel(count: int) -> tuple[float, list[Measured], list[int]]:
    """Sync `count` accounts at once; the wall time, each tap's run and each simulator's createReports."""
    sims = [
        SimulatorProcess(
            "--seed",
            str(100 + i),
            "--rows",
            str(ROWS),
            "--processing-delay",
            str(PROCESSING),
            "--rate-scale",
            str(RATE_SCALE),
        )
        for i in range(count)
    ]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            commands = []
            for i, sim in enumerate(sims):
                workdir = Path(tmp, f"account-{i}")
                workdir.mkdir()
                config = sim.config(
                    account_id=f"A{i}BENCHACCOUNT",
                    start_date="2024-01-01T00:00:00Z",
                    end_date=f"2024-01-{1 + WINDOWS:02d}T00:00:00Z",
                    period_in_days=1,
                )
                commands.append(tap_command(workdir, config, [ALL_ORDERS]))
            runs: list[Measured | None] = [None] * count

            def one(index: int) -> None:
                runs[index] = measure(commands[index], b'{"type":"RECORD"')

            threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        creates = [sum(1 for r in sim.requests() if r["operation"] == "createReport") for sim in sims]
    finally:
        for sim in sims:
            sim.close()
    return wall, [run for run in runs if run is not None], creates


def accounts(counts: list[int]) -> None:
    floor = quota_floor()
    print(f"\n== Accounts in parallel: each {WINDOWS} one-day windows of {ALL_ORDERS} ==")
    print(
        f"one simulator and one tap process per account; createReport burst {CREATE_BURST}, then "
        f"{CREATE_RATE * RATE_SCALE:.2f}/s (rate scale {RATE_SCALE:.0f}); {PROCESSING:.0f} s processing a report; "
        f"quota floor of one account {floor:.1f} s (= ({WINDOWS} - {CREATE_BURST}) / "
        f"{CREATE_RATE * RATE_SCALE:.2f} + {PROCESSING:.0f})\n"
    )
    header = (
        f"{'accounts':>8} | {'wall s':>7} {'x one':>6} | {'slowest tap s':>13} {'mean tap CPU s':>14} | "
        f"{'records':>8} {'createReport each':>17}"
    )
    print(header)
    print("-" * len(header))
    alone: float | None = None
    for count in counts:
        wall, runs, creates = parallel(count)
        failed = [run for run in runs if run.returncode != 0]
        if failed:
            print(f"{count} accounts: {len(failed)} tap(s) failed (exit {failed[0].returncode}):\n{failed[0].stderr}")
            return
        alone = alone or wall  # the first count is 1 (bench/__main__.py)
        each = ",".join(str(c) for c in sorted(set(creates)))
        print(
            f"{count:>8} | {wall:>7.1f} {wall / alone:>5.2f}x | {max(r.wall for r in runs):>13.1f} "
            f"{sum(r.cpu for r in runs) / len(runs):>14.2f} | {sum(r.lines for r in runs):>8} {each:>17}",
            flush=True,
        )
