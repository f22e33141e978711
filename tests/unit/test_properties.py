"""Property-based tests (hypothesis) of header normalisation, value typing and streamed decoding.

Documents arrive in chunks cut wherever the network pleases, so every decoding step is checked
against the same input cut at arbitrary points.
"""

from __future__ import annotations

import codecs
import gzip
import itertools
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tap_amazon_sp.documents import (
    CHUNK_SIZE,
    FlatRows,
    decode,
    flat_header,
    gunzip,
    json_array_items,
    lines,
    unwrap,
    xml_tree_records,
)
from tap_amazon_sp.errors import DocumentError, TruncatedDocument
from tap_amazon_sp.records import JAPANESE_HEADERS, column_name, converter, format_datetime, parse_datetime, snake

SNAKE = re.compile(r"([a-z0-9]+(_[a-z0-9]+)*)?")
WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
SEPARATORS = st.sampled_from([" ", "-", "_", "/", " - ", "  ", ".", "(", ") ", ":", "\t"])


def cut(data: str | bytes, points: list[int]) -> list:
    """`data` in pieces, cut at `points` (any order, repeats allowed: empty pieces happen too)."""
    bounds = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    pieces = [data[a:b] for a, b in itertools.pairwise(bounds)]
    # An empty chunk now and then, as a network read can return.
    return [data[:0], *pieces] if len(points) % 2 else pieces


CUTS = st.lists(st.integers(min_value=0, max_value=10_000), max_size=12)
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


# Header normalisation


@given(st.text())
def test_column_names_are_snake_case_and_normalising_twice_changes_nothing(header: str):
    name = column_name(header)
    assert SNAKE.fullmatch(name), name
    assert column_name(name) == name


@given(st.lists(WORD, min_size=1, max_size=5), st.data())
def test_column_names_ignore_case_and_how_words_are_separated(words: list[str], data: st.DataObject):
    spelled = ""
    for index, word in enumerate(words):
        if index:
            spelled += data.draw(SEPARATORS)
        spelled += word.upper() if data.draw(st.booleans()) else word
    padding = data.draw(st.sampled_from(["", " ", "\ufeff", " \t"]))
    assert column_name(padding + spelled + padding.strip("\ufeff")) == "_".join(words)


@given(st.sampled_from(sorted(JAPANESE_HEADERS)), st.sampled_from(["", " ", "\ufeff"]))
def test_japanese_headers_name_the_same_column_as_the_english_ones(header: str, padding: str):
    assert column_name(padding + header) == column_name(JAPANESE_HEADERS[header])


# Words of two letters or more: a run of capitals is one word (an acronym), as in `asinB2B`.
CAMEL_WORDS = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8), min_size=1, max_size=5)


@given(CAMEL_WORDS)
def test_camel_case_keys_become_the_snake_case_words(words: list[str]):
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    assert snake(camel) == "_".join(words)


@given(CAMEL_WORDS, st.sampled_from(["B2B", "ASIN", "SKU"]))
def test_a_trailing_acronym_is_one_word(words: list[str], acronym: str):
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    assert snake(camel + acronym) == "_".join(words) + "_" + acronym.lower()


# Value typing

INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(timezone.utc)
).map(lambda d: d.replace(microsecond=0))
# (zone name, offset in hours, how the marketplace writes the date, month first?)
SPELLINGS = [
    ("UTC", 0, "%Y-%m-%d %H:%M:%S UTC", False),
    ("PST", -8, "%Y-%m-%d %H:%M:%S PST", False),
    ("PDT", -7, "%m/%d/%Y %H:%M:%S PDT", True),
    ("JST", 9, "%Y/%m/%d %H:%M:%S JST", False),
    ("MEZ", 1, "%d.%m.%Y %H:%M:%S MEZ", False),
    ("MESZ", 2, "%d.%m.%Y %H:%M:%S MESZ", True),  # dotted dates are day first whatever the marketplace
    ("GMT", 0, "%d/%m/%Y %H:%M:%S GMT", False),
    ("BST", 1, "%d/%m/%Y %H:%M:%S BST", False),
]


@given(INSTANTS, st.sampled_from(SPELLINGS))
def test_every_amazon_spelling_of_a_time_parses_back_to_the_same_instant(instant: datetime, spelling: tuple):
    _zone, hours, pattern, month_first = spelling
    local = instant.astimezone(timezone(timedelta(hours=hours)))
    assert parse_datetime(local.strftime(pattern), date_order="MDY" if month_first else "DMY") == instant


