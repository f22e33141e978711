"""Vendor reports made from the present: the forecast (history kept) and the real-time hourly reports."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_amazon_sp.catalogue import BY_STREAM
from tests.conftest import make_config
from tests.sim.test_simulator_server import REPORTS, Client
from tests.sim.test_vendor_simulator import MARKETS, MODELS_DIR, RECENT_SCHEMAS
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.data import Dataset
from tests.support.expectations import plain, strip_added
from tests.support.tap_runner import report_requests, run_cli, run_tap

US = "ATVPDKIKX0DER"
FORECAST = "GET_VENDOR_FORECASTING_REPORT"
INVENTORY = "GET_VENDOR_REAL_TIME_INVENTORY_REPORT"
SALES = "GET_VENDOR_REAL_TIME_SALES_REPORT"
TRAFFIC = "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT"
REAL_TIME = [INVENTORY, SALES, TRAFFIC]
HOUR = timedelta(hours=1)


def vendor_config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    return make_config(sim, account_type="Vendor", end_date=None, **overrides)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def whole_hour(moment: datetime) -> bool:
    return moment == moment.replace(minute=0, second=0, microsecond=0)


def key(record: dict[str, Any], stream: str) -> tuple[Any, ...]:
    return tuple(record[name] for name in BY_STREAM[stream].primary_key)


# --- real-time -------------------------------------------------------------------------------------


def test_real_time_reports_read_whole_hours_of_the_last_168_hours_in_windows_of_24_and_equal_the_simulator_data(
    sim: Simulator,
):
    sim.set_faults(account_type="Vendor")
    before = datetime.now(timezone.utc)
    # Ten days back: older than Amazon serves.
    start = (before - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = run_tap(vendor_config(sim, start_date=start), streams=REAL_TIME)
    after = datetime.now(timezone.utc)
    assert run.error is None, run.stderr[-3000:]
    for stream in REAL_TIME:
        bodies = report_requests(sim.requests, stream)
        windows = [(at(b["dataStartTime"]), at(b["dataEndTime"])) for b in bodies]
        assert windows, stream
        assert all(b["marketplaceIds"] == [US] for b in bodies)
        for lower, upper in windows:
            assert whole_hour(lower) and whole_hour(upper) and HOUR <= upper - lower <= timedelta(hours=24), stream
        # Back to back, from the first whole hour inside Amazon's 168 hours (less the tap's margin).
        assert all(a[1] == b[0] for a, b in itertools.pairwise(windows)), stream
        assert after - timedelta(hours=168) <= windows[0][0] <= before - timedelta(hours=166), stream
        # Up to the last whole hour Amazon has published; traffic a full hour before the request.
        last = windows[-1][1]
        if stream == TRAFFIC:
            assert before - timedelta(hours=2, minutes=5) <= last <= after - timedelta(minutes=60), last
        else:
            assert before - timedelta(hours=1, minutes=15) <= last <= after - timedelta(minutes=5), last
        want: list[Any] = []
        for lower, upper in windows:
            want.extend(plain(r) for r in sim.dataset.expected_records(stream, US, lower, upper))
        records = run.records(stream)
        assert want and [strip_added(r) for r in records] == want, stream
        assert {(r["data_start_time"], r["data_end_time"]) for r in records} <= {
            (lower.isoformat(), upper.isoformat()) for lower, upper in windows
        }
        assert run.bookmark(stream, US) == last.isoformat()
        assert f"{stream} {US}: Amazon serves the last 168 hours only: reading from " in run.stderr, stream
    # Sales orders can be cancelled later: some hours have fewer units than cancellations.
    assert all(isinstance(r["ordered_units"], int) for r in run.records(SALES))
    # Without currencyCode the request sends no reportOptions at all.
    assert all("reportOptions" not in b for b in report_requests(sim.requests))


def test_real_time_sales_send_the_currency_code_they_are_given(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    start = (datetime.now(timezone.utc) - timedelta(hours=30)).strftime("%Y-%m-%dT%H:00:00Z")
    config = vendor_config(
        sim, start_date=start, report_options=[{"stream_name": SALES, "options": {"currencyCode": "eur"}}]
    )
    run = run_tap(config, streams=[SALES])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests, SALES)
    # From start_date (inside the 168 hours): no word of the horizon.
    assert bodies[0]["dataStartTime"] == start and "Amazon serves" not in run.stderr
    assert bodies and all(b["reportOptions"] == {"currencyCode": "EUR"} for b in bodies)
    assert run.records(SALES)


# --- the forecast ----------------------------------------------------------------------------------


def test_the_forecast_is_a_snapshot_whose_every_generation_is_kept_under_its_own_key(sim: Simulator):
    sim.set_faults(account_type="Vendor", forecast_generated="2026-11-15")
    first = run_tap(vendor_config(sim), streams=[FORECAST])
    sim.set_faults(forecast_generated="2026-11-22")
    second = run_tap(vendor_config(sim), streams=[FORECAST])
    for run in (first, second):
        assert run.error is None, run.stderr[-3000:]
    # No window: the request names only the selling program, RETAIL by default.
    bodies = report_requests(sim.requests, FORECAST)
    assert (
        bodies == [{"reportType": FORECAST, "marketplaceIds": [US], "reportOptions": {"sellingProgram": "RETAIL"}}] * 2
    )
    now = datetime.now(timezone.utc)
    for run, generated in ((first, "2026-11-15"), (second, "2026-11-22")):
        want = [
            plain(r)
            for r in sim.dataset.expected_records(
                FORECAST, US, now, now, {"sellingProgram": "RETAIL"}, datetime.fromisoformat(generated).date()
            )
        ]
        records = run.records(FORECAST)
        assert want and [{k: v for k, v in strip_added(r).items() if k != "selling_program"} for r in records] == want
        assert {r["forecast_generation_date"] for r in records} == {generated}
        assert {r["selling_program"] for r in records} == {"RETAIL"}
        assert all(r["data_start_time"] is None for r in records)
        assert run.bookmark(FORECAST, US) is None
    # Upserted by key, the second sync adds its forecast next to the first instead of replacing it.
    first_keys = {key(r, FORECAST) for r in first.records(FORECAST)}
    second_keys = {key(r, FORECAST) for r in second.records(FORECAST)}
    assert len(first_keys) == len(first.records(FORECAST)) and not first_keys & second_keys
    # The same weeks forecast twice, by two generations.
    weeks = {k[4] for k in first_keys} & {k[4] for k in second_keys}
    assert weeks


def test_a_fresh_vendor_gets_the_fresh_forecast_under_its_program(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    config = vendor_config(sim, report_options=[{"stream_name": FORECAST, "options": {"sellingProgram": "fresh"}}])
    run = run_tap(config, streams=[FORECAST])
    assert run.error is None, run.stderr[-3000:]
    assert [b["reportOptions"] for b in report_requests(sim.requests)] == [{"sellingProgram": "FRESH"}]
    records = run.records(FORECAST)
    assert records and {r["selling_program"] for r in records} == {"FRESH"}


@pytest.mark.parametrize(
    ("stream", "options", "setting"),
    [
        (FORECAST, {"sellingProgram": "BUSINESS"}, f"report_options.{FORECAST}.sellingProgram"),
        (FORECAST, {"reportPeriod": "WEEK"}, f"report_options.{FORECAST}.reportPeriod"),
        (SALES, {"currencyCode": "DOLLARS"}, f"report_options.{SALES}.currencyCode"),
    ],
)
def test_a_bad_option_is_one_line_naming_it_before_any_request(
    sim: Simulator, stream: str, options: dict[str, str], setting: str
):
    run = run_cli(vendor_config(sim, report_options=[{"stream_name": stream, "options": options}]))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1, run.stderr
    assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), errors[0]
    assert sim.requests == [] and run.messages == []


# --- the simulator: Amazon's schemas, and what Amazon refuses --------------------------------------


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize("report_type", sorted(RECENT_SCHEMAS))
def test_generated_documents_conform_to_amazons_report_schema(report_type: str):
    validator = Draft7Validator(
        json.loads((MODELS_DIR / RECENT_SCHEMAS[report_type]).read_text()), format_checker=FormatChecker()
    )
    dataset = Dataset(seed=3, rows=40)
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    for market in MARKETS:
        for options in ({"sellingProgram": "RETAIL"}, {"sellingProgram": "FRESH"}, {"currencyCode": "EUR"}, {}):
            if (report_type == FORECAST) != ("sellingProgram" in options):
                continue
            document = dataset.document(report_type, market, end - timedelta(hours=24), end, options)
            assert document is not None, (market, options)
            body = json.loads(document.body)
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
            assert errors == [], (market, options, errors[:5])
            rows = body["forecastByAsin" if report_type == FORECAST else "reportData"]
            assert len(rows) > 20, (market, options)


def _hours_ago(hours: float) -> str:
    """A time `hours` before the last whole hour: a whole hour unless `hours` has a fraction."""
    moment = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# (case, report type, its window in hours before now (None: no window), other fields of the body);
# windows are worked out when the test runs, the clock having moved since collection.
REFUSED: list[tuple[str, str, tuple[float, float] | None, dict[str, Any]]] = [
    ("start past 168 hours", INVENTORY, (170, 160), {}),
    ("over 24 hours", SALES, (40, 15), {}),
    ("part of an hour", SALES, (4.5, 2), {}),
    ("traffic too recent", TRAFFIC, (5, 0), {}),
    ("two marketplaces", INVENTORY, (5, 2), {"marketplaceIds": [US, "A2EUQ1WTGCTBG2"]}),
    ("no selling program", FORECAST, None, {}),
    ("a selling program forecasts do not have", FORECAST, None, {"reportOptions": {"sellingProgram": "BUSINESS"}}),
]


def request_body(report_type: str, hours: tuple[float, float] | None, extra: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [US]}
    if hours is not None:
        body.update(dataStartTime=_hours_ago(hours[0]), dataEndTime=_hours_ago(hours[1]))
    return {**body, **extra}


@pytest.mark.parametrize(("case", "report_type", "hours", "extra"), REFUSED, ids=[case[0] for case in REFUSED])
def test_the_simulator_ends_fatal_what_amazon_refuses(
    simulator: Simulator, case: str, report_type: str, hours: tuple[float, float] | None, extra: dict[str, Any]
):
    simulator.reset()
    simulator.set_faults(account_type="Vendor")
    client = Client(simulator)
    try:
        reply = client.call("POST", f"{REPORTS}/reports", json=request_body(report_type, hours, extra))
        assert reply.status_code == 202, reply.text
        report, _seen = client.wait(reply.json()["reportId"])
        error = json.loads(gzip.decompress(client.download(report["reportDocumentId"]).content))
        violations = simulator.violations
    finally:
        simulator.reset()
    assert report["processingStatus"] == "FATAL", case
    assert error["errorDetails"] and len(violations) == 1, (case, violations)


def test_the_simulator_builds_the_same_requests_within_the_rules(sim: Simulator):
    sim.set_faults(account_type="Vendor")
    client = Client(sim)
    bodies = [
        request_body(INVENTORY, (166, 142), {}),
        request_body(TRAFFIC, (5, 1), {}),
        request_body(FORECAST, None, {"reportOptions": {"sellingProgram": "RETAIL"}}),
    ]
    for body in bodies:
        reply = client.call("POST", f"{REPORTS}/reports", json=body)
        report, _seen = client.wait(reply.json()["reportId"])
        assert report["processingStatus"] == "DONE", body
