"""catalog_items synced through HTTP from the simulator's FBA Inventory and Catalog Items APIs: the
records, 20 ASINs a request, each ASIN read at most once per catalog_refresh_days, and resuming."""

from __future__ import annotations

import copy
import json
import math
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.client import RestStream
from tap_amazon_sp.records import format_datetime, parse_datetime, snake
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import RATE_SCALE, make_config
from tests.sim.test_interrupt import Running, records_seen
from tests.sim.test_simulator_server import Client
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.support.rest_expected import SCHEMAS, by_key, declared
from tests.support.tap_runner import TapRun, catalog_for, run_cli, run_tap
from tests.unit.test_operations_models import load_model
from tests.unit.test_rest_schemas_models import compare

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
CATALOG = "catalog_items"
INVENTORY = "fba_inventory_summaries"
SEARCH = "/catalog/2022-04-01/items"
REFRESHED = "asins_refreshed"


def searches(sim: Simulator) -> list[RecordedRequest]:
    return [r for r in sim.requests if r.operation == "searchCatalogItems"]


def asked(sim: Simulator, marketplace_id: str | None = None) -> list[str]:
    """Every ASIN asked for, in order (once per request it was in)."""
    return [
        asin
        for r in searches(sim)
        if marketplace_id is None or r.query["marketplaceIds"] == [marketplace_id]
        for asin in r.query["identifiers"][0].split(",")
    ]


def listed(sim: Simulator, marketplace_id: str) -> list[str]:
    """The distinct ASINs of the simulator's FBA inventory in a marketplace."""
    return list(dict.fromkeys(row["asin"] for row in sim.inventory.summaries(marketplace_id)))


def refreshed(run: TapRun, marketplace_id: str = US) -> dict[str, list[str]]:
    partitions = run.last_state["bookmarks"][CATALOG]["partitions"]
    found = [p for p in partitions if p["context"] == {"marketplace_id": marketplace_id}]
    assert len(found) == 1
    groups: dict[str, list[str]] = found[0][REFRESHED]
    return groups


def aged(state: dict[str, Any], days: float, only: set[str] | None = None) -> dict[str, Any]:
    """The state with the ASINs read (all, or `only` those) read `days` earlier."""
    older = copy.deepcopy(state)
    for partition in older["bookmarks"][CATALOG]["partitions"]:
        groups: dict[str, list[str]] = {}
        for moment, asins in partition[REFRESHED].items():
            earlier = format_datetime(parse_datetime(moment) - timedelta(days=days))
            for asin in asins:
                groups.setdefault(earlier if only is None or asin in only else moment, []).append(asin)
        partition[REFRESHED] = groups
    return older


def sync(sim: Simulator, state: dict[str, Any] | None = None, **overrides: Any) -> TapRun:
    return run_tap(make_config(sim, **overrides), streams=[CATALOG], state=state)


# --- records and requests ------------------------------------------------------------------------


def test_catalog_items_of_every_listed_asin_equal_the_simulator_data(sim: Simulator):
    run = sync(sim, marketplace_ids=[US, CA])
    assert run.error is None, run.stderr[-3000:]
    records = run.records(CATALOG)
    began = records[0]["refreshed_at"]
    want = sim.catalog.expected(US, listed(sim, US), began) + sim.catalog.expected(CA, listed(sim, CA), began)
    assert len(want) > 150
    assert by_key(records, "marketplace_id", "asin") == by_key(declared(CATALOG, want), "marketplace_id", "asin")
    # ASINs Amazon has no item for are simply absent: some of the listed ones.
    assert len(want) < len(listed(sim, US)) + len(listed(sim, CA))
    # Typed parts, filled: what a user queries.
    assert all(r["item_name"] and r["display_group_ranks"][0]["rank"] > 0 for r in records)
    assert all(isinstance(r["attributes"]["list_price"][0]["value"], float) for r in records)


@pytest.mark.parametrize("fault", ["hollow_answer", "garbled_answer"])
def test_an_answer_that_is_not_amazons_is_retried_and_no_asin_counts_as_read_without_its_item(
    sim: Simulator, fault: str
):
    # `{}` (or a proxy's page) would read as "Amazon has no item for these 20 ASINs": gone from the
    # records and, as read, not asked for again until catalog_refresh_days have passed.
    sim.set_faults(**{fault: {"searchCatalogItems": 1}})
    run = sync(sim)
    assert run.error is None, run.stderr[-3000:]
    began = run.records(CATALOG)[0]["refreshed_at"]
    want = sim.catalog.expected(US, listed(sim, US), began)
    assert by_key(run.records(CATALOG), "asin") == by_key(declared(CATALOG, want), "asin")
    assert "searchCatalogItems: HTTP 200" in run.stderr


