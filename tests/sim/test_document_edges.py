"""Documents at the edges of what Amazon sends, through the real CLI over HTTP against the simulator.

What the tap does with each (README, "What happens when"):
- a body of zero bytes: downloaded again; if it stays empty, the sync stops naming the report and
  the bookmark stays before the window (no report document is empty, and a gzip file never is);
- a body that is not what its flag says (plain text flagged GZIP, gzip without the flag, gzip inside
  a Content-Encoding: gzip): read by its bytes, every record as from a correct document;
- a download without a charset label where the marketplace's documents are usually cp1252 or cp932:
  UTF-8 when its bytes are, else the usual charset; never mojibake, never a guess;
- a line break inside a flat-file value: the row's lines joined back by their field counts
  (`documents.FlatRows`); where the counts allow two readings, the sync stops naming the lines;
- a header that names a column twice: the first is the column, the second is kept in
  `extra_columns` as `name_2`, with a warning naming it;
- XML elements with attributes or repeated where the schema holds one value: the value where the
  schema says, the rest in `extra_columns` by path (`records.typed_tree`).

Every RECORD is checked against its stream's SCHEMA message (`tests/support/record_schemas.py`).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM
from tap_amazon_sp.documents import FlatRows, flat_header, lines
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.records import RowTyper
from tests.conftest import RATE_SCALE, make_config
from tests.sim.test_faults import catalog_file
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.mutations import (
    BROKEN_LAST,
    BROKEN_NAME,
    JSON_REPEAT,
    REPEATED_COLUMN,
    XML_CHANNEL_REPEAT,
    XML_REPEAT,
    new_column_value,
)
from tests.support.expectations import expected, strip_added
from tests.support.record_schemas import assert_records_match_schemas
from tests.support.tap_runner import TapRun, report_requests, run_cli

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
BROWSE_TREE = "GET_XML_BROWSE_TREE_DATA"
US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
START = "2024-01-01T00:00:00Z"
END = "2024-03-01T00:00:00Z"
WINDOWS = ((START, "2024-01-31T00:00:00Z"), ("2024-01-31T00:00:00Z", END))


def cli(sim: Simulator, tmp_path: Path, stream: str = ALL_ORDERS, **config: Any) -> TapRun:
    """The tap CLI syncing one stream, JP unless told (the simulator's JP All Orders documents hold JP alone)."""
    settings = make_config(sim, **{"end_date": END, "region": "JP", **config})
    return run_cli(settings, "--catalog", catalog_file(sim, tmp_path, (stream,)))


def records(run: TapRun, stream: str = ALL_ORDERS) -> list[dict[str, Any]]:
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert_records_match_schemas(run)
    return [strip_added(r) for r in run.records(stream)]


def all_orders(sim: Simulator, marketplace_id: str = JP) -> list[dict[str, Any]]:
    return [row for start, end in WINDOWS for row in expected(sim, ALL_ORDERS, marketplace_id, start, end)]


def error_line(run: TapRun) -> str:
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    return [line for line in run.stderr.splitlines() if "| ERROR" in line][-1]


# --- bodies that are empty or not what their flag says ------------------------------------------


def test_an_empty_gzip_document_is_downloaded_again_and_then_read_whole(sim: Simulator, tmp_path: Path):
    sim.set_faults(empty_document={ALL_ORDERS: 1})
    run = cli(sim, tmp_path)
    assert records(run) == all_orders(sim)
    assert "the download was empty (0 bytes), which no report document is" in run.stderr
    assert run.bookmark(ALL_ORDERS, JP) == "2024-03-01T00:00:00+00:00"


def test_a_document_that_stays_empty_stops_the_sync_before_the_bookmark_moves(sim: Simulator, tmp_path: Path):
    sim.set_faults(empty_document={ALL_ORDERS: 100})
    run = cli(sim, tmp_path)
    error = error_line(run)
    assert f"| {ALL_ORDERS} report " in error
    assert error.endswith("the download was empty (0 bytes), which no report document is; gave up after 4 downloads")
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, JP) is None


