"""Reporting periods (reportPeriod) of analytics reports: their UTC boundaries, and windows of whole periods.

Amazon reads these reports' windows as dates and refuses (FATAL) a window that does not start on
the first day of a period and end on the last: a WEEK runs Sunday to Saturday, a MONTH, QUARTER
or YEAR from its first calendar day to its last. The Replenishment API's weeks are ISO weeks
instead, Monday to Sunday (ISO_WEEK).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

PERIOD_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def floor(moment: datetime, period: str) -> datetime:
    """The start of the period holding `moment` (UTC midnight of its first day)."""
    moment = moment.astimezone(timezone.utc)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if period == "DAY":
        return day
    if period == "WEEK":
        return day - timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
    if period == "ISO_WEEK":
        return day - timedelta(days=day.weekday())  # back to Monday
    months = PERIOD_MONTHS[period]
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def following(start: datetime, period: str) -> datetime:
    """The start of the period after the one starting at `start`."""
    if period == "DAY":
        return start + timedelta(days=1)
    if period in ("WEEK", "ISO_WEEK"):
        return start + timedelta(days=7)
    month = start.month - 1 + PERIOD_MONTHS[period]
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def ceil(moment: datetime, period: str) -> datetime:
    """`moment` itself if a period starts there, else the start of the next period."""
    start = floor(moment, period)
    return start if start == moment else following(start, period)


def period_windows(
    start: datetime, end: datetime, period: str, days: int, *, spans_periods: bool = True
) -> list[tuple[datetime, datetime]]:
    """[start, end), both period boundaries, cut into windows of whole periods.

    A window holds as many periods as fit in `days` (at least one), or exactly one when the report
    type cannot span periods.
    """
    result = []
    cursor = start
    while cursor < end:
        upper = following(cursor, period)
        if upper > end:
            break
        while spans_periods:
            after = following(upper, period)
            if after > end or after - cursor > timedelta(days=days):
                break
            upper = after
        result.append((cursor, upper))
        cursor = upper
    return result
