"""Damaged documents, for the ``document_mutation`` fault: what a tap must survive or refuse.

Each mutation takes a finished document (before compression) and returns a damaged copy. Flat
files are edited as text in their own charset, so the damage sits where Amazon's would: in a
row, a header or a value. Tests compute what the tap should make of each from the constants here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .rendering import Document

__all__ = [
    "BROKEN_LAST",
    "BROKEN_NAME",
    "HUGE_FIELD",
    "INVALID_BYTES",
    "JSON_REPEAT",
    "MUTATIONS",
    "NEW_COLUMN",
    "NEW_COLUMN_AT",
    "NEW_PII_COLUMN",
    "REPEATED_COLUMN",
    "REVISED_COLUMNS",
    "UNTYPABLE",
    "XML_CHANNEL_REPEAT",
    "XML_REPEAT",
    "mutate",
    "new_column_value",
    "new_pii_value",
]

# A column Amazon might add one day, inserted at this position of the header.
NEW_COLUMN = "new-amazon-column"
NEW_COLUMN_AT = 2
# A column the header names twice (see `repeated_column`).
REPEATED_COLUMN = "product-name"
# A buyer-identifying column a report does not declare (Amazon adds or renames one), same position.
NEW_PII_COLUMN = "buyer-phone-number"
# Values no reader of their column's type can make sense of, put in the first data row.
UNTYPABLE = {
    "quantity": "lots",
    "item-price": "12,34",
    "purchase-date": "next week",
    "is-business-order": "maybe",
}
# Ledger columns Amazon revises after first reporting a row (see `revised_quantities`).
REVISED_COLUMNS = ("Reconciled Quantity", "Unreconciled Quantity")
# One value of several megabytes in the first data row's product name.
HUGE_FIELD = "H" * 3_000_000 + "!"
HUGE_COLUMNS = ("product-name", "item-name", "商品名")
# Text values with line breaks in them, as sellers and buyers type them: in the first data row's
# product name (a column in the middle), and in the last column of the second data row.
BROKEN_NAME = "Mug 350 ml\nDishwasher safe\r\n\r\nGift box"
BROKEN_LAST = "Leave at the door\nThank you"
# Not valid in UTF-8, cp1252 or cp932: 0x81 alone is undefined in all three.
INVALID_BYTES = b"\x81 "

_CODECS = {"windows-31j": "cp932", "cp1252": "cp1252", "utf-8": "utf-8"}


def new_column_value(row: int) -> str:
    """The new column's value in data row `row` (1-based)."""
    return f"new-{row}"


def new_pii_value(row: int) -> str:
    """The new PII column's value in data row `row` (1-based): a phone number no other field holds."""
    return f"+81 90-7777-{row:04d}"


def _codec(document: Document) -> str:
    charset = document.content_type.partition("charset=")[2].strip().lower()
    return _CODECS.get(charset, "utf-8")


def _flat(edit: Callable[[list[list[str]]], None]) -> Callable[[Document], Document]:
    """A mutation of a flat file's cells (header first), keeping its charset and line endings."""

    def mutation(document: Document) -> Document:
        codec = _codec(document)
        text = document.body.decode(codec)
        newline = "\r\n" if "\r\n" in text else "\n"
        rows = [line.split("\t") for line in text.split(newline) if line]
        edit(rows)
        body = "".join("\t".join(cells) + newline for cells in rows)
        return Document(body.encode(codec), document.content_type)

    return mutation


def _extra_field(rows: list[list[str]]) -> None:
    rows[1].append("surplus")


def _short_row(rows: list[list[str]]) -> None:
    del rows[1][-3:]


def _new_column(rows: list[list[str]]) -> None:
    rows[0].insert(NEW_COLUMN_AT, NEW_COLUMN)
    for number, cells in enumerate(rows[1:], start=1):
        cells.insert(NEW_COLUMN_AT, new_column_value(number))


def _repeated_column(rows: list[list[str]]) -> None:
    # A column named again, at the end: the one named first must keep its values.
    rows[0].append(REPEATED_COLUMN)
    for number, cells in enumerate(rows[1:], start=1):
        cells.append(new_column_value(number))


