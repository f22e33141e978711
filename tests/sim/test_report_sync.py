"""Report streams synced through HTTP against the simulator: records, state and requests."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM, REPORTS
from tap_amazon_sp.records import parse_datetime
from tests.conftest import END, START, make_config
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import report_requests, run_tap

US, JP, DE, FR = "ATVPDKIKX0DER", "A1VC38T7YXB528", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"


@pytest.fixture(scope="module")
def full_us_sync(simulator: Simulator) -> Any:
    simulator.reset()
    run = run_tap(make_config(simulator))
    requests = simulator.requests
    violations = simulator.violations
    simulator.reset()
    return run, requests, violations


# What a seller's sync selects by default (Brand Analytics is opted into: tests/sim/test_vendor.py;
# removed report types request nothing: tests/sim/test_lifecycle.py).
SELLER_REPORTS = tuple(spec for spec in REPORTS if spec.account == "Seller" and not spec.lifecycle.removed)
# Those served for the last two years only (coupons, promotions) have nothing in this 2024 sync:
# tests/sim/test_seller_promotions.py syncs them from recent dates.
FIXED_DATES = tuple(spec for spec in SELLER_REPORTS if spec.window.horizon_years is None)


@pytest.mark.parametrize("stream", [spec.stream for spec in FIXED_DATES if not spec.list_only])
def test_full_sync_of_every_stream_equals_the_simulator_data(full_us_sync: Any, simulator: Simulator, stream: str):
    run, _requests, violations = full_us_sync
    assert run.error is None, run.stderr[-3000:]
    assert violations == []
    want = expected(simulator, stream, US, START, END)
    got = [strip_added(r) for r in run.records(stream)]
    assert len(want) > 0
    assert got == want
    for record in run.records(stream):
        assert record["marketplace_id"] == US
        assert record["data_end_time"]


def test_full_sync_ends_with_a_bookmark_at_the_end_date_for_every_windowed_stream(full_us_sync: Any):
    run, _requests, _ = full_us_sync
    for spec in FIXED_DATES:
        if spec.windowed and not spec.list_only:
            assert run.bookmark(spec.stream, US) == "2024-07-01T00:00:00+00:00", spec.stream


def test_state_is_emitted_after_each_window_and_never_claims_a_window_not_read(full_us_sync: Any):
    # Six months read newest first: each window widens the range loaded back from the end date; the
    # bookmark, which says everything before it is loaded, comes only with the oldest window.
    run, _requests, _ = full_us_sync
    marks: list[tuple[str | None, str | None]] = []
    for state in run.states:
        partition = state["bookmarks"].get(ALL_ORDERS, {}).get("partitions", [{}])[0]
        mark = (partition.get("replication_key_value"), (partition.get("loaded_range") or {}).get("start"))
        if mark != (None, None) and (not marks or marks[-1] != mark):
            marks.append(mark)
    # One mark per 30-day window of Jan..Jun 2024, the range's start going back.
    assert len(marks) == 7
    assert all(bookmark is None for bookmark, _ in marks[:-1])
    starts = [str(start) for _, start in marks[:-1]]
    assert starts == sorted(starts, reverse=True)
    assert marks[-1] == ("2024-07-01T00:00:00+00:00", None)


def test_windows_respect_each_report_types_cap(full_us_sync: Any):
    _run, requests, _ = full_us_sync
    import json

    for request in requests:
        if request.operation != "createReport":
            continue
        body = json.loads(request.body)
        spec = BY_STREAM[body["reportType"]]
        if spec.window.cap_days is None:
            assert "dataStartTime" not in body
            continue
        span = parse_datetime(body["dataEndTime"]) - parse_datetime(body["dataStartTime"])
        assert span.days <= spec.window.cap_days, body


def test_period_in_days_narrows_windows(sim: Simulator):
    run = run_tap(make_config(sim, period_in_days=10, end_date="2024-02-01T00:00:00Z"), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    spans = [
        parse_datetime(b["dataEndTime"]) - parse_datetime(b["dataStartTime"])
        for b in report_requests(sim.requests, ALL_ORDERS)
    ]
    assert len(spans) == 4 and max(s.days for s in spans) == 10
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(
        sim, ALL_ORDERS, US, START, "2024-02-01T00:00:00Z", period=10
    )


def test_second_run_with_state_and_no_look_back_requests_nothing_before_its_bookmark(sim: Simulator):
    first = run_tap(make_config(sim, end_date="2024-03-15T00:00:00Z"), streams=[ALL_ORDERS])
    assert first.error is None, first.stderr
    bookmark = first.bookmark(ALL_ORDERS, US)
    assert bookmark == "2024-03-15T00:00:00+00:00"
    sim.clear_requests()
    second = run_tap(make_config(sim, lookback_days=0), streams=[ALL_ORDERS], state=first.last_state)
    assert second.error is None, second.stderr
    bodies = report_requests(sim.requests, ALL_ORDERS)
    assert bodies and all(parse_datetime(b["dataStartTime"]) >= parse_datetime(bookmark) for b in bodies)
    both = [strip_added(r) for r in first.records(ALL_ORDERS) + second.records(ALL_ORDERS)]
    # The union of the two runs is the whole range, nothing twice.
    full = [strip_added(r) for r in run_tap(make_config(sim), streams=[ALL_ORDERS]).records(ALL_ORDERS)]
    key = lambda r: (r["amazon_order_id"], r["sku"])  # noqa: E731
    assert sorted(both, key=key) == sorted(full, key=key)


def test_cancelled_window_is_logged_emits_nothing_and_the_bookmark_moves_past_it(sim: Simulator):
    run = run_tap(
        make_config(sim, start_date="2024-04-01T00:00:00Z", end_date="2024-05-01T00:00:00Z"), streams=[ALL_ORDERS]
    )
    assert run.error is None, run.stderr
    assert run.records(ALL_ORDERS) == []
    assert "CANCELLED" in run.stderr and "no data for this window" in run.stderr
    assert run.bookmark(ALL_ORDERS, US) == "2024-05-01T00:00:00+00:00"


def test_fatal_report_is_retried_after_a_cooldown_and_then_succeeds(sim: Simulator):
    sim.set_faults(fatal={ALL_ORDERS: 1})
    run = run_tap(make_config(sim, end_date="2024-02-01T00:00:00Z"), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    assert "ended FATAL" in run.stderr
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(
        sim, ALL_ORDERS, US, START, "2024-02-01T00:00:00Z"
    )


def test_fatal_report_fails_the_sync_with_the_error_document_and_never_skips_the_window(sim: Simulator):
    sim.set_faults(fatal={ALL_ORDERS: 3})
    # The first window succeeds; the second goes FATAL every time.
    config = make_config(sim, end_date="2024-03-01T00:00:00Z", fatal_report_retries=1, lookback_days=0)
    sim.set_faults(fatal={})
    first_window = run_tap(make_config(sim, end_date="2024-01-31T00:00:00Z"), streams=[ALL_ORDERS])
    state = first_window.last_state
    sim.set_faults(fatal={ALL_ORDERS: 3})
    run = run_tap(config, streams=[ALL_ORDERS], state=state)
    assert run.error is not None
    message = str(run.error)
    assert ALL_ORDERS in message and "FATAL" in message and "2024-01-31" in message
    assert "report" in message and any(ch.isdigit() for ch in message)
    assert "could not be generated" in message.lower() or "error" in message.lower()
    # State never moved past the window that failed.
    assert all(run.bookmark(ALL_ORDERS, US, s) in (None, "2024-01-31T00:00:00+00:00") for s in run.states)
    assert run.records(ALL_ORDERS) == []


def test_fatal_without_error_document_says_so(sim: Simulator):
    sim.set_faults(fatal={LISTINGS: 5}, fatal_error_document=False)
    run = run_tap(make_config(sim, fatal_report_retries=0), streams=[LISTINGS])
    assert run.error is not None
    assert "no error document" in str(run.error)


def test_throttling_and_server_errors_are_retried_and_lose_nothing(sim: Simulator):
    clean = run_tap(make_config(sim, end_date="2024-03-01T00:00:00Z"), streams=[ALL_ORDERS])
    sim.reset()
    sim.set_faults(
        throttle={"createReport": 2, "getReport": 2, "getReportDocument": 1},
        server_error={"getReport": 1, "getReportDocument": 1},
    )
    run = run_tap(make_config(sim, end_date="2024-03-01T00:00:00Z"), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == [strip_added(r) for r in clean.records(ALL_ORDERS)]
    statuses = [r.status for r in sim.requests]
    assert 429 in statuses and 500 in statuses
    assert "retrying" in run.stderr


def test_token_is_refreshed_before_it_expires_during_a_long_sync(sim: Simulator):
    # Reports run in parallel now: a sync outlives the token only if one report does.
    sim.set_faults(token_ttl=1.0, processing_delay=1.5)
    run = run_tap(make_config(sim), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    grants = [r for r in sim.requests if r.path == "/auth/o2/token"]
    assert len(grants) >= 2
    assert not any(r.status == 403 for r in sim.requests)


def test_token_that_amazon_expires_early_is_refreshed_once_and_the_call_retried(sim: Simulator):
    sim.set_faults(processing_delay=0.5)
    done = threading.Event()

    def expire_after_first_create() -> None:
        while not done.is_set():
            if any(r.operation == "createReport" for r in sim.requests):
                sim.set_faults(expire_tokens=True)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=expire_after_first_create)
    thread.start()
    try:
        run = run_tap(make_config(sim, end_date="2024-02-01T00:00:00Z"), streams=[ALL_ORDERS])
    finally:
        done.set()
        thread.join()
    assert run.error is None, run.stderr
    assert any(r.status == 403 for r in sim.requests)
    assert len([r for r in sim.requests if r.path == "/auth/o2/token"]) == 2


def test_document_download_carries_no_access_token(full_us_sync: Any):
    _run, requests, _ = full_us_sync
    downloads = [r for r in requests if r.path.startswith("/_documents/")]
    assert downloads
    assert all("x-amz-access-token" not in r.headers for r in downloads)
    assert all("authorization" not in r.headers for r in downloads)


def test_jp_documents_decode_cp932_and_japanese_headers_map_to_english(sim: Simulator):
    config = make_config(sim, region="JP")
    run = run_tap(config, streams=[LISTINGS, ALL_ORDERS])
    assert run.error is None, run.stderr
    for stream in (LISTINGS, ALL_ORDERS):
        got = [strip_added(r) for r in run.records(stream)]
        assert got == expected(sim, stream, JP, START, END)
    text = "".join(str(v) for r in run.records() for v in r.values())
    assert "①" in text and "～" in text
    assert "seller_sku" in run.records(LISTINGS)[0]


def test_eu_documents_decode_cp1252(sim: Simulator):
    run = run_tap(make_config(sim, region="DE"), streams=[LISTINGS, ALL_ORDERS])
    assert run.error is None, run.stderr
    for stream in (LISTINGS, ALL_ORDERS):
        assert [strip_added(r) for r in run.records(stream)] == expected(sim, stream, DE, START, END)
    text = "".join(str(v) for r in run.records() for v in r.values())
    assert "€" in text


def test_a_value_starting_with_a_quote_stays_literal(full_us_sync: Any):
    run, _requests, _ = full_us_sync
    values = [v for r in run.records() for v in r.values() if isinstance(v, str)]
    quoted = [v for v in values if v.startswith('"')]
    assert quoted, "the simulator's data has quoted values"
    assert all(v.count('"') >= 2 for v in quoted)


def test_digit_strings_keep_their_leading_zeros(full_us_sync: Any):
    run, _requests, _ = full_us_sync
    postal = [r["ship_postal_code"] for r in run.records(ALL_ORDERS) if r.get("ship_postal_code")]
    assert any(p.startswith("0") for p in postal)


def test_several_marketplaces_of_one_host_have_their_own_bookmarks(sim: Simulator):
    config = make_config(sim, region="DE", marketplace_ids=[DE, FR], end_date="2024-02-01T00:00:00Z")
    run = run_tap(config, streams=[REIMBURSEMENTS])
    assert run.error is None, run.stderr
    for market in (DE, FR):
        rows = [r for r in run.records(REIMBURSEMENTS) if r["marketplace_id"] == market]
        assert [strip_added(r) for r in rows] == expected(sim, REIMBURSEMENTS, market, START, "2024-02-01T00:00:00Z")
        assert run.bookmark(REIMBURSEMENTS, market) == "2024-02-01T00:00:00+00:00"
    assert {tuple(b["marketplaceIds"]) for b in report_requests(sim.requests)} == {(DE,), (FR,)}


@pytest.mark.parametrize("stream", [spec.stream for spec in REPORTS if spec.regional])
def test_regional_report_is_requested_once_per_host_and_each_row_lands_in_its_marketplace(sim: Simulator, stream: str):
    end = "2024-03-01T00:00:00Z"
    config = make_config(sim, region="DE", marketplace_ids=[DE, FR], end_date=end)
    run = run_tap(config, streams=[stream])
    assert run.error is None, run.stderr
    # One report per 30-day window for both marketplaces, asked for once, on the host's behalf.
    bodies = report_requests(sim.requests, stream)
    assert [(b["dataStartTime"][:10], b["dataEndTime"][:10]) for b in bodies] == [
        ("2024-01-01", "2024-01-31"),
        ("2024-01-31", "2024-03-01"),
    ]
    assert all(b["marketplaceIds"] == [DE, FR] for b in bodies)
    records = run.records(stream)
    keys = [tuple(r[k] for k in BY_STREAM[stream].primary_key) for r in records]
    assert len(keys) == len(set(keys)), "a row was emitted twice"
    for market in (DE, FR):
        mine = [strip_added(r) for r in records if r["marketplace_id"] == market]
        # The document also holds the host's other marketplaces (UK, IT, ...); none of theirs leak in.
        assert mine == expected(sim, stream, market, START, end)
        assert run.bookmark(stream, market) == "2024-03-01T00:00:00+00:00"
    assert {r["marketplace_id"] for r in records} == {DE, FR}


def test_a_regional_report_catches_up_a_marketplace_added_later(sim: Simulator):
    first = run_tap(make_config(sim, region="DE", end_date="2024-02-01T00:00:00Z"), streams=[ALL_ORDERS])
    assert first.error is None, first.stderr
    sim.clear_requests()
    # No look-back: the windows asserted below are those of the bookmarks alone.
    config = make_config(sim, region="DE", marketplace_ids=[DE, FR], end_date="2024-03-01T00:00:00Z", lookback_days=0)
    second = run_tap(config, streams=[ALL_ORDERS], state=first.last_state)
    assert second.error is None, second.stderr
    # FR starts from the start date, DE from its bookmark: the early window serves FR alone.
    assert [b["dataStartTime"][:10] for b in report_requests(sim.requests, ALL_ORDERS)] == ["2024-01-01", "2024-01-31"]
    # DE's rows of the window its bookmark cut in two come again: the primary key makes that an upsert.
    key = lambda r: (r["amazon_order_id"], r["sku"])  # noqa: E731
    de = {
        key(r): strip_added(r)
        for r in first.records(ALL_ORDERS) + second.records(ALL_ORDERS)
        if r["marketplace_id"] == DE
    }
    assert de == {key(r): r for r in expected(sim, ALL_ORDERS, DE, START, "2024-03-01T00:00:00Z")}
    assert all(r["purchase_date"] >= "2024-01-31" for r in second.records(ALL_ORDERS) if r["marketplace_id"] == DE)
    fr = [strip_added(r) for r in second.records(ALL_ORDERS) if r["marketplace_id"] == FR]
    assert fr == expected(sim, ALL_ORDERS, FR, START, "2024-03-01T00:00:00Z")
    assert second.bookmark(ALL_ORDERS, DE) == second.bookmark(ALL_ORDERS, FR) == "2024-03-01T00:00:00+00:00"


def test_a_regional_report_leaves_a_marketplace_that_is_ahead_alone(sim: Simulator):
    end = "2024-03-01T00:00:00Z"
    first = run_tap(make_config(sim, region="DE", end_date=end), streams=[ALL_ORDERS])
    assert first.error is None, first.stderr
    config = make_config(sim, region="DE", marketplace_ids=[DE, FR], end_date=end)
    second = run_tap(config, streams=[ALL_ORDERS], state=first.last_state)
    assert second.error is None, second.stderr
    # FR is read from the start; DE, already at the end, gets no row twice and its bookmark never moves back.
    assert {r["marketplace_id"] for r in second.records(ALL_ORDERS)} == {FR}
    assert {second.bookmark(ALL_ORDERS, DE, state) for state in second.states} == {"2024-03-01T00:00:00+00:00"}
    assert second.bookmark(ALL_ORDERS, FR) == "2024-03-01T00:00:00+00:00"


FEEDBACK = "GET_SELLER_FEEDBACK_DATA"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"
# How each marketplace's documents spell a date: (seller feedback, ledgers).
LOCAL_DATES = {
    "US": ("{m}/{d}/{yy}", "{mm}/{dd}/{yyyy}"),
    "CA": ("{d}/{m}/{yy}", "{dd}/{mm}/{yyyy}"),
    "DE": ("{d}.{m}.{yy}", "{dd}.{mm}.{yyyy}"),
    "UK": ("{d}/{m}/{yy}", "{dd}/{mm}/{yyyy}"),
    "SE": ("{yyyy}-{mm}-{dd}", "{yyyy}/{mm}/{dd}"),
    "JP": ("{yy}/{m}/{d}", "{yyyy}/{mm}/{dd}"),
}


def spelled(iso_date: str, pattern: str) -> str:
    y, m, d = iso_date.split("-")
    return pattern.format(yyyy=y, yy=y[2:], mm=m, dd=d, m=int(m), d=int(d))


@pytest.mark.parametrize("country", list(LOCAL_DATES))
def test_localized_dates_are_read_the_way_each_marketplace_writes_them(sim: Simulator, country: str):
    from tap_amazon_sp.marketplaces import by_country

    market = by_country(country)
    assert market is not None
    end = "2024-03-01T00:00:00Z"
    run = run_tap(make_config(sim, region=country, end_date=end), streams=[FEEDBACK, LEDGER_SUMMARY])
    assert run.error is None, run.stderr
    for stream, pattern in zip((FEEDBACK, LEDGER_SUMMARY), LOCAL_DATES[country], strict=True):
        want = expected(sim, stream, market.marketplace_id, START, end)
        assert [strip_added(r) for r in run.records(stream)] == want and want
        # The documents the tap read spelled the dates the local way (not ISO, except where that is local).
        document = sim.dataset.document(stream, market.marketplace_id, parse_datetime(START), parse_datetime(end))
        assert document is not None
        first_row = document.body.decode(market.charset).splitlines()[1]
        assert first_row.split("\t")[0] == spelled(want[0]["date"], pattern)


def test_the_ledger_summary_asks_for_daily_rows_per_country_unless_the_config_says_otherwise(sim: Simulator):
    end = "2024-02-01T00:00:00Z"
    run = run_tap(make_config(sim, end_date=end), streams=[LEDGER_SUMMARY])
    assert run.error is None, run.stderr
    assert [b["reportOptions"] for b in report_requests(sim.requests, LEDGER_SUMMARY)] == [
        {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"}
    ]
    sim.clear_requests()
    options = [{"stream_name": LEDGER_SUMMARY, "options": {"aggregateByLocation": "FC"}}]
    run = run_tap(make_config(sim, end_date=end, report_options=options), streams=[LEDGER_SUMMARY])
    assert run.error is None, run.stderr
    assert [b["reportOptions"] for b in report_requests(sim.requests, LEDGER_SUMMARY)] == [
        {"aggregateByLocation": "FC", "aggregatedByTimePeriod": "DAILY"}
    ]


@pytest.mark.parametrize("stream", ["GET_SALES_AND_TRAFFIC_REPORT", "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"])
def test_sales_and_traffic_windows_never_share_a_day(sim: Simulator, stream: str):
    # Amazon reads this report's window as dates with the end date included: a window ending at
    # midnight would also hold the next window's first day, and the per-ASIN totals would count it twice.
    end = "2024-03-15T13:30:00Z"
    run = run_tap(make_config(sim, end_date=end, period_in_days=30), streams=[stream])
    assert run.error is None, run.stderr[-3000:]
    bodies = report_requests(sim.requests, "GET_SALES_AND_TRAFFIC_REPORT")
    # Read newest first (more than period_in_days): in date order, the windows still follow each other.
    days = sorted((b["dataStartTime"][:10], b["dataEndTime"][:10]) for b in bodies)
    assert days[0][0] == START[:10]
    for (_, last), (first, _) in itertools.pairwise(days):
        assert parse_datetime(first) - parse_datetime(last) == timedelta(days=1), days
    # Today (the end date's day) is not over: it waits for a later sync, where it is read whole.
    assert days[-1][1] == "2024-03-14"
    assert run.bookmark(stream, US) == "2024-03-15T00:00:00+00:00"
    if stream.endswith("_BY_DATE"):
        dates = [r["date"] for r in run.records(stream)]
        assert len(dates) == len(set(dates))
        want = expected(sim, stream, US, START, "2024-03-15T00:00:00Z", 30)
        assert [strip_added(r) for r in run.records(stream)] == want


@pytest.mark.parametrize("stream", [spec.stream for spec in FIXED_DATES if not spec.list_only])
def test_no_two_records_of_a_full_sync_share_a_primary_key(full_us_sync: Any, stream: str):
    # Two rows with one key would be one row in a warehouse that upserts by key: a silent loss.
    run, _requests, _ = full_us_sync
    keys = [tuple(r[k] for k in BY_STREAM[stream].primary_key) for r in run.records(stream)]
    assert keys
    assert len(keys) == len(set(keys))


def test_per_asin_sales_and_traffic_waits_three_days_for_amazon_to_settle_them(sim: Simulator):
    # Its records total their window and are never re-read, so days Amazon may still revise wait.
    now = datetime.now(timezone.utc)
    config = make_config(sim, start_date=(now - timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z"))
    del config["end_date"]
    run = run_tap(config, streams=["GET_SALES_AND_TRAFFIC_REPORT", "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"])
    assert run.error is None, run.stderr[-3000:]
    settled = (now - timedelta(hours=72)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert run.bookmark("GET_SALES_AND_TRAFFIC_REPORT", US) == settled.isoformat()
    # The per-day stream re-reads its last days on the next sync (look-back), so it reads up to today.
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert run.bookmark("GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", US) == today.isoformat()
