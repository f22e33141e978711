"""Coupons and promotions (windows of start dates in reportOptions) and account health (a snapshot), through HTTP."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_amazon_sp.catalogue import BY_STREAM
from tests.conftest import make_config
from tests.sim.test_simulator_server import REPORTS, Client
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.data import Dataset
from tests.support.expectations import strip_added
from tests.support.tap_runner import report_requests, run_cli, run_tap

US = "ATVPDKIKX0DER"
COUPONS = "GET_COUPON_PERFORMANCE_REPORT"
PROMOTIONS = "GET_PROMOTION_PERFORMANCE_REPORT"
HEALTH = "GET_V2_SELLER_PERFORMANCE_REPORT"
STATUSES = "GET_V2_SELLER_PERFORMANCE_REPORT_ACCOUNT_STATUSES"
DATES = {
    COUPONS: ("couponStartDateFrom", "couponStartDateTo"),
    PROMOTIONS: ("promotionStartDateFrom", "promotionStartDateTo"),
}
MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spapi-models"


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def started(sim: Simulator, report_type: str, first: datetime, last: datetime) -> list[dict[str, Any]]:
    """The records of the simulator's coupons (promotions) that started in [first, last], each column present."""
    declared = dict.fromkeys(name for name, _kind in BY_STREAM[report_type].columns)
    return [strip_added({**declared, **row}) for row in sim.dataset.promotions_started(report_type, US, first, last)]


def option_windows(bodies: list[dict[str, Any]], report_type: str) -> list[tuple[datetime, datetime]]:
    first, last = DATES[report_type]
    return [(at(b["reportOptions"][first]), at(b["reportOptions"][last])) for b in bodies]


def test_coupons_and_promotions_come_by_start_date_in_30_days_of_options_and_equal_the_simulator_data(sim: Simulator):
    today = midnight(datetime.now(timezone.utc))
    start = today - timedelta(days=75)
    run = run_tap(make_config(sim, start_date=text(start), end_date=None), streams=[COUPONS, PROMOTIONS])
    assert run.error is None, run.stderr[-3000:]
    for report_type in (COUPONS, PROMOTIONS):
        bodies = report_requests(sim.requests, report_type)
        # Amazon reads the window from the options only: no data times are sent.
        assert all("dataStartTime" not in b and "dataEndTime" not in b for b in bodies)
        windows = option_windows(bodies, report_type)
        # Consecutive whole UTC days, both ends included, 30 days at most; today waits.
        assert windows[0][0] == start and windows[-1][1] == today - timedelta(seconds=1), windows
        assert all(b[0] == a[1] + timedelta(seconds=1) for a, b in itertools.pairwise(windows))
        assert all(last - first < timedelta(days=30) for first, last in windows)
        assert len(windows) == 3
        want = started(sim, report_type, start, today - timedelta(seconds=1))
        assert want and [strip_added(r) for r in run.records(report_type)] == want, report_type
        assert all(r["marketplace_id"] == US for r in run.records(report_type))
        assert run.bookmark(report_type, US) == today.isoformat()


def test_the_next_sync_reads_again_the_coupons_that_started_in_the_last_91_days(sim: Simulator):
    today = midnight(datetime.now(timezone.utc))
    bookmark = today - timedelta(days=10)
    state = {
        "bookmarks": {
            COUPONS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "data_end_time",
                        "replication_key_value": bookmark.isoformat(),
                    }
                ]
            }
        }
    }
    config = make_config(sim, start_date=text(today - timedelta(days=700)), end_date=None)
    run = run_tap(config, streams=[COUPONS], state=state)
    assert run.error is None, run.stderr[-3000:]
    windows = option_windows(report_requests(sim.requests, COUPONS), COUPONS)
    # Coupons run up to 90 days and their figures grow until then: 91 days before the bookmark.
    assert windows[0][0] == bookmark - timedelta(days=91) and windows[-1][1] == today - timedelta(seconds=1)
    want = started(sim, COUPONS, bookmark - timedelta(days=91), today - timedelta(seconds=1))
    assert [strip_added(r) for r in run.records(COUPONS)] == want
    assert run.bookmark(COUPONS, US) == today.isoformat()


