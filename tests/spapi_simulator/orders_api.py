"""Orders API v2026-01-01 searchOrders: the simulator's orders, their answer, and the ground truth.

Orders are generated per marketplace from the seed (``rows`` in the first half of 2024, plus a few
updated in the last day before the simulator started), complete with every section searchOrders can
include; an answer keeps only the sections the request's ``includedData`` names, as Amazon does.
A test can change an order late (``change``) to play an update Amazon shows after a sync.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .paging import Query, check_before_bounds, fingerprint, first, page_slice, when
from .rendering import MARKETPLACES
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["OrdersApi"]

_FIRST = datetime(2023, 12, 20, tzinfo=timezone.utc)
_SPAN = timedelta(days=200)
_TOKEN_TTL = 24 * 3600.0
_NAMES = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson")
_STREETS = ("1 Main St", "22 Oak Ave", "350 Pine Rd", "4 Elm Ct", "77 Birch Blvd")
_TITLES = ("Garden Hose 15m", "Espresso Cups (4)", "USB-C Cable 2m", "Yoga Mat", "LED Desk Lamp", "Chef Knife")
_STATUSES = ("PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "SHIPPED", "SHIPPED", "CANCELLED")
# Which sections of an order (and of its items) each includedData value brings.
_ORDER_SECTIONS = {
    "BUYER": "buyer",
    "RECIPIENT": "recipient",
    "PROCEEDS": "proceeds",
    "FULFILLMENT": "fulfillment",
    "PACKAGES": "packages",
}
_ITEM_SECTIONS = {
    "PROCEEDS": "proceeds",
    "FULFILLMENT": "fulfillment",
    "EXPENSE": "expense",
    "PROMOTION": "promotion",
    "CANCELLATION": "cancellation",
}


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currencyCode": currency}


@simulated("orders")
class OrdersApi:
    """The orders of every marketplace, and searchOrders over them."""

    def __init__(self, world: World) -> None:
        self.seed = world.seed
        self.rows = world.rows
        self.pager = world.pager
        self.anchor = world.anchor
        self._orders: dict[str, list[dict[str, Any]]] = {}
        self._changes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # ---- data ------------------------------------------------------------------------------

    def orders(self, marketplace_id: str) -> list[dict[str, Any]]:
        """Every order of a marketplace as Amazon holds it (all sections), late changes applied."""
        with self._lock:
            if marketplace_id not in self._orders:
                self._orders[marketplace_id] = self._generate(marketplace_id)
            changes = dict(self._changes)
        return [{**order, **changes.get(order["orderId"], {})} for order in self._orders[marketplace_id]]

    def change(self, order_id: str, **fields: Any) -> None:
        """Change an order from now on (a late update); undone by ``reset``."""
        with self._lock:
            self._changes.setdefault(order_id, {}).update(fields)

    def reset(self) -> None:
        with self._lock:
            self._changes.clear()

    def _generate(self, marketplace_id: str) -> list[dict[str, Any]]:
        m = MARKETPLACES[marketplace_id]
        rng = random.Random(f"{self.seed}:{self.rows}:orders:{marketplace_id}")
        orders = []
        recent = 3
        for n in range(self.rows + recent):
            if n < self.rows:
                created = _FIRST + timedelta(seconds=rng.randrange(int(_SPAN.total_seconds())))
                updated = created + timedelta(seconds=rng.randrange(0, 6 * 86400))
            else:
                updated = self.anchor - timedelta(hours=rng.randrange(1, 20))
                created = updated - timedelta(days=rng.randrange(0, 3))
            orders.append(self._order(rng, m, n, created, updated))
        orders.sort(key=lambda o: (o["lastUpdatedTime"], o["orderId"]))
        return orders

    def _order(self, rng: random.Random, m: Any, n: int, created: datetime, updated: datetime) -> dict[str, Any]:
        order_id = f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
        status = rng.choice(_STATUSES)
        by = "AMAZON" if rng.random() < 0.5 else "MERCHANT"
        items = []
        total = Decimal(0)
        for i in range(rng.randint(1, 3)):
            quantity = rng.randint(1, 4)
            price = Decimal(rng.randrange(199, 9999)) / 100
            total += price * quantity
            shipped = quantity if status == "SHIPPED" else (1 if status == "PARTIALLY_SHIPPED" else 0)
            item: dict[str, Any] = {
                "orderItemId": f"{rng.randrange(10**13, 10**14)}",
                "quantityOrdered": quantity,
                "programs": [],
                "product": {
                    "asin": f"B0{rng.randrange(10**7, 10**8)}",
                    "title": rng.choice(_TITLES),
                    "sellerSku": f"SKU-{m.code}-{n:04d}-{i}",
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": _money(price, m.currency)},
                },
                "proceeds": {"proceedsTotal": _money(price * quantity, m.currency)},
                "fulfillment": {"quantityFulfilled": shipped, "quantityUnfulfilled": quantity - shipped},
            }
            # Rarer sections, on some items only.
            if (n + i) % 3 == 0:
                item["measurement"] = {"unit": "COUNT", "value": quantity}
                item["expense"] = {
                    "pointsCost": {
                        "pointsGranted": {
                            "pointsNumber": 100,
                            "pointsMonetaryValue": _money(Decimal("1.00"), m.currency),
                        }
                    }
                }
            if (n + i) % 4 == 1:
                item["promotion"] = {"breakdowns": [{"promotionId": f"PROMO-{n}"}]}
            if status == "CANCELLED":
                request = {"requester": "BUYER", "cancelReason": "NO_LONGER_NEEDED"}
                item["cancellation"] = {"cancellationRequest": request}
            items.append(item)
        order: dict[str, Any] = {
            "orderId": order_id,
            "orderAliases": [{"aliasId": f"SO-{m.code}-{n:05d}", "aliasType": "SELLER_ORDER_ID"}],
            "createdTime": format_time(created),
            "lastUpdatedTime": format_time(updated),
            "programs": ["PRIME"] if rng.random() < 0.3 else [],
            "associatedOrders": [],
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": m.id, "marketplaceName": m.sales_channel},
            "buyer": {
                "buyerName": rng.choice(_NAMES),
                "buyerEmail": f"buyer{rng.randrange(10**6)}@marketplace.amazon.com",
            },
            "recipient": {
                "deliveryAddress": {
                    "name": rng.choice(_NAMES),
                    "addressLine1": rng.choice(_STREETS),
                    "city": "Springfield",
                    "stateOrRegion": "WA",
                    "postalCode": f"{rng.randrange(10000, 99999)}",
                    "countryCode": m.country,
                    "phone": f"+1 555 {rng.randrange(1000000, 9999999)}",
                    "addressType": "RESIDENTIAL",
                },
            },
            "proceeds": {"grandTotal": _money(total, m.currency)},
            "fulfillment": {
                "fulfillmentStatus": status,
                "fulfilledBy": by,
                "fulfillmentServiceLevel": "STANDARD",
                "shipByWindow": {
                    "earliestDateTime": format_time(created),
                    "latestDateTime": format_time(created + timedelta(days=2)),
                },
            },
            "packages": [],
            "orderItems": items,
        }
        if status == "SHIPPED" and by == "MERCHANT":
            order["packages"] = [
                {
                    "packageReferenceId": "1",
                    "carrier": "UPS",
                    "trackingNumber": f"1Z{rng.randrange(10**9, 10**10)}",
                    "shipTime": format_time(created + timedelta(days=1)),
                    "packageStatus": {"status": "SHIPPED"},
                }
            ]
        return order

    # ---- searchOrders ----------------------------------------------------------------------

    @answers("searchOrders")
    def search_orders(self, query: Query) -> dict[str, Any]:
        created_after, updated_after = first(query, "createdAfter"), first(query, "lastUpdatedAfter")
        if (created_after is None) == (updated_after is None):
            raise ApiError(
                400, "InvalidInput", "Exactly one of createdAfter and lastUpdatedAfter is required.", violation=True
            )
        if created_after is not None and ("lastUpdatedAfter" in query or "lastUpdatedBefore" in query):
            raise ApiError(400, "InvalidInput", "createdAfter cannot be combined with lastUpdated*.", violation=True)
        if updated_after is not None and "createdBefore" in query:
            raise ApiError(
                400, "InvalidInput", "lastUpdatedAfter cannot be combined with createdBefore.", violation=True
            )
        check_before_bounds(query, ("createdBefore", "lastUpdatedBefore"))
        field = "createdTime" if created_after is not None else "lastUpdatedTime"
        lower = when(query, "createdAfter" if created_after else "lastUpdatedAfter")
        upper = when(query, "createdBefore" if created_after else "lastUpdatedBefore")
        if lower is not None and upper is not None and upper < lower:
            raise ApiError(400, "InvalidInput", "The Before bound is earlier than the After bound.", violation=True)
        markets = (first(query, "marketplaceIds") or "").split(",") if "marketplaceIds" in query else None
        size = int(first(query, "maxResultsPerPage") or 100)
        if not 1 <= size <= 100:
            raise ApiError(400, "InvalidInput", "maxResultsPerPage must be between 1 and 100.", violation=True)
        included = set((first(query, "includedData") or "").split(",")) - {""}
        matches = self.matching(markets, field, lower, upper)
        offset = 0
        token = first(query, "paginationToken")
        # maxResultsPerPage and includedData may change between pages; nothing else may.
        key = fingerprint(query, ("paginationToken", "maxResultsPerPage", "includedData"))
        if token is not None:
            offset, _ = self.pager.redeem("searchOrders", token, key, _TOKEN_TTL)
        chunk, after = page_slice(matches, offset, size)
        body: dict[str, Any] = {"orders": [self._render(order, included) for order in chunk]}
        if after is not None:
            body["pagination"] = {"nextToken": self.pager.issue("searchOrders", key, after)}
        if upper is not None:
            body["lastUpdatedBefore" if field == "lastUpdatedTime" else "createdBefore"] = format_time(upper)
        return body

    def matching(
        self, markets: Iterable[str] | None, field: str, lower: datetime | None, upper: datetime | None
    ) -> list[dict[str, Any]]:
        """The orders a search selects (both bounds inclusive, as the model says), in answer order."""
        chosen = list(markets) if markets is not None else [m for m in MARKETPLACES if MARKETPLACES[m].region == "NA"]
        found = []
        for marketplace_id in chosen:
            for order in self.orders(marketplace_id):
                at = datetime.fromisoformat(order[field].replace("Z", "+00:00"))
                if (lower is None or at >= lower) and (upper is None or at <= upper):
                    found.append(order)
        found.sort(key=lambda o: (o["lastUpdatedTime"], o["orderId"]))
        return found

    @staticmethod
    def _render(order: dict[str, Any], included: set[str]) -> dict[str, Any]:
        out = {k: v for k, v in order.items() if k not in _ORDER_SECTIONS.values()}
        for name, section in _ORDER_SECTIONS.items():
            if name in included and section in order:
                out[section] = order[section]
        out["orderItems"] = [
            {
                k: v
                for k, v in item.items()
                if k not in _ITEM_SECTIONS.values()
                or any(item_key == k and name in included for name, item_key in _ITEM_SECTIONS.items())
            }
            for item in order["orderItems"]
        ]
        return out

    # ---- ground truth ----------------------------------------------------------------------

    def expected(
        self, markets: Iterable[str], start: datetime, end: datetime, *, include_pii: bool = False
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The `orders` and `order_items` records a sync of [start, end] must emit, once each, by key."""
        orders: dict[str, dict[str, Any]] = {}
        items: dict[tuple[str, str], dict[str, Any]] = {}
        for order in self.matching(markets, "lastUpdatedTime", start, end):
            record = tap_form({k: v for k, v in order.items() if k != "orderItems"})
            if not include_pii:
                record.pop("buyer")
                record.pop("recipient")
            record["marketplace_id"] = order["salesChannel"]["marketplaceId"]
            orders[order["orderId"]] = record
            for item in order["orderItems"]:
                items[(order["orderId"], item["orderItemId"])] = {
                    **tap_form(item),
                    "order_id": order["orderId"],
                    "marketplace_id": record["marketplace_id"],
                    "order_last_updated_time": order["lastUpdatedTime"],
                }
        return list(orders.values()), list(items.values())
