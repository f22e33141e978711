"""Data Kiosk streams synced through HTTP from the simulator's Data Kiosk API: records, windows,
paging, empty and FATAL queries, a query left in state, the 8,000-character limit and missing roles."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from tap_amazon_sp.datakiosk import MAX_QUERY_CHARS, KioskQuery, compact
from tap_amazon_sp.datakiosk_streams import kiosk_stream_classes
from tap_amazon_sp.discovery import stream_makers
from tap_amazon_sp.errors import ReportError
from tap_amazon_sp.records import format_datetime, parse_datetime
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.datakiosk_api import compacted
from tests.spapi_simulator.datakiosk_schema import SCHEMAS
from tests.spapi_simulator.graphql import parse_query
from tests.support.expectations import plain
from tests.support.record_schemas import assert_records_match_schemas
from tests.support.rest_expected import calls
from tests.support.tap_runner import TapRun, catalog_for, run_cli, run_tap

ECONOMICS = "data_kiosk_economics"
BY_DATE = "data_kiosk_sales_and_traffic_by_date"
BY_ASIN = "data_kiosk_sales_and_traffic_by_asin"
STREAMS = [ECONOMICS, BY_DATE, BY_ASIN]
US = "ATVPDKIKX0DER"
ECONOMICS_ROOT = "analytics_economics_2024_03_15"
CLASSES = kiosk_stream_classes()


def sync(
    sim: Simulator, days: int, streams: list[str], state: dict[str, Any] | None = None, **overrides: Any
) -> TapRun:
    """A seller's sync of the `days` before now."""
    now = datetime.now(timezone.utc)
    config = make_config(
        sim, start_date=format_datetime(now - timedelta(days=days)), end_date=format_datetime(now), **overrides
    )
    return run_tap(config, streams=streams, state=state)


def created(sim: Simulator) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in calls(sim, "createQuery") if r.status == 202]


def window(text: str) -> tuple[date, date]:
    """A query's startDate and endDate."""
    arguments = parse_query(text)[0].selection[0].arguments
    return date.fromisoformat(arguments["startDate"]), date.fromisoformat(arguments["endDate"])


def emitted(run: TapRun, stream: str) -> list[dict[str, Any]]:
    """A stream's records as the simulator wrote them: without the account, the query id and the leftovers."""
    drop = {"account_id", "query_id", "extra_columns", "unparsed_values"}
    return [{k: v for k, v in plain(r).items() if k not in drop} for r in run.records(stream)]


def truth(sim: Simulator, texts: list[str]) -> list[dict[str, Any]]:
    return [plain(row) for text in dict.fromkeys(texts) for row in sim.datakiosk.expected(text)]


