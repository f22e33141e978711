"""The simulator's report data: typed ground truth, rendered per marketplace into report documents.

Every report is generated as typed rows first (str, int, Decimal, bool, aware datetime, date, None).
Documents are rendered from those rows, and expected records are converted from the same rows, so the
expected side never depends on parsing the simulator's own text.

Determinism: each (seed, rows, report type, marketplace) gets its own random.Random seeded with a string,
so adding a report type or changing call order never changes another report's data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .json_forms import snake_case, to_record, to_wire
from .rendering import (
    JSON_CONTENT_TYPE,
    MARKETPLACES,
    UTC,
    XML_CONTENT_TYPE,
    Document,
    Marketplace,
    check_text,
    flat_content_type,
    flat_document,
    flat_lines,
    format_bool,
    format_date,
    format_datetime,
    format_decimal,
    format_local_amount,
    marketplace,
    utc_iso,
    utc_text,
)
from .reports_data import (
    ALL_ORDERS_BY_LAST_UPDATE,
    ALL_ORDERS_BY_ORDER_DATE,
    ALL_REPORT_TYPES,
    BROWSE_TREE,
    FBA_RETURNS,
    FLAT_SPECS,
    GENERIC_SPECS,
    INVENTORY,
    JP_LISTING_HEADERS,
    LEDGER,
    LIST_ONLY_TYPES,
    LISTINGS,
    REGIONAL_TYPES,
    REIMBURSEMENTS,
    RETURNS,
    SALES_AND_TRAFFIC,
    SALES_AND_TRAFFIC_BY_DATE,
    SETTLEMENT,
    SETTLEMENT_V2,
    SHIPMENTS,
    SNAPSHOT_TYPES,
    XML_ORDERS,
    ReportSpec,
    normalise_header,
)
from .vendor_data import PERIOD_REPORTS, VENDOR_STREAMS, VendorData

__all__ = [
    "DATA_END",
    "DATA_START",
    "GAP_END",
    "GAP_START",
    "LIST_ONLY",
    "MARKETPLACES",
    "REPORT_TYPES",
    "SNAPSHOT",
    "Dataset",
    "Document",
    "SettlementReport",
    "snake_case",
]

REPORT_TYPES: frozenset[str] = ALL_REPORT_TYPES
LIST_ONLY: frozenset[str] = LIST_ONLY_TYPES
SNAPSHOT: frozenset[str] = SNAPSHOT_TYPES

DATA_START = datetime(2024, 1, 1, tzinfo=UTC)
GAP_START = datetime(2024, 4, 1, tzinfo=UTC)
GAP_END = datetime(2024, 5, 1, tzinfo=UTC)
DATA_END = datetime(2024, 7, 1, tzinfo=UTC)
_BEFORE_GAP = int((GAP_START - DATA_START).total_seconds())
_SPAN = _BEFORE_GAP + int((DATA_END - GAP_END).total_seconds())

Row = dict[str, Any]  # flat-file header -> typed value; a missing header means empty


# --- time line ------------------------------------------------------------------------------------


def _instant_at(fraction: float) -> datetime:
    """Map [0, 1) onto the data range with the April gap cut out, to whole seconds."""
    s = min(int(fraction * _SPAN), _SPAN - 1)
    if s < _BEFORE_GAP:
        return DATA_START + timedelta(seconds=s)
    return GAP_END + timedelta(seconds=s - _BEFORE_GAP)


def _in_range(at: datetime) -> bool:
    return DATA_START <= at < DATA_END and not GAP_START <= at < GAP_END


def _later(rng: random.Random, base: datetime, max_seconds: int) -> datetime:
    """base plus a random delay, kept inside the data range (a filter date may never land in April)."""
    for _ in range(4):
        candidate = base + timedelta(seconds=rng.randint(0, max_seconds))
        if _in_range(candidate):
            return candidate
        max_seconds //= 8
    return base


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _aware(at: datetime | None) -> datetime | None:
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=UTC)


def _allowed_days() -> list[date]:
    days = []
    d = DATA_START.date()
    while d < DATA_END.date():
        if _in_range(_midnight(d)):
            days.append(d)
        d += timedelta(days=1)
    return days


# --- money ----------------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_YEN = Decimal(1)
_RATE = {
    "USD": "1",
    "CAD": "1.35",
    "MXN": "17",
    "BRL": "5",
    "GBP": "0.8",
    "EUR": "0.92",
    "SEK": "10.5",
    "PLN": "4",
    "TRY": "32",
    "EGP": "48",
    "SAR": "3.75",
    "AED": "3.67",
    "INR": "83",
    "ZAR": "18.5",
    "JPY": "150",
    "AUD": "1.5",
    "SGD": "1.35",
}
_TAX = {"NA": Decimal("0.08"), "EU": Decimal("0.19"), "FE": Decimal("0.10")}


def _money(value: Decimal, m: Marketplace) -> Decimal:
    return value.quantize(_YEN if m.currency == "JPY" else _CENT, ROUND_HALF_UP)


def _local_money(usd: str | Decimal, m: Marketplace) -> Decimal:
    return _money(Decimal(usd) * Decimal(_RATE[m.currency]), m)


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_CENT, ROUND_HALF_UP)


# --- vocabulary -----------------------------------------------------------------------------------
# Every EU product name carries "—" (cp1252 0x97) and every JP name a cp932-only character, so any document
# with a product name exercises the charset.


@dataclass(frozen=True)
class _Vocab:
    nouns: tuple[tuple[str, str], ...]  # (name, sku code)
    adjectives: tuple[str, ...]
    variants: tuple[str, ...]
    specials: tuple[str, ...]  # the first catalog items, so listings always contain them
    people: tuple[str, ...]
    street: tuple[str, ...]
    street2: tuple[str | None, ...]
    phone: str
    carriers: tuple[str, ...]
    comments: tuple[str | None, ...]
    item_notes: tuple[str, ...]
    description: str
    shipping_group: str
    fee_reason: str
    reimbursement: str  # a settlement V2 amount description in the marketplace's language
    roots: tuple[str, ...]
    categories: tuple[str, ...]


_BEST_MUG = '"Best" Mug 12"'  # starts with a quote and contains quotes: flat files are not CSV-quoted

_VOCAB: dict[str, _Vocab] = {
    "en": _Vocab(
        nouns=(
            ("Coffee Mug", "MUG"),
            ("Water Bottle", "BTL"),
            ("Yoga Mat", "YGM"),
            ("Desk Lamp", "LMP"),
            ("Phone Case", "CSE"),
            ("Notebook", "NTB"),
            ("Backpack", "BPK"),
            ("Tea Kettle", "KTL"),
            ("Cutting Board", "CBD"),
            ("Throw Pillow", "PLW"),
        ),
        adjectives=("Stainless Steel", "Bamboo", "Ceramic", "Insulated", "Compact", "Deluxe", "Eco-Friendly"),
        variants=("12 oz", "Black", "2-Pack", "Large", "Blue/Gray", "500 ml", "Set of 4"),
        specials=("Crème Brûlée Torch™ – Refillable", _BEST_MUG),
        people=("Jane Doe", "John O'Neil", "María García", "Li Wei", "Sam Smith"),
        street=("123 Main St", "45 Elm Street", "9 Ocean Ave", "1600 Pine Rd"),
        street2=(None, None, "Apt 2B", "Suite 100"),
        phone="+1 206-555-0{:03d}",
        carriers=("UPS", "USPS", "AMZN_US", "FedEx"),
        comments=(None, None, "Too small.", 'Said "fits all" but did not', "Arrived late; box crushed"),
        item_notes=("Brand new in box", "Slight dent on lid", "Gift wrap available"),
        description="Dishwasher safe. Ships in 1–2 days.",
        shipping_group="Migrated Template",
        fee_reason="Storage Fee",
        reimbursement="Lost in warehouse – reimbursed",
        roots=("Home & Kitchen", "Sports & Outdoors", "Office Products"),
        categories=(
            "Kitchen & Dining",
            "Coffee, Tea & Espresso",
            "Mugs",
            "Water Bottles",
            "Yoga",
            "Lamps & Shades",
            "Storage & Organization",
            "Bedding",
            "Cookware",
            "Notebooks & Writing Pads",
            "Travel Mugs",
        ),
    ),
    "eu": _Vocab(
        nouns=(
            ("Kaffeebecher", "KFB"),
            ("Trinkflasche", "TFL"),
            ("Yogamatte", "YGM"),
            ("Schreibtischlampe", "LMP"),
            ("Handyhülle", "HHL"),
            ("Notizbuch", "NTB"),
            ("Rucksack", "RCK"),
            ("Wasserkocher", "WKO"),
            ("Schneidebrett", "SBR"),
            ("Kissenbezug", "KSB"),
        ),
        adjectives=("aus Edelstahl", "aus Bambus", "für Büro & Küche", "Größe L", "spülmaschinenfest"),
        variants=("350 ml", "Schwarz", "2er-Pack", "Crème", "Œko-Edition", "Sparset 12,99 €"),
        specials=("Geschenkgutschein 25 € — Œuvre Müller", _BEST_MUG),
        people=("Jürgen Müller", "Zoë Dupont", "Chloé Martin", "Søren Berg", "José Núñez"),
        street=("Hauptstraße 5", "12 rue de l'Église", "Via Roma 1", "Calle Mayor 3"),
        street2=(None, None, "2. OG", "Bâtiment B"),
        phone="+49 30 1234{:03d}",
        carriers=("DHL", "DPD", "Royal Mail", "Hermes"),
        comments=(
            None,
            None,
            "Farbe entspricht nicht der Abbildung — zu dunkel",
            "Qualité médiocre",
            "Œffnung undicht, Deckel kaputt",
        ),
        item_notes=("Neu & originalverpackt", "Kleine Delle am Deckel — voll funktionsfähig", "Geschenkbox für 2 €"),
        description="Spülmaschinenfest — Lieferung in 1–2 Tagen.",
        shipping_group="Standardvorlage für Amazon",
        fee_reason="Lagergebühr — Januar",
        reimbursement="Im Lager verloren — erstattet (Œ)",
        roots=("Küche, Haushalt & Wohnen", "Sport & Freizeit", "Bürobedarf & Schreibwaren"),
        categories=(
            "Kaffee- & Teezubehör",
            "Tassen & Becher",
            "Trinkflaschen",
            "Yoga-Matten",
            "Lampen",
            "Aufbewahrung",
            "Bettwäsche",
            "Töpfe & Pfannen",
            "Crêpe-Pfannen",
            "Notizbücher",
        ),
    ),
    "ja": _Vocab(
        nouns=(
            ("ステンレス マグカップ", "MUG"),
            ("ウォーターボトル", "BTL"),
            ("ヨガマット 厚手", "YGM"),
            ("デスクライト", "LMP"),
            ("スマホケース", "CSE"),
            ("ノート", "NTB"),
            ("リュックサック", "BPK"),
            ("電気ケトル", "KTL"),
            ("竹製 まな板", "CBD"),
            ("クッションカバー", "PLW"),
        ),
        adjectives=("髙品質", "ﾃｽﾄ用", "業務用", "北欧風", "軽量"),
        variants=("①", "② 黒", "③ 350ml", "～限定～", "ﾌﾞﾙｰ ④", "⑤ 2個セット"),
        specials=("髙島屋 ﾃｽﾄ ① マグ～限定～", _BEST_MUG),
        people=("山田 太郎", "髙橋 花子", "ﾔﾏﾀﾞ ﾀﾛｳ", "鈴木 一郎"),
        street=("神南1-2-3", "北1条西2丁目", "梅田3-1-1"),
        street2=(None, None, "ﾃｽﾄﾋﾞﾙ 5F", "髙木マンション 101号室"),
        phone="03-1234-5{:03d}",
        carriers=("ヤマト運輸", "日本郵便", "佐川急便"),
        comments=(None, None, "サイズが合わない～", "色が違う①", "箱が潰れていた"),
        item_notes=("新品・未開封", "箱に小さな傷あり①", "ギフト包装可～"),
        description="食洗機対応～ 1～2日で発送",
        shipping_group="Amazonテンプレート",
        fee_reason="在庫保管手数料",
        reimbursement="倉庫内紛失① 補填～髙",
        roots=("ホーム&キッチン", "スポーツ&アウトドア", "文房具・オフィス用品"),
        categories=(
            "キッチン用品・食器",
            "マグカップ",
            "水筒",
            "ヨガマット",
            "照明",
            "収納用品",
            "寝具",
            "鍋・フライパン",
            "ノート①",
            "髙級食器",
        ),
    ),
}


def _product_name(family: str, v: _Vocab, rng: random.Random, noun: str) -> str:
    adj, variant = rng.choice(v.adjectives), rng.choice(v.variants)
    if family == "en":
        return f"{adj} {noun}, {variant}"
    if family == "eu":
        return f"{noun} {adj} — {variant}"
    return f"{adj} {noun} {variant}"


# (city, state or None, postal code). Leading-zero postal codes on purpose.
_CITIES: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "US": (
        ("Boston", "MA", "02134"),
        ("Springfield", "MA", "01103"),
        ("Newark", "NJ", "07102"),
        ("Seattle", "WA", "98101"),
        ("Austin", "TX", "78701"),
        ("Portland", "ME", "04101"),
    ),
    "CA": (("Toronto", "ON", "M5V 2T6"), ("Montréal", "QC", "H2X 1Y4"), ("Vancouver", "BC", "V6B 1A1")),
    "MX": (("Ciudad de México", "CDMX", "06700"), ("Guadalajara", "JAL", "44100"), ("Monterrey", "NL", "64000")),
    "BR": (("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-002")),
    "UK": (
        ("London", None, "SW1A 1AA"),
        ("Manchester", "Greater Manchester", "M1 1AE"),
        ("Edinburgh", None, "EH1 1YZ"),
    ),
    "DE": (
        ("München", "Bayern", "80331"),
        ("Dresden", "Sachsen", "01067"),
        ("Köln", "Nordrhein-Westfalen", "50667"),
        ("Düsseldorf", None, "40213"),
    ),
    "FR": (("Paris", None, "75001"), ("Orléans", "Loiret", "45000"), ("Bourg-en-Bresse", "Ain", "01000")),
    "IT": (("Milano", "MI", "20121"), ("Torino", "TO", "10121"), ("Cagliari", "CA", "09124")),
    "ES": (("Madrid", "Madrid", "28001"), ("Barcelona", "Barcelona", "08001"), ("Málaga", "Málaga", "29001")),
    "NL": (("Amsterdam", "Noord-Holland", "1012 AB"),),
    "SE": (("Stockholm", None, "111 52"), ("Göteborg", None, "411 03")),
    "PL": (("Warszawa", "mazowieckie", "00-001"), ("Krakow", "malopolskie", "30-001")),
    "BE": (("Bruxelles", None, "1000"), ("Liège", None, "4000")),
    "IE": (("Dublin", "Co. Dublin", "D02 X285"),),
    "TR": (("Istanbul", None, "34000"),),
    "EG": (("Cairo", None, "11511"),),
    "SA": (("Riyadh", None, "11564"),),
    "AE": (("Dubai", None, "00000"),),
    "IN": (("Mumbai", "Maharashtra", "400001"), ("New Delhi", "Delhi", "110001")),
    "ZA": (("Cape Town", "Western Cape", "8001"), ("Pretoria", "Gauteng", "0002")),
    "JP": (("渋谷区", "東京都", "150-0001"), ("札幌市中央区", "北海道", "060-0001"), ("髙松市", "香川県", "760-0001")),
    "AU": (("Sydney", "NSW", "2000"), ("Darwin", "NT", "0800")),
    "SG": (("Singapore", None, "018956"),),
}

_CENTERS = {
    "NA": ("PHX7", "SEA8", "BFI4", "ONT8"),
    "EU": ("FRA3", "LEJ1", "MUC3", "BHX4", "ORY1"),
    "JP": ("NRT5", "KIX2", "HND3"),
    "FE": ("SYD1", "MEL1", "SIN8"),
}
_ORDER_PREFIX = {"NA": ("111", "112", "113", "114"), "EU": ("302", "305", "403", "408"), "FE": ("249", "250", "503")}
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_B36[r])
    return "".join(reversed(out))


def _unique(i: int, salt: int, width: int) -> str:
    # A bijection of i onto width base-36 digits: unique ids without keeping a set (big documents).
    return _base36((i * 1_000_003 + salt) % 36**width, width)


def _unique_digits(i: int, salt: int, width: int) -> str:
    return f"{(i * 7_919 + salt) % 10**width:0{width}d}"


def _centers(m: Marketplace) -> tuple[str, ...]:
    return _CENTERS["JP" if m.code == "JP" else m.region]


def _order_id(rng: random.Random, m: Marketplace, i: int, salt: int) -> str:
    return f"{rng.choice(_ORDER_PREFIX[m.region])}-{rng.randrange(10**7):07d}-{_unique_digits(i, salt, 7)}"


# --- catalog --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Product:
    asin: str
    parent_asin: str
    sku: str
    fnsku: str
    name: str
    price: Decimal
    fba: bool


def _catalog(rng: random.Random, m: Marketplace, n: int) -> list[_Product]:
    v = _VOCAB[m.family]
    salt_asin, salt_parent, salt_fn = rng.randrange(36**8), rng.randrange(36**8), rng.randrange(36**7)
    products: list[_Product] = []
    parent = ""
    for i in range(n):
        noun, code = rng.choice(v.nouns)
        name = v.specials[i] if i < len(v.specials) else _product_name(m.family, v, rng, noun)
        asin = "B0" + _unique(i, salt_asin, 8)
        if i % 3 == 0:
            parent = "B0" + _unique(i, salt_parent, 8)
        # Every fifth SKU is a bare digit string with leading zeros, which must stay text.
        sku = f"{i:06d}" if i % 5 == 4 else f"{code}-{i:04d}-{rng.choice(('BK', 'WH', 'RD', 'BL'))}"
        price = _local_money(Decimal(rng.randint(599, 8999)) / 100, m)
        products.append(_Product(asin, parent, sku, "X00" + _unique(i, salt_fn, 7), name, price, rng.random() < 0.7))
    return products


def _hot(catalog: list[_Product]) -> list[_Product]:
    """The products that sell: orders draw from these, so the special names show up in order reports."""
    return catalog[: max(12, len(catalog) // 4)]


# --- flat-file report generators ------------------------------------------------------------------


def _weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _iter_all_orders(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> Iterator[Row]:
    """Order items in purchase-date order; each order takes a slot of the time line, so generation is lazy."""
    hot = _hot(catalog)
    cities = _CITIES[m.code]
    tax = _TAX[m.region]
    salt = rng.randrange(10**7)
    ship_fee = _local_money("4.99", m)
    i = n_order = 0
    while i < rows:
        k = min(rng.choice((1, 1, 1, 2, 2, 3, 4)), rows - i, len(hot))
        purchase = _instant_at((i + rng.random() * k) / rows)
        status = _weighted(
            rng, (("Shipped", 70), ("Pending", 10), ("Cancelled", 10), ("Unshipped", 5), ("Shipping", 5))
        )
        updated = _later(rng, purchase, 600 if status == "Pending" else 5 * 86400)
        channel = "Amazon" if rng.random() < 0.6 else "Merchant"
        city, state, postal = rng.choice(cities)
        business = rng.random() < 0.15
        promo = rng.random() < 0.2
        gift = rng.random() < 0.1
        order: Row = {
            "amazon-order-id": _order_id(rng, m, n_order, salt),
            "merchant-order-id": f"{n_order % 10**6:06d}" if channel == "Merchant" and rng.random() < 0.5 else None,
            "purchase-date": purchase,
            "last-updated-date": updated,
            "order-status": status,
            "fulfillment-channel": channel,
            "sales-channel": m.sales_channel,
            "ship-service-level": rng.choice(("Standard", "Standard", "Expedited", "SecondDay")),
            "ship-city": city,
            "ship-state": state,
            "ship-postal-code": postal,
            "ship-country": m.country,
            "promotion-ids": rng.choice(("Core Free Shipping 2024", "A1B2C3D4E5,FREESHIP-01")) if promo else None,
            "is-business-order": business,
            "purchase-order-number": f"PO-{n_order:05d}" if business and rng.random() < 0.6 else None,
            "price-designation": "BusinessPrice" if business and rng.random() < 0.5 else None,
        }
        for product in rng.sample(hot, k):
            row = dict(order)
            row.update({"product-name": product.name, "sku": product.sku, "asin": product.asin})
            if status == "Cancelled":
                row.update({"item-status": "Cancelled", "quantity": 0})
            else:
                qty = rng.randint(1, 3)
                row["item-status"] = "Unshipped" if status in ("Pending", "Unshipped") else "Shipped"
                row["quantity"] = qty
                row["currency"] = m.currency
                # Amazon leaves MFN prices blank while the order is pending.
                if not (status == "Pending" and channel == "Merchant"):
                    price = _money(product.price * qty, m)
                    shipping = ship_fee if channel == "Merchant" else _money(Decimal(0), m)
                    row.update(
                        {
                            "item-price": price,
                            "item-tax": _money(price * tax, m),
                            "shipping-price": shipping,
                            "shipping-tax": _money(shipping * tax, m),
                            "gift-wrap-price": _local_money("2.99", m) if gift else None,
                            "gift-wrap-tax": _local_money("0.57", m) if gift else None,
                            "item-promotion-discount": -_money(price / 10, m) if promo else _money(Decimal(0), m),
                            "ship-promotion-discount": -shipping if promo and shipping else _money(Decimal(0), m),
                        }
                    )
            yield row
        i += k
        n_order += 1


def _shipments(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    v = _VOCAB[m.family]
    hot, cities, tax = _hot(catalog), _CITIES[m.code], _TAX[m.region]
    salt, salt_item = rng.randrange(10**7), rng.randrange(36**8)
    out: list[Row] = []
    i = n = 0
    while i < rows:
        k = min(rng.choice((1, 1, 2)), rows - i)
        shipped = _instant_at((i + rng.random() * k) / rows)
        purchase = shipped - timedelta(seconds=rng.randint(7200, 3 * 86400))
        city, state, postal = rng.choice(cities)
        pii = rng.random() < 0.5
        name = rng.choice(v.people)
        base: Row = {
            "amazon-order-id": _order_id(rng, m, n, salt),
            "shipment-id": "D" + _unique(n, salt_item, 8),
            "purchase-date": purchase,
            "payments-date": purchase + timedelta(seconds=rng.randint(60, 3600)),
            "shipment-date": shipped,
            "reporting-date": shipped + timedelta(seconds=rng.randint(3600, 3 * 3600)),
            "buyer-email": f"{_unique(n, salt_item, 12).lower()}@marketplace.{m.domain}",
            "buyer-name": name if pii else None,
            "buyer-phone-number": v.phone.format(n % 1000) if pii and rng.random() < 0.5 else None,
            "ship-service-level": rng.choice(("Standard", "Expedited")),
            "recipient-name": name,
            "ship-address-1": rng.choice(v.street),
            "ship-address-2": rng.choice(v.street2),
            "ship-city": city,
            "ship-state": state,
            "ship-postal-code": postal,
            "ship-country": m.country,
            "ship-phone-number": v.phone.format((n * 7) % 1000) if pii else None,
            "bill-city": city if pii else None,
            "bill-postal-code": postal if pii else None,
            "bill-country": m.country if pii else None,
            "carrier": rng.choice(v.carriers),
            "tracking-number": "TBA" + _unique_digits(n, salt, 12),
            "estimated-arrival-date": (shipped + timedelta(days=rng.randint(1, 5))).replace(
                hour=20, minute=0, second=0
            ),
            "fulfillment-center-id": rng.choice(_centers(m)),
            "fulfillment-channel": "AFN",
            "sales-channel": m.sales_channel,
        }
        for j, product in enumerate(rng.sample(hot, k)):
            qty = rng.randint(1, 3)
            price = _money(product.price * qty, m)
            row = dict(base)
            row.update(
                {
                    "shipment-item-id": "D" + _unique(i + j, salt_item + 1, 9),
                    "amazon-order-item-id": _unique_digits(i + j, salt, 14),
                    "sku": product.sku,
                    "product-name": product.name,
                    "quantity-shipped": qty,
                    "currency": m.currency,
                    "item-price": price,
                    "item-tax": _money(price * tax, m),
                    "shipping-price": _money(Decimal(0), m),
                    "shipping-tax": _money(Decimal(0), m),
                    "gift-wrap-price": _money(Decimal(0), m),
                    "gift-wrap-tax": _money(Decimal(0), m),
                    "item-promotion-discount": _money(Decimal(0), m),
                    "ship-promotion-discount": _money(Decimal(0), m),
                }
            )
            out.append(row)
        i += k
        n += 1
    return out


def _returns(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    v = _VOCAB[m.family]
    hot = _hot(catalog)
    salt, salt_rma = rng.randrange(10**7), rng.randrange(36**8)
    out: list[Row] = []
    for i in range(rows):
        requested = _instant_at((i + rng.random()) / rows).date()
        product = rng.choice(hot)
        qty = rng.randint(1, 2)
        amount = _money(product.price * qty, m)
        prepaid = rng.random() < 0.6
        status = rng.choice(("Approved", "Closed", "Pending", "Closed"))
        safet = rng.random() < 0.1
        out.append(
            {
                "Order ID": _order_id(rng, m, i, salt),
                "Order date": requested - timedelta(days=rng.randint(2, 30)),
                "Return request date": requested,
                "Return request status": status,
                "Amazon RMA ID": "D" + _unique(i, salt_rma, 8) + "RRMA",
                "Merchant RMA ID": f"RMA-{i:05d}" if rng.random() < 0.3 else None,
                "Label type": "AmazonUnPaidLabel" if not prepaid else "AmazonPrePaidLabel",
                "Label cost": _local_money("6.50", m) if prepaid else None,
                "Currency code": m.currency,
                "Return carrier": rng.choice(v.carriers) if prepaid else None,
                "Tracking ID": "1Z" + _unique(i, salt_rma, 12) if prepaid else None,
                "Label to be paid by": rng.choice(("Customer", "Seller")) if prepaid else None,
                "A-to-Z Claim": "Y" if rng.random() < 0.05 else "N",
                "Is prime": rng.choice(("Y", "N")),
                "ASIN": product.asin,
                "Merchant SKU": product.sku,
                "Item Name": product.name,
                "Return quantity": qty,
                "Return Reason": rng.choice(("CR-UNWANTED_ITEM", "CR-DEFECTIVE", "AMZ-PG-BAD-DESC", "CR-SWITCHEROO")),
                "In policy": rng.choice(("Y", "Y", "N")),
                "Return type": rng.choice(("C-Returns", "SellerInitiated")),
                "Resolution": rng.choice(("StandardRefund", "Replacement")) if status == "Closed" else None,
                "Invoice number": None,
                "Return delivery date": requested + timedelta(days=rng.randint(2, 10)) if status == "Closed" else None,
                "Order Amount": amount,
                "Order quantity": qty,
                "SafeT Action reason": "Buyer Abuse" if safet else None,
                "SafeT claim id": _unique_digits(i, salt, 10) if safet else None,
                "SafeT claim state": "Decided" if safet else None,
                "SafeT claim creation time": requested + timedelta(days=12) if safet else None,
                "SafeT claim reimbursement amount": _money(amount / 2, m) if safet else None,
                "Refunded Amount": amount if status == "Closed" else None,
            }
        )
    return out


def _listings(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    v = _VOCAB[m.family]
    salt = rng.randrange(36**7)
    out: list[Row] = []
    for i, p in enumerate(catalog[:rows]):
        opened = datetime(2022, 6, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(2 * 365 * 86400))
        qty = None if p.fba else rng.randint(0, 200)
        if i == 2:
            note: str | None = " Minor scuff on box "  # leading and trailing blanks are data; nobody trims
        else:
            note = rng.choice(v.item_notes) if rng.random() < 0.3 else None
        fc = "AMAZON_JP" if m.code == "JP" else f"AMAZON_{m.region}"
        out.append(
            {
                "item-name": p.name,
                "item-description": v.description if rng.random() < 0.5 else None,
                "listing-id": f"{opened.month:02d}{opened.day:02d}" + _unique(i, salt, 7),
                "seller-sku": p.sku,
                "price": p.price,
                "quantity": qty,
                "open-date": opened,
                "image-url": f"https://m.media-amazon.com/images/I/{_unique(i, salt, 11)}.jpg"
                if rng.random() < 0.8
                else None,
                "item-is-marketplace": "y",
                "product-id-type": "1",
                "item-note": note,
                "item-condition": "11",
                "asin1": p.asin,
                "will-ship-internationally": "1" if rng.random() < 0.3 else None,
                "expedited-shipping": "Y" if rng.random() < 0.4 else None,
                "product-id": p.asin,
                "pending-quantity": rng.randint(0, 3),
                "fulfillment-channel": fc if p.fba else "DEFAULT",
                "merchant-shipping-group": None if p.fba else v.shipping_group,
                "status": "Inactive" if qty == 0 else "Active",
            }
        )
    return out


def _inventory(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    out: list[Row] = []
    for p in catalog[:rows]:
        fulfillable, unsellable, reserved = rng.randint(0, 300), rng.choice((0, 0, 1, 3)), rng.randint(0, 10)
        working, inbound, receiving = rng.choice((0, 0, 12)), rng.choice((0, 24, 48)), rng.choice((0, 0, 6))
        warehouse = fulfillable + unsellable + reserved
        mfn = rng.random() < 0.2
        out.append(
            {
                "sku": p.sku,
                "fnsku": p.fnsku,
                "asin": p.asin,
                "product-name": p.name,
                "condition": rng.choice(("New", "New", "New", "UsedLikeNew")),
                "your-price": p.price,
                "mfn-listing-exists": "Yes" if mfn else "No",
                "mfn-fulfillable-quantity": rng.randint(0, 20) if mfn else None,
                "afn-listing-exists": "Yes",
                "afn-warehouse-quantity": warehouse,
                "afn-fulfillable-quantity": fulfillable,
                "afn-unsellable-quantity": unsellable,
                "afn-reserved-quantity": reserved,
                "afn-total-quantity": warehouse + working + inbound + receiving,
                "per-unit-volume": (Decimal(rng.randint(5, 900)) / 1000).quantize(Decimal("0.001")),
                "afn-inbound-working-quantity": working,
                "afn-inbound-shipped-quantity": inbound,
                "afn-inbound-receiving-quantity": receiving,
                "afn-researching-quantity": rng.choice((0, 0, 0, 1)),
                "afn-reserved-future-supply": 0,
                "afn-future-supply-buyable": 0,
            }
        )
    return out


def _fba_returns(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    v = _VOCAB[m.family]
    hot = _hot(catalog)
    salt = rng.randrange(10**7)
    out: list[Row] = []
    for i in range(rows):
        p = rng.choice(hot)
        disposition = rng.choice(("SELLABLE", "SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED"))
        out.append(
            {
                "return-date": _instant_at((i + rng.random()) / rows),
                "order-id": _order_id(rng, m, i, salt),
                "sku": p.sku,
                "asin": p.asin,
                "fnsku": p.fnsku,
                "product-name": p.name,
                "quantity": rng.randint(1, 2),
                "fulfillment-center-id": rng.choice(_centers(m)),
                "detailed-disposition": disposition,
                "reason": rng.choice(("UNWANTED_ITEM", "DEFECTIVE", "NOT_COMPATIBLE", "ORDERED_WRONG_ITEM")),
                "status": "Unit returned to inventory" if disposition == "SELLABLE" else "Reimbursed",
                "license-plate-number": "LPNRR" + _unique_digits(i, salt, 9),
                "customer-comments": rng.choice(v.comments),
            }
        )
    return out


def _reimbursements(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    hot = _hot(catalog)
    salt = rng.randrange(10**10)
    out: list[Row] = []
    for i in range(rows):
        p = rng.choice(hot)
        reason = rng.choice(("Lost_Warehouse", "Damaged_Warehouse", "CustomerReturn", "Lost_Inbound"))
        cash = rng.choice((0, 1, 1, 2))
        inventory = 0 if cash else 1
        per_unit = _money(p.price * Decimal("0.9"), m)
        reversal = rng.random() < 0.05
        out.append(
            {
                "approval-date": _instant_at((i + rng.random()) / rows),
                "reimbursement-id": _unique_digits(i, salt, 10),
                "case-id": _unique_digits(i, salt + 17, 10) if rng.random() < 0.3 else None,
                "amazon-order-id": _order_id(rng, m, i, salt % 10**7) if reason == "CustomerReturn" else None,
                "reason": reason,
                "sku": p.sku,
                "fnsku": p.fnsku,
                "asin": p.asin,
                "product-name": p.name,
                "condition": "NewItem",
                "currency-unit": m.currency,
                "amount-per-unit": per_unit,
                "amount-total": _money(per_unit * cash, m),
                "quantity-reimbursed-cash": cash,
                "quantity-reimbursed-inventory": inventory,
                "quantity-reimbursed-total": cash + inventory,
                "original-reimbursement-id": _unique_digits(i + 1, salt, 10) if reversal else None,
                "original-reimbursement-type": "Reimbursement_Reversal" if reversal else None,
            }
        )
    return out


def _ledger(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[Row]:
    hot = _hot(catalog)
    salt = rng.randrange(10**7)
    out: list[Row] = []
    for i in range(rows):
        at = _instant_at((i + rng.random()) / rows)
        p = rng.choice(hot)
        event = rng.choice(("Shipments", "Shipments", "Receipts", "CustomerReturns", "Adjustments", "WhseTransfers"))
        qty = rng.randint(1, 5)
        if event == "Shipments":
            ref: str | None = _order_id(rng, m, i, salt)
            qty = -qty
        elif event == "Receipts":
            ref = "FBA15" + _unique(i, salt, 7)
        elif event == "WhseTransfers":
            ref, qty = None, rng.choice((-qty, qty))
        else:
            ref = _unique_digits(i, salt, 11)
        adjust = event == "Adjustments"
        out.append(
            {
                "Date": at.date(),
                "FNSKU": p.fnsku,
                "ASIN": p.asin,
                "MSKU": p.sku,
                "Title": p.name,
                "Event Type": event,
                "Reference ID": ref,
                "Quantity": qty,
                "Fulfillment Center": rng.choice(_centers(m)),
                "Disposition": rng.choice(("SELLABLE", "SELLABLE", "UNSELLABLE")),
                "Reason": rng.choice(("P", "Q", "E", "M")) if adjust else None,
                "Country": m.country,
                "Reconciled Quantity": qty if adjust else None,
                "Unreconciled Quantity": 0 if adjust else None,
                "Date and Time": at,
            }
        )
    return out


# --- the generic generator: rows from a column table alone ---------------------------------------
# Most report types need no story of their own (an order book, a settlement): each row is one product
# of the catalog (so SKU-keyed snapshots have unique keys), the report's filter column walks the time
# line, and every other value follows its column's name where that says something, else its kind.

_GENERIC_TEXT = ("Yes", "No", "Standard", "Active", "Pending", "Other", "Unknown")
_SKU_KEYS = frozenset({"sku", "seller_sku", "msku", "merchant_sku"})
_ASIN_KEYS = frozenset({"asin", "asin1", "product_id"})
_NAME_KEYS = frozenset({"product_name", "item_name", "title"})
_FREE_TEXT_KEYS = frozenset({"item_description", "description", "issue_description", "item_note"})


def _generic_rows(
    rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int, spec: ReportSpec
) -> list[Row]:
    v = _VOCAB[m.family]
    salt = rng.randrange(10**7)
    filter_key = normalise_header(spec.filter_header) if spec.filter_header else None
    out: list[Row] = []
    for i in range(rows):
        product = catalog[i % len(catalog)]
        at = _instant_at((i + rng.random()) / rows)
        place = rng.choice(_CITIES[m.code])
        row: Row = {}
        for column in spec.columns:
            row[column.header] = _generic_value(
                column.key, column.kind, rng, m, v, product, at, i, salt, place, column.key == filter_key
            )
        out.append(row)
    return out


def _generic_value(
    key: str,
    kind: str,
    rng: random.Random,
    m: Marketplace,
    v: _Vocab,
    p: _Product,
    at: datetime,
    i: int,
    salt: int,
    place: tuple[str, str | None, str],
    is_filter: bool,
) -> Any:
    if is_filter:
        return at if kind == "dt" else at.date() if kind == "date" else f"{at:%Y-%m}"
    if key == "ship_state":
        return place[1]  # blank where the country has none
    if kind == "t":
        identity = _generic_identity(key, rng, m, p, i, salt, place)
        if identity is not None:
            return identity
    if rng.random() < 0.12:
        return None  # Amazon leaves many columns blank
    if key == "rating":
        return rng.randint(1, 5)
    if kind == "i":
        return rng.randint(0, 40)
    if kind == "d":
        return _local_money(Decimal(rng.randint(0, 9999)) / 100, m)
    if kind == "b":
        return rng.random() < 0.3
    if kind == "dt":
        return at + timedelta(seconds=rng.randint(0, 3 * 86400))
    if kind == "date":
        return (at + timedelta(days=rng.randint(0, 30))).date()
    if key in _FREE_TEXT_KEYS:
        return rng.choice(v.item_notes)
    if key in ("comments", "response"):
        return rng.choice(v.comments)
    if "fulfillment_center_id" in key:
        return rng.choice(_centers(m))
    return rng.choice(_GENERIC_TEXT)


def _generic_identity(
    key: str, rng: random.Random, m: Marketplace, p: _Product, i: int, salt: int, place: tuple[str, str | None, str]
) -> str | None:
    """The value of a column that names what the row is about (never blank), or None."""
    if key in _SKU_KEYS:
        return p.sku
    if key in ("fnsku", "fulfillment_channel_sku"):
        return p.fnsku
    if key in _ASIN_KEYS:
        return p.asin
    if key in _NAME_KEYS:
        return p.name
    if "order_id" in key:
        return _order_id(rng, m, i, salt)
    if key in ("shipment_id", "shipment_item_id"):
        return "D" + _unique(i, salt, 8)
    if key == "order_item_id":
        return _unique_digits(i, salt, 14)
    if "currency" in key:
        return m.currency
    if key in ("country", "country_code", "ship_country"):
        return m.country
    if key == "sales_channel":
        return m.sales_channel
    if key == "ship_city":
        return place[0]
    if key == "ship_postal_code":
        return place[2]
    if "email" in key:
        return f"{_unique(i, salt, 12).lower()}@marketplace.{m.domain}"
    if key in ("disposition", "warehouse_condition_code"):
        return rng.choice(("SELLABLE", "UNSELLABLE"))
    if key in ("location", "fulfillment_center"):
        return rng.choice(_centers(m))
    return None


_Generator = Callable[[random.Random, Marketplace, list[_Product], int], list[Row]]
_GENERATORS: dict[str, _Generator] = {
    SHIPMENTS: _shipments,
    RETURNS: _returns,
    LISTINGS: _listings,
    INVENTORY: _inventory,
    FBA_RETURNS: _fba_returns,
    REIMBURSEMENTS: _reimbursements,
    LEDGER: _ledger,
}


# --- flat-file rendering and expectation ----------------------------------------------------------

_Renderer = Callable[[Any], str]


def _renderers(spec: ReportSpec, m: Marketplace) -> list[tuple[str, _Renderer]]:
    def for_kind(kind: str) -> _Renderer:
        if kind == "t":
            return check_text
        if kind == "i":
            return str
        if kind == "d":
            return format_decimal
        if kind == "b":
            return format_bool
        if kind == "dt":
            return _last_value_cache(lambda v: format_datetime(v, spec.datetime_style, m))
        return _last_value_cache(lambda v: format_date(v, spec.date_style, m))

    return [(c.header, for_kind(c.kind)) for c in spec.columns]


def _last_value_cache(f: _Renderer) -> _Renderer:
    """Items of one order repeat its dates; remembering the last one halves date formatting in big documents."""
    last_value: Any = None
    last_text = ""

    def render(v: Any) -> str:
        nonlocal last_value, last_text
        if v != last_value:
            last_value, last_text = v, f(v)
        return last_text

    return render


def _render(row: Row, renderers: list[tuple[str, _Renderer]]) -> list[str]:
    return ["" if (v := row.get(h)) is None else f(v) for h, f in renderers]


def _header(spec: ReportSpec, m: Marketplace) -> list[str]:
    if spec.report_type == LISTINGS and m.code == "JP":
        return [JP_LISTING_HEADERS.get(h, h) for h in spec.headers]
    return spec.headers


def _expected(row: Row, spec: ReportSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in spec.columns:
        v = row.get(c.header)
        if v is not None and c.kind == "dt":
            v = utc_iso(v)
        elif v is not None and c.kind == "date":
            v = v.isoformat()
        out[c.key] = v
    return out


def _filter_value(row: Row, spec: ReportSpec) -> datetime:
    assert spec.filter_header is not None
    v = row[spec.filter_header]
    if isinstance(v, str):  # a month, "2024-03" (storage fees)
        return datetime.strptime(v, "%Y-%m").replace(tzinfo=UTC)
    return v if isinstance(v, datetime) else _midnight(v)


# --- XML All Orders ------------------------------------------------------------------------------


def _orders(rows: list[Row]) -> list[list[Row]]:
    """Order-item rows grouped by order, in the order each order first appears."""
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["amazon-order-id"], []).append(row)
    return list(grouped.values())


def _element(tag: str, value: str | None, attributes: str = "") -> str:
    return "" if value is None else f"<{tag}{attributes}>{escape(value)}</{tag}>"


def _price_components(row: Row) -> list[tuple[str, Decimal]]:
    parts = (("Principal", "item-price"), ("Tax", "item-tax"), ("Shipping", "shipping-price"))
    return [(kind, row[header]) for kind, header in parts if row.get(header) is not None]


def _order_xml(items: list[Row], m: Marketplace) -> str:
    order = items[0]
    out = [
        "<Message><Order>",
        _element("AmazonOrderID", order["amazon-order-id"]),
        _element("MerchantOrderID", order["merchant-order-id"]),
        _element("PurchaseDate", format_datetime(order["purchase-date"], "iso", m)),
        _element("LastUpdatedDate", format_datetime(order["last-updated-date"], "iso", m)),
        _element("OrderStatus", order["order-status"]),
        _element("SalesChannel", order["sales-channel"]),
        "<FulfillmentData>",
        _element("FulfillmentChannel", order["fulfillment-channel"]),
        _element("ShipServiceLevel", order["ship-service-level"]),
        "<Address>",
        _element("City", order["ship-city"]),
        _element("State", order["ship-state"]),
        _element("PostalCode", order["ship-postal-code"]),
        _element("Country", order["ship-country"]),
        "</Address></FulfillmentData>",
        _element("IsBusinessOrder", format_bool(order["is-business-order"])),
    ]
    for row in items:
        out += [
            "<OrderItem>",
            _element("ASIN", row["asin"]),
            _element("SKU", row["sku"]),
            _element("ItemStatus", row["item-status"]),
            _element("ProductName", row["product-name"]),
            _element("Quantity", str(row["quantity"])),
        ]
        components = _price_components(row)
        if components:
            currency = f" currency={quoteattr(row['currency'])}"
            out.append("<ItemPrice>")
            out += [
                f"<Component>{_element('Type', kind)}{_element('Amount', format_decimal(amount), currency)}</Component>"
                for kind, amount in components
            ]
            out.append("</ItemPrice>")
        out.append("</OrderItem>")
    out.append("</Order></Message>")
    return "".join(out)


def _order_record(items: list[Row]) -> dict[str, Any]:
    """What the tap should make of one <Order>: snake-cased, typed, absent elements absent."""
    order = items[0]
    address = {
        "city": order["ship-city"],
        "state": order["ship-state"],
        "postal_code": order["ship-postal-code"],
        "country": order["ship-country"],
    }
    record_items = []
    for row in items:
        item: dict[str, Any] = {
            "asin": row["asin"],
            "sku": row["sku"],
            "item_status": row["item-status"],
            "product_name": row["product-name"],
            "quantity": row["quantity"],
        }
        components = _price_components(row)
        if components:
            item["item_price"] = {
                "component": [
                    {"type": kind, "amount": {"currency": row["currency"], "value": amount}}
                    for kind, amount in components
                ]
            }
        record_items.append(item)
    return {
        "amazon_order_id": order["amazon-order-id"],
        "merchant_order_id": order["merchant-order-id"],
        "purchase_date": utc_iso(order["purchase-date"]),
        "last_updated_date": utc_iso(order["last-updated-date"]),
        "order_status": order["order-status"],
        "sales_channel": order["sales-channel"],
        "is_business_order": order["is-business-order"],
        "fulfillment_data": {
            "fulfillment_channel": order["fulfillment-channel"],
            "ship_service_level": order["ship-service-level"],
            "address": {k: v for k, v in address.items() if v is not None},
        },
        "order_item": record_items,
    }


# --- sales and traffic ----------------------------------------------------------------------------

_SUM_FIELDS = (
    "bs",
    "ms",
    "bpv",
    "mpv",
    "bsb",
    "msb",
    "bpvb",
    "mpvb",
    "units",
    "items",
    "units_b2b",
    "items_b2b",
    "refunded",
    "shipped",
    "orders_shipped",
)
_Facts = dict[str, Any]


def _st_facts(rng: random.Random, p: _Product) -> _Facts:
    bs, ms = rng.randint(5, 120), rng.randint(2, 80)
    units = rng.randint(0, max(1, (bs + ms) // 10))
    items = rng.randint(1, units) if units else 0
    units_b2b = rng.randint(0, units // 3)
    shipped = rng.randint(0, units + 2)
    bpv, mpv = bs + rng.randint(0, bs), ms + rng.randint(0, ms)
    return {
        "bs": bs,
        "ms": ms,
        "bpv": bpv,
        "mpv": mpv,
        "bsb": bs // rng.randint(5, 10),
        "msb": ms // rng.randint(5, 10),
        "bpvb": bpv // rng.randint(5, 10),
        "mpvb": mpv // rng.randint(5, 10),
        "units": units,
        "items": items,
        "units_b2b": units_b2b,
        "items_b2b": min(items, units_b2b),
        "refunded": rng.randint(0, units // 4),
        "shipped": shipped,
        "orders_shipped": rng.randint(0, shipped),
        "sales": p.price * units,
        "sales_b2b": p.price * units_b2b,
        "shipped_sales": p.price * shipped,
        "buy_box": Decimal(rng.randint(8000, 10000)) / 100,
    }


def _weighted_pct(facts: Sequence[_Facts], browser: str, mobile: str, views: int) -> Decimal:
    """Buy-box share weighted by page views, the way a share over several ASINs or days combines."""
    if not views:
        return Decimal("0.00")
    weighted = sum((x["buy_box"] * (x[browser] + x[mobile]) for x in facts), Decimal(0))
    return (weighted / views).quantize(_CENT, ROUND_HALF_UP)


def _sum(facts: Sequence[_Facts]) -> _Facts:
    total: _Facts = {f: sum(x[f] for x in facts) for f in _SUM_FIELDS}
    for f in ("sales", "sales_b2b", "shipped_sales"):
        total[f] = sum((x[f] for x in facts), Decimal(0))
    pv = sum(x["bpv"] + x["mpv"] for x in facts)
    pvb = sum(x["bpvb"] + x["mpvb"] for x in facts)
    total["buy_box"] = _weighted_pct(facts, "bpv", "mpv", pv)
    total["buy_box_b2b"] = _weighted_pct(facts, "bpvb", "mpvb", pvb)
    return total


@dataclass(frozen=True)
class _StDay:
    day: date
    facts: tuple[tuple[_Product, _Facts], ...]
    claims: int
    claims_amount: Decimal
    feedback: int
    negative: int
    offers: int


def _st_days(rng: random.Random, m: Marketplace, catalog: list[_Product], rows: int) -> list[_StDay]:
    products = catalog[: min(8, len(catalog))]
    allowed = _allowed_days()
    days = sorted(rng.sample(allowed, min(rows, len(allowed))))
    out = []
    for d in days:
        active = [p for p in products if rng.random() < 0.75] or [products[0]]
        claims = 1 if rng.random() < 0.1 else 0
        feedback = rng.randint(0, 5)
        out.append(
            _StDay(
                d,
                tuple((p, _st_facts(rng, p)) for p in active),
                claims,
                _local_money("12.99", m) * claims,
                feedback,
                rng.randint(0, feedback) if rng.random() < 0.3 else 0,
                rng.randint(20, 60),
            )
        )
    return out


def _period_start(d: date, granularity: str) -> date:
    if granularity == "WEEK":
        return d - timedelta(days=(d.weekday() + 1) % 7)  # weeks start on Sunday
    if granularity == "MONTH":
        return d.replace(day=1)
    return d


def _period_end(d: date, granularity: str) -> date:
    """Exclusive end of the period containing d."""
    start = _period_start(d, granularity)
    if granularity == "WEEK":
        return start + timedelta(days=7)
    if granularity == "MONTH":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _amount(value: Decimal, m: Marketplace) -> dict[str, Any]:
    return {"amount": _money(value, m), "currencyCode": m.currency}


def _avg(total: Decimal, n: int, m: Marketplace) -> dict[str, Any]:
    return _amount(total / n if n else Decimal(0), m)


def _ratio(a: int, b: int) -> Decimal:
    return (Decimal(a) / b).quantize(_CENT, ROUND_HALF_UP) if b else Decimal("0.00")


def _by_date_entry(label: date, days: Sequence[_StDay], m: Marketplace) -> dict[str, Any]:
    t = _sum([f for d in days for _, f in d.facts])
    feedback, negative = sum(d.feedback for d in days), sum(d.negative for d in days)
    sessions, sessions_b2b = t["bs"] + t["ms"], t["bsb"] + t["msb"]
    return {
        "date": label.isoformat(),
        "salesByDate": {
            "orderedProductSales": _amount(t["sales"], m),
            "orderedProductSalesB2B": _amount(t["sales_b2b"], m),
            "unitsOrdered": t["units"],
            "unitsOrderedB2B": t["units_b2b"],
            "totalOrderItems": t["items"],
            "totalOrderItemsB2B": t["items_b2b"],
            "averageSalesPerOrderItem": _avg(t["sales"], t["items"], m),
            "averageSalesPerOrderItemB2B": _avg(t["sales_b2b"], t["items_b2b"], m),
            "averageUnitsPerOrderItem": _ratio(t["units"], t["items"]),
            "averageUnitsPerOrderItemB2B": _ratio(t["units_b2b"], t["items_b2b"]),
            "averageSellingPrice": _avg(t["sales"], t["units"], m),
            "averageSellingPriceB2B": _avg(t["sales_b2b"], t["units_b2b"], m),
            "unitsRefunded": t["refunded"],
            "refundRate": _pct(t["refunded"], t["units"]),
            "claimsGranted": sum(d.claims for d in days),
            "claimsAmount": _amount(sum((d.claims_amount for d in days), Decimal(0)), m),
            "shippedProductSales": _amount(t["shipped_sales"], m),
            "unitsShipped": t["shipped"],
            "ordersShipped": t["orders_shipped"],
        },
        "trafficByDate": {
            "browserPageViews": t["bpv"],
            "browserPageViewsB2B": t["bpvb"],
            "mobileAppPageViews": t["mpv"],
            "mobileAppPageViewsB2B": t["mpvb"],
            "pageViews": t["bpv"] + t["mpv"],
            "pageViewsB2B": t["bpvb"] + t["mpvb"],
            "browserSessions": t["bs"],
            "browserSessionsB2B": t["bsb"],
            "mobileAppSessions": t["ms"],
            "mobileAppSessionsB2B": t["msb"],
            "sessions": sessions,
            "sessionsB2B": sessions_b2b,
            "buyBoxPercentage": t["buy_box"],
            "buyBoxPercentageB2B": t["buy_box_b2b"],
            "orderItemSessionPercentage": _pct(t["items"], sessions),
            "orderItemSessionPercentageB2B": _pct(t["items_b2b"], sessions_b2b),
            "unitSessionPercentage": _pct(t["units"], sessions),
            "unitSessionPercentageB2B": _pct(t["units_b2b"], sessions_b2b),
            "averageOfferCount": round(sum(d.offers for d in days) / len(days)),
            "averageParentItems": round(sum(len({p.parent_asin for p, _ in d.facts}) for d in days) / len(days)),
            "feedbackReceived": feedback,
            "negativeFeedbackReceived": negative,
            "receivedNegativeFeedbackRate": _pct(negative, feedback),
        },
    }


def _by_asin_entries(days: Sequence[_StDay], granularity: str, m: Marketplace) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[_Facts]] = {}
    for d in days:
        for p, f in d.facts:
            key: tuple[str, ...] = (p.parent_asin,)
            if granularity in ("CHILD", "SKU"):
                key += (p.asin,)
            if granularity == "SKU":
                key += (p.sku,)
            groups.setdefault(key, []).append(f)
    grand = _sum([f for fs in groups.values() for f in fs])
    out = []
    for key, facts in groups.items():  # first sold first, as dicts keep insertion order
        t = _sum(facts)
        entry: dict[str, Any] = {"parentAsin": key[0]}
        if len(key) > 1:
            entry["childAsin"] = key[1]
        if len(key) > 2:
            entry["sku"] = key[2]
        entry["salesByAsin"] = {
            "unitsOrdered": t["units"],
            "unitsOrderedB2B": t["units_b2b"],
            "orderedProductSales": _amount(t["sales"], m),
            "orderedProductSalesB2B": _amount(t["sales_b2b"], m),
            "totalOrderItems": t["items"],
            "totalOrderItemsB2B": t["items_b2b"],
        }
        sessions, sessions_b2b = t["bs"] + t["ms"], t["bsb"] + t["msb"]
        views, views_b2b = t["bpv"] + t["mpv"], t["bpvb"] + t["mpvb"]
        entry["trafficByAsin"] = {
            "browserSessions": t["bs"],
            "browserSessionsB2B": t["bsb"],
            "mobileAppSessions": t["ms"],
            "mobileAppSessionsB2B": t["msb"],
            "sessions": sessions,
            "sessionsB2B": sessions_b2b,
            "browserSessionPercentage": _pct(t["bs"], grand["bs"]),
            "browserSessionPercentageB2B": _pct(t["bsb"], grand["bsb"]),
            "mobileAppSessionPercentage": _pct(t["ms"], grand["ms"]),
            "mobileAppSessionPercentageB2B": _pct(t["msb"], grand["msb"]),
            "sessionPercentage": _pct(sessions, grand["bs"] + grand["ms"]),
            "sessionPercentageB2B": _pct(sessions_b2b, grand["bsb"] + grand["msb"]),
            "browserPageViews": t["bpv"],
            "browserPageViewsB2B": t["bpvb"],
            "mobileAppPageViews": t["mpv"],
            "mobileAppPageViewsB2B": t["mpvb"],
            "pageViews": views,
            "pageViewsB2B": views_b2b,
            "browserPageViewsPercentage": _pct(t["bpv"], grand["bpv"]),
            "browserPageViewsPercentageB2B": _pct(t["bpvb"], grand["bpvb"]),
            "mobileAppPageViewsPercentage": _pct(t["mpv"], grand["mpv"]),
            "mobileAppPageViewsPercentageB2B": _pct(t["mpvb"], grand["mpvb"]),
            "pageViewsPercentage": _pct(views, grand["bpv"] + grand["mpv"]),
            "pageViewsPercentageB2B": _pct(views_b2b, grand["bpvb"] + grand["mpvb"]),
            "buyBoxPercentage": t["buy_box"],
            "buyBoxPercentageB2B": t["buy_box_b2b"],
            "unitSessionPercentage": _pct(t["units"], sessions),
            "unitSessionPercentageB2B": _pct(t["units_b2b"], sessions_b2b),
        }
        out.append(entry)
    return out


# --- browse tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    id: str
    name: str
    context: str
    path_ids: tuple[str, ...]
    path_names: tuple[str, ...]
    children: tuple[str, ...]
    product_types: str | None


def _browse_tree(rng: random.Random, m: Marketplace, rows: int) -> list[_Node]:
    """About `rows` nodes in depth-first order: a few roots, each node with 2 to 5 children."""
    if rows <= 0:
        return []
    v = _VOCAB[m.family]
    ids: list[str] = []
    seen: set[str] = set()
    parent_of: dict[int, int | None] = {}
    names: list[str] = []
    kids: dict[int, list[int]] = {}

    def new(name: str, parent: int | None) -> int:
        while True:
            node_id = str(rng.randint(10**5, 10**10))
            if node_id not in seen:
                break
        seen.add(node_id)
        ids.append(node_id)
        names.append(name)
        parent_of[len(ids) - 1] = parent
        kids[len(ids) - 1] = []
        if parent is not None:
            kids[parent].append(len(ids) - 1)
        return len(ids) - 1

    for name in v.roots[: max(1, min(len(v.roots), rows // 10))]:
        new(name, None)
    queue = list(range(len(ids)))
    while queue and len(ids) < rows:
        parent = queue.pop(0)
        for _ in range(rng.randint(2, 5)):
            if len(ids) >= rows:
                break
            queue.append(new(rng.choice(v.categories), parent))

    def path(i: int) -> list[int]:
        p: list[int] = []
        cur: int | None = i
        while cur is not None:
            p.append(cur)
            cur = parent_of[cur]
        return p[::-1]

    order: list[int] = []
    stack = [i for i in range(len(ids)) if parent_of[i] is None][::-1]
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(kids[i]))
    nodes = []
    for i in order:
        p = path(i)
        leaf = not kids[i]
        nodes.append(
            _Node(
                ids[i],
                names[i],
                names[p[0]],
                tuple(ids[j] for j in p),
                tuple(names[j] for j in p),
                tuple(ids[c] for c in kids[i]),
                rng.choice(("KITCHEN", "DRINKING_CUP", "HOME", None)) if leaf else None,
            )
        )
    return nodes


def _select_nodes(nodes: list[_Node], options: dict[str, str]) -> list[_Node]:
    if options.get("RootNodesOnly", "").lower() == "true":
        return [n for n in nodes if len(n.path_ids) == 1]
    wanted = options.get("BrowseNodeId")
    if wanted:
        return [n for n in nodes if wanted in n.path_ids]
    return nodes


def _node_xml(n: _Node) -> str:
    kids = "".join(f"<id>{c}</id>" for c in n.children)
    kind = "leaf" if not n.children else "category"
    return (
        "<Node>"
        f"<browseNodeId>{n.id}</browseNodeId>"
        f'<browseNodeAttributes count="1"><attribute name="nodeType">{kind}</attribute></browseNodeAttributes>'
        f"<browseNodeName>{escape(n.name)}</browseNodeName>"
        f"<browseNodeStoreContextName>{escape(n.context)}</browseNodeStoreContextName>"
        f"<browsePathById>{','.join(n.path_ids)}</browsePathById>"
        f"<browsePathByName>{escape(','.join(n.path_names))}</browsePathByName>"
        f"<hasChildren>{format_bool(bool(n.children))}</hasChildren>"
        f"<childNodes count={quoteattr(str(len(n.children)))}>{kids}</childNodes>"
        f"<productTypeDefinitions>{escape(n.product_types or '')}</productTypeDefinitions>"
        '<refinementsInformation count="0"/>'
        "</Node>"
    )


def _node_record(n: _Node) -> dict[str, Any]:
    return {
        "browse_node_id": n.id,
        "browse_node_name": n.name,
        "browse_node_store_context_name": n.context,
        "browse_path_by_id": ",".join(n.path_ids),
        "browse_path_by_name": ",".join(n.path_names),
        "has_children": bool(n.children),
        "child_nodes": list(n.children),
        "product_type_definitions": n.product_types,
    }


# --- settlement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementReport:
    report_id: str
    created_time: datetime
    data_start_time: datetime
    data_end_time: datetime
    marketplace_id: str


_SETTLEMENT_EPOCH = datetime(2000, 1, 1, 7, tzinfo=UTC)  # settlement periods start at 07:00 UTC
_SETTLEMENT_ID_BASE = 50_000_000_000
_PERIOD = timedelta(days=14)
_CREATED_AFTER_END = timedelta(days=1, hours=2)
_MARKET_INDEX = {mid: i for i, mid in enumerate(MARKETPLACES)}


def _settlement_report(marketplace_id: str, start: datetime) -> SettlementReport:
    days = (start - _SETTLEMENT_EPOCH).days
    report_id = str(_SETTLEMENT_ID_BASE + _MARKET_INDEX[marketplace_id] * 1_000_000 + days)
    end = start + _PERIOD
    return SettlementReport(report_id, end + _CREATED_AFTER_END, start, end, marketplace_id)


def _decode_settlement_id(report_id: str, *, v2: bool = False) -> SettlementReport:
    """Report ids encode (marketplace, period) so any Dataset can serve any id it ever listed."""
    try:
        index, days = divmod(int(report_id) - (_SETTLEMENT_V2_ID_BASE if v2 else _SETTLEMENT_ID_BASE), 1_000_000)
    except ValueError:
        raise KeyError(report_id) from None
    if not 0 <= index < len(MARKETPLACES) or (days - index % 14) % 14:
        raise KeyError(report_id)
    marketplace_id = list(MARKETPLACES)[index]
    make = _settlement_v2_report if v2 else _settlement_report
    if v2 and marketplace_id not in _CURRENCY_GROUPS:
        raise KeyError(report_id)
    return make(marketplace_id, _SETTLEMENT_EPOCH + timedelta(days=days))


def _settlement_rows(
    rng: random.Random, m: Marketplace, catalog: list[_Product], report: SettlementReport, rows: int
) -> list[Row]:
    v = _VOCAB[m.family]
    hot = _hot(catalog)
    settlement_id = str(rng.randrange(10**10, 10**11))
    span = int((report.data_end_time - report.data_start_time).total_seconds())
    salt = rng.randrange(10**7)
    tax = _TAX[m.region]
    lines: list[Row] = []
    n = 0
    while len(lines) < rows:
        posted = (report.data_start_time + timedelta(seconds=span * (len(lines) + rng.random()) / rows)).date()
        kind = _weighted(rng, (("Order", 70), ("Refund", 15), ("other-transaction", 10), ("ServiceFee", 5)))
        common: Row = {"settlement-id": settlement_id, "transaction-type": kind, "posted-date": posted}
        if kind in ("Order", "Refund"):
            p = rng.choice(hot)
            qty = rng.randint(1, 2)
            price = _money(p.price * qty, m)
            sign = 1 if kind == "Order" else -1
            afn = p.fba
            common.update(
                {
                    "order-id": _order_id(rng, m, n, salt),
                    "marketplace-name": m.sales_channel,
                    "fulfillment-id": "AFN" if afn else "MFN",
                    "order-item-code": _unique_digits(n, salt, 14),
                    "sku": p.sku,
                }
            )
            if kind == "Order":
                common.update({"shipment-id": "D" + _unique(n, salt, 8), "quantity-purchased": qty})
            else:
                common.update({"adjustment-id": _unique_digits(n, salt + 1, 14), "merchant-adjustment-item-id": None})
            lines.append({**common, "price-type": "Principal", "price-amount": sign * price})
            lines.append({**common, "price-type": "Tax", "price-amount": sign * _money(price * tax, m)})
            lines.append(
                {
                    **common,
                    "item-related-fee-type": "Commission",
                    "item-related-fee-amount": -sign * _money(price * Decimal("0.15"), m),
                }
            )
            if afn and kind == "Order":
                lines.append(
                    {
                        **common,
                        "item-related-fee-type": "FBAPerUnitFulfillmentFee",
                        "item-related-fee-amount": -_local_money("3.22", m) * qty,
                    }
                )
            if kind == "Order" and rng.random() < 0.2:
                lines.append(
                    {
                        **common,
                        "promotion-id": "Core Free Shipping",
                        "promotion-type": "Shipping",
                        "promotion-amount": -_local_money("1.99", m),
                    }
                )
        elif kind == "other-transaction":
            lines.append(
                {
                    **common,
                    "other-fee-reason-description": v.fee_reason,
                    "other-fee-amount": -_local_money(Decimal(rng.randint(100, 2000)) / 100, m),
                }
            )
        else:
            lines.append({**common, "order-fee-type": "Subscription Fee", "misc-fee-amount": -_local_money("39.99", m)})
        n += 1
    lines = lines[:rows]
    amount_columns = [c.header for c in FLAT_SPECS[SETTLEMENT].columns if c.kind == "d"]
    total = sum((r[h] for r in lines for h in amount_columns if r.get(h) is not None), Decimal(0))
    summary: Row = {
        "settlement-id": settlement_id,
        "settlement-start-date": report.data_start_time,
        "settlement-end-date": report.data_end_time,
        "deposit-date": report.data_end_time + timedelta(days=1),
        "total-amount": _money(total, m),
        "currency": m.currency,
    }
    return [summary, *lines]


# --- settlement V2: one report per account, region and currency ---------------------------------------
# Amazon lists one settlement per currency for all the marketplaces of a region (Add. §1): the first
# marketplace of each currency in the region is its home (what the report's marketplaceIds name, and
# whose number and date formats its document uses); its rows belong to any marketplace of the group.

_SETTLEMENT_V2_ID_BASE = 60_000_000_000


def _currency_groups() -> dict[str, list[Marketplace]]:
    groups: dict[str, list[Marketplace]] = {}
    for m in MARKETPLACES.values():
        home = next(h for h in MARKETPLACES.values() if h.region == m.region and h.currency == m.currency)
        groups.setdefault(home.id, []).append(m)
    return groups


_CURRENCY_GROUPS = _currency_groups()


def settlement_home(marketplace_id: str) -> str:
    """The marketplace whose settlement V2 reports hold this marketplace's money."""
    m = marketplace(marketplace_id)
    return next(home for home, members in _CURRENCY_GROUPS.items() if m in members)


