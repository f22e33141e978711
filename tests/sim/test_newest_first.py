"""Newest first: a first sync reads every stream's newest window before any stream's history, and its
state never says a window is loaded before it is (the bookmark and `loaded_range`).

The kill-and-resume proof in both orders is tests/sim/test_kill_resume.py.
"""

from __future__ import annotations

import json
from typing import Any

from tap_amazon_sp.catalogue import BY_STREAM
from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, report_requests, run_tap

US = "ATVPDKIKX0DER"
# A regional flat file (30 days a request), a flat file of 90 days, a JSON report (30 days), a snapshot.
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
WINDOWED = (ALL_ORDERS, REIMBURSEMENTS, SALES)
STREAMS = (*WINDOWED, LISTINGS)
END = "2024-07-01T00:00:00Z"


def partition(state: dict[str, Any], stream: str) -> dict[str, Any]:
    for found in state.get("bookmarks", {}).get(stream, {}).get("partitions", []):
        if found.get("context", {}).get("marketplace_id") == US:
            return dict(found)
    return {}


def record_windows(run: TapRun) -> list[tuple[str, str, str]]:
    """(stream, data_start_time, data_end_time) of each record, in the order they were emitted."""
    return [
        (m["stream"], m["record"]["data_start_time"], m["record"]["data_end_time"])
        for m in run.messages
        if m["type"] == "RECORD"
    ]


def test_a_first_sync_reads_the_newest_window_of_every_stream_before_any_older_one(sim: Simulator):
    run = run_tap(make_config(sim, end_date=END, period_in_days=30), streams=list(STREAMS))
    assert run.error is None, run.stderr[-3000:]
    creates = report_requests(sim.requests)
    # The first createReport calls are each stream's newest window (and the snapshot), one each.
    first = creates[: len(STREAMS)]
    assert sorted(b["reportType"] for b in first) == sorted(STREAMS)
    for body in first:
        if body["reportType"] in WINDOWED:
            assert body["dataEndTime"].startswith(("2024-06-30", "2024-07-01")), body
    # Records: every stream's newest window comes out before any stream's older windows.
    emitted = record_windows(run)
    newest = {stream: max(end for s, _, end in emitted if s == stream) for stream in WINDOWED}
    is_newest = [end == newest[stream] for stream, _, end in emitted if stream in WINDOWED]
    assert True in is_newest and False in is_newest
    assert is_newest == sorted(is_newest, reverse=True), "an older window came before a newest one"
    # Each stream's windows come newest first.
    for stream in WINDOWED:
        ends = [end for s, _, end in emitted if s == stream]
        assert ends == sorted(ends, reverse=True), stream
    assert "Newest first: the newest window of every stream comes first" in run.stderr


def test_no_state_says_a_window_is_loaded_before_its_records_are_out(sim: Simulator):
    run = run_tap(make_config(sim, end_date=END, period_in_days=30), streams=list(WINDOWED))
    assert run.error is None, run.stderr[-3000:]
    # The windows that hold records, by stream: each must be out before a STATE claims it.
    emitted: dict[str, set[tuple[str, str]]] = {stream: set() for stream in WINDOWED}
    with_rows = {(s, start, end) for s, start, end in record_windows(run)}
    for message in run.messages:
        if message["type"] == "RECORD":
            record = message["record"]
            emitted[message["stream"]].add((record["data_start_time"], record["data_end_time"]))
            continue
        if message["type"] != "STATE":
            continue
        for stream in WINDOWED:
            marks = partition(message["value"], stream)
            bookmark = marks.get("replication_key_value")
            loaded = marks.get("loaded_range")
            for name, start, end in with_rows:
                if name != stream:
                    continue
                claimed = (bookmark is not None and end <= bookmark) or (
                    loaded is not None and start >= loaded["start"] and end <= loaded["end"]
                )
                if claimed:
                    assert (start, end) in emitted[stream], (stream, start, end, marks)
    # The backfill done, the state is what an oldest-first sync leaves: a bookmark at the end, no range.
    for stream in WINDOWED:
        marks = partition(run.last_state, stream)
        assert marks["replication_key_value"] == "2024-07-01T00:00:00+00:00", stream
        assert "loaded_range" not in marks and "pending_reports" not in marks, stream


