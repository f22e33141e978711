"""From document rows to typed records: column names, Japanese headers, and value typing.

Converters are chosen once per document column, so the per-row work is one call per value.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from dateutil import parser as date_parser

from tap_amazon_sp.documents import Attributed, unique_keys
from tap_amazon_sp.errors import DocumentError

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Japanese Seller Central users get localized headers; column order matches the English report.
JAPANESE_HEADERS = {
    "商品名": "item-name",
    "出品ID": "listing-id",
    "出品者SKU": "seller-sku",
    "価格": "price",
    "数量": "quantity",
    "出品日": "open-date",
    "商品IDタイプ": "product-id-type",
    "コンディション説明": "item-note",
    "コンディション": "item-condition",
    "国外へ配送可": "will-ship-internationally",
    "迅速な配送": "expedited-shipping",
    "商品ID": "product-id",
    "在庫数": "pending-quantity",
    "フルフィルメント・チャンネル": "fulfillment-channel",
    "ステータス": "status",
}


def column_name(header: str) -> str:
    """`amazon-order-id` -> `amazon_order_id`; `Order ID` -> `order_id`; Japanese headers -> English."""
    header = header.strip().lstrip("\ufeff")
    header = JAPANESE_HEADERS.get(header, header)
    return _NON_ALNUM.sub("_", header.lower()).strip("_")


@lru_cache(maxsize=8192)
def snake(key: str) -> str:
    """`orderedProductSalesB2B` -> `ordered_product_sales_b2b`."""
    # Cached: the same few hundred keys come back in every record of a document or page.
    return _CAMEL.sub("_", key).lower()


def flat_name(group: str, field: str) -> str:
    """The column of a field of a flattened JSON object (snake-cased names): the group's name less
    `_data`, then the field, unless the field already names its group (`impression_data.impression_count`
    -> `impression_count`, `purchase_data.conversion_rate` -> `purchase_conversion_rate`)."""
    prefix = group.removesuffix("_data")
    return field if prefix in field else f"{prefix}_{field}"


def flattened(record: dict[str, Any], groups: tuple[str, ...]) -> dict[str, Any]:
    """A snake-cased record with the objects under `groups` spread into columns of their own
    (`flat_name`), objects inside them too (`click_data.total_median_click_price.amount` ->
    `total_median_click_price_amount`). A group that is not an object stays as it was."""
    result: dict[str, Any] = {}
    for key, value in record.items():
        if key in groups and isinstance(value, dict):
            for field, inner in _spread(value, ""):
                result[flat_name(key, field)] = inner
        else:
            result[key] = value
    return result


def _spread(value: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, inner in value.items():
        name = f"{prefix}_{key}" if prefix else key
        if isinstance(inner, dict):
            pairs.extend(_spread(inner, name))
        else:
            pairs.append((name, inner))
    return pairs


def exact_numbers(value: Any) -> Any:
    """JSON numbers as Decimals of their printed digits (responses are parsed with floats), recursively."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: exact_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact_numbers(v) for v in value]
    return value