@pytest.mark.parametrize("encoding", ["plain", "unflagged", "double_gzip"])
def test_a_document_not_compressed_as_its_flag_says_is_read_by_its_bytes(sim: Simulator, tmp_path: Path, encoding: str):
    sim.set_faults(document_encoding={ALL_ORDERS: encoding})
    run = cli(sim, tmp_path)
    assert records(run) == all_orders(sim)
    # The tap asked for the bytes as stored; nothing was decompressed behind its back.
    downloads = [r for r in sim.requests if r.path.startswith("/_documents/")]
    assert downloads and all(r.headers.get("accept-encoding") == "identity" for r in downloads)


# --- text without a charset label ---------------------------------------------------------------

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
MARKETS = {"DE": "A1PA6795UKMFR9", "JP": JP}


@pytest.mark.parametrize("region", ["DE", "JP"])
def test_utf8_without_a_charset_label_is_read_as_utf8_where_the_usual_charset_is_another(
    sim: Simulator, tmp_path: Path, region: str
):
    # DE documents are usually cp1252, which would read UTF-8's € as "â‚¬" without an error.
    sim.set_faults(no_charset=True, document_mutation={LISTINGS: "utf8"})
    run = cli(sim, tmp_path, LISTINGS, region=region)
    want = expected(sim, LISTINGS, MARKETS[region], START, END)
    assert any(not str(value).isascii() for row in want for value in row.values())
    assert records(run, LISTINGS) == want


@pytest.mark.parametrize("region", ["DE", "JP"])
def test_text_in_the_usual_charset_without_a_label_is_still_read_in_it(sim: Simulator, tmp_path: Path, region: str):
    sim.set_faults(no_charset=True)
    run = cli(sim, tmp_path, LISTINGS, region=region)
    assert records(run, LISTINGS) == expected(sim, LISTINGS, MARKETS[region], START, END)


def test_unlabelled_text_that_stops_being_utf8_far_in_stops_the_sync_without_guessing(sim: Simulator, tmp_path: Path):
    sim.set_faults(no_charset=True, document_mutation={LISTINGS: "utf8_then_not"})
    run = cli(sim, tmp_path, LISTINGS, region="DE")
    error = error_line(run)
    assert f"| {LISTINGS} report " in error
    assert " are not valid utf-8 (b'\\x80" in error
    assert error.endswith("); the download names no charset and its text before was UTF-8; refusing to guess")


# --- line breaks inside flat-file values ----------------------------------------------------------


def per_window(sim: Simulator) -> list[list[dict[str, Any]]]:
    return [expected(sim, ALL_ORDERS, JP, start, end) for start, end in WINDOWS]


def test_a_line_break_inside_a_value_keeps_the_row_whole_and_in_its_columns(sim: Simulator, tmp_path: Path):
    # JP documents end their lines in CRLF; the values' own breaks are LF, CRLF and a blank line.
    sim.set_faults(document_mutation={ALL_ORDERS: "line_breaks"})
    run = cli(sim, tmp_path)
    want = []
    for rows in per_window(sim):
        want += [{**rows[0], "product_name": BROKEN_NAME}, {**rows[1], "price_designation": BROKEN_LAST}, *rows[2:]]
    assert records(run) == want
    warning = "2 rows had a line break inside a value and were each read from several lines (lines 2, 6)"
    assert run.stderr.count(warning) == 2
    assert run.bookmark(ALL_ORDERS, JP) == "2024-03-01T00:00:00+00:00"


def test_a_short_row_before_a_row_with_a_line_break_reads_as_each_is(sim: Simulator, tmp_path: Path):
    sim.set_faults(document_mutation={ALL_ORDERS: "short_then_break"})
    run = cli(sim, tmp_path)
    want = []
    for rows in per_window(sim):
        short = {**rows[0], "is_business_order": None, "purchase_order_number": None, "price_designation": None}
        want += [short, {**rows[1], "product_name": BROKEN_NAME}, *rows[2:]]
    assert records(run) == want


def test_a_line_break_in_a_row_short_of_fields_stops_the_sync_naming_the_lines(sim: Simulator, tmp_path: Path):
    sim.set_faults(document_mutation={ALL_ORDERS: "short_break"})
    run = cli(sim, tmp_path)
    error = error_line(run)
    assert f"| {ALL_ORDERS} report " in error
    assert error.endswith(
        ": lines 2-5 make 28 fields together but the header has 31: one row with a line break in a value and "
        "trailing fields left out, or several rows with trailing fields left out, which cannot be told apart; "
        "the bookmark stays before this window"
    )
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, JP) is None