# How marketplaces write a calendar date: (their date order, the spelling), short and long forms.
LOCAL_DATE_SPELLINGS = [
    ("MDY", "{m}/{d}/{yy}"),
    ("MDY", "{mm}/{dd}/{yyyy}"),
    ("DMY", "{d}/{m}/{yy}"),
    ("DMY", "{dd}/{mm}/{yyyy}"),
    ("DMY", "{d}.{m}.{yy}"),
    ("DMY", "{dd}.{mm}.{yyyy}"),
    ("YMD", "{yy}/{m}/{d}"),
    ("YMD", "{yyyy}/{mm}/{dd}"),
    ("YMD", "{yyyy}-{mm}-{dd}"),
    # Whatever the marketplace: a dotted date is day first, a four-digit first part is a year.
    ("MDY", "{dd}.{mm}.{yyyy}"),
    ("MDY", "{yyyy}/{mm}/{dd}"),
    ("DMY", "{yyyy}/{mm}/{dd}"),
    ("YMD", "{dd}.{mm}.{yy}"),
    ("YMD", "{d}.{m}.{yy}"),
    ("YMD", "{dd}.{mm}.{yyyy}"),
    ("MDY", "{d}.{m}.{yy}"),
]
# Times as they follow a date in a date-time column: (strftime pattern of the time, its zone, hours).
TIME_SPELLINGS = [
    ("%H:%M", "", 0),
    ("%H:%M:%S", "", 0),
    ("%H:%M:%S", " UTC", 0),
    ("%H:%M:%S", " JST", 9),
    ("%H:%M:%S", " PDT", -7),
    ("%H:%M", " MEZ", 1),
    ("%H:%M:%S", " BST", 1),
]


def local_date(pattern: str, day: date) -> str:
    return pattern.format(
        yyyy=f"{day.year:04d}",
        yy=f"{day.year % 100:02d}",
        mm=f"{day.month:02d}",
        dd=f"{day.day:02d}",
        m=day.month,
        d=day.day,
    )


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(LOCAL_DATE_SPELLINGS))
def test_every_local_spelling_of_a_date_reads_back_as_that_date(day: date, spelling: tuple[str, str]):
    order, pattern = spelling
    assert converter("date", date_order=order)(local_date(pattern, day)) == day.isoformat()


# A day inside the range in every zone: two-digit years are 2000 to 2099.
INSTANTS_WITHIN_CENTURY = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(timezone.utc)
).map(lambda d: d.replace(microsecond=0))


@given(INSTANTS_WITHIN_CENTURY, st.sampled_from(LOCAL_DATE_SPELLINGS), st.sampled_from(TIME_SPELLINGS))
def test_a_date_time_column_reads_its_date_as_a_date_column_of_the_marketplace_and_keeps_the_time(
    instant: datetime, spelling: tuple[str, str], time_spelling: tuple[str, str, int]
):
    order, pattern = spelling
    time_pattern, zone, hours = time_spelling
    if "%S" not in time_pattern:
        instant = instant.replace(second=0)
    local = instant.astimezone(timezone(timedelta(hours=hours)))
    date_text = local_date(pattern, local.date())
    text = f"{date_text} {local.strftime(time_pattern)}{zone}"
    assert converter("date-time", date_order=order)(text) == instant.isoformat()  # UTC, whole seconds: "...+00:00"
    # The same text without its time is the same calendar date in a date column.
    assert converter("date", date_order=order)(date_text) == local.date().isoformat()


@pytest.mark.parametrize(
    ("order", "text", "day"),
    [
        # Japan and Sweden write year first: the two-digit first part is the year, in both kinds of column.
        ("YMD", "03/04/24", "2003-04-24"),
        ("DMY", "03/04/24", "2024-04-03"),
        ("MDY", "03/04/24", "2024-03-04"),
        # A dotted date is day first even where the marketplace writes year first.
        ("YMD", "16.03.24", "2024-03-16"),
    ],
)
def test_a_date_reads_the_same_in_a_date_column_and_in_a_date_time_column(order: str, text: str, day: str):
    assert converter("date", date_order=order)(text) == day
    assert converter("date-time", date_order=order)(f"{text} 10:00") == f"{day}T10:00:00+00:00"


