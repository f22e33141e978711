"""The order book: All Orders flat files (by order date and by last update) and the XML All Orders report.

Both All Orders reports read one order book, as Amazon's do; the XML report groups its item rows by order.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tests.spapi_simulator.rendering import (
    XML_CONTENT_TYPE,
    Document,
    Marketplace,
    format_bool,
    format_datetime,
    format_decimal,
    utc_iso,
)

from .catalog import Product, hot_products
from .common import TAX, Row, instant_at, later, local_money, money, order_id, weighted
from .vocabulary import CITIES


def iter_all_orders(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> Iterator[Row]:
    """Order items in purchase-date order; each order takes a slot of the time line, so generation is lazy."""
    hot = hot_products(catalog)
    cities = CITIES[m.code]
    tax = TAX[m.region]
    salt = rng.randrange(10**7)
    ship_fee = local_money("4.99", m)
    i = n_order = 0
    while i < rows:
        k = min(rng.choice((1, 1, 1, 2, 2, 3, 4)), rows - i, len(hot))
        purchase = instant_at((i + rng.random() * k) / rows)
        status = weighted(rng, (("Shipped", 70), ("Pending", 10), ("Cancelled", 10), ("Unshipped", 5), ("Shipping", 5)))
        updated = later(rng, purchase, 600 if status == "Pending" else 5 * 86400)
        channel = "Amazon" if rng.random() < 0.6 else "Merchant"
        city, state, postal = rng.choice(cities)
        business = rng.random() < 0.15
        promo = rng.random() < 0.2
        gift = rng.random() < 0.1
        order: Row = {
            "amazon-order-id": order_id(rng, m, n_order, salt),
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
                    price = money(product.price * qty, m)
                    shipping = ship_fee if channel == "Merchant" else money(Decimal(0), m)
                    row.update(
                        {
                            "item-price": price,
                            "item-tax": money(price * tax, m),
                            "shipping-price": shipping,
                            "shipping-tax": money(shipping * tax, m),
                            "gift-wrap-price": local_money("2.99", m) if gift else None,
                            "gift-wrap-tax": local_money("0.57", m) if gift else None,
                            "item-promotion-discount": -money(price / 10, m) if promo else money(Decimal(0), m),
                            "ship-promotion-discount": -shipping if promo and shipping else money(Decimal(0), m),
                        }
                    )
            yield row
        i += k
        n_order += 1


def group_orders(rows: list[Row]) -> list[list[Row]]:
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


def order_xml(items: list[Row], m: Marketplace) -> str:
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


def order_record(items: list[Row]) -> dict[str, Any]:
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


def xml_orders_document(orders: list[tuple[datetime, str]]) -> Document:
    """The XML All Orders document of these (filter date, <Message>) pairs, sorted by date."""
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