def test_a_document_that_cannot_be_read_is_dropped_from_the_state_and_the_next_sync_requests_anew(
    sim: Simulator, tmp_path: Path
):
    start, end = WINDOWS[0]
    sim.set_faults(document_mutation={ALL_ORDERS: "short_break"})
    broken = cli(sim, tmp_path, end_date=end)
    assert f"| {ALL_ORDERS} report " in error_line(broken)
    assert broken.bookmark(ALL_ORDERS, JP) is None
    # The report's document never changes: adopting it again would fail again, on every sync.
    assert "pending_reports" not in json.dumps(broken.last_state)
    sim.set_faults(document_mutation={})
    sim.clear_requests()
    settings = make_config(sim, end_date=end, region="JP")
    run = run_cli(settings, "--catalog", catalog_file(sim, tmp_path, (ALL_ORDERS,)), state=broken.last_state)
    assert records(run) == expected(sim, ALL_ORDERS, JP, start, end)
    assert len(report_requests(sim.requests, ALL_ORDERS)) == 1
    assert run.bookmark(ALL_ORDERS, JP) == "2024-01-31T00:00:00+00:00"


def flat(document: str, text: str = "tttt") -> list[tuple[int, list[str]]]:
    """FlatRows of a document whose columns are text (t) or typed (n), header included: (first line, values)."""
    header, number, rest = flat_header(lines([document]))
    rows = FlatRows(rest, len(header), [kind == "t" for kind in text], number)
    return [(rows.line, values) for values in rows]


HEADER = "a\tb\tc\td\n"


@pytest.mark.parametrize(
    ("body", "text", "rows"),
    [
        # A short row then a full one: together they would exceed the header, so each is a row.
        ("1\t2\n3\t4\t5\t6\n", "tttt", [(2, ["1", "2"]), (3, ["3", "4", "5", "6"])]),
        # A break in the second column: 2 + 3 - 1 = 4 fields exactly.
        ("1\tx\ny\t5\t6\n", "tttt", [(2, ["1", "x\ny", "5", "6"])]),
        # A break in the last column, a blank line inside it, then the next row.
        ("1\t2\t3\tx\n\ny\n5\t6\t7\t8\n", "tttt", [(2, ["1", "2", "3", "x\n\ny"]), (5, ["5", "6", "7", "8"])]),
        # Blank lines between rows are not values: skipped.
        ("1\t2\t3\t4\n\n\n5\t6\t7\t8\n\n", "tttt", [(2, ["1", "2", "3", "4"]), (5, ["5", "6", "7", "8"])]),
        # The last column is a number, which holds no line break: the line without a tab begins the next row.
        ("1\t2\t3\t4\nx\ny\t6\t7\t8\n", "tttn", [(2, ["1", "2", "3", "4"]), (3, ["x\ny", "6", "7", "8"])]),
        # A short row whose last value is a number cannot be continued: the next line begins a row.
        ("1\t2\t3\n4\t5\t6\t7\n", "ttnt", [(2, ["1", "2", "3"]), (3, ["4", "5", "6", "7"])]),
        # CRLF line ends are not part of any value; a break inside a value is kept as written.
        ("1\tx\r\ny\t5\t6\r\n", "tttt", [(2, ["1", "x\r\ny", "5", "6"])]),
    ],
)
def test_flat_rows_join_the_lines_of_a_value_with_a_line_break_by_field_counts(
    body: str, text: str, rows: list[tuple[int, list[str]]]
):
    assert flat(HEADER + body, text) == rows


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # One row with a break and a trailing field left out, or two short rows: 2 + 2 - 1 = 3 < 4.
        ("1\tx\ny\t5\n1\t2\t3\t4\n", "lines 2-3 make 3 fields together but the header has 4"),
        # Joined to 4 fields, then a short row: the join may have taken two short rows' fields.
        ("1\tx\ny\t5\t6\n7\t8\t9\n", "line 4 has 3 fields but the header has 4, right after lines 2-3"),
        # A line with no tab, and no text value around it that a line break could have split.
        ("1\t2\t3\t4\nx\n", "line 3 has no tab but the header has 4 fields"),
    ],
)
def test_flat_rows_that_could_be_read_two_ways_are_refused_naming_the_lines(body: str, message: str):
    with pytest.raises(DocumentError, match=re.escape(message)):
        flat(HEADER + body, "nttn" if "no tab" in message else "tttt")