def test_asins_are_asked_for_20_a_request_each_once_per_marketplace(sim: Simulator):
    run = sync(sim, marketplace_ids=[US, CA])
    assert run.error is None, run.stderr[-3000:]
    for marketplace_id in (US, CA):
        asins = listed(sim, marketplace_id)
        assert len(asins) > 100
        requests = [r for r in searches(sim) if r.query["marketplaceIds"] == [marketplace_id]]
        assert len(requests) == math.ceil(len(asins) / 20)
        assert sorted(asked(sim, marketplace_id)) == sorted(asins)
        for request in requests:
            assert len(request.query["identifiers"][0].split(",")) <= 20
            assert request.query["identifiersType"] == ["ASIN"]
            # One page holds the 20 items: nothing is paged.
            assert request.query["pageSize"] == ["20"] and "pageToken" not in request.query
            assert set(request.query["includedData"][0].split(",")) >= {"summaries", "attributes", "salesRanks"}
    # The ASINs come from the FBA inventory, each marketplace's read to its last page first.
    inventory = [r for r in sim.requests if r.operation == "getInventorySummaries"]
    assert [r.query["marketplaceIds"] for r in inventory if "nextToken" not in r.query] == [[US], [CA]]
    assert max(sim.requests.index(r) for r in inventory[:3]) < sim.requests.index(searches(sim)[0])


def test_one_read_of_the_inventory_serves_both_streams(sim: Simulator):
    alone = run_tap(make_config(sim), streams=[INVENTORY])
    assert alone.error is None
    pages = len([r for r in sim.requests if r.operation == "getInventorySummaries"])
    sim.reset()
    both = run_tap(make_config(sim), streams=[INVENTORY, CATALOG])
    assert both.error is None, both.stderr[-3000:]
    assert len([r for r in sim.requests if r.operation == "getInventorySummaries"]) == pages
    assert by_key(both.records(INVENTORY), "seller_sku") == by_key(alone.records(INVENTORY), "seller_sku")
    began = both.records(CATALOG)[0]["refreshed_at"]
    assert by_key(both.records(CATALOG), "asin") == by_key(
        declared(CATALOG, sim.catalog.expected(US, listed(sim, US), began)), "asin"
    )
    # Only the catalog selected: the inventory is read for it, and not emitted.
    sim.reset()
    catalog_only = sync(sim)
    assert [m for m in catalog_only.messages if m.get("stream") == INVENTORY] == []


def test_items_amazon_pages_anyway_are_read_to_the_last_page(sim: Simulator):
    sim.catalog.page_size = 7
    run = sync(sim)
    assert run.error is None, run.stderr[-3000:]
    later = [r for r in searches(sim) if "pageToken" in r.query]
    assert later
    # A next page repeats the request, and the records are those of one-page answers.
    firsts = [r.query for r in searches(sim) if "pageToken" not in r.query]
    assert all({k: v for k, v in r.query.items() if k != "pageToken"} in firsts for r in later)
    began = run.records(CATALOG)[0]["refreshed_at"]
    assert by_key(run.records(CATALOG), "asin") == by_key(
        declared(CATALOG, sim.catalog.expected(US, listed(sim, US), began)), "asin"
    )


def test_an_asin_amazon_refuses_is_found_by_halving_its_request_and_left_out(sim: Simulator):
    asins = listed(sim, US)
    bad = asins[25]
    sim.catalog.refused_asins = {bad}
    run = sync(sim)
    assert run.error is None, run.stderr[-3000:]
    began = run.records(CATALOG)[0]["refreshed_at"]
    want = sim.catalog.expected(US, [a for a in asins if a != bad], began)
    assert by_key(run.records(CATALOG), "asin") == by_key(declared(CATALOG, want), "asin")
    # Its batch of 20 asked for again in halves down to it (10, then 5, 2 and 1 refused), the other halves read: 8 requests more.
    refused = [r for r in searches(sim) if r.status == 400]
    assert [len(r.query["identifiers"][0].split(",")) for r in refused] == [20, 10, 5, 2, 1]
    answered = [r for r in searches(sim) if r.status != 429]  # a throttled request is asked again
    assert len(answered) == math.ceil(len(asins) / 20) + 8
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING") and bad in line]
    assert len(warnings) == 1 and "left out until it is due again" in warnings[0]
    # Read as the others were: not asked for again before it is due.
    assert bad in {a for group in refreshed(run).values() for a in group}