@pytest.mark.parametrize("order", ["MDY", "DMY", "YMD"])
@pytest.mark.parametrize("raw", ["03/2024", "3/2024", "03.2024", "2024-03", "2024/3"])
def test_a_month_in_a_date_column_reads_as_its_first_day_never_as_some_day_of_it(raw: str, order: str):
    # A monthly ledger writes its periods so; a lenient parser would fill in today's day.
    assert converter("date", date_order=order)(raw) == "2024-03-01"


@given(INSTANTS, st.integers(min_value=-12 * 4, max_value=14 * 4))
def test_iso_times_with_any_offset_round_trip_through_the_records_form(instant: datetime, quarters: int):
    local = instant.astimezone(timezone(timedelta(minutes=15 * quarters)))
    text = format_datetime(parse_datetime(local.isoformat()))
    assert text == instant.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert format_datetime(parse_datetime(text)) == text
    assert converter("date-time")(local.isoformat()) == text


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_integers_round_trip(number: int):
    assert converter("integer")(str(number)) == number


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_decimals_round_trip_exactly(number: Decimal):
    assert converter("number")(str(number)) == number


@given(st.sampled_from(["nan", "NaN", "Infinity", "-inf", "1,5", "12.3.4", "", " "]))
def test_text_that_is_not_a_finite_decimal_is_refused(raw: str):
    with pytest.raises((ValueError, ArithmeticError)):
        converter("number")(raw)


@given(st.sampled_from(["true", "false", "yes", "no", "y", "n"]), st.data())
def test_booleans_in_any_case(word: str, data: st.DataObject):
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c for c in word)
    assert converter("boolean")(spelled) is (word in ("true", "yes", "y"))


@given(
    st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2099, 12, 31).date()),
    st.sampled_from(["%Y-%m-%d", "%d-%b-%Y", "%Y/%m/%d", "%d.%m.%Y"]),
)
def test_dates_in_amazon_spellings_read_as_the_calendar_date(day, pattern: str):
    assert converter("date")(day.strftime(pattern)) == day.isoformat()


# Decoding, with the bytes cut anywhere

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)


@given(TEXT, st.sampled_from(["utf-8", "cp1252", "cp932"]), CUTS)
def test_decoding_does_not_depend_on_where_chunks_are_cut(text: str, codec: str, points: list[int]):
    assume(not text.startswith("\ufeff"))  # a leading U+FEFF in UTF-8 is a byte order mark, dropped
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
        codec = "utf-8"
    assume(not data.startswith(BOMS))  # "ÿþ" in cp1252 are UTF-16's byte order mark
    # cp932 encodes a few characters to look-alikes ("¢" comes back as "￠"): compare with one
    # whole-buffer decode, which is what chunking must not change.
    assert "".join(decode(cut(data, points), codec, describe="test")) == data.decode(codec)


@given(TEXT, st.sampled_from(["cp1252", "cp932"]), CUTS)
def test_a_utf8_byte_order_mark_wins_over_the_declared_charset(text: str, codec: str, points: list[int]):
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    assert "".join(decode(cut(data, points), codec, describe="test")) == text


@given(st.binary(max_size=200), st.sampled_from(["utf-8", "cp932"]), CUTS)
def test_bytes_invalid_in_the_charset_fail_loudly_wherever_they_fall(data: bytes, codec: str, points: list[int]):
    try:
        want: str | None = data.decode(codec)
    except UnicodeDecodeError:
        want = None
    if data.startswith(BOMS):
        return  # decoded as the byte order mark says instead: covered above
    if want is None:
        with pytest.raises(DocumentError, match=f"not valid {codec}"):
            "".join(decode(cut(data, points), codec, describe="test"))
    else:
        assert "".join(decode(cut(data, points), codec, describe="test")) == want


@given(TEXT, st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]), CUTS)
def test_a_utf16_or_utf32_byte_order_mark_wins_over_the_declared_charset(text: str, codec: str, points: list[int]):
    # FF FE 00 00 is UTF-32-LE's mark and also UTF-16-LE's followed by U+0000: read as UTF-32 (no
    # report starts with a NUL character), so that one text is left out of the UTF-16-LE case.
    assume(not (codec == "utf-16-le" and text.startswith("\x00")))
    data = "\ufeff".encode(codec) + text.encode(codec)
    assert "".join(decode(cut(data, points), "cp1252", describe="test")) == text