def ordered(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def last_closed_day() -> date:
    """The last day a window may hold: the day before the one 12 hours ago."""
    return (datetime.now(timezone.utc) - timedelta(hours=12)).date() - timedelta(days=1)


# --- discovery ---------------------------------------------------------------------------------------


def test_the_streams_are_a_sellers_and_synced_only_when_selected():
    assert set(STREAMS) <= set(stream_makers("Seller"))
    assert not set(STREAMS) & set(stream_makers("Vendor"))
    assert all(CLASSES[name].selected_by_default is False for name in STREAMS)


def test_every_query_the_tap_builds_is_valid_for_its_dataset_and_within_8000_characters():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for name in STREAMS:
        text = CLASSES[name].dataset.text("A2EUQ1WTGCTBG2", start, start + timedelta(days=30))
        roots = parse_query(text)
        assert SCHEMAS[roots[0].name].check(roots) == [], name
        assert len(compacted(text)) <= MAX_QUERY_CHARS and compact(text) == text


# --- records, windows, paging -----------------------------------------------------------------------


def test_every_stream_equals_the_simulator_data_in_windows_of_whole_days(sim: Simulator):
    run = sync(sim, days=45, streams=STREAMS)
    assert run.error is None, run.stderr[-3000:]
    assert_records_match_schemas(run)
    bodies = created(sim)
    texts = {name: [b["query"] for b in bodies if CLASSES[name].dataset.field + "(" in b["query"]] for name in STREAMS}
    for name in STREAMS:
        assert texts[name], name
        assert ordered(emitted(run, name)) == ordered(truth(sim, texts[name])), name
        assert emitted(run, name)
    # Economics and per-date windows: consecutive, at most 30 days, up to the last closed day.
    first = (datetime.now(timezone.utc) - timedelta(days=45)).date()
    for name, cap in ((ECONOMICS, 30), (BY_DATE, 30), (BY_ASIN, 1)):
        spans = [window(text) for text in texts[name]]
        assert spans[0][0] == first, name
        assert all((end - start).days + 1 <= cap for start, end in spans), name
        assert all(later[0] == earlier[1] + timedelta(days=1) for earlier, later in itertools.pairwise(spans)), name
    assert window(texts[ECONOMICS][-1])[1] == last_closed_day()
    # Per ASIN: a day is read once settled (72 hours).
    assert window(texts[BY_ASIN][-1])[1] <= (datetime.now(timezone.utc) - timedelta(hours=72)).date()
    # Each window's bookmark is its end; no query is left pending.
    economics_end = parse_datetime(run.bookmark(ECONOMICS, US) or "")
    assert economics_end.date() == last_closed_day() + timedelta(days=1)
    assert "pending_queries" not in json.dumps(run.last_state)
    # The marketplace is named in the query's arguments only, never as a request parameter.
    assert all(r.query == {} for r in calls(sim, "createQuery"))


def test_a_long_backfill_says_at_the_start_how_long_the_query_quota_makes_it(sim: Simulator):
    run = sync(sim, days=110, streams=[BY_ASIN])
    assert run.error is None, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if "Data Kiosk queries (one per window)" in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING") and "needs 107 Data Kiosk queries" in lines[0]
    assert "about 1 h 32 min" in lines[0]
    assert len(created(sim)) == 107


def test_each_marketplace_of_the_region_has_its_own_queries_and_rows(sim: Simulator):
    markets = ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
    run = sync(sim, days=12, streams=[BY_DATE], region="DE", marketplace_ids=markets)
    assert run.error is None, run.stderr[-3000:]
    named = [parse_query(b["query"])[0].selection[0].arguments["marketplaceIds"] for b in created(sim)]
    assert sorted(named) == sorted([market] for market in markets)
    rows = emitted(run, BY_DATE)
    assert {r["marketplace_id"] for r in rows} == set(markets)
    assert {r["sales"]["ordered_product_sales"]["currency_code"] for r in rows} == {"EUR"}
    assert all(run.bookmark(BY_DATE, market) for market in markets)


def test_a_window_with_more_pages_is_read_page_by_page_with_the_token(sim: Simulator):
    sim.datakiosk.page_rows = 7
    run = sync(sim, days=20, streams=[ECONOMICS])
    assert run.error is None, run.stderr[-3000:]
    bodies = created(sim)
    paged = [b for b in bodies if "paginationToken" in b]
    assert paged and all(b["query"] == bodies[0]["query"] for b in paged)
    assert len(bodies) == len(truth(sim, [bodies[0]["query"]])) // 7 + 1
    assert ordered(emitted(run, ECONOMICS)) == ordered(truth(sim, [bodies[0]["query"]]))
    assert sim.violations == []


def test_an_empty_done_query_is_an_empty_window_and_the_bookmark_moves_on(sim: Simulator):
    sim.datakiosk.quiet_days = {date.today() - timedelta(days=n) for n in range(40)}
    run = sync(sim, days=10, streams=[BY_DATE])
    assert run.error is None, run.stderr[-3000:]
    assert run.records(BY_DATE) == [] and calls(sim, "getDocument") == []
    assert "without a document (no data for this window)" in run.stderr
    assert parse_datetime(run.bookmark(BY_DATE, US) or "").date() == last_closed_day() + timedelta(days=1)


def test_the_next_sync_reads_again_a_week_of_economics_before_its_bookmark(sim: Simulator):
    first = sync(sim, days=20, streams=[ECONOMICS])
    assert first.error is None, first.stderr[-3000:]
    # As if it had run a day ago: one new day to read, and the week before it again, in its own window.
    state = json.loads(json.dumps(first.last_state))
    partition = state["bookmarks"][ECONOMICS]["partitions"][0]
    bookmark = parse_datetime(partition["replication_key_value"]) - timedelta(days=1)
    partition["replication_key_value"] = format_datetime(bookmark)
    sim.reset()
    again = sync(sim, days=20, streams=[ECONOMICS], state=state)
    assert again.error is None, again.stderr[-3000:]
    day = bookmark.date()
    assert [window(b["query"]) for b in created(sim)] == [
        (day - timedelta(days=7), day - timedelta(days=1)),
        (day, day),
    ]
    assert parse_datetime(again.bookmark(ECONOMICS, US) or "") == bookmark + timedelta(days=1)


def test_a_daily_sync_of_one_marketplace_costs_five_queries(sim: Simulator):
    first = sync(sim, days=20, streams=STREAMS)
    assert first.error is None, first.stderr[-3000:]
    # As if the last sync had run a day ago.
    state = json.loads(json.dumps(first.last_state))
    for entry in state["bookmarks"].values():
        partition = entry["partitions"][0]
        partition["replication_key_value"] = format_datetime(
            parse_datetime(partition["replication_key_value"]) - timedelta(days=1)
        )
    sim.reset()
    daily = sync(sim, days=20, streams=STREAMS, state=state)
    assert daily.error is None, daily.stderr[-3000:]
    per_stream = {
        name: [b for b in created(sim) if CLASSES[name].dataset.field + "(" in b["query"]] for name in STREAMS
    }
    # Economics: the week read again and the new day; by date: the look-back (3 days) and the new
    # day; by ASIN: the new day.
    assert {name: len(bodies) for name, bodies in per_stream.items()} == {ECONOMICS: 2, BY_DATE: 2, BY_ASIN: 1}
    assert len(calls(sim, "getDocument")) == 5 and len(calls(sim, "getQuery")) >= 5


# --- failures and resumes ---------------------------------------------------------------------------


def test_a_fatal_query_is_said_with_its_error_document_and_asked_again_by_the_next_sync(sim: Simulator):
    sim.set_faults(fatal={ECONOMICS_ROOT: 1})
    run = sync(sim, days=45, streams=[ECONOMICS, BY_DATE])
    assert isinstance(run.error, ReportError)
    lines = [line for line in run.stderr.splitlines() if line.startswith("ERROR") and "FATAL" in line]
    assert len(lines) == 1 and "an internal error occurred" in lines[0]
    # Nothing of economics was emitted nor bookmarked past the window; the other stream finished.
    assert run.records(ECONOMICS) == [] and run.bookmark(ECONOMICS, US) is None
    assert run.records(BY_DATE)
    fatal_window = window(created(sim)[0]["query"])
    # The FATAL query is not left to be read again; the next window's, requested ahead, is.
    pending = run.last_state["bookmarks"][ECONOMICS]["partitions"][0]["pending_queries"]
    assert [key[:10] for key in pending] == [(fatal_window[1] + timedelta(days=1)).isoformat()]
    sim.clear_requests()
    later = sync(sim, days=45, streams=[ECONOMICS], state=run.last_state)
    assert later.error is None, later.stderr[-3000:]
    assert [window(b["query"]) for b in created(sim)] == [fatal_window]
    assert "created by an earlier sync" in later.stderr
    assert later.records(ECONOMICS) and "pending_queries" not in json.dumps(later.last_state)


def test_a_query_left_in_state_by_a_stopped_sync_is_read_by_the_next_one(sim: Simulator):
    # getQuery keeps failing: the sync stops after creating its query, which is in its state.
    sim.set_faults(server_error={"getQuery": 100})
    stopped = sync(sim, days=20, streams=[BY_DATE])
    assert stopped.error is not None
    pending = json.dumps(stopped.last_state)
    assert "pending_queries" in pending
    first_query = created(sim)[0]["query"]
    sim.set_faults(server_error={})
    sim.clear_requests()
    run = sync(sim, days=20, streams=[BY_DATE], state=stopped.last_state)
    assert run.error is None, run.stderr[-3000:]
    assert [b["query"] for b in created(sim)] == []
    assert "created by an earlier sync" in run.stderr
    assert ordered(emitted(run, BY_DATE)) == ordered(truth(sim, [first_query]))
    assert "pending_queries" not in json.dumps(run.last_state)


def test_without_selling_partner_insights_economics_stops_in_one_line_and_the_others_go_on(sim: Simulator):
    sim.set_faults(missing_roles=["Selling Partner Insights"])
    run = sync(sim, days=20, streams=[ECONOMICS, BY_DATE])
    assert isinstance(run.error, ReportError)
    assert f"{ECONOMICS} stopped: the app lacks the Brand Analytics and Selling Partner Insights role" in str(run.error)
    lines = [
        line for line in run.stderr.splitlines() if line.startswith("ERROR") and "Selling Partner Insights" in line
    ]
    assert len(lines) == 1 and "deselect this stream" in lines[0]
    assert run.records(ECONOMICS) == [] and run.bookmark(ECONOMICS, US) is None
    assert run.records(BY_DATE) and run.bookmark(BY_DATE, US)


def test_without_brand_analytics_every_data_kiosk_stream_stops_in_one_line_each(sim: Simulator):
    sim.set_faults(no_role=["createQuery"])
    run = sync(sim, days=5, streams=[ECONOMICS, BY_DATE])
    assert isinstance(run.error, ReportError)
    lines = [line for line in run.stderr.splitlines() if line.startswith("ERROR") and "deselect this stream" in line]
    assert len(lines) == 2
    assert len(calls(sim, "createQuery")) == 2


def test_a_document_download_that_breaks_off_is_read_again_and_each_row_emitted_once(sim: Simulator):
    sim.set_faults(break_document={ECONOMICS_ROOT: 1})
    run = sync(sim, days=20, streams=[ECONOMICS])
    assert run.error is None, run.stderr[-3000:]
    texts = [b["query"] for b in created(sim)]
    assert ordered(emitted(run, ECONOMICS)) == ordered(truth(sim, texts))
    assert "downloading it again" in run.stderr


@pytest.mark.parametrize("mutation", ["jsonl_bom", "jsonl_blank_lines"])
def test_a_document_with_a_byte_order_mark_crlf_or_blank_lines_reads_every_row(sim: Simulator, mutation: str):
    sim.set_faults(document_mutation={ECONOMICS_ROOT: mutation})
    run = sync(sim, days=20, streams=[ECONOMICS])
    assert run.error is None, run.stderr[-3000:]
    assert_records_match_schemas(run)
    texts = [b["query"] for b in created(sim)]
    assert emitted(run, ECONOMICS) and ordered(emitted(run, ECONOMICS)) == ordered(truth(sim, texts))
    assert all(r.get("extra_columns") is None and r.get("unparsed_values") is None for r in run.records(ECONOMICS))


def test_a_document_whose_last_line_is_cut_stops_in_one_line_and_the_next_sync_asks_anew(sim: Simulator):
    sim.set_faults(document_mutation={ECONOMICS_ROOT: "jsonl_cut_last"})
    broken = sync(sim, days=20, streams=[ECONOMICS])
    assert broken.error is not None
    assert "is not JSON" in str(broken.error) and "Traceback" not in str(broken.error)
    assert broken.bookmark(ECONOMICS, US) is None
    # The query's document never changes: reading it again would fail again, on every sync.
    assert "pending_queries" not in json.dumps(broken.last_state)
    sim.set_faults(document_mutation={})
    sim.clear_requests()
    run = sync(sim, days=20, streams=[ECONOMICS], state=broken.last_state)
    assert run.error is None, run.stderr[-3000:]
    texts = [b["query"] for b in created(sim)]
    assert len(texts) == 1 and ordered(emitted(run, ECONOMICS)) == ordered(truth(sim, texts))


def test_a_query_that_never_finishes_is_cancelled_after_the_maximum_wait_and_asked_again_next_sync(sim: Simulator):
    sim.set_faults(stuck={ECONOMICS_ROOT: 1})
    run = sync(sim, days=10, streams=[ECONOMICS], max_report_wait_seconds=1)
    assert isinstance(run.error, ReportError)
    assert "still IN_QUEUE after 1 s (cancelled it)" in str(run.error)
    assert len(calls(sim, "cancelQuery")) == 1
    assert run.records(ECONOMICS) == [] and "pending_queries" not in json.dumps(run.last_state)


def test_a_query_over_8000_characters_is_refused_before_any_request():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="more than Data Kiosk's 8000"):
        KioskQuery(ECONOMICS, US, start, start + timedelta(days=1), "q" * (MAX_QUERY_CHARS + 1))


