"""Subscribe & Save (Replenishment API 2022-11-07) synced through HTTP against the simulator.

Expectations come from the simulator's data (`sim.replenishment.expected_*`) and from the rules
the README states (ISO weeks, read 72 hours after they end, two years back), worked out here.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.rest_expected import by_key, declared
from tests.support.tap_runner import TapRun, catalog_for, run_cli, run_tap

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
PARTNER = "replenishment_selling_partner_metrics"
OFFERS = "replenishment_offer_metrics"
PARTNER_FORECAST = "replenishment_selling_partner_forecast"
OFFER_FORECAST = "replenishment_offer_forecast"
OFFER_LIST = "replenishment_offers"
STREAMS = [PARTNER, OFFERS, PARTNER_FORECAST, OFFER_FORECAST, OFFER_LIST]
PARTNER_KEY = ("marketplace_id", "period_start")
OFFER_KEY = ("marketplace_id", "period_start", "asin")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def newest_end() -> datetime:
    """Where the newest week the tap may read ends: the Monday on or before 72 hours ago."""
    held = datetime.now(timezone.utc) - timedelta(hours=72)
    day = held.date() - timedelta(days=held.weekday())
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def config(sim: Simulator, start: datetime, **overrides: Any) -> dict[str, Any]:
    cfg = make_config(sim, start_date=iso(start), **{"lookback_days": 0, **overrides})
    if "end_date" not in overrides:
        cfg.pop("end_date")
    return cfg


def bodies(sim: Simulator, operation: str) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sim.requests if r.operation == operation and r.status == 200]


def intervals(sim: Simulator, operation: str) -> list[tuple[datetime, datetime]]:
    """(startDate, endDate) of every answered request of a PERFORMANCE operation."""
    found = []
    for body in bodies(sim, operation):
        spec = body.get("filters", body)
        if spec["timePeriodType"] == "PERFORMANCE":
            interval = spec["timeInterval"]
            found.append((_at(interval["startDate"]), _at(interval["endDate"])))
    return found


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def partner_records(sim: Simulator, markets: list[str], start: datetime, end: datetime) -> list[dict[str, Any]]:
    want = [r for m in markets for r in sim.replenishment.expected_partner_metrics(m, start, end)]
    return by_key(declared(PARTNER, want), *PARTNER_KEY)


def offer_records(sim: Simulator, market: str, start: datetime, end: datetime, **kw: Any) -> list[dict[str, Any]]:
    return by_key(declared(OFFERS, sim.replenishment.expected_offer_metrics(market, start, end, **kw)), *OFFER_KEY)


def ok(run: TapRun) -> TapRun:
    assert run.error is None, run.stderr[-3000:]
    return run


# ---- selling-partner metrics: whole ISO weeks that have ended -------------------------------------


def test_selling_partner_weeks_equal_the_simulator_data_in_whole_iso_weeks_that_ended(sim: Simulator):
    end = newest_end()
    # Not a Monday: the week it falls in is not read, its start_date cuts it.
    start = end - timedelta(weeks=20) + timedelta(days=2)
    run = ok(run_tap(config(sim, start, marketplace_ids=[US, CA]), streams=[PARTNER]))
    first = end - timedelta(weeks=19)
    want = partner_records(sim, [US, CA], first, end)
    assert len(want) == 2 * 19
    assert by_key(run.records(PARTNER), *PARTNER_KEY) == want
    # Every request names whole ISO weeks: a Monday to a Sunday, at most 13 weeks, one after the other.
    for market in (US, CA):
        spans = [
            i
            for b, i in zip(
                bodies(sim, "getSellingPartnerMetrics"), intervals(sim, "getSellingPartnerMetrics"), strict=True
            )
            if b["marketplaceId"] == market
        ]
        assert spans[0][0] == first and spans[-1][1] == end - timedelta(days=1)
        for (lower, upper), following in zip(spans, [*spans[1:], None], strict=True):
            assert lower.weekday() == 0 and upper.weekday() == 6 and lower.time() == upper.time() == datetime.min.time()
            assert upper - lower <= timedelta(weeks=13)
            if following is not None:
                assert following[0] == upper + timedelta(days=1)
        assert run.bookmark(PARTNER, market) == end.isoformat()
    # WEEK, PERFORMANCE, Subscribe & Save: and nothing else is asked.
    assert all(
        b["aggregationFrequency"] == "WEEK"
        and b["programTypes"] == ["SUBSCRIBE_AND_SAVE"]
        and set(b) == {"marketplaceId", "programTypes", "timePeriodType", "aggregationFrequency", "timeInterval"}
        for b in bodies(sim, "getSellingPartnerMetrics")
    )


def test_a_rerun_resumes_at_the_bookmark_without_a_gap_and_asks_only_for_new_weeks(sim: Simulator):
    end = newest_end()
    start = end - timedelta(weeks=9)
    middle = end - timedelta(weeks=4)
    # The first sync ends mid-week: the week it falls in waits for the next sync.
    first = ok(run_tap(config(sim, start, end_date=iso(middle + timedelta(days=3))), streams=[PARTNER, OFFERS]))
    assert first.bookmark(PARTNER, US) == middle.isoformat()
    assert first.bookmark(OFFERS, US) == middle.isoformat()
    sim.clear_requests()
    second = ok(run_tap(config(sim, start), streams=[PARTNER, OFFERS], state=first.last_state))
    assert [lower for lower, _ in intervals(sim, "getSellingPartnerMetrics")] == [middle]
    assert sorted({lower for lower, _ in intervals(sim, "listOfferMetrics")}) == [
        middle + timedelta(weeks=n) for n in range(4)
    ]
    both = first.records(PARTNER) + second.records(PARTNER)
    assert by_key(both, *PARTNER_KEY) == partner_records(sim, [US], start, end)
    offers = first.records(OFFERS) + second.records(OFFERS)
    assert by_key(offers, *OFFER_KEY) == offer_records(sim, US, start, end)
    # Nothing new yet: a third sync asks Amazon for nothing.
    sim.clear_requests()
    third = ok(run_tap(config(sim, start), streams=[PARTNER, OFFERS], state=second.last_state))
    assert third.records() == [] and intervals(sim, "getSellingPartnerMetrics") == []
    assert intervals(sim, "listOfferMetrics") == []
    assert third.bookmark(PARTNER, US) == end.isoformat()


def test_the_look_back_reads_again_every_week_it_touches(sim: Simulator):
    end = newest_end()
    state = {
        "bookmarks": {
            PARTNER: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "period_start",
                        "replication_key_value": end.isoformat(),
                    }
                ]
            }
        }
    }
    run = ok(run_tap(config(sim, end - timedelta(weeks=30), lookback_days=3), streams=[PARTNER], state=state))
    # Three days before the bookmark fall in the week before it: that week is read again, and only it.
    assert intervals(sim, "getSellingPartnerMetrics") == [(end - timedelta(weeks=1), end - timedelta(days=1))]
    assert by_key(run.records(PARTNER), *PARTNER_KEY) == partner_records(sim, [US], end - timedelta(weeks=1), end)
    assert run.bookmark(PARTNER, US) == end.isoformat()


def test_no_window_starts_before_the_two_years_amazon_serves(sim: Simulator):
    # The simulator refuses (a violation) a startDate older than two years; the default start_date
    # is two years back, and an older one is moved to the first whole week Amazon serves.
    run = ok(run_tap(config(sim, datetime(2020, 1, 1, tzinfo=timezone.utc)), streams=[PARTNER]))
    oldest = datetime.now(timezone.utc) - timedelta(days=730)
    lower = intervals(sim, "getSellingPartnerMetrics")[0][0]
    assert oldest <= lower <= oldest + timedelta(days=9) and lower.weekday() == 0
    assert "serves the last two years only" in run.stderr
    assert len(run.records(PARTNER)) >= 100
    # Said on the sync it matters to, not on every later one.
    again = ok(run_tap(config(sim, datetime(2020, 1, 1, tzinfo=timezone.utc)), streams=[PARTNER], state=run.last_state))
    assert "serves the last two years only" not in again.stderr


def test_a_week_amazon_has_only_part_of_waits_for_a_later_sync(sim: Simulator):
    end = newest_end()
    start = end - timedelta(weeks=3)
    newest = end - timedelta(weeks=1)
    # Amazon has data up to the Wednesday of the newest week: it answers that week cut short.
    sim.replenishment.publish_lag = datetime.now(timezone.utc) - (newest + timedelta(days=3))
    cut = ok(run_tap(config(sim, start), streams=[PARTNER, OFFERS]))
    assert by_key(cut.records(PARTNER), *PARTNER_KEY) == partner_records(sim, [US], start, newest)
    assert by_key(cut.records(OFFERS), *OFFER_KEY) == offer_records(sim, US, start, newest)
    assert cut.bookmark(PARTNER, US) == newest.isoformat()
    assert cut.bookmark(OFFERS, US) == newest.isoformat()
    assert "has data of marketplace ATVPDKIKX0DER up to" in cut.stderr
    # Once Amazon has the whole week, the next sync reads it.
    sim.replenishment.reset()
    later = ok(run_tap(config(sim, start), streams=[PARTNER, OFFERS], state=cut.last_state))
    assert by_key(cut.records(PARTNER) + later.records(PARTNER), *PARTNER_KEY) == partner_records(sim, [US], start, end)
    assert by_key(later.records(OFFERS), *OFFER_KEY) == offer_records(sim, US, newest, end)


# ---- offer metrics: one week a request, paged by offset -------------------------------------------


def test_offer_weeks_equal_the_simulator_data_paged_by_offset(sim: Simulator):
    end = newest_end()
    start = end - timedelta(weeks=2)
    run = ok(run_tap(config(sim, start), streams=[OFFERS]))
    want = offer_records(sim, US, start, end)
    assert len(want) == 2 * sim.replenishment.offer_count(US) > 1000
    assert by_key(run.records(OFFERS), *OFFER_KEY) == want
    sent = bodies(sim, "listOfferMetrics")
    # One week a request, pages of 500 from offset 0 up to the total.
    assert [(b["filters"]["timeInterval"]["startDate"], b["pagination"]) for b in sent] == [
        (iso(week), {"limit": 500, "offset": offset})
        for week in (start, start + timedelta(weeks=1))
        for offset in (0, 500)
    ]
    assert all(b["filters"]["aggregationFrequency"] == "WEEK" and "sort" not in b for b in sent)
    assert run.bookmark(OFFERS, US) == end.isoformat()
    # The seller's key: ASIN and SKU.
    stream = TapAmazonSP(config=config(sim, start), validate_config=False, setup_mapper=False).streams[OFFERS]
    assert stream.primary_keys == ["account_id", "marketplace_id", "asin", "sku", "period_start"]


def test_without_a_total_pages_are_read_until_a_short_one(sim: Simulator):
    end = newest_end()
    sim.replenishment.send_total = False
    sim.replenishment.set_offer_count(US, 1000)
    run = ok(run_tap(config(sim, end - timedelta(weeks=1)), streams=[OFFERS]))
    assert by_key(run.records(OFFERS), *OFFER_KEY) == offer_records(sim, US, end - timedelta(weeks=1), end)
    # 500, 500, then an empty page: the last one.
    assert [b["pagination"]["offset"] for b in bodies(sim, "listOfferMetrics")] == [0, 500, 1000]
    # Full pages up to offset 9000 and still no end: refused rather than cut short.
    sim.replenishment.set_offer_count(US, 9600)
    sim.clear_requests()
    refused = run_tap(config(sim, end - timedelta(weeks=1)), streams=[OFFERS])
    assert refused.error is not None and "more rows match one listOfferMetrics request" in str(refused.error)
    assert refused.bookmark(OFFERS, US) is None
    assert max(b["pagination"]["offset"] for b in bodies(sim, "listOfferMetrics")) == 9000


def test_a_week_with_more_offers_than_amazon_pages_through_is_read_per_fulfillment_channel(sim: Simulator):
    end = newest_end()
    sim.replenishment.set_offer_count(US, 9600)
    run = ok(run_tap(config(sim, end - timedelta(weeks=1)), streams=[OFFERS]))
    want = offer_records(sim, US, end - timedelta(weeks=1), end)
    assert len(want) == 9600
    assert by_key(run.records(OFFERS), *OFFER_KEY) == want
    sent = bodies(sim, "listOfferMetrics")
    # The first page shows 9600 offers, more than offsets up to 9000 reach: asked again per channel.
    assert "fulfillmentChannelTypes" not in sent[0]["filters"]
    channels = [b["filters"]["fulfillmentChannelTypes"] for b in sent[1:]]
    assert channels == [["AMAZON"]] * 15 + [["MERCHANT"]] * 5
    assert max(b["pagination"]["offset"] for b in sent) <= 9000


def test_a_week_out_of_reach_fails_in_one_line_and_keeps_its_bookmark(sim: Simulator):
    # A vendor's offers cannot be split by channel: 9600 of them are more than Amazon pages through.
    end = newest_end()
    sim.set_faults(account_type="Vendor")
    sim.replenishment.set_offer_count(US, 9600)
    proc = run_tap(config(sim, end - timedelta(weeks=2), account_type="Vendor"), streams=[OFFERS])
    assert proc.error is not None and proc.records(OFFERS) == []
    message = str(proc.error)
    for part in (OFFERS, "9600", "9500", "offset up to 9000", US, iso(end - timedelta(weeks=2))):
        assert part in message, part
    assert proc.bookmark(OFFERS, US) is None
    assert max(b["pagination"]["offset"] for b in bodies(sim, "listOfferMetrics")) == 0


def test_the_cli_exits_non_zero_with_the_limit_in_one_line(sim: Simulator, tmp_path: Any):
    end = newest_end()
    sim.set_faults(account_type="Vendor")
    sim.replenishment.set_offer_count(US, 9600)
    cfg = config(sim, end - timedelta(weeks=1), account_type="Vendor")
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(cfg, [OFFERS])))
    run = run_cli(cfg, "--catalog", str(catalog))
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "Amazon pages through" in line]
    assert len(errors) == 1 and "Traceback" not in run.stderr


def test_the_simulator_refuses_an_offset_past_9000_as_amazon_does(sim: Simulator):
    token = requests.post(
        f"{sim.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": sim.credentials.refresh_token,
            "client_id": sim.credentials.client_id,
            "client_secret": sim.credentials.client_secret,
        },
        timeout=10,
    ).json()["access_token"]
    monday = newest_end() - timedelta(weeks=1)
    body = {
        "pagination": {"limit": 500, "offset": 9500},
        "filters": {
            "marketplaceId": US,
            "programTypes": ["SUBSCRIBE_AND_SAVE"],
            "timePeriodType": "PERFORMANCE",
            "aggregationFrequency": "WEEK",
            "timeInterval": {"startDate": iso(monday), "endDate": iso(monday + timedelta(days=6))},
        },
    }
    answer = requests.post(
        f"{sim.url}/replenishment/2022-11-07/offers/metrics/search",
        json=body,
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert "'pagination.offset' is 9500, maximum 9000" in answer.json()["errors"][0]["message"]
    body["pagination"] = {"limit": 501, "offset": 0}
    answer = requests.post(
        f"{sim.url}/replenishment/2022-11-07/offers/metrics/search",
        json=body,
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 400 and "maximum 500" in answer.json()["errors"][0]["message"]
    assert len(sim.violations) == 2
    sim.reset()


# ---- marketplaces, account types, throttling ------------------------------------------------------


def test_a_marketplace_the_api_does_not_serve_is_skipped_with_one_line(sim: Simulator):
    end = newest_end()
    # Mexico has Subscribe & Save for vendors only.
    run = ok(run_tap(config(sim, end - timedelta(weeks=1), marketplace_ids=[MX, US]), streams=STREAMS))
    asked = {
        b.get("filters", b)["marketplaceId"]
        for op in ("getSellingPartnerMetrics", "listOfferMetrics")
        for b in bodies(sim, op)
    }
    assert asked == {US}
    for stream in STREAMS:
        assert {r["marketplace_id"] for r in run.records(stream)} == {US}, stream
        lines = [line for line in run.stderr.splitlines() if "does not serve marketplace A1AM78C64UM0Y8" in line]
        assert len([line for line in lines if stream in line]) == 1, stream


def test_vendors_get_the_performance_streams_keyed_without_sku(sim: Simulator):
    end = newest_end()
    sim.set_faults(account_type="Vendor")
    cfg = config(sim, end - timedelta(weeks=1), account_type="Vendor", marketplace_ids=[MX])
    tap = TapAmazonSP(config=cfg, validate_config=False, setup_mapper=False)
    assert {PARTNER, OFFERS, OFFER_LIST} <= set(tap.streams)
    assert not {PARTNER_FORECAST, OFFER_FORECAST} & set(tap.streams)
    assert tap.streams[OFFERS].primary_keys == ["account_id", "marketplace_id", "asin", "period_start"]
    run = ok(run_tap(cfg, streams=[PARTNER, OFFERS]))
    want = sim.replenishment.expected_offer_metrics(MX, end - timedelta(weeks=1), end, vendor=True)
    assert by_key(run.records(OFFERS), *OFFER_KEY) == by_key(declared(OFFERS, want), *OFFER_KEY)
    assert all(r["sku"] is None and r["product_group"] for r in run.records(OFFERS))
    partner = sim.replenishment.expected_partner_metrics(MX, end - timedelta(weeks=1), end, vendor=True)
    assert by_key(run.records(PARTNER), *PARTNER_KEY) == by_key(declared(PARTNER, partner), *PARTNER_KEY)


def test_throttled_requests_are_retried_and_nothing_is_lost(sim: Simulator):
    end = newest_end()
    sim.set_faults(throttle={"listOfferMetrics": 2, "getSellingPartnerMetrics": 1})
    run = ok(run_tap(config(sim, end - timedelta(weeks=1)), streams=[PARTNER, OFFERS]))
    assert sum(r.status == 429 for r in sim.requests) == 3
    assert by_key(run.records(OFFERS), *OFFER_KEY) == offer_records(sim, US, end - timedelta(weeks=1), end)
    assert by_key(run.records(PARTNER), *PARTNER_KEY) == partner_records(sim, [US], end - timedelta(weeks=1), end)
    assert "HTTP 429" in run.stderr


def test_the_streams_are_offered_to_sellers_but_not_selected_by_default(sim: Simulator):
    catalog = TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False).catalog_dict
    found = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    for stream in STREAMS:
        top = next(m["metadata"] for m in found[stream]["metadata"] if m["breadcrumb"] == [])
        assert top["selected-by-default"] is False, stream
    # Selected by nothing: a sync without a catalog asks the Replenishment API nothing.
    ok(
        run_tap(
            make_config(sim, start_date=iso(newest_end() - timedelta(weeks=1)), end_date=None)
            | {"marketplace_ids": [US]},
            streams=["marketplace_participations"],
        )
    )
    assert not bodies(sim, "getSellingPartnerMetrics") and not bodies(sim, "listOfferMetrics")


# ---- forecasts: a snapshot a day ------------------------------------------------------------------


def test_forecasts_equal_the_simulator_data_one_snapshot_a_day(sim: Simulator):
    today = datetime.now(timezone.utc).date()
    run = ok(
        run_tap(
            config(sim, newest_end() - timedelta(weeks=1), marketplace_ids=[US, CA]),
            streams=[PARTNER_FORECAST, OFFER_FORECAST],
        )
    )
    if datetime.now(timezone.utc).date() != today:
        pytest.skip("the sync ran across midnight UTC")
    want = [r for m in (US, CA) for r in sim.replenishment.expected_partner_forecast(m, today)]
    key = ("marketplace_id", "snapshot_date", "horizon_days")
    assert by_key(run.records(PARTNER_FORECAST), *key) == by_key(declared(PARTNER_FORECAST, want), *key)
    offers = [r for m in (US, CA) for r in sim.replenishment.expected_offer_forecast(m, today)]
    assert by_key(run.records(OFFER_FORECAST), "marketplace_id", "asin") == by_key(
        declared(OFFER_FORECAST, offers), "marketplace_id", "asin"
    )
    # FORECAST takes no aggregation frequency; the partner's comes for 30, 60 and 90 days from today.
    partner = bodies(sim, "getSellingPartnerMetrics")
    assert all(b["timePeriodType"] == "FORECAST" and "aggregationFrequency" not in b for b in partner)
    assert sorted(
        (b["marketplaceId"], (_at(b["timeInterval"]["endDate"]) - _at(b["timeInterval"]["startDate"])).days)
        for b in partner
    ) == sorted((m, d) for m in (US, CA) for d in (30, 60, 90))
    assert {b["timeInterval"]["startDate"] for b in partner} == {f"{today}T00:00:00Z"}
    offer_bodies = bodies(sim, "listOfferMetrics")
    assert all(
        b["filters"]["timePeriodType"] == "FORECAST" and "aggregationFrequency" not in b["filters"]
        for b in offer_bodies
    )
    # Snapshots: no bookmark; the day read is in the key, so each day's forecast is kept.
    for stream in (PARTNER_FORECAST, OFFER_FORECAST):
        assert all("replication_key_value" not in p for p in run.last_state["bookmarks"][stream]["partitions"])
        stream_keys = (
            TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False).streams[stream].primary_keys
        )
        assert "snapshot_date" in stream_keys and "marketplace_id" in stream_keys
    assert {r["snapshot_date"] for r in run.records()} == {today.isoformat()}


def test_forecast_of_one_day_read_twice_has_the_same_keys(sim: Simulator):
    start = newest_end() - timedelta(weeks=1)
    first = ok(run_tap(config(sim, start), streams=[PARTNER_FORECAST]))
    again = ok(run_tap(config(sim, start), streams=[PARTNER_FORECAST]))
    keys = [(r["marketplace_id"], r["snapshot_date"], r["horizon_days"]) for r in first.records()]
    today = datetime.now(timezone.utc).date().isoformat()
    if {r["snapshot_date"] for r in first.records() + again.records()} != {today}:
        pytest.skip("the syncs ran across midnight")
    assert len(set(keys)) == 3
    assert keys == [(r["marketplace_id"], r["snapshot_date"], r["horizon_days"]) for r in again.records()]


# ---- offers as they stand -------------------------------------------------------------------------


def test_offers_equal_the_simulator_data_100_a_page(sim: Simulator):
    run = ok(run_tap(config(sim, newest_end() - timedelta(weeks=1), marketplace_ids=[US, CA]), streams=[OFFER_LIST]))
    want = [{**r, "marketplace_id": m} for m in (US, CA) for r in sim.replenishment.expected_offers(m)]
    assert by_key(run.records(OFFER_LIST), "marketplace_id", "asin") == by_key(
        declared(OFFER_LIST, want), "marketplace_id", "asin"
    )
    offsets = [b["pagination"] for b in bodies(sim, "listOffers") if b["filters"]["marketplaceId"] == US]
    count = sim.replenishment.offer_count(US)
    assert offsets == [{"limit": 100, "offset": n} for n in range(0, count, 100)]
    # A snapshot: no bookmark.
    assert all("replication_key_value" not in p for p in run.last_state["bookmarks"][OFFER_LIST]["partitions"])


def test_more_offers_than_amazon_pages_through_are_read_per_eligibility(sim: Simulator):
    # 9200 offers: more than offsets up to 9000 reach with pages of 100, fewer in each eligibility.
    sim.replenishment.set_offer_count(US, 9200)
    run = ok(run_tap(config(sim, newest_end() - timedelta(weeks=1)), streams=[OFFER_LIST]))
    assert by_key(run.records(OFFER_LIST), "asin") == by_key(
        declared(OFFER_LIST, [{**r, "marketplace_id": US} for r in sim.replenishment.expected_offers(US)]), "asin"
    )
    assert len(run.records(OFFER_LIST)) == 9200
    sent = bodies(sim, "listOffers")
    assert "eligibilities" not in sent[0]["filters"]
    assert {tuple(b["filters"]["eligibilities"]) for b in sent[1:]} == {
        ("ELIGIBLE",),
        ("INELIGIBLE",),
        ("SUSPENDED",),
        ("REPLENISHMENT_ONLY_ORDERING",),
    }
    assert max(b["pagination"]["offset"] for b in sent) <= 9000
