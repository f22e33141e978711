"""FBA's inventory ledger detail (GET_LEDGER_DETAIL_VIEW_DATA): one inventory event a row."""

from __future__ import annotations

import random

from tests.spapi_simulator.rendering import Marketplace

from .catalog import Product, hot_products
from .common import Row, instant_at, order_id, unique, unique_digits
from .vocabulary import centers


def ledger_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    hot = hot_products(catalog)
    salt = rng.randrange(10**7)
    out: list[Row] = []
    for i in range(rows):
        at = instant_at((i + rng.random()) / rows)
        p = rng.choice(hot)
        event = rng.choice(("Shipments", "Shipments", "Receipts", "CustomerReturns", "Adjustments", "WhseTransfers"))
        qty = rng.randint(1, 5)
        if event == "Shipments":
            ref: str | None = order_id(rng, m, i, salt)
            qty = -qty
        elif event == "Receipts":
            ref = "FBA15" + unique(i, salt, 7)
        elif event == "WhseTransfers":
            ref, qty = None, rng.choice((-qty, qty))
        else:
            ref = unique_digits(i, salt, 11)
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
                "Fulfillment Center": rng.choice(centers(m)),
                "Disposition": rng.choice(("SELLABLE", "SELLABLE", "UNSELLABLE")),
                "Reason": rng.choice(("P", "Q", "E", "M")) if adjust else None,
                "Country": m.country,
                "Reconciled Quantity": qty if adjust else None,
                "Unreconciled Quantity": 0 if adjust else None,
                "Date and Time": at,
            }
        )
    return out
