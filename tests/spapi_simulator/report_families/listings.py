"""The active and inactive listings report (GET_MERCHANT_LISTINGS_ALL_DATA): one catalog product a row."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tests.spapi_simulator.rendering import UTC, Marketplace

from .catalog import Product
from .common import Row, unique
from .vocabulary import VOCAB


def listing_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    v = VOCAB[m.family]
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
                "listing-id": f"{opened.month:02d}{opened.day:02d}" + unique(i, salt, 7),
                "seller-sku": p.sku,
                "price": p.price,
                "quantity": qty,
                "open-date": opened,
                "image-url": f"https://m.media-amazon.com/images/I/{unique(i, salt, 11)}.jpg"
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
