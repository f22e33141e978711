"""How the simulator writes values as text: marketplaces, time zones, date formats, charsets.

Amazon renders the same instant differently per report and per marketplace, and encodes flat files in
the marketplace's legacy charset. Everything here is pure formatting: it never decides what the data is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Literal

UTC = timezone.utc

Zone = Literal["pacific", "uk", "cet", "jst", "aest", "sgt", "utc"]
# How a marketplace writes a date-time with a zone name (listings open-date, ledger "Date and Time").
NamedStyle = Literal["us", "jp", "de", "uk", "utc"]
DateTimeStyle = Literal["iso", "named", "settlement"]
DateStyle = Literal["returns", "ledger", "settlement", "settlement_v2", "feedback", "fyp", "iso"]


@dataclass(frozen=True)
class Document:
    """A report document before compression."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Marketplace:
    id: str
    code: str
    region: Literal["NA", "EU", "FE"]
    country: str  # ISO country as it appears in ship-country (UK -> GB)
    currency: str
    domain: str  # "amazon.co.uk"; sales-channel is "Amazon.co.uk"
    codec: str  # Python codec for flat files
    charset: str  # charset label Amazon puts in Content-Type
    newline: str
    zone: Zone
    named_style: NamedStyle
    family: Literal["en", "eu", "ja"]  # which vocabulary the data generator draws text from

    @property
    def sales_channel(self) -> str:
        return "A" + self.domain[1:]

    @property
    def date_order(self) -> Literal["MDY", "DMY", "YMD"]:
        """How Seller Central writes a numeric date here (the seller feedback report shows it)."""
        if self.code == "US":
            return "MDY"
        if self.code in ("JP", "SE"):
            return "YMD"
        return "DMY"


def _mk(
    mid: str,
    code: str,
    region: Literal["NA", "EU", "FE"],
    currency: str,
    domain: str,
    zone: Zone,
    named: NamedStyle,
    family: Literal["en", "eu", "ja"],
) -> Marketplace:
    if code == "JP":
        codec, charset, newline = "cp932", "Windows-31J", "\r\n"
    elif region == "EU":
        codec, charset, newline = "cp1252", "Cp1252", "\r\n"
    else:
        codec, charset, newline = "utf-8", "UTF-8", "\n"
    country = "GB" if code == "UK" else code
    return Marketplace(mid, code, region, country, currency, domain, codec, charset, newline, zone, named, family)


_ALL = (
    _mk("ATVPDKIKX0DER", "US", "NA", "USD", "amazon.com", "pacific", "us", "en"),
    _mk("A2EUQ1WTGCTBG2", "CA", "NA", "CAD", "amazon.ca", "pacific", "us", "en"),
    _mk("A1AM78C64UM0Y8", "MX", "NA", "MXN", "amazon.com.mx", "pacific", "us", "en"),
    _mk("A2Q3Y263D00KWC", "BR", "NA", "BRL", "amazon.com.br", "pacific", "us", "en"),
    _mk("A1F83G8C2ARO7P", "UK", "EU", "GBP", "amazon.co.uk", "uk", "uk", "eu"),
    _mk("A1PA6795UKMFR9", "DE", "EU", "EUR", "amazon.de", "cet", "de", "eu"),
    _mk("A13V1IB3VIYZZH", "FR", "EU", "EUR", "amazon.fr", "cet", "utc", "eu"),
    _mk("APJ6JRA9NG5V4", "IT", "EU", "EUR", "amazon.it", "cet", "utc", "eu"),
    _mk("A1RKKUPIHCS9HS", "ES", "EU", "EUR", "amazon.es", "cet", "utc", "eu"),
    _mk("A1805IZSGTT6HS", "NL", "EU", "EUR", "amazon.nl", "cet", "utc", "eu"),
    _mk("A2NODRKZP88ZB9", "SE", "EU", "SEK", "amazon.se", "cet", "utc", "eu"),
    _mk("A1C3SOZRARQ6R3", "PL", "EU", "PLN", "amazon.pl", "cet", "utc", "eu"),
    _mk("AMEN7PMS3EDWL", "BE", "EU", "EUR", "amazon.com.be", "cet", "utc", "eu"),
    _mk("A28R8C7NBKEWEA", "IE", "EU", "EUR", "amazon.ie", "uk", "utc", "eu"),
    _mk("A33AVAJ2PDY3EV", "TR", "EU", "TRY", "amazon.com.tr", "utc", "utc", "eu"),
    _mk("ARBP9OOSHTCHU", "EG", "EU", "EGP", "amazon.eg", "utc", "utc", "eu"),
    _mk("A17E79C6D8DWNP", "SA", "EU", "SAR", "amazon.sa", "utc", "utc", "eu"),
    _mk("A2VIGQ35RCS4UG", "AE", "EU", "AED", "amazon.ae", "utc", "utc", "eu"),
    _mk("A21TJRUUN4KGV", "IN", "EU", "INR", "amazon.in", "utc", "utc", "eu"),
    _mk("AE08WJ6YKNBMC", "ZA", "EU", "ZAR", "amazon.co.za", "utc", "utc", "eu"),
    _mk("A1VC38T7YXB528", "JP", "FE", "JPY", "amazon.co.jp", "jst", "jp", "ja"),
    _mk("A39IBJ37TRP1C6", "AU", "FE", "AUD", "amazon.com.au", "aest", "utc", "en"),
    _mk("A19VAU5U5O7RUS", "SG", "FE", "SGD", "amazon.sg", "sgt", "utc", "en"),
)
MARKETPLACES: dict[str, Marketplace] = {m.id: m for m in _ALL}


