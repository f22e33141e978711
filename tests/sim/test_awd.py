"""AWD stock and inbound shipments, synced through HTTP from the simulator's AWD API."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.errors import ReportError
from tap_amazon_sp.records import format_datetime
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.spapi_simulator.reports import ApiError
from tests.support.rest_expected import SCHEMAS, bounds, by_key, calls, declared, sync_before_anchor
from tests.support.tap_runner import TapRun, catalog_for, run_cli, run_tap
from tests.unit.test_operations_models import load_model
from tests.unit.test_rest_schemas_models import compare

INVENTORY, SHIPMENTS = "awd_inventory", "awd_inbound_shipments"
STREAMS = [INVENTORY, SHIPMENTS]
QUARTER = timedelta(days=90)
ROLE = "Amazon Warehousing and Distribution"


def sync(sim: Simulator, days: int = 200, streams: list[str] = STREAMS, **overrides: Any) -> TapRun:
    """A US seller's sync of the `days` before the simulator's anchor."""
    return sync_before_anchor(sim, days, streams, **overrides)


def window(request: RecordedRequest) -> tuple[datetime, datetime]:
    return bounds(request, "updatedAfter", "updatedBefore")


# --- records ----------------------------------------------------------------------------------------


def test_awd_stock_and_inbound_shipments_equal_the_simulator_data(sim: Simulator):
    run = sync(sim, days=200)
    assert run.error is None, run.stderr[-3000:]
    inventory = sim.awd.expected_inventory()
    assert len(inventory) > 20
    assert by_key(run.records(INVENTORY), "sku") == by_key(declared(INVENTORY, inventory), "sku")
    shipments = sim.awd.expected_shipments(sim.anchor - timedelta(days=200), sim.anchor)
    assert len(shipments) > 5
    assert by_key(run.records(SHIPMENTS), "shipment_id") == by_key(declared(SHIPMENTS, shipments), "shipment_id")
    # Each shipment listed was read whole once, with its SKU quantities.
    assert sim.awd.read == {s["shipment_id"]: 1 for s in shipments}
    assert all(r.query == {"skuQuantities": ["SHOW"]} for r in calls(sim, "getInboundShipment"))
    assert all(r.query["details"] == ["SHOW"] for r in calls(sim, "listInventory"))


def test_the_streams_are_a_sellers_on_the_na_host_and_synced_when_selected():
    assert set(STREAMS) <= set(rest_stream_classes("Seller", "NA"))
    assert not set(STREAMS) & (set(rest_stream_classes("Seller", "EU")) | set(rest_stream_classes("Seller", "FE")))
    assert not set(STREAMS) & set(rest_stream_classes("Vendor"))
    assert all(rest_stream_classes("Seller")[name].selected_by_default is False for name in STREAMS)


# --- paging and windows -----------------------------------------------------------------------------


def test_tokens_are_followed_through_empty_pages_with_the_same_arguments(sim: Simulator):
    sim.awd.page_size = 7
    run = sync(sim, days=200)
    assert run.error is None, run.stderr[-3000:]
    for operation, rows in (("listInventory", len(sim.awd.inventory())), ("listInboundShipments", None)):
        requests = calls(sim, operation)
        firsts = [r for r in requests if "nextToken" not in r.query]
        later = [r for r in requests if "nextToken" in r.query]
        assert later, operation
        for request in later:
            arguments = {k: v for k, v in request.query.items() if k != "nextToken"}
            assert any(arguments == first.query for first in firsts), operation
        if rows is not None:
            # Each page of rows but the first is reached through an empty page.
            pages = -(-rows // 7)
            assert len(requests) == 2 * pages - 1
    assert by_key(run.records(INVENTORY), "sku") == by_key(declared(INVENTORY, sim.awd.expected_inventory()), "sku")
    shipments = sim.awd.expected_shipments(sim.anchor - timedelta(days=200), sim.anchor)
    assert sorted(r["shipment_id"] for r in run.records(SHIPMENTS)) == sorted(s["shipment_id"] for s in shipments)


def test_shipments_are_listed_by_update_in_windows_of_ninety_days(sim: Simulator):
    run = sync(sim, days=200, streams=[SHIPMENTS])
    assert run.error is None, run.stderr[-3000:]
    firsts = [r for r in calls(sim, "listInboundShipments") if "nextToken" not in r.query]
    spans = [window(r) for r in firsts]
    assert len(spans) == 3 and all(b - a <= QUARTER for a, b in spans)  # 200 days: 90 + 90 + 20
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert all(r.query["sortBy"] == ["UPDATED_AT"] and r.query["sortOrder"] == ["ASCENDING"] for r in firsts)
    assert calls(sim, "listInventory") == []


# --- state ------------------------------------------------------------------------------------------


def test_the_bookmark_is_the_window_end_and_a_later_sync_resumes_from_it(sim: Simulator):
    start, middle = sim.anchor - timedelta(days=120), sim.anchor - timedelta(days=30)
    config = make_config(sim, start_date=format_datetime(start), end_date=format_datetime(middle))
    first = run_tap(config, streams=STREAMS)
    assert first.error is None, first.stderr[-3000:]
    assert first.last_state["bookmarks"][SHIPMENTS]["replication_key_value"] == format_datetime(middle)
    # The stock is a snapshot: no bookmark.
    assert "replication_key_value" not in first.last_state["bookmarks"].get(INVENTORY, {})
    sim.reset()
    config = make_config(sim, start_date=format_datetime(start), end_date=format_datetime(sim.anchor))
    second = run_tap({**config, "lookback_days": 1}, streams=[SHIPMENTS], state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    assert min(window(r)[0] for r in calls(sim, "listInboundShipments") if "updatedAfter" in r.query) == (
        middle - timedelta(days=1)
    )
    got = {r["shipment_id"] for r in first.records(SHIPMENTS) + second.records(SHIPMENTS)}
    assert got == {s["shipment_id"] for s in sim.awd.expected_shipments(start, sim.anchor)}


def test_without_the_awd_role_each_stream_stops_in_one_line_and_the_others_go_on(sim: Simulator):
    sim.set_faults(no_role=["listInventory", "listInboundShipments"])
    run = sync(sim, days=60, streams=[*STREAMS, "fba_inbound_shipments"])
    # Every other stream finished, then the sync fails naming what stopped, as for a FATAL report.
    assert isinstance(run.error, ReportError)
    for stream in STREAMS:
        assert f"{stream} stopped: the app lacks the {ROLE} role" in str(run.error)
    lines = [line for line in run.stderr.splitlines() if line.startswith("ERROR") and ROLE in line]
    assert len(lines) == 2 and all("deselect this stream" in line for line in lines)
    assert run.records(INVENTORY) == [] and run.records(SHIPMENTS) == []
    assert run.records("fba_inbound_shipments")
    assert "replication_key_value" not in run.last_state["bookmarks"].get(SHIPMENTS, {})


# --- outside the NA host ----------------------------------------------------------------------------


def test_outside_the_na_host_the_streams_are_not_offered_and_a_catalog_naming_them_gets_one_line(
    sim: Simulator, tmp_path: Path
):
    de = make_config(sim, region="DE")
    offered = TapAmazonSP(config=de, validate_config=False, setup_mapper=False).streams
    assert not set(STREAMS) & set(offered) and "fba_inbound_shipments" in offered
    # A catalog made for the US, run in Germany.
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(make_config(sim), [*STREAMS, "marketplace_participations"])))
    run = run_cli(de, "--catalog", str(catalog))
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if "EU host does not serve" in line]
    assert len(lines) == 1 and "awd_inventory: the NA host only" in lines[0], run.stderr[-3000:]
    assert "does not have" not in run.stderr
    assert calls(sim, "listInventory") == [] and calls(sim, "listInboundShipments") == []


def test_the_simulator_refuses_awd_outside_the_na_host(simulator: Simulator):
    simulator.set_faults(host_region="EU")
    try:
        with pytest.raises(ApiError, match="denied") as refused:
            simulator.awd.list_inventory({"details": ["SHOW"]})
    finally:
        simulator.reset()
    assert refused.value.status == 403 and refused.value.violation


# --- schemas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stream", "definition"), [(INVENTORY, "InventorySummary"), (SHIPMENTS, "InboundShipment")])
def test_schema_follows_the_model(stream: str, definition: str) -> None:
    model = load_model("awd_2024-05-09")
    node = model["definitions"][definition]
    own = {"properties": dict(SCHEMAS[stream]["properties"])}
    assert compare(model, own, node, stream) == []
    # Every property of the model is a column.
    assert len(own["properties"]) == len(node["properties"])
