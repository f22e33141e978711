"""Time windows: how every stream, report or REST, cuts the synced range into requests.

A stream states its rules once, as a `WindowPlan`: the widest window Amazon serves, how windows
line up (any instant, whole UTC days, or Amazon's reporting periods), how far before the bookmark
a sync reads again, how long before now windows stop, and whether the stream has windows at all
(a snapshot, or reports Amazon makes on its own and lists). Nothing else in the tap slices time.

Reporting periods (reportPeriod) of analytics reports: Amazon reads their windows as dates and
refuses (FATAL) a window that does not start on the first day of a period and end on the last: a
WEEK runs Sunday to Saturday, a MONTH, QUARTER or YEAR from its first calendar day to its last. The
Replenishment API's weeks are ISO weeks instead, Monday to Sunday (ISO_WEEK).

Some reports take their window in two reportOptions instead of dataStartTime and dataEndTime (the
coupon and promotion reports, which select by start date): `OptionDates` names them, and fills them
from the window as Amazon reads them, both ends included.

Real-time reports read whole UTC hours (HOUR) within a rolling horizon (`WindowPlan.horizon`):
Amazon serves only the last 168 hours of them and ends a report FATAL that starts earlier.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tap_amazon_sp.settings import Settings

Window = tuple[datetime, datetime]

_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_WORDS = {2: "two", 3: "three", 6: "six"}
# Amazon keeps reports listable for 90 days; asking for older ones is an error.
LISTING_HORIZON = timedelta(days=89)
# Orders and Finances refuse a *Before bound later than two minutes before the request; the margin
# covers the clock difference between this machine and Amazon's. Every REST window ends before it.
CLOCK_MARGIN = timedelta(minutes=2, seconds=30)
# A sync creates its reports over minutes after it plans their windows (createReport allows one a
# minute past its burst): the first window of a rolling horizon starts this far inside it, so the
# horizon has not moved past it by the time Amazon receives the request.
HORIZON_MARGIN = timedelta(minutes=30)
# A partition no further behind than this (or period_in_days, if longer) reads oldest first, as it
# always did: a sync that runs daily, or weekly, keeps its windows and its state exactly as before.
FAR_BEHIND = timedelta(days=30)
# The smallest step back from a period's end: into the period it ends.
_INSTANT = timedelta(microseconds=1)


class Align(enum.Enum):
    """Where windows may begin and end."""

    INSTANT = "INSTANT"
    # Whole UTC days, midnight to midnight; the day holding start_date is read whole.
    UTC_DAYS = "UTC_DAYS"
    # Whole UTC hours; the hour holding start_date is read whole.
    HOUR = "HOUR"
    # Reporting periods: whole ones only, none that begins before start_date.
    DAY = "DAY"
    WEEK = "WEEK"
    ISO_WEEK = "ISO_WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"
    # The reporting period the report's `reportPeriod` option names, chosen per sync (`WindowPlan.in_periods`).
    REPORT_PERIOD = "REPORT_PERIOD"

    @property
    def is_period(self) -> bool:
        return self not in (Align.INSTANT, Align.UTC_DAYS, Align.HOUR)

    def floor(self, moment: datetime) -> datetime:
        """The start of the period holding `moment` (itself for INSTANT)."""
        if self is Align.INSTANT:
            return moment
        if self is Align.REPORT_PERIOD:
            raise ValueError("the reporting period is not chosen yet")
        moment = moment.astimezone(timezone.utc)
        if self is Align.HOUR:
            return moment.replace(minute=0, second=0, microsecond=0)
        day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
        if self in (Align.DAY, Align.UTC_DAYS):
            return day
        if self is Align.WEEK:
            return day - timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
        if self is Align.ISO_WEEK:
            return day - timedelta(days=day.weekday())  # back to Monday
        months = _MONTHS[self.value]
        return day.replace(month=(day.month - 1) // months * months + 1, day=1)

    def following(self, start: datetime) -> datetime:
        """The start of the period after the one starting at `start`."""
        if self is Align.HOUR:
            return start + timedelta(hours=1)
        if self in (Align.DAY, Align.UTC_DAYS):
            return start + timedelta(days=1)
        if self in (Align.WEEK, Align.ISO_WEEK):
            return start + timedelta(days=7)
        month = start.month - 1 + _MONTHS[self.value]
        return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)

    def ceil(self, moment: datetime) -> datetime:
        """`moment` itself if a period starts there, else the start of the next period."""
        start = self.floor(moment)
        return start if start == moment else self.following(start)


class Kind(enum.Enum):
    WINDOWED = "windowed"
    # One request reads everything as it stands now: no window, no bookmark.
    SNAPSHOT = "snapshot"
    # Amazon makes the reports on its own (settlements): they are listed and read, never requested.
    LISTED = "listed"


class LookBack(enum.Enum):
    """How a sync reads again the days before its bookmark, where Amazon may have added rows since."""

    # The sync's first window starts that much earlier.
    EARLIER_START = "earlier start"
    # The re-read is a window of its own before the bookmark, so the windows past the bookmark are
    # those a sync without look-back has, and reports a stopped sync requested for them are found again.
    OWN_WINDOWS = "own windows"
    # Never: each record totals its window (its key holds the window's end), and a re-read of a
    # shorter window would replace those totals with a few days' worth.
    NEVER = "never"


@dataclass(frozen=True)
class OptionDates:
    """The two reportOptions that carry a report's window (Amazon ignores dataStartTime and
    dataEndTime for such a report): its first instant and its last, both included."""

    start: str
    end: str

    def values(self, start: datetime, end: datetime) -> dict[str, datetime]:
        """The options' instants for the window [start, end)."""
        return {self.start: start, self.end: last_second(end)}


