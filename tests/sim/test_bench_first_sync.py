"""`python -m bench first-sync --quick` runs as the README gives it and prints its figures.

Only that the figures are there and add up is checked (the createReport calls the tap's plan
announced, one newest window per stream), never how long anything took: timing is the bench's to
print, not a test's to assert.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from bench.first_sync import QUICK_STREAMS
from tests.support.tap_runner import REPO

NUMBER = r"\d+(?:\.\d+)?"
ROW = re.compile(
    rf"^(?P<order>(?:oldest|newest) first \([^)]*\))\s+\|\s+(?P<creates>\d+)\s+(?P<wall>{NUMBER})\s+"
    rf"(?P<bound>{NUMBER})\s+(?P<ratio>{NUMBER})\s+\|\s+(?P<newest>\d+)\s+(?P<newest_at>{NUMBER})\s+"
    rf"(?P<newest_bound>{NUMBER})\s+(?P<newest_ratio>{NUMBER})\s+\|\s+(?P<last>\S+) ATVPDKIKX0DER "
    rf"\((?P<partitions>\d+) partitions\)$",
    re.MULTILINE,
)
SLOW = re.compile(
    rf"^createReport calls (?P<creates>\d+) \(\d+ 429s\), at most (?P<in_flight>\d+) reports in flight; "
    rf"wall {NUMBER} s \| bound {NUMBER} s \(= max\(0, \d+ - 15\) / {NUMBER} \+ 3\) \| ratio {NUMBER}$",
    re.MULTILINE,
)


def test_the_quick_first_sync_bench_prints_every_figure_for_each_order_and_for_slow_builds():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "first-sync", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.startswith("Machine: ")
    planned = re.search(r"Sync plan: (\d+) reports for 5 streams and 1 marketplace \((\d+) createReport calls", out)
    assert planned, out
    calls = int(planned[2])
    rows = list(ROW.finditer(out))
    if "has no `newest_first` setting yet" in out:
        assert [row["order"] for row in rows] == ["oldest first (no newest_first setting)"], out
    else:
        assert [row["order"] for row in rows] == ["oldest first (newest_first: false)", "newest first (default)"], out
    for row in rows:
        # Every planned report was created once (a fresh simulator each run: nothing to reuse).
        assert int(row["creates"]) == calls
        # One newest window per stream, each its own report.
        assert int(row["partitions"]) == len(QUICK_STREAMS)
        assert int(row["newest"]) == len(QUICK_STREAMS)
        assert row["last"] in QUICK_STREAMS
    slow = SLOW.search(out)
    assert slow, out
    assert int(slow["creates"]) == calls
    # 3 s builds at 10 createReport calls a second: the tap lifts its limit past the burst and says so.
    assert re.search(
        r"^tap, [0-9.]+ s in, after 15 createReport calls: Amazon takes .* up to \d+ reports in flight \(max_reports_in_flight unset",
        out,
        re.MULTILINE,
    ), out
    assert int(slow["in_flight"]) > 15
