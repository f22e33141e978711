"""The simulator's dataset: deterministic, gap in April, charsets, and documents that agree with expectations.

The round-trip checks parse documents with a small parser written here, independent of the simulator's
renderer, and compare against expected records, which the simulator computes from typed data.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from tests.spapi_simulator.data import (
    LIST_ONLY,
    REPORT_TYPES,
    SNAPSHOT,
    Dataset,
)
from tests.spapi_simulator.json_forms import snake_case
from tests.spapi_simulator.rendering import MARKETPLACES, zone_offset
from tests.spapi_simulator.report_families.promotions import OPTION_DATES
from tests.spapi_simulator.reports_data import FLAT_SPECS, GENERIC_SPECS, JP_LISTING_HEADERS, XML_ORDERS, ReportSpec

UTC = timezone.utc
US, CA, UK, DE, FR, JP, AU = (
    "ATVPDKIKX0DER",
    "A2EUQ1WTGCTBG2",
    "A1F83G8C2ARO7P",
    "A1PA6795UKMFR9",
    "A13V1IB3VIYZZH",
    "A1VC38T7YXB528",
    "A39IBJ37TRP1C6",
)
ROUND_TRIP_MARKETS = (US, CA, UK, DE, FR, JP, AU)
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
SETTLEMENT_V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ALL_ORDERS_UPDATED = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
SANDT = "GET_SALES_AND_TRAFFIC_REPORT"
BROWSE = "GET_XML_BROWSE_TREE_DATA"
WINDOWED_FLAT = sorted(t for t in FLAT_SPECS if t not in SNAPSHOT and t not in LIST_ONLY)
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


APRIL = (at(2024, 4, 1), at(2024, 5, 1))
HALF_YEAR = (at(2024, 1, 1), at(2024, 7, 1))


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return Dataset(seed=1, rows=60)


# --- an independent reader for the formats the simulator promises -------------------------------------

_CODECS = {"Windows-31J": "cp932", "Cp1252": "cp1252", "UTF-8": "utf-8"}
_ZONES = {"UTC": 0, "GMT": 0, "BST": 1, "MEZ": 1, "MESZ": 2, "PST": -8, "PDT": -7, "JST": 9}
_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}
_JP_TO_EN = {v: k for k, v in JP_LISTING_HEADERS.items()}


def read_datetime(text: str) -> str:
    if re.match(r"\d{4}-\d\d-\d\dT", text):
        parsed = datetime.fromisoformat(text)
    else:
        day, clock, zone = text.split(" ")
        if "." in day:
            d, m, y = day.split(".")
        elif "/" in day and zone in ("GMT", "BST"):
            d, m, y = day.split("/")
        else:
            y, m, d = re.split(r"[-/]", day)
        hh, mm, ss = clock.split(":")
        tz = timezone(timedelta(hours=_ZONES[zone]))
        parsed = datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss), tzinfo=tz)
    return parsed.astimezone(UTC).isoformat()


def read_date(text: str, report_type: str, market: str) -> str:
    code = MARKETPLACES[market].code
    if re.fullmatch(r"\d\d-[A-Z][a-z]{2}-\d{4}", text):
        d, mon, y = text.split("-")
        return date(int(y), _MONTHS[mon], int(d)).isoformat()
    if re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", text):  # "Jan 4, 2024"
        mon, d, y = text.replace(",", "").split(" ")
        return date(int(y), _MONTHS[mon], int(d)).isoformat()
    if re.fullmatch(r"\d{4}[-/]\d\d[-/]\d\d", text):
        y, m, d = re.split(r"[-/]", text)
    elif "." in text:
        d, m, y = text.split(".")
    elif code == "US":
        m, d, y = text.split("/")
    elif code == "JP":
        y, m, d = text.split("/")  # the feedback report's short "24/1/16"
    else:
        d, m, y = text.split("/")
    year = int(y) + (2000 if len(y) == 2 else 0)
    return date(year, int(m), int(d)).isoformat()


def read_flat(
    body: bytes, content_type: str, spec: ReportSpec, market: str, amount: Any = Decimal
) -> list[dict[str, Any]]:
    charset = content_type.split("charset=")[1]
    text = body.decode(_CODECS[charset])
    newline = MARKETPLACES[market].newline
    assert text.endswith(newline)
    lines = text[: -len(newline)].split(newline)
    headers = [_JP_TO_EN.get(h, h) for h in lines[0].split("\t")]
    assert headers == spec.headers
    kinds = {c.header: c.kind for c in spec.columns}
    records = []
    for line in lines[1:]:
        cells = line.split("\t")
        assert len(cells) == len(headers), line
        record: dict[str, Any] = {}
        for header, raw in zip(headers, cells, strict=True):
            key = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")
            kind = kinds[header]
            if raw == "":
                value: Any = None
            elif kind == "i":
                value = int(raw)
            elif kind == "d":
                value = amount(raw)
            elif kind == "b":
                value = {"true": True, "false": False}[raw.lower()]
            elif kind == "dt":
                value = read_datetime(raw)
            elif kind == "date":
                value = read_date(raw, spec.report_type, market)
            else:
                value = raw
            record[key] = value
        records.append(record)
    return records


def snake_all(o: Any) -> Any:
    if isinstance(o, dict):
        return {snake_case(k): snake_all(v) for k, v in o.items()}
    if isinstance(o, list):
        return [snake_all(v) for v in o]
    return o


# --- the public sets ---------------------------------------------------------------------------------


def test_report_type_sets():
    # 13 of their own, the generic ones, the XML orders, and coupons, promotions and account health.
    assert len(REPORT_TYPES) == 13 + len(GENERIC_SPECS) + len(XML_ORDERS) + 3
    assert {"GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"} == LIST_ONLY
    assert LIST_ONLY <= REPORT_TYPES
    generic_snapshots = {t for t, spec in GENERIC_SPECS.items() if spec.filter_header is None}
    assert {LISTINGS, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", BROWSE, *generic_snapshots} == SNAPSHOT
    assert "GET_FBA_STORAGE_FEE_CHARGES_DATA" not in SNAPSHOT and "GET_AFN_INVENTORY_DATA" in SNAPSHOT


def test_column_keys_are_unique_per_report():
    for spec in FLAT_SPECS.values():
        keys = [c.key for c in spec.columns]
        assert len(keys) == len(set(keys)), spec.report_type
    assert FLAT_SPECS["GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"].columns[12].key == "a_to_z_claim"


def test_snake_case():
    assert snake_case("orderedProductSalesB2B") == "ordered_product_sales_b2b"
    assert snake_case("browseNodeId") == "browse_node_id"
    assert snake_case("salesAndTrafficByAsin") == "sales_and_traffic_by_asin"


# --- determinism and the time line -------------------------------------------------------------------


def test_same_seed_gives_same_bytes():
    a, b, c = Dataset(seed=7, rows=30), Dataset(seed=7, rows=30), Dataset(seed=8, rows=30)
    for report_type in (ALL_ORDERS, LISTINGS, SANDT, BROWSE):
        docs = [d.document(report_type, JP, *HALF_YEAR) for d in (a, b, c)]
        assert docs[0] is not None and docs[2] is not None
        assert docs[0] == docs[1]
        assert docs[0].body != docs[2].body
    # Call order does not matter: each report type has its own random stream.
    fresh = Dataset(seed=7, rows=30)
    assert fresh.document(BROWSE, JP, None, None) == a.document(BROWSE, JP, None, None)


@pytest.mark.parametrize("report_type", [*WINDOWED_FLAT, SANDT])
def test_april_has_no_data_so_the_report_is_cancelled(ds: Dataset, report_type: str):
    # Sales and traffic windows end on their last second (Amazon includes the end date).
    april = (APRIL[0], APRIL[1] - timedelta(seconds=1)) if report_type == SANDT else APRIL
    assert ds.document(report_type, US, *april) is None
    assert ds.expected_records(report_type, US, *april) == []
    assert ds.document(report_type, US, at(2024, 3, 1), at(2024, 5, 15)) is not None


def test_snapshots_ignore_the_window(ds: Dataset):
    for report_type in SNAPSHOT:
        assert ds.document(report_type, US, *APRIL) == ds.document(report_type, US, None, None)
        assert len(ds.expected_records(report_type, US, *APRIL)) == 60


@pytest.mark.parametrize("report_type", WINDOWED_FLAT)
def test_windowed_rows_spread_over_the_half_year_outside_april(ds: Dataset, report_type: str):
    spec = FLAT_SPECS[report_type]
    assert spec.filter_header is not None
    key = spec.columns[spec.headers.index(spec.filter_header)].key
    records = ds.expected_records(report_type, DE, None, None)
    assert len(records) == 60
    # A month (storage fees' "2024-03") counts from its first day.
    values = sorted(r[key][:10] if len(r[key]) > 7 else r[key] + "-01" for r in records)
    assert values[0] < "2024-02-01" and values[-1] >= "2024-06-01"
    assert all("2024-01-01" <= v < "2024-07-01" and not v.startswith("2024-04") for v in values)
    # Windows partition the data: two halves hold every row once.
    first = ds.expected_records(report_type, DE, at(2024, 1, 1), at(2024, 3, 10, 12))
    second = ds.expected_records(report_type, DE, at(2024, 3, 10, 12), at(2024, 7, 1))
    assert first + second == records


def test_all_orders_reports_share_orders_and_filter_on_their_own_date(ds: Dataset):
    by_order = ds.expected_records(ALL_ORDERS, US, None, None)
    by_update = ds.expected_records(ALL_ORDERS_UPDATED, US, None, None)
    pair = lambda r: (r["amazon_order_id"], r["sku"])  # noqa: E731
    assert sorted(map(pair, by_order)) == sorted(map(pair, by_update))
    assert len(set(map(pair, by_order))) == len(by_order)
    assert len({r["amazon_order_id"] for r in by_order}) < len(by_order)  # several items per order
    assert [r["last_updated_date"] for r in by_update] == sorted(r["last_updated_date"] for r in by_update)
    window = (at(2024, 2, 1), at(2024, 3, 1))
    assert all("2024-02" in r["purchase_date"][:7] for r in ds.expected_records(ALL_ORDERS, US, *window))
    assert all("2024-02" in r["last_updated_date"][:7] for r in ds.expected_records(ALL_ORDERS_UPDATED, US, *window))


def test_unique_keys(ds: Dataset):
    def unique(report_type: str, *keys: str) -> None:
        records = ds.expected_records(report_type, JP, None, None)
        tuples = [tuple(r[k] for k in keys) for r in records]
        assert all(all(t) for t in tuples)
        assert len(set(tuples)) == len(tuples), report_type

    unique("GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", "amazon_order_id", "shipment_item_id")
    unique("GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", "order_id", "amazon_rma_id", "merchant_sku")
    unique(LISTINGS, "seller_sku")
    unique("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "sku")


# --- charsets and line endings -----------------------------------------------------------------------


def test_jp_flat_files_are_cp932_with_japanese_listing_headers(ds: Dataset):
    doc = ds.document(LISTINGS, JP, None, None)
    assert doc is not None and doc.content_type == "text/plain; charset=Windows-31J"
    with pytest.raises(UnicodeDecodeError):
        doc.body.decode("shift_jis")
    text = doc.body.decode("cp932")
    assert text.split("\r\n")[0].startswith("商品名\titem-description\t出品ID\t出品者SKU\t価格")
    for char in ("①", "髙", "\uff5e", "ﾃｽﾄ"):
        assert char in text
    assert text.count("\r\n") == 61 and "\n" not in text.replace("\r\n", "")
    records = ds.expected_records(LISTINGS, JP, None, None)
    assert records[0]["item_name"] == "髙島屋 ﾃｽﾄ ① マグ～限定～"


def test_eu_flat_files_are_cp1252(ds: Dataset):
    doc = ds.document(LISTINGS, DE, None, None)
    assert doc is not None and doc.content_type == "text/plain; charset=Cp1252"
    assert b"\x80" in doc.body  # the euro sign, which latin-1 does not have
    text = doc.body.decode("cp1252")
    for char in ("€", "ü", "—", "Œ"):
        assert char in text
    assert text.endswith("\r\n")


def test_na_flat_files_are_utf8_with_lf(ds: Dataset):
    doc = ds.document(LISTINGS, US, None, None)
    assert doc is not None and doc.content_type == "text/plain; charset=UTF-8"
    assert "Crème Brûlée" in doc.body.decode("utf-8")
    assert b"\r" not in doc.body


def test_json_and_xml_content_types(ds: Dataset):
    sandt = ds.document(SANDT, JP, *HALF_YEAR)
    tree = ds.document(BROWSE, JP, None, None)
    assert sandt is not None and sandt.content_type == "application/json; charset=UTF-8"
    assert tree is not None and tree.content_type == "text/xml; charset=UTF-8"
    assert tree.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Result>')


def test_every_marketplace_renders_every_report():
    small = Dataset(rows=12)
    for market in MARKETPLACES:
        for report_type in REPORT_TYPES - LIST_ONLY:
            # Coupons and promotions take their window in options, both ends included.
            dates = OPTION_DATES.get(report_type, ())
            options = dict(zip(dates, ("2025-01-01T00:00:00Z", "2025-06-30T23:59:59Z"), strict=False))
            doc = small.document(report_type, market, *HALF_YEAR, options)
            assert doc is not None, (report_type, market)
            if report_type in FLAT_SPECS:
                lines = doc.body.decode(_CODECS[doc.content_type.split("charset=")[1]]).splitlines()
                assert len(lines) - 1 == len(small.expected_records(report_type, market, *HALF_YEAR))
        for settlement in (SETTLEMENT, SETTLEMENT_V2):
            for report in small.settlement_reports(market, NOW, settlement)[:1]:
                doc = small.settlement_document(report.report_id)
                lines = doc.body.decode(_CODECS[doc.content_type.split("charset=")[1]]).splitlines()
                assert len(lines) - 1 == len(small.expected_settlement_records(report.report_id)) == 13


# --- documents agree with expected records -------------------------------------------------------------


@pytest.mark.parametrize("market", ROUND_TRIP_MARKETS)
def test_flat_documents_read_back_as_the_expected_records(ds: Dataset, market: str):
    window = (at(2024, 2, 10, 6), at(2024, 6, 3))
    for report_type in sorted(set(FLAT_SPECS) - LIST_ONLY):
        doc = ds.document(report_type, market, *window)
        assert doc is not None
        expected = ds.expected_records(report_type, market, *window)
        assert read_flat(doc.body, doc.content_type, FLAT_SPECS[report_type], market) == expected, report_type


def test_expected_values_have_the_kinds_of_their_columns(ds: Dataset):
    types = {"t": str, "i": int, "d": Decimal, "b": bool, "dt": str, "date": str}
    for report_type, spec in FLAT_SPECS.items():
        if report_type in LIST_ONLY:
            continue
        records = ds.expected_records(report_type, UK, None, None)
        assert [list(r) for r in records[:1]] == [[c.key for c in spec.columns]]
        for column in spec.columns:
            values = [r[column.key] for r in records if r[column.key] is not None]
            assert all(type(v) is types[column.kind] for v in values), (report_type, column.header)
            if column.kind == "dt":
                assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", v) for v in values)


def test_a_jst_listing_date_is_expected_in_utc(ds: Dataset):
    doc = ds.document(LISTINGS, JP, None, None)
    assert doc is not None
    first_row = doc.body.decode("cp932").split("\r\n")[1].split("\t")
    opened = first_row[6]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d JST", opened)
    local = datetime.strptime(opened[:-4], "%Y/%m/%d %H:%M:%S")
    expected = ds.expected_records(LISTINGS, JP, None, None)[0]["open_date"]
    assert expected == (local - timedelta(hours=9)).replace(tzinfo=UTC).isoformat()


def test_localized_formats(ds: Dataset):
    def first_cells(report_type: str, market: str) -> dict[str, str]:
        doc = ds.document(report_type, market, None, None)
        assert doc is not None
        lines = doc.body.decode(_CODECS[doc.content_type.split("charset=")[1]]).splitlines()
        return dict(zip(FLAT_SPECS[report_type].headers, lines[1].split("\t"), strict=True))

    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d MES?Z", first_cells(LISTINGS, DE)["open-date"])
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d (GMT|BST)", first_cells(LISTINGS, UK)["open-date"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d P[SD]T", first_cells(LISTINGS, US)["open-date"])
    assert re.fullmatch(r"\d\d/\d\d/2024", first_cells(LEDGER, US)["Date"])
    assert re.fullmatch(r"2024/\d\d/\d\d", first_cells(LEDGER, JP)["Date"])
    assert re.fullmatch(
        r"\d\d-[A-Z][a-z]{2}-2024", first_cells("GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", FR)["Return request date"]
    )
    assert re.fullmatch(r"2024-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", first_cells(ALL_ORDERS, US)["purchase-date"])


def test_dst_switches():
    assert zone_offset(at(2024, 3, 10, 9, 59, 59), "pacific") == (timedelta(hours=-8), "PST")
    assert zone_offset(at(2024, 3, 10, 10), "pacific") == (timedelta(hours=-7), "PDT")
    assert zone_offset(at(2024, 11, 3, 9), "pacific") == (timedelta(hours=-8), "PST")
    assert zone_offset(at(2024, 3, 31, 1), "cet") == (timedelta(hours=2), "MESZ")
    assert zone_offset(at(2024, 10, 27, 0, 59), "uk") == (timedelta(hours=1), "BST")
    assert zone_offset(at(2024, 10, 27, 1), "uk") == (timedelta(0), "GMT")


def test_special_values(ds: Dataset):
    listings = ds.expected_records(LISTINGS, US, None, None)
    assert listings[1]["item_name"] == '"Best" Mug 12"'
    assert " Minor scuff on box " in [r["item_note"] for r in listings]
    assert any(r["seller_sku"].startswith("0000") for r in listings)
    orders = ds.expected_records(ALL_ORDERS, US, None, None)
    assert any(r["ship_postal_code"].startswith("0") for r in orders)
    assert any(r["merchant_order_id"] is None for r in orders)
    doc = ds.document(LISTINGS, US, None, None)
    assert doc is not None and b'\n"Best" Mug 12"\t' in doc.body


# --- sales and traffic ---------------------------------------------------------------------------------


def test_sales_and_traffic_by_date_and_by_asin(ds: Dataset):
    # Amazon reads the bounds as dates, the end date included: January is 1 to 31.
    window = (at(2024, 1, 1), at(2024, 1, 31, 23, 59, 59))
    doc = ds.document(SANDT, US, *window)
    assert doc is not None
    report = json.loads(doc.body, parse_float=Decimal)
    spec = report["reportSpecification"]
    assert spec["dataStartTime"] == "2024-01-01" and spec["dataEndTime"] == "2024-01-31"
    by_date = ds.expected_records("GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", US, *window)
    by_asin = ds.expected_records(SANDT, US, *window)
    assert snake_all(report["salesAndTrafficByDate"]) == by_date
    assert snake_all(report["salesAndTrafficByAsin"]) == by_asin
    days = [r["date"] for r in by_date]
    assert days == sorted(days) and len(set(days)) == len(days) and all(d.startswith("2024-01") for d in days)
    first = by_date[0]["sales_by_date"]
    assert isinstance(first["ordered_product_sales"]["amount"], Decimal)
    assert first["ordered_product_sales_b2b"]["currency_code"] == "USD"
    assert isinstance(first["units_ordered"], int) and isinstance(first["refund_rate"], Decimal)
    assert sum(r["sales_by_asin"]["units_ordered"] for r in by_asin) == sum(
        r["sales_by_date"]["units_ordered"] for r in by_date
    )
    assert all(set(r) == {"parent_asin", "sales_by_asin", "traffic_by_asin"} for r in by_asin)


def test_sales_and_traffic_options(ds: Dataset):
    window = (at(2024, 5, 1), at(2024, 7, 1))
    options = {"dateGranularity": "MONTH", "asinGranularity": "SKU"}
    by_date = ds.expected_records("GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", US, *window, options=options)
    assert [r["date"] for r in by_date] == ["2024-05-01", "2024-06-01"]
    by_sku = ds.expected_records(SANDT, US, *window, options=options)
    assert all({"parent_asin", "child_asin", "sku"} <= set(r) for r in by_sku)
    # A partial day counts: Amazon ignores the time of day.
    assert ds.expected_records(
        "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", US, at(2024, 1, 1), at(2024, 7, 1)
    ) == ds.expected_records("GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", US, at(2024, 1, 1, 5), at(2024, 6, 30, 1))


# --- browse tree ---------------------------------------------------------------------------------------


def test_browse_tree_xml_matches_expected(ds: Dataset):
    doc = ds.document(BROWSE, DE, None, None)
    assert doc is not None
    root = ET.fromstring(doc.body)
    assert root.tag == "Result"
    parsed = []
    for node in root.findall("Node"):
        child_nodes = node.find("childNodes")
        assert child_nodes is not None and int(child_nodes.get("count", "-1")) == len(child_nodes)
        parsed.append(
            {
                "browse_node_id": node.findtext("browseNodeId"),
                "browse_node_name": node.findtext("browseNodeName"),
                "browse_node_store_context_name": node.findtext("browseNodeStoreContextName"),
                "browse_path_by_id": node.findtext("browsePathById"),
                "browse_path_by_name": node.findtext("browsePathByName"),
                "has_children": node.findtext("hasChildren") == "true",
                "child_nodes": [c.text for c in child_nodes],
                "product_type_definitions": node.findtext("productTypeDefinitions") or None,
            }
        )
    expected = ds.expected_records(BROWSE, DE, None, None)
    assert parsed == expected and len(expected) == 60
    by_id = {r["browse_node_id"]: r for r in expected}
    for r in expected:
        assert r["has_children"] == bool(r["child_nodes"])
        for child in r["child_nodes"]:
            assert by_id[child]["browse_path_by_id"] == r["browse_path_by_id"] + "," + child
    roots = ds.expected_records(BROWSE, DE, None, None, options={"RootNodesOnly": "true"})
    assert roots and all("," not in r["browse_path_by_id"] for r in roots)


# --- settlement ----------------------------------------------------------------------------------------


def test_settlement_reports_every_14_days_within_84_days(ds: Dataset):
    reports = ds.settlement_reports(DE, NOW)
    assert len(reports) == 6
    for report in reports:
        assert report.report_id.isdigit() and report.marketplace_id == DE
        assert NOW - timedelta(days=84) < report.created_time <= NOW
        assert report.data_end_time - report.data_start_time == timedelta(days=14)
    created = [r.created_time for r in reports]
    assert all(b - a == timedelta(days=14) for a, b in itertools.pairwise(created))
    assert {r.report_id for r in reports}.isdisjoint(r.report_id for r in ds.settlement_reports(US, NOW))


def test_settlement_document_starts_with_the_summary(ds: Dataset):
    report = ds.settlement_reports(DE, NOW)[0]
    doc = ds.settlement_document(report.report_id)
    assert doc.content_type == "text/plain; charset=Cp1252"
    spec = FLAT_SPECS["GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"]
    expected = ds.expected_settlement_records(report.report_id)
    assert [r["is_summary"] for r in expected] == [True] + [False] * (len(expected) - 1)
    assert read_flat(doc.body, doc.content_type, spec, DE) == [
        {k: v for k, v in r.items() if k != "is_summary"} for r in expected
    ]
    summary, rows = expected[0], expected[1:]
    assert summary["settlement_start_date"] == report.data_start_time.isoformat()
    assert summary["transaction_type"] is None and summary["currency"] == "EUR"
    amounts = [c.key for c in spec.columns if c.kind == "d" and c.key != "total_amount"]
    assert summary["total_amount"] == sum(r[k] for r in rows for k in amounts if r[k] is not None)
    assert re.match(rb"\d+\t\d\d\.\d\d\.\d{4} 07:00:00 UTC\t", doc.body.split(b"\r\n")[1])
    # A fresh dataset serves the same id: ids encode marketplace and period.
    assert Dataset(seed=1, rows=60).settlement_document(report.report_id) == doc
    with pytest.raises(KeyError):
        ds.settlement_document(str(int(report.report_id) + 1))


def _comma_amount(raw: str) -> Decimal:
    return Decimal(raw.replace(".", "").replace(",", "."))


@pytest.mark.parametrize(("market", "amount"), [(DE, _comma_amount), (US, Decimal), (JP, Decimal)])
def test_settlement_v2_documents_agree_with_their_records(ds: Dataset, market: str, amount: Any):
    reports = ds.settlement_reports(market, NOW, SETTLEMENT_V2)
    assert len(reports) == 6 and all(r.marketplace_id == market for r in reports)
    spec = FLAT_SPECS[SETTLEMENT_V2]
    assert len(spec.columns) == 24 and "promotion-id" in spec.headers
    for report in reports:
        doc = ds.settlement_document(report.report_id)
        expected = ds.expected_settlement_records(report.report_id)
        assert read_flat(doc.body, doc.content_type, spec, market, amount) == [
            {k: v for k, v in r.items() if k != "is_summary"} for r in expected
        ]
        summary, rows = expected[0], expected[1:]
        assert summary["is_summary"] and summary["amount"] is None and summary["currency"]
        assert summary["total_amount"] == sum(r["amount"] for r in rows)
        # Amazon never leaves these empty on a detail row.
        assert all(r["amount_type"] and r["amount_description"] and r["amount"] is not None for r in rows)
    documents = [ds.settlement_document(r.report_id) for r in reports]
    text = "".join(d.body.decode(_CODECS[d.content_type.split("charset=")[1]]) for d in documents)
    if market == DE:
        # The local number format: 1.234,56 and 95,00.
        assert re.search(r"\t-?\d{1,3}(\.\d{3})+,\d\d\t", text) and re.search(r"\t-?\d{1,3},\d\d\t", text)
    if market == JP:
        assert "①" in text


def test_settlement_v2_covers_every_marketplace_of_a_currency_once(ds: Dataset):
    # One report per region and currency: only a currency's home marketplace has reports.
    assert ds.settlement_reports(FR, NOW, SETTLEMENT_V2) == []
    members = {
        r["marketplace_name"]
        for report in ds.settlement_reports(DE, NOW, SETTLEMENT_V2)
        for r in ds.expected_settlement_records(report.report_id)[1:]
        if r["marketplace_name"]
    }
    assert {"Amazon.de", "Amazon.fr"} <= members and "Amazon.co.uk" not in members


# --- errors and big documents -------------------------------------------------------------------------


def test_bad_requests_raise(ds: Dataset):
    with pytest.raises(ValueError):
        ds.document("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", US, None, None)
    with pytest.raises(ValueError):
        ds.document("GET_NOT_A_REPORT", US, None, None)
    with pytest.raises(ValueError):
        ds.document(LISTINGS, "NOT_A_MARKETPLACE", None, None)


def test_big_document_is_lazy_and_matches_document():
    small = Dataset(rows=60)
    chunks = b"".join(small.big_document(ALL_ORDERS, DE, 60))
    doc = small.document(ALL_ORDERS, DE, None, None)
    assert doc is not None and chunks == doc.body
    stream = Dataset().big_document(ALL_ORDERS, US, 1_000_000)
    header = next(stream)
    assert header.startswith(b"amazon-order-id\t")
    first = next(stream)
    assert first.count(b"\n") == 2000


def test_all_orders_documents_hold_every_marketplace_of_the_host_whatever_the_request_names(ds: Dataset):
    def channels(marketplace_ids: list[str]) -> set[str]:
        doc = ds.served_document(ALL_ORDERS, marketplace_ids, None, None)
        assert doc is not None
        text = doc.body.decode(_CODECS[doc.content_type.split("charset=")[1]])
        column = FLAT_SPECS[ALL_ORDERS].headers.index("sales-channel")
        return {line.split("\t")[column] for line in text.splitlines()[1:]}

    eu = channels([DE])
    assert {"Amazon.de", "Amazon.fr", "Amazon.co.uk", "Amazon.it", "Amazon.es"} <= eu
    assert channels([FR, DE]) == eu
    assert channels([US]) == {"Amazon.com", "Amazon.ca", "Amazon.com.mx", "Amazon.com.br"}
    assert channels([JP]) == {"Amazon.co.jp"}  # cp932: kept apart from AU and SG
    # One marketplace's part of it is that marketplace's own document.
    assert ds.served_document(LISTINGS, [FR, DE], None, None) == ds.document(LISTINGS, FR, None, None)


def test_xml_all_orders_hold_the_flat_order_book_one_order_per_element(ds: Dataset):
    xml_type = "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    orders = ds.expected_records(xml_type, DE, None, None)
    items = ds.expected_records(ALL_ORDERS, DE, None, None)
    assert [(o["amazon_order_id"], i["sku"]) for o in orders for i in o["order_item"]] == [
        (r["amazon_order_id"], r["sku"]) for r in items
    ]
    doc = ds.served_document(xml_type, [DE], None, None)
    assert doc is not None and doc.content_type.endswith("charset=UTF-8")
    root = ET.fromstring(doc.body)
    channels = {order.findtext("SalesChannel") for order in root.iter("Order")}
    assert {"Amazon.de", "Amazon.fr", "Amazon.co.uk"} <= channels
    assert sum(1 for _ in root.iter("Order")) > len(orders)