@dataclass(frozen=True)
class SyncRange:
    """What the settings ask of one sync, as windows need it."""

    start: datetime  # start_date
    end: datetime  # end_date, never past the time the settings were read
    period_days: int
    lookback_days: int
    now: datetime

    @classmethod
    def of(cls, settings: Settings) -> SyncRange:
        """What the settings ask of this sync's windows, as of now."""
        now = datetime.now(timezone.utc)
        return cls(settings.start, settings.end, settings.period_days, settings.lookback_days, now)


@dataclass(frozen=True)
class WindowPlan:
    """One stream's window rules."""

    kind: Kind = Kind.WINDOWED
    # The widest window Amazon serves in one request, in days (None: only period_days limits it).
    cap_days: int | None = None
    align: Align = Align.INSTANT
    # Reporting periods: one period a request, whatever the cap (else as many as fit in it).
    one_period: bool = False
    look_back: LookBack = LookBack.EARLIER_START
    # Read again at least this far before the bookmark, whatever lookback_days says.
    look_back_at_least: timedelta = timedelta(0)
    # Windows end at least this long before now: Amazon still revises (or has not published) those days.
    hold_back: timedelta = timedelta(0)
    # Amazon serves only the trailing years (or months): no window starts earlier.
    horizon_years: int | None = None
    horizon_months: int | None = None
    # The window goes in these reportOptions, not in dataStartTime and dataEndTime.
    option_dates: OptionDates | None = None
    # Amazon serves only this long before the request (real-time reports: 168 hours): no window starts
    # earlier, less HORIZON_MARGIN.
    horizon: timedelta | None = None

    @property
    def windowed(self) -> bool:
        """Whether the stream keeps a bookmark (windows, or listed reports by their period's end)."""
        return self.kind is not Kind.SNAPSHOT

    @property
    def names_last_second(self) -> bool:
        """Whether Amazon reads a window as whole dates, its end date included: the request names the
        window's last second, not the next day's midnight. Hours are read as instants: a report holds
        the whole hours inside its window."""
        return self.align not in (Align.INSTANT, Align.HOUR)

    def in_periods(self, period: str) -> WindowPlan:
        """The plan of a sync whose `reportPeriod` option is `period`."""
        if self.align is not Align.REPORT_PERIOD:
            return self
        return replace(self, align=Align(period))

    def days(self, period_days: int) -> int:
        """How many days one request covers at most: period_days, never past the cap."""
        return min(period_days, self.cap_days or period_days)

    def capped(self, days: int) -> WindowPlan:
        """The same plan with another cap."""
        return replace(self, cap_days=days)

    def look_back_for(self, lookback_days: int) -> timedelta:
        """How far before the bookmark this sync reads again."""
        if self.look_back is LookBack.NEVER:
            return timedelta(0)
        return max(timedelta(days=lookback_days), self.look_back_at_least)

    def oldest(self, now: datetime) -> datetime | None:
        """The first period Amazon still serves (with a margin: a day, or HORIZON_MARGIN for a rolling
        horizon), if it serves only the trailing years, months or hours."""
        if self.horizon is not None:
            return self.align.ceil(now - self.horizon + HORIZON_MARGIN)
        if self.horizon_years is None and self.horizon_months is None:
            return None
        months = now.year * 12 + now.month - 1 - 12 * (self.horizon_years or 0) - (self.horizon_months or 0)
        year, month = divmod(months, 12)
        # The same day of that month, or its last day (February 29, a 31st).
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        back = now.replace(year=year, month=month + 1, day=day)
        return self.align.ceil(back + timedelta(days=1))

    @property
    def horizon_text(self) -> str:
        """How far back Amazon serves, in words ("two years", "six months", "168 hours")."""
        if self.horizon is not None:
            return f"{int(self.horizon.total_seconds()) // 3600} hours"
        if self.horizon_months:
            return f"{_WORDS.get(self.horizon_months, str(self.horizon_months))} months"
        return f"{_WORDS.get(self.horizon_years or 0, str(self.horizon_years))} years"

    def first(self, sync: SyncRange) -> datetime:
        """Where the earliest window may start: start_date on the alignment (the day holding it, or the
        first whole period after it), never before what Amazon serves."""
        lower = sync.start
        oldest = self.oldest(sync.now)
        if oldest is not None:
            lower = max(lower, oldest)
        return self.align.ceil(lower) if self.align.is_period else self.align.floor(lower)

    def start(self, sync: SyncRange, bookmark: datetime | None) -> datetime:
        """Where this sync's windows past the look-back start: the bookmark on the alignment (less the
        look-back, for EARLIER_START), never before `first`."""
        first = self.first(sync)
        if bookmark is None:
            return first
        if self.look_back is LookBack.EARLIER_START:
            bookmark -= self.look_back_for(sync.lookback_days)
        return max(first, self.align.floor(bookmark))

    def short_of_horizon(self, sync: SyncRange, bookmark: datetime | None) -> datetime | None:
        """The first period Amazon serves, when this sync would start before it (else None)."""
        oldest = self.oldest(sync.now)
        if oldest is None:
            return None
        wanted = sync.start if bookmark is None else self.align.floor(bookmark - self.look_back_for(sync.lookback_days))
        return oldest if wanted < oldest else None

    def last_end(self, sync: SyncRange) -> datetime:
        """Where the last window may end: end_date, the hold-back before now, on the alignment."""
        end = sync.end
        if self.hold_back:
            end = min(end, sync.now - self.hold_back)
        return self.align.floor(end)

    def cut(self, lower: datetime, upper: datetime, period_days: int) -> list[Window]:
        """[lower, upper) cut into consecutive windows of at most `days(period_days)` days; reporting
        periods as whole periods, as many in a window as fit (at least one), or one with `one_period`."""
        days = timedelta(days=self.days(period_days))
        result = []
        cursor = lower
        if not self.align.is_period:
            while cursor < upper:
                end = min(cursor + days, upper)
                result.append((cursor, end))
                cursor = end
            return result
        while cursor < upper:
            end = self.align.following(cursor)
            if end > upper:
                break
            while not self.one_period:
                after = self.align.following(end)
                if after > upper or after - cursor > days:
                    break
                end = after
            result.append((cursor, end))
            cursor = end
        return result

    def cut_back(self, lower: datetime, upper: datetime, period_days: int) -> list[Window]:
        """[lower, upper) cut into windows as `cut` does, but from `upper` back, newest first: the
        newest window is a whole one, and what is left over is the oldest."""
        days = timedelta(days=self.days(period_days))
        result: list[Window] = []
        cursor = upper
        while cursor > lower:
            if not self.align.is_period:
                begin = max(cursor - days, lower)
            else:
                begin = self.align.floor(cursor - _INSTANT)
                if begin < lower:
                    break
                while not self.one_period:
                    before = self.align.floor(begin - _INSTANT)
                    if before < lower or cursor - before > days:
                        break
                    begin = before
            result.append((begin, cursor))
            cursor = begin
        return result

    def back_from(self, sync: SyncRange, bookmark: datetime | None, upper: datetime) -> list[Window]:
        """This sync's windows before `upper`, newest first: from `upper` back to the bookmark (or
        start_date), then the look-back's own windows, if it has them."""
        start = self.start(sync, bookmark)
        result = self.cut_back(start, upper, sync.period_days)
        if self.look_back is not LookBack.EARLIER_START:
            again = self._re_read_from(sync, bookmark, start, self.last_end(sync))
            result += self.cut(again, start, sync.period_days)[::-1]
        return result

    def windows(self, sync: SyncRange, bookmark: datetime | None) -> list[Window]:
        """This sync's windows, in order: the look-back's, then from the bookmark (or start_date) on."""
        if self.kind is not Kind.WINDOWED:
            return []
        start = self.start(sync, bookmark)
        end = self.last_end(sync)
        if self.look_back is LookBack.EARLIER_START:
            return self.cut(start, end, sync.period_days)
        again = self._re_read_from(sync, bookmark, start, end)
        planned = self.cut(start, end, sync.period_days)
        # Without the windows past the look-back that end before the bookmark (a lowered end_date, a
        # bookmark that is not on a period boundary, the hold-back): they would read again what the
        # look-back does not ask for.
        ahead = [window for window in planned if bookmark is None or window[1] >= bookmark]
        return self.cut(again, start, sync.period_days) + ahead

    def _re_read_from(self, sync: SyncRange, bookmark: datetime | None, start: datetime, end: datetime) -> datetime:
        """Where the re-read before `start` begins (`start` itself when there is none); it re-reads
        every period it touches."""
        back = self.look_back_for(sync.lookback_days)
        first = self.first(sync)
        if bookmark is None or not back or end <= first or start >= end:
            return start
        return min(start, max(first, self.align.floor(start - back)))

    def listed_since(self, sync: SyncRange, bookmark: datetime | None) -> tuple[datetime, datetime]:
        """Listed reports: the period end after which reports are read, and the creation time from which
        Amazon is asked to list them (never further back than it keeps them listable)."""
        since = max(sync.start, bookmark or sync.start)
        return since, max(since, sync.now - LISTING_HORIZON)

    def describe(self) -> str:
        """The window of one request, as the README's streams table says it."""
        if self.kind is Kind.SNAPSHOT:
            return "snapshot"
        if self.kind is Kind.LISTED:
            # Settlements are the only reports Amazon makes on its own that the tap reads.
            return "Amazon's settlement period"
        hours = int(self.hold_back.total_seconds()) // 3600
        if self.align is Align.REPORT_PERIOD:
            periods = "one `reportPeriod`" if self.one_period else "whole `reportPeriod`s"
            return f"{periods}; ends {hours} h before now"
        if self.align is Align.ISO_WEEK:
            weeks = (self.cap_days or 7) // 7
            span = f"up to {weeks} whole ISO weeks" if weeks > 1 and not self.one_period else "one ISO week"
            return f"{span} (Monday to Sunday); read from {hours} h after it ends"
        if self.option_dates is not None:
            dates = f"`{self.option_dates.start}`..`{self.option_dates.end}`"
            again = self.look_back_at_least.days
            return f"{self.cap_days} whole UTC days of {dates}; the last {again} days read again"
        if self.align is Align.HOUR:
            text = f"up to {self.days(365) * 24} whole UTC hours, within the last {self.horizon_text}"
            return text + (f"; ends {hours} h before now" if hours else "")
        text = f"{self.cap_days} days"
        if self.align is Align.UTC_DAYS:
            text += " of whole UTC days"
        # A hold-back under an hour is the margin for the clocks' difference, not worth a mention.
        if hours:
            text += f"; ends {hours} h before now"
        elif self.align is Align.UTC_DAYS:
            text += " (today waits until it is over)"
        if self.horizon_months or self.horizon_years:
            text += f"; the last {self.horizon_text}"
        return text


