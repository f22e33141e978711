"""`lookback_days`: each incremental sync re-reads the days before its bookmark, so late rows are not lost."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.late_rows import late_row
from tests.support.expectations import expected, plain, strip_added
from tests.support.tap_runner import TapRun, report_requests, run_tap

US = "ATVPDKIKX0DER"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
FIRST_END = "2024-03-15T00:00:00Z"
SECOND_END = "2024-04-01T00:00:00Z"
# Ordered two days before the first sync's bookmark, after that sync read the window.
LATE = datetime(2024, 3, 13, 9, 30, tzinfo=timezone.utc)


def windows(sim: Simulator) -> list[tuple[str, str]]:
    return [(b["dataStartTime"], b["dataEndTime"]) for b in report_requests(sim.requests, ORDERS)]


def two_syncs(sim: Simulator, **settings: Any) -> tuple[TapRun, TapRun, dict[str, Any], list[tuple[str, str]]]:
    """A sync to FIRST_END, a row added late to its last window, then a sync to SECOND_END from its state."""
    first = run_tap(make_config(sim, end_date=FIRST_END, **settings), streams=[ORDERS])
    assert first.error is None, first.stderr
    assert first.bookmark(ORDERS, US) == "2024-03-15T00:00:00+00:00"
    with late_row(sim.dataset, ORDERS, US, LATE) as row:
        late = plain(row)
        assert late not in [strip_added(r) for r in first.records(ORDERS)]
        sim.clear_requests()
        second = run_tap(make_config(sim, end_date=SECOND_END, **settings), streams=[ORDERS], state=first.last_state)
        assert second.error is None, second.stderr
        return first, second, late, windows(sim)


def test_a_row_added_late_to_a_window_already_read_is_picked_up_by_the_next_sync(sim: Simulator):
    first, second, late, requested = two_syncs(sim)  # lookback_days: 3, the default
    # The look-back is a window of its own before the bookmark; then the sync goes on as before.
    assert requested == [("2024-03-12T00:00:00Z", "2024-03-15T00:00:00Z"), ("2024-03-15T00:00:00Z", SECOND_END)]
    got = [strip_added(r) for r in second.records(ORDERS)]
    assert got.count(late) == 1
    # Together the two syncs hold every row of the whole range, the late one included: the rows
    # read twice are the same rows, which the target upserts by key.
    key = lambda r: (r["amazon_order_id"], r["sku"])  # noqa: E731
    union = {key(r): r for r in [strip_added(r) for r in first.records(ORDERS)] + got}
    want = expected(sim, ORDERS, US, START, SECOND_END)
    assert late not in want  # the late row is gone from the simulator again
    assert sorted(union.values(), key=key) == sorted([*want, late], key=key)
    assert second.bookmark(ORDERS, US) == "2024-04-01T00:00:00+00:00"


def test_without_look_back_the_next_sync_starts_at_its_bookmark_and_misses_the_late_row(sim: Simulator):
    _first, second, late, requested = two_syncs(sim, lookback_days=0)
    assert requested == [("2024-03-15T00:00:00Z", SECOND_END)]
    assert late not in [strip_added(r) for r in second.records(ORDERS)]


def test_look_back_never_reaches_before_the_start_date(sim: Simulator):
    state = {
        "bookmarks": {
            ORDERS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "data_end_time",
                        "replication_key_value": "2024-01-02T00:00:00+00:00",
                    }
                ]
            }
        }
    }
    run = run_tap(make_config(sim, end_date="2024-01-20T00:00:00Z", lookback_days=10), streams=[ORDERS], state=state)
    assert run.error is None, run.stderr
    assert windows(sim) == [
        ("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
        ("2024-01-02T00:00:00Z", "2024-01-20T00:00:00Z"),
    ]


def test_window_totals_are_not_re_read(sim: Simulator):
    # Each GET_SALES_AND_TRAFFIC_REPORT record sums up its window (keyed by the window's end): a
    # shorter re-read would replace those totals, so that stream has no look-back.
    stream = "GET_SALES_AND_TRAFFIC_REPORT"
    first = run_tap(make_config(sim, end_date=FIRST_END), streams=[stream])
    assert first.error is None, first.stderr
    sim.clear_requests()
    second = run_tap(make_config(sim, end_date=SECOND_END), streams=[stream], state=first.last_state)
    assert second.error is None, second.stderr
    bodies = report_requests(sim.requests)
    # No re-read before the bookmark; the window names its last second (Amazon includes the end date).
    windows = [(b["dataStartTime"], b["dataEndTime"]) for b in bodies]
    assert windows == [("2024-03-15T00:00:00Z", "2024-03-31T23:59:59Z")]


def test_an_end_date_before_the_bookmark_requests_nothing_and_never_moves_the_bookmark_back(sim: Simulator):
    first = run_tap(make_config(sim, end_date=FIRST_END), streams=[ORDERS])
    assert first.error is None, first.stderr
    sim.clear_requests()
    again = run_tap(make_config(sim, end_date="2024-03-10T00:00:00Z"), streams=[ORDERS], state=first.last_state)
    assert again.error is None, again.stderr
    assert windows(sim) == []
    assert again.records(ORDERS) == []
    # Whatever state the run writes keeps the bookmark where it was.
    assert all(again.bookmark(ORDERS, US, state) == "2024-03-15T00:00:00+00:00" for state in again.states)
    assert again.bookmark(ORDERS, US, again.last_state) == "2024-03-15T00:00:00+00:00"


def test_a_look_back_longer_than_the_windows_re_reads_all_of_its_days(sim: Simulator):
    # One-day windows and three days of look-back: three windows before the bookmark, every one read.
    # From March 1: the first sync needs only its bookmark, not four months of one-day windows.
    _first, second, late, requested = two_syncs(
        sim, period_in_days=1, lookback_days=3, start_date="2024-03-01T00:00:00Z"
    )
    assert requested[:4] == [
        ("2024-03-12T00:00:00Z", "2024-03-13T00:00:00Z"),
        ("2024-03-13T00:00:00Z", "2024-03-14T00:00:00Z"),
        ("2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z"),
        ("2024-03-15T00:00:00Z", "2024-03-16T00:00:00Z"),
    ]
    assert [strip_added(r) for r in second.records(ORDERS)].count(late) == 1
    # The re-read windows end before the bookmark: it stays where it was until the sync passes it.
    marks = [second.bookmark(ORDERS, US, state) for state in second.states]
    assert min(m for m in marks if m) == "2024-03-15T00:00:00+00:00"
    assert second.bookmark(ORDERS, US) == "2024-04-01T00:00:00+00:00"


def test_a_look_back_of_whole_day_windows_stays_on_whole_days_when_the_start_date_is_not(sim: Simulator):
    # Amazon reads sales and traffic windows as whole dates: a re-read starting at noon would name a
    # window that is not one, and differ from the first sync's windows of the same days.
    stream = "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"
    state = {
        "bookmarks": {
            stream: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "data_end_time",
                        "replication_key_value": "2024-05-09T00:00:00+00:00",
                    }
                ]
            }
        }
    }
    config = make_config(sim, start_date="2024-05-08T12:00:00Z", end_date="2024-05-10T00:00:00Z")
    run = run_tap(config, streams=[stream], state=state)
    assert run.error is None, run.stderr
    bodies = report_requests(sim.requests)
    assert [(b["dataStartTime"], b["dataEndTime"]) for b in bodies] == [
        ("2024-05-08T00:00:00Z", "2024-05-08T23:59:59Z"),
        ("2024-05-09T00:00:00Z", "2024-05-09T23:59:59Z"),
    ]
