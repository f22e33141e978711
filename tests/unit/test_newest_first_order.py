"""Newest first: the order and passes of a partition's windows (windows.read_order) and what each
emitted window makes of the two marks of its state (loaded_range.after_window)."""

from __future__ import annotations

from datetime import datetime, timezone

from tap_amazon_sp.loaded_range import after_window
from tap_amazon_sp.windows import Align, LookBack, SyncRange, WindowPlan, read_order


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sync(start: str, end: str, *, period: int = 30, lookback: int = 0) -> SyncRange:
    return SyncRange(at(start), at(end), period, lookback, at(end))


def days(order: list[tuple[tuple[datetime, datetime], int]]) -> list[tuple[str, str, int]]:
    return [(lower.strftime("%m-%d"), upper.strftime("%m-%d"), number) for (lower, upper), number in order]


PLAN = WindowPlan(cap_days=30, look_back=LookBack.EARLIER_START)


def test_a_first_sync_reads_the_newest_window_alone_in_the_first_pass_then_goes_back_a_period_a_pass():
    order = read_order(PLAN, sync("2024-01-01", "2024-04-15"), None, None, newest_first=True)
    # Cut back from the end: the newest window is a whole one, the oldest what is left over.
    assert days(order) == [
        ("03-16", "04-15", 1),
        ("02-15", "03-16", 2),
        ("01-16", "02-15", 3),
        ("01-01", "01-16", 4),
    ]
    wider = read_order(PLAN, sync("2024-01-01", "2024-04-15", period=90), None, None, newest_first=True)
    # The newest window alone, then the next 90 days (three 30-day windows) in one pass.
    assert [number for _, number in wider] == [1, 2, 2, 2]
    short = read_order(PLAN, sync("2024-01-01", "2024-03-15", period=90), None, None, newest_first=True)
    assert {number for _, number in short} == {1}  # 74 days: within one period, oldest first


def test_oldest_first_when_the_setting_is_off_or_the_windows_reach_back_no_more_than_a_period():
    windows = PLAN.windows(sync("2024-01-01", "2024-04-15"), None)
    off = read_order(PLAN, sync("2024-01-01", "2024-04-15"), None, None, newest_first=False)
    assert [window for window, _ in off] == windows
    assert {number for _, number in off} == {1}
    # An incremental sync a few days behind reads exactly what it always read.
    recent = sync("2024-01-01", "2024-04-15", lookback=3)
    behind = read_order(PLAN, recent, at("2024-04-10"), None, newest_first=True)
    assert behind == [(window, 1) for window in PLAN.windows(recent, at("2024-04-10"))]


def test_with_a_range_loaded_the_new_windows_come_first_oldest_first_then_the_gap_newest_first():
    loaded = (at("2024-03-01"), at("2024-04-15"))
    order = read_order(PLAN, sync("2024-01-01", "2024-06-01"), None, loaded, newest_first=True)
    assert days(order) == [
        ("04-15", "05-15", 1),
        ("05-15", "06-01", 1),
        ("01-31", "03-01", 1),
        ("01-01", "01-31", 2),
    ]


def test_the_gap_keeps_the_windows_of_the_sync_that_stopped_and_stops_at_the_range():
    first = read_order(PLAN, sync("2024-01-01", "2024-04-15"), None, None, newest_first=True)
    # Stopped after the two newest windows: the rest are the same windows.
    (low, _), _ = first[1]
    resumed = read_order(PLAN, sync("2024-01-01", "2024-04-15"), None, (low, at("2024-04-15")), newest_first=True)
    assert [window for window, _ in resumed] == [window for window, _ in first[2:]]


def test_periods_are_read_newest_first_as_whole_periods():
    months = WindowPlan(cap_days=92, align=Align.MONTH)
    order = read_order(months, sync("2023-01-01", "2024-02-04", period=90), None, None, newest_first=True)
    assert days(order) == [
        ("12-01", "02-01", 1),
        ("10-01", "12-01", 2),
        ("08-01", "10-01", 2),
        ("06-01", "08-01", 3),
        ("04-01", "06-01", 4),
        ("01-01", "04-01", 4),
    ]
    weeks = WindowPlan(cap_days=7, align=Align.WEEK, one_period=True)
    order = read_order(weeks, sync("2024-01-07", "2024-02-18", period=7), None, None, newest_first=True)
    assert days(order) == [
        ("02-11", "02-18", 1),
        ("02-04", "02-11", 2),
        ("01-28", "02-04", 3),
        ("01-21", "01-28", 4),
        ("01-14", "01-21", 5),
        ("01-07", "01-14", 6),
    ]
    # Four weeks, less than FAR_BEHIND: oldest first, as a weekly sync always read them.
    month = read_order(weeks, sync("2024-01-07", "2024-02-04", period=7), None, None, newest_first=True)
    assert {number for _, number in month} == {1}


def window(start: str, end: str) -> tuple[datetime, datetime]:
    return at(start), at(end)


def test_a_window_after_a_gap_starts_the_range_and_the_bookmark_stays():
    assert after_window(at("2024-01-01"), None, window("2024-03-31", "2024-04-15")) == (
        None,
        window("2024-03-31", "2024-04-15"),
    )


def test_a_window_below_the_range_widens_it_and_the_last_one_moves_the_bookmark_to_its_end():
    loaded = window("2024-03-31", "2024-04-15")
    assert after_window(at("2024-01-01"), loaded, window("2024-03-01", "2024-03-31")) == (
        None,
        window("2024-03-01", "2024-04-15"),
    )
    assert after_window(at("2024-01-01"), window("2024-01-31", "2024-04-15"), window("2024-01-01", "2024-01-31")) == (
        at("2024-04-15"),
        None,
    )


def test_oldest_first_windows_move_the_bookmark_as_they_always_did():
    assert after_window(at("2024-01-01"), None, window("2024-01-01", "2024-01-31")) == (at("2024-01-31"), None)
    # A look-back window re-read before the bookmark moves it to its end, never back.
    assert after_window(at("2024-01-31"), None, window("2024-01-28", "2024-02-27")) == (at("2024-02-27"), None)
    assert after_window(at("2024-01-31"), None, window("2024-01-01", "2024-01-15")) == (None, None)


def test_a_window_that_touches_neither_mark_is_not_recorded():
    loaded = window("2024-03-01", "2024-04-15")
    assert after_window(at("2024-01-01"), loaded, window("2024-02-01", "2024-02-15")) == (None, loaded)


def test_new_data_after_the_range_widens_it_upward():
    loaded = window("2024-03-01", "2024-04-15")
    assert after_window(at("2024-01-01"), loaded, window("2024-04-12", "2024-05-12")) == (
        None,
        window("2024-03-01", "2024-05-12"),
    )
