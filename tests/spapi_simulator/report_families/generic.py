"""The generic generator: rows from a report type's column table alone.

Most report types need no story of their own (an order book, a settlement): each row is one product
of the catalog (so SKU-keyed snapshots have unique keys), the report's filter column walks the time
line, and every other value follows its column's name where that says something, else its kind.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.spapi_simulator.rendering import Marketplace
from tests.spapi_simulator.reports_data import ReportSpec, normalise_header

from .catalog import Product
from .common import Row, instant_at, local_money, order_id, unique, unique_digits
from .vocabulary import CITIES, VOCAB, Vocab, centers

_GENERIC_TEXT = ("Yes", "No", "Standard", "Active", "Pending", "Other", "Unknown")
_SKU_KEYS = frozenset({"sku", "seller_sku", "msku", "merchant_sku"})
_ASIN_KEYS = frozenset({"asin", "asin1", "product_id"})
_NAME_KEYS = frozenset({"product_name", "item_name", "title"})
_FREE_TEXT_KEYS = frozenset({"item_description", "description", "issue_description", "item_note"})


def generic_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int, spec: ReportSpec) -> list[Row]:
    v = VOCAB[m.family]
    salt = rng.randrange(10**7)
    filter_key = normalise_header(spec.filter_header) if spec.filter_header else None
    out: list[Row] = []
    for i in range(rows):
        product = catalog[i % len(catalog)]
        at = instant_at((i + rng.random()) / rows)
        place = rng.choice(CITIES[m.code])
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
    v: Vocab,
    p: Product,
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
        return local_money(Decimal(rng.randint(0, 9999)) / 100, m)
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
        return rng.choice(centers(m))
    return rng.choice(_GENERIC_TEXT)


def _generic_identity(
    key: str, rng: random.Random, m: Marketplace, p: Product, i: int, salt: int, place: tuple[str, str | None, str]
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
        return order_id(rng, m, i, salt)
    if key in ("shipment_id", "shipment_item_id"):
        return "D" + unique(i, salt, 8)
    if key == "order_item_id":
        return unique_digits(i, salt, 14)
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
        return f"{unique(i, salt, 12).lower()}@marketplace.{m.domain}"
    if key in ("disposition", "warehouse_condition_code"):
        return rng.choice(("SELLABLE", "UNSELLABLE"))
    if key in ("location", "fulfillment_center"):
        return rng.choice(centers(m))
    return None
