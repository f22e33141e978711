"""Snapshot streams end with ACTIVATE_VERSION, so a target soft-deletes the rows Amazon no longer
has; only after the whole snapshot is out, never for windowed streams, never after a failure.

Report snapshots, and the REST streams whose operation lists everything Amazon holds now (FBA and
AWD inventory, marketplace participations, Subscribe & Save offers)."""

from __future__ import annotations

from typing import Any

import pytest

from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.sdk_edge import EdgeStream
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, run_tap

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
END = "2024-03-01T00:00:00Z"
INVENTORY, AWD = "fba_inventory_summaries", "awd_inventory"
PARTICIPATIONS, OFFERS = "marketplace_participations", "replenishment_offers"
REST_SNAPSHOTS = (INVENTORY, AWD, PARTICIPATIONS, OFFERS)


def of(run: TapRun, stream: str) -> list[dict[str, Any]]:
    return [m for m in run.messages if m.get("stream") == stream and m["type"] in ("RECORD", "ACTIVATE_VERSION")]


def test_a_snapshot_ends_with_one_activate_version_of_the_version_its_records_carry(sim: Simulator):
    run = run_tap(make_config(sim, end_date=END, marketplace_ids=[US, CA]), streams=[LISTINGS, ORDERS])
    assert run.error is None, run.stderr[-3000:]
    listings = of(run, LISTINGS)
    records = [m for m in listings if m["type"] == "RECORD"]
    assert {r["record"]["marketplace_id"] for r in records} == {US, CA}
    version = records[0]["version"]
    assert isinstance(version, int) and {r["version"] for r in records} == {version}
    # One, after the last record of both marketplaces' snapshots.
    assert listings[-1] == {"type": "ACTIVATE_VERSION", "stream": LISTINGS, "version": version}
    assert [m["type"] for m in listings].count("ACTIVATE_VERSION") == 1
    # A windowed stream is loaded window by window: no version, nothing to deactivate.
    orders = of(run, ORDERS)
    assert orders and all(m["type"] == "RECORD" and "version" not in m for m in orders)


def test_a_forecast_that_keeps_every_generation_carries_no_version(sim: Simulator):
    # Its key holds the generation date: a version would mark the older generations deleted.
    forecast = "GET_VENDOR_FORECASTING_REPORT"
    run = run_tap(make_config(sim, end_date=END, account_type="Vendor"), streams=[forecast])
    assert run.error is None, run.stderr[-3000:]
    messages = of(run, forecast)
    assert messages and all(m["type"] == "RECORD" and "version" not in m for m in messages)


def test_a_snapshot_that_failed_sends_no_activate_version(sim: Simulator):
    # The US snapshot ends FATAL (no retry); Canada's is read: the snapshot is not whole.
    sim.set_faults(fatal={LISTINGS: 1})
    config = make_config(sim, end_date=END, marketplace_ids=[US, CA], fatal_report_retries=0)
    run = run_tap(config, streams=[LISTINGS])
    assert run.error is not None
    listings = of(run, LISTINGS)
    assert any(m["type"] == "RECORD" for m in listings), run.stderr[-3000:]
    assert all(m["type"] == "RECORD" for m in listings)


def test_a_snapshot_of_a_named_account_sends_no_activate_version(sim: Simulator):
    # Accounts labelled by account_id share one table; target-postgres deactivates every row of an
    # older version in the table, so one account's ACTIVATE_VERSION would delete the others' rows.
    run = run_tap(make_config(sim, end_date=END, account_id="A1SELLER"), streams=[LISTINGS])
    assert run.error is None, run.stderr[-3000:]
    listings = of(run, LISTINGS)
    assert listings and all(m["type"] == "RECORD" and "version" not in m for m in listings)


def expected_rows(sim: Simulator, stream: str) -> int:
    """How many records the simulator's data makes of a REST snapshot stream (US and Canada)."""
    counts = {
        INVENTORY: lambda: len(sim.inventory.expected(US)) + len(sim.inventory.expected(CA)),
        AWD: lambda: len(sim.awd.expected_inventory()),
        PARTICIPATIONS: lambda: len(sim.sellers.expected()),
        OFFERS: lambda: len(sim.replenishment.expected_offers(US)) + len(sim.replenishment.expected_offers(CA)),
    }
    return counts[stream]()


