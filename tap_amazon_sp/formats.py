"""Report document formats: how the bytes of one kind of document become records.

One object per format (flat file, JSON array, flat XML, XML tree) owns decoding, splitting into
records, typing them against the stream's schema, and the warnings about what a document holds
beyond that schema; a report stream picks one from its catalogue row (`format_for`) and adds only
what every record of it carries (marketplace, window, report id, PII). The mechanics live in
documents.py (bytes and text, streamed) and records.py (names and values).

A format reads a `Document`: the bytes the report engine hands over (`reports.DocumentBytes`,
each byte exactly once even when the download breaks off and starts again) and what decoding
them needs. A new format is a subclass with one generator, `_records`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from tap_amazon_sp import marketplaces
from tap_amazon_sp.amounts import AmountReader
from tap_amazon_sp.documents import (
    FlatRows,
    XmlChild,
    decode,
    flat_header,
    json_array_items,
    lines,
    unique_keys,
    xml_records,
    xml_tree_records,
)
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.records import (
    EXTRA_COLUMNS,
    UNPARSED_VALUES,
    RowTyper,
    converter,
    fitted_json,
    flattened,
    schema_kind,
    snake,
    snake_keys,
    typed_tree,
)

if TYPE_CHECKING:
    from tap_amazon_sp.catalogue import ReportSpec

# What a document holds beyond the stream's schema is kept in these, present only when needed.
LEFTOVER_PROPERTIES: dict[str, Any] = {
    EXTRA_COLUMNS: {
        "type": ["object", "null"],
        "description": (
            "Columns (JSON keys, XML tags) Amazon sent that this stream does not know yet, repeated header columns "
            "(name_2) and XML attributes and repeats that do not fit the schema (path@attribute, path_2), as sent."
        ),
    },
    UNPARSED_VALUES: {
        "type": ["object", "null"],
        "description": "Values that could not be read as their column's type (that column is null), as sent.",
    },
}
# A list index in a path (`order_item[3].quantity@unit`): warnings name the element, not each index.
_INDEX = re.compile(r"\[\d+\]")


class Document(Protocol):
    """A report document's bytes, chunk by chunk, as the report engine hands them over."""

    # "<report type> report <id>": every error and warning about the document starts with it.
    describe: str
    # The charset the download's Content-Type names; None: the format's or marketplace's usual one.
    charset: str | None
    # Records read from it so far: its reader counts them, a download that breaks off names them.
    records: int

    def __iter__(self) -> Iterator[bytes]: ...


@dataclass
class Reading:
    """One document being read into one partition's records, and what is said about it."""

    document: Document
    marketplace_id: str
    report_id: str
    logger: logging.Logger
    # How the warning about extra columns names them: "<describe>: <leftovers> the stream's schema, ...".
    leftovers: str

    @property
    def describe(self) -> str:
        return self.document.describe

    @property
    def market(self) -> marketplaces.Marketplace | None:
        return marketplaces.BY_ID.get(self.marketplace_id)

    def texts(self, usual: str) -> Iterator[str]:
        """The document's text; without a charset label, in `usual` unless its bytes are UTF-8 (`decode`)."""
        charset = self.document.charset
        return decode(self.document, charset or usual, describe=self.describe, unlabelled=charset is None)

    def warn(self, message: str, *args: object) -> None:
        """A warning about this document, naming it first."""
        self.logger.warning("%s: %s", self.describe, message % args)

    def kept_aside(self, names: Iterable[str]) -> None:
        """Say which names (columns, keys, paths) of the document went to `extra_columns`."""
        listed = ", ".join(names)
        if listed:
            self.warn("%s the stream's schema, kept in %s: %s", self.leftovers, EXTRA_COLUMNS, listed)

    def untyped(self, counts: Counter[str]) -> None:
        """Say which columns held values that could not be typed (`unparsed_values`), and how many."""
        if counts:
            self.warn(
                "values that could not be typed were loaded as null and kept as text in %s: %s",
                UNPARSED_VALUES,
                ", ".join(f"{name} ({count})" for name, count in counts.items()),
            )