def _settlement_v2_report(home_id: str, start: datetime) -> SettlementReport:
    days = (start - _SETTLEMENT_EPOCH).days
    report_id = str(_SETTLEMENT_V2_ID_BASE + _MARKET_INDEX[home_id] * 1_000_000 + days)
    end = start + _PERIOD
    return SettlementReport(report_id, end + _CREATED_AFTER_END, start, end, home_id)


def _settlement_v2_rows(
    rng: random.Random, home: Marketplace, catalog: list[_Product], report: SettlementReport, rows: int
) -> list[Row]:
    v = _VOCAB[home.family]
    hot = _hot(catalog)
    members = _CURRENCY_GROUPS[home.id]
    settlement_id = str(rng.randrange(10**10, 10**11))
    span = int((report.data_end_time - report.data_start_time).total_seconds())
    salt = rng.randrange(10**7)
    tax = _TAX[home.region]
    lines: list[Row] = []
    n = 0
    while len(lines) < rows:
        posted = (report.data_start_time + timedelta(seconds=span * (len(lines) + rng.random()) / rows)).replace(
            microsecond=0
        )
        kind = _weighted(rng, (("Order", 70), ("Refund", 15), ("other-transaction", 10), ("ServiceFee", 5)))
        # Every settlement has a reimbursement: a large amount, described in the marketplace's language.
        kind = "other-transaction" if n == 0 else kind
        common: Row = {
            "settlement-id": settlement_id,
            "transaction-type": kind,
            "posted-date": posted.date(),
            "posted-date-time": posted,
            "quantity-purchased": 0,
        }
        if kind in ("Order", "Refund"):
            p = rng.choice(hot)
            qty = rng.randint(1, 2)
            price = _money(p.price * qty, home)
            sign = 1 if kind == "Order" else -1
            common.update(
                {
                    "order-id": _order_id(rng, home, n, salt),
                    "marketplace-name": rng.choice(members).sales_channel,
                    "fulfillment-id": "AFN" if p.fba else "MFN",
                    "order-item-code": _unique_digits(n, salt, 14),
                    "sku": p.sku,
                    "quantity-purchased": qty,
                }
            )
            if kind == "Order":
                common["shipment-id"] = "D" + _unique(n, salt, 8)
            else:
                common["adjustment-id"] = _unique_digits(n, salt + 1, 14)
            lines.append(
                {**common, "amount-type": "ItemPrice", "amount-description": "Principal", "amount": sign * price}
            )
            lines.append(
                {
                    **common,
                    "amount-type": "ItemPrice",
                    "amount-description": "Tax",
                    "amount": sign * _money(price * tax, home),
                }
            )
            lines.append(
                {
                    **common,
                    "amount-type": "ItemFees",
                    "amount-description": "Commission",
                    "amount": -sign * _money(price * Decimal("0.15"), home),
                }
            )
            if p.fba and kind == "Order":
                lines.append(
                    {
                        **common,
                        "amount-type": "ItemFees",
                        "amount-description": "FBAPerUnitFulfillmentFee",
                        "amount": -_local_money("3.22", home) * qty,
                    }
                )
            if kind == "Order" and rng.random() < 0.2:
                lines.append(
                    {
                        **common,
                        "amount-type": "Promotion",
                        "amount-description": "Shipping",
                        "promotion-id": "Core Free Shipping",
                        "amount": -_local_money("1.99", home),
                    }
                )
        elif kind == "other-transaction":
            # A large one now and then: amounts past a thousand show a marketplace's thousands separator.
            large = n == 0 or rng.random() < 0.3
            lines.append(
                {
                    **common,
                    "amount-type": "FBA Inventory Reimbursement" if large else "other-transaction",
                    "amount-description": v.reimbursement if large else v.fee_reason,
                    "amount": _local_money(Decimal(rng.randint(100_000, 300_000)) / 100, home)
                    if large
                    else -_local_money(Decimal(rng.randint(100, 2000)) / 100, home),
                }
            )
        else:
            lines.append(
                {
                    **common,
                    "amount-type": "ServiceFee",
                    "amount-description": "Subscription",
                    "amount": -_local_money("39.99", home),
                }
            )
        n += 1
    lines = lines[:rows]
    summary: Row = {
        "settlement-id": settlement_id,
        "settlement-start-date": report.data_start_time,
        "settlement-end-date": report.data_end_time,
        "deposit-date": report.data_end_time + timedelta(days=1),
        "total-amount": _money(sum((r["amount"] for r in lines), Decimal(0)), home),
        "currency": home.currency,
    }
    return [summary, *lines]