# --- a header that names a column twice ----------------------------------------------------------


def test_a_column_the_header_names_twice_is_kept_in_extra_columns_and_announced(sim: Simulator, tmp_path: Path):
    sim.set_faults(document_mutation={ALL_ORDERS: "repeated_column"})
    run = cli(sim, tmp_path)
    repeat = REPEATED_COLUMN.replace("-", "_")
    want = [
        {**row, "extra_columns": {f"{repeat}_2": new_column_value(number)}}
        for rows in per_window(sim)
        for number, row in enumerate(rows, start=1)
    ]
    assert records(run) == want
    assert (
        run.stderr.count(
            "the header names a column more than once; the first is read as the column, the others are kept in "
            f"extra_columns: {repeat} (as {repeat}_2)"
        )
        == 2
    )
    assert "columns not in the stream's schema" not in run.stderr


def test_a_json_key_an_object_names_twice_is_kept_as_key_2(sim: Simulator, tmp_path: Path):
    end = "2024-02-01T00:00:00Z"
    sim.set_faults(document_mutation={SALES: "repeated_key"})
    run = cli(sim, tmp_path, SALES, region="US", end_date=end)
    want = []
    for row in expected(sim, SALES, US, START, end):
        sales = dict(row["sales_by_asin"])
        sales["units_ordered_2"] = 999  # in its object, where unknown keys stay
        want.append({**row, "sales_by_asin": sales, "extra_columns": {"parent_asin_2": JSON_REPEAT}})
    assert want and records(run, SALES) == want
    assert "keys not in the stream's schema, kept in extra_columns: parent_asin_2" in run.stderr


def test_a_repeated_name_never_takes_the_name_of_another_column():
    typer = RowTyper(
        ["sku", "sku", "sku_2", "price", "sku"],
        {"sku": "string", "price": "number", "sku_3": "string"},
        describe="test",
    )
    assert typer.names == ["sku", "sku_4", "sku_2", "price", "sku_5"]
    assert typer.repeated == [("sku", "sku_4"), ("sku", "sku_5")]
    record = typer.record(["a", "b", "c", "1.5", "d"], 2)
    assert record["sku"] == "a" and record["extra_columns"] == {"sku_4": "b", "sku_2": "c", "sku_5": "d"}


# --- XML elements with attributes, repeated, or text where the schema has an object ---------------

XML_ORDERS = "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def test_xml_attributes_and_repeats_stay_out_of_the_schemas_columns_and_are_kept_in_extra_columns(
    sim: Simulator, tmp_path: Path
):
    sim.set_faults(document_mutation={XML_ORDERS: "xml_attributes"})
    run = cli(sim, tmp_path, XML_ORDERS)
    got = records(run, XML_ORDERS)  # every record matches its SCHEMA
    want = []
    for start, end in WINDOWS:
        # Each window's document has the damage in its first order.
        first, *rest = expected(sim, XML_ORDERS, JP, start, end)
        amount = first["order_item"][0]["item_price"]["component"][0]["amount"]
        del amount["currency"]  # the mutation took its currency attribute away: the amount is its text
        first["extra_columns"] = {
            "purchase_date@zone": "UTC",
            "sales_channel_2": XML_CHANNEL_REPEAT,
            "order_item[0].quantity@unit": "pcs",
        }
        want += [first, *rest]
    assert got == want
    assert (
        "elements and attributes that do not fit the stream's schema, kept in extra_columns: "
        "order_item[].quantity@unit, purchase_date@zone, sales_channel_2"
    ) in run.stderr