class DocumentFormat:
    """How one kind of document becomes records for one report stream (`spec`)."""

    # Whether every record holds only schema properties with JSON-ready values, so that it can be
    # written without the SDK's per-record conforming (`client.AmazonSPStream.records_are_typed`).
    typed = False
    # How the extra-columns warning names what went to `extra_columns` (`Reading.kept_aside`).
    leftovers = "columns not in"
    # Columns whose objects keep what the schema does not know inside them, as sent: a key there
    # that looks like PII is nulled as in `extra_columns` (`records.null_pii_like`).
    open_objects: tuple[str, ...] = ()

    def __init__(self, spec: ReportSpec) -> None:
        self.spec = spec

    def read(
        self, document: Document, *, marketplace_id: str, report_id: str, logger: logging.Logger
    ) -> Iterator[dict[str, Any]]:
        """The document's records, in document order; every error names the report."""
        reading = Reading(document, marketplace_id, report_id, logger, self.leftovers)
        try:
            for record in self._records(reading):
                document.records += 1
                yield record
        except DocumentError as exc:
            if str(exc).startswith(document.describe):
                raise
            raise DocumentError(f"{document.describe}: {exc}") from None

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        raise NotImplementedError


def dataset_format(properties: dict[str, Any]) -> DocumentFormat:
    """The format of a Data Kiosk stream's documents (JSON Lines), typed by the stream's `properties`."""
    return JsonLines(properties)


def format_for(spec: ReportSpec) -> DocumentFormat:
    """The format of a report stream's documents, as its catalogue row describes them."""
    if spec.fmt == "tsv":
        return FlatFile(spec)
    if spec.fmt == "json":
        return JsonArray(spec)
    # Tags that always read as lists are what makes an XML document a tree (orders) and not flat.
    return XmlTree(spec) if spec.xml_repeated else FlatXml(spec)


class _RecentCounts:
    """How often each row identity was seen before in this document, for the rows that repeat.

    Identical rows of a keyless report are told apart by their count (the second is `digest-1`),
    wherever they stand in the document. Only the most recently seen identities are remembered, so
    memory stays flat however large the document; Amazon writes these reports in date order, and
    identical rows (same date and time, same everything) stand close together.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def seen(self, identity: str) -> int:
        """The number of earlier rows with this identity."""
        counts = self._counts
        before = counts.pop(identity, 0)
        counts[identity] = before + 1  # re-inserted: now the most recent
        if len(counts) > self.LIMIT:
            del counts[next(iter(counts))]
        return before


class _RowKeys:
    """The `row_key` of a flat file's rows, for reports without a natural key."""

    def __init__(self, spec: ReportSpec, names: Sequence[str], marketplace_id: str, report_id: str) -> None:
        self._listed = spec.list_only
        self._line_key = spec.line_key_column
        self._report_id = report_id
        self._prefix = f"{marketplace_id}\t"
        fields = spec.row_key_fields
        # The columns a row is known by: those the catalogue names (leaving out values Amazon
        # revises, so a re-read row keeps its key), else the whole line.
        self._positions = [i for i, name in enumerate(names) if name in fields] if fields else None
        self._copies = _RecentCounts()

    def key(self, values: list[str], record: dict[str, Any], number: int) -> str:
        """The key of the row `values` (typed as `record`), the `number`-th of the document from 2."""
        if self._listed:
            # A settlement document never changes: its line numbers identify its rows.
            return f"{(record.get(self._line_key) if self._line_key else None) or self._report_id}:{number}"
        positions = self._positions
        if positions is None:
            identity = "\t".join(values)
        else:
            identity = "\t".join(values[i] if i < len(values) else "" for i in positions)
        digest = hashlib.blake2b(f"{self._prefix}{identity}".encode(), digest_size=12).hexdigest()
        repeat = self._copies.seen(digest)
        return f"{digest}-{repeat}" if repeat else digest


