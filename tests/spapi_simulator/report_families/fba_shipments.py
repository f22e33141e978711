"""What FBA does with orders: shipments to customers, customer returns to FBA, and reimbursements."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from tests.spapi_simulator.rendering import Marketplace

from .catalog import Product, hot_products
from .common import TAX, Row, instant_at, money, order_id, unique, unique_digits
from .vocabulary import CITIES, VOCAB, centers


def shipment_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    v = VOCAB[m.family]
    hot, cities, tax = hot_products(catalog), CITIES[m.code], TAX[m.region]
    salt, salt_item = rng.randrange(10**7), rng.randrange(36**8)
    out: list[Row] = []
    i = n = 0
    while i < rows:
        k = min(rng.choice((1, 1, 2)), rows - i)
        shipped = instant_at((i + rng.random() * k) / rows)
        purchase = shipped - timedelta(seconds=rng.randint(7200, 3 * 86400))
        city, state, postal = rng.choice(cities)
        pii = rng.random() < 0.5
        name = rng.choice(v.people)
        base: Row = {
            "amazon-order-id": order_id(rng, m, n, salt),
            "shipment-id": "D" + unique(n, salt_item, 8),
            "purchase-date": purchase,
            "payments-date": purchase + timedelta(seconds=rng.randint(60, 3600)),
            "shipment-date": shipped,
            "reporting-date": shipped + timedelta(seconds=rng.randint(3600, 3 * 3600)),
            "buyer-email": f"{unique(n, salt_item, 12).lower()}@marketplace.{m.domain}",
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
            "tracking-number": "TBA" + unique_digits(n, salt, 12),
            "estimated-arrival-date": (shipped + timedelta(days=rng.randint(1, 5))).replace(
                hour=20, minute=0, second=0
            ),
            "fulfillment-center-id": rng.choice(centers(m)),
            "fulfillment-channel": "AFN",
            "sales-channel": m.sales_channel,
        }
        for j, product in enumerate(rng.sample(hot, k)):
            qty = rng.randint(1, 3)
            price = money(product.price * qty, m)
            row = dict(base)
            row.update(
                {
                    "shipment-item-id": "D" + unique(i + j, salt_item + 1, 9),
                    "amazon-order-item-id": unique_digits(i + j, salt, 14),
                    "sku": product.sku,
                    "product-name": product.name,
                    "quantity-shipped": qty,
                    "currency": m.currency,
                    "item-price": price,
                    "item-tax": money(price * tax, m),
                    "shipping-price": money(Decimal(0), m),
                    "shipping-tax": money(Decimal(0), m),
                    "gift-wrap-price": money(Decimal(0), m),
                    "gift-wrap-tax": money(Decimal(0), m),
                    "item-promotion-discount": money(Decimal(0), m),
                    "ship-promotion-discount": money(Decimal(0), m),
                }
            )
            out.append(row)
        i += k
        n += 1
    return out


def fba_return_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    v = VOCAB[m.family]
    hot = hot_products(catalog)
    salt = rng.randrange(10**7)
    out: list[Row] = []
    for i in range(rows):
        p = rng.choice(hot)
        disposition = rng.choice(("SELLABLE", "SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED"))
        out.append(
            {
                "return-date": instant_at((i + rng.random()) / rows),
                "order-id": order_id(rng, m, i, salt),
                "sku": p.sku,
                "asin": p.asin,
                "fnsku": p.fnsku,
                "product-name": p.name,
                "quantity": rng.randint(1, 2),
                "fulfillment-center-id": rng.choice(centers(m)),
                "detailed-disposition": disposition,
                "reason": rng.choice(("UNWANTED_ITEM", "DEFECTIVE", "NOT_COMPATIBLE", "ORDERED_WRONG_ITEM")),
                "status": "Unit returned to inventory" if disposition == "SELLABLE" else "Reimbursed",
                "license-plate-number": "LPNRR" + unique_digits(i, salt, 9),
                "customer-comments": rng.choice(v.comments),
            }
        )
    return out


def reimbursement_rows(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[Row]:
    hot = hot_products(catalog)
    salt = rng.randrange(10**10)
    out: list[Row] = []
    for i in range(rows):
        p = rng.choice(hot)
        reason = rng.choice(("Lost_Warehouse", "Damaged_Warehouse", "CustomerReturn", "Lost_Inbound"))
        cash = rng.choice((0, 1, 1, 2))
        inventory = 0 if cash else 1
        per_unit = money(p.price * Decimal("0.9"), m)
        reversal = rng.random() < 0.05
        out.append(
            {
                "approval-date": instant_at((i + rng.random()) / rows),
                "reimbursement-id": unique_digits(i, salt, 10),
                "case-id": unique_digits(i, salt + 17, 10) if rng.random() < 0.3 else None,
                "amazon-order-id": order_id(rng, m, i, salt % 10**7) if reason == "CustomerReturn" else None,
                "reason": reason,
                "sku": p.sku,
                "fnsku": p.fnsku,
                "asin": p.asin,
                "product-name": p.name,
                "condition": "NewItem",
                "currency-unit": m.currency,
                "amount-per-unit": per_unit,
                "amount-total": money(per_unit * cash, m),
                "quantity-reimbursed-cash": cash,
                "quantity-reimbursed-inventory": inventory,
                "quantity-reimbursed-total": cash + inventory,
                "original-reimbursement-id": unique_digits(i + 1, salt, 10) if reversal else None,
                "original-reimbursement-type": "Reimbursement_Reversal" if reversal else None,
            }
        )
    return out