def test_what_is_not_an_asin_in_the_inventory_is_never_sent(sim: Simulator, monkeypatch: pytest.MonkeyPatch):
    rows = sim.inventory.summaries(US)
    monkeypatch.setitem(sim.inventory._summaries, US, [*rows[:3], {**rows[3], "asin": "b0-lowercase"}, *rows[4:]])
    run = sync(sim)
    assert run.error is None, run.stderr[-3000:]
    assert "b0-lowercase" not in asked(sim)
    assert "1 ASINs of the inventory are not ASINs the catalog takes ('b0-lowercase'): left out" in run.stderr
    began = run.records(CATALOG)[0]["refreshed_at"]
    want = sim.catalog.expected(US, [a for a in listed(sim, US) if a != "b0-lowercase"], began)
    assert by_key(run.records(CATALOG), "asin") == by_key(declared(CATALOG, want), "asin")


# --- refresh once per catalog_refresh_days -------------------------------------------------------


def test_a_second_sync_asks_for_no_asin_read_within_the_refresh_days(sim: Simulator):
    first = sync(sim)
    assert first.error is None, first.stderr[-3000:]
    asins = listed(sim, US)
    assert sorted(a for group in refreshed(first).values() for a in group) == sorted(asins)
    sim.reset()
    second = sync(sim, state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    assert searches(sim) == [] and second.records(CATALOG) == []
    # The inventory is still read (new ASINs would be read), and the state still knows every ASIN.
    assert any(r.operation == "getInventorySummaries" for r in sim.requests)
    assert refreshed(second) == refreshed(first)
    assert f"{len(asins)} ASINs in FBA inventory, 0 to read" in second.stderr


def test_asins_read_longer_ago_than_the_refresh_days_are_read_again(sim: Simulator):
    first = sync(sim, catalog_refresh_days=3)
    assert first.error is None
    asins = listed(sim, US)
    old = set(asins[:30])
    sim.reset()
    # Read 3 days ago: due. The others were read moments ago.
    second = sync(sim, state=aged(first.last_state, 3, only=old), catalog_refresh_days=3)
    assert second.error is None, second.stderr[-3000:]
    assert sorted(asked(sim)) == sorted(old)
    assert len(searches(sim)) == 2  # 30 ASINs: 20 + 10
    began = second.records(CATALOG)[0]["refreshed_at"]
    assert by_key(second.records(CATALOG), "asin") == by_key(
        declared(CATALOG, sim.catalog.expected(US, [a for a in asins if a in old], began)), "asin"
    )
    # Each ASIN is in the state once, under the sync that last read it.
    groups = refreshed(second)
    first_began = first.records(CATALOG)[0]["refreshed_at"]
    assert all(a in groups[began] for a in old) and all(a in groups[first_began] for a in set(asins) - old)
    assert sorted(a for group in groups.values() for a in group) == sorted(asins)


def test_a_day_less_than_the_refresh_days_is_not_due_and_an_hour_less_is(sim: Simulator):
    first = sync(sim)  # 7 days by default
    assert first.error is None
    sim.reset()
    sync(sim, state=aged(first.last_state, 6))
    assert searches(sim) == []
    sim.reset()
    # A weekly schedule starts a few seconds earlier or later each week: still due.
    run = sync(sim, state=aged(first.last_state, 7 - 0.5 / 24))
    assert run.error is None
    assert sorted(asked(sim)) == sorted(listed(sim, US))


def test_asins_the_state_says_were_read_in_the_future_are_read_again_with_a_warning(sim: Simulator):
    first = sync(sim)
    assert first.error is None
    asins = listed(sim, US)
    ahead = set(asins[:5])
    sim.reset()
    # An edited state, or one written by a machine whose clock ran a year ahead.
    second = sync(sim, state=aged(first.last_state, -365, only=ahead))
    assert second.error is None, second.stderr[-3000:]
    assert sorted(asked(sim)) == sorted(ahead)
    began = second.records(CATALOG)[0]["refreshed_at"]
    assert ahead <= set(refreshed(second)[began])
    assert all(parse_datetime(moment) <= parse_datetime(began) for moment in refreshed(second))
    assert "after this sync began: they are read again" in second.stderr


def test_refresh_days_zero_reads_every_asin_on_every_sync(sim: Simulator):
    first = sync(sim, catalog_refresh_days=0)
    assert first.error is None
    sim.reset()
    second = sync(sim, state=first.last_state, catalog_refresh_days=0)
    assert second.error is None
    assert sorted(asked(sim)) == sorted(listed(sim, US))


def test_asins_no_longer_in_inventory_leave_the_state(sim: Simulator):
    first = sync(sim)
    assert first.error is None
    state = copy.deepcopy(first.last_state)
    moment = next(iter(refreshed(first)))
    state["bookmarks"][CATALOG]["partitions"][0][REFRESHED][moment].append("B0GONE0000")
    sim.reset()
    second = sync(sim, state=state)
    assert second.error is None
    assert "B0GONE0000" not in {a for group in refreshed(second).values() for a in group}
    assert searches(sim) == []


# --- resuming --------------------------------------------------------------------------------------


def test_a_sync_stopped_midway_keeps_what_it_read_and_the_next_reads_the_rest(sim: Simulator):
    sim.catalog.break_after = 3
    first = sync(sim)
    assert first.error is not None
    read_first = set(asked(sim)[:60])
    assert {a for group in refreshed(first).values() for a in group} == read_first
    assert {r["asin"] for r in first.records(CATALOG)} <= read_first
    sim.reset()
    second = sync(sim, state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    asins = listed(sim, US)
    assert sorted(asked(sim)) == sorted(set(asins) - read_first)
    both = {r["asin"]: r for r in first.records(CATALOG) + second.records(CATALOG)}
    assert sorted(both) == sorted(r["asin"] for r in sim.catalog.expected(US, asins, ""))
    assert sorted(a for group in refreshed(second).values() for a in group) == sorted(asins)


def test_a_signal_mid_catalog_leaves_a_state_the_next_sync_resumes_from(tmp_path: Path):
    # 2,000 SKUs: the reader stops after 100 items, the tap blocks on the full pipe, then SIGTERM.
    with Simulator(seed=7, rows=1000, processing_delay=0.05, rate_scale=RATE_SCALE) as sim:
        config = make_config(sim)
        tap = Running(tmp_path / "stopped", config, streams=(CATALOG,))
        tap.read_until(records_seen(100))
        tap.proc.send_signal(signal.SIGTERM)
        stopped = tap.finish()
        assert stopped.returncode == 143, stopped.stderr[-3000:]
        asins = listed(sim, US)
        read = {a for group in refreshed(stopped).values() for a in group}
        assert 0 < len(read) < len(asins)
        # The state calls read only ASINs whose items were emitted (or that have none).
        assert {a for a in read if sim.catalog.item(a, US) is not None} <= {r["asin"] for r in stopped.records(CATALOG)}
        sim.clear_requests()
        rerun = Running(tmp_path / "rerun", config, state=stopped.last_state, streams=(CATALOG,)).finish()
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        assert sorted(asked(sim)) == sorted(set(asins) - read)
        both = {r["asin"] for r in stopped.records(CATALOG) + rerun.records(CATALOG)}
        assert both == {r["asin"] for r in sim.catalog.expected(US, asins, "")}
        violations = sim.violations
    assert violations == []


def test_a_state_whose_asins_are_not_a_list_fails_in_one_line_before_any_request(sim: Simulator):
    state = {
        "bookmarks": {
            CATALOG: {"partitions": [{"context": {"marketplace_id": US}, REFRESHED: {"2026-01-01T00:00:00Z": "B01"}}]}
        }
    }
    run = sync(sim, state=state)
    assert run.error is not None
    assert f"bookmarks.{CATALOG}.partitions[0].{REFRESHED}" in str(run.error)
    assert "not a list of ASINs" in str(run.error)
    assert [r for r in sim.requests if r.operation] == []


# --- the simulator refuses what Amazon refuses ------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"identifiers": ",".join(f"B0{n:08d}" for n in range(21)), "identifiersType": "ASIN"}, "at most 20"),
        ({"identifiers": "B000000001"}, "identifiersType is required"),
        ({"identifiers": "B000000001", "identifiersType": "ASIN", "keywords": "mug"}, "same request"),
        ({}, "Either identifiers or keywords"),
        ({"identifiers": "B000000001", "identifiersType": "ASIN", "pageSize": "21"}, "maximum 20"),
        ({"identifiers": "B000000001", "identifiersType": "ASIN", "marketplaceIds": f"{US},{CA}"}, "at most 1"),
    ],
)
def test_the_simulator_refuses_what_amazon_refuses_with_400(simulator: Simulator, params: dict[str, str], why: str):
    simulator.reset()
    try:
        reply = Client(simulator).call("GET", SEARCH, params={"marketplaceIds": US, **params})
        violations = simulator.violations
    finally:
        simulator.reset()
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["code"] == "InvalidInput"
    assert why in reply.text
    assert violations  # the tap must never send it


