"""FBA inbound shipments and their items, synced through HTTP from the simulator's Fulfillment
Inbound API v0."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest

from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.operations import SHIPMENT_STATUSES
from tap_amazon_sp.records import format_datetime, parse_datetime
from tests.conftest import make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.spapi_simulator.reports import ApiError
from tests.support.rest_expected import SCHEMAS, bounds, by_key, calls, declared, sync_before_anchor
from tests.support.tap_runner import TapRun, run_tap
from tests.unit.test_operations_models import load_model
from tests.unit.test_rest_schemas_models import compare

SHIPMENTS, ITEMS = "fba_inbound_shipments", "fba_inbound_shipment_items"
STREAMS = [SHIPMENTS, ITEMS]
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
MONTH = timedelta(days=30)


def sync(sim: Simulator, days: int = 70, streams: list[str] = STREAMS, **overrides: Any) -> TapRun:
    """A seller's sync of the `days` before the simulator's anchor."""
    return sync_before_anchor(sim, days, streams, **overrides)


def window(request: RecordedRequest) -> tuple[datetime, datetime]:
    return bounds(request, "LastUpdatedAfter", "LastUpdatedBefore")


def without_window_end(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "last_updated_before"} for r in records]


# --- records ----------------------------------------------------------------------------------------


def test_shipments_and_their_items_equal_the_simulator_data_in_every_marketplace(sim: Simulator):
    run = sync(sim, days=70, marketplace_ids=[US, CA])
    assert run.error is None, run.stderr[-3000:]
    start, end = sim.anchor - timedelta(days=70), sim.anchor
    for marketplace_id in (US, CA):
        shipments = [r for r in run.records(SHIPMENTS) if r["marketplace_id"] == marketplace_id]
        want = sim.inbound.expected(marketplace_id, start, end)
        assert len(want) > 3
        assert by_key(without_window_end(shipments), "shipment_id") == by_key(
            without_window_end(declared(SHIPMENTS, want)), "shipment_id"
        )
        items = [r for r in run.records(ITEMS) if r["marketplace_id"] == marketplace_id]
        want_items = sim.inbound.expected_items(marketplace_id, start, end)
        assert len(want_items) > len(want)
        assert by_key(without_window_end(items), "shipment_id", "seller_sku") == by_key(
            without_window_end(declared(ITEMS, want_items)), "shipment_id", "seller_sku"
        )
    # Each record names the end of the window that found it: its shipment was last updated before.
    updated = {s["info"]["ShipmentId"]: s["updated"] for m in (US, CA) for s in sim.inbound.shipments(m)}
    for record in run.records(SHIPMENTS) + run.records(ITEMS):
        mark = parse_datetime(record["last_updated_before"])
        assert updated[record["shipment_id"]] <= mark <= updated[record["shipment_id"]] + MONTH
    # One getShipmentItemsByShipmentId a shipment found, no getShipmentItems (every answer holds all items).
    by_id = calls(sim, "getShipmentItemsByShipmentId")
    assert sorted(r.path.rsplit("/", 2)[-2] for r in by_id) == sorted(r["shipment_id"] for r in run.records(SHIPMENTS))
    assert calls(sim, "getShipmentItems") == []


def test_the_streams_are_a_sellers():
    assert set(STREAMS) <= set(rest_stream_classes("Seller"))
    assert not set(STREAMS) & set(rest_stream_classes("Vendor"))


# --- windows and paging ------------------------------------------------------------------------------


def test_windows_are_thirty_days_of_every_status_and_next_pages_carry_only_what_amazon_takes(sim: Simulator):
    sim.inbound.page_size = 2
    run = sync(sim, days=70, streams=[SHIPMENTS])
    assert run.error is None, run.stderr[-3000:]
    requests = calls(sim, "getShipments")
    firsts = [r for r in requests if r.query["QueryType"] == ["DATE_RANGE"]]
    later = [r for r in requests if r.query["QueryType"] == ["NEXT_TOKEN"]]
    assert len(firsts) == 3 and later  # 70 days: 30 + 30 + 10
    spans = [window(r) for r in firsts]
    assert all(b - a <= MONTH for a, b in spans)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert spans[0][0] == sim.anchor - timedelta(days=70)
    for request in firsts:
        assert request.query["ShipmentStatusList"] == [",".join(SHIPMENT_STATUSES)]
        assert request.query["MarketplaceId"] == [US]
    for request in later:
        assert set(request.query) == {"QueryType", "NextToken", "MarketplaceId"}
    # Two a page: every shipment of the windows, each once.
    want = sim.inbound.expected(US, sim.anchor - timedelta(days=70), sim.anchor)
    assert sorted(r["shipment_id"] for r in run.records(SHIPMENTS)) == sorted(s["shipment_id"] for s in want)


def test_items_a_by_id_answer_does_not_hold_go_on_with_get_shipment_items_next_token(sim: Simulator):
    sim.inbound.items_page_size = 1
    run = sync(sim, days=70, streams=[ITEMS])
    assert run.error is None, run.stderr[-3000:]
    want = sim.inbound.expected_items(US, sim.anchor - timedelta(days=70), sim.anchor)
    assert by_key(without_window_end(run.records(ITEMS)), "shipment_id", "seller_sku") == by_key(
        without_window_end(declared(ITEMS, want)), "shipment_id", "seller_sku"
    )
    later = calls(sim, "getShipmentItems")
    assert len(later) == len(want) - len(calls(sim, "getShipmentItemsByShipmentId")) > 0
    assert all(set(r.query) == {"QueryType", "NextToken", "MarketplaceId"} for r in later)
    assert all(r.query["QueryType"] == ["NEXT_TOKEN"] for r in later)
    # No MarketplaceId to the by-id operation: "Deprecated. Do not use."
    assert all(not r.query for r in calls(sim, "getShipmentItemsByShipmentId"))
    # Only items selected: the shipments were read for them, and none was emitted.
    assert run.records(SHIPMENTS) == [] and calls(sim, "getShipments")


def test_an_expired_next_token_reads_the_window_again_and_emits_each_shipment_once(sim: Simulator):
    sim.inbound.page_size = 2
    sim.set_faults(expire_page_token={"getShipments": 1})
    run = sync(sim, days=40, streams=[SHIPMENTS])
    assert run.error is None, run.stderr[-3000:]
    ids = [r["shipment_id"] for r in run.records(SHIPMENTS)]
    want = sim.inbound.expected(US, sim.anchor - timedelta(days=40), sim.anchor)
    assert len(ids) == len(set(ids)) and set(ids) == {s["shipment_id"] for s in want}
    assert "reading the window again from its first page" in run.stderr


# --- state ------------------------------------------------------------------------------------------


def test_the_bookmark_is_the_window_end_and_a_later_sync_resumes_from_it(sim: Simulator):
    start, middle = sim.anchor - timedelta(days=60), sim.anchor - timedelta(days=15)
    first = run_tap(
        make_config(sim, start_date=format_datetime(start), end_date=format_datetime(middle)), streams=STREAMS
    )
    assert first.error is None, first.stderr[-3000:]
    for stream in STREAMS:
        assert first.bookmark(stream, US) == format_datetime(middle)
    sim.reset()
    config = make_config(sim, start_date=format_datetime(start), end_date=format_datetime(sim.anchor), lookback_days=1)
    second = run_tap(config, streams=STREAMS, state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    # From the bookmark less the look-back.
    assert min(window(r)[0] for r in calls(sim, "getShipments") if "LastUpdatedAfter" in r.query) == middle - timedelta(
        days=1
    )
    got = {r["shipment_id"] for r in first.records(SHIPMENTS) + second.records(SHIPMENTS)}
    assert got == {s["shipment_id"] for s in sim.inbound.expected(US, start, sim.anchor)}
    assert parse_datetime(second.bookmark(SHIPMENTS, US) or "") > sim.anchor - timedelta(minutes=5)
    assert parse_datetime(second.bookmark(ITEMS, US) or "") > sim.anchor - timedelta(minutes=5)


def test_a_deselected_items_stream_costs_no_item_request_and_keeps_no_bookmark(sim: Simulator):
    run = sync(sim, days=40, streams=[SHIPMENTS])
    assert run.error is None, run.stderr[-3000:]
    assert run.records(SHIPMENTS)
    assert calls(sim, "getShipmentItemsByShipmentId") == [] and calls(sim, "getShipmentItems") == []
    assert run.bookmark(ITEMS, US) is None


# --- the simulator's refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"QueryType": ["DATE_RANGE"], "LastUpdatedAfter": ["2026-01-01T00:00:00Z"]}, "At least one of"),
        ({"QueryType": ["DATE_RANGE"], "ShipmentStatusList": ["WORKING"]}, "a pair of LastUpdatedAfter"),
        (
            {"QueryType": ["NEXT_TOKEN"], "NextToken": ["x"], "ShipmentStatusList": ["WORKING"]},
            "NEXT_TOKEN query takes",
        ),
    ],
)
def test_the_simulator_refuses_what_amazon_refuses(simulator: Simulator, query: dict[str, list[str]], said: str):
    with pytest.raises(ApiError, match=said) as refused:
        simulator.inbound.get_shipments({"MarketplaceId": [US], **query})
    assert refused.value.violation


# --- schemas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stream", "definition"), [(SHIPMENTS, "InboundShipmentInfo"), (ITEMS, "InboundShipmentItem")])
def test_schema_follows_the_model(stream: str, definition: str) -> None:
    model = load_model("fulfillmentInboundV0")
    node = model["definitions"][definition]
    added = {"marketplace_id", "last_updated_before"}
    own = {"properties": {k: v for k, v in SCHEMAS[stream]["properties"].items() if k not in added}}
    assert compare(model, own, node, stream) == []
    # Every property of the model is a column.
    assert len(own["properties"]) == len(node["properties"])