def _repeated_row(rows: list[list[str]]) -> None:
    # The same row again, away from its twin: identical rows need not stand together.
    rows.append(list(rows[1]))


def _revised_quantities(rows: list[list[str]]) -> None:
    # Amazon revises these ledger columns as lost units are found; the row is still the same event.
    for index, header in enumerate(rows[0]):
        if header in REVISED_COLUMNS:
            for cells in rows[1:]:
                cells[index] = str(int(cells[index] or 0) + 1)


def _new_pii_column(rows: list[list[str]]) -> None:
    rows[0].insert(NEW_COLUMN_AT, NEW_PII_COLUMN)
    for number, cells in enumerate(rows[1:], start=1):
        cells.insert(NEW_COLUMN_AT, new_pii_value(number))


def _untypable(rows: list[list[str]]) -> None:
    for index, header in enumerate(rows[0]):
        if header in UNTYPABLE:
            rows[1][index] = UNTYPABLE[header]


def _line_breaks(rows: list[list[str]]) -> None:
    rows[1][rows[0].index("product-name")] = BROKEN_NAME
    rows[2][-1] = BROKEN_LAST


def _short_then_break(rows: list[list[str]]) -> None:
    # A row short of its trailing fields, then a row with a line break: each must read as itself.
    del rows[1][-3:]
    rows[2][rows[0].index("product-name")] = BROKEN_NAME


def _short_break(rows: list[list[str]]) -> None:
    # A line break in a row that is also short of its trailing fields: one row, or two short ones?
    rows[1][rows[0].index("product-name")] = BROKEN_NAME
    del rows[1][-3:]


def _huge_field(rows: list[list[str]]) -> None:
    for index, header in enumerate(rows[0]):
        if header in HUGE_COLUMNS:
            rows[1][index] = HUGE_FIELD
            return
    raise ValueError("huge_field needs a product-name or item-name column")


def _utf8(document: Document) -> Document:
    # The same text in UTF-8, labelled so (the no_charset fault takes the label away).
    return Document(document.body.decode(_codec(document)).encode("utf-8"), "text/plain; charset=UTF-8")


def _utf8_then_not(document: Document) -> Document:
    # UTF-8 with a megabyte of ASCII after its first row, then one byte that is not UTF-8 (cp1252's €):
    # valid UTF-8 as far as any reader looks before deciding, and not UTF-8 after all.
    text = document.body.decode(_codec(document))
    first = text.index("\n") + 1
    second = text.index("\n", first) + 1
    body = (text[: second - 1] + " €" + "~" * 1_000_000 + text[second - 1 :]).encode("utf-8")
    cut = body.rindex(b"\t", 0, len(body) - 2)
    return Document(body[: cut + 1] + b"\x80" + body[cut + 1 :], "text/plain; charset=UTF-8")


def _invalid_bytes(document: Document) -> Document:
    body = document.body
    cut = body.find(b"\n") + 1 or body.find(b'{"') + 1
    return Document(body[:cut] + INVALID_BYTES + body[cut:], document.content_type)


_LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def _xml_with_entity(declaration: str, use: str) -> Callable[[Document], Document]:
    def mutation(document: Document) -> Document:
        text = document.body.decode("utf-8")
        prolog, _, rest = text.partition("\n")
        rest = rest.replace("<browseNodeName>", f"<browseNodeName>{use}", 1)
        return Document(f"{prolog}\n<!DOCTYPE Result [{declaration}]>\n{rest}".encode(), document.content_type)

    return mutation


# What the xml_attributes mutation adds to the first record of an XML document.
XML_REPEAT = "Zweiter Name"
XML_CHANNEL_REPEAT = "Non-Amazon"


# What the repeated_key mutation names a second time in every JSON record.
JSON_REPEAT = "B0REPEATED"


def _repeated_key(document: Document) -> Document:
    # A key named again after the real one, at the top of each record and inside an object.
    text = document.body.decode("utf-8")
    text = text.replace('"salesByAsin":{', f'"parentAsin":"{JSON_REPEAT}","salesByAsin":{{')
    text = text.replace(',"totalOrderItems":', ',"unitsOrdered":999,"totalOrderItems":')
    return Document(text.encode("utf-8"), document.content_type)