def test_a_flat_xml_element_with_an_attribute_or_repeated_keeps_its_first_value_in_its_column(
    sim: Simulator, tmp_path: Path
):
    sim.set_faults(document_mutation={BROWSE_TREE: "xml_attributes"})
    run = cli(sim, tmp_path, BROWSE_TREE, region="US")
    want = expected(sim, BROWSE_TREE, US, START, END)
    want[0] = {**want[0], "extra_columns": {"browse_node_name@lang": "de", "browse_node_name_2": XML_REPEAT}}
    assert records(run, BROWSE_TREE) == want


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # "x\ty\nz" in the second column: 3 + 3 - 1 = 5 fields, one more than the header's 4.
        ("1\tx\ty\nz\t5\t6\n", "lines 2-3 make one field more than the header's 4 together"),
        # Lines that end in CR alone: one line of garbage column names.
        ("", "the header line holds a carriage return"),
    ],
)
def test_flat_files_with_a_tab_and_a_line_break_in_a_value_or_cr_line_ends_are_refused(body: str, message: str):
    document = HEADER + body if body else HEADER.replace("\n", "\r") + "1\t2\t3\t4\r"
    with pytest.raises(DocumentError, match=re.escape(message)):
        flat(document)


def test_a_short_row_of_two_fields_before_a_full_row_is_still_a_row():
    assert flat(HEADER + "1\t2\n3\t4\t5\t6\n") == [(2, ["1", "2"]), (3, ["3", "4", "5", "6"])]


# --- crafted documents, served as they are by a simulator of their own ---------------------------

ORDER_COLUMNS = [name for name, _kind in BY_STREAM[ALL_ORDERS].columns]


def crafted(tmp_path: Path, body: bytes, stream: str = ALL_ORDERS, **config: Any) -> TapRun:
    """The CLI syncing one day of `stream` from a simulator that serves `body` as every document of it."""
    path = tmp_path / "document.bin"
    path.write_bytes(body)
    with Simulator(processing_delay=0.02, rate_scale=RATE_SCALE, document_files={stream: path}) as sim:
        settings = make_config(sim, **{"end_date": "2024-01-02T00:00:00Z", **config})
        run = run_cli(settings, "--catalog", catalog_file(sim, tmp_path, (stream,)))
        assert sim.violations == []
    return run


@pytest.mark.parametrize("include_pii", [False, True])
def test_an_element_named_like_pii_inside_a_nested_xml_object_is_null_unless_include_pii(
    tmp_path: Path, include_pii: bool
):
    # Nested XML keeps an element its schema does not know inside its parent object, as sent.
    document = (
        "<AmazonEnvelope><Message><Order><AmazonOrderID>111-1</AmazonOrderID>"
        "<PurchaseDate>2024-01-01T10:00:00+00:00</PurchaseDate><FulfillmentData><Address><City>Springfield</City>"
        "<Phone>555-0100</Phone></Address></FulfillmentData></Order></Message></AmazonEnvelope>"
    )
    run = crafted(tmp_path, document.encode(), XML_ORDERS, include_pii=include_pii)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_records_match_schemas(run)
    [record] = run.records(XML_ORDERS)
    phone = "555-0100" if include_pii else None
    assert record["fulfillment_data"]["address"] == {"city": "Springfield", "phone": phone}
    assert ("555-0100" in run.stdout) is include_pii


def order_row(order_id: str) -> str:
    values = dict.fromkeys(ORDER_COLUMNS, "")
    values.update(amazon_order_id=order_id, purchase_date="2024-01-01T10:00:00+00:00", quantity="1", sku="A")
    return "\t".join(values.values())


ORDERS_TEXT = "\t".join(ORDER_COLUMNS) + "\n" + order_row("111-1") + "\n" + order_row("111-2") + "\n"


def order_ids(run: TapRun) -> list[str]:
    assert run.returncode == 0, run.stderr[-3000:]
    assert_records_match_schemas(run)
    return [r["amazon_order_id"] for r in run.records(ALL_ORDERS)]


NOT_GZIP = "bytes after the end of its gzip data that are not gzip"