def test_the_simulator_serves_only_the_parts_asked_for(simulator: Simulator):
    simulator.reset()
    asin = listed(simulator, US)[0]
    reply = Client(simulator).call(
        "GET", SEARCH, params={"marketplaceIds": US, "identifiers": asin, "identifiersType": "ASIN"}
    )
    assert reply.status_code == 200
    body = reply.json()
    if body["items"]:
        assert set(body["items"][0]) == {"asin", "summaries"}


# --- the schema against Amazon's model -------------------------------------------------------------


def test_the_schema_follows_the_catalog_items_model():
    model = load_model("catalogItems_2022-04-01")
    definitions = model["definitions"]
    props = SCHEMAS[CATALOG]["properties"]
    # Every field of a summary is a column, but its marketplace (the partition's).
    summary_fields = {snake(n) for n in definitions["ItemSummaryByMarketplace"]["properties"]} - {"marketplace_id"}
    summary = {k: v for k, v in props.items() if k in summary_fields}
    assert set(summary) == summary_fields
    assert compare(model, {"properties": summary}, definitions["ItemSummaryByMarketplace"], CATALOG) == []
    parts = {
        "product_type": ("ItemProductTypeByMarketplace", "product_type"),
        "identifiers": ("ItemIdentifiersByMarketplace", "identifiers"),
        "classification_ranks": ("ItemSalesRanksByMarketplace", "classification_ranks"),
        "display_group_ranks": ("ItemSalesRanksByMarketplace", "display_group_ranks"),
        "images": ("ItemImagesByMarketplace", "images"),
        "relationships": ("ItemRelationshipsByMarketplace", "relationships"),
        "item_dimensions": ("ItemDimensionsByMarketplace", "item"),
        "package_dimensions": ("ItemDimensionsByMarketplace", "package"),
    }
    for column, (definition, field) in parts.items():
        assert compare(model, {"properties": {field: props[column]}}, definitions[definition], column) == []
    assert compare(model, {"properties": {"attributes": props["attributes"]}}, definitions["Item"], CATALOG) == []