class FlatFile(DocumentFormat):
    """Amazon's tab-separated flat files: a header line, then one row per line (or several, when a
    value holds a line break: `documents.FlatRows`), typed column by column (`records.RowTyper`) in
    the marketplace's charset, date order and, where the catalogue says so, number format."""

    typed = True

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        spec = self.spec
        market = reading.market
        describe = reading.describe
        texts = reading.texts(market.charset if market is not None else "utf-8")
        header, header_line, text_lines = flat_header(lines(texts))
        if not header:
            # Amazon writes the header even when a report has no rows: this is not an empty report.
            raise DocumentError(
                f"{describe}: the document has no header line (it is empty or blank); "
                "the bookmark stays before this window"
            )
        date_order = market.date_order if market is not None else "DMY"
        amounts = AmountReader(market.decimal_separator if market else ".") if spec.local_numbers else None
        typer = RowTyper(header, spec.kinds, date_order=date_order, describe=describe, numbers=amounts)
        rows = FlatRows(text_lines, len(header), typer.text_columns, header_line)
        missing = [name for name in spec.primary_key if name in spec.kinds and name not in typer.names]
        if missing:
            # Its rows would load with a null key (a target refuses them, or cannot tell them apart):
            # a renamed column, or a header in a language the tap does not know.
            raise DocumentError(
                f"{describe}: the header has no {', '.join(missing)} column, part of the stream's primary key; "
                "the bookmark stays before this window"
            )
        renamed = {new for _name, new in typer.repeated}
        reading.kept_aside(name for name in typer.unknown if name not in renamed)
        if typer.repeated:
            reading.warn(
                "the header names a column more than once; the first is read as the column, the others are "
                "kept in %s: %s",
                EXTRA_COLUMNS,
                ", ".join(f"{name} (as {new})" for name, new in typer.repeated),
            )
        keys = _RowKeys(spec, typer.names, reading.marketplace_id, reading.report_id) if spec.row_key else None
        summed = bool(spec.detail_columns)
        details = [name for name in spec.detail_columns if name in typer.names]
        if summed and not details:
            reading.warn(
                "none of the columns %s is in the document, so its summary row cannot be told apart",
                ", ".join(spec.detail_columns),
            )
        # `number` counts rows (as lines once were), so a settlement row keeps its key; `rows.line` is where it starts.
        for number, values in enumerate(rows, start=2):
            record = typer.record(values, rows.line)
            if summed:
                record["is_summary"] = bool(details) and all(record[name] is None for name in details)
            if keys is not None:
                record["row_key"] = keys.key(values, record, number)
            yield record
        reading.untyped(typer.unparsed)
        self._after(reading, typer, rows, amounts)

    @staticmethod
    def _after(reading: Reading, typer: RowTyper, rows: FlatRows, amounts: AmountReader | None) -> None:
        """The warnings only the whole document can give: what was read in a way that may surprise."""
        if amounts is not None and amounts.doubtful:
            reading.warn(
                "%d amounts such as 1.234 were read before the document showed that it marks decimals "
                "with %r, not as the marketplace does; they may be misread",
                amounts.doubtful,
                amounts.shown,
            )
        if rows.joined:
            starts = ", ".join(map(str, rows.joined_at)) + (", ..." if rows.joined > len(rows.joined_at) else "")
            reading.warn(
                "%d rows had a line break inside a value and were each read from several lines (lines %s)",
                rows.joined,
                starts,
            )
        if typer.short_rows:
            reading.warn(
                "%d rows had fewer fields than the header; their missing trailing fields were read as empty",
                typer.short_rows,
            )


class JsonObjects(DocumentFormat):
    """Documents whose records are JSON objects, in UTF-8: keys snake-cased, every declared column
    present, keys the schema does not know moved to `extra_columns`. Subclasses say where in the
    document the objects are (`_items`)."""

    leftovers = "keys not in"

    def __init__(self, spec: ReportSpec) -> None:
        super().__init__(spec)
        # Amazon leaves out keys it has no value for (childAsin and sku at PARENT granularity);
        # every record carries every declared column, as flat-file records do.
        self._declared: dict[str, Any] = dict.fromkeys(name for name, _kind in spec.columns)
        self._properties: dict[str, Any] = spec.schema()["properties"]
        self._known = {*self._properties, *LEFTOVER_PROPERTIES}

    def _items(self, texts: Iterable[str]) -> Iterator[Any]:
        """The document's records as decoded JSON values, in document order."""
        raise NotImplementedError

    def _entry(self) -> str:
        """What one record of the document is called in an error."""
        return "record"

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        fields, groups = self.spec.row_key_fields, self.spec.flattened
        declared, known = self._declared, self._known
        announced = False
        untyped: Counter[str] = Counter()
        for item in self._items(reading.texts("utf-8")):
            if not isinstance(item, dict):
                raise DocumentError(f"{reading.describe}: a {self._entry()} is not an object")
            keyed = snake_keys(item)
            if groups:
                keyed = flattened(keyed, groups)
            record: dict[str, Any] = {**declared, **keyed}
            unknown = [name for name in record if name not in known]
            if unknown:
                if not announced:
                    # Said for the first record that has any: later records rarely differ.
                    announced = True
                    reading.kept_aside(unknown)
                record[EXTRA_COLUMNS] = {name: record.pop(name) for name in unknown}
            unparsed: dict[str, str] = {}
            for name, value in record.items():
                if value is not None and name in self._properties and name not in LEFTOVER_PROPERTIES:
                    record[name] = fitted_json(value, self._properties[name], name, unparsed)
            if unparsed:
                record[UNPARSED_VALUES] = unparsed
                untyped.update(path.split(".")[0].split("[")[0] for path in unparsed)
            if fields:
                record["row_key"] = "|".join(str(record.get(f) or "") for f in fields)
            yield record
        reading.untyped(untyped)


