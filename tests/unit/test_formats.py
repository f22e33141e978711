"""Document formats fed bytes directly: the records they make and the warnings they give.

Each format is read the way the report engine hands a document over (`formats.Document`): bytes in
small chunks, so that every split (a line, a JSON item, an XML element) falls across chunks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM, ReportSpec
from tap_amazon_sp.documents import lines
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.formats import FlatFile, FlatXml, JsonArray, JsonObjects, XmlTree, format_for

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
DESCRIBE = "GET_TEST report 42"
FLAT = replace(
    BY_STREAM["GET_MERCHANT_LISTINGS_ALL_DATA"],
    columns=(("sku", "t"), ("price", "d"), ("quantity", "i"), ("open_date", "dt")),
    pii_columns=(),
)
SALES = BY_STREAM["GET_SALES_AND_TRAFFIC_REPORT"]
BROWSE_TREE = BY_STREAM["GET_XML_BROWSE_TREE_DATA"]
ORDERS = BY_STREAM["GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"]
XML_EXTRA = f"{DESCRIBE}: elements and attributes that do not fit the stream's schema, kept in extra_columns: "
UNTYPED = f"{DESCRIBE}: values that could not be typed were loaded as null and kept as text in unparsed_values: "


@dataclass
class Bytes:
    """A document as the engine hands it over, from bytes in memory, seven bytes a chunk."""

    data: bytes
    charset: str | None = "utf-8"
    describe: str = DESCRIBE
    records: int = 0

    def __iter__(self) -> Iterator[bytes]:
        for at in range(0, len(self.data), 7):
            yield self.data[at : at + 7]


def read(
    spec: ReportSpec, data: bytes, caplog: pytest.LogCaptureFixture, *, marketplace_id: str = US, **document: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of a document of `spec`'s format, and the warnings said while reading it."""
    logger = logging.getLogger("tests.formats")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tests.formats"):
        source = Bytes(data, **document)
        records = list(format_for(spec).read(source, marketplace_id=marketplace_id, report_id="42", logger=logger))
    assert source.records == len(records)
    return records, [r.getMessage() for r in caplog.records if r.name == "tests.formats"]


def test_each_catalogue_format_is_read_by_its_own_object():
    assert type(format_for(FLAT)) is FlatFile
    assert type(format_for(SALES)) is JsonArray
    assert type(format_for(BROWSE_TREE)) is FlatXml
    assert type(format_for(ORDERS)) is XmlTree
    # Only flat-file records are typed column by column, ready for the direct line writer.
    assert [format_for(s).typed for s in (FLAT, SALES, BROWSE_TREE, ORDERS)] == [True, False, False, False]
    # Only nested XML keeps unknown elements inside its objects, where PII-like keys must be nulled.
    assert [format_for(s).open_objects for s in (FLAT, SALES, BROWSE_TREE)] == [(), (), ()]
    assert format_for(ORDERS).open_objects == ("fulfillment_data", "order_item")


# Flat files


def test_a_flat_file_is_typed_by_column_and_what_the_schema_lacks_is_kept_aside_with_a_warning(caplog):
    document = "sku\tprice\tquantity\topen-date\tnew-col\nA1\t1.50\t3\t2024-01-02 10:00:00 PST\tx\nB2\tn/a\t\t\ty\n"
    records, warnings = read(FLAT, document.encode(), caplog)
    assert records == [
        {
            "sku": "A1",
            "price": Decimal("1.50"),
            "quantity": 3,
            "open_date": "2024-01-02T18:00:00+00:00",
            "extra_columns": {"new_col": "x"},
        },
        {
            "sku": "B2",
            "price": None,
            "quantity": None,
            "open_date": None,
            "unparsed_values": {"price": "n/a"},
            "extra_columns": {"new_col": "y"},
        },
    ]
    assert warnings == [
        f"{DESCRIBE}: columns not in the stream's schema, kept in extra_columns: new_col",
        UNTYPED + "price (1)",
    ]


