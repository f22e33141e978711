"""The ETA of the per-report lines: the pace so far, never sooner than the quota allows."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from tap_amazon_sp.progress import SyncProgress
from tap_amazon_sp.ratelimit import TokenBucket

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_eta_is_the_quota_while_it_binds_then_the_pace_carried_over_to_the_reports_left():
    clock = Clock()
    quota = [300.0]
    progress = SyncProgress(logging.getLogger("test"), clock=clock, wall=lambda: NOON)
    progress.planned(10, lambda: quota[0])
    clock.now += 10
    # 10 s for one report would leave 90 s for nine, but five minutes of quota are still needed.
    assert progress.report_read() == "report 1 of 10, ETA 2026-12-04 12:05:00 UTC (in 5 min)"
    quota[0] = 0.0
    clock.now += 50
    # 60 s for two: 30 s a report, eight left.
    assert progress.report_read() == "report 2 of 10, ETA 2026-12-04 12:04:00 UTC (in 4 min)"
    for _ in range(7):
        progress.report_read()
    assert progress.report_read() == "report 10 of 10, the last"


def test_a_sync_without_reports_says_no_count():
    progress = SyncProgress(logging.getLogger("test"))
    progress.planned(0, lambda: 0.0)
    assert progress.report_read() == ""


def test_the_quota_a_bucket_needs_for_more_tokens_counts_the_tokens_it_holds():
    now = [0.0]
    bucket = TokenBucket(0.5, 3, clock=lambda: now[0])
    assert bucket.seconds_for(2) == 0.0
    assert bucket.seconds_for(5) == 4.0  # two past the three held, at one every 2 s
    bucket.acquire()
    now[0] += 1.0  # half a token back
    assert bucket.seconds_for(5) == 5.0
