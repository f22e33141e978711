"""What Amazon's createReport quota makes a sync cost, said before the first report is requested.

createReport allows a burst of 15 reports, then one a minute: a sync that needs hundreds of
reports (a small `period_in_days`, an early `start_date`) takes hours whatever the tap does, and
the seller should hear so at the start, not wonder at the end.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import count, duration, utc_text

# From this many reports on, a sync is told how long the quota makes it take.
MANY_REPORTS = 100
# The most reports an unset max_reports_in_flight lets be requested and not yet read. Amazon
# publishes no limit on a seller's queued reports; the tap keeps its own queue at Amazon modest.
AUTO_IN_FLIGHT_CEILING = 60


class _Planned(Protocol):
    @property
    def stream(self) -> str: ...

    @property
    def partition(self) -> str: ...


class _Request(_Planned, Protocol):
    @property
    def asks(self) -> Hashable:
        """What makes two planned reports one createReport call (two streams sharing a report)."""

    @property
    def to_come(self) -> bool:
        """A placeholder for reports the sync learns of only while it runs (their count unknown)."""


def say_plan(slots: Iterable[_Request], now: datetime, logger: logging.Logger, *, newest: int = 0) -> None:
    """Log the sync's plan before its first request, and warn of a sync that needs many reports
    (`newest`: how many of the first reports are the newest windows of streams read newest first)."""
    planned = list(slots)
    for line in sync_plan(planned, now, newest=newest):
        logger.info("%s", line)
    warning = many_reports_warning(slot for slot in planned if not slot.to_come)
    if warning:
        logger.warning("%s", warning)


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


def sync_plan(slots: Iterable[_Request], now: datetime, *, newest: int = 0) -> list[str]:
    """The plan said before the first request: the reports of each stream, the createReport calls
    they need and the earliest the quota lets the sync end; with `newest` (the first reports are
    every stream's newest window), the earliest those can be in. Empty when the sync requests no report."""
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
    if newest and calls > newest:
        first = len({slot.asks for slot in planned[:newest]})
        lines.append(
            f"Newest first: the newest window of every stream comes first ({count(first, 'createReport call')}, "
            f"{duration(report_quota_time(first))} of quota): it can be in from "
            f"{utc_text(now + timedelta(seconds=report_quota_time(first)))} on, plus Amazon's time to build it; "
            "older windows follow, period_in_days at a time"
        )
    lines += [f"  - {stream}: {count(number, 'report')}" for stream, number in per_stream.items()]
    return lines


class InFlightLimit:
    """How many reports may be requested and not yet read: `max_reports_in_flight` when set, else
    sized from the quota and what Amazon shows of its build times.

    While Amazon builds a report in B seconds and createReport refills R tokens a second, B x R
    reports are requested in that time: a limit below that (plus the one being read) makes the tap,
    not the quota, decide the pace. So an unset limit starts at createReport's burst and grows to
    the average observed build time x the rate Amazon applies + 1, never above
    AUTO_IN_FLIGHT_CEILING.
    """

    def __init__(self, fixed: int | None, rate: Callable[[], float]) -> None:
        self.fixed = None if fixed is None else max(1, fixed)
        self.rate = rate
        self._built = 0.0
        self._reports = 0

    def observe(self, built: float | None) -> str | None:
        """A report took Amazon `built` seconds from creation to the end of processing; the line to
        log when that first lifts the limit above createReport's burst."""
        if built is None:
            return None
        before = self.value
        self._built += built
        self._reports += 1
        if self.value <= before or before != OPERATIONS["createReport"].burst:
            return None
        return (
            f"Amazon takes {duration(self._built / self._reports)} on average to build a report: up to "
            f"{self.value} reports in flight (max_reports_in_flight unset; at most {AUTO_IN_FLIGHT_CEILING})"
        )

    @property
    def average_build(self) -> float | None:
        return self._built / self._reports if self._reports else None

    @property
    def value(self) -> int:
        if self.fixed is not None:
            return self.fixed
        burst = OPERATIONS["createReport"].burst
        average = self.average_build
        if average is None:
            return burst
        return min(AUTO_IN_FLIGHT_CEILING, max(burst, math.ceil(average * self.rate()) + 1))