def test_a_start_date_older_than_two_years_starts_at_the_oldest_start_amazon_serves(sim: Simulator):
    now = datetime.now(timezone.utc)
    run = run_tap(make_config(sim, start_date=text(now - timedelta(days=3 * 365)), end_date=None), streams=[PROMOTIONS])
    assert run.error is None, run.stderr[-3000:]
    windows = sorted(option_windows(report_requests(sim.requests, PROMOTIONS), PROMOTIONS))
    # The simulator ends an older one FATAL (a violation, which the fixture would report).
    two_years = now.replace(year=now.year - 2)
    assert two_years < windows[0][0] <= two_years + timedelta(days=2)
    assert len(windows) == 25


@pytest.mark.parametrize(
    ("stream", "options", "setting"),
    [
        (COUPONS, {"couponStartDateFrom": "2025-01-01T00:00:00Z"}, f"report_options.{COUPONS}.couponStartDateFrom"),
        (PROMOTIONS, {"reportPeriod": "WEEK"}, f"report_options.{PROMOTIONS}.reportPeriod"),
    ],
)
def test_report_options_of_a_coupon_or_promotion_stream_fail_in_one_line_before_any_request(
    sim: Simulator, stream: str, options: dict[str, str], setting: str
):
    run = run_cli(make_config(sim, report_options=[{"stream_name": stream, "options": options}]))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1, run.stderr
    assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), errors[0]
    assert sim.requests == [] and run.messages == []


def test_account_health_is_one_snapshot_report_read_as_metrics_and_statuses(sim: Simulator):
    run = run_tap(make_config(sim), streams=[HEALTH, STATUSES])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests)
    # Both streams read the same report; a snapshot names no window.
    assert bodies == [{"reportType": HEALTH, "marketplaceIds": [US]}]
    for stream in (HEALTH, STATUSES):
        want = [strip_added(r) for r in sim.expected_records(stream, US, None, None)]
        assert want and [strip_added(r) for r in run.records(stream)] == want, stream
        assert run.bookmark(stream, US) is None
    metrics = run.records(HEALTH)[0]
    assert metrics["order_defect_rate"]["afn"]["order_with_defects"]["count"] >= 0
    assert metrics["account_health_rating"]["ahr_status"] in ("GREAT", "WARNED")
    assert run.records(STATUSES)[0]["status"] in ("NORMAL", "AT_RISK", "DEACTIVATED")


# --- the simulator ----------------------------------------------------------------------------------


@pytest.mark.skipif(not MODELS_DIR.is_dir(), reason="../shared/spapi-models is not here")
@pytest.mark.parametrize(
    ("report_type", "schema"), [(COUPONS, "sellerCouponReport.json"), (PROMOTIONS, "promotionReport.json")]
)
def test_coupon_and_promotion_documents_conform_to_amazons_report_schema(report_type: str, schema: str):
    validator = Draft7Validator(json.loads((MODELS_DIR / schema).read_text()), format_checker=FormatChecker())
    first, last = DATES[report_type]
    for market in ("ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"):
        options = {first: "2025-03-01T00:00:00Z", last: "2025-05-31T23:59:59Z"}
        document = Dataset(seed=3).document(report_type, market, None, None, options)
        assert document is not None
        body = json.loads(document.body)
        assert body[(report_type == COUPONS and "coupons") or "promotions"], market
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert errors == [], (market, errors[:5])


def test_a_coupon_or_promotion_report_without_its_options_or_over_two_years_back_ends_fatal(simulator: Simulator):
    simulator.reset()
    client = Client(simulator)
    old = text(datetime.now(timezone.utc) - timedelta(days=2 * 365 + 5))
    cases = [
        (COUPONS, {}, "Please provide report options couponStartDateFrom and couponStartDateTo"),
        (PROMOTIONS, {"promotionStartDateFrom": "2025-01-01"}, "in the standard ISO-8601 zoned date and time format"),
        (COUPONS, {"couponStartDateFrom": old, "couponStartDateTo": text(datetime.now(timezone.utc))}, "two years"),
    ]
    try:
        for report_type, options, reason in cases:
            body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [US]}
            if options:
                body["reportOptions"] = options
            reply = client.call("POST", f"{REPORTS}/reports", json=body)
            assert reply.status_code == 202, reply.text
            report, _seen = client.wait(reply.json()["reportId"])
            assert report["processingStatus"] == "FATAL", options
            error = json.loads(gzip.decompress(client.download(report["reportDocumentId"]).content))
            assert reason in error["errorDetails"], (options, error)
        violations = simulator.violations
    finally:
        simulator.reset()
    assert len(violations) == len(cases)