# --- the simulator's refusals -----------------------------------------------------------------------


def _token(sim: Simulator) -> str:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": sim.credentials.refresh_token,
        "client_id": sim.credentials.client_id,
        "client_secret": sim.credentials.client_secret,
    }
    reply = requests.post(f"{sim.url}/auth/o2/token", data=form, timeout=5)
    return str(reply.json()["access_token"])


def _post(sim: Simulator, text: str) -> requests.Response:
    return requests.post(
        f"{sim.url}/dataKiosk/2023-11-15/queries",
        json={"query": text},
        headers={"x-amz-access-token": _token(sim)},
        timeout=5,
    )


@pytest.mark.parametrize(("repeats", "spaces", "status"), [(0, 9000, 202), (1000, 0, 413)])
def test_the_simulator_refuses_a_query_over_8000_characters_not_counting_needless_spaces(
    sim: Simulator, repeats: int, spaces: int, status: int
):
    start = datetime.now(timezone.utc) - timedelta(days=10)
    text = CLASSES[BY_DATE].dataset.text(US, start, start + timedelta(days=1))
    # Inside the traffic selection: spaces Amazon does not count, or a field asked for again and again.
    body = text[:-4] + " " * spaces + " sessions" * repeats + "}}}}"
    assert (len(body) > MAX_QUERY_CHARS) and (len(compacted(body)) > MAX_QUERY_CHARS) == (status == 413)
    reply = _post(sim, body)
    assert reply.status_code == status, reply.text
    assert bool(sim.violations) == (status == 413)
    sim.reset()


