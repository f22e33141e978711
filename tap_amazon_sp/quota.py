"""What Amazon's createReport quota makes a sync cost, said before the first report is requested.

createReport allows a burst of 15 reports, then one a minute: a sync that needs hundreds of
reports (a small `period_in_days`, an early `start_date`) takes hours whatever the tap does, and
the seller should hear so at the start, not wonder at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import count, duration, utc_text

# From this many reports on, a sync is told how long the quota makes it take.
MANY_REPORTS = 100


class _Planned(Protocol):
    @property
    def stream(self) -> str: ...

    @property
    def partition(self) -> str: ...


class _Request(_Planned, Protocol):
    @property
    def asks(self) -> Hashable:
        """What makes two planned reports one createReport call (two streams sharing a report)."""


def report_quota_time(count: int) -> float:
    """Seconds Amazon's createReport quota needs for `count` reports: a burst, then its rate."""
    create = OPERATIONS["createReport"]
    return max(0, count - create.burst) / create.rate


def many_reports_warning(slots: Iterable[_Planned]) -> str | None:
    """The warning for a sync that plans `slots` (one per report), or None if they are few."""
    planned = list(slots)
    if len(planned) < MANY_REPORTS:
        return None
    create = OPERATIONS["createReport"]
    streams = len({slot.stream for slot in planned})
    marketplaces = len({slot.partition for slot in planned})
    return (
        f"This sync needs up to {len(planned)} reports ({count(streams, 'stream')}, "
        f"{count(marketplaces, 'marketplace')}): Amazon's "
        f"createReport quota ({create.burst} at once, then one every {1 / create.rate:.0f} s) needs about "
        f"{duration(report_quota_time(len(planned)))} for them. period_in_days (the window size) and start_date "
        "decide how many are needed; reports an earlier sync left are reused"
    )


def sync_plan(slots: Iterable[_Request], now: datetime) -> list[str]:
    """The plan said before the first request: the reports of each stream, the createReport calls
    they need and the earliest the quota lets the sync end. Empty when the sync requests no report."""
    planned = list(slots)
    if not planned:
        return []
    create = OPERATIONS["createReport"]
    calls = len({slot.asks for slot in planned})
    needs = report_quota_time(calls)
    per_stream = Counter(slot.stream for slot in planned)
    marketplaces = len({slot.partition for slot in planned})
    shared = f", {len(planned) - calls} shared by two streams" if calls < len(planned) else ""
    what = (
        f"Sync plan: {count(len(planned), 'report')} for {count(len(per_stream), 'stream')} and "
        f"{count(marketplaces, 'marketplace')} ({count(calls, 'createReport call')}{shared}"
    )
    if needs <= 0:
        head = (
            f"{what}, within Amazon's burst of {create.burst}): all can be requested at once, so the sync can end "
            "as soon as Amazon has built them"
        )
    else:
        head = (
            f"{what}); at Amazon's published createReport rate ({create.burst} at once, then one every "
            f"{1 / create.rate:.0f} s) they need {duration(needs)} of quota: the last can be requested at "
            f"{utc_text(now + timedelta(seconds=needs))}, so the sync can end then at the earliest, plus Amazon's "
            "time to build it (sooner where an earlier sync's report is reused)"
        )
    lines = [head]
    lines += [f"  - {stream}: {count(number, 'report')}" for stream, number in per_stream.items()]
    return lines
