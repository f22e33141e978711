"""Settlement reports through HTTP: V2 documents, one listing per host, the old type after its removal.

Amazon lists settlements for the last 90 days only, so these syncs start 120 days before now (the
simulator's settlements are dated from the real clock, like Amazon's).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from tap_amazon_sp.catalogue import BY_STREAM
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.reports_data import FLAT_SPECS
from tests.support.expectations import expected, listed_settlements, strip_added
from tests.support.tap_runner import TapRun, report_requests, run_tap

V1 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
US, JP, DE, FR = "ATVPDKIKX0DER", "A1VC38T7YXB528", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"


def moment(days_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


START = moment(120)


def recent_config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    return make_config(sim, start_date=START, end_date=None, **overrides)


def synced(run: TapRun, stream: str = V2) -> list[dict[str, Any]]:
    assert run.error is None, run.stderr[-3000:]
    return run.records(stream)


def listings(sim: Simulator) -> list[dict[str, list[str]]]:
    """The query of every getReports the tap sent."""
    return [r.query for r in sim.requests if r.operation == "getReports"]


def test_v2_settlements_are_listed_not_created_and_paged_with_next_token_alone(sim: Simulator):
    run = run_tap(recent_config(sim), streams=[V2])
    records = synced(run)
    assert report_requests(sim.requests) == []
    want = expected(sim, V2, US, START, moment(0))
    assert len(want) > 60
    assert [strip_added(r) for r in records] == want
    first, *more = listings(sim)
    assert first["reportTypes"] == [V2] and first["processingStatuses"] == ["DONE"]
    assert all(set(query) == {"nextToken"} for query in more)
    # A second run with the state finds nothing new, and its bookmark is the host's.
    assert run.last_state["bookmarks"][V2]["partitions"][0]["context"] == {"region": "NA"}
    again = run_tap(recent_config(sim), streams=[V2], state=run.last_state)
    assert synced(again) == []


def test_v2_rows_equal_the_documents_with_decimal_comma_amounts_exact_and_none_twice_for_two_marketplaces(
    sim: Simulator,
):
    run = run_tap(recent_config(sim, region="DE", marketplace_ids=[DE, FR]), streams=[V2])
    records = synced(run)
    reports = listed_settlements(sim, V2, DE, START, moment(0))
    # Every settlement of the region (one per currency), each once: DE and FR share one listing.
    assert len({r["marketplaceIds"][0] for r in reports}) > 5
    assert len([q for q in listings(sim) if "reportTypes" in q]) == 1
    assert [strip_added(r) for r in records] == expected(sim, V2, DE, START, moment(0))
    keys = [r["row_key"] for r in records]
    assert len(keys) == len(set(keys))
    assert Counter(r["report_id"] for r in records) == {
        r["reportId"]: len(sim.expected_settlement_records(r["reportId"])) for r in reports
    }
    # The records name the settlement's own marketplace (and the host), not the partition's.
    home = {r["reportId"]: r["marketplaceIds"][0] for r in reports}
    assert all(r["marketplace_id"] == home[r["report_id"]] and r["region"] == "EU" for r in records)
    # The euro documents wrote 1.234,56 and 95,00; the records hold 1234.56 and 95.00.
    euro = [r["reportId"] for r in reports if r["marketplaceIds"] == [DE]]
    text = "".join(sim.dataset.settlement_document(report_id).body.decode("cp1252") for report_id in euro)
    grouped = re.findall(r"\t(-?\d{1,3}(?:\.\d{3})+,\d\d)\t", text)
    assert grouped and re.search(r"\t-?\d{1,3},\d\d\t", text)
    amounts = {r["amount"] for r in records if r["report_id"] in euro} | {r["total_amount"] for r in records}
    for written in grouped:
        assert float(Decimal(written.replace(".", "").replace(",", "."))) in amounts
    assert all(r.get("unparsed_values") is None for r in records)


def test_the_summary_row_is_marked_and_totals_the_detail_rows(sim: Simulator):
    run = run_tap(recent_config(sim, region="DE", marketplace_ids=[DE]), streams=[V2])
    records = synced(run)
    by_report: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_report.setdefault(record["report_id"], []).append(record)
    assert len(by_report) > 5
    for rows in by_report.values():
        summary, *details = rows
        assert summary["is_summary"] is True and not any(r["is_summary"] for r in details)
        assert summary["total_amount"] is not None and summary["amount"] is None
        assert summary["row_key"] == f"{summary['settlement_id']}:2"
        total = sum(Decimal(str(r["amount"])) for r in details)
        assert Decimal(str(summary["total_amount"])) == total


def test_v2_japanese_documents_are_read_as_cp932(sim: Simulator):
    run = run_tap(recent_config(sim, region="JP", marketplace_ids=[JP]), streams=[V2])
    records = synced(run)
    assert [strip_added(r) for r in records] == expected(sim, V2, JP, START, moment(0))
    described = "".join(r["amount_description"] or "" for r in records)
    # Characters only cp932 has (Shift_JIS lacks them) came through.
    assert "①" in described and "髙" in described and "～" in described


def test_v2_columns_are_mapped_by_header_name_not_position(sim: Simulator):
    # The simulator writes the 24 columns in an order of its own, not Amazon's documented one.
    headers = [header.replace("-", "_") for header in FLAT_SPECS[V2].headers]
    assert headers != [name for name, _kind in BY_STREAM[V2].columns]
    assert sorted(headers) == sorted(name for name, _kind in BY_STREAM[V2].columns)
    run = run_tap(recent_config(sim), streams=[V2])
    details = [r for r in synced(run) if not r["is_summary"]]
    assert all(
        r["posted_date_time"].endswith("+00:00") and r["posted_date"] == r["posted_date_time"][:10] for r in details
    )
    assert any(r["promotion_id"] == "Core Free Shipping" for r in details)


def test_the_old_settlement_stream_reads_only_what_is_listed_and_names_its_successor(sim: Simulator):
    removal = (datetime.now(timezone.utc) - timedelta(days=40)).date()
    sim.set_faults(settlement_v1_removed=removal.isoformat())
    run = run_tap(recent_config(sim), streams=[V1])
    records = synced(run, V1)
    assert report_requests(sim.requests) == []
    want = expected(sim, V1, US, START, moment(0))
    assert want and [strip_added(r) for r in records] == want
    assert all(r["data_end_time"] < removal.isoformat() for r in records)
    # Amazon still made the new type after that day.
    assert any(r["dataEndTime"] > removal.isoformat() for r in sim.settlement_reports(US, V2))
    (warning,) = [line for line in run.stderr.splitlines() if line.startswith("WARNING") and f" {V1} is " in line]
    assert "2026-11-11" in warning and V2 in warning and "listed" in warning


def test_bookmarks_an_older_tap_kept_per_marketplace_are_read_and_nothing_before_them_comes_again(sim: Simulator):
    removal = (datetime.now(timezone.utc) - timedelta(days=10)).date()
    sim.set_faults(settlement_v1_removed=removal.isoformat())
    reports = listed_settlements(sim, V1, DE, START, moment(0))
    ends = sorted({r["dataEndTime"] for r in reports})
    assert len(ends) > 4
    # An older tap partitioned this stream by marketplace: FR got further than DE.
    behind, ahead = ends[1].replace("Z", "+00:00"), ends[3].replace("Z", "+00:00")
    old = {
        "partitions": [
            {"context": {"marketplace_id": DE}, "replication_key": "data_end_time", "replication_key_value": behind},
            {"context": {"marketplace_id": FR}, "replication_key": "data_end_time", "replication_key_value": ahead},
        ]
    }
    run = run_tap(
        recent_config(sim, region="DE", marketplace_ids=[DE, FR]), streams=[V1], state={"bookmarks": {V1: old}}
    )
    records = synced(run, V1)
    assert [strip_added(r) for r in records] == expected(sim, V1, DE, behind, moment(0))
    assert records and min(r["data_end_time"] for r in records) > behind
    partitions = run.last_state["bookmarks"][V1]["partitions"]
    assert {
        "context": {"region": "EU"},
        "replication_key": "data_end_time",
        "replication_key_value": max(r["data_end_time"] for r in records),
    } in partitions
    # The old bookmarks stay readable by an older tap.
    assert all(p in partitions for p in old["partitions"])


def test_settlements_sync_first_and_the_other_streams_reports_are_requested_while_they_are_read(sim: Simulator):
    # Settlements request nothing: read first, their documents (paced by getReportDocument's quota)
    # overlap with the building of the other streams' reports instead of holding those back.
    orders = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    run = run_tap(recent_config(sim), streams=[orders, V2])
    assert run.error is None, run.stderr[-3000:]
    settlements = listed_settlements(sim, V2, US, START, moment(0))
    assert list(dict.fromkeys(m["stream"] for m in run.messages if m["type"] == "SCHEMA")) == [V2, orders]
    assert len(run.records(V2)) > 60
    operations = [r.operation for r in sim.requests]
    documents = [at for at, operation in enumerate(operations) if operation == "getReportDocument"]
    assert len(settlements) > 2 and operations.index("createReport") < documents[len(settlements) - 1]
    assert operations.count("createReport") == 5
