"""Brand Analytics search performance through HTTP: Search Catalog Performance (SCP) and Search Query
Performance (SQP), one reporting period and one marketplace a request, SQP's ASINs 200 characters a
request at most, found with SCP when the config names none."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_amazon_sp.catalogue import BY_STREAM, SEARCH_CATALOG_PERFORMANCE, SEARCH_QUERY_PERFORMANCE, Account
from tests.conftest import make_config
from tests.sim.test_kill_resume import keyed, run_until
from tests.sim.test_simulator_server import REPORTS, Client
from tests.sim.test_vendor import discovered
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.data import Dataset
from tests.spapi_simulator.report_families.search_performance import tap_record
from tests.support.expectations import analytics_periods, expected, plain, strip_added
from tests.support.tap_runner import TapRun, report_requests, run_cli, run_tap

US = "ATVPDKIKX0DER"
SQP = SEARCH_QUERY_PERFORMANCE
SCP = SEARCH_CATALOG_PERFORMANCE
# Three whole weeks, Sunday 2024-01-07 to Saturday 2024-01-27, inside a Wednesday-to-Monday range.
START, END = "2024-01-03T00:00:00Z", "2024-01-29T00:00:00Z"
WEEKS = [
    ("2024-01-07T00:00:00Z", "2024-01-13T23:59:59Z"),
    ("2024-01-14T00:00:00Z", "2024-01-20T23:59:59Z"),
    ("2024-01-21T00:00:00Z", "2024-01-27T23:59:59Z"),
]


def brand_asins(sim: Simulator, lower: datetime, last: datetime, period: str) -> list[str]:
    """The brand's ASINs with search data in a period, as the simulator's SCP report lists them."""
    rows = sim.dataset.expected_records(SCP, US, lower, last, {"reportPeriod": period})
    return sorted({row["asin"] for row in rows})


def sqp_expected(sim: Simulator, start: str, end: str, asins: list[str] | None = None, period: str = "WEEK"):
    """The SQP records of a sync, in order, and the ASIN parts of each period: the given ASINs (else the
    brand's, sorted), 18 a request (18 ten-character ASINs and 17 spaces: 197 characters)."""
    records: list[dict[str, Any]] = []
    parts: dict[str, list[str]] = {}
    for lower, upper in analytics_periods(BY_STREAM[SQP], start, end, {"reportPeriod": period}):
        last = upper - timedelta(seconds=1)
        chosen = asins if asins is not None else brand_asins(sim, lower, last, period)
        period_parts = [" ".join(chosen[i : i + 18]) for i in range(0, len(chosen), 18)]
        parts[lower.strftime("%Y-%m-%dT%H:%M:%SZ")] = period_parts
        for part in period_parts:
            options = {"reportPeriod": period, "asin": part}
            records.extend(plain(r) for r in sim.dataset.expected_records(SQP, US, lower, last, options))
    return records, parts


def options(stream: str, **given: str) -> list[dict[str, Any]]:
    return [{"stream_name": stream, "options": given}]


# --- discovery --------------------------------------------------------------------------------------


def test_both_streams_are_listed_for_sellers_and_vendors_and_not_selected_by_default(sim: Simulator, tmp_path: Path):
    for account in ("Seller", "Vendor"):
        catalog = discovered(make_config(sim, account_type=account), tmp_path)
        for stream in (SQP, SCP):
            root = next(m["metadata"] for m in catalog[stream]["metadata"] if m["breadcrumb"] == [])
            assert root["selected-by-default"] is False and root.get("selected") is not True, (account, stream)
        properties = catalog[SQP]["schema"]["properties"]
        # Amazon's metric objects are columns, typed from its schema.
        assert properties["search_query_volume"]["type"] == ["integer", "null"]
        assert properties["asin_click_share"]["type"] == ["number", "null"]
        assert properties["total_median_purchase_price_currency_code"]["type"] == ["string", "null"]
        assert catalog[SQP]["key_properties"] == [
            "account_id",
            "marketplace_id",
            "start_date",
            "end_date",
            "asin",
            "search_query",
        ]
        assert catalog[SCP]["key_properties"] == ["account_id", "marketplace_id", "start_date", "end_date", "asin"]
        assert catalog[SCP]["schema"]["properties"]["purchase_conversion_rate"]["type"] == ["number", "null"]
    assert BY_STREAM[SQP].account is BY_STREAM[SCP].account is Account.BRAND_OWNERS
    assert sim.requests == []


# --- Search Catalog Performance ---------------------------------------------------------------------


def test_catalog_performance_is_one_whole_week_a_request_and_equals_the_simulator_data(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    run = run_tap(make_config(sim, account_type="Vendor", start_date=START, end_date=END), streams=[SCP])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert [(b["dataStartTime"], b["dataEndTime"]) for b in bodies] == WEEKS
    assert all(b["marketplaceIds"] == [US] and b["reportOptions"] == {"reportPeriod": "WEEK"} for b in bodies)
    want = expected(sim, SCP, US, START, END)
    assert len({r["start_date"] for r in want}) == 3
    assert [strip_added(r) for r in run.records(SCP)] == want
    assert run.bookmark(SCP, US) == "2024-01-28T00:00:00+00:00"


def test_catalog_performance_by_month_for_the_asins_option(sim: Simulator):
    chosen = brand_asins(
        sim,
        datetime.fromisoformat("2024-02-01T00:00:00+00:00"),
        datetime.fromisoformat("2024-02-29T23:59:59+00:00"),
        "MONTH",
    )[:5]
    given = {"reportPeriod": "MONTH", "asins": ",".join(a.lower() for a in chosen)}
    config = make_config(
        sim, start_date="2024-01-10T00:00:00Z", end_date="2024-04-01T00:00:00Z", report_options=options(SCP, **given)
    )
    run = run_tap(config, streams=[SCP])
    assert run.error is None, run.stderr[-3000:]
    sent = {"reportPeriod": "MONTH", "asins": " ".join(chosen)}  # upper case, one space apart
    bodies = report_requests(sim.requests)
    # January is not whole from the 10th: February and March, one month a request.
    assert [(b["dataStartTime"], b["dataEndTime"], b["reportOptions"]) for b in bodies] == [
        ("2024-02-01T00:00:00Z", "2024-02-29T23:59:59Z", sent),
        ("2024-03-01T00:00:00Z", "2024-03-31T23:59:59Z", sent),
    ]
    want = expected(sim, SCP, US, "2024-01-10T00:00:00Z", "2024-04-01T00:00:00Z", options=sent)
    assert want and {r["asin"] for r in want} <= set(chosen)
    assert [strip_added(r) for r in run.records(SCP)] == want


# --- Search Query Performance -----------------------------------------------------------------------


def test_query_performance_splits_the_given_asins_into_requests_of_at_most_200_characters(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    week = WEEKS[0]
    lower, last = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in week)
    # The brand's ASINs with data, then others that are not the brand's: 40 ASINs, three requests.
    asins = brand_asins(sim, lower, last, "WEEK") + [f"B0OTHER{n:03d}" for n in range(20)]
    asins = asins[:40]
    assert len(asins) == 40
    config = make_config(
        sim,
        account_type="Vendor",
        start_date=week[0],
        end_date="2024-01-14T00:00:00Z",
        report_options=options(SQP, asin=" ".join(asins)),
    )
    run = run_tap(config, streams=[SQP])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert {b["reportType"] for b in bodies} == {SQP}  # the ASINs are given: no SCP report
    sent = [b["reportOptions"]["asin"] for b in bodies]
    assert [len(part.split()) for part in sent] == [18, 18, 4]
    assert all(len(part) <= 200 for part in sent)
    assert " ".join(sent).split() == asins  # every ASIN once, in the given order
    assert all((b["dataStartTime"], b["dataEndTime"]) == week and b["marketplaceIds"] == [US] for b in bodies)
    want, _parts = sqp_expected(sim, week[0], "2024-01-14T00:00:00Z", asins)
    assert len({r["asin"] for r in want}) > 18  # rows of more than one request
    assert [strip_added(r) for r in run.records(SQP)] == want
    assert run.bookmark(SQP, US) == "2024-01-14T00:00:00+00:00"
    assert "pending_reports" not in json.dumps(run.last_state)


def test_query_performance_finds_the_brands_asins_with_one_catalog_report_a_period(sim: Simulator):
    sim.set_faults(account_type="Seller")
    run = run_tap(make_config(sim, start_date=START, end_date=END), streams=[SQP])
    assert run.error is None, run.stderr[-3000:]
    want, parts = sqp_expected(sim, START, END)
    bodies = report_requests(sim.requests)
    listings = [b for b in bodies if b["reportType"] == SCP]
    # One SCP report per week, for all the brand's ASINs (no `asins`), then the week's SQP parts.
    assert [(b["dataStartTime"], b["dataEndTime"], b["reportOptions"]) for b in listings] == [
        (*week, {"reportPeriod": "WEEK"}) for week in WEEKS
    ]
    queries = [b for b in bodies if b["reportType"] == SQP]
    assert [(b["dataStartTime"], b["reportOptions"]["asin"]) for b in queries] == [
        (start, part) for start, week_parts in parts.items() for part in week_parts
    ]
    assert all(len(part) <= 200 for week_parts in parts.values() for part in week_parts)
    assert all(len(week_parts) == 2 for week_parts in parts.values())  # 30 ASINs at most: 18 and the rest
    assert [strip_added(r) for r in run.records(SQP)] == want
    assert run.bookmark(SQP, US) == "2024-01-28T00:00:00+00:00"
    assert run.records(SCP) == []  # the listing reports are read for their ASINs, not emitted
    # The summary counts weeks, not requests: three windows of three listing reports and six parts.
    assert f"{SQP}: {len(want)} records, 3 windows; reports 9 requested" in run.stderr


def test_with_the_catalog_stream_the_listing_report_is_shared_not_requested_twice(sim: Simulator):
    run = run_tap(make_config(sim, start_date=START, end_date=END), streams=[SQP, SCP])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert len([b for b in bodies if b["reportType"] == SCP]) == len(WEEKS)
    want, parts = sqp_expected(sim, START, END)
    assert len([b for b in bodies if b["reportType"] == SQP]) == sum(len(p) for p in parts.values())
    assert [strip_added(r) for r in run.records(SQP)] == want
    assert [strip_added(r) for r in run.records(SCP)] == expected(sim, SCP, US, START, END)


def test_a_monthly_sync_is_one_month_a_request(sim: Simulator):
    config = make_config(
        sim,
        start_date="2024-01-01T00:00:00Z",
        end_date="2024-03-01T00:00:00Z",
        report_options=options(SQP, reportPeriod="MONTH"),
    )
    run = run_tap(config, streams=[SQP])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    assert sorted({(b["dataStartTime"], b["dataEndTime"]) for b in bodies}) == [
        ("2024-01-01T00:00:00Z", "2024-01-31T23:59:59Z"),
        ("2024-02-01T00:00:00Z", "2024-02-29T23:59:59Z"),
    ]
    assert all(b["reportOptions"]["reportPeriod"] == "MONTH" for b in bodies)
    want, _parts = sqp_expected(sim, "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", period="MONTH")
    assert want and [strip_added(r) for r in run.records(SQP)] == want


# --- failures ----------------------------------------------------------------------------------------

BAD_OPTIONS = [
    (SQP, {"reportPeriod": "DAY"}, f"report_options.{SQP}.reportPeriod"),
    (SQP, {"asin": "B0ABCDEFGH B0SHORT"}, f"report_options.{SQP}.asin"),
    (SCP, {"asins": " ".join(f"B0ASIN{n:04d}" for n in range(19))}, f"report_options.{SCP}.asins"),
    (SCP, {"asin": "B0ABCDEFGH"}, f"report_options.{SCP}.asin"),
]


def test_bad_options_fail_in_one_line_naming_the_option_before_any_request(simulator: Simulator):
    simulator.reset()

    def one(index: int, stream: str, given: dict[str, str]) -> TapRun:
        base = f"{simulator.url}/case{index}"
        config = make_config(
            simulator, sp_api_url=base, lwa_token_url=f"{base}/auth/o2/token", report_options=options(stream, **given)
        )
        return run_cli(config)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        runs = list(pool.map(lambda case: one(case[0], *case[1][:2]), enumerate(BAD_OPTIONS)))
    requests = simulator.requests
    simulator.reset()
    assert requests == []
    for (_stream, given, setting), run in zip(BAD_OPTIONS, runs, strict=True):
        assert run.returncode != 0 and "Traceback" not in run.stderr, given
        errors = [
            line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line
        ]
        assert len(errors) == 1, (given, run.stderr)
        assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), (given, errors[0])
        assert run.messages == [], given


def test_the_simulator_ends_fatal_what_amazon_refuses(simulator: Simulator):
    simulator.reset()
    client = Client(simulator)
    week = {"dataStartTime": "2024-01-07T00:00:00Z", "dataEndTime": "2024-01-13T23:59:59Z", "marketplaceIds": [US]}

    def status(report_type: str, body: dict[str, Any], given: dict[str, str]) -> str:
        reply = client.call(
            "POST", f"{REPORTS}/reports", json={"reportType": report_type, **body, "reportOptions": given}
        )
        assert reply.status_code == 202, reply.text
        report, _seen = client.wait(reply.json()["reportId"])
        return str(report["processingStatus"])

    refused = [
        (SQP, week, {"reportPeriod": "WEEK"}),  # no asin
        (SQP, week, {"reportPeriod": "WEEK", "asin": " ".join(["B0ABCDEFGH"] * 19)}),  # 208 characters
        (SCP, week, {"reportPeriod": "DAY"}),
        (SCP, {**week, "marketplaceIds": [US, "A2EUQ1WTGCTBG2"]}, {"reportPeriod": "WEEK"}),
        # Monday to Sunday, and two weeks.
        (
            SCP,
            {**week, "dataStartTime": "2024-01-08T00:00:00Z", "dataEndTime": "2024-01-14T23:59:59Z"},
            {"reportPeriod": "WEEK"},
        ),
        (SCP, {**week, "dataEndTime": "2024-01-20T23:59:59Z"}, {"reportPeriod": "WEEK"}),
    ]
    try:
        assert [status(*case) for case in refused] == ["FATAL"] * len(refused)
        assert len(simulator.violations) == len(refused)
        fine = {"reportPeriod": "WEEK", "asin": " ".join(["B0ABCDEFGH"] * 18)}  # 197 characters
        assert status(SQP, week, fine) == "DONE"
        assert status(SCP, week, {"reportPeriod": "WEEK"}) == "DONE"
        assert len(simulator.violations) == len(refused)
    finally:
        simulator.reset()


def bookmarked(stream: str, at: str) -> dict[str, Any]:
    """A state whose bookmark of `stream` in the US is `at`."""
    partition = {"context": {"marketplace_id": US}, "replication_key": "data_end_time", "replication_key_value": at}
    return {"bookmarks": {stream: {"partitions": [partition]}}}


def test_a_fatal_on_the_latest_week_stops_before_it_and_the_next_sync_asks_again(sim: Simulator):
    # Two weeks synced before; the third ends FATAL (Amazon has had outages on the latest week).
    config = make_config(sim, start_date=START, end_date=END, fatal_report_retries=1, lookback_days=0)
    sim.set_faults(fatal={SCP: 2})
    failed = run_tap(config, streams=[SCP], state=bookmarked(SCP, "2024-01-21T00:00:00+00:00"))
    assert failed.error is not None and "ended FATAL 2 times; giving up" in str(failed.error)
    assert failed.records(SCP) == []
    assert failed.bookmark(SCP, US) == "2024-01-21T00:00:00+00:00"
    assert [(b["dataStartTime"], b["dataEndTime"]) for b in report_requests(sim.requests)] == [WEEKS[2]] * 2
    again = run_tap(config, streams=[SCP], state=failed.last_state)
    assert again.error is None, again.stderr[-3000:]
    assert [strip_added(r) for r in again.records(SCP)] == expected(sim, SCP, US, WEEKS[2][0], END)
    assert again.bookmark(SCP, US) == "2024-01-28T00:00:00+00:00"


def test_a_fatal_on_the_latest_week_is_asked_again_by_the_next_sync_and_parts_read_are_kept(sim: Simulator):
    # Two weeks synced before; the third ends FATAL, and parts of it were requested before that.
    state = bookmarked(SQP, "2024-01-21T00:00:00+00:00")
    config = make_config(sim, start_date=START, end_date=END, fatal_report_retries=0, lookback_days=0)
    sim.set_faults(fatal={SQP: 1})
    failed = run_tap(config, streams=[SQP], state=state)
    assert failed.error is not None and "FATAL" in str(failed.error)
    assert failed.records(SQP) == [] or all(r["start_date"] == "2024-01-21" for r in failed.records(SQP))
    assert failed.bookmark(SQP, US) == "2024-01-21T00:00:00+00:00"
    created = report_requests(sim.requests)
    assert [b["dataStartTime"] for b in created] == [WEEKS[2][0]] * len(created)
    pending = {
        key
        for partition in failed.last_state["bookmarks"][SQP]["partitions"]
        for key in partition.get("pending_reports", {})
    }
    week_key = "2024-01-21T00:00:00+00:00/2024-01-28T00:00:00+00:00"
    assert f"{week_key}#asins" in pending and f"{week_key}#1" not in pending
    sim.clear_requests()
    # The next sync asks for that week again: only what did not survive (the FATAL part).
    again = run_tap(config, streams=[SQP], state=failed.last_state)
    assert again.error is None, again.stderr[-3000:]
    want, parts = sqp_expected(sim, WEEKS[2][0], END)
    assert [strip_added(r) for r in again.records(SQP)] == want
    assert again.bookmark(SQP, US) == "2024-01-28T00:00:00+00:00"
    asked = [b.get("reportOptions", {}).get("asin") for b in report_requests(sim.requests)]
    assert asked == [part for n, part in enumerate(parts[WEEKS[2][0]], start=1) if f"{week_key}#{n}" not in pending]
    assert "pending_reports" not in json.dumps(again.last_state)


def test_killed_between_parts_a_rerun_requests_only_the_parts_it_had_not_requested(sim: Simulator, tmp_path: Path):
    week = WEEKS[0]
    lower, last = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in week)
    asins = (brand_asins(sim, lower, last, "WEEK") + [f"B0KILL{n:04d}" for n in range(20)])[:40]  # three parts
    config = make_config(
        sim, start_date=week[0], end_date="2024-01-14T00:00:00Z", report_options=options(SQP, asin=" ".join(asins))
    )
    sim.set_faults(processing_delay=0.5)
    killed_run, killed = run_until(sim, tmp_path, config, None, ("create", 2), streams=(SQP,))
    assert killed
    remembered = {
        key.split("#")[1]
        for partition in (killed_run.last_state.get("bookmarks", {}).get(SQP, {}).get("partitions") or [])
        for key in partition.get("pending_reports", {})
    }
    assert remembered and remembered <= {"1", "2", "3"}
    first = len(report_requests(sim.requests))
    sim.set_faults(processing_delay=0.05)
    rerun, _ = run_until(sim, tmp_path, config, killed_run.last_state, None, streams=(SQP,))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    parts = [" ".join(asins[i : i + 18]) for i in range(0, 40, 18)]
    asked = [b["reportOptions"]["asin"] for b in report_requests(sim.requests)[first:]]
    assert asked == [part for n, part in enumerate(parts, start=1) if str(n) not in remembered]
    union = keyed([killed_run, rerun])
    want, _parts = sqp_expected(sim, week[0], "2024-01-14T00:00:00Z", asins)
    assert want and sorted(map(json.dumps, (strip_added(r) for r in union.values()))) == sorted(map(json.dumps, want))


