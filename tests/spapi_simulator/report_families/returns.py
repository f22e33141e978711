"""The merchant's returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE): one return request a row."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.spapi_simulator.rendering import Marketplace

from .catalog import Product, hot_products
from .common import Row, instant_at, local_money, money, order_id, unique, unique_digits
from .vocabulary import VOCAB


def return_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    v = VOCAB[m.family]
    hot = hot_products(catalog)
    salt, salt_rma = rng.randrange(10**7), rng.randrange(36**8)
    out: list[Row] = []
    for i in range(rows):
        requested = instant_at((i + rng.random()) / rows).date()
        product = rng.choice(hot)
        qty = rng.randint(1, 2)
        amount = money(product.price * qty, m)
        prepaid = rng.random() < 0.6
        status = rng.choice(("Approved", "Closed", "Pending", "Closed"))
        safet = rng.random() < 0.1
        out.append(
            {
                "Order ID": order_id(rng, m, i, salt),
                "Order date": requested - timedelta(days=rng.randint(2, 30)),
                "Return request date": requested,
                "Return request status": status,
                "Amazon RMA ID": "D" + unique(i, salt_rma, 8) + "RRMA",
                "Merchant RMA ID": f"RMA-{i:05d}" if rng.random() < 0.3 else None,
                "Label type": "AmazonUnPaidLabel" if not prepaid else "AmazonPrePaidLabel",
                "Label cost": local_money("6.50", m) if prepaid else None,
                "Currency code": m.currency,
                "Return carrier": rng.choice(v.carriers) if prepaid else None,
                "Tracking ID": "1Z" + unique(i, salt_rma, 12) if prepaid else None,
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
                "SafeT claim id": unique_digits(i, salt, 10) if safet else None,
                "SafeT claim state": "Decided" if safet else None,
                "SafeT claim creation time": requested + timedelta(days=12) if safet else None,
                "SafeT claim reimbursement amount": money(amount / 2, m) if safet else None,
                "Refunded Amount": amount if status == "Closed" else None,
            }
        )
    return out