def _settlement_renderers(spec: ReportSpec, m: Marketplace) -> list[tuple[str, _Renderer]]:
    """V2 writes amounts in the marketplace's number format and posted-date-time in UTC everywhere."""
    if spec.report_type != SETTLEMENT_V2:
        return _renderers(spec, m)
    kinds = {c.header: c.kind for c in spec.columns}
    renderers: list[tuple[str, _Renderer]] = []
    for header, render in _renderers(spec, m):
        if kinds[header] == "d":
            render = lambda v: format_local_amount(v, m)  # noqa: E731
        elif header == "posted-date-time":
            render = utc_text
        renderers.append((header, render))
    return renderers


# --- the dataset ----------------------------------------------------------------------------------


class Dataset:
    """All report data the simulator serves, for one seed. Cheap to create; rows are built on first use."""

    def __init__(self, seed: int = 1, rows: int = 60) -> None:
        self.seed = seed
        self.rows = rows
        self._catalogs: dict[str, list[_Product]] = {}
        self._flat: dict[tuple[str, str], list[Row]] = {}
        self._st: dict[str, list[_StDay]] = {}
        self._trees: dict[str, list[_Node]] = {}
        self._vendor = VendorData(seed, rows, lambda d: _in_range(_midnight(d)))

    def _rng(self, *parts: str) -> random.Random:
        return random.Random(":".join([str(self.seed), str(self.rows), *parts]))

    def _catalog(self, m: Marketplace) -> list[_Product]:
        if m.id not in self._catalogs:
            self._catalogs[m.id] = _catalog(self._rng("catalog", m.id), m, max(self.rows, 12))
        return self._catalogs[m.id]

    def _all_orders(self, m: Marketplace, rows: int) -> Iterator[Row]:
        # Both All Orders reports read one order book, as Amazon's do.
        return _iter_all_orders(self._rng("ALL_ORDERS", m.id, str(rows)), m, self._catalog(m), rows)

    def _flat_rows(self, report_type: str, m: Marketplace) -> list[Row]:
        key = (report_type, m.id)
        if key not in self._flat:
            if report_type in (ALL_ORDERS_BY_ORDER_DATE, ALL_ORDERS_BY_LAST_UPDATE):
                rows = list(self._all_orders(m, self.rows))
                if report_type == ALL_ORDERS_BY_LAST_UPDATE:
                    rows.sort(key=lambda r: r["last-updated-date"])
            elif report_type in GENERIC_SPECS:
                rows = _generic_rows(
                    self._rng(report_type, m.id), m, self._catalog(m), self.rows, GENERIC_SPECS[report_type]
                )
            else:
                rows = _GENERATORS[report_type](self._rng(report_type, m.id), m, self._catalog(m), self.rows)
            self._flat[key] = rows
        return self._flat[key]

    def _windowed(self, report_type: str, m: Marketplace, start: datetime | None, end: datetime | None) -> list[Row]:
        spec = FLAT_SPECS[report_type]
        rows = self._flat_rows(report_type, m)
        if spec.filter_header is None:
            return rows
        lo, hi = _aware(start), _aware(end)
        return [
            r
            for r in rows
            if (lo is None or lo <= _filter_value(r, spec)) and (hi is None or _filter_value(r, spec) < hi)
        ]

    def _st_days(self, m: Marketplace) -> list[_StDay]:
        if m.id not in self._st:
            self._st[m.id] = _st_days(self._rng(SALES_AND_TRAFFIC, m.id), m, self._catalog(m), self.rows)
        return self._st[m.id]

    def _tree(self, m: Marketplace) -> list[_Node]:
        if m.id not in self._trees:
            self._trees[m.id] = _browse_tree(self._rng(BROWSE_TREE, m.id), m, self.rows)
        return self._trees[m.id]

    def _sales_and_traffic(
        self, m: Marketplace, start: datetime | None, end: datetime | None, options: dict[str, str]
    ) -> dict[str, Any] | None:
        days = self._st_days(m)
        if not days:
            return None
        date_g = options.get("dateGranularity", "DAY")
        asin_g = options.get("asinGranularity", "PARENT")
        lo_at, hi_at = _aware(start), _aware(end)
        # Amazon reads both bounds as dates (the time of day is ignored), the end date included.
        lo = lo_at.astimezone(UTC).date() if lo_at else days[0].day
        hi = (hi_at.astimezone(UTC).date() if hi_at else days[-1].day) + timedelta(days=1)
        if hi <= lo:
            return None
        lo, hi = _period_start(lo, date_g), _period_end(hi - timedelta(days=1), date_g)
        chosen = [d for d in days if lo <= d.day < hi]
        if not chosen:
            return None
        periods: dict[date, list[_StDay]] = {}
        for d in chosen:
            periods.setdefault(_period_start(d.day, date_g), []).append(d)
        return {
            "reportSpecification": {
                "reportType": SALES_AND_TRAFFIC,
                "reportOptions": {"dateGranularity": date_g, "asinGranularity": asin_g},
                "dataStartTime": lo.isoformat(),
                "dataEndTime": (hi - timedelta(days=1)).isoformat(),  # Amazon's end date is inclusive
                "marketplaceIds": [m.id],
            },
            "salesAndTrafficByDate": [_by_date_entry(k, ds, m) for k, ds in periods.items()],
            "salesAndTrafficByAsin": _by_asin_entries(chosen, asin_g, m),
        }

    # --- public API -------------------------------------------------------------------------------

    def document(
        self,
        report_type: str,
        marketplace_id: str,
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
    ) -> Document | None:
        """The report's document, or None when the window holds no data (Amazon then CANCELs the report)."""
        if report_type in PERIOD_REPORTS:
            m, lo, hi = marketplace(marketplace_id), _aware(start) or DATA_START, _aware(end) or DATA_END
            vendor = self._vendor.report(report_type, m, lo, hi, options or {})
            if vendor is None:
                return None
            text = json.dumps(self._vendor.document_json(vendor), ensure_ascii=False, separators=(",", ":"))
            return Document(text.encode("utf-8"), JSON_CONTENT_TYPE)
        if report_type in LIST_ONLY:
            raise ValueError(f"{report_type} cannot be requested; use settlement_document")
        if report_type not in REPORT_TYPES:
            raise ValueError(f"unknown report type {report_type!r}")
        m = marketplace(marketplace_id)
        options = options or {}
        if report_type == SALES_AND_TRAFFIC:
            report = self._sales_and_traffic(m, start, end, options)
            if report is None:
                return None
            text = json.dumps(to_wire(report), ensure_ascii=False, separators=(",", ":"))
            return Document(text.encode("utf-8"), JSON_CONTENT_TYPE)
        if report_type in XML_ORDERS:
            return self.served_document(report_type, [m.id], start, end, only=m)
        if report_type == BROWSE_TREE:
            nodes = _select_nodes(self._tree(m), options)
            if not nodes:
                return None
            text = "\n".join(
                ['<?xml version="1.0" encoding="UTF-8"?>', "<Result>", *(_node_xml(n) for n in nodes), "</Result>", ""]
            )
            return Document(text.encode("utf-8"), XML_CONTENT_TYPE)
        spec = FLAT_SPECS[report_type]
        rows = self._windowed(report_type, m, start, end)
        if not rows:
            return None
        renderers = _renderers(spec, m)
        return flat_document(_header(spec, m), [_render(r, renderers) for r in rows], m)

    def served_document(
        self,
        report_type: str,
        marketplace_ids: list[str],
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
        *,
        only: Marketplace | None = None,
    ) -> Document | None:
        """The document a report created for these marketplaces gets, as Amazon builds it.

        A regional report type holds every marketplace of the host whatever the request named
        (`document` gives one marketplace's part of it, `only`); any other covers the first marketplace.
        """
        if report_type not in REGIONAL_TYPES:
            return self.document(report_type, marketplace_ids[0], start, end, options)
        m = marketplace(marketplace_ids[0])
        mates = [only] if only else _region_mates(m)
        if report_type in XML_ORDERS:
            flat = FLAT_SPECS[XML_ORDERS[report_type]]
            orders = [
                (_filter_value(items[0], flat), _order_xml(items, mate))
                for mate in mates
                for items in _orders(self._windowed(flat.report_type, mate, start, end))
            ]
            if not orders:
                return None
            orders.sort(key=lambda pair: pair[0])
            text = "\n".join(
                [
                    '<?xml version="1.0" encoding="UTF-8"?>',
                    (
                        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">'
                    ),
                    "<Header><DocumentVersion>1.00</DocumentVersion></Header>",
                    "<MessageType>AllOrdersReport</MessageType>",
                    *(xml for _at, xml in orders),
                    "</AmazonEnvelope>",
                    "",
                ]
            )
            return Document(text.encode("utf-8"), XML_CONTENT_TYPE)
        spec = FLAT_SPECS[report_type]
        rendered: list[tuple[datetime, list[str]]] = []
        for mate in mates:
            renderers = _renderers(spec, mate)
            rows = self._windowed(spec.report_type, mate, start, end)
            rendered.extend((_filter_value(r, spec), _render(r, renderers)) for r in rows)
        if not rendered:
            return None
        rendered.sort(key=lambda pair: pair[0])  # stable: each marketplace keeps its own order
        return flat_document(_header(spec, m), [cells for _at, cells in rendered], m)

    def expected_records(
        self,
        report_type: str,
        marketplace_id: str,
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Records the tap should emit for this report, in document order, without the fields the tap adds.

        report_type may also be GET_SALES_AND_TRAFFIC_REPORT_BY_DATE (the by-date entries).
        """
        m = marketplace(marketplace_id)
        options = options or {}
        if report_type in VENDOR_STREAMS:
            lo, hi = _aware(start) or DATA_START, _aware(end) or DATA_END
            return self._vendor.expected_records(report_type, m, lo, hi, options)
        if report_type in (SALES_AND_TRAFFIC, SALES_AND_TRAFFIC_BY_DATE):
            report = self._sales_and_traffic(m, start, end, options)
            if report is None:
                return []
            part = "salesAndTrafficByDate" if report_type == SALES_AND_TRAFFIC_BY_DATE else "salesAndTrafficByAsin"
            return list(to_record(report[part]))
        if report_type == BROWSE_TREE:
            return [_node_record(n) for n in _select_nodes(self._tree(m), options)]
        if report_type in XML_ORDERS:
            flat = FLAT_SPECS[XML_ORDERS[report_type]]
            return [_order_record(items) for items in _orders(self._windowed(flat.report_type, m, start, end))]
        if report_type in LIST_ONLY:
            raise ValueError(f"{report_type}: use expected_settlement_records")
        if report_type not in FLAT_SPECS:
            raise ValueError(f"unknown report type {report_type!r}")
        spec = FLAT_SPECS[report_type]
        return [_expected(r, spec) for r in self._windowed(report_type, m, start, end)]

    def settlement_reports(
        self, marketplace_id: str, now: datetime, report_type: str = SETTLEMENT
    ) -> list[SettlementReport]:
        """The DONE settlement reports created in the 84 days before now, oldest first: V1 per
        marketplace, V2 per currency group (only for a group's home marketplace)."""
        index = _MARKET_INDEX.get(marketplace_id)
        if index is None:
            raise ValueError(f"unknown marketplace id {marketplace_id!r}")
        if report_type == SETTLEMENT_V2 and marketplace_id not in _CURRENCY_GROUPS:
            return []
        make = _settlement_v2_report if report_type == SETTLEMENT_V2 else _settlement_report
        now = _aware(now) or now
        # The last period whose report already exists, then walk back.
        anchor = _SETTLEMENT_EPOCH + timedelta(days=index % 14)
        k = (now - _CREATED_AFTER_END - _PERIOD - anchor) // _PERIOD
        out: list[SettlementReport] = []
        while True:
            report = make(marketplace_id, anchor + k * _PERIOD)
            if report.created_time <= now - timedelta(days=84):
                break
            if report.created_time <= now:
                out.append(report)
            k -= 1
        return out[::-1]

    def _settlement(self, report_id: str) -> tuple[Marketplace, ReportSpec, list[Row]]:
        v2 = report_id.isdigit() and int(report_id) >= _SETTLEMENT_V2_ID_BASE
        report_type = SETTLEMENT_V2 if v2 else SETTLEMENT
        report = _decode_settlement_id(report_id, v2=v2)
        m = MARKETPLACES[report.marketplace_id]
        key = (report_type + ":" + report_id, m.id)
        if key not in self._flat:
            generate = _settlement_v2_rows if v2 else _settlement_rows
            self._flat[key] = generate(self._rng(report_type, m.id, report_id), m, self._catalog(m), report, self.rows)
        return m, FLAT_SPECS[report_type], self._flat[key]

    def settlement_document(self, report_id: str) -> Document:
        m, spec, rows = self._settlement(report_id)
        renderers = _settlement_renderers(spec, m)
        return flat_document(spec.headers, [_render(r, renderers) for r in rows], m)

    def expected_settlement_records(self, report_id: str) -> list[dict[str, Any]]:
        """The records of one settlement, in document order; the first row is the summary."""
        _, spec, rows = self._settlement(report_id)
        return [{**_expected(r, spec), "is_summary": i == 0} for i, r in enumerate(rows)]

    def big_document(self, report_type: str, marketplace_id: str, rows: int) -> Iterator[bytes]:
        """An All Orders (by order date) document with `rows` rows, produced chunk by chunk for benchmarks.

        With rows == self.rows the bytes equal document(report_type, marketplace_id, None, None).body.
        """
        if report_type != ALL_ORDERS_BY_ORDER_DATE:
            raise ValueError(f"big_document only makes {ALL_ORDERS_BY_ORDER_DATE}")
        m = marketplace(marketplace_id)
        spec = FLAT_SPECS[report_type]
        renderers = _renderers(spec, m)
        yield flat_lines(spec.headers, m).encode(m.codec)
        yield from _chunks((flat_lines(_render(r, renderers), m) for r in self._all_orders(m, rows)), m.codec)


def _region_mates(m: Marketplace) -> list[Marketplace]:
    """The marketplaces whose orders share m's regional documents.

    The simulator keeps JP's (cp932) order book apart from AU's and SG's (UTF-8): one document has one
    charset, and whether Amazon's FE report merges them is not known.
    """
    return [x for x in MARKETPLACES.values() if x.region == m.region and x.codec == m.codec]


def _chunks(lines: Iterable[str], codec: str, size: int = 2000) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch).encode(codec)
            batch = []
    if batch:
        yield "".join(batch).encode(codec)


def content_type_of(report_type: str, marketplace_id: str) -> str:
    """The Content-Type a document of this report type gets in this marketplace."""
    if report_type == SALES_AND_TRAFFIC or report_type in PERIOD_REPORTS:
        return JSON_CONTENT_TYPE
    if report_type == BROWSE_TREE or report_type in XML_ORDERS:
        return XML_CONTENT_TYPE
    return flat_content_type(marketplace(marketplace_id))