def test_nul_padding_after_the_gzip_data_is_skipped(tmp_path: Path):
    assert order_ids(crafted(tmp_path, gzip.compress(ORDERS_TEXT.encode()) + b"\0" * 100)) == ["111-1", "111-2"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (gzip.compress(ORDERS_TEXT.encode()) + b"trailing garbage", NOT_GZIP),
        (gzip.compress(ORDERS_TEXT.encode()) + ORDERS_TEXT.encode(), NOT_GZIP),
        (gzip.compress(b"\n\r\n\n"), "the document has no header line (it is empty or blank)"),
        (gzip.compress(b""), "the document has no header line (it is empty or blank)"),
        (gzip.compress(ORDERS_TEXT.replace("\n", "\r").encode()), "the header line holds a carriage return"),
    ],
    ids=["trailing-garbage", "gzip-then-plain", "blank-lines", "gzip-of-nothing", "cr-line-ends"],
)
def test_a_document_that_cannot_be_read_whole_stops_the_sync_naming_the_report(
    tmp_path: Path, body: bytes, message: str
):
    run = crafted(tmp_path, body)
    error = error_line(run)
    assert f"| {ALL_ORDERS} report " in error and message in error
    # Rows read before the damage may be out (STATE drops the report); the bookmark stays before them.
    ids = [r["amazon_order_id"] for r in run.records(ALL_ORDERS)]
    assert ids == ["111-1", "111-2"][: len(ids)] and run.bookmark(ALL_ORDERS, US) is None
    assert "pending_reports" not in json.dumps(run.last_state)


def test_a_document_with_a_header_and_no_rows_is_an_empty_window(tmp_path: Path):
    run = crafted(tmp_path, gzip.compress(("\t".join(ORDER_COLUMNS) + "\r\n").encode()))
    assert order_ids(run) == []
    assert run.bookmark(ALL_ORDERS, US) == "2024-01-02T00:00:00+00:00"


def test_xml_with_namespaces_cdata_comments_and_mixed_content_reads_by_local_names(tmp_path: Path):
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<amz:Result xmlns:amz="urn:amazon" xmlns="urn:default"><!-- a comment -->'
        "<amz:Node><amz:browseNodeId>42</amz:browseNodeId>"
        "<browseNodeName><![CDATA[Tea & <Coffee>]]></browseNodeName>"
        "<browsePathByName>Home, <b>Kitchen</b></browsePathByName>"
        '<hasChildren>true</hasChildren><childNodes count="2"><id>1</id><id>2</id></childNodes>'
        "</amz:Node></amz:Result>"
    )
    run = crafted(tmp_path, gzip.compress(document.encode()), BROWSE_TREE)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_records_match_schemas(run)
    [record] = run.records(BROWSE_TREE)
    assert record["browse_node_id"] == "42"
    assert record["browse_node_name"] == "Tea & <Coffee>"
    assert record["browse_path_by_name"] == "Home,"  # mixed content: the text, the element in extra_columns
    assert record["has_children"] is True and record["child_nodes"] == ["1", "2"]
    assert record["extra_columns"] == {"browse_path_by_name": ["Kitchen"]}


def test_a_row_that_runs_on_for_a_thousand_lines_is_refused():
    with pytest.raises(DocumentError, match="line 2 begins a row that goes on for more than 1000 lines"):
        flat(HEADER + "1\t2\t3\tx\n" + "more\n" * 2000)


def test_a_document_with_line_breaks_downloaded_again_emits_every_row_once(sim: Simulator, tmp_path: Path):
    sim.set_faults(document_mutation={ALL_ORDERS: "line_breaks"}, break_document={ALL_ORDERS: 1})
    run = cli(sim, tmp_path)
    want = []
    for rows in per_window(sim):
        want += [{**rows[0], "product_name": BROKEN_NAME}, {**rows[1], "price_designation": BROKEN_LAST}, *rows[2:]]
    assert records(run) == want
    assert "downloading it again" in run.stderr


def test_an_empty_fatal_error_document_is_reported_as_such(sim: Simulator, tmp_path: Path):
    sim.set_faults(fatal={ALL_ORDERS: 100}, empty_document={ALL_ORDERS: 100})
    run = cli(sim, tmp_path, fatal_report_retries=0)
    assert run.returncode == 1
    assert "error document unreadable: document amzn1.spdoc." in run.stderr
    assert "the download was empty (0 bytes), which no report document is" in run.stderr


