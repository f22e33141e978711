"""FBA inventory summaries and marketplace participations synced through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.faults import Faults
from tests.spapi_simulator.paging import Pager
from tests.spapi_simulator.reports import ApiError
from tests.support.rest_expected import by_key, declared
from tests.support.tap_runner import run_tap

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
INVENTORY = "fba_inventory_summaries"


def inventory_requests(sim: Simulator) -> list[dict[str, list[str]]]:
    return [r.query for r in sim.requests if r.operation == "getInventorySummaries"]


def test_inventory_of_each_marketplace_equals_the_simulator_data(sim: Simulator):
    run = run_tap(make_config(sim, marketplace_ids=[US, CA]), streams=[INVENTORY])
    assert run.error is None, run.stderr[-3000:]
    want = sim.inventory.expected(US) + sim.inventory.expected(CA)
    assert len(want) >= 200
    assert by_key(run.records(INVENTORY), "marketplace_id", "seller_sku") == by_key(
        declared(INVENTORY, want), "marketplace_id", "seller_sku"
    )
    queries = inventory_requests(sim)
    # One marketplace a request, with details, and pages read through to the end.
    assert all(q["marketplaceIds"] == q["granularityId"] and q["details"] == ["true"] for q in queries)
    assert sum("nextToken" in q for q in queries) == len(queries) - 2


def test_an_expired_inventory_token_restarts_the_marketplace_without_duplicates(sim: Simulator):
    sim.set_faults(expire_page_token={"getInventorySummaries": 1})
    run = run_tap(make_config(sim), streams=[INVENTORY])
    assert run.error is None, run.stderr[-3000:]
    assert by_key(run.records(INVENTORY), "marketplace_id", "seller_sku") == by_key(
        declared(INVENTORY, sim.inventory.expected(US)), "marketplace_id", "seller_sku"
    )
    refused = [r for r in sim.requests if r.operation == "getInventorySummaries" and r.status == 400]
    assert len(refused) == 1
    assert "reading the window again" in run.stderr


def test_the_simulator_refuses_an_inventory_token_older_than_30_seconds():
    # The TTL itself, on the simulator's pager: a token redeemed with no life left is refused.
    pager = Pager(Faults())
    token = pager.issue("getInventorySummaries", "k", 50)
    assert pager.redeem("getInventorySummaries", token, "k", 30.0) == (50, False)
    with pytest.raises(ApiError) as refused:
        pager.redeem("getInventorySummaries", token, "k", 0.0)
    assert refused.value.status == 400 and not refused.value.violation


def test_inventory_is_a_snapshot_without_bookmarks(sim: Simulator):
    run = run_tap(make_config(sim), streams=[INVENTORY])
    assert run.error is None
    partitions = run.last_state["bookmarks"][INVENTORY].get("partitions", [])
    assert [p["context"] for p in partitions] == [{"marketplace_id": US}]
    assert all("replication_key_value" not in p for p in partitions)


def test_marketplace_participations_equal_the_simulator_data(sim: Simulator):
    run = run_tap(make_config(sim), streams=["marketplace_participations"])
    assert run.error is None, run.stderr[-3000:]
    assert by_key(run.records("marketplace_participations"), "marketplace_id") == by_key(
        declared("marketplace_participations", sim.sellers.expected()), "marketplace_id"
    )
    assert [r.operation for r in sim.requests if r.operation] == ["getMarketplaceParticipations"]


def test_rest_streams_are_seller_streams_with_their_table_facts(sim: Simulator):
    seller_only: list[Any] = [
        cls for cls in rest_stream_classes("Seller").values() if "Vendor" not in cls.account_types
    ]
    names = {stream.name for stream in seller_only}
    seller = TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False)
    vendor = TapAmazonSP(config=make_config(sim, account_type="Vendor"), validate_config=False, setup_mapper=False)
    assert names <= set(seller.streams) and not names & set(vendor.streams)
    for cls in seller_only:
        # What the README's stream table shows: the API, and a window cap exactly when windowed (of
        # the stream the tap makes: a class may state its replication key as a property).
        stream: Any = seller.streams[cls.name]
        assert "API" in stream.source
        assert (stream.window.cap_days is None) == (stream.replication_key is None), stream.name
        assert stream.primary_keys
