"""Finances streams synced through HTTP: event groups, events and transactions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from tap_amazon_sp.records import parse_datetime
from tests.conftest import END, START, make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.reports import format_time
from tests.support.expectations import plain
from tests.support.rest_expected import by_key, declared
from tests.support.tap_runner import TapRun, run_tap

FINANCES = ["financial_event_groups", "financial_events", "financial_transactions"]
# Each stream's operation and its window parameters.
BOUNDS = {
    "listFinancialEventGroups": ("FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore"),
    "listFinancialEvents": ("PostedAfter", "PostedBefore"),
    "listTransactions": ("postedAfter", "postedBefore"),
}
TOKENS = {"listFinancialEventGroups": "NextToken", "listFinancialEvents": "NextToken", "listTransactions": "nextToken"}


def without_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the simulator has them: without the ids the tap gives them and its (empty) account."""
    assert all(r["account_id"] == "" for r in records)
    return [{k: v for k, v in r.items() if k not in ("event_id", "account_id")} for r in records]


def check_all(sim: Simulator, run: TapRun, start: str, end: str) -> None:
    """Every finance stream's records equal the simulator's for [start, end), each once."""
    assert run.error is None, run.stderr[-3000:]
    lower, upper = parse_datetime(start), parse_datetime(end)
    groups = sim.finances.expected_groups(lower, upper)
    assert len(groups) >= 5
    assert by_key(run.records("financial_event_groups"), "financial_event_group_id") == by_key(
        declared("financial_event_groups", groups), "financial_event_group_id"
    )
    transactions = sim.finances.expected_transactions(lower, upper)
    assert len(transactions) >= 50
    assert by_key(run.records("financial_transactions"), "transaction_id") == by_key(
        declared("financial_transactions", transactions), "transaction_id"
    )
    events = run.records("financial_events")
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)) >= 50
    want = sim.finances.expected_events(lower, upper)
    assert sorted(map(plain, without_ids(events)), key=repr) == sorted(map(plain, want), key=repr)


def test_finance_streams_equal_the_simulator_data(sim: Simulator):
    run = run_tap(make_config(sim), streams=FINANCES)
    check_all(sim, run, START, END)
    types = {e["event_type"] for e in run.records("financial_events")}
    assert types == {"ShipmentEvent", "RefundEvent", "ServiceFeeEvent", "AdjustmentEvent"}
    # Identical events (two equal service fees) are two records with two keys.
    fees = [e for e in run.records("financial_events") if e["event_type"] == "ServiceFeeEvent"]
    assert len({e["event_id"] for e in fees}) == len(fees)


def test_event_keys_are_stable_from_sync_to_sync(sim: Simulator):
    first = run_tap(make_config(sim), streams=["financial_events"])
    again = run_tap(make_config(sim), streams=["financial_events"])
    assert first.error is None and again.error is None, again.stderr[-3000:]
    keys = [e["event_id"] for e in first.records("financial_events")]
    assert len(keys) >= 50
    assert keys == [e["event_id"] for e in again.records("financial_events")]


def test_windows_are_never_wider_than_180_days(sim: Simulator):
    # A year and a half: Amazon would answer a wider range with nothing at all.
    start = "2023-01-01T00:00:00Z"
    run = run_tap(make_config(sim, start_date=start, period_in_days=365), streams=FINANCES)
    check_all(sim, run, start, END)
    for request in sim.requests:
        if request.operation in BOUNDS and TOKENS[request.operation] not in request.query:
            after, before = (parse_datetime(request.query[name][0]) for name in BOUNDS[request.operation])
            assert before - after <= timedelta(days=180)


def _get(sim: Simulator, path: str, params: dict[str, str]) -> requests.Response:
    token = requests.post(
        f"{sim.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": sim.credentials.refresh_token,
            "client_id": sim.credentials.client_id,
            "client_secret": sim.credentials.client_secret,
        },
        timeout=10,
    ).json()["access_token"]
    return requests.get(f"{sim.url}{path}", params=params, headers={"x-amz-access-token": token}, timeout=10)


def test_the_simulator_answers_a_range_over_180_days_with_nothing_and_pages_with_an_empty_one(sim: Simulator):
    wide = _get(
        sim,
        "/finances/v0/financialEvents",
        {"PostedAfter": "2023-12-01T00:00:00Z", "PostedBefore": "2024-07-01T00:00:00Z"},
    )
    assert wide.status_code == 200
    assert wide.json()["payload"]["FinancialEvents"] == {}
    query = {"PostedAfter": "2024-01-01T00:00:00Z", "PostedBefore": "2024-06-01T00:00:00Z"}
    page1 = _get(sim, "/finances/v0/financialEvents", query).json()["payload"]
    assert page1["FinancialEvents"] and page1["NextToken"]
    page2 = _get(sim, "/finances/v0/financialEvents", {**query, "NextToken": page1["NextToken"]}).json()["payload"]
    # The empty page mid-stream, with a token to go on: the sync above went on past it.
    assert page2["FinancialEvents"] == {} and page2["NextToken"]


def test_an_expired_page_token_restarts_the_window_without_duplicates(sim: Simulator):
    sim.set_faults(expire_page_token={"listFinancialEventGroups": 1, "listFinancialEvents": 2, "listTransactions": 1})
    run = run_tap(make_config(sim), streams=FINANCES)
    check_all(sim, run, START, END)
    assert run.stderr.count("reading the window again") == 4
    for operation in BOUNDS:
        refused = [r for r in sim.requests if r.operation == operation and r.status == 400]
        assert len(refused) >= 1
        # After the refusal the same window is asked for again from its first page.
        sent = [r for r in sim.requests if r.operation == operation]
        at = sent.index(refused[0])
        assert TOKENS[operation] not in sent[at + 1].query


