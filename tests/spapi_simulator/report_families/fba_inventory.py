"""FBA's unsuppressed inventory snapshot (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA): one product a row."""

from __future__ import annotations

import random
from decimal import Decimal

from tests.spapi_simulator.rendering import Marketplace

from .catalog import Product
from .common import Row


def inventory_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
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
