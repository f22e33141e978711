"""What Amazon's createReport quota makes a sync cost, said before the first report is requested.

createReport allows a burst of 15 reports, then one a minute: a sync that needs hundreds of
reports (a small `period_in_days`, an early `start_date`) takes hours whatever the tap does, and
the seller should hear so at the start, not wonder at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import count, duration

# From this many reports on, a sync is told how long the quota makes it take.
MANY_REPORTS = 100


class _Planned(Protocol):
    @property
    def stream(self) -> str: ...

    @property
    def partition(self) -> str: ...


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