def read_order(
    plan: WindowPlan, sync: SyncRange, bookmark: datetime | None, loaded: Window | None, *, newest_first: bool
) -> list[tuple[Window, int]]:
    """A partition's windows in the order they are read, each with the pass of the sync that reads it.

    Oldest first, every window in pass 1, when `newest_first` is off or the partition is no more
    than `period_in_days` (and FAR_BEHIND) behind (an incremental sync: exactly the windows of
    `WindowPlan.windows`).
    Newest first otherwise, windows cut back from the newest end (so the newest is a whole one):
    pass 1 reads the newest window only, so that every stream's latest data is in before any
    stream's history; later passes go back `period_in_days` at a time, every stream in each. With a
    range loaded newest first by an earlier sync (`loaded`), the windows after it come first, oldest
    first from its end (with the look-back), then the gap between the bookmark and the range, cut
    back from the range's start: the windows the sync that stopped would have read next.
    """
    windows = plan.windows(sync, bookmark)
    band = timedelta(days=sync.period_days)
    # How far behind the partition is: from its bookmark, not from where the look-back re-reads.
    behind = windows[-1][1] - max(bookmark or windows[0][0], windows[0][0]) if windows else timedelta(0)
    if not newest_first or (loaded is None and behind <= max(band, FAR_BEHIND)):
        # Off, a range an earlier sync loaded is read again on the way, and is then behind the bookmark.
        return [(window, 1) for window in windows]
    after: list[Window] = []
    top = plan.last_end(sync)
    if loaded is not None:
        low, high = loaded
        after = [window for window in plan.windows(sync, high) if window[1] > high]
        top = low
    gap = plan.back_from(sync, bookmark, top)
    order = [(window, 1) for window in after + gap[:1]]
    if len(gap) > 1:
        newest = gap[1][1]
        order += [(window, 2 + int((newest - window[1]) / band)) for window in gap[1:]]
    return order


