"""Report documents as streams: decompress, decode and split them without holding them in memory.

Every function here works chunk by chunk, so memory stays flat whatever the document's size.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar
from xml.parsers import expat

from tap_amazon_sp.errors import DocumentError, TruncatedDocument

# Names Amazon puts in Content-Type that Python does not know, or knows under a narrower codec.
CHARSET_ALIASES = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "ms932": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "utf8": "utf-8",
}
# Byte order marks and what they say; UTF-32's before UTF-16's, which they begin with.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How many bytes, from the first chunk with a non-ASCII byte on, tell UTF-8 from a legacy charset.
UTF8_EVIDENCE = 64 * 1024
_ESCAPED = re.compile("[\udc80-\udcff]")
_MULTIBYTE = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")
_ARRAY_OPENING = re.compile(r"\s*:\s*\[")
_MAY_OPEN_ARRAY = re.compile(r"\s*(:\s*)?")
CHUNK_SIZE = 256 * 1024
T = TypeVar("T")


def charset_from_content_type(content_type: str | None) -> str | None:
    """The Python codec named by a Content-Type's charset parameter, or None."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            name = value.strip().strip('"').lower()
            name = CHARSET_ALIASES.get(name, name)
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


GZIP_MAGIC = b"\x1f\x8b"
# Amazon has served gzip inside a Content-Encoding: gzip (June 2023): two layers. More than three is
# not a document but a loop.
GZIP_LAYERS = 3


def gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress a gzip stream (several members allowed); fail if it ends early.

    NUL bytes between or after members are padding and skipped (as gzip(1) and Python's gzip do);
    any other bytes after a member must be another member, or the document fails. No piece is
    larger than `CHUNK_SIZE`, however well the data compresses.
    """
    decompressor: Any = None  # None between members
    members = 0
    for chunk in chunks:
        while chunk:
            if decompressor is None:
                if members:
                    chunk = chunk.lstrip(b"\0")
                    if not chunk:
                        break
                decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            try:
                # At most a chunk out per call: a small gzip can hold gigabytes (of zeros, say).
                out = decompressor.decompress(chunk, CHUNK_SIZE)
            except zlib.error as exc:
                if members:
                    raise DocumentError(
                        f"the document has bytes after the end of its gzip data that are not gzip ({exc})"
                    ) from None
                raise DocumentError(f"the document is not valid gzip ({exc})") from None
            if out:
                yield out
            if decompressor.eof:
                chunk = decompressor.unused_data
                decompressor = None
                members += 1
            else:
                chunk = decompressor.unconsumed_tail
    if decompressor is not None:
        tail = decompressor.flush()
        if tail:
            yield tail
        if not decompressor.eof:
            raise TruncatedDocument("the document's gzip stream ended early (truncated download)")


def _peek(chunks: Iterator[bytes], size: int) -> tuple[bytes, Iterator[bytes]]:
    """The first `size` bytes (fewer at the end), and the whole stream again, those bytes included."""
    taken: list[bytes] = []
    have = 0
    for chunk in chunks:
        taken.append(chunk)
        have += len(chunk)
        if have >= size:
            break
    head = b"".join(taken)
    return head[:size], itertools.chain((head,) if head else (), chunks)


def unwrap(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A downloaded document's own bytes: every gzip layer it comes in removed, decided by the bytes.

    A layer is gzip when it starts with gzip's magic (`1f 8b`), whatever `compressionAlgorithm` or
    `Content-Encoding` said: Amazon has served plain text flagged GZIP, gzip with no flag, and gzip
    inside a `Content-Encoding: gzip` (SPAPI-NOTES Add. §9); text never starts with those bytes.
    A body of zero bytes is a broken download (`TruncatedDocument`): no report document is empty,
    and a gzip file never is.
    """
    head, stream = _peek(iter(chunks), len(GZIP_MAGIC))
    if not head:
        raise TruncatedDocument("the download was empty (0 bytes), which no report document is")
    for _layer in range(GZIP_LAYERS):
        if head != GZIP_MAGIC:
            break
        head, stream = _peek(gunzip(stream), len(GZIP_MAGIC))
    yield from stream


def decode(chunks: Iterable[bytes], encoding: str, *, describe: str, unlabelled: bool = False) -> Iterator[str]:
    """Decode bytes incrementally; a byte order mark (UTF-8, UTF-16, UTF-32) overrides `encoding`.

    A byte sequence invalid in the charset fails loudly: mojibake in a warehouse is worse
    than a failed sync.

    `unlabelled` says the download named no charset, so `encoding` is only the marketplace's usual
    one. A legacy charset such as cp1252 accepts nearly any bytes, so UTF-8 read as cp1252 would
    load as mojibake (`â‚¬` for `€`) without an error; valid UTF-8, on the other hand, almost never
    happens by accident in cp1252 or cp932 text. So the first non-ASCII bytes decide, without
    reading the whole document first: the chunks up to the first one holding a non-ASCII byte are
    ASCII (the same text in every candidate), and from there at least `UTF8_EVIDENCE` bytes are
    looked at. All valid UTF-8: the document is UTF-8. Otherwise it is in `encoding`, unless what
    is valid UTF-8 in it outweighs what is not (as many multi-byte characters as stray bytes): that
    is UTF-8 with stray bytes in it, and it is refused, as there is nothing safe to guess. (cp932
    text holds valid UTF-8 sequences by accident, about one for every ten bytes that are not.)
    If bytes further on turn out not to be UTF-8 after all, the document fails there, as a labelled
    one would: re-reading it in the other charset would leave the records already emitted in
    the first one.
    """
    head, stream = _peek(iter(chunks), 4)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            encoding, unlabelled = codec, False
            stream = _skip(stream, len(bom))
            break
    if not unlabelled or codecs.lookup(encoding).name == "utf-8":
        yield from _decode(stream, encoding, describe, 0, "")
        return
    offset = 0
    for chunk in stream:
        if chunk.isascii():
            offset += len(chunk)
            if chunk:
                yield chunk.decode("ascii")
            continue
        held = [chunk]
        size = len(chunk)
        ended = True
        for more in stream:
            held.append(more)
            size += len(more)
            if size >= UTF8_EVIDENCE:
                ended = False
                break
        evidence = b"".join(held)
        read = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape").decode(evidence, final=ended)
        # surrogateescape turns each byte that is not UTF-8 into a lone surrogate, so the text tells both.
        invalid = len(_ESCAPED.findall(read))
        if invalid and len(_MULTIBYTE.findall(read)) >= invalid:
            raise DocumentError(
                f"{describe}: the download names no charset, and its text mixes UTF-8 with bytes that are not "
                f"UTF-8 (from offset {offset}); refusing to guess"
            )
        why = "; the download names no charset and its text before was UTF-8" if not invalid else ""
        chosen = encoding if invalid else "utf-8"
        yield from _decode(itertools.chain((evidence,), stream), chosen, describe, offset, why)
        return


def _skip(chunks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """The stream without its first `size` bytes."""
    for chunk in chunks:
        if size >= len(chunk):
            size -= len(chunk)
            continue
        yield chunk[size:]
        break
    yield from chunks


def _decode(chunks: Iterable[bytes], encoding: str, describe: str, offset: int, why: str) -> Iterator[str]:
    """Decode strictly; `offset` is where the first chunk starts in the document, for the error."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for chunk in chunks:
            offset += len(chunk)
            text = decoder.decode(chunk)
            if text:
                yield text
        text = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        # The decoder's error covers the bytes it still held and this chunk: `offset` is where they end.
        start = offset - len(exc.object) + exc.start
        raise DocumentError(
            f"{describe}: bytes at offset {start} are not valid {codecs.lookup(encoding).name} "
            f"({exc.object[exc.start : exc.start + 4]!r}){why}; refusing to guess"
        ) from None
    if text:
        yield text


def lines(texts: Iterable[str]) -> Iterator[str]:
    """Split text into lines on LF only, each without its LF; a final line without LF counts.

    A CR before the LF stays on the line: whether a line ended in CRLF is the flat-file reader's to
    know (`FlatRows` keeps a line break inside a value as it was written).
    """
    # The unfinished line is kept in pieces and joined once, so a line spread over many chunks
    # (a huge field) costs time in proportion to its length, not to its square.
    pending: list[str] = []
    for text in texts:
        parts = text.split("\n")
        if len(parts) == 1:
            if text:
                pending.append(text)
            continue
        if pending:
            pending.append(parts[0])
            parts[0] = "".join(pending)
            pending.clear()
        rest = parts.pop()
        yield from parts
        if rest:
            pending.append(rest)
    if pending:
        yield "".join(pending)


def flat_header(text_lines: Iterable[str]) -> tuple[list[str], int, Iterator[str]]:
    """A flat file's header (its first line that is not blank), the header's line number, and the lines after it.

    An empty header means the document has no line but blank ones. A header with a CR inside is
    refused: the document's lines end in CR alone, and read on LF it would be one line of garbage
    column names and no rows.
    """
    iterator = iter(text_lines)
    number = 0
    for line in iterator:
        number += 1
        if line.strip():
            line = line.removesuffix("\r")
            if "\r" in line:
                raise DocumentError(
                    "the header line holds a carriage return: the document's lines end in CR alone, which is not "
                    "a flat file as Amazon writes them; the bookmark stays before this window"
                )
            return line.split("\t"), number, iterator
    return [], number, iterator


class FlatRows:
    """The rows of a flat file after its header, as lists of values (no CR or LF of their own line
    ends); `line` is the line the row last yielded begins on (a row is read more often than a line
    number is needed, so it is not yielded with it).

    Amazon's flat files are not CSV: nothing is quoted, so a value that starts with a quote is kept
    as it is, and a value with a line break in it (a description, a buyer's comment) splits its row
    over several lines. Which lines belong together is told by their field counts against the
    header's (W), and by the columns a value with a line break can be in (`text_columns`: a
    number or a date never holds one):

    1. A line of W fields is a row; one of more is refused later, by `records.RowTyper`.
    2. A line of fewer fields is continued by the lines after it when together they make at most W
       fields, the line break falling in a text column: the first field of each continues the last
       value before it, line break kept (`\n` or `\r\n` as written, blank lines inside the value
       too). A line with no tab adds no field, so a value with several line breaks joins as well.
    3. A line with no tab after a row continues the row's last value (the text after a line break
       goes on from what came before it), when that is a text column; otherwise it starts a row,
       continued by the lines after it as in 2.
    4. A row that ends up with fewer than W fields is a row whose trailing empty fields Amazon left
       out (`RowTyper` pads it) — unless it took a line with a tab in rule 2: then it is either one
       row with a line break whose trailing fields are left out, or several short rows, which cannot
       be told apart, and the document is refused naming the lines. A short row right after one
       joined to W fields is refused for the same reason (the join may have taken its start), and
       so is a line with no tab that nothing continues.
    5. Two lines of fewer fields that together make exactly one field too many are refused: a value
       held a tab and a line break (a tab alone is caught by rule 1; two tabs and a line break, or a
       tab in a row short of a trailing field, look like rows and are not caught). A full line after
       a short one is a row, as in 4.

    So a short row followed by a full row loads as before (together they would exceed W), and a
    short row never shifts another row's values into its columns; the one reading the field counts
    cannot tell is two rows that are each short by about half and make exactly W together, read as
    one row with a line break in a text column. Blank lines between rows are skipped. With
    `joined` rows counted and the first line of the first few kept in `joined_at`, for a warning.
    """

    KEEP = 5
    # No comment or description runs to this many lines; a row that does is a broken document, and
    # holding it would cost memory with its size (and time with its square).
    MAX_LINES = 1000

    def __init__(self, text_lines: Iterator[str], width: int, text_columns: Sequence[bool], header_line: int) -> None:
        self._lines = text_lines
        self._width = width
        self._text = text_columns
        self._header_line = header_line
        self.line = header_line
        self.joined = 0
        self.joined_at: list[int] = []

    def __iter__(self) -> Iterator[list[str]]:
        width = self._width
        number = self._header_line
        if width < 2:
            # One column: no field count to go by, every line is a row.
            for line in self._lines:
                number += 1
                value = line.removesuffix("\r")
                if value:
                    self.line = number
                    yield [value]
            return
        text = self._text
        held: list[str] | None = None  # the row read last, held until the next line shows it is whole
        start = end = 0  # its first and last lines
        plain = False  # held is one line of exactly W fields
        tabbed = False  # held took a line with a tab (rule 2)
        blanks: list[str] = []  # the line ends of blank lines after held
        after: tuple[int, int] | None = None  # the lines of the row emitted last, if it took a line with a tab
        for line in self._lines:
            number += 1
            values = line.split("\t")
            if plain and len(values) == width:
                # The common case, and the only work a well-formed document costs.
                last = held[-1]  # type: ignore[index]
                if last.endswith("\r"):
                    held[-1] = last[:-1]  # type: ignore[index]
                self.line = start
                yield held  # type: ignore[misc]
                held, start, end = values, number, number
                continue
            n = len(values)
            if n == 1 and values[0] in ("", "\r"):
                if held is not None:
                    blanks.append("\r\n" if values[0] else "\n")
                    plain = False
                continue
            if held is not None:
                h = len(held)
                if h <= width and (n == 1 or (h < width and h + n - 1 <= width)) and text[h - 1]:
                    last = held[-1]
                    if last.endswith("\r"):
                        held[-1] = last[:-1] + "\r\n" + "".join(blanks) + values[0]
                    else:
                        held[-1] = last + "\n" + "".join(blanks) + values[0]
                    blanks.clear()
                    if n > 1:
                        held.extend(values[1:])
                        tabbed = True
                    if end == start:
                        self.joined += 1
                        if len(self.joined_at) < self.KEEP:
                            self.joined_at.append(start)
                    elif number - start >= self.MAX_LINES:
                        raise DocumentError(
                            f"line {start} begins a row that goes on for more than {self.MAX_LINES} lines; that is "
                            "not a value with line breaks but a document that is not a flat file; the bookmark stays "
                            "before this window"
                        )
                    plain = False
                    end = number
                    continue
                if h + n - 2 == width and 1 < n < width and h < width and text[h - 1]:
                    raise DocumentError(
                        f"lines {start}-{number} make one field more than the header's {width} together (a value "
                        "with a tab and a line break in it?), so their columns cannot be told apart; the bookmark "
                        "stays before this window"
                    )
                self.line = start
                yield self._finish(held, start, end, tabbed, after)
                after = (start, end) if tabbed else None
            held, start, end, tabbed, plain = values, number, number, False, n == width
            blanks.clear()
        if held is not None:
            self.line = start
            yield self._finish(held, start, end, tabbed, after)

    def _finish(self, held: list[str], start: int, end: int, tabbed: bool, after: tuple[int, int] | None) -> list[str]:
        """A held row, ready to go out, or the reason it cannot (rule 4)."""
        last = held[-1]
        if last.endswith("\r"):
            held[-1] = last[:-1]
        fields, width = len(held), self._width
        if fields < width:
            if tabbed:
                raise DocumentError(
                    f"lines {start}-{end} make {fields} fields together but the header has {width}: one row with "
                    "a line break in a value and trailing fields left out, or several rows with trailing fields "
                    "left out, which cannot be told apart; the bookmark stays before this window"
                )
            if after is not None:
                raise DocumentError(
                    f"line {start} has {fields} fields but the header has {width}, right after lines "
                    f"{after[0]}-{after[1]} read as one row with a line break in a value: they may be rows with "
                    "trailing fields left out instead, which cannot be told apart; the bookmark stays before this "
                    "window"
                )
            if fields == 1:
                raise DocumentError(
                    f"line {start} has no tab but the header has {width} fields, and no text value next to it "
                    "that a line break could have split; the bookmark stays before this window"
                )
        return held


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its (key, value) pairs, a key named again kept as `key_2`, `key_3`, ... (a key
    the object does not have): nothing Amazon sends is overwritten."""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    result = {}
    taken = {key for key, _value in pairs}
    for key, value in pairs:
        if key in result:
            number = 2
            while f"{key}_{number}" in taken:
                number += 1
            key = f"{key}_{number}"
            taken.add(key)
        result[key] = value
    return result


def json_array_items(texts: Iterable[str], key: str) -> Iterator[Any]:
    """Yield the items of the array under `"key"` of a JSON document, one at a time.

    Items are decoded with Decimal for non-integral numbers, and a key an object names twice is kept
    twice (`unique_keys`). Only the items themselves are ever held in memory, so a document with a
    huge array streams through. A document with no text at all is refused: no JSON report is empty;
    so is one without the array (or with null for it): Amazon's report schemas require it, and an
    empty report holds it empty, so a missing one is a document of another shape, never "no data".
    """
    decoder = json.JSONDecoder(parse_float=Decimal, object_pairs_hook=unique_keys)
    iterator = iter(texts)
    buffer = ""
    marker = json.dumps(key)
    exhausted = False

    blank = True

    def more() -> bool:
        nonlocal buffer, exhausted, blank
        for text in iterator:
            buffer += text
            blank = blank and not text.strip()
            return True
        exhausted = True
        if blank:
            raise DocumentError("the JSON document is empty; the bookmark stays before this window")
        return False

    # Find `"key"`, then `:` and `[`. The same text can come earlier as a string value (a key is
    # the only place it is followed by a colon): such a match is skipped, not taken.
    while True:
        pos = buffer.find(marker)
        if pos < 0:
            buffer = buffer[-len(marker) :]
            if not more():
                raise DocumentError(
                    f"the JSON document has no {marker} array, which every report of its type holds "
                    "(empty when there is no data); the bookmark stays before this window"
                )
            continue
        opening = _ARRAY_OPENING.match(buffer, pos + len(marker))
        if opening:
            buffer = buffer[opening.end() :]
            break
        if _MAY_OPEN_ARRAY.fullmatch(buffer, pos + len(marker)):
            # What follows the key has not all arrived yet.
            buffer = buffer[pos:]
            if not more():
                raise DocumentError(f"JSON document ended after its {marker} key")
            continue
        buffer = buffer[pos + 1 :]
    index = 0
    while True:
        while True:
            while index < len(buffer) and buffer[index] in " \t\r\n,":
                index += 1
            if index < len(buffer) or not more():
                break
        if index >= len(buffer):
            raise DocumentError(f"JSON document ended inside the {key} array")
        if buffer[index] == "]":
            return
        try:
            item, end = decoder.raw_decode(buffer, index)
        except json.JSONDecodeError:
            if exhausted or not more():
                raise DocumentError(f"invalid JSON in the {key} array") from None
            continue
        # A number at the end of the buffer might continue in the next chunk, and one cut inside
        # its fraction or exponent ("1." or "2e+") parses short, stopping before the cut.
        cut_short = end >= len(buffer) or (
            isinstance(item, (int, Decimal)) and not isinstance(item, bool) and buffer[end] in ".eE+-"
        )
        if cut_short and not exhausted and more():
            continue
        yield item
        buffer = buffer[end:]
        index = 0


class _Rejected(Exception):
    pass


def _refuse(*_args: Any) -> None:
    raise _Rejected("the XML document declares entities; refusing to expand them")


def _safe_parser() -> expat.XMLParserType:
    """An expat parser that refuses entity declarations, so entity expansion attacks ("billion
    laughs") and external entities cannot run."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    return parser


def _parse(parser: expat.XMLParserType, chunks: Iterable[bytes], records: list[T]) -> Iterator[T]:
    """Feed the chunks to the parser, yielding the records its handlers collect as they complete."""
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            yield from records
            records.clear()
        parser.Parse(b"", True)
        yield from records
    except _Rejected as exc:
        raise DocumentError(str(exc)) from None
    except expat.ExpatError as exc:
        raise DocumentError(f"invalid XML ({exc})") from None


def _local(name: str) -> str:
    """A tag or attribute name without its namespace prefix (`amz:Order` -> `Order`)."""
    return name.rpartition(":")[2]


def _attributes(attrs: dict[str, str]) -> dict[str, str]:
    """An element's attributes by local name, without namespace declarations (they are not data)."""
    if not attrs:
        return attrs
    return {_local(k): v for k, v in attrs.items() if k != "xmlns" and not k.startswith("xmlns:")}


class XmlChild(NamedTuple):
    """A child element of a flat XML record, as sent."""

    tag: str  # its local name
    text: str  # its own text; for one with children, what stands between them
    attributes: dict[str, str]
    items: list[str] | None  # the texts of its own children (all the text inside each), if it has any


def xml_records(chunks: Iterable[bytes], record_tag: str) -> Iterator[tuple[dict[str, str], list[XmlChild]]]:
    """Yield each `record_tag` element of a flat XML document (the browse tree), parsing incrementally:
    its attributes, and its children in document order, repeats included.

    Which of it a record keeps where is the stream's to decide against its schema
    (`formats.FlatXml`). Tags are compared by local name, so a namespace prefix changes nothing.
    Entity declarations are refused outright, so entity expansion attacks ("billion laughs") and
    external entities cannot run.
    """
    parser = _safe_parser()
    records: list[tuple[dict[str, str], list[XmlChild]]] = []
    depth = 0  # inside the record: 1 on the record element, 2 on a child, 3 on a grandchild, ...
    attributes: dict[str, str] = {}
    children: list[XmlChild] = []
    child: tuple[str, dict[str, str]] = ("", {})
    child_text: list[str] = []
    items: list[str] | None = None
    item_text: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, attributes, child, items
        if depth:
            depth += 1
        elif _local(tag) == record_tag:
            depth = 1
            attributes = _attributes(attrs)
            return
        else:
            return
        if depth == 2:
            child = (_local(tag), _attributes(attrs))
            child_text.clear()
            items = None
        elif depth == 3:
            if items is None:
                items = []
            item_text.clear()

    def end(_tag: str) -> None:
        nonlocal depth, children
        if not depth:
            return
        if depth == 1:
            records.append((attributes, children))
            children = []
        elif depth == 2:
            text = "".join(child_text)
            children.append(XmlChild(child[0], text.strip() if items is not None else text, child[1], items))
        elif depth == 3 and items is not None:
            items.append("".join(item_text))
        depth -= 1

    def characters(data: str) -> None:
        if depth == 2:
            child_text.append(data)
        elif depth >= 3:
            item_text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    yield from _parse(parser, chunks, records)


class Attributed(dict[str, Any]):
    """An XML element with attributes but no children: its attributes, and its text under `value`."""


def xml_tree_records(
    chunks: Iterable[bytes], record_tag: str, *, lists: frozenset[str] = frozenset()
) -> Iterator[dict[str, Any]]:
    """Yield each `record_tag` element of an XML document as a nested dict, parsing incrementally.

    An element with children becomes a dict of them and of its attributes (a child wins a name
    they share; the attribute is kept as `@name`), with any text between the children under
    `value`. One without children becomes its text, or, when it has attributes
    (`<Amount currency="EUR">`), an `Attributed` dict of them with its text under `value`. A tag in
    `lists` is always a list, so that one item and several read alike; any other repeated tag
    becomes a list too. Tags and attributes go by local name (no namespace prefix). Entity
    declarations are refused, as in `xml_records`.
    """
    parser = _safe_parser()
    records: list[dict[str, Any]] = []
    # The open elements of the current record: (tag, children, text parts, attributes).
    stack: list[tuple[str, dict[str, Any], list[str], dict[str, str]]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if stack or tag == record_tag:
            stack.append((tag, {}, [], _attributes(attrs)))

    def end(_tag: str) -> None:
        if not stack:
            return
        tag, children, text, attrs = stack.pop()
        value: Any
        if children:
            value = {(f"@{k}" if k in children else k): v for k, v in attrs.items()}
            value.update(children)
            between = "".join(text).strip()
            if between:
                value["value" if "value" not in value else "@value"] = between
        elif attrs:
            value = Attributed({(f"@{k}" if k == "value" else k): v for k, v in attrs.items()})
            value["value"] = "".join(text)
        else:
            value = "".join(text)
        if not stack:
            records.append(value if isinstance(value, dict) else {})
            return
        parent = stack[-1][1]
        if tag in lists:
            parent.setdefault(tag, []).append(value)
        elif tag in parent:
            before = parent[tag]
            parent[tag] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            parent[tag] = value

    def characters(data: str) -> None:
        if stack:
            stack[-1][2].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    yield from _parse(parser, chunks, records)