# --- Amazon's schemas --------------------------------------------------------------------------------

MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spapi-models"
SCHEMAS = {
    SQP: "sellingPartnerSearchQueryPerformanceReport.json",
    SCP: "sellingPartnerSearchCatalogPerformanceReport.json",
}
PERIOD_WINDOWS = {
    "WEEK": ("2024-01-07T00:00:00+00:00", "2024-01-13T23:59:59+00:00"),
    "MONTH": ("2024-02-01T00:00:00+00:00", "2024-02-29T23:59:59+00:00"),
    "QUARTER": ("2024-01-01T00:00:00+00:00", "2024-03-31T23:59:59+00:00"),
}


def schema_of(report_type: str) -> dict[str, Any]:
    return json.loads((MODELS_DIR / SCHEMAS[report_type]).read_text())


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize("report_type", [SQP, SCP])
def test_generated_documents_conform_to_amazons_report_schema(report_type: str):
    validator = Draft7Validator(schema_of(report_type), format_checker=FormatChecker())
    dataset = Dataset(seed=3, rows=40)
    for market in ("ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"):  # USD, EUR, JPY
        for period, (start, end) in PERIOD_WINDOWS.items():
            lower, upper = datetime.fromisoformat(start), datetime.fromisoformat(end)
            given = {"reportPeriod": period}
            if report_type == SQP:
                scp = dataset.expected_records(SCP, market, lower, upper, given)
                given["asin"] = " ".join(sorted(r["asin"] for r in scp)[:18])
            document = dataset.document(report_type, market, lower, upper, given)
            assert document is not None, (market, period)
            body = json.loads(document.body)
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
            assert errors == [], (market, period, errors[:5])
            assert body["dataByAsin"], (market, period)


