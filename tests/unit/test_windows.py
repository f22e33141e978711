"""WindowPlan: the windows a sync asks Amazon for, from the settings, the bookmark and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tap_amazon_sp.windows import (
    CLOCK_MARGIN,
    LISTED,
    SNAPSHOT,
    Align,
    LookBack,
    SyncRange,
    WindowPlan,
    last_day,
    last_second,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sync(start: str, end: str, *, now: str | None = None, period: int = 90, lookback: int = 3) -> SyncRange:
    return SyncRange(at(start), at(end), period, lookback, at(now or end))


def spans(windows: list[tuple[datetime, datetime]]) -> list[tuple[str, str]]:
    return [(lower.strftime("%Y-%m-%dT%H:%M"), upper.strftime("%Y-%m-%dT%H:%M")) for lower, upper in windows]


REPORT = WindowPlan(cap_days=30, look_back=LookBack.OWN_WINDOWS)


def test_windows_are_as_wide_as_the_period_but_never_wider_than_the_cap():
    plan = WindowPlan(cap_days=30)
    assert spans(plan.windows(sync("2024-01-01", "2024-03-01"), None)) == [
        ("2024-01-01T00:00", "2024-01-31T00:00"),
        ("2024-01-31T00:00", "2024-03-01T00:00"),
    ]
    narrow = sync("2024-01-01", "2024-01-25", period=10)
    assert spans(plan.windows(narrow, None)) == [
        ("2024-01-01T00:00", "2024-01-11T00:00"),
        ("2024-01-11T00:00", "2024-01-21T00:00"),
        ("2024-01-21T00:00", "2024-01-25T00:00"),
    ]
    # Without a cap, only the period limits a window.
    assert WindowPlan().days(120) == 120 and plan.days(120) == 30


def test_instant_windows_start_and_end_exactly_at_the_settings():
    plan = WindowPlan(cap_days=30)
    got = plan.windows(sync("2024-01-01T15:30:00", "2024-01-10T08:00:00"), None)
    assert spans(got) == [("2024-01-01T15:30", "2024-01-10T08:00")]
    assert not plan.names_last_second


def test_whole_utc_days_read_the_day_holding_the_start_date_and_wait_for_today_to_end():
    plan = WindowPlan(cap_days=365, align=Align.UTC_DAYS, look_back=LookBack.OWN_WINDOWS)
    got = plan.windows(sync("2024-03-10T15:00:00", "2024-03-20T09:00:00"), None)
    assert spans(got) == [("2024-03-10T00:00", "2024-03-20T00:00")]
    # Amazon reads such windows as dates, the end date included: the request names the last second.
    assert plan.names_last_second
    assert last_second(at("2024-03-20")) == at("2024-03-19T23:59:59")


def test_a_hold_back_ends_windows_that_long_before_now():
    plan = WindowPlan(cap_days=365, align=Align.UTC_DAYS, hold_back=timedelta(hours=72))
    got = plan.windows(sync("2024-03-01", "2024-03-20T09:00:00", now="2024-03-20T09:00:00"), None)
    # 72 hours before now is 03-17 09:00; whole days end at its midnight.
    assert spans(got) == [("2024-03-01T00:00", "2024-03-17T00:00")]


def test_rest_windows_end_the_clock_margin_before_now_only_when_the_end_date_is_that_recent():
    plan = WindowPlan(cap_days=90, hold_back=CLOCK_MARGIN)
    recent = sync("2024-03-01", "2024-03-20T09:00:00", now="2024-03-20T09:01:00")
    assert plan.windows(recent, None)[-1][1] == at("2024-03-20T08:58:30")
    past = sync("2024-03-01", "2024-03-10", now="2024-03-20")
    assert plan.windows(past, None)[-1][1] == at("2024-03-10")


@pytest.mark.parametrize(
    ("align", "start", "first", "second"),
    [
        # Amazon's weeks run Sunday to Saturday; 2024-03-06 is a Wednesday.
        (Align.WEEK, "2024-03-06", "2024-03-10", "2024-03-17"),
        # The Replenishment API's are ISO weeks, Monday to Sunday.
        (Align.ISO_WEEK, "2024-03-06", "2024-03-11", "2024-03-18"),
        (Align.MONTH, "2024-01-15", "2024-02-01", "2024-03-01"),
        (Align.QUARTER, "2024-01-15", "2024-04-01", "2024-07-01"),
        (Align.YEAR, "2023-01-15", "2024-01-01", "2025-01-01"),
        (Align.DAY, "2024-03-06T10:00:00", "2024-03-07", "2024-03-08"),
    ],
)
def test_reporting_periods_are_whole_and_none_begins_before_the_start_date(
    align: Align, start: str, first: str, second: str
):
    plan = WindowPlan(cap_days=365, align=align, one_period=True, look_back=LookBack.OWN_WINDOWS)
    got = plan.windows(sync(start, "2026-01-01"), None)
    assert got[0] == (at(first), at(second))
    # No window ends inside a period: each one starts where a period does and is one period long.
    assert all(upper == align.following(lower) and align.floor(lower) == lower for lower, upper in got)


def test_periods_are_grouped_as_many_as_fit_in_the_cap_unless_one_a_request():
    grouped = WindowPlan(cap_days=62, align=Align.MONTH, look_back=LookBack.OWN_WINDOWS)
    range_ = sync("2024-01-01", "2024-07-01")
    assert spans(grouped.windows(range_, None)) == [
        ("2024-01-01T00:00", "2024-03-01T00:00"),
        ("2024-03-01T00:00", "2024-05-01T00:00"),
        ("2024-05-01T00:00", "2024-07-01T00:00"),
    ]
    single = WindowPlan(cap_days=365, align=Align.MONTH, one_period=True, look_back=LookBack.OWN_WINDOWS)
    assert len(single.windows(range_, None)) == 6
    # A period longer than the cap is still one window.
    assert len(WindowPlan(cap_days=7, align=Align.MONTH).windows(range_, None)) == 6
    # A period not over by the end date waits.
    assert grouped.windows(sync("2024-01-01", "2024-02-20"), None) == [(at("2024-01-01"), at("2024-02-01"))]


def test_a_report_period_plan_takes_its_period_from_the_report_options():
    plan = WindowPlan(align=Align.REPORT_PERIOD, look_back=LookBack.OWN_WINDOWS, hold_back=timedelta(hours=72))
    with pytest.raises(ValueError, match="not chosen"):
        plan.windows(sync("2024-01-01", "2024-03-01"), None)
    weekly = plan.in_periods("WEEK")
    assert weekly.align is Align.WEEK and weekly.names_last_second
    assert weekly.windows(sync("2024-01-01", "2024-01-20"), None)[0][0] == at("2024-01-07")
    assert WindowPlan(cap_days=30).in_periods("WEEK").align is Align.INSTANT


def test_a_report_re_reads_the_look_back_in_a_window_of_its_own_before_the_bookmark():
    got = REPORT.windows(sync("2024-01-01", "2024-04-01", lookback=3), at("2024-03-15"))
    assert spans(got) == [("2024-03-12T00:00", "2024-03-15T00:00"), ("2024-03-15T00:00", "2024-04-01T00:00")]
    no_look_back = REPORT.windows(sync("2024-01-01", "2024-04-01", lookback=0), at("2024-03-15"))
    assert spans(no_look_back) == [("2024-03-15T00:00", "2024-04-01T00:00")]
    # Never before the start date.
    near_start = REPORT.windows(sync("2024-03-14", "2024-04-01", lookback=3), at("2024-03-15"))
    assert near_start[0] == (at("2024-03-14"), at("2024-03-15"))


def test_a_rest_sync_starts_the_look_back_before_its_bookmark():
    plan = WindowPlan(cap_days=10, hold_back=CLOCK_MARGIN)
    got = plan.windows(sync("2024-01-01", "2024-03-30", now="2024-04-01", lookback=3), at("2024-03-15"))
    assert spans(got) == [("2024-03-12T00:00", "2024-03-22T00:00"), ("2024-03-22T00:00", "2024-03-30T00:00")]
    # A stream may re-read further than lookback_days says, never less.
    wider = WindowPlan(cap_days=180, look_back_at_least=timedelta(days=30))
    assert wider.start(sync("2024-01-01", "2024-04-01", lookback=3), at("2024-03-15")) == at("2024-02-14")
    assert wider.start(sync("2024-01-01", "2024-04-01", lookback=45), at("2024-03-15")) == at("2024-01-30")


def test_records_that_total_their_window_are_never_read_again():
    plan = WindowPlan(cap_days=365, align=Align.UTC_DAYS, look_back=LookBack.NEVER)
    got = plan.windows(sync("2024-01-01", "2024-04-01", lookback=7), at("2024-03-15"))
    assert spans(got) == [("2024-03-15T00:00", "2024-04-01T00:00")]


def test_a_look_back_in_periods_re_reads_every_period_it_touches():
    plan = WindowPlan(cap_days=365, align=Align.WEEK, one_period=True, look_back=LookBack.OWN_WINDOWS)
    # The bookmark is a Sunday (2024-03-17); three days back falls in the week from 03-10.
    got = plan.windows(sync("2024-01-07", "2024-03-31", lookback=3), at("2024-03-17"))
    assert spans(got)[:2] == [("2024-03-10T00:00", "2024-03-17T00:00"), ("2024-03-17T00:00", "2024-03-24T00:00")]


def test_windows_that_end_before_the_bookmark_are_not_read_again_past_the_look_back():
    # A lowered end date: nothing left to read.
    assert REPORT.windows(sync("2024-01-01", "2024-03-01", lookback=0), at("2024-03-15")) == []


def test_amazon_serves_only_the_trailing_years():
    plan = WindowPlan(cap_days=7, align=Align.ISO_WEEK, horizon_years=2)
    range_ = sync("2020-01-01", "2024-03-20")
    # Two years back is Sunday 2022-03-20; a day's margin, then the next Monday (that day itself).
    assert plan.first(range_) == at("2022-03-21")
    assert plan.short_of_horizon(range_, None) == at("2022-03-21")
    assert WindowPlan(align=Align.ISO_WEEK, horizon_years=2).first(sync("2020-01-01", "2024-03-22")) == at("2022-03-28")
    assert plan.short_of_horizon(range_, at("2024-01-01")) is None
    assert plan.oldest(at("2024-02-29")) == Align.ISO_WEEK.ceil(at("2022-03-01"))
    assert last_day(at("2024-03-18")) == at("2024-03-17")


def test_a_snapshot_has_no_windows_and_no_bookmark():
    assert not SNAPSHOT.windowed
    assert SNAPSHOT.windows(sync("2024-01-01", "2024-03-01"), None) == []


def test_listed_reports_keep_a_bookmark_and_are_listed_as_far_back_as_amazon_keeps_them():
    assert LISTED.windowed
    assert LISTED.windows(sync("2024-01-01", "2024-03-01"), None) == []
    range_ = sync("2024-01-01", "2024-06-01", now="2024-06-01")
    assert LISTED.listed_since(range_, None) == (at("2024-01-01"), at("2024-03-04"))
    assert LISTED.listed_since(range_, at("2024-05-01")) == (at("2024-05-01"), at("2024-05-01"))


@pytest.mark.parametrize(
    ("plan", "text"),
    [
        (SNAPSHOT, "snapshot"),
        (LISTED, "Amazon's settlement period"),
        (WindowPlan(cap_days=90, hold_back=CLOCK_MARGIN), "90 days"),
        (WindowPlan(cap_days=365, align=Align.UTC_DAYS), "365 days of whole UTC days (today waits until it is over)"),
        (
            WindowPlan(cap_days=365, align=Align.UTC_DAYS, hold_back=timedelta(hours=72)),
            "365 days of whole UTC days; ends 72 h before now",
        ),
        (
            WindowPlan(align=Align.REPORT_PERIOD, hold_back=timedelta(hours=72)),
            "whole `reportPeriod`s; ends 72 h before now",
        ),
        (
            WindowPlan(align=Align.REPORT_PERIOD, one_period=True, hold_back=timedelta(hours=72)),
            "one `reportPeriod`; ends 72 h before now",
        ),
        (
            WindowPlan(cap_days=91, align=Align.ISO_WEEK, hold_back=timedelta(hours=72)),
            "up to 13 whole ISO weeks (Monday to Sunday); read from 72 h after it ends",
        ),
    ],
)
def test_the_readme_says_each_plans_window(plan: WindowPlan, text: str):
    assert plan.describe() == text