def marketplace(marketplace_id: str) -> Marketplace:
    try:
        return MARKETPLACES[marketplace_id]
    except KeyError:
        raise ValueError(f"unknown marketplace id {marketplace_id!r}") from None


# --- time zones -----------------------------------------------------------------------------------
# Hand-written DST rules instead of zoneinfo: the simulator must not depend on the host's tz database.


def _sunday(year: int, month: int, nth: int) -> date:
    """The nth Sunday of a month (nth=-1: the last one)."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _utc_at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour), UTC)


@lru_cache(maxsize=64)
def _us_summer(year: int) -> tuple[datetime, datetime]:
    # 02:00 local on the second Sunday of March (PST) to 02:00 local on the first Sunday of November (PDT).
    return _utc_at(_sunday(year, 3, 2), 10), _utc_at(_sunday(year, 11, 1), 9)


@lru_cache(maxsize=64)
def _eu_summer(year: int) -> tuple[datetime, datetime]:
    return _utc_at(_sunday(year, 3, -1), 1), _utc_at(_sunday(year, 10, -1), 1)


def _us_dst(at: datetime) -> bool:
    start, end = _us_summer(at.year)
    return start <= at < end


def _eu_dst(at: datetime) -> bool:
    start, end = _eu_summer(at.year)
    return start <= at < end


def zone_offset(at: datetime, zone: Zone) -> tuple[timedelta, str]:
    """UTC offset and the abbreviation Amazon prints for that zone at that instant."""
    at = at.astimezone(UTC)
    if zone == "pacific":
        return (timedelta(hours=-7), "PDT") if _us_dst(at) else (timedelta(hours=-8), "PST")
    if zone == "uk":
        return (timedelta(hours=1), "BST") if _eu_dst(at) else (timedelta(0), "GMT")
    if zone == "cet":
        return (timedelta(hours=2), "MESZ") if _eu_dst(at) else (timedelta(hours=1), "MEZ")
    fixed = {"jst": (9, "JST"), "aest": (10, "AEST"), "sgt": (8, "SGT"), "utc": (0, "UTC")}[zone]
    return timedelta(hours=fixed[0]), fixed[1]


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# --- values ---------------------------------------------------------------------------------------

_NAMED_ZONE: dict[NamedStyle, Zone] = {"us": "pacific", "jp": "jst", "de": "cet", "uk": "uk", "utc": "utc"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_datetime(at: datetime, style: DateTimeStyle, m: Marketplace) -> str:
    """Render an aware instant the way the given report writes it in marketplace m."""
    if style == "settlement":
        u = at.astimezone(UTC)
        if m.code == "DE":
            return f"{u.day:02d}.{u.month:02d}.{u.year:04d} {u:%H:%M:%S} UTC"
        return f"{u:%Y-%m-%d %H:%M:%S} UTC"
    zone = m.zone if style == "iso" else _NAMED_ZONE[m.named_style]
    offset, abbr = zone_offset(at, zone)
    loc = (at.astimezone(UTC) + offset).replace(tzinfo=None)
    if style == "iso":
        return f"{loc:%Y-%m-%dT%H:%M:%S}{_offset_text(offset)}"
    hms = f"{loc:%H:%M:%S}"
    if m.named_style == "jp":
        return f"{loc.year:04d}/{loc.month:02d}/{loc.day:02d} {hms} {abbr}"
    if m.named_style == "de":
        return f"{loc.day:02d}.{loc.month:02d}.{loc.year:04d} {hms} {abbr}"
    if m.named_style == "uk":
        return f"{loc.day:02d}/{loc.month:02d}/{loc.year:04d} {hms} {abbr}"
    return f"{loc:%Y-%m-%d} {hms} {abbr}"


def format_date(d: date, style: DateStyle, m: Marketplace) -> str:
    if style == "returns":
        # English month names whatever the process locale (strftime %b would follow LC_TIME).
        return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year:04d}"
    if style == "fyp":
        return f"{_MONTHS[d.month - 1]} {d.day}, {d.year:04d}"
    if style == "iso":
        return d.isoformat()
    if style == "settlement":
        return f"{d.day:02d}.{d.month:02d}.{d.year:04d}" if m.code == "DE" else d.isoformat()
    if style == "settlement_v2" and m.code == "US":
        return f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}"  # Amazon's example: MM/DD/YY
    if style == "feedback":
        # Short and unpadded: 3/16/24 (US), 16.3.24 (DE), 24/3/16 (JP), 2024-03-16 (SE), 16/3/24 elsewhere.
        if m.code == "SE":
            return d.isoformat()
        yy = f"{d.year % 100:02d}"
        if m.date_order == "MDY":
            return f"{d.month}/{d.day}/{yy}"
        if m.date_order == "YMD":
            return f"{yy}/{d.month}/{d.day}"
        return f"{d.day}.{d.month}.{yy}" if m.code == "DE" else f"{d.day}/{d.month}/{yy}"
    # "ledger" (and settlement_v2 outside the US): the marketplace's own order, four-digit years.
    if m.date_order == "MDY":
        return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"
    if m.date_order == "YMD":
        return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"
    if m.code == "DE":
        return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_decimal(value: Decimal) -> str:
    return str(value)


# Where amounts in the local number format mark decimals with a comma (settlement V2), and where they
# group thousands with a point as well: 1.234,56. Elsewhere 1234.56; yen have no decimals.
DECIMAL_COMMA = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "SE", "PL", "TR", "BR"})
THOUSANDS_POINT = frozenset({"DE", "IT", "ES", "NL", "BE", "TR", "BR"})


def format_local_amount(value: Decimal, m: Marketplace) -> str:
    """An amount the way the marketplace's number format writes it (settlement V2)."""
    text = str(value)
    if m.code not in DECIMAL_COMMA:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    integer, _, fraction = digits.partition(".")
    if m.code in THOUSANDS_POINT:
        groups: list[str] = []
        while len(integer) > 3:
            integer, groups = integer[:-3], [integer[-3:], *groups]
        integer = ".".join([integer, *groups])
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"


def utc_text(at: datetime) -> str:
    """`2026-10-01 12:34:56 UTC`, as settlement V2 writes posted-date-time in every marketplace."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def check_text(value: str) -> str:
    # A tab or line break inside a value would shift columns of a flat file, which Amazon never does.
    if "\t" in value or "\n" in value or "\r" in value:
        raise ValueError(f"text value with a tab or line break: {value!r}")
    return value


def utc_iso(at: datetime) -> str:
    """The tap's datetime form: 'YYYY-MM-DDTHH:MM:SS+00:00'."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


# --- documents ------------------------------------------------------------------------------------

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"


def flat_content_type(m: Marketplace) -> str:
    return f"text/plain; charset={m.charset}"


def flat_lines(cells: list[str], m: Marketplace) -> str:
    """One tab-separated line with the marketplace's line ending."""
    return "\t".join(cells) + m.newline


def flat_document(header: list[str], rows: list[list[str]], m: Marketplace) -> Document:
    text = "".join([flat_lines(header, m), *(flat_lines(r, m) for r in rows)])
    return Document(text.encode(m.codec), flat_content_type(m))