def _xml_attributes(document: Document) -> Document:
    # Attributes on elements the schema holds as values, a value element repeated, an amount
    # without its currency: each in the first record only.
    text = document.body.decode("utf-8")
    if "<Node>" in text:
        text = text.replace("<browseNodeName>", '<browseNodeName lang="de">', 1)
        end = text.index("</browseNodeName>") + len("</browseNodeName>")
        text = f"{text[:end]}<browseNodeName>{XML_REPEAT}</browseNodeName>{text[end:]}"
    else:
        text = text.replace("<Quantity>", '<Quantity unit="pcs">', 1)
        text = text.replace("<PurchaseDate>", '<PurchaseDate zone="UTC">', 1)
        end = text.index("</SalesChannel>") + len("</SalesChannel>")
        text = f"{text[:end]}<SalesChannel>{XML_CHANNEL_REPEAT}</SalesChannel>{text[end:]}"
        text = re.sub(r'<Amount currency="[^"]*">', "<Amount>", text, count=1)
    return Document(text.encode("utf-8"), document.content_type)


def _new_key(document: Document) -> Document:
    text = document.body.decode("utf-8")
    text = text.replace('{"parentAsin":', '{"newMetric":7,"parentAsin":')
    text = text.replace('{"date":', '{"newMetric":7,"date":')
    text = text.replace('"salesByAsin":{', '"salesByAsin":{"newThing":1,')
    return Document(text.encode("utf-8"), document.content_type)


def _jsonl_bom(document: Document) -> Document:
    # A byte order mark before the first line, and Windows line ends.
    return Document(b"\xef\xbb\xbf" + document.body.replace(b"\n", b"\r\n"), document.content_type)


def _jsonl_blank_lines(document: Document) -> Document:
    # An empty line before the first, a line of spaces between each two, and blank lines at the end.
    lines = document.body.decode("utf-8").splitlines()
    return Document(("\n" + "\n  \t\n".join(lines) + "\n\n\n").encode("utf-8"), document.content_type)


def _jsonl_cut_last(document: Document) -> Document:
    # The last line cut in the middle, without its line end: a writer that stopped half-way.
    body = document.body.rstrip(b"\n")
    start = body.rfind(b"\n") + 1
    return Document(body[: start + (len(body) - start) // 2], document.content_type)


MUTATIONS: dict[str, Callable[[Document], Document]] = {
    "extra_field": _flat(_extra_field),
    "short_row": _flat(_short_row),
    "new_column": _flat(_new_column),
    "new_pii_column": _flat(_new_pii_column),
    "untypable": _flat(_untypable),
    "huge_field": _flat(_huge_field),
    "line_breaks": _flat(_line_breaks),
    "short_then_break": _flat(_short_then_break),
    "short_break": _flat(_short_break),
    "repeated_row": _flat(_repeated_row),
    "repeated_column": _flat(_repeated_column),
    "revised_quantities": _flat(_revised_quantities),
    "invalid_bytes": _invalid_bytes,
    "utf8": _utf8,
    "utf8_then_not": _utf8_then_not,
    # "Billion laughs": a kilobyte that expands to gigabytes in a parser that expands entities.
    "entity_expansion": _xml_with_entity('<!ENTITY lol0 "lol">' + _LAUGHS, "&lol9;"),
    # An external entity would read a file of the machine running the tap.
    "external_entity": _xml_with_entity('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
    "new_key": _new_key,
    "xml_attributes": _xml_attributes,
    "repeated_key": _repeated_key,
    # JSON Lines (Data Kiosk documents, keyed by the dataset's root field).
    "jsonl_bom": _jsonl_bom,
    "jsonl_blank_lines": _jsonl_blank_lines,
    "jsonl_cut_last": _jsonl_cut_last,
}


def mutate(document: Document, name: str) -> Document:
    """The document damaged by mutation `name`."""
    return MUTATIONS[name](document)
