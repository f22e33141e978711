"""Vendor Orders API v1 and Vendor Direct Fulfillment Orders 2021-12-28, and the Tokens API that
issues the Restricted Data Tokens Direct Fulfillment needs: the simulator's purchase orders, their
answers, and the ground truth.

Purchase orders are generated from the seed relative to the anchor: ``rows`` created over the 160
days before it (each changed up to five days later), and a few created ten months before it, older
than the six months Amazon serves. Amazon's documented refusals are refused, as violations: a
window over seven days, a bound older than six months, a next page whose filters differ from the
first page's, a Direct Fulfillment call without a Restricted Data Token for its path. What Amazon
does on its own is played too: getPurchaseOrders reads its change bounds as whole days (the time
part is ignored, so orders outside the window come back), and fault ``refuse_next_page`` refuses a
next page at random with 400 InvalidInput.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from tap_amazon_sp.operations import match

from .paging import Query, fingerprint, first, page_slice, when
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["DirectFulfillmentApi", "TokensApi", "VendorOrdersApi"]

_SPAN_DAYS = 160
_OLD_DAYS = 300
_WINDOW = timedelta(days=7)
# What Amazon serves: the last six months (a day's margin for the clocks).
_HORIZON = timedelta(days=183)
_RDT_TTL = 3600
_PRODUCTS = ("B07DFVDRAB", "B07DFYF5AB", "B07MC84QAB", "B01LNRIIAB", "B08XYZ1234")
_WAREHOUSES = ("ABCD", "ABC1", "PHX6", "SEA8")
_VENDOR_CODES = ("999US", "998US")


def _at(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _money(amount: Decimal, per: str | None = None) -> dict[str, str]:
    money = {"currencyCode": "USD", "amount": str(amount)}
    if per:
        money["unitOfMeasure"] = per
    return money


def _window(query: Query, lower: str, upper: str, *, required: bool = False) -> tuple[datetime, datetime] | None:
    """A request's bounds, refused (as a violation) when wider than seven days or older than six months."""
    after, before = when(query, lower), when(query, upper)
    if after is None and before is None and not required:
        return None
    if after is None or before is None:
        raise ApiError(400, "InvalidInput", f"{lower} and {upper} must be given together.", violation=True)
    if before < after:
        raise ApiError(400, "InvalidInput", f"{upper} is earlier than {lower}.", violation=True)
    if before - after > _WINDOW:
        raise ApiError(400, "InvalidInput", "The date range must not exceed 7 days.", violation=True)
    if after < datetime.now(timezone.utc) - _HORIZON:
        raise ApiError(400, "InvalidInput", "Only data from the past 6 months can be requested.", violation=True)
    return after, before


