"""`orders` and `order_items` synced through HTTP from the simulator's searchOrders."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from tap_amazon_sp.records import parse_datetime
from tests.conftest import END, RATE_SCALE, START, make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.reports import format_time
from tests.support.rest_expected import by_key, declared
from tests.support.tap_runner import catalog_for, run_cli, run_tap

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
BOTH = ["orders", "order_items"]
# Order books of N and 3N orders a marketplace: its simulator, a full sync of it, the requests it made.
Books = dict[int, tuple[Simulator, Any, list[Any]]]


def order_requests(sim: Simulator) -> list[Any]:
    return [r for r in sim.requests if r.operation == "searchOrders"]


def test_orders_and_items_equal_the_simulator_data(sim: Simulator):
    run = run_tap(make_config(sim, marketplace_ids=[US, CA]), streams=BOTH)
    assert run.error is None, run.stderr[-3000:]
    orders, items = sim.orders.expected([US, CA], parse_datetime(START), parse_datetime(END))
    assert len(orders) > 50 and len(items) > len(orders)
    assert by_key(run.records("orders"), "order_id") == by_key(declared("orders", orders), "order_id")
    assert by_key(run.records("order_items"), "order_id", "order_item_id") == by_key(
        declared("order_items", items), "order_id", "order_item_id"
    )
    # One call covers both marketplaces, and every call asks for the data peers fetch per order.
    for request in order_requests(sim):
        assert request.query["marketplaceIds"] == [f"{US},{CA}"]
        assert request.query["maxResultsPerPage"] == ["100"]
        included = set(request.query["includedData"][0].split(","))
        assert {"PROCEEDS", "FULFILLMENT", "PACKAGES"} <= included


def test_state_moves_once_per_window_for_both_streams(sim: Simulator):
    run = run_tap(make_config(sim), streams=BOTH)
    assert run.error is None, run.stderr[-3000:]
    final = run.last_state["bookmarks"]
    assert final["orders"]["replication_key_value"] == "2024-07-01T00:00:00+00:00"
    assert final["order_items"]["replication_key_value"] == "2024-07-01T00:00:00+00:00"
    marks = [s["bookmarks"].get("orders", {}).get("replication_key_value") for s in run.states]
    marks = [m for m in marks if m]
    assert marks == sorted(marks)
    # Jan..Jun 2024 in 90-day windows: three of them, each ending in one bookmark.
    assert len(set(marks)) == 3
    windows = [(r.query["lastUpdatedAfter"][0], r.query["lastUpdatedBefore"][0]) for r in order_requests(sim)]
    assert windows == [
        ("2024-01-01T00:00:00Z", "2024-03-31T00:00:00Z"),
        ("2024-03-31T00:00:00Z", "2024-06-29T00:00:00Z"),
        ("2024-06-29T00:00:00Z", "2024-07-01T00:00:00Z"),
    ]


def test_a_late_change_within_the_look_back_is_picked_up_and_one_before_it_is_not(sim: Simulator):
    config = make_config(sim)
    first = run_tap(config, streams=BOTH)
    assert first.error is None, first.stderr[-3000:]
    early = [o for o in sim.orders.orders(US) if o["lastUpdatedTime"] < "2024-02-01"]
    late_id, missed_id = early[0]["orderId"], early[1]["orderId"]
    end = parse_datetime(END)
    # Both changes only become visible now, with update times before the bookmark (END).
    sim.orders.change(late_id, lastUpdatedTime=format_time(end - timedelta(days=2)))
    sim.orders.change(missed_id, lastUpdatedTime=format_time(end - timedelta(days=4)))
    sim.clear_requests()
    second = run_tap(config, streams=BOTH, state=first.last_state)
    assert second.error is None, second.stderr[-3000:]
    assert [r.query["lastUpdatedAfter"] for r in order_requests(sim)] == [["2024-06-28T00:00:00Z"]]
    got = {r["order_id"]: r for r in second.records("orders")}
    assert late_id in got and missed_id not in got
    assert got[late_id]["last_updated_time"] == format_time(end - timedelta(days=2))
    assert {i["order_id"] for i in second.records("order_items")} >= {late_id}
    # Look-back 5 days reaches the other change too.
    third = run_tap(make_config(sim, lookback_days=5), streams=BOTH, state=first.last_state)
    assert {late_id, missed_id} <= {r["order_id"] for r in third.records("orders")}


def test_an_order_on_a_window_boundary_is_emitted_once(sim: Simulator):
    # Both bounds of searchOrders are inclusive: this order is in two windows' answers.
    order = sim.orders.orders(US)[5]
    sim.orders.change(order["orderId"], lastUpdatedTime="2024-03-31T00:00:00Z")
    run = run_tap(make_config(sim), streams=BOTH)
    ids = [r["order_id"] for r in run.records("orders")]
    assert ids.count(order["orderId"]) == 1
    items = [(r["order_id"], r["order_item_id"]) for r in run.records("order_items")]
    assert len(items) == len(set(items))


def test_window_end_stays_two_minutes_before_now(sim: Simulator):
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=2)
    config = make_config(sim, start_date=format_time(start))
    del config["end_date"]
    run = run_tap(config, streams=BOTH)
    assert run.error is None, run.stderr[-3000:]
    for request in order_requests(sim):
        before = parse_datetime(request.query["lastUpdatedBefore"][0])
        assert before <= datetime.fromtimestamp(request.time, timezone.utc) - timedelta(minutes=2)
    mark = parse_datetime(run.last_state["bookmarks"]["orders"]["replication_key_value"])
    assert now - timedelta(minutes=4) < mark <= now - timedelta(minutes=2)
    # The orders updated in the last day (the simulator makes some) arrive.
    orders, _items = sim.orders.expected([US], start, mark)
    assert len(orders) >= 1
    assert by_key(run.records("orders"), "order_id") == by_key(declared("orders", orders), "order_id")


def test_the_simulator_refuses_a_before_bound_within_two_minutes_of_now(simulator: Simulator):
    simulator.reset()
    token = requests.post(
        f"{simulator.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": simulator.credentials.refresh_token,
            "client_id": simulator.credentials.client_id,
            "client_secret": simulator.credentials.client_secret,
        },
        timeout=10,
    ).json()["access_token"]
    now = datetime.now(timezone.utc)
    answer = requests.get(
        f"{simulator.url}/orders/2026-01-01/orders",
        params={
            "lastUpdatedAfter": format_time(now - timedelta(days=1)),
            "lastUpdatedBefore": format_time(now - timedelta(seconds=60)),
        },
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert len(simulator.violations) == 1
    simulator.reset()


def test_pii_is_neither_requested_nor_emitted_by_default(sim: Simulator):
    run = run_tap(make_config(sim), streams=BOTH)
    assert run.error is None, run.stderr[-3000:]
    requests, orders = order_requests(sim), run.records("orders")
    assert requests and orders
    for request in requests:
        included = set(request.query["includedData"][0].split(","))
        assert not included & {"BUYER", "RECIPIENT"}
    assert all(r["buyer"] is None and r["recipient"] is None for r in orders)


def test_pii_with_include_pii_is_emitted_and_never_logged(sim: Simulator):
    config = make_config(sim, include_pii=True, end_date="2024-03-01T00:00:00Z")
    # The real command, so stderr is what a user's log would hold.
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp, "catalog.json")
        catalog.write_text(json.dumps(catalog_for(config, BOTH)))
        cli = run_cli(config, "--catalog", str(catalog))
    assert cli.returncode == 0, cli.stderr[-3000:]
    orders, _items = sim.orders.expected(
        [US], parse_datetime(START), parse_datetime("2024-03-01T00:00:00Z"), include_pii=True
    )
    assert by_key(cli.records("orders"), "order_id") == by_key(declared("orders", orders), "order_id")
    assert all(r["buyer"]["buyer_email"] and r["recipient"]["delivery_address"] for r in cli.records("orders"))
    for request in order_requests(sim):
        assert {"BUYER", "RECIPIENT"} <= set(request.query["includedData"][0].split(","))
    pii = set()
    for order in orders:
        pii |= {order["buyer"]["buyer_name"], order["buyer"]["buyer_email"]}
        address = order["recipient"]["delivery_address"]
        pii |= {address["name"], address["address_line1"], address["phone"]}
    assert "Beginning sync of 'orders'" in cli.stderr  # the log is there, and holds no PII
    assert pii and all(value not in cli.stderr for value in pii)


def test_selecting_one_of_the_two_streams_keeps_the_others_state_alone(sim: Simulator):
    only_items = run_tap(make_config(sim), streams=["order_items"])
    assert only_items.error is None, only_items.stderr[-3000:]
    assert only_items.records("orders") == [] and len(only_items.records("order_items")) > 0
    assert "replication_key_value" not in only_items.last_state["bookmarks"].get("orders", {})
    assert only_items.last_state["bookmarks"]["order_items"]["replication_key_value"] == "2024-07-01T00:00:00+00:00"
    only_orders = run_tap(make_config(sim), streams=["orders"])
    assert only_orders.records("order_items") == [] and len(only_orders.records("orders")) > 0
    assert "replication_key_value" not in only_orders.last_state["bookmarks"].get("order_items", {})


@pytest.fixture(scope="module")
def book_sizes() -> Iterator[dict[int, tuple[Simulator, Any, list[Any]]]]:
    """Syncs of the same window against order books of N and 3N orders a marketplace."""
    runs = {}
    sims = []
    for rows in (150, 450):
        sim = Simulator(seed=3, rows=rows, processing_delay=0.01, rate_scale=RATE_SCALE)
        sim.start()
        sims.append(sim)
        run = run_tap(make_config(sim), streams=BOTH)
        runs[rows] = (sim, run, [r for r in sim.requests if r.operation])
    yield runs
    for sim in sims:
        sim.stop()


def test_requests_grow_with_pages_not_with_orders(book_sizes: Books):
    counts = {}
    for rows, (sim, run, sent) in book_sizes.items():
        assert run.error is None, run.stderr[-3000:]
        assert sim.violations == []
        assert {r.operation for r in sent} == {"searchOrders"}
        pages = 0
        for request in sent:
            if "paginationToken" in request.query:
                continue
            lower = parse_datetime(request.query["lastUpdatedAfter"][0])
            upper = parse_datetime(request.query["lastUpdatedBefore"][0])
            found = len(sim.orders.matching([US], "lastUpdatedTime", lower, upper))
            pages += max(1, math.ceil(found / 100))
        assert len(sent) == pages
        counts[rows] = (len(run.records("orders")), len(run.records("order_items")), len(sent))
    (orders_n, items_n, requests_n), (orders_3n, items_3n, requests_3n) = counts[150], counts[450]
    assert orders_3n > 2.5 * orders_n and items_3n > 2.5 * items_n
    # Three windows, full pages: at most one partly filled page a window.
    assert requests_n <= orders_n // 100 + 3 and requests_3n <= orders_3n // 100 + 3
    assert requests_3n > requests_n  # the order books are big enough to need more pages


def test_a_sync_that_stops_mid_window_goes_on_from_the_next_page(book_sizes: Books):
    sim, full, _sent = book_sizes[450]
    sim.reset()
    config = make_config(sim)
    # The second page's token is refused, and so is every restart's: the sync fails mid-window.
    sim.set_faults(expire_page_token={"searchOrders": 5})
    failed = run_tap(config, streams=BOTH)
    assert failed.error is not None
    point = failed.last_state["bookmarks"]["orders"]["resume_page"]
    assert point == failed.last_state["bookmarks"]["order_items"]["resume_page"]
    assert (point["after"], point["before"]) == ("2024-01-01T00:00:00+00:00", "2024-03-31T00:00:00+00:00")
    assert "replication_key_value" not in failed.last_state["bookmarks"]["orders"]
    sim.reset()
    rerun = run_tap(config, streams=BOTH, state=failed.last_state)
    assert rerun.error is None, rerun.stderr[-3000:]
    first = order_requests(sim)[0]
    # Not the window's first page again: the page after the last one emitted.
    assert first.query["paginationToken"] == [point["token"]]
    assert first.query["lastUpdatedAfter"] == ["2024-01-01T00:00:00Z"]
    for stream, keys in (("orders", ("order_id",)), ("order_items", ("order_id", "order_item_id"))):
        union = {tuple(r[k] for k in keys): r for run in (failed, rerun) for r in run.records(stream)}
        assert by_key(list(union.values()), *keys) == by_key(full.records(stream), *keys)
    # Each page was emitted once over the two runs.
    assert len(failed.records("orders")) + len(rerun.records("orders")) == len(full.records("orders"))
    final = rerun.last_state["bookmarks"]["orders"]
    assert "resume_page" not in final and final["replication_key_value"] == "2024-07-01T00:00:00+00:00"
    assert sim.violations == []


@pytest.mark.parametrize("keep", ["False", "order_id[-1] in '0123'"])
def test_a_stream_map_filter_on_orders_keeps_every_order_item(sim: Simulator, keep: str):
    # A filter on `orders` must not drop the items of the orders it leaves out, nor move their bookmark
    # past items never emitted: items go out once a page, with the page's last order.
    config = make_config(sim, stream_maps={"orders": {"__filter__": keep}})
    run = run_tap(config, streams=BOTH)
    assert run.error is None, run.stderr[-3000:]
    orders, items = sim.orders.expected([US], parse_datetime(START), parse_datetime(END))
    assert len(run.records("orders")) < len(orders)
    assert by_key(run.records("order_items"), "order_id", "order_item_id") == by_key(
        declared("order_items", items), "order_id", "order_item_id"
    )
    final = run.last_state["bookmarks"]
    assert final["order_items"]["replication_key_value"] == "2024-07-01T00:00:00+00:00"