def versions(tap: TapAmazonSP, name: str) -> bool:
    stream = tap.streams[name]
    assert isinstance(stream, EdgeStream)
    return stream.versions_snapshots()


def test_the_rest_streams_that_list_everything_are_the_versioned_ones(sim: Simulator):
    # Windowed streams, children read per parent record (catalog_items, the order items), and the
    # forecasts kept one a day are loaded by key only: nothing of theirs may be marked deleted.
    tap = TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False)
    rest = set(rest_stream_classes("Seller", "NA")) | set(rest_stream_classes("Vendor", "NA"))
    versioned = {name for name in rest if name in tap.streams and versions(tap, name)}
    assert versioned == set(REST_SNAPSHOTS)
    for name in versioned:
        stream: Any = tap.streams[name]
        assert not stream.window.windowed and stream.replication_key is None and stream.parent_stream_type is None
    named = TapAmazonSP(config=make_config(sim, account_id="A1SELLER"), validate_config=False, setup_mapper=False)
    assert not [name for name in REST_SNAPSHOTS if versions(named, name)]


@pytest.mark.parametrize("stream", REST_SNAPSHOTS)
def test_a_rest_snapshot_ends_with_one_activate_version_after_its_last_record(sim: Simulator, stream: str):
    run = run_tap(make_config(sim, end_date=END, marketplace_ids=[US, CA]), streams=[stream])
    assert run.error is None, run.stderr[-3000:]
    messages = of(run, stream)
    records = [m for m in messages if m["type"] == "RECORD"]
    assert len(records) == expected_rows(sim, stream) > 1
    version = records[0]["version"]
    assert isinstance(version, int) and {r["version"] for r in records} == {version}
    # One, after the last record of every marketplace's pages.
    assert messages[-1] == {"type": "ACTIVATE_VERSION", "stream": stream, "version": version}
    assert [m["type"] for m in messages].count("ACTIVATE_VERSION") == 1


def test_rest_streams_read_by_window_by_parent_or_kept_a_day_carry_no_version(sim: Simulator):
    streams = [INVENTORY, "catalog_items", "orders", "order_items", "replenishment_offer_forecast"]
    run = run_tap(make_config(sim, end_date=END), streams=streams)
    assert run.error is None, run.stderr[-3000:]
    assert of(run, INVENTORY)[-1]["type"] == "ACTIVATE_VERSION"
    for stream in streams[1:]:
        messages = of(run, stream)
        assert messages, stream
        assert all(m["type"] == "RECORD" and "version" not in m for m in messages), stream


def test_a_rest_snapshot_whose_paging_fails_mid_way_sends_no_activate_version(sim: Simulator):
    # Every next-page token expires: the first page is out, then the read is started over until
    # the tap gives up; the inventory Amazon still has past that page must not be marked deleted.
    sim.set_faults(expire_page_token={"getInventorySummaries": 100})
    run = run_tap(make_config(sim, end_date=END, marketplace_ids=[US, CA]), streams=[INVENTORY])
    assert run.error is not None
    messages = of(run, INVENTORY)
    assert 0 < len(messages) < len(sim.inventory.expected(US)), run.stderr[-3000:]
    assert all(m["type"] == "RECORD" for m in messages)


def test_a_rest_snapshot_stopped_for_a_missing_role_sends_no_activate_version(sim: Simulator):
    # The stream stops without raising (the other streams go on): an ACTIVATE_VERSION of a read
    # that emitted nothing would mark every AWD row of the table deleted.
    sim.set_faults(no_role=["listInventory"])
    run = run_tap(make_config(sim, end_date=END), streams=[AWD, PARTICIPATIONS])
    assert run.error is not None and "Amazon Warehousing and Distribution" in str(run.error)
    assert of(run, AWD) == []
    assert of(run, PARTICIPATIONS)[-1]["type"] == "ACTIVATE_VERSION"


@pytest.mark.parametrize("stream", [INVENTORY, OFFERS])
def test_a_rest_snapshot_of_a_named_account_sends_no_activate_version(sim: Simulator, stream: str):
    run = run_tap(make_config(sim, end_date=END, account_id="A1SELLER"), streams=[stream])
    assert run.error is None, run.stderr[-3000:]
    messages = of(run, stream)
    assert messages and all(m["type"] == "RECORD" and "version" not in m for m in messages)