SNAPSHOT = WindowPlan(kind=Kind.SNAPSHOT)
# Vendors' real-time reports (Amazon's rapid retail analytics): whole UTC hours, at most 24 a report,
# the first at most 168 hours before the request (each report schema's dataStartTime and dataEndTime).
# An hour is published about five minutes after it ends: windows end 10 minutes before now, so the
# last hour of a window is there when it is read. Sales of an hour change with later cancellations:
# the look-back reads them again in windows of their own.
REAL_TIME = WindowPlan(
    cap_days=1,
    align=Align.HOUR,
    look_back=LookBack.OWN_WINDOWS,
    hold_back=timedelta(minutes=10),
    horizon=timedelta(hours=168),
)
# Traffic: a window must also end at least 60 minutes before the request (vendorRealTimeTrafficReport).
REAL_TIME_TRAFFIC = replace(REAL_TIME, hold_back=timedelta(minutes=60) + CLOCK_MARGIN)
LISTED = WindowPlan(kind=Kind.LISTED, look_back=LookBack.NEVER)


def last_second(end: datetime) -> datetime:
    """The last second of a window that ends at `end` (Amazon's inclusive end of a report's window)."""
    return end - timedelta(seconds=1)


def last_day(end: datetime) -> datetime:
    """The last day of a window of whole days that ends at `end` (Amazon's inclusive end date)."""
    return end - timedelta(days=1)


def day_after(last: datetime) -> datetime:
    """The end of a window of whole days whose last day is `last` (the inverse of `last_day`)."""
    return last + timedelta(days=1)


def days_from(day: date, days: int) -> Window:
    """`days` whole UTC days from the midnight that starts `day`."""
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return start, start + timedelta(days=days)


def last_day_before(now: datetime) -> Window:
    """The day that ends a clock margin before `now`: what a REST stream asks for when its synced range
    has no window Amazon still serves (`--test`)."""
    end = now - CLOCK_MARGIN
    return last_day(end), end