@given(TEXT, st.sampled_from(["cp1252", "cp932"]), CUTS)
def test_unlabelled_utf8_reads_as_utf8_wherever_the_chunks_are_cut(text: str, usual: str, points: list[int]):
    assume(not text.startswith("\ufeff"))
    data = text.encode("utf-8")
    assert "".join(decode(cut(data, points), usual, describe="test", unlabelled=True)) == text


@given(TEXT, st.sampled_from(["cp1252", "cp932"]), CUTS)
def test_unlabelled_legacy_text_reads_in_its_charset_or_is_refused_never_half_utf8(
    text: str, usual: str, points: list[int]
):
    data = text.encode(usual, errors="ignore")
    assume(not data.startswith(BOMS))
    try:
        want = data.decode("utf-8")
    except UnicodeDecodeError:
        want = data.decode(usual, errors="replace")  # refused below if not valid in `usual` either
        read = data.decode("utf-8", errors="surrogateescape")
        stray = sum(1 for c in read if "\udc80" <= c <= "\udcff")
        if sum(1 for c in read if c > "\x7f" and not "\udc80" <= c <= "\udcff") >= stray:
            with pytest.raises(DocumentError, match="mixes UTF-8 with bytes that are not UTF-8"):
                "".join(decode(cut(data, points), usual, describe="test", unlabelled=True))
            return
    assert "".join(decode(cut(data, points), usual, describe="test", unlabelled=True)) == want


def reference_lines(text: str) -> list[str]:
    parts = text.split("\n")
    last = parts.pop()
    return [*parts, last] if last else parts


@given(st.text(st.sampled_from("ab\t\r\n€髙"), max_size=200), CUTS)
def test_lines_do_not_depend_on_where_chunks_are_cut(text: str, points: list[int]):
    assert list(lines(cut(text, points))) == reference_lines(text)


# Flat files: rows whose text values hold line breaks, written the way Amazon writes them (unquoted)

PLAIN_VALUE = st.text("ab 7€-", max_size=6)
BREAK = st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"])
WORD_PART = st.text("ab€", min_size=1, max_size=3)


@st.composite
def broken_rows(draw: st.DrawFn) -> tuple[list[bool], list[list[str]], str]:
    """Rows of W fields whose text columns may hold line breaks (none in the first column, none at a
    value's ends), and the document that writes them, CRLF or LF."""
    width = draw(st.integers(min_value=2, max_value=6))
    text = [draw(st.booleans()) for _ in range(width)]
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        row = []
        for column in range(width):
            value = draw(PLAIN_VALUE)
            if text[column] and column > 0 and draw(st.booleans()):
                value = draw(WORD_PART) + draw(BREAK) + draw(WORD_PART)
            row.append(value)
        rows.append(row)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    header = "\t".join(f"c{i}" for i in range(width))
    document = "".join(line + newline for line in [header, *("\t".join(row) for row in rows)])
    return text, rows, document


@given(broken_rows(), CUTS)
def test_rows_broken_by_line_breaks_in_text_values_read_back_whole(case: tuple, points: list[int]):
    text, rows, document = case
    header, number, rest = flat_header(lines(cut(document, points)))
    assert list(FlatRows(rest, len(header), text, number)) == rows


@given(st.integers(min_value=3, max_value=8), st.data())
def test_rows_short_of_trailing_fields_between_full_rows_load_as_they_are(width: int, data: st.DataObject):
    # Never joined: a short row of two fields or more and a full row together exceed the header.
    rows = [
        [data.draw(PLAIN_VALUE) for _ in range(data.draw(st.sampled_from([width, data.draw(st.integers(2, width))])))]
        for _ in range(data.draw(st.integers(min_value=1, max_value=6)))
    ]
    # Two short rows in a row could make W together; keep a full row between them.
    document = "\n".join(
        ["\t".join(f"c{i}" for i in range(width))]
        + ["\t".join(row) + ("\n" + "\t".join(["x"] * width) if len(row) < width else "") for row in rows]
    )
    _header, number, rest = flat_header(lines([document]))
    got = list(FlatRows(rest, width, [True] * width, number))
    want = [r for row in rows for r in ([row, ["x"] * width] if len(row) < width else [row])]
    assert got == want


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=3), CUTS)
def test_gzip_members_decompress_whatever_the_chunking(members: list[bytes], points: list[int]):
    data = b"".join(gzip.compress(m, mtime=0) for m in members)
    assert b"".join(gunzip(cut(data, points))) == b"".join(members)