@pytest.mark.parametrize(
    "body",
    [
        b'{"reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT"}}',
        b'{"reportSpecification": {}, "errorDetails": "salesAndTrafficByAsin is not available"}',
        b'{"reportSpecification": {}, "salesAndTrafficByAsin": null}',
    ],
    ids=["no-array", "another-shape", "null"],
)
def test_a_json_document_without_its_records_array_stops_the_window_instead_of_reading_as_no_data(
    tmp_path: Path, body: bytes
):
    key = BY_STREAM[SALES].record_path
    assert key == "salesAndTrafficByAsin"
    run = crafted(tmp_path, body, stream=SALES)
    error = error_line(run)
    assert f"| {SALES} report " in error and f'no "{key}" array' in error, error
    assert run.records(SALES) == [] and run.bookmark(SALES, US) is None


def test_a_json_document_with_its_records_array_empty_is_an_empty_window(tmp_path: Path):
    body = b'{"reportSpecification": {}, "salesAndTrafficByDate": [], "salesAndTrafficByAsin": []}'
    run = crafted(tmp_path, body, stream=SALES)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.records(SALES) == [] and run.bookmark(SALES, US) == "2024-01-02T00:00:00+00:00"


@pytest.mark.parametrize("column", ["amazon_order_id", "sku"])
def test_a_header_without_a_primary_key_column_stops_the_window_naming_the_column(tmp_path: Path, column: str):
    # A renamed column, or a header in a language the tap does not know: its rows would load
    # with a null key, which a target refuses or cannot tell apart.
    columns = [name for name in ORDER_COLUMNS if name != column]
    lines = [ORDERS_TEXT.splitlines()[0].split("\t"), *(row.split("\t") for row in ORDERS_TEXT.splitlines()[1:])]
    kept = [i for i, name in enumerate(ORDER_COLUMNS) if name != column]
    text = "\n".join("\t".join(fields[i] for i in kept) for fields in lines) + "\n"
    assert text.splitlines()[0].split("\t") == columns
    run = crafted(tmp_path, gzip.compress(text.encode()))
    line = error_line(run)
    assert f"the header has no {column} column, part of the stream's primary key" in line
    assert ALL_ORDERS in line
    assert run.records(ALL_ORDERS) == []
    assert (
        not run.last_state.get("bookmarks", {})
        .get(ALL_ORDERS, {})
        .get("partitions", [{}])[0]
        .get("replication_key_value")
    )


def test_json_values_of_the_wrong_type_are_typed_or_kept_aside_so_every_record_matches_its_schema(tmp_path: Path):
    # Amazon's JSON reports are typed by their schema, but a document is what it is: a count sent
    # as text is read as a number, an object where an amount belongs or NaN is null and kept as sent.
    item = (
        '{"parentAsin": "B0PARENT", "childAsin": %s, "salesByAsin": {"unitsOrdered": %s, '
        '"orderedProductSales": {"amount": %s, "currencyCode": "USD"}, "totalOrderItems": %s}}'
    )
    body = (
        '{"reportSpecification": {}, "salesAndTrafficByDate": [], "salesAndTrafficByAsin": ['
        + item % ('"B0CHILD1"', '"51"', '{"x": 1}', "NaN")
        + ", "
        + item % ("12345", "7", "19.99", "2")
        + "]}"
    ).encode()
    run = crafted(tmp_path, body, stream=SALES)
    assert run.returncode == 0, run.stderr[-3000:]
    first, second = assert_records_match_schemas(run)
    assert first["sales_by_asin"]["units_ordered"] == 51
    assert first["sales_by_asin"]["ordered_product_sales"] == {"amount": None, "currency_code": "USD"}
    assert first["sales_by_asin"]["total_order_items"] is None
    assert first["unparsed_values"] == {
        "sales_by_asin.ordered_product_sales.amount": '{"x": 1}',
        "sales_by_asin.total_order_items": "NaN",
    }
    # A number where the schema has text keeps its digits; values of the right type are as sent.
    assert second["child_asin"] == "12345"
    assert second["sales_by_asin"]["units_ordered"] == 7
    assert str(second["sales_by_asin"]["ordered_product_sales"]["amount"]) == "19.99"
    assert second["unparsed_values"] is None
    assert "values that could not be typed were loaded as null" in run.stderr and "sales_by_asin (2)" in run.stderr