def test_the_simulator_refuses_a_field_the_dataset_does_not_have(sim: Simulator):
    start = datetime.now(timezone.utc) - timedelta(days=10)
    text = CLASSES[BY_DATE].dataset.text(US, start, start + timedelta(days=1)).replace("sessions ", "sesions ", 1)
    reply = _post(sim, text)
    assert reply.status_code == 400 and "sesions" in reply.text
    assert sim.violations
    sim.reset()


# --- --test -----------------------------------------------------------------------------------------


def _check(sim: Simulator, tmp_path: Path) -> TapRun:
    config = make_config(sim)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(config, [ECONOMICS, BY_DATE])), encoding="utf-8")
    return run_cli(config, "--catalog", str(catalog), "--test")


def test_the_connection_test_asks_data_kiosk_for_one_query_and_creates_none(sim: Simulator, tmp_path: Path):
    run = _check(sim, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    listed = calls(sim, "getQueries")
    assert len(listed) == 1 and listed[0].query == {"pageSize": ["1"]}
    assert calls(sim, "createQuery") == []
    assert f"Data Kiosk API answered getQueries for {ECONOMICS}, {BY_DATE}" in run.stderr


def test_the_connection_test_names_the_brand_analytics_role_when_data_kiosk_refuses(sim: Simulator, tmp_path: Path):
    sim.set_faults(no_role=["getQueries"])
    run = _check(sim, tmp_path)
    assert run.returncode == 1
    assert "Data Kiosk API refused the token" in run.stderr and "the app lacks the Brand Analytics role" in run.stderr