# --- a missing role, and the connection test -------------------------------------------------------


def test_an_app_without_the_product_listing_role_stops_only_this_stream(sim: Simulator):
    sim.set_faults(no_role=["searchCatalogItems"])
    run = run_tap(make_config(sim, marketplace_ids=[US, CA]), streams=[INVENTORY, CATALOG])
    assert run.error is not None and "catalog_items stopped: the app lacks the Product Listing role" in str(run.error)
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR") and "catalog_items" in line]
    assert len(errors) == 1 and "the app lacks the Product Listing role" in errors[0], errors
    # Asked once, not again for the second marketplace; the inventory of both is loaded.
    assert len(searches(sim)) == 1
    assert run.records(CATALOG) == []
    assert {r["marketplace_id"] for r in run.records(INVENTORY)} == {US, CA}


def test_the_connection_test_looks_up_an_asin_of_the_inventory(sim: Simulator, tmp_path: Path):
    config = make_config(sim)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(config, [CATALOG])), encoding="utf-8")
    run = run_cli(config, "--catalog", str(catalog), "--test")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Catalog Items API answered searchCatalogItems for catalog_items" in run.stderr
    assert [r.query["identifiers"][0] for r in searches(sim)] == [listed(sim, US)[0]]
    sim.reset()
    sim.set_faults(no_role=["searchCatalogItems"])
    refused = run_cli(config, "--catalog", str(catalog), "--test")
    assert refused.returncode == 1
    assert "the app lacks the Product Listing role" in refused.stderr


def test_the_connection_test_of_a_seller_without_fba_inventory_searches_by_keyword(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sim.inventory._summaries, US, [])
    tap = TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False)
    stream = tap.streams[CATALOG]
    assert isinstance(stream, RestStream)
    body = stream.probe()
    assert body is not None and body["items"] == []
    assert [("keywords" in r.query, "identifiers" in r.query) for r in searches(sim)] == [(True, False)]