class JsonArray(JsonObjects):
    """A JSON document whose records are the items of one array (`record_path`), read item by item."""

    def _items(self, texts: Iterable[str]) -> Iterator[Any]:
        return json_array_items(texts, self.spec.record_path)

    def _entry(self) -> str:
        return f"{self.spec.record_path} entry"


class XmlTree(DocumentFormat):
    """A nested XML document (orders): each record element fitted all the way down to the stream's
    schema (`records.typed_tree`), what does not fit kept in `extra_columns` by path."""

    leftovers = "elements and attributes that do not fit"

    def __init__(self, spec: ReportSpec) -> None:
        super().__init__(spec)
        self._properties = spec.schema()["properties"]
        self._declared: dict[str, Any] = dict.fromkeys([*(name for name, _kind in spec.columns), *spec.nested_schema])
        self._lists = frozenset(spec.xml_repeated)
        # Elements the schema does not know stay inside their parent object (`records.typed_tree`).
        self.open_objects = tuple(spec.nested_schema)

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        properties, declared = self._properties, self._declared
        unparsed_count: Counter[str] = Counter()
        announced: set[str] = set()
        for element in xml_tree_records(reading.document, self.spec.record_path, lists=self._lists):
            record: dict[str, Any] = dict(declared)
            unparsed: dict[str, str] = {}
            extra: dict[str, Any] = {}
            for tag, value in element.items():
                name = snake(tag)
                if name in declared:
                    record[name] = typed_tree(value, properties[name], name, unparsed, extra)
                else:
                    extra[name] = value
            if extra:
                record[EXTRA_COLUMNS] = extra
                announced.update(_INDEX.sub("[]", key) for key in extra)
            if unparsed:
                record[UNPARSED_VALUES] = unparsed
                unparsed_count.update(path.split(".")[0].split("[")[0] for path in unparsed)
            yield record
        reading.kept_aside(sorted(announced))
        reading.untyped(unparsed_count)


