"""Vendor purchase orders, their items and status, and Direct Fulfillment orders, synced through
HTTP from the simulator's Vendor Orders, Direct Fulfillment and Tokens APIs."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.errors import ReportError
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.records import format_datetime, parse_datetime, snake
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.rest_expected import SCHEMAS, bounds, by_key, calls, declared
from tests.support.tap_runner import TapRun, run_tap
from tests.unit.test_operations_models import load_model
from tests.unit.test_rest_schemas_models import compare

ORDERS, ITEMS = "vendor_purchase_orders", "vendor_purchase_order_items"
STATUS, DIRECT = "vendor_purchase_order_status", "vendor_direct_fulfillment_orders"
STREAMS = [ORDERS, ITEMS, STATUS, DIRECT]
WEEK = timedelta(days=7)
ROLE = "Direct-to-Consumer Shipping (Restricted)"


def vendor_config(sim: Simulator, start: datetime, end: datetime, **overrides: Any) -> dict[str, Any]:
    sim.set_faults(account_type="Vendor")
    return make_config(
        sim, account_type="Vendor", start_date=format_datetime(start), end_date=format_datetime(end), **overrides
    )


def sync(sim: Simulator, days: int = 40, streams: list[str] = STREAMS, **overrides: Any) -> TapRun:
    """A vendor's sync of the `days` before the simulator's anchor."""
    config = vendor_config(sim, sim.anchor - timedelta(days=days), sim.anchor, **overrides)
    return run_tap(config, streams=streams)


# --- records ----------------------------------------------------------------------------------------


def test_every_vendor_order_stream_equals_the_simulator_data(sim: Simulator):
    run = sync(sim, days=40)
    assert run.error is None, run.stderr[-3000:]
    start, end = sim.anchor - timedelta(days=40), sim.anchor
    orders, items = sim.vendor_orders.expected(start, end)
    assert len(orders) > 5 and len(items) > len(orders)
    key = "purchase_order_number"
    assert by_key(run.records(ORDERS), key) == by_key(declared(ORDERS, orders), key)
    assert by_key(run.records(ITEMS), key, "item_sequence_number") == by_key(
        declared(ITEMS, items), key, "item_sequence_number"
    )
    status = sim.vendor_orders.expected_status(start, end)
    assert status and by_key(run.records(STATUS), key) == by_key(declared(STATUS, status), key)
    direct = sim.direct_fulfillment.expected(start, end)
    assert direct and by_key(run.records(DIRECT), key) == by_key(declared(DIRECT, direct), key)
    # The customer's address is PII: not kept without include_pii.
    assert all(r["ship_to_party"] is None for r in run.records(DIRECT))


def test_direct_fulfillment_keeps_the_customers_address_with_include_pii(sim: Simulator):
    run = sync(sim, days=20, streams=[DIRECT], include_pii=True)
    assert run.error is None, run.stderr[-3000:]
    want = sim.direct_fulfillment.expected(sim.anchor - timedelta(days=20), sim.anchor, include_pii=True)
    assert by_key(run.records(DIRECT), "purchase_order_number") == by_key(
        declared(DIRECT, want), "purchase_order_number"
    )
    assert all(r["ship_to_party"]["postal_code"] for r in run.records(DIRECT))


def test_the_streams_are_a_vendors_only_and_direct_fulfillment_is_synced_only_when_selected():
    assert set(STREAMS) <= set(rest_stream_classes("Vendor"))
    assert not set(STREAMS) & set(rest_stream_classes("Seller"))
    assert rest_stream_classes("Vendor")[DIRECT].selected_by_default is False
    assert rest_stream_classes("Vendor")[ORDERS].selected_by_default is True


# --- windows, paging, de-duplication -----------------------------------------------------------------


def test_windows_are_seven_days_at_most_and_later_pages_keep_the_filters(sim: Simulator):
    for pages in (sim.vendor_orders.orders_pages, sim.vendor_orders.status_pages, sim.direct_fulfillment.pages):
        pages.page_size = 2
    run = sync(sim, days=30)
    assert run.error is None, run.stderr[-3000:]
    for operation, lower, upper in (
        ("getPurchaseOrders", "changedAfter", "changedBefore"),
        ("getPurchaseOrdersStatus", "updatedAfter", "updatedBefore"),
        ("getOrders", "createdAfter", "createdBefore"),
    ):
        requests = calls(sim, operation)
        firsts = [r for r in requests if "nextToken" not in r.query]
        later = [r for r in requests if "nextToken" in r.query]
        assert len(firsts) == 5 and later, operation  # 30 days: 7+7+7+7+2
        assert all(bounds(r, lower, upper)[1] - bounds(r, lower, upper)[0] <= WEEK for r in requests), operation
        # Consecutive windows from start_date to the end.
        spans = [bounds(r, lower, upper) for r in firsts]
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans)), operation
        for request in later:
            window = {k: v for k, v in request.query.items() if k != "nextToken"}
            assert any(window == first.query for first in firsts), operation
    # The records are those of one-page windows.
    orders, _items = sim.vendor_orders.expected(sim.anchor - timedelta(days=30), sim.anchor)
    assert by_key(run.records(ORDERS), "purchase_order_number") == by_key(
        declared(ORDERS, orders), "purchase_order_number"
    )


def test_a_purchase_order_amazon_sends_in_two_windows_is_emitted_once(sim: Simulator):
    run = sync(sim, days=60, streams=[ORDERS, ITEMS])
    assert run.error is None, run.stderr[-3000:]
    # Amazon reads the change bounds as whole days: an order changed on a window's boundary day is
    # in both windows' answers.
    twice = {number for number, count in sim.vendor_orders.orders_pages.answered.items() if count > 1}
    assert twice
    numbers = [r["purchase_order_number"] for r in run.records(ORDERS)]
    assert len(numbers) == len(set(numbers)) and twice <= set(numbers)
    lines = [(r["purchase_order_number"], r["item_sequence_number"]) for r in run.records(ITEMS)]
    assert len(lines) == len(set(lines))


def test_a_next_page_refused_with_invalid_input_is_asked_for_once_more(sim: Simulator):
    sim.vendor_orders.orders_pages.page_size = 2
    baseline = sync(sim, days=14, streams=[ORDERS])
    assert baseline.error is None, baseline.stderr[-3000:]
    sent = len(calls(sim, "getPurchaseOrders"))
    sim.reset()
    sim.vendor_orders.orders_pages.page_size = 2
    sim.set_faults(refuse_next_page={"getPurchaseOrders": 1})
    run = sync(sim, days=14, streams=[ORDERS])
    assert run.error is None, run.stderr[-3000:]
    assert run.records(ORDERS) == baseline.records(ORDERS)
    requests = calls(sim, "getPurchaseOrders")
    # The refused page once more, not its window again from the first page.
    assert len(requests) == sent + 1
    refused = next(i for i, r in enumerate(requests) if r.status == 400)
    assert requests[refused].query == requests[refused + 1].query and requests[refused + 1].status == 200
    assert "a next page refused (InvalidInput); asking again" in run.stderr


# --- state and the six months Amazon serves ----------------------------------------------------------


def test_a_later_sync_resumes_from_the_bookmark_less_the_look_back(sim: Simulator):
    middle = sim.anchor - timedelta(days=10)
    first = run_tap(vendor_config(sim, sim.anchor - timedelta(days=30), middle), streams=[ORDERS, ITEMS, STATUS])
    assert first.error is None, first.stderr[-3000:]
    for stream in (ORDERS, ITEMS, STATUS):
        assert first.last_state["bookmarks"][stream]["replication_key_value"] == format_datetime(middle)
    sim.reset()
    config = vendor_config(sim, sim.anchor - timedelta(days=30), sim.anchor, lookback_days=1)
    second = run_tap(config, streams=[ORDERS, ITEMS, STATUS], state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    starts = [bounds(r, "changedAfter", "changedBefore")[0] for r in calls(sim, "getPurchaseOrders")]
    assert min(starts) == middle - timedelta(days=1)
    got = {r["purchase_order_number"]: r for r in first.records(ORDERS) + second.records(ORDERS)}
    orders, _items = sim.vendor_orders.expected(sim.anchor - timedelta(days=30), sim.anchor)
    assert set(got) == {o["purchase_order_number"] for o in orders}
    final = second.last_state["bookmarks"]
    assert parse_datetime(final[ORDERS]["replication_key_value"]) > sim.anchor - timedelta(minutes=5)


def test_a_start_date_older_than_six_months_is_said_and_read_from_six_months_ago(sim: Simulator):
    now = datetime.now(timezone.utc)
    config = vendor_config(sim, now - timedelta(days=400), sim.anchor)
    run = run_tap(config, streams=[ORDERS, ITEMS, STATUS, DIRECT])
    assert run.error is None, run.stderr[-3000:]
    for stream in (ORDERS, STATUS, DIRECT):
        assert f"{stream}: Amazon serves the last six months only: reading from" in run.stderr
    earliest = min(
        parse_datetime(r.query[k][0])
        for r in sim.requests
        for k in ("changedAfter", "createdAfter", "updatedAfter")
        if k in r.query
    )
    assert now - timedelta(days=184) < earliest < now - timedelta(days=180)
    # The orders of the last months are all there; the older ones Amazon no longer serves are not.
    numbers = {r["purchase_order_number"] for r in run.records(ORDERS)}
    served = {
        o["purchaseOrderNumber"]
        for o in sim.vendor_orders.orders()
        if o["orderDetails"]["purchaseOrderChangedDate"] >= format_datetime(earliest + timedelta(days=1))
    }
    assert served <= numbers and len(numbers) < len(sim.vendor_orders.orders())


# --- the Restricted Data Token and its role ------------------------------------------------------------


def test_direct_fulfillment_calls_get_orders_with_one_restricted_data_token_for_its_path(sim: Simulator):
    run = sync(sim, days=30, streams=[DIRECT])
    assert run.error is None, run.stderr[-3000:]
    operation = OPERATIONS["getOrders"]
    assert sim.restricted_tokens.issued == [frozenset({(operation.method, operation.path)})]
    assert len(calls(sim, "getOrders")) == 5
    # Each getOrders carried it (the simulator refuses, as a violation, an access token there).
    assert sim.violations == []


def test_no_restricted_data_token_is_asked_for_when_direct_fulfillment_is_not_selected(sim: Simulator):
    run = sync(sim, days=14, streams=[ORDERS, STATUS])
    assert run.error is None, run.stderr[-3000:]
    assert calls(sim, "createRestrictedDataToken") == [] and calls(sim, "getOrders") == []
    assert run.records(ORDERS) and run.records(STATUS)


def test_without_the_restricted_role_direct_fulfillment_stops_in_one_line_and_the_others_go_on(sim: Simulator):
    config = vendor_config(sim, sim.anchor - timedelta(days=20), sim.anchor)
    sim.set_faults(no_role=["getOrders"])
    run = run_tap(config, streams=STREAMS)
    # Every other stream finished, then the sync fails naming what stopped, as for a FATAL report.
    assert isinstance(run.error, ReportError)
    assert f"{DIRECT} stopped: the app lacks the {ROLE} role" in str(run.error)
    lines = [line for line in run.stderr.splitlines() if line.startswith("ERROR") and ROLE in line]
    assert len(lines) == 1 and "deselect this stream" in lines[0]
    assert calls(sim, "getOrders") == [] and len(calls(sim, "createRestrictedDataToken")) == 1
    assert run.records(DIRECT) == []
    orders, items = sim.vendor_orders.expected(sim.anchor - timedelta(days=20), sim.anchor)
    assert len(run.records(ORDERS)) == len(orders) and len(run.records(ITEMS)) == len(items)
    assert run.records(STATUS)
    bookmarks = run.last_state["bookmarks"]
    assert DIRECT not in bookmarks or "replication_key_value" not in bookmarks[DIRECT]
    assert bookmarks[ORDERS]["replication_key_value"]


# --- schemas ----------------------------------------------------------------------------------------


def _flattened(model: dict[str, Any], order: str, details: str) -> dict[str, Any]:
    """An order's properties with its details' beside them (the record flattens orderDetails)."""
    own = {k: v for k, v in model["definitions"][order]["properties"].items() if k != "orderDetails"}
    return {"properties": {**own, **model["definitions"][details]["properties"]}}


@pytest.mark.parametrize(
    ("stream", "api", "node", "added", "left_out"),
    [
        (ORDERS, "vendorOrders", ("Order", "OrderDetails"), set(), {"items"}),
        (ITEMS, "vendorOrders", ("OrderItem",), {"purchase_order_number", "purchase_order_changed_date"}, set()),
        (STATUS, "vendorOrders", ("OrderStatus",), set(), set()),
        (DIRECT, "vendorDirectFulfillmentOrders_2021-12-28", ("Order", "OrderDetails"), set(), set()),
    ],
)
def test_schema_follows_the_model(
    stream: str, api: str, node: tuple[str, ...], added: set[str], left_out: set[str]
) -> None:
    model = load_model(api)
    definition = _flattened(model, *node) if len(node) == 2 else model["definitions"][node[0]]
    schema = SCHEMAS[stream]
    own = {"properties": {k: v for k, v in schema["properties"].items() if k not in added}}
    assert compare(model, own, definition, stream) == []
    modelled = {snake(name) for name in definition["properties"]}
    assert modelled - set(own["properties"]) == left_out