def test_an_unlabelled_flat_file_is_read_in_the_marketplaces_charset_unless_its_bytes_are_utf8(caplog):
    text = "sku\tprice\tquantity\topen-date\n緑茶\t100\t1\t\n"
    legacy, _ = read(FLAT, text.encode("cp932"), caplog, marketplace_id=JP, charset=None)
    utf8, _ = read(FLAT, text.encode("utf-8"), caplog, marketplace_id=JP, charset=None)
    assert legacy[0]["sku"] == utf8[0]["sku"] == "緑茶"


def test_identical_rows_of_a_keyless_flat_file_get_keys_told_apart_by_their_count(caplog):
    keyless = replace(FLAT, row_key=True, row_key_fields=())
    document = b"sku\tprice\tquantity\topen-date\nA\t1\t1\t\nA\t1\t1\t\nB\t1\t1\t\n"
    first, second, other = (r["row_key"] for r in read(keyless, document, caplog)[0])
    assert second == f"{first}-1"
    assert other != first and "-" not in other
    # The same row in another marketplace's document is another record.
    assert read(keyless, document, caplog, marketplace_id=JP)[0][0]["row_key"] != first


def test_a_flat_file_with_a_repeated_column_short_rows_and_a_line_break_says_so_once_each(caplog):
    document = b"sku\tprice\tquantity\tsku\nA\t1\t2\tA2\nB\t1\nC\t1\t1\tsays\nmore\n"
    records, warnings = read(FLAT, document, caplog)
    assert [r["sku"] for r in records] == ["A", "B", "C"]
    assert records[0]["extra_columns"] == {"sku_2": "A2"}
    assert records[2]["extra_columns"] == {"sku_2": "says\nmore"}
    assert warnings == [
        (
            f"{DESCRIBE}: the header names a column more than once; the first is read as the column, the others "
            "are kept in extra_columns: sku (as sku_2)"
        ),
        f"{DESCRIBE}: 1 rows had a line break inside a value and were each read from several lines (lines 4)",
        f"{DESCRIBE}: 1 rows had fewer fields than the header; their missing trailing fields were read as empty",
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"\n  \n", f"{DESCRIBE}: the document has no header line (it is empty or blank)"),
        # Raised below the format, without the report's name: the format names it, once.
        (b"sku\tprice\n" + b"A\t1\n" + b"more\n" * 1001, f"{DESCRIBE}: line 3 begins a row that goes on for more"),
        (b"sku\tprice\nA\t1\t2\n", f"{DESCRIBE}: line 2 has 3 fields but the header has 2"),
    ],
)
def test_a_flat_file_that_cannot_be_read_is_refused_naming_the_report_once(caplog, document: bytes, message: str):
    with pytest.raises(DocumentError) as refused:
        read(FLAT, document, caplog)
    assert str(refused.value).startswith(message)
    assert str(refused.value).count(DESCRIBE) == 1


# JSON


def test_a_json_array_gives_every_declared_column_and_keeps_unknown_keys_aside_warning_once(caplog):
    document = {
        "reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT"},
        "salesAndTrafficByAsin": [
            {"parentAsin": "P1", "childAsin": "C1", "salesByAsin": {"unitsOrdered": 2}, "newMetric": 1.5},
            {"parentAsin": "P2", "otherMetric": 7},
        ],
    }
    records, warnings = read(SALES, json.dumps(document).encode(), caplog)
    assert records == [
        {
            "parent_asin": "P1",
            "child_asin": "C1",
            "sku": None,
            "sales_by_asin": {"units_ordered": 2},
            "extra_columns": {"new_metric": Decimal("1.5")},
            "row_key": "P1|C1|",
        },
        {"parent_asin": "P2", "child_asin": None, "sku": None, "extra_columns": {"other_metric": 7}, "row_key": "P2||"},
    ]
    # Said for the first record with unknown keys, not for each.
    assert warnings == [f"{DESCRIBE}: keys not in the stream's schema, kept in extra_columns: new_metric"]


def test_a_json_array_entry_that_is_not_an_object_is_refused(caplog):
    with pytest.raises(DocumentError, match=f"^{DESCRIBE}: a salesAndTrafficByAsin entry is not an object$"):
        read(SALES, b'{"salesAndTrafficByAsin": [{"parentAsin": "P"}, 3]}', caplog)


