"""An unset max_reports_in_flight never makes the tap, not the quota, set the pace: it grows with
Amazon's build times, up to its ceiling; a number given is kept."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.conftest import make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.support.tap_runner import report_requests, run_tap

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
REPORT = re.compile(r"/reports/2021-06-30/reports/(\d+)$")


def most_open(requests: list[RecordedRequest]) -> int:
    """The most reports created and not yet polled for the last time, at any moment, as the
    simulator saw them: report ids are handed out in creation order, and the tap reads a report
    right after its last poll."""
    created = [r.time for r in requests if r.operation == "createReport" and r.status == 202]
    last_poll: dict[int, float] = {}
    for request in requests:
        found = REPORT.match(request.path)
        if found and request.operation == "getReport":
            last_poll[int(found.group(1))] = request.time
    closed = [last_poll[report_id] for report_id in sorted(last_poll)]
    assert len(closed) == len(created), "every report created is polled"
    events = sorted([(t, 1) for t in created] + [(t, -1) for t in closed])
    peak = now = 0
    for _time, step in events:
        now += step
        peak = max(peak, now)
    return peak


def sync(sim: Simulator, days: int, **settings: object) -> tuple[int, str]:
    config = make_config(sim, end_date=_day(days), period_in_days=1, **settings)
    run = run_tap(config, streams=[ALL_ORDERS])
    assert run.error is None, run.stderr[-3000:]
    # One report a window (a createReport Amazon throttled is retried, not counted).
    assert len({body["dataStartTime"] for body in report_requests(sim.requests)}) == days
    return most_open(sim.requests), run.stderr


def _day(days: int) -> str:
    """`days` after the start date."""
    return (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_slow_builds_keep_more_than_the_burst_in_flight_when_the_limit_is_unset(sim: Simulator):
    # Each report takes 1.5 s to build, while the simulator's createReport quota (Amazon's, 2000x
    # faster: 33 a second) could request some 50 more: 15 in flight would leave it idle.
    sim.set_faults(processing_delay=1.5)
    peak, log = sync(sim, 90)
    assert 15 < peak <= 60, peak
    line = re.search(r"Amazon takes ([\d.]+) s on average to build a report: up to (\d+) reports in flight", log)
    assert line is not None, log[-3000:]
    assert float(line.group(1)) >= 1.5 and 15 < int(line.group(2)) <= 60


def test_the_unset_limit_never_passes_its_ceiling_of_60(sim: Simulator):
    # 4 s builds x 33 a second would ask for 135 in flight.
    sim.set_faults(processing_delay=4.0)
    peak, log = sync(sim, 150)
    assert 15 < peak <= 60, peak
    assert "up to 60 reports in flight (max_reports_in_flight unset; at most 60)" in log


def test_a_limit_given_is_kept_however_slow_the_builds(sim: Simulator):
    sim.set_faults(processing_delay=1.5)
    peak, log = sync(sim, 40, max_reports_in_flight=15)
    assert peak == 15
    assert "on average to build a report" not in log


def test_fast_builds_stay_at_the_burst(sim: Simulator):
    # The session simulator's 0.05 s builds need fewer than createReport's burst of 15.
    peak, _log = sync(sim, 40)
    assert peak <= 15
