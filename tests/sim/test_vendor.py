"""Vendor accounts: vendor streams only, whole reporting periods, required report options, the hold-back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BRAND_SEARCH_REPORTS, BY_STREAM, VENDOR_REPORTS, Account, streams_for
from tests.conftest import END, START, make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.support.expectations import expected, published_until, strip_added, unordered
from tests.support.tap_runner import TapRun, report_requests, run_cli, run_tap

US = "ATVPDKIKX0DER"
VENDOR_STREAMS = [spec.stream for spec in VENDOR_REPORTS]
# Search query and catalog performance serve vendors too (tests/sim/test_search_performance.py).
VENDOR_REPORT_TYPES = {spec.report_type for spec in (*VENDOR_REPORTS, *BRAND_SEARCH_REPORTS)}
# Made from the present (the forecast, the real-time reports of the last 168 hours): their records are
# checked in tests/sim/test_vendor_recent.py; the real-time ones have none in this suite's 2024 range.
REAL_TIME_TYPES = {spec.report_type for spec in VENDOR_REPORTS if spec.window.horizon is not None}
RECENT_STREAMS = {"GET_VENDOR_FORECASTING_REPORT", *REAL_TIME_TYPES}
# What a vendor may call: the Reports API, the Replenishment API (which serves vendors too), the
# vendor order APIs and nothing of the seller APIs (orders, finances, ...).
REPORTS_API = {
    "createReport",
    "getReport",
    "getReports",
    "getReportDocument",
    "cancelReport",
    "getSellingPartnerMetrics",
    "listOfferMetrics",
    "listOffers",
    "getPurchaseOrders",
    "getPurchaseOrdersStatus",
    "getOrders",
    "createRestrictedDataToken",
}
# The vendor order streams (tests/sim/test_vendor_orders.py covers them).
VENDOR_ORDERS = {
    "vendor_purchase_orders",
    "vendor_purchase_order_items",
    "vendor_purchase_order_status",
    "vendor_direct_fulfillment_orders",
}
SALES = "GET_VENDOR_SALES_REPORT"
TRAFFIC = "GET_VENDOR_TRAFFIC_REPORT"
SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"
MARKET_BASKET = "GET_BRAND_ANALYTICS_MARKET_BASKET_REPORT"
REPEAT_PURCHASE = "GET_BRAND_ANALYTICS_REPEAT_PURCHASE_REPORT"
BRAND_ANALYTICS = [SEARCH_TERMS, MARKET_BASKET, REPEAT_PURCHASE]


def vendor_config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    return make_config(sim, account_type="Vendor", **overrides)


def assert_only_vendor_calls(requests: list[RecordedRequest]) -> None:
    operations = {r.operation for r in requests if r.operation}
    assert operations and operations <= REPORTS_API, operations
    assert {b["reportType"] for b in report_requests(requests)} <= VENDOR_REPORT_TYPES


# --- discovery --------------------------------------------------------------------------------------


def discovered(config: dict[str, Any], directory: Path) -> dict[str, dict[str, Any]]:
    """The catalog `tap-amazon-sp --discover` prints, by stream."""
    (directory / "config.json").write_text(json.dumps(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--config", "config.json", "--discover"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {entry["tap_stream_id"]: entry for entry in json.loads(proc.stdout)["streams"]}


def test_discover_lists_the_vendor_streams_for_a_vendor_and_the_seller_streams_for_a_seller(
    sim: Simulator, tmp_path: Path
):
    vendor = discovered(vendor_config(sim), tmp_path)
    # Subscribe & Save serves vendors too, its weekly metrics and offers (not its forecasts).
    replenishment = {"replenishment_selling_partner_metrics", "replenishment_offer_metrics", "replenishment_offers"}
    # Search query and catalog performance: tests/sim/test_search_performance.py.
    search = {spec.stream for spec in BRAND_SEARCH_REPORTS}
    assert set(vendor) == set(VENDOR_STREAMS) | replenishment | VENDOR_ORDERS | search
    for name, entry in vendor.items():
        if name in replenishment | VENDOR_ORDERS:
            continue
        properties = entry["schema"]["properties"]
        assert all("type" in prop for prop in properties.values()), name
        assert properties["data_end_time"]["format"] == "date-time"
    assert vendor[SALES]["schema"]["properties"]["shipped_revenue"]["properties"]["amount"]["type"] == [
        "number",
        "null",
    ]
    assert vendor[SALES]["key_properties"] == ["account_id", "marketplace_id", "start_date", "end_date", "asin"]
    assert vendor[SALES + "_AGGREGATE"]["key_properties"] == ["account_id", "marketplace_id", "start_date", "end_date"]

    seller = discovered(make_config(sim), tmp_path)
    for catalog in (vendor, seller):
        # Brand Analytics needs Brand Registry and its role: synced only when selected.
        for stream in BRAND_ANALYTICS:
            root = next(m["metadata"] for m in catalog[stream]["metadata"] if m["breadcrumb"] == [])
            assert root["selected-by-default"] is False and root.get("selected") is not True, stream
    brand_analytics = {spec.stream for spec in VENDOR_REPORTS if spec.account is Account.BRAND_OWNERS}
    assert brand_analytics == set(BRAND_ANALYTICS)
    assert set(seller) & set(VENDOR_STREAMS) == brand_analytics
    assert {spec.stream for spec in streams_for("Seller")} <= set(seller)
    assert sim.requests == []


# --- records ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vendor_sync(simulator: Simulator) -> tuple[TapRun, list[RecordedRequest], list[str]]:
    simulator.reset()
    # A vendor account: seller operations and seller reports would be refused, and be violations.
    simulator.set_faults(account_type="Vendor")
    # Search terms are synced when selected (a brand owner's choice); the rest are selected by default.
    run = run_tap(vendor_config(simulator), streams=VENDOR_STREAMS)
    requests, violations = simulator.requests, simulator.violations
    simulator.reset()
    return run, requests, violations


@pytest.mark.parametrize("stream", [stream for stream in VENDOR_STREAMS if stream not in RECENT_STREAMS])
def test_each_vendor_stream_equals_the_simulator_data(
    vendor_sync: tuple[TapRun, list[RecordedRequest], list[str]], simulator: Simulator, stream: str
):
    run, _requests, violations = vendor_sync
    assert run.error is None, run.stderr[-3000:]
    assert violations == []
    want = expected(simulator, stream, US, START, END)
    assert len(want) > 0
    # Newest first: windows come newest first, each one's periods in order.
    assert unordered(strip_added(r) for r in run.records(stream)) == unordered(want)


def test_a_vendor_sync_calls_no_seller_api_and_asks_for_whole_periods_with_the_default_options(
    vendor_sync: tuple[TapRun, list[RecordedRequest], list[str]],
):
    run, requests, _violations = vendor_sync
    assert_only_vendor_calls(requests)
    bodies = report_requests(requests)
    sales = [b for b in bodies if b["reportType"] == SALES]
    assert {json.dumps(b["reportOptions"], sort_keys=True) for b in sales} == {
        json.dumps(
            {"distributorView": "MANUFACTURING", "reportPeriod": "DAY", "sellingProgram": "RETAIL"}, sort_keys=True
        )
    }
    # Amazon's end date is inclusive: a day window names its last second.
    assert all(b["dataStartTime"].endswith("T00:00:00Z") and b["dataEndTime"].endswith("T23:59:59Z") for b in sales)
    terms = [b for b in bodies if b["reportType"] == SEARCH_TERMS]
    assert terms and all(b["reportOptions"] == {"reportPeriod": "WEEK"} for b in terms)
    for body in terms:  # one week per report, Sunday to Saturday
        start, end = datetime.fromisoformat(body["dataStartTime"]), datetime.fromisoformat(body["dataEndTime"])
        assert start.weekday() == 6 and end - start == timedelta(days=7, seconds=-1), body
    # The bookmark is the end of the last whole week before the end date (2024-07-01 is a Monday).
    assert run.bookmark(SEARCH_TERMS, US) == "2024-06-30T00:00:00+00:00"
    assert run.bookmark(SALES, US) == "2024-07-01T00:00:00+00:00"


def test_the_connection_test_of_a_vendor_calls_no_seller_api(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    config = vendor_config(sim, start_date="2024-05-05T00:00:00Z", end_date="2024-05-19T00:00:00Z")
    run = run_cli(config, "--test")
    assert run.returncode == 0, run.stderr[-2000:]
    assert_only_vendor_calls(sim.requests)
    # A check costs no report: Login with Amazon, then getReports (vendors cannot call the Sellers API),
    # and a page of purchase orders.
    assert report_requests(sim.requests) == []
    operations = [r.operation for r in sim.requests if r.operation]
    assert len(operations) == 2 and operations[0] == "getReports"
    assert operations[1] in ("getPurchaseOrders", "getPurchaseOrdersStatus")
    lines = [line.split("| ", 3)[3] for line in run.stderr.splitlines() if "| Connection test" in line]
    assert len(lines) == 4, run.stderr
    assert lines[0].startswith("Connection test: Login with Amazon accepted")
    assert lines[1].startswith("Connection test: Reports API answered getReports in US (ATVPDKIKX0DER)")
    assert lines[2].startswith(f"Connection test: Vendor Orders API answered {operations[1]} for vendor_purchase_order")
    assert lines[3].startswith("Connection test passed: 3 checks")
    # The SDK's own test, one record of every stream, is still there under another name.
    sim.clear_requests()
    records = run_cli(config, "--test=records")
    assert records.returncode == 0, records.stderr[-2000:]
    assert_only_vendor_calls(sim.requests)
    assert {b["reportType"] for b in report_requests(sim.requests)} == VENDOR_REPORT_TYPES - REAL_TIME_TYPES
    assert records.records()


def test_weekly_sourcing_sales_are_whole_weeks_and_the_aggregate_stream_shares_the_options(sim: Simulator):
    options = {"reportPeriod": "WEEK", "distributorView": "SOURCING", "sellingProgram": "FRESH"}
    # A Wednesday to a Friday: the weeks inside, Sunday 2024-01-07 to Saturday 2024-02-24.
    start, end = "2024-01-03T00:00:00Z", "2024-03-01T00:00:00Z"
    config = vendor_config(
        sim,
        start_date=start,
        end_date=end,
        period_in_days=30,
        report_options=[{"stream_name": SALES, "options": {**options, "sellingProgram": "fresh"}}],
    )
    streams = [SALES, SALES + "_AGGREGATE"]
    run = run_tap(config, streams=streams)
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    # Seven weeks, more than period_in_days: read newest first, four whole weeks back from the end.
    assert {(b["dataStartTime"], b["dataEndTime"]) for b in bodies} == {
        ("2024-01-28T00:00:00Z", "2024-02-24T23:59:59Z"),
        ("2024-01-07T00:00:00Z", "2024-01-27T23:59:59Z"),
    }
    assert all(b["reportOptions"] == options for b in bodies)
    for stream in streams:
        want = expected(sim, stream, US, start, end, period=30, options=options)
        assert want and unordered(strip_added(r) for r in run.records(stream)) == unordered(want), stream
        # Sourcing view: no ordered revenue; FRESH: no customer returns.
        assert all(r["ordered_units"] is None and r["customer_returns"] is None for r in run.records(stream))
        assert run.bookmark(stream, US) == "2024-02-25T00:00:00+00:00"


def test_a_seller_in_brand_registry_selects_brand_analytics_and_gets_the_simulator_data(sim: Simulator):
    sim.set_faults(account_type="Seller")
    run = run_tap(make_config(sim, end_date="2024-03-01T00:00:00Z"), streams=BRAND_ANALYTICS)
    assert run.error is None, run.stderr[-3000:]
    for stream in BRAND_ANALYTICS:
        want = expected(sim, stream, US, START, "2024-03-01T00:00:00Z")
        assert want and unordered(strip_added(r) for r in run.records(stream)) == unordered(want), stream
    # Not selected, not synced: a seller's sync without a catalog leaves them out.
    sim.clear_requests()
    everything = run_tap(make_config(sim, end_date="2024-01-15T00:00:00Z"))
    assert everything.error is None, everything.stderr[-3000:]
    assert not set(BRAND_ANALYTICS) & {b["reportType"] for b in report_requests(sim.requests)}


# --- the hold-back ----------------------------------------------------------------------------------


def test_windows_and_bookmarks_stop_72_hours_before_now(sim: Simulator):
    before = datetime.now(timezone.utc)
    start = (before - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = vendor_config(sim, start_date=start, end_date=None)
    run = run_tap(config, streams=[TRAFFIC, SEARCH_TERMS])
    after = datetime.now(timezone.utc)
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert {b["reportType"] for b in bodies} == {TRAFFIC, SEARCH_TERMS}
    for body in bodies:
        assert datetime.fromisoformat(body["dataEndTime"]) < after - timedelta(hours=72), body

    def published(period: str) -> set[str]:
        """The newest period boundary Amazon has published (the day may turn during the sync)."""
        return {published_until(at, period).isoformat() for at in (before, after)}

    for state in run.states:
        mark = run.bookmark(TRAFFIC, US, state)
        assert mark is None or datetime.fromisoformat(mark) <= after - timedelta(hours=72)
    assert run.bookmark(TRAFFIC, US) in published("DAY")
    assert run.bookmark(SEARCH_TERMS, US) in published("WEEK")

    # Run again at once, nothing new is published: nothing is requested.
    sim.clear_requests()
    again = run_tap(config, streams=[TRAFFIC], state=run.last_state)
    assert again.error is None, again.stderr[-3000:]
    # Nothing requested, unless the day turned during the test.
    assert report_requests(sim.requests) == [] or again.bookmark(TRAFFIC, US) != run.bookmark(TRAFFIC, US)


def test_the_next_days_sync_re_reads_the_look_back_and_stays_behind_the_hold_back(sim: Simulator):
    now = datetime.now(timezone.utc)
    start = (now - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Yesterday's sync: its bookmark is a day before what Amazon has published by now.
    yesterday = run_tap(
        vendor_config(sim, start_date=start, end_date=(now - timedelta(days=4)).isoformat()), streams=[TRAFFIC]
    )
    assert yesterday.error is None, yesterday.stderr[-3000:]
    bookmark = datetime.fromisoformat(str(yesterday.bookmark(TRAFFIC, US)))
    sim.clear_requests()
    today = run_tap(vendor_config(sim, start_date=start, end_date=None), streams=[TRAFFIC], state=yesterday.last_state)
    after = datetime.now(timezone.utc)
    assert today.error is None, today.stderr[-3000:]
    windows = [(b["dataStartTime"], b["dataEndTime"]) for b in report_requests(sim.requests)]
    # The last three days again (lookback_days), then the new day: whole days, Amazon's end inclusive.
    day = "%Y-%m-%dT%H:%M:%SZ"
    assert windows[0] == ((bookmark - timedelta(days=3)).strftime(day), (bookmark - timedelta(seconds=1)).strftime(day))
    assert windows[1][0] == bookmark.strftime(day)
    published = {published_until(at, "DAY").isoformat() for at in (now, after)}
    assert today.bookmark(TRAFFIC, US) in published
    assert BY_STREAM[TRAFFIC].window.hold_back == timedelta(hours=72)


# --- report options ---------------------------------------------------------------------------------

BAD_OPTIONS: list[tuple[str, str, dict[str, str], str]] = [
    (
        "distributor view that is not one",
        SALES,
        {"distributorView": "RETAIL"},
        f"report_options.{SALES}.distributorView",
    ),
    ("report period Amazon does not have", TRAFFIC, {"reportPeriod": "HOUR"}, f"report_options.{TRAFFIC}.reportPeriod"),
    (
        "selling program the inventory report lacks",
        "GET_VENDOR_INVENTORY_REPORT",
        {"sellingProgram": "BUSINESS"},
        "report_options.GET_VENDOR_INVENTORY_REPORT.sellingProgram",
    ),
    (
        "margin by the hour",
        "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT_AGGREGATE",
        {"reportPeriod": "HOUR"},
        "report_options.GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT_AGGREGATE.reportPeriod",
    ),
    (
        "repeat purchases by the day",
        REPEAT_PURCHASE,
        {"reportPeriod": "DAY"},
        f"report_options.{REPEAT_PURCHASE}.reportPeriod",
    ),
    ("search terms by year", SEARCH_TERMS, {"reportPeriod": "YEAR"}, f"report_options.{SEARCH_TERMS}.reportPeriod"),
    (
        "misspelt option name",
        SALES + "_AGGREGATE",
        {"reportperiod": "WEEK"},
        f"report_options.{SALES}_AGGREGATE.reportperiod",
    ),
]


def test_bad_report_options_fail_with_one_line_naming_the_option_and_no_request(simulator: Simulator):
    simulator.reset()

    def one(index: int, stream: str, options: dict[str, str]) -> TapRun:
        base = f"{simulator.url}/case{index}"
        config = vendor_config(
            simulator,
            sp_api_url=base,
            lwa_token_url=f"{base}/auth/o2/token",
            report_options=[{"stream_name": stream, "options": options}],
        )
        return run_cli(config)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        runs = list(pool.map(lambda case: one(case[0], case[1][1], case[1][2]), enumerate(BAD_OPTIONS)))
    requests = simulator.requests
    simulator.reset()
    assert requests == []
    for (case, _stream, _options, setting), run in zip(BAD_OPTIONS, runs, strict=True):
        assert run.returncode != 0, case
        assert "Traceback" not in run.stderr, case
        lines = run.stderr.splitlines()
        errors = [line for line in lines if "ERROR" in line and "Config validation failed" not in line]
        assert len(errors) == 1, (case, run.stderr)
        assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), (case, errors[0])
        assert run.messages == [], case


def test_weekly_margins_come_in_one_report_of_several_weeks_and_equal_the_simulator_data(sim: Simulator):
    margin = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"
    # A Thursday to a Wednesday: the whole weeks inside, Sunday 2024-05-05 to Saturday 2024-05-25.
    start, end = "2024-05-02T00:00:00Z", "2024-05-29T00:00:00Z"
    config = vendor_config(
        sim,
        start_date=start,
        end_date=end,
        period_in_days=30,
        report_options=[{"stream_name": margin, "options": {"reportPeriod": "WEEK"}}],
    )
    run = run_tap(config, streams=[margin])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert [(b["dataStartTime"], b["dataEndTime"], b["reportOptions"]) for b in bodies] == [
        ("2024-05-05T00:00:00Z", "2024-05-25T23:59:59Z", {"reportPeriod": "WEEK"})
    ]
    want = expected(sim, margin, US, start, end, period=30, options={"reportPeriod": "WEEK"})
    assert [strip_added(r) for r in run.records(margin)] == want
    assert {r["start_date"] for r in want} == {"2024-05-05", "2024-05-12", "2024-05-19"}
    assert all(0 <= r["net_pure_product_margin"] <= 1 for r in want)
    assert run.bookmark(margin, US) == "2024-05-26T00:00:00+00:00"


def test_market_baskets_and_repeat_purchases_span_whole_periods_in_one_request(sim: Simulator):
    # Monthly: 2024-01-10 to 2024-03-20 holds February only; 2024-01-01 to 2024-03-01 January and February.
    cases = {
        MARKET_BASKET: ("2024-01-10T00:00:00Z", "2024-03-20T00:00:00Z"),
        REPEAT_PURCHASE: (START, "2024-03-01T00:00:00Z"),
    }
    for stream, (start, end) in cases.items():
        sim.clear_requests()
        config = vendor_config(
            sim,
            start_date=start,
            end_date=end,
            report_options=[{"stream_name": stream, "options": {"reportPeriod": "MONTH"}}],
        )
        run = run_tap(config, streams=[stream])
        assert run.error is None, run.stderr[-3000:]
        want = expected(sim, stream, US, start, end, options={"reportPeriod": "MONTH"})
        assert want and unordered(strip_added(r) for r in run.records(stream)) == unordered(want), stream
        bodies = [(b["dataStartTime"], b["dataEndTime"]) for b in report_requests(sim.requests)]
        months = sorted({(r["start_date"], r["end_date"]) for r in want})
        assert bodies == [(months[0][0] + "T00:00:00Z", months[-1][1] + "T23:59:59Z")], stream
    assert months == [("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29")]
