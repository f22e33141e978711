"""Windows of whole UTC hours within a rolling horizon: the vendors' real-time reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tap_amazon_sp.windows import HORIZON_MARGIN, REAL_TIME, REAL_TIME_TRAFFIC, Align, SyncRange, WindowPlan


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sync(start: str, end: str, now: str, *, lookback: int = 3) -> SyncRange:
    return SyncRange(at(start), at(end), 90, lookback, at(now))


def spans(windows: list[tuple[datetime, datetime]]) -> list[tuple[str, str]]:
    return [(lower.strftime("%m-%dT%H:%M"), upper.strftime("%m-%dT%H:%M")) for lower, upper in windows]


NOW = "2024-06-20T12:14:56"


def test_a_start_older_than_168_hours_moves_to_the_first_whole_hour_inside_them():
    range_ = sync("2024-06-01", NOW, NOW)
    # 168 hours before 12:14:56 is 06-13 12:14:56; 30 minutes inside that, the first whole hour is 13:00.
    assert REAL_TIME.short_of_horizon(range_, None) == at("2024-06-13T13:00")
    assert spans(REAL_TIME.windows(range_, None)) == [
        ("06-13T13:00", "06-14T13:00"),
        ("06-14T13:00", "06-15T13:00"),
        ("06-15T13:00", "06-16T13:00"),
        ("06-16T13:00", "06-17T13:00"),
        ("06-17T13:00", "06-18T13:00"),
        ("06-18T13:00", "06-19T13:00"),
        ("06-19T13:00", "06-20T12:00"),  # the hour 12:00-13:00 is not over
    ]
    # Traffic ends an hour (and the clocks' margin) before now: 11:12:26, so at 11:00.
    assert REAL_TIME_TRAFFIC.windows(range_, None)[-1][1] == at("2024-06-20T11:00")


def test_the_margin_keeps_the_first_hour_inside_the_horizon_at_any_minute():
    for minute in range(60):
        now = at("2024-06-20T12:00") + timedelta(minutes=minute)
        first = REAL_TIME.first(SyncRange(at("2024-01-01"), now, 90, 3, now))
        assert first.minute == 0 and now - timedelta(hours=168) + HORIZON_MARGIN <= first, minute
        assert first - (now - timedelta(hours=168)) <= HORIZON_MARGIN + timedelta(hours=1), minute


def test_a_start_inside_the_horizon_is_read_from_the_hour_holding_it_and_nothing_is_said():
    range_ = sync("2024-06-20T02:15", NOW, NOW)
    assert REAL_TIME.short_of_horizon(range_, None) is None
    assert spans(REAL_TIME.windows(range_, None)) == [("06-20T02:00", "06-20T12:00")]


def test_the_look_back_reads_again_in_windows_of_its_own_never_before_the_horizon():
    # A bookmark at 06-19T06:00 and ten days of look-back: back to the horizon, not to 06-09T06:00.
    range_ = sync("2024-06-01", NOW, NOW, lookback=10)
    assert spans(REAL_TIME.windows(range_, at("2024-06-19T06:00"))) == [
        ("06-13T13:00", "06-14T13:00"),
        ("06-14T13:00", "06-15T13:00"),
        ("06-15T13:00", "06-16T13:00"),
        ("06-16T13:00", "06-17T13:00"),
        ("06-17T13:00", "06-18T13:00"),
        ("06-18T13:00", "06-19T06:00"),
        ("06-19T06:00", "06-20T06:00"),
        ("06-20T06:00", "06-20T12:00"),
    ]
    assert spans(REAL_TIME.windows(sync("2024-06-01", NOW, NOW, lookback=0), at("2024-06-19T06:00"))) == [
        ("06-19T06:00", "06-20T06:00"),
        ("06-20T06:00", "06-20T12:00"),
    ]


def test_hours_are_sent_as_instants_and_the_readme_says_the_rules():
    assert not REAL_TIME.names_last_second
    assert Align.HOUR.floor(at("2024-06-20T12:34:56")) == at("2024-06-20T12:00")
    assert Align.HOUR.ceil(at("2024-06-20T12:00")) == at("2024-06-20T12:00")
    assert REAL_TIME.describe() == "up to 24 whole UTC hours, within the last 168 hours"
    assert REAL_TIME_TRAFFIC.describe() == "up to 24 whole UTC hours, within the last 168 hours; ends 1 h before now"


@pytest.mark.parametrize("hours", [1, 24])
def test_windows_never_pass_the_cap(hours: int):
    plan = WindowPlan(cap_days=1, align=Align.HOUR, horizon=timedelta(hours=168))
    range_ = sync("2024-06-10", NOW, NOW, lookback=0)
    assert all(upper - lower <= timedelta(hours=24) for lower, upper in plan.windows(range_, None))
    assert all(lower.minute == 0 and upper.minute == 0 for lower, upper in plan.windows(range_, None)), hours