def decimal_strings(value: Any, keys: frozenset[str] = frozenset({"amount"})) -> Any:
    """Every string under one of `keys` that is a number (Amazon's lossless `Decimal` is a string)
    as a Decimal, recursively; records carry it as a JSON number."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                try:
                    out[key] = Decimal(item)
                    continue
                except InvalidOperation:
                    pass
            out[key] = decimal_strings(item, keys)
        return out
    if isinstance(value, list):
        return [decimal_strings(v, keys) for v in value]
    return value


def snake_keys(value: Any) -> Any:
    """Snake-case every object key of a JSON value, recursively; two keys that snake-case alike
    (`ASIN`, `asin`) are both kept, the second as `asin_2`."""
    if isinstance(value, dict):
        result = {snake(k): snake_keys(v) for k, v in value.items()}
        if len(result) < len(value):
            return unique_keys([(snake(k), snake_keys(v)) for k, v in value.items()])
        return result
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


# Abbreviations seen in Amazon's localized timestamps, with their UTC offsets in hours.
TZ_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 1,
    "WEST": 1,
    "IST": 5.5,
    "CET": 1,
    "MEZ": 1,
    "CEST": 2,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "JST": 9,
    "SGT": 8,
    "AEST": 10,
    "AEDT": 11,
    "AWST": 8,
    "BRT": -3,
    "MSK": 3,
    "TRT": 3,
}
TZINFOS = {name: timezone(timedelta(hours=hours)) for name, hours in TZ_OFFSETS.items()}

_YMD = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*([A-Za-z]{1,5})?$"
)
# A numeric date in any order (read by `numeric_date`), then the same optional time and zone.
_NUMERIC_DATE_TIME = re.compile(
    r"(\d{1,4}([-/.])\d{1,2}\2\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*([A-Za-z]{1,5})?$"
)


def _tz(name: str | None) -> timezone | None:
    if not name:
        return timezone.utc
    return TZINFOS.get(name.upper())


def parse_datetime(raw: str, *, date_order: str = "DMY") -> datetime:
    """Parse one of Amazon's many timestamp spellings into an aware datetime.

    A numeric date part is read as `numeric_date` reads a date column's value, in `date_order`
    ("MDY", "DMY" or "YMD"): `03/04/2024` is March 4 in NA, April 3 in Europe, and `03/04/24` is
    2003-04-24 in Japan. Without a zone the value is taken as UTC.
    """
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    match = _YMD.match(text)
    if match:
        y, mo, d, hh, mm, ss, zone = match.groups()
        tz = _tz(zone)
        if tz is not None:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz)
    match = _NUMERIC_DATE_TIME.match(text)
    if match:
        numeric, _sep, hh, mm, ss, zone = match.groups()
        tz = _tz(zone)
        local = numeric_date(numeric, date_order) if tz is not None else None
        if local is not None:
            # The date as a date column of the same marketplace reads it; the time as written.
            return datetime(local.year, local.month, local.day, int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz)
    # Anything else (month names, AM/PM, zones not in TZINFOS): dateutil, told the same order.
    parsed = date_parser.parse(text, tzinfos=TZINFOS, dayfirst=date_order == "DMY", yearfirst=date_order == "YMD")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC, the one form every record uses."""
    # isoformat writes "+00:00" for UTC and omits a zero microsecond part.
    return value.astimezone(timezone.utc).isoformat()