@given(st.binary(max_size=300), st.integers(min_value=1), CUTS)
@settings(max_examples=200)
def test_a_gzip_stream_cut_short_anywhere_is_reported_as_truncated(payload: bytes, keep: int, points: list[int]):
    data = gzip.compress(payload, mtime=0)
    short = data[: keep % len(data)] or data[:1]
    with pytest.raises(TruncatedDocument):
        b"".join(gunzip(cut(short, points)))


@given(st.binary(min_size=1, max_size=300), st.integers(min_value=0, max_value=3), CUTS)
def test_a_document_comes_out_of_any_gzip_layers_by_its_bytes(payload: bytes, layers: int, points: list[int]):
    assume(not payload.startswith(b"\x1f\x8b"))  # text never does
    data = payload
    for _ in range(layers):
        data = gzip.compress(data, mtime=0)
    assert b"".join(unwrap(cut(data, points))) == payload


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=40), CUTS)
def test_nul_padding_after_a_gzip_member_is_skipped(payload: bytes, zeros: int, points: list[int]):
    data = gzip.compress(payload, mtime=0) + b"\0" * zeros
    assert b"".join(gunzip(cut(data, points))) == payload


@given(st.binary(max_size=300), st.binary(min_size=1, max_size=20), CUTS)
def test_bytes_after_a_gzip_member_that_are_not_gzip_fail_loudly(payload: bytes, tail: bytes, points: list[int]):
    tail = tail.lstrip(b"\0")
    assume(tail and not tail.startswith(b"\x1f"))
    data = gzip.compress(payload, mtime=0) + tail
    # Too few bytes to tell garbage from the start of a member cut short: then it is truncated.
    with pytest.raises(DocumentError, match=r"after the end of its gzip data|gzip stream ended early"):
        b"".join(gunzip(cut(data, points)))


def test_a_gzip_bomb_comes_out_in_pieces_no_larger_than_a_chunk():
    data = gzip.compress(b"\0" * 50_000_000)
    sizes = [len(piece) for piece in gunzip([data])]
    assert sum(sizes) == 50_000_000 and max(sizes) <= CHUNK_SIZE


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.text(max_size=20)
    | st.just("records")
    | st.floats(allow_nan=False, allow_infinity=False),
    # Keys that can never be "records": a nested key of that name would be found first.
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text('abcxyz\u00e9"', max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.lists(JSON_VALUES, max_size=8), st.dictionaries(st.sampled_from(["a", "spec", "zz"]), JSON_VALUES), CUTS)
def test_json_array_items_stream_out_whatever_the_chunking(items: list, around: dict, points: list[int]):
    text = json.dumps({**around, "records": items, "after": 1}, ensure_ascii=False)
    want = json.loads(json.dumps(items), parse_float=Decimal)
    assert list(json_array_items(cut(text, points), "records")) == want


# Nested XML (the XML All Orders reports)

ORDER_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Message><Order><AmazonOrderID>1</AmazonOrderID>'
    "<OrderItem><SKU>A&amp;B</SKU><ItemPrice><Component><Type>Principal</Type>"
    '<Amount currency="EUR">1.50</Amount></Component></ItemPrice></OrderItem></Order></Message>'
    "<Message><Order><AmazonOrderID>2</AmazonOrderID><OrderItem><SKU>髙</SKU></OrderItem>"
    "<OrderItem><SKU>C</SKU></OrderItem></Order></Message></AmazonEnvelope>\n"
).encode()
ORDERS = [
    {
        "AmazonOrderID": "1",
        "OrderItem": [
            {
                "SKU": "A&B",
                "ItemPrice": {"Component": [{"Type": "Principal", "Amount": {"currency": "EUR", "value": "1.50"}}]},
            }
        ],
    },
    {"AmazonOrderID": "2", "OrderItem": [{"SKU": "髙"}, {"SKU": "C"}]},
]


@given(CUTS)
def test_nested_xml_reads_the_same_however_the_download_is_cut(points: list[int]):
    records = xml_tree_records(cut(ORDER_XML, points), "Order", lists=frozenset({"OrderItem", "Component"}))
    assert list(records) == ORDERS