KINDS = {("integer", None): "i", ("number", None): "d", ("string", "date"): "date", ("string", None): "t"}


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize("report_type", [SQP, SCP])
def test_every_field_of_amazons_rows_is_a_column_of_its_schema_type(report_type: str):
    schema = schema_of(report_type)
    definitions = schema["definitions"]

    def kinds(node: dict[str, Any]) -> dict[str, Any]:
        """Amazon's row with each leaf replaced by the tap's kind of it."""
        if "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        if node.get("type") == "object":
            return {name: kinds(field) for name, field in node["properties"].items()}
        return KINDS[(node["type"], node.get("format"))]  # type: ignore[return-value]

    row = kinds(schema["properties"]["dataByAsin"]["items"])
    # The simulator's reading of the README's naming rule, applied to Amazon's fields.
    assert dict(BY_STREAM[report_type].columns) == tap_record(row)


def test_the_parts_are_requested_before_any_report_of_a_later_stream_so_the_order_never_varies(sim: Simulator):
    terms = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"  # synced after SQP
    config = make_config(sim, start_date=START, end_date=END, max_reports_in_flight=20)
    run = run_tap(config, streams=[SQP, terms])
    assert run.error is None, run.stderr[-3000:]
    _want, parts = sqp_expected(sim, START, END)
    created = [(b["reportType"], b["dataStartTime"]) for b in report_requests(sim.requests)]
    # The listing reports (planned), then the parts they named, then the later stream's reports: however
    # fast each report is built, reports are created in this one order.
    assert created == (
        [(SCP, week[0]) for week in WEEKS]
        + [(SQP, start) for start, week_parts in parts.items() for _part in week_parts]
        + [(terms, week[0]) for week in WEEKS]
    )