def test_state_and_look_back_of_an_incremental_sync(sim: Simulator):
    end = parse_datetime(END)
    in_reach, out_of_reach = (
        next(t for t in sim.finances.transactions if lower <= parse_datetime(t["postedDate"]) < upper)
        for lower, upper in ((end - timedelta(days=3), end), (end - timedelta(days=20), end - timedelta(days=3)))
    )
    # Two postings Amazon shows only after the first sync: one within the look-back, one before it.
    sim.finances.hide(in_reach["transactionId"])
    sim.finances.hide(out_of_reach["transactionId"])
    first = run_tap(make_config(sim), streams=FINANCES)
    sent = {t["transaction_id"] for t in first.records("financial_transactions")}
    assert in_reach["transactionId"] not in sent and out_of_reach["transactionId"] not in sent
    for stream in FINANCES:
        assert first.last_state["bookmarks"][stream]["replication_key_value"] == "2024-07-01T00:00:00+00:00"
    sim.finances.show(in_reach["transactionId"])
    sim.finances.show(out_of_reach["transactionId"])
    sim.clear_requests()
    second = run_tap(make_config(sim), streams=FINANCES, state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    starts = {r.operation: r.query[BOUNDS[r.operation][0]][0] for r in sim.requests if r.operation in BOUNDS}
    assert starts == {
        # Groups change until they are paid out: read again at least 30 days back.
        "listFinancialEventGroups": "2024-06-01T00:00:00Z",
        "listFinancialEvents": "2024-06-28T00:00:00Z",
        "listTransactions": "2024-06-28T00:00:00Z",
    }
    late = sim.finances.expected_transactions(end - timedelta(days=3), end)
    assert by_key(second.records("financial_transactions"), "transaction_id") == by_key(
        declared("financial_transactions", late), "transaction_id"
    )
    got = {t["transaction_id"] for t in second.records("financial_transactions")}
    assert in_reach["transactionId"] in got and out_of_reach["transactionId"] not in got


def test_finance_windows_end_two_minutes_before_now(sim: Simulator):
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=3)
    config = make_config(sim, start_date=format_time(start))
    del config["end_date"]
    run = run_tap(config, streams=FINANCES)
    assert run.error is None, run.stderr[-3000:]
    for request in sim.requests:
        if request.operation in BOUNDS:
            before = parse_datetime(request.query[BOUNDS[request.operation][1]][0])
            assert before <= datetime.fromtimestamp(request.time, timezone.utc) - timedelta(minutes=2)
    # The simulator posts a few transactions and events in the last day.
    mark = parse_datetime(run.last_state["bookmarks"]["financial_transactions"]["replication_key_value"])
    recent = sim.finances.expected_transactions(start, mark)
    assert len(recent) >= 3
    assert by_key(run.records("financial_transactions"), "transaction_id") == by_key(
        declared("financial_transactions", recent), "transaction_id"
    )
    assert len(run.records("financial_events")) >= 3


def test_answers_too_large_for_amazon_are_read_again_in_smaller_pages(sim: Simulator):
    # Pages of 20 events are over this size, pages of 12 under it (the simulator's events).
    sim.finances.max_page_bytes = 5000
    run = run_tap(make_config(sim), streams=FINANCES)
    check_all(sim, run, START, END)
    sizes = [r.query["MaxResultsPerPage"][0] for r in sim.requests if r.operation == "listFinancialEvents"]
    refused = [r for r in sim.requests if r.operation == "listFinancialEvents" and r.status == 400]
    # 100, 50 and 25 are refused once; the size that fitted (12) is kept for the next window.
    assert [r.query["MaxResultsPerPage"][0] for r in refused] == ["100", "50", "25"]
    assert sizes[3:] == ["12"] * (len(sizes) - 3)


def test_a_window_that_fails_mid_way_keeps_the_bookmark_before_it_and_a_rerun_completes(sim: Simulator):
    start = "2023-06-01T00:00:00Z"
    config = make_config(sim, start_date=start, period_in_days=365)
    # Every restart of the second window is refused too: after the last one the sync fails.
    sim.set_faults(expire_page_token={"listTransactions": 5})
    failed = run_tap(config, streams=["financial_transactions"])
    assert failed.error is not None and "pagination token has expired" in str(failed.error)
    # The first window (no transactions that early) was done; the second was not.
    assert failed.last_state["bookmarks"]["financial_transactions"]["replication_key_value"] == (
        "2023-11-28T00:00:00+00:00"
    )
    emitted = [t["transaction_id"] for t in failed.records("financial_transactions")]
    assert 0 < len(emitted) == len(set(emitted))
    rerun = run_tap(config, streams=["financial_transactions"], state=failed.last_state)
    assert rerun.error is None, rerun.stderr[-3000:]
    union = {t["transaction_id"]: t for t in failed.records("financial_transactions")}
    union.update({t["transaction_id"]: t for t in rerun.records("financial_transactions")})
    want = sim.finances.expected_transactions(parse_datetime(start), parse_datetime(END))
    assert by_key(list(union.values()), "transaction_id") == by_key(
        declared("financial_transactions", want), "transaction_id"
    )
    assert rerun.last_state["bookmarks"]["financial_transactions"]["replication_key_value"] == (
        "2024-07-01T00:00:00+00:00"
    )