class FlatXml(DocumentFormat):
    """A flat XML document (the browse tree), one column per child element of a record element.

    What does not fit the schema goes to `extra_columns`, as in nested XML (`records.typed_tree`):
    an element the schema does not know under its name, a repeat of one it knows as `name_2`, ...,
    an attribute as `name@attribute` (the record element's own attributes are members of it, like
    its children), the children of a text column as `name`, the text of a list column as `name`.
    Elements and attributes the catalogue skips (`tag` or `tag@attribute`) are left out.
    """

    leftovers = "elements and attributes that do not fit"

    def __init__(self, spec: ReportSpec) -> None:
        super().__init__(spec)
        self._kinds = spec.kinds
        self._convert = {name: converter(kind) for name, kind in self._kinds.items() if kind != "string"}
        self._lists = {name for name, prop in spec.nested_schema.items() if "array" in prop.get("type", ())}
        self._skipped = set(spec.skipped_elements)

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        unparsed: Counter[str] = Counter()
        announced: set[str] = set()
        for attributes, children in xml_records(reading.document, self.spec.record_path):
            members = [XmlChild(tag, text, {}, None) for tag, text in attributes.items()]
            record, extra = self._record(itertools.chain(members, children), unparsed)
            if extra:
                record[EXTRA_COLUMNS] = extra
                announced.update(extra)
            yield record
        reading.kept_aside(sorted(announced))
        reading.untyped(unparsed)

    def _record(self, children: Iterable[XmlChild], unparsed: Counter[str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """One record from its members (attributes, then child elements), and what did not fit it."""
        kinds, convert, lists, skipped = self._kinds, self._convert, self._lists, self._skipped
        record: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        seen: Counter[str] = Counter()
        for child in children:
            tag = child.tag
            if tag in skipped:
                continue
            name = snake(tag)
            seen[name] += 1
            if seen[name] > 1:
                extra[f"{name}_{seen[name]}"] = child.items if child.items is not None else child.text
                continue
            for attribute, text in child.attributes.items():
                if f"{tag}@{attribute}" not in skipped:
                    extra[f"{name}@{snake(attribute)}"] = text
            value = child.text
            if name in lists:
                record[name] = child.items or []
                if value.strip():
                    extra[name] = value
                continue
            if name not in kinds:
                extra[name] = child.items if child.items is not None else value
                continue
            if child.items:
                extra[name] = child.items
            if not value:
                record[name] = None
            elif name in convert:
                try:
                    record[name] = convert[name](value)
                except (ValueError, ArithmeticError, OverflowError):
                    record[name] = None
                    record.setdefault(UNPARSED_VALUES, {})[name] = value
                    unparsed[name] += 1
            else:
                record[name] = value
        for name in lists:
            record.setdefault(name, [])
        return record, extra


class JsonLines(DocumentFormat):
    """Data Kiosk documents: one JSON object per line, in UTF-8 (SPAPI-NOTES Add. §7). Keys are
    snake-cased, every property of the stream is present (null when the line has none), values are
    fitted to the schema (`records.fitted_json`: amounts as exact decimals), and keys the schema does
    not know go to `extra_columns`."""

    leftovers = "keys not in"

    # Not a report stream's format: made from the stream's properties, not a catalogue row.
    def __init__(self, properties: dict[str, Any]) -> None:
        self._properties = properties
        self._blank: dict[str, Any] = dict.fromkeys(name for name in properties if name not in LEFTOVER_PROPERTIES)
        self._known = {*properties, *LEFTOVER_PROPERTIES}
        self._decoder = json.JSONDecoder(parse_float=Decimal, object_pairs_hook=unique_keys)

    def _records(self, reading: Reading) -> Iterator[dict[str, Any]]:
        announced = False
        untyped: Counter[str] = Counter()
        fit = self._fit
        for number, line in enumerate(lines(reading.texts("utf-8")), 1):
            if not line.strip():
                continue
            try:
                item = self._decoder.decode(line)
            except ValueError:
                raise DocumentError(f"{reading.describe}: line {number} is not JSON") from None
            if not isinstance(item, dict):
                raise DocumentError(f"{reading.describe}: line {number} is not a JSON object")
            unparsed: dict[str, str] = {}
            record: dict[str, Any] = {**self._blank, **fit(item, "", unparsed)}
            unknown = [name for name in record if name not in self._known]
            if unknown:
                if not announced:
                    announced = True
                    reading.kept_aside(unknown)
                record[EXTRA_COLUMNS] = {name: record.pop(name) for name in unknown}
            if unparsed:
                record[UNPARSED_VALUES] = unparsed
                untyped.update(path.split(".")[0].split("[")[0] for path in unparsed)
            yield record
        reading.untyped(untyped)

    @cached_property
    def _fit(self) -> _Fit:
        own = {k: v for k, v in self._properties.items() if k not in LEFTOVER_PROPERTIES}
        return _object_fit({"type": ["object"], "properties": own})


# A compiled `records.fitted_json` for one schema, that snake-cases keys on the way (`records.snake_keys`):
# (value, its dotted path, unparsed) -> the value fitted. Values of the schema's type (nearly all of
# a Data Kiosk document's, which names only the fields asked for) pass through without the generic
# function's per-value dispatch; anything else goes to `fitted_json`, which decides as it always does.
_Fit = Callable[[Any, str, dict[str, str]], Any]
_NUMBERS = (int, float, Decimal)


def _fit_for(schema: dict[str, Any]) -> _Fit:
    types = schema.get("type") or []
    types = [types] if isinstance(types, str) else types
    if "object" in types:
        return _object_fit(schema)
    if "array" in types:
        item = _fit_for(schema.get("items") or {})

        def fit_array(value: Any, path: str, unparsed: dict[str, str]) -> Any:
            if not isinstance(value, list):
                return fitted_json(snake_keys(value), schema, path, unparsed)
            return [item(v, f"{path}[{i}]", unparsed) for i, v in enumerate(value)]

        return fit_array
    kind = schema_kind(schema) if schema else ""

    def fit_leaf(value: Any, path: str, unparsed: dict[str, str]) -> Any:
        if value is None:
            return None
        cls = type(value)
        if kind == "string" and cls is str:
            return value
        if kind == "number" and cls in _NUMBERS and value == value and value not in (_INF, -_INF):
            return value
        if kind == "integer" and cls is int:
            return value
        return fitted_json(snake_keys(value), schema, path, unparsed)

    return fit_leaf


_INF = float("inf")


def _object_fit(schema: dict[str, Any]) -> _Fit:
    properties: dict[str, Any] = schema.get("properties") or {}
    fits = {name: _fit_for(sub) for name, sub in properties.items()}
    names: dict[str, str] = {}

    def fit_object(value: Any, path: str, unparsed: dict[str, str]) -> Any:
        if not isinstance(value, dict):
            return fitted_json(snake_keys(value), schema, path, unparsed)
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = names.get(key)
            if name is None:
                name = names[key] = snake(key)
            if name in out:
                # Two keys that snake-case alike: the generic path keeps both (`name_2`).
                return fitted_json(snake_keys(value), schema, path, unparsed)
            fit = fits.get(name)
            where = f"{path}.{name}" if path else name
            out[name] = snake_keys(item) if fit is None else fit(item, where, unparsed)
        return out

    return fit_object