def keyed(run: TapRun, stream: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """A stream's records by primary key, without the columns that name the window or the report."""
    added = ("report_id", "data_start_time", "data_end_time")
    return {
        tuple(r[k] for k in BY_STREAM[stream].primary_key): {k: v for k, v in r.items() if k not in added}
        for r in run.records(stream)
    }


def test_both_orders_load_the_same_rows_and_leave_the_same_state_and_the_next_sync_is_the_same(sim: Simulator):
    streams = [ALL_ORDERS, REIMBURSEMENTS]
    runs: dict[bool, tuple[TapRun, TapRun, list[dict[str, Any]]]] = {}
    for newest_first in (True, False):
        sim.reset()
        config = make_config(sim, end_date=END, period_in_days=30, newest_first=newest_first)
        first = run_tap(config, streams=streams)
        assert first.error is None, first.stderr[-3000:]
        # The next sync, ten days on: an incremental one, within period_in_days.
        later = {**config, "end_date": "2024-07-11T00:00:00Z"}
        sim.reset()
        second = run_tap(later, streams=streams, state=first.last_state)
        assert second.error is None, second.stderr[-3000:]
        runs[newest_first] = (first, second, report_requests(sim.requests))
    newest, oldest = runs[True], runs[False]
    for stream in streams:
        assert keyed(newest[0], stream) == keyed(oldest[0], stream), stream
        assert partition(newest[0].last_state, stream) == partition(oldest[0].last_state, stream), stream
        again = [{k: v for k, v in r.items() if k != "report_id"} for r in newest[1].records(stream)]
        assert again and again == [{k: v for k, v in r.items() if k != "report_id"} for r in oldest[1].records(stream)]
        assert partition(newest[1].last_state, stream) == partition(oldest[1].last_state, stream), stream
    # The incremental sync asks for exactly the same reports.
    assert [json.dumps(b, sort_keys=True) for b in newest[2]] == [json.dumps(b, sort_keys=True) for b in oldest[2]]
    assert all(not partition(s, stream).get("loaded_range") for s in oldest[0].states for stream in streams)


def test_with_newest_first_off_each_stream_is_read_oldest_first_one_after_another(sim: Simulator):
    run = run_tap(make_config(sim, end_date=END, period_in_days=30, newest_first=False), streams=list(WINDOWED))
    assert run.error is None, run.stderr[-3000:]
    creates = [(b["reportType"], b["dataStartTime"]) for b in report_requests(sim.requests)]
    for stream in WINDOWED:
        starts = [start for kind, start in creates if kind == stream]
        assert starts == sorted(starts) and starts[0] == START.replace("+00:00", "Z"), stream
    # Stream after stream: each stream's reports are requested together.
    kinds = [kind for kind, _ in creates]
    assert [kind for index, kind in enumerate(kinds) if index == 0 or kinds[index - 1] != kind] == sorted(set(kinds))
    assert "Newest first" not in run.stderr


def test_a_sync_resumed_later_reads_the_new_windows_then_the_gap_and_nothing_of_the_range_again(sim: Simulator):
    # As a sync that stopped after loading only the newest window, ending 2024-07-01, leaves it.
    state = {
        "bookmarks": {
            REIMBURSEMENTS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "data_end_time",
                        "loaded_range": {"start": "2024-06-01T00:00:00+00:00", "end": "2024-07-01T00:00:00+00:00"},
                    }
                ]
            }
        }
    }
    config = make_config(sim, end_date="2024-07-21T00:00:00Z", period_in_days=30, lookback_days=0)
    run = run_tap(config, streams=[REIMBURSEMENTS], state=state)
    assert run.error is None, run.stderr[-3000:]
    windows = [(b["dataStartTime"][:10], b["dataEndTime"][:10]) for b in report_requests(sim.requests)]
    assert windows == [
        # The new data after the range, first.
        ("2024-07-01", "2024-07-21"),
        # Then the gap, newest first, back to start_date: the windows the stopped sync had next.
        ("2024-05-02", "2024-06-01"),
        ("2024-04-02", "2024-05-02"),
        ("2024-03-03", "2024-04-02"),
        ("2024-02-02", "2024-03-03"),
        ("2024-01-03", "2024-02-02"),
        ("2024-01-01", "2024-01-03"),
    ]
    # The range is never asked for, so none of its records is emitted again.
    assert all(not ("2024-06-01" <= r["approval_date"][:10] < "2024-07-01") for r in run.records(REIMBURSEMENTS))
    ranges = [partition(s, REIMBURSEMENTS).get("loaded_range") for s in run.states]
    assert {"start": "2024-06-01T00:00:00+00:00", "end": "2024-07-21T00:00:00+00:00"} in ranges
    final = partition(run.last_state, REIMBURSEMENTS)
    assert final["replication_key_value"] == "2024-07-21T00:00:00+00:00" and "loaded_range" not in final