def amazon_time(value: datetime) -> str:
    """A date-time as SP-API parameters take it: UTC, whole seconds, `Z`."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


Converter = Callable[[str], Any]


def _to_int(raw: str) -> int:
    return int(raw)


def _to_decimal(raw: str) -> Decimal:
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation(raw)
    return value


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def _to_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def converter(kind: str, *, date_order: str = "DMY") -> Converter:
    """The function that types a raw value of `kind`; empty strings are handled by the caller.

    `date_order` ("MDY", "DMY" or "YMD") reads numeric dates the way the marketplace writes them.
    """
    if kind == "integer":
        return _to_int
    if kind == "number":
        return _to_decimal
    if kind == "boolean":
        return _to_bool
    if kind == "date-time":
        return lambda raw: format_datetime(parse_datetime(raw, date_order=date_order))
    if kind == "date":
        return lambda raw: _date_only(raw, date_order)
    return str


_MONTH_YEAR = re.compile(r"(?P<month>\d{1,2})[./-](?P<year>\d{4})$")
_YEAR_MONTH = re.compile(r"(?P<year>\d{4})[./-](?P<month>\d{1,2})$")
_NUMERIC_DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})$")


def numeric_date(text: str, order: str) -> date | None:
    """`3/16/24`, `16.3.24`, `24/3/16`, `16/03/2024`, `2024/03/16` read in the marketplace's order.

    A four-digit first part is always a year; a dotted date is always day first; two-digit years
    are this century (Amazon's data starts in 1995, its reports in the 2000s). None when `text` is
    not a numeric date; ValueError when it is one that does not exist.
    """
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return None
    first, separator, middle, last = match.groups()
    # The rules in the docstring's order: the dotted rule goes before the marketplace's order, so
    # `16.03.24` is March 16 in Japan too.
    if len(first) == 4:
        year, month, day = first, middle, last
    elif separator == ".":
        day, month, year = first, middle, last
    elif order == "YMD" and len(last) <= 2:
        year, month, day = first, middle, last
    elif order == "MDY":
        month, day, year = first, middle, last
    else:
        day, month, year = first, middle, last
    if len(year) == 3:
        raise ValueError(text)
    number = int(year) + (2000 if len(year) <= 2 else 0)
    return date(number, int(month), int(day))


def _date_only(raw: str, order: str) -> str:
    text = raw.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d-%b-%Y").date().isoformat()  # noqa: DTZ007 (a date: no zone)
    except ValueError:
        pass
    local = numeric_date(text, order)
    if local is not None:
        return local.isoformat()
    month = _MONTH_YEAR.match(text) or _YEAR_MONTH.match(text)
    if month is not None:
        # A monthly figure ("03/2024", "2024-03"): the month's first day, never today's day of it.
        year, number = (month["year"], month["month"])
        return date(int(year), int(number), 1).isoformat()
    # The calendar date as written; a time part, if any, does not move it across midnight.
    parsed = parse_datetime(text, date_order=order)
    return parsed.date().isoformat()


# Typed values of a column are remembered up to this many distinct raw values per document: Amazon
# repeats most of them (prices, the purchase date of each item of an order), and memory stays flat.
CACHE_LIMIT = 4096
# Fields a record carries only when its document needs them: nothing Amazon sends is dropped.
EXTRA_COLUMNS = "extra_columns"  # columns (keys, tags) the stream's schema does not know yet, as sent
UNPARSED_VALUES = "unparsed_values"  # values that could not be read as their column's type, as sent

# Names that say a value identifies a buyer. A report's known PII columns are listed in its catalogue
# row; this catches what Amazon sends under a name the stream does not know yet (an added column, a
# renamed one, an unknown XML element), which would otherwise be kept in `extra_columns` or nested
# objects as sent. City, state, postal code and country do not match.
_PII_LIKE = re.compile(
    r"e_?mail|phone|(buyer|recipient|customer|rater|ship_to|bill_to)_?(company_)?name|address_?(\d|line|field)|street"
)


@lru_cache(maxsize=4096)
def looks_like_pii(name: str) -> bool:
    """Whether a column or key name is one a buyer's name, email, phone or street goes under."""
    # Raw XML tags (`BuyerEmail`) are kept as sent in `extra_columns`: read every name snake-cased.
    return _PII_LIKE.search(snake(name).lower()) is not None


def null_pii_like(value: Any) -> Any:
    """`value` with every object key that looks like PII (`looks_like_pii`) set to null, recursively."""
    if isinstance(value, dict):
        return {k: None if looks_like_pii(k) else null_pii_like(v) for k, v in value.items()}
    if isinstance(value, list):
        return [null_pii_like(v) for v in value]
    return value


def _unique_names(names: list[str], kinds: dict[str, str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The header's names with each repeat renamed `name_2`, `name_3`, ...; and (name, new name) per repeat.

    A new name is one neither the header nor the stream's schema has, so the repeat is an unknown
    column (kept in `extra_columns`) and never passes for a column of the schema.
    """
    taken = set(names) | set(kinds)
    seen: set[str] = set()
    unique: list[str] = []
    repeated: list[tuple[str, str]] = []
    for name in names:
        if name in seen:
            number = 2
            while f"{name}_{number}" in taken:
                number += 1
            renamed = f"{name}_{number}"
            taken.add(renamed)
            repeated.append((name, renamed))
            name = renamed
        seen.add(name)
        unique.append(name)
    return unique, repeated


class _Uncached(dict[str, Any]):
    """A value cache that keeps nothing."""

    def __setitem__(self, key: str, value: Any) -> None:
        return


class RowTyper:
    """Types the rows of one flat-file document, given its header and the stream's column kinds.

    A column the stream does not know goes into `extra_columns` as text; a value that cannot be
    read as its column's type becomes null and is kept, as text, in `unparsed_values`. A column the
    header names again is kept too: the first is the column, the others are `name_2`, `name_3`, ...
    in `extra_columns` (`repeated` lists them), so no column of the document disappears. `numbers`
    reads the number columns instead of plain decimals (amounts in a marketplace's format).
    """

    def __init__(
        self,
        header: list[str],
        kinds: dict[str, str],
        *,
        describe: str,
        date_order: str = "DMY",
        numbers: Converter | None = None,
    ) -> None:
        self.names, self.repeated = _unique_names(
            [column_name(h) or f"column_{index}" for index, h in enumerate(header, start=1)], kinds
        )
        self.unknown = [n for n in self.names if n not in kinds]
        self.describe = describe
        self.unparsed: Counter[str] = Counter()
        self.short_rows = 0
        # Text columns need no work beyond "" -> None; only the typed ones are visited per row.
        self._typed: list[tuple[str, Converter, dict[str, Any]]] = []
        for name in dict.fromkeys(self.names):
            kind = kinds.get(name, "string")
            if kind == "number" and numbers is not None:
                # A document's own number format (amounts.py) can read a value anew once the
                # document has shown it: such values are not remembered.
                self._typed.append((name, numbers, _Uncached()))
            elif kind != "string":
                self._typed.append((name, converter(kind, date_order=date_order), {}))
        self._width = len(self.names)
        # Where a value can hold a line break: text, not a number or a date (`documents.FlatRows`).
        self.text_columns = [kinds.get(name, "string") == "string" for name in self.names]

    def record(self, values: list[str], line_number: int) -> dict[str, Any]:
        """One typed record from one row's values."""
        if len(values) != self._width:
            values = self._fit(values, line_number)
        record: dict[str, Any] = dict(zip(self.names, [value or None for value in values], strict=True))
        for name, convert, cache in self._typed:
            raw = record[name]
            if raw is None:
                continue
            typed = cache.get(raw)
            if typed is None:
                try:
                    typed = convert(raw)
                except (ValueError, ArithmeticError, OverflowError):
                    # Kept as sent, beside a null: the row still loads and nothing is lost.
                    record[name] = None
                    record.setdefault(UNPARSED_VALUES, {})[name] = raw
                    self.unparsed[name] += 1
                    continue
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[raw] = typed
            record[name] = typed
        if self.unknown:
            # Unknown columns are read as text and moved aside.
            record[EXTRA_COLUMNS] = {name: record.pop(name) for name in self.unknown}
        return record

    def _fit(self, values: list[str], line_number: int) -> list[str]:
        if len(values) < self._width:
            # Amazon drops trailing empty fields on some rows.
            self.short_rows += 1
            return values + [""] * (self._width - len(values))
        raise DocumentError(
            f"{self.describe}: line {line_number} has {len(values)} fields but the header has {self._width} "
            "(a value with a tab in it?), so its columns cannot be told apart; the bookmark stays before this window"
        )


def schema_kind(schema: dict[str, Any]) -> str:
    """The record-typing kind of a leaf schema: integer, number, boolean, date-time, date or string."""
    types = schema.get("type") or []
    types = [types] if isinstance(types, str) else types
    for kind in ("integer", "number", "boolean"):
        if kind in types:
            return kind
    return str(schema.get("format") or "string") if schema.get("format") in ("date-time", "date") else "string"


def fitted_json(value: Any, schema: dict[str, Any], path: str, unparsed: dict[str, str]) -> Any:
    """A decoded JSON report value made to match its schema, as a flat file's text is typed: a
    value of the schema's type is kept as sent; a number or boolean sent as text is read as one; a
    number sent for a text column becomes its digits; anything else (an object for a number, a
    date that is no date, NaN) becomes null and is kept in `unparsed` under its dotted path, as sent.
    Keys the schema does not know stay in their object, as sent."""
    if value is None or not schema:
        return value
    types = schema.get("type") or []
    types = [types] if isinstance(types, str) else types
    if "object" in types:
        if not isinstance(value, dict):
            return _unfit(value, path, unparsed)
        properties = schema.get("properties") or {}
        return {k: fitted_json(v, properties.get(k, {}), f"{path}.{k}", unparsed) for k, v in value.items()}
    if "array" in types:
        if not isinstance(value, list):
            return _unfit(value, path, unparsed)
        items = schema.get("items") or {}
        return [fitted_json(v, items, f"{path}[{i}]", unparsed) for i, v in enumerate(value)]
    if isinstance(value, (dict, list)):
        return _unfit(value, path, unparsed)
    kind = schema_kind(schema)
    number = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if number and not Decimal(value).is_finite():
        return _unfit(value, path, unparsed)
    if kind == "integer" and number and Decimal(value) == Decimal(value).to_integral_value():
        return value
    if kind == "number" and number:
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value, default=str)
    if not isinstance(value, str):
        return _unfit(value, path, unparsed)
    if value.strip() == "":
        return None
    try:
        typed = _plain_converter(kind)(value)
    except (ValueError, ArithmeticError, OverflowError):
        return _unfit(value, path, unparsed)
    # A date or date-time that reads as one is kept as Amazon wrote it.
    return value if kind in ("date", "date-time") else typed


def _unfit(value: Any, path: str, unparsed: dict[str, str]) -> None:
    unparsed[path] = value if isinstance(value, str) else json.dumps(value, default=str)
    return


def typed_tree(value: Any, schema: dict[str, Any], path: str, unparsed: dict[str, str], extra: dict[str, Any]) -> Any:
    """A nested XML value (dicts, lists, texts: `documents.xml_tree_records`) fitted to its schema,
    keys snake-cased; what does not fit goes into `extra` (the record's `extra_columns`) by path.

    Whatever the document holds, the result matches `schema`:
    - where the schema has a list, a single element is a list of one;
    - where it has one element and the document repeats it, the first is kept and each repeat goes
      to `extra` as `path_2`, `path_3`, ...;
    - where it has an object and the element holds only text, the text is its `value` (an amount
      without its currency attribute);
    - where it has a value (text, number, date) and the element has attributes or children, the
      element's text is the value; each attribute goes to `extra` as `path@name`, each child as
      `path.name`.
    Text that cannot be read as its type becomes null and is noted in `unparsed` under its dotted
    path. Keys the schema does not know are kept in their object, as sent.
    """
    if not schema:
        return _as_sent(value)
    types = schema.get("type") or ()
    if "array" in types:
        items = schema.get("items") or {}
        values = value if isinstance(value, list) else [value]
        return [typed_tree(v, items, f"{path}[{i}]", unparsed, extra) for i, v in enumerate(values)]
    if isinstance(value, list):
        for number, repeat in enumerate(value[1:], start=2):
            extra[f"{path}_{number}"] = _as_sent(repeat)
        value = value[0] if value else None
    if "object" in types:
        if isinstance(value, str):
            value = {"value": value} if value.strip() else None
        if not isinstance(value, dict):
            return None
        properties = schema.get("properties") or {}
        typed = {}
        for k, v in value.items():
            key = snake(k)
            typed[key] = typed_tree(v, properties.get(key, {}), f"{path}.{key}", unparsed, extra)
        return typed
    if isinstance(value, dict):
        members = dict(value)
        text = members.pop("value", None)
        mark = "@" if isinstance(value, Attributed) else "."
        for k, v in members.items():
            extra[f"{path}{mark}{snake(k.lstrip('@'))}"] = _as_sent(v)
        value = text if isinstance(text, str) else None
    if not isinstance(value, str) or value == "":
        return None
    kind = schema_kind(schema)
    if kind == "string":
        return value
    try:
        return _plain_converter(kind)(value)
    except (ValueError, ArithmeticError, OverflowError):
        unparsed[path] = value
        return None


def _as_sent(value: Any) -> Any:
    """A nested XML value the schema does not describe: keys snake-cased, empty texts null."""
    if isinstance(value, dict):
        return {snake(k): _as_sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return value if value != "" else None


@lru_cache(maxsize=16)
def _plain_converter(kind: str) -> Converter:
    return converter(kind)
