"""The simulator's vendor and Brand Analytics reports: Amazon's schemas, and the requests Amazon ends FATAL.

The schema checks read Amazon's report schemas in ``../shared/spapi-models`` (next to the
repository) and skip when that folder is absent, as on a plain clone.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_amazon_sp.catalogue import VENDOR_REPORTS, ReportSpec
from tap_amazon_sp.records import snake
from tests.sim.test_simulator_server import REPORTS, Client
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.data import Dataset
from tests.spapi_simulator.vendor_data import (
    MARKET_BASKET,
    REPEAT_PURCHASE,
    REQUIRED_OPTIONS,
    SEARCH_TERMS,
    VENDOR_INVENTORY,
    VENDOR_MARGIN,
    VENDOR_SALES,
    VENDOR_TRAFFIC,
)

MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spapi-models"
SCHEMAS = {
    VENDOR_SALES: "vendorSalesReport.json",
    VENDOR_INVENTORY: "vendorInventoryReport.json",
    VENDOR_TRAFFIC: "vendorTrafficReport.json",
    VENDOR_MARGIN: "vendorNetPureProductMarginReport.json",
    SEARCH_TERMS: "sellingPartnerSearchTermsReport.json",
    MARKET_BASKET: "sellingPartnerMarketBasketAnalysisReport.json",
    REPEAT_PURCHASE: "sellingPartnerRepeatPurchaseReport.json",
}
# Made from the present, without a reportPeriod: tests/sim/test_vendor_recent.py checks their documents.
RECENT_SCHEMAS = {
    "GET_VENDOR_FORECASTING_REPORT": "vendorForecastingReport.json",
    "GET_VENDOR_REAL_TIME_INVENTORY_REPORT": "vendorRealTimeInventoryReport.json",
    "GET_VENDOR_REAL_TIME_SALES_REPORT": "vendorRealTimeSalesReport.json",
    "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT": "vendorRealTimeTrafficReport.json",
}
MARKETS = ("ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528")  # USD, EUR, JPY


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def option_sets(report_type: str) -> list[dict[str, str]]:
    """Every value of every option, each at least once, with periods (of the type's) that fit the windows below."""
    allowed = REQUIRED_OPTIONS[report_type]
    periods = (
        ("WEEK",)
        if report_type == SEARCH_TERMS
        else tuple(p for p in ("DAY", "WEEK", "MONTH") if p in allowed["reportPeriod"])
    )
    longest = max((len(values) for name, values in allowed.items() if name != "reportPeriod"), default=1)
    sets = []
    for i in range(max(longest, len(periods))):
        chosen = {name: values[i % len(values)] for name, values in allowed.items() if name != "reportPeriod"}
        sets.append({"reportPeriod": periods[i % len(periods)], **chosen})
    return sets


def windows_for(options: dict[str, str]) -> tuple[datetime, datetime]:
    # Sunday 2024-01-07 .. Saturday 2024-01-13 is a day run, a week, and within January.
    if options["reportPeriod"] == "MONTH":
        return at("2024-01-01T00:00:00"), at("2024-02-29T23:59:59")
    return at("2024-01-07T00:00:00"), at("2024-01-13T23:59:59")


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize("report_type", sorted(SCHEMAS))
def test_generated_documents_conform_to_amazons_report_schema(report_type: str):
    schema = json.loads((MODELS_DIR / SCHEMAS[report_type]).read_text())
    validator = Draft7Validator(schema, format_checker=FormatChecker())
    dataset = Dataset(seed=3, rows=40)
    checked = 0
    for market in MARKETS:
        for options in option_sets(report_type):
            start, end = windows_for(options)
            document = dataset.document(report_type, market, start, end, options)
            assert document is not None, (market, options)
            body: dict[str, Any] = json.loads(document.body)
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
            assert errors == [], (market, options, errors[:5])
            arrays = [value for key, value in body.items() if key != "reportSpecification"]
            assert all(arrays), (market, options)
            checked += 1
    assert checked >= 3


def test_a_vendor_report_without_its_options_ends_fatal_with_amazons_reason_and_is_a_violation(
    simulator: Simulator,
):
    simulator.reset()
    client = Client(simulator)
    try:
        reply = client.create(VENDOR_SALES, "2024-01-07T00:00:00Z", "2024-01-13T23:59:59Z")
        assert reply.status_code == 202, reply.text
        report, _seen = client.wait(reply.json()["reportId"])
        assert report["processingStatus"] == "FATAL"
        error = json.loads(gzip.decompress(client.download(report["reportDocumentId"]).content))
        assert "requires the reportPeriod, distributorView, sellingProgram reportOption" in error["errorDetails"]
        violations = simulator.violations
    finally:
        simulator.reset()
    assert len(violations) == 1 and VENDOR_SALES in violations[0]


@pytest.mark.parametrize(
    ("report_type", "options", "start", "end"),
    [
        # A WEEK runs Sunday to Saturday.
        (VENDOR_TRAFFIC, {"reportPeriod": "WEEK"}, "2024-01-08T00:00:00Z", "2024-01-13T23:59:59Z"),
        # The end date is inclusive: the next day's midnight names one day too many.
        (VENDOR_TRAFFIC, {"reportPeriod": "WEEK"}, "2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"),
        # Search terms take exactly one period.
        (SEARCH_TERMS, {"reportPeriod": "WEEK"}, "2024-01-07T00:00:00Z", "2024-01-20T23:59:59Z"),
        # A month of market baskets starts on the 1st.
        (MARKET_BASKET, {"reportPeriod": "MONTH"}, "2024-01-02T00:00:00Z", "2024-01-31T23:59:59Z"),
        # Repeat purchases have no DAY period, and none without its option.
        (REPEAT_PURCHASE, {"reportPeriod": "DAY"}, "2024-01-07T00:00:00Z", "2024-01-07T23:59:59Z"),
        (REPEAT_PURCHASE, {}, "2024-01-07T00:00:00Z", "2024-01-13T23:59:59Z"),
    ],
)
def test_a_window_that_is_not_whole_periods_ends_fatal(
    simulator: Simulator, report_type: str, options: dict[str, str], start: str, end: str
):
    simulator.reset()
    client = Client(simulator)
    try:
        body = {
            "reportType": report_type,
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "dataStartTime": start,
            "dataEndTime": end,
            "reportOptions": options,
        }
        reply = client.call("POST", f"{REPORTS}/reports", json=body)
        assert reply.status_code == 202, reply.text
        report, _seen = client.wait(reply.json()["reportId"])
        violations = simulator.violations
    finally:
        simulator.reset()
    assert report["processingStatus"] == "FATAL"
    assert len(violations) == 1


def test_the_same_request_with_whole_periods_is_done(sim: Simulator):
    client = Client(sim)
    reply = client.call(
        "POST",
        f"{REPORTS}/reports",
        json={
            "reportType": VENDOR_TRAFFIC,
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "dataStartTime": "2024-01-07T00:00:00Z",
            "dataEndTime": "2024-01-13T23:59:59Z",
            "reportOptions": {"reportPeriod": "WEEK"},
        },
    )
    report, _seen = client.wait(reply.json()["reportId"])
    assert report["processingStatus"] == "DONE"
    body = json.loads(gzip.decompress(client.download(report["reportDocumentId"]).content))
    assert [row["startDate"] for row in body["trafficAggregate"]] == ["2024-01-07"]


def test_a_vendor_account_is_refused_seller_operations_and_seller_reports(simulator: Simulator):
    simulator.reset()
    simulator.set_faults(account_type="Vendor")
    client = Client(simulator)
    try:
        participations = client.call("GET", "/sellers/v1/marketplaceParticipations")
        listings = client.create("GET_MERCHANT_LISTINGS_ALL_DATA")
        report, _seen = client.wait(listings.json()["reportId"])
        violations = simulator.violations
    finally:
        simulator.reset()
    assert participations.status_code == 403
    assert report["processingStatus"] == "FATAL"
    assert len(violations) == 2, violations


def test_a_seller_account_is_refused_vendor_reports_but_not_brand_analytics(simulator: Simulator):
    simulator.reset()
    simulator.set_faults(account_type="Seller")
    client = Client(simulator)
    statuses: dict[str, str] = {}
    try:
        for report_type in (VENDOR_TRAFFIC, SEARCH_TERMS):
            reply = client.call(
                "POST",
                f"{REPORTS}/reports",
                json={
                    "reportType": report_type,
                    "marketplaceIds": ["ATVPDKIKX0DER"],
                    "reportOptions": {"reportPeriod": "WEEK"},
                    "dataStartTime": "2024-01-07T00:00:00Z",
                    "dataEndTime": "2024-01-13T23:59:59Z",
                },
            )
            statuses[report_type] = client.wait(reply.json()["reportId"])[0]["processingStatus"]
        violations = simulator.violations
    finally:
        simulator.reset()
    assert statuses == {VENDOR_TRAFFIC: "FATAL", SEARCH_TERMS: "DONE"}
    assert len(violations) == 1 and VENDOR_TRAFFIC in violations[0]


KINDS = {
    ("integer", None): "i",
    ("number", None): "d",
    ("string", "date"): "date",
    ("string", "date-time"): "dt",
    ("string", None): "t",
}


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize("spec", VENDOR_REPORTS, ids=[spec.stream for spec in VENDOR_REPORTS])
def test_each_vendor_stream_types_every_field_of_its_array_in_amazons_schema(spec: ReportSpec):
    schema = json.loads((MODELS_DIR / {**SCHEMAS, **RECENT_SCHEMAS}[spec.report_type]).read_text())
    ref = schema["properties"][spec.record_path]["items"]["$ref"]
    fields = schema["definitions"][ref.rsplit("/", 1)[1]]["properties"]
    columns = dict(spec.columns)
    assert set(columns) | set(spec.nested_schema) == {snake(name) for name in fields}
    for name, field in fields.items():
        if "$ref" in field or field.get("type") == "object":  # an amount: {amount, currencyCode}
            nested = spec.nested_schema[snake(name)]["properties"]
            assert nested["amount"]["type"] == ["number", "null"] and nested["currency_code"]["type"] == [
                "string",
                "null",
            ]
        else:
            # TrafficByAsin leaves the date format off startDate and endDate; they hold dates all the same.
            fmt = field.get("format") or ("date" if name in ("startDate", "endDate") else None)
            assert columns[snake(name)] == KINDS[(field["type"], fmt)], name