class JsonLines(JsonObjects):
    """One JSON object per line (Data Kiosk's documents): all a new JSON format has to say."""

    def _items(self, texts: Iterable[str]) -> Iterator[Any]:
        for line in lines(texts):
            if line.strip():
                yield json.loads(line, parse_float=Decimal)


def test_a_json_format_is_one_method_saying_where_the_objects_are(caplog):
    logger = logging.getLogger("tests.formats")
    document = Bytes(b'{"parentAsin": "P1", "extra": 1.25}\n\n{"parentAsin": "P2"}\n')
    with caplog.at_level(logging.WARNING, logger="tests.formats"):
        records = list(JsonLines(SALES).read(document, marketplace_id=US, report_id="42", logger=logger))
    assert [(r["parent_asin"], r.get("extra_columns")) for r in records] == [
        ("P1", {"extra": Decimal("1.25")}),
        ("P2", None),
    ]
    assert document.records == 2
    assert caplog.messages == [f"{DESCRIBE}: keys not in the stream's schema, kept in extra_columns: extra"]


# XML


def test_flat_xml_keeps_attributes_repeats_and_unknown_elements_aside_and_names_them_sorted(caplog):
    document = (
        b'<?xml version="1.0"?><Result><Node lang="en"><browseNodeId>1</browseNodeId>'
        b"<browseNodeName>Tea</browseNodeName><browseNodeName>Coffee</browseNodeName>"
        b"<hasChildren>perhaps</hasChildren><childNodes count='2'><id>2</id><id>3</id></childNodes>"
        b"<newThing>n</newThing></Node></Result>"
    )
    [record], warnings = read(BROWSE_TREE, document, caplog)
    assert record["browse_node_id"] == "1"
    assert record["browse_node_name"] == "Tea"
    assert record["child_nodes"] == ["2", "3"]
    assert record["has_children"] is None
    assert record["unparsed_values"] == {"has_children": "perhaps"}
    assert record["extra_columns"] == {"lang": "en", "browse_node_name_2": "Coffee", "new_thing": "n"}
    assert warnings == [
        XML_EXTRA + "browse_node_name_2, lang, new_thing",
        UNTYPED + "has_children (1)",
    ]


def test_an_xml_tree_is_fitted_to_the_nested_schema_what_does_not_fit_kept_by_path(caplog):
    document = (
        b"<AmazonEnvelope><Message><Order><AmazonOrderID>111-1</AmazonOrderID>"
        b"<PurchaseDate>2024-01-02T03:04:05+00:00</PurchaseDate><IsBusinessOrder>sometimes</IsBusinessOrder>"
        b"<OrderItem><ASIN>B1</ASIN><Quantity unit='pcs'>2</Quantity></OrderItem>"
        b"<OrderItem><ASIN>B2</ASIN><Quantity unit='pcs'>1</Quantity></OrderItem>"
        b"<Gift>yes</Gift></Order></Message></AmazonEnvelope>"
    )
    [record], warnings = read(ORDERS, document, caplog)
    assert record["amazon_order_id"] == "111-1"
    assert record["purchase_date"] == "2024-01-02T03:04:05+00:00"
    assert record["is_business_order"] is None
    assert [(item["asin"], item["quantity"]) for item in record["order_item"]] == [("B1", 2), ("B2", 1)]
    assert record["extra_columns"] == {
        "order_item[0].quantity@unit": "pcs",
        "order_item[1].quantity@unit": "pcs",
        "gift": "yes",
    }
    assert record["unparsed_values"] == {"is_business_order": "sometimes"}
    # The warning names each element once, whichever item of a list it was found in.
    assert warnings == [
        XML_EXTRA + "gift, order_item[].quantity@unit",
        UNTYPED + "is_business_order (1)",
    ]


def test_xml_that_is_not_well_formed_is_refused_naming_the_report(caplog):
    with pytest.raises(DocumentError, match=f"^{DESCRIBE}: invalid XML"):
        read(BROWSE_TREE, b"<Result><Node><browseNodeId>1</Node>", caplog)