class _Paged:
    """Paging by nextToken over a list, the filters of the first page required again with the token."""

    def __init__(self, world: World, operation: str) -> None:
        self.world = world
        self.operation = operation
        # The most orders a page holds: the request's limit, unless a test makes pages shorter.
        self.page_size: int | None = None
        # How many times each order was answered (orders outside the window come back too).
        self.answered: dict[str, int] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        self.page_size = None
        with self._lock:
            self.answered.clear()

    def page(self, query: Query, matches: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
        size = int(first(query, "limit") or 100)
        size = min(size, self.page_size or size)
        key = fingerprint(query, ("nextToken",))
        offset = 0
        token = first(query, "nextToken")
        if token is not None:
            if self.world.faults.take("refuse_next_page", self.operation):
                raise ApiError(400, "InvalidInput", "Invalid Input")
            offset, _ = self.world.pager.redeem(self.operation, token, key, None)
        chunk, after = page_slice(matches, offset, size)
        with self._lock:
            for order in chunk:
                number = order["purchaseOrderNumber"]
                self.answered[number] = self.answered.get(number, 0) + 1
        return chunk, (self.world.pager.issue(self.operation, key, after) if after is not None else None)


def _parties(rng: random.Random) -> dict[str, Any]:
    warehouse = rng.choice(_WAREHOUSES)
    return {
        "buyingParty": {"partyId": warehouse},
        "sellingParty": {"partyId": rng.choice(_VENDOR_CODES)},
        "shipToParty": {
            "partyId": warehouse,
            "address": {"name": f"Amazon {warehouse}", "addressLine1": "1 Fulfillment Way", "countryCode": "US"},
        },
        "billToParty": {"partyId": warehouse, "taxInfo": {"taxRegistrationType": "VAT", "taxRegistrationNumber": "X1"}},
    }


@simulated("vendor_orders", vendor=True)
class VendorOrdersApi:
    """Purchase orders and their status, and getPurchaseOrders and getPurchaseOrdersStatus over them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.orders_pages = _Paged(world, "getPurchaseOrders")
        self.status_pages = _Paged(world, "getPurchaseOrdersStatus")
        self._orders: list[dict[str, Any]] | None = None
        self._statuses: list[dict[str, Any]] | None = None

    def reset(self) -> None:
        self.orders_pages.reset()
        self.status_pages.reset()

    # ---- data ------------------------------------------------------------------------------

    def orders(self) -> list[dict[str, Any]]:
        """Every purchase order as Amazon holds it, in creation order."""
        if self._orders is None:
            self._orders, self._statuses = self._generate()
        return self._orders

    def statuses(self) -> list[dict[str, Any]]:
        """Every purchase order's status, in creation order."""
        self.orders()
        assert self._statuses is not None
        return self._statuses

    def _generate(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = random.Random(f"{self.world.seed}:{self.world.rows}:vendor_orders")
        anchor = self.world.anchor
        orders, statuses = [], []
        for n in range(self.world.rows + 3):
            days = _OLD_DAYS if n >= self.world.rows else rng.uniform(0.1, _SPAN_DAYS)
            created = _at(anchor - timedelta(days=days))
            changed = min(_at(created + timedelta(hours=rng.randrange(0, 120))), anchor - timedelta(minutes=30))
            order, status = self._order(rng, n, created, changed)
            orders.append(order)
            statuses.append(status)
        orders.sort(key=lambda o: (o["orderDetails"]["purchaseOrderDate"], o["purchaseOrderNumber"]))
        statuses.sort(key=lambda s: (s["purchaseOrderDate"], s["purchaseOrderNumber"]))
        return orders, statuses

    @staticmethod
    def _order(
        rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        number = f"{rng.randrange(1, 9)}{''.join(rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ23456789') for _ in range(7))}"
        state = rng.choice(("New", "Acknowledged", "Acknowledged", "Closed"))
        parties = _parties(rng)
        items, item_status = [], []
        for i in range(rng.randint(1, 3)):
            quantity = rng.randint(1, 40)
            cost = Decimal(rng.randrange(199, 49999)) / 100
            per = "POUNDS" if (n + i) % 5 == 0 else None
            items.append(
                {
                    "itemSequenceNumber": str(i + 1),
                    "amazonProductIdentifier": rng.choice(_PRODUCTS),
                    "vendorProductIdentifier": f"88060982{rng.randrange(10000, 99999)}",
                    "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Eaches", "unitSize": 1},
                    "isBackOrderAllowed": rng.random() < 0.3,
                    "netCost": _money(cost, per),
                    "listPrice": _money(cost + Decimal("5.00"), per),
                }
            )
            accepted = quantity if state != "New" else 0
            item_status.append(
                {
                    "itemSequenceNumber": str(i + 1),
                    "buyerProductIdentifier": items[-1]["amazonProductIdentifier"],
                    "netCost": _money(cost),
                    "orderedQuantity": {
                        "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Eaches", "unitSize": 1},
                        "orderedQuantityDetails": [
                            {
                                "updatedDate": format_time(created),
                                "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Eaches", "unitSize": 1},
                            }
                        ],
                    },
                    "acknowledgementStatus": {
                        "confirmationStatus": "ACCEPTED" if accepted else "UNCONFIRMED",
                        "acceptedQuantity": {"amount": accepted, "unitOfMeasure": "Eaches", "unitSize": 1},
                    },
                    "receivingStatus": {
                        "receiveStatus": "RECEIVED" if state == "Closed" else "NOT_RECEIVED",
                        **({"lastReceiveDate": format_time(changed)} if state == "Closed" else {}),
                    },
                }
            )
        details: dict[str, Any] = {
            "purchaseOrderDate": format_time(created),
            "purchaseOrderChangedDate": format_time(changed),
            "purchaseOrderStateChangedDate": format_time(changed if state != "New" else created),
            "purchaseOrderType": rng.choice(("RegularOrder", "RegularOrder", "NewProductIntroduction")),
            "paymentMethod": "Invoice",
            **parties,
            "shipWindow": f"{format_time(created + timedelta(days=1))}--{format_time(created + timedelta(days=7))}",
            "items": items,
        }
        if n % 4 == 1:
            details["importDetails"] = {"internationalCommercialTerms": "FreeOnBoard", "portOfDelivery": "SEATTLE"}
        order = {"purchaseOrderNumber": number, "purchaseOrderState": state, "orderDetails": details}
        status = {
            "purchaseOrderNumber": number,
            "purchaseOrderStatus": "CLOSED" if state == "Closed" else "OPEN",
            "purchaseOrderDate": format_time(created),
            "lastUpdatedDate": format_time(changed + timedelta(minutes=7)),
            "sellingParty": parties["sellingParty"],
            "shipToParty": parties["shipToParty"],
            "itemStatus": item_status,
        }
        return order, status

    # ---- operations --------------------------------------------------------------------------

    @staticmethod
    def _on_days(value: str, after: datetime, before: datetime) -> bool:
        # Amazon ignores the time part of these bounds: whole days, both included.
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return after.date() <= day <= before.date()

    @answers("getPurchaseOrders")
    def get_purchase_orders(self, query: Query) -> dict[str, Any]:
        changed = _window(query, "changedAfter", "changedBefore")
        created = _window(query, "createdAfter", "createdBefore")
        if changed is None and created is None:
            raise ApiError(400, "InvalidInput", "A date range is required.", violation=True)
        matches = [
            order
            for order in self.orders()
            if (changed is None or self._on_days(order["orderDetails"]["purchaseOrderChangedDate"], *changed))
            and (created is None or self._on_days(order["orderDetails"]["purchaseOrderDate"], *created))
        ]
        chunk, token = self.orders_pages.page(query, matches)
        if first(query, "includeDetails") == "false":
            chunk = [{k: v for k, v in order.items() if k != "orderDetails"} for order in chunk]
        payload: dict[str, Any] = {"orders": chunk}
        if token:
            payload["pagination"] = {"nextToken": token}
        return {"payload": payload}

    @answers("getPurchaseOrdersStatus")
    def get_purchase_orders_status(self, query: Query) -> dict[str, Any]:
        updated = _window(query, "updatedAfter", "updatedBefore")
        created = _window(query, "createdAfter", "createdBefore")
        if updated is None and created is None:
            raise ApiError(400, "InvalidInput", "A date range is required.", violation=True)
        matches = [status for status in self.statuses() if _within(status, updated, created)]
        chunk, token = self.status_pages.page(query, matches)
        payload: dict[str, Any] = {"ordersStatus": chunk}
        if token:
            payload["pagination"] = {"nextToken": token}
        return {"payload": payload}

    # ---- ground truth ----------------------------------------------------------------------

    def expected(self, start: datetime, end: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The `vendor_purchase_orders` and `vendor_purchase_order_items` records of a sync of [start,
        end]: the orders changed on its days (Amazon reads the bounds as days), once each."""
        orders, items = [], []
        for order in self.orders():
            if not self._on_days(order["orderDetails"]["purchaseOrderChangedDate"], start, end):
                continue
            details = {k: v for k, v in order["orderDetails"].items() if k != "items"}
            orders.append(tap_form({**{k: v for k, v in order.items() if k != "orderDetails"}, **details}))
            for item in order["orderDetails"]["items"]:
                items.append(
                    {
                        **tap_form(item),
                        "purchase_order_number": order["purchaseOrderNumber"],
                        "purchase_order_changed_date": details["purchaseOrderChangedDate"],
                    }
                )
        return orders, items

    def expected_status(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The `vendor_purchase_order_status` records of a sync of [start, end]."""
        return [tap_form(s) for s in self.statuses() if _within(s, (start, end), None)]


def _within(
    status: dict[str, Any], updated: tuple[datetime, datetime] | None, created: tuple[datetime, datetime] | None
) -> bool:
    def inside(value: str, bounds: tuple[datetime, datetime] | None) -> bool:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return bounds is None or bounds[0] <= at <= bounds[1]

    return inside(status["lastUpdatedDate"], updated) and inside(status["purchaseOrderDate"], created)


@simulated("direct_fulfillment", vendor=True)
class DirectFulfillmentApi:
    """Direct Fulfillment orders (customers' orders a vendor ships), and getOrders over them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pages = _Paged(world, "getOrders")
        self._orders: list[dict[str, Any]] | None = None

    def reset(self) -> None:
        self.pages.reset()

    def orders(self) -> list[dict[str, Any]]:
        """Every Direct Fulfillment order, in creation order."""
        if self._orders is None:
            rng = random.Random(f"{self.world.seed}:{self.world.rows}:direct_fulfillment")
            made = [self._order(rng, n) for n in range(self.world.rows)]
            self._orders = sorted(made, key=lambda o: (o["orderDetails"]["orderDate"], o["purchaseOrderNumber"]))
        return self._orders

    def _order(self, rng: random.Random, n: int) -> dict[str, Any]:
        created = _at(self.world.anchor - timedelta(days=rng.uniform(0.1, _SPAN_DAYS)))
        price = Decimal(rng.randrange(499, 19999)) / 100
        tax = (price * Decimal("0.0825")).quantize(Decimal("0.01"))
        quantity = rng.randint(1, 3)
        taxes = {"taxLineItem": [{"taxRate": "8.25", "taxAmount": _money(tax * quantity), "type": "TOTAL"}]}
        return {
            "purchaseOrderNumber": f"{rng.randrange(10**7, 10**8)}",
            "orderDetails": {
                "customerOrderNumber": f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}",
                "orderDate": format_time(created),
                "orderStatus": rng.choice(("NEW", "ACCEPTED", "SHIPPED", "SHIPPED", "CANCELLED")),
                "shipmentDetails": {
                    "isPriorityShipment": rng.random() < 0.2,
                    "isScheduledDeliveryShipment": False,
                    "isPslipRequired": True,
                    "isGift": n % 7 == 3,
                    "shipMethod": "UPS_GR_RES",
                    "shipmentDates": {"requiredShipDate": format_time(created + timedelta(days=2))},
                    "messageToCustomer": "Thank you for your order.",
                },
                "taxTotal": taxes,
                "sellingParty": {"partyId": rng.choice(_VENDOR_CODES)},
                "shipFromParty": {"partyId": rng.choice(_WAREHOUSES)},
                "shipToParty": {
                    "name": rng.choice(("Ada Lovelace", "Grace Hopper", "Alan Turing")),
                    "addressLine1": f"{rng.randrange(1, 999)} Main St",
                    "city": "Springfield",
                    "stateOrRegion": "WA",
                    "postalCode": f"{rng.randrange(10000, 99999)}",
                    "countryCode": "US",
                    "phone": f"+1 555 {rng.randrange(1000000, 9999999)}",
                },
                "billToParty": {"partyId": "AMAZON-US"},
                "hasCustomizableItems": False,
                "items": [
                    {
                        "itemSequenceNumber": "1",
                        "buyerProductIdentifier": rng.choice(_PRODUCTS),
                        "vendorProductIdentifier": f"VP-{n:04d}",
                        "title": "Espresso Cups (4)",
                        "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Each"},
                        "netPrice": _money(price),
                        "taxDetails": taxes,
                        "totalPrice": _money(price * quantity),
                        **({"giftDetails": {"giftMessage": "Happy birthday!"}} if n % 7 == 3 else {}),
                    }
                ],
            },
        }

    @answers("getOrders", restricted=True)
    def get_orders(self, query: Query) -> dict[str, Any]:
        bounds = _window(query, "createdAfter", "createdBefore", required=True)
        assert bounds is not None
        after, before = bounds
        matches = [
            order
            for order in self.orders()
            if after <= datetime.fromisoformat(order["orderDetails"]["orderDate"].replace("Z", "+00:00")) <= before
        ]
        chunk, token = self.pages.page(query, matches)
        body: dict[str, Any] = {"orders": chunk}
        if token:
            body["pagination"] = {"nextToken": token}
        return body

    def expected(self, start: datetime, end: datetime, *, include_pii: bool = False) -> list[dict[str, Any]]:
        """The `vendor_direct_fulfillment_orders` records of a sync of [start, end]."""
        found = []
        for order in self.orders():
            at = datetime.fromisoformat(order["orderDetails"]["orderDate"].replace("Z", "+00:00"))
            if not start <= at <= end:
                continue
            record = _decimal_rates(
                tap_form({"purchaseOrderNumber": order["purchaseOrderNumber"], **order["orderDetails"]})
            )
            if not include_pii:
                record.pop("ship_to_party")
            found.append(record)
        return found


def _decimal_rates(value: Any) -> Any:
    """Tax rates, Amazon's decimal strings, as Decimals (tap_form turns `amount`s only)."""
    if isinstance(value, dict):
        return {k: Decimal(v) if k == "tax_rate" else _decimal_rates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimal_rates(v) for v in value]
    return value


@simulated("restricted_tokens", vendor=True)
class TokensApi:
    """createRestrictedDataToken: a token for the restricted resources named, unless the app lacks the
    role of one of them (fault ``no_role`` names its operation)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.issued: list[frozenset[tuple[str, str]]] = []
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.issued.clear()

    @answers("createRestrictedDataToken", reads="body")
    def create_restricted_data_token(self, body: dict[str, Any]) -> dict[str, Any]:
        resources = set()
        for resource in body.get("restrictedResources") or []:
            method, path = str(resource.get("method")), str(resource.get("path"))
            found = match(method, path)
            if found is None:
                raise ApiError(400, "InvalidInput", f"{method} {path} is not a restricted resource.", violation=True)
            if found[0].name in self.world.faults.get("no_role"):
                raise ApiError(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The application does not have the role this restricted resource needs.",
                )
            resources.add((method, path))
        if not resources:
            raise ApiError(400, "InvalidInput", "restrictedResources is empty.", violation=True)
        with self._lock:
            self.issued.append(frozenset(resources))
        token = self.world.tokens.issue_restricted(_RDT_TTL, frozenset(resources))
        return {"restrictedDataToken": token, "expiresIn": _RDT_TTL}
