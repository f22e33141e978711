"""Amazon Warehousing and Distribution 2024-05-09: the simulator's AWD stock and inbound shipments,
listInventory, listInboundShipments and getInboundShipment over them, and the ground truth.

AWD is US only and served by the NA host (SPAPI notes, Add. §6): with fault ``host_region`` EU or FE,
every AWD operation answers 403 as Amazon does for a resource its host does not serve, a violation
(the tap must not offer the streams there). A next page must repeat the first page's arguments, and
Amazon's pages can be empty while still carrying a token: here, by default, every token leads to an
empty page whose own token leads to the next page of rows (`empty_pages`).

The shipments are generated from the seed: most updated in the 180 days before the anchor, a few in
the first half of 2024 (the suite's range). Their updatedAt is in the answers; created up to three
weeks before it.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from .paging import Query, fingerprint, first, page_slice, when
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["AwdApi"]

_SPAN_DAYS = 180
_FIXED_FIRST = datetime(2024, 1, 2, tzinfo=timezone.utc)
_FIXED_SPAN = timedelta(days=175)
_STATUSES = ("CREATED", "SHIPPED", "IN_TRANSIT", "RECEIVING", "DELIVERED", "CLOSED", "CANCELLED")
_WAREHOUSES = ("AWD-PA1", "AWD-CA2", "AWD-TX3")


def _address(name: str, line: str, state: str) -> dict[str, str]:
    return {"name": name, "addressLine1": line, "city": "Springfield", "stateOrRegion": state, "countryCode": "US"}


@simulated("awd")
class AwdApi:
    """A US seller's AWD stock and its inbound shipments."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Whether every token leads to an empty page first (Amazon's pages can be empty mid-stream).
        self.empty_pages = True
        # The most rows a page holds: the request's maxResults, unless a test makes pages shorter.
        self.page_size: int | None = None
        # How many times each shipment was read with getInboundShipment.
        self.read: dict[str, int] = {}
        self._lock = threading.Lock()
        self._inventory: list[dict[str, Any]] | None = None
        self._shipments: list[dict[str, Any]] | None = None

    def reset(self) -> None:
        self.empty_pages = True
        self.page_size = None
        with self._lock:
            self.read.clear()

    # ---- data ------------------------------------------------------------------------------

    def inventory(self) -> list[dict[str, Any]]:
        """Every SKU's AWD stock, with details."""
        if self._inventory is None:
            rng = random.Random(f"{self.world.seed}:{self.world.rows}:awd_inventory")
            rows = []
            for n in range(self.world.rows):
                available, reserved, replenishing = rng.randrange(0, 900), rng.randrange(0, 50), rng.randrange(0, 120)
                row: dict[str, Any] = {
                    "sku": f"AWD-SKU-{n:04d}",
                    "totalOnhandQuantity": available + reserved + replenishing,
                    "totalInboundQuantity": rng.randrange(0, 400),
                    "inventoryDetails": {
                        "availableDistributableQuantity": available,
                        "reservedDistributableQuantity": reserved,
                        "replenishmentQuantity": replenishing,
                    },
                }
                if n % 3 == 0:
                    row["expirationDetails"] = [
                        {"expiration": f"2027-0{1 + n % 9}-15T00:00:00Z", "onhandQuantity": available}
                    ]
                rows.append(row)
            self._inventory = rows
        return self._inventory

    def shipments(self) -> list[dict[str, Any]]:
        """Every AWD inbound shipment, as getInboundShipment shows it with SKU quantities, by update."""
        if self._shipments is None:
            rng = random.Random(f"{self.world.seed}:{self.world.rows}:awd_shipments")
            recent = max(6, self.world.rows // 3)
            made = [self._shipment(rng, n, fixed=n >= recent) for n in range(recent + self.world.rows // 6)]
            self._shipments = sorted(made, key=lambda s: (s["updatedAt"], s["shipmentId"]))
        return self._shipments

    def _shipment(self, rng: random.Random, n: int, *, fixed: bool) -> dict[str, Any]:
        anchor = self.world.anchor
        if fixed:
            updated = _FIXED_FIRST + timedelta(seconds=rng.randrange(int(_FIXED_SPAN.total_seconds())))
        else:
            updated = anchor - timedelta(days=rng.uniform(0.1, _SPAN_DAYS))
        updated = updated.replace(microsecond=0)
        created = updated - timedelta(hours=rng.randrange(0, 500))
        status = rng.choice(_STATUSES)
        skus = []
        products = []
        for i in range(rng.randint(1, 3)):
            sku = f"AWD-SKU-{rng.randrange(0, max(1, self.world.rows)):04d}"
            cases = rng.randint(1, 20)
            expected = {"quantity": float(cases * 12), "unitOfMeasurement": "PRODUCT_UNITS"}
            line: dict[str, Any] = {"sku": f"{sku}-{i}", "expectedQuantity": expected}
            if status in ("RECEIVING", "CLOSED"):
                line["receivedQuantity"] = {"quantity": float(cases * 12 - i), "unitOfMeasurement": "PRODUCT_UNITS"}
            skus.append(line)
            products.append({"sku": f"{sku}-{i}", "quantity": 12})
        shipment: dict[str, Any] = {
            "shipmentId": f"sh{rng.randrange(16**10, 16**11):x}",
            "orderId": f"io{rng.randrange(16**10, 16**11):x}",
            "shipmentStatus": status,
            "createdAt": format_time(created),
            "updatedAt": format_time(updated),
            "originAddress": _address("Acme Goods", f"{rng.randrange(1, 999)} Harbor Road", "WA"),
            "destinationAddress": _address("Amazon AWD", "1 Distribution Way", "PA"),
            "destinationRegion": "us-east",
            "warehouseReferenceId": rng.choice(_WAREHOUSES),
            "shipmentContainerQuantities": [
                {
                    "count": sum(1 for _ in skus),
                    "distributionPackage": {
                        "contents": {"products": products},
                        "measurements": {"weight": {"unitOfMeasurement": "POUNDS", "weight": 22.5}},
                        "type": "CASE",
                    },
                }
            ],
            "shipmentSkuQuantities": skus,
        }
        if n % 2 == 0:
            shipment["externalReferenceId"] = f"PO-{n:05d}"
        if status != "CREATED":
            shipment["carrierCode"] = {"carrierCodeType": "SCAC", "carrierCodeValue": "UPSN"}
            shipment["trackingId"] = f"1Z{rng.randrange(10**9, 10**10)}"
            shipment["shipBy"] = format_time(created + timedelta(days=3))
        if status in ("RECEIVING", "CLOSED"):
            shipment["receivedQuantity"] = [
                {"quantity": sum(s["receivedQuantity"]["quantity"] for s in skus), "unitOfMeasurement": "PRODUCT_UNITS"}
            ]
        return shipment

    # ---- operations --------------------------------------------------------------------------

    def _on_na_host(self) -> None:
        if self.world.faults.get("host_region") != "NA":
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "AWD is served on the NA host only.",
                violation=True,
            )

    def _page(
        self, operation: str, query: Query, rows: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], str | None]:
        size = int(first(query, "maxResults") or 25)
        size = min(size, self.page_size or size)
        key = fingerprint(query, ("nextToken",))
        token = first(query, "nextToken")
        offset, empty = (0, False) if token is None else self.world.pager.redeem(operation, token, key, None)
        if empty:
            # An empty page, and the token of the rows after it.
            return [], self.world.pager.issue(operation, key, offset)
        chunk, after = page_slice(rows, offset, size)
        if after is None:
            return chunk, None
        return chunk, self.world.pager.issue(operation, key, after, empty=self.empty_pages)

    @answers("listInventory")
    def list_inventory(self, query: Query) -> dict[str, Any]:
        self._on_na_host()
        rows = self.inventory()
        sku = first(query, "sku")
        if sku is not None:
            rows = [row for row in rows if row["sku"] == sku]
        if first(query, "sortOrder") == "DESCENDING":
            rows = rows[::-1]
        chunk, token = self._page("listInventory", query, rows)
        if first(query, "details") != "SHOW":
            # HIDE (the default) returns the totals only.
            chunk = [
                {k: v for k, v in row.items() if k not in ("inventoryDetails", "expirationDetails")} for row in chunk
            ]
        body: dict[str, Any] = {"inventory": chunk}
        if token:
            body["nextToken"] = token
        return body

    @answers("listInboundShipments")
    def list_inbound_shipments(self, query: Query) -> dict[str, Any]:
        self._on_na_host()
        after, before = when(query, "updatedAfter"), when(query, "updatedBefore")
        if after is not None and before is not None and before < after:
            raise ApiError(400, "InvalidInput", "updatedBefore is earlier than updatedAfter.", violation=True)
        status = first(query, "shipmentStatus")
        rows = [
            s
            for s in self.shipments()
            if (after is None or after <= _at(s["updatedAt"]))
            and (before is None or _at(s["updatedAt"]) <= before)
            and (status is None or s["shipmentStatus"] == status)
        ]
        field = "createdAt" if first(query, "sortBy") == "CREATED_AT" else "updatedAt"
        rows.sort(key=lambda s: (s[field], s["shipmentId"]), reverse=first(query, "sortOrder") != "ASCENDING")
        chunk, token = self._page("listInboundShipments", query, rows)
        keys = ("createdAt", "externalReferenceId", "orderId", "shipmentId", "shipmentStatus", "updatedAt")
        body: dict[str, Any] = {"shipments": [{k: s[k] for k in keys if k in s} for s in chunk]}
        if token:
            body["nextToken"] = token
        return body

    @answers("getInboundShipment", reads="path")
    def get_inbound_shipment(self, path: dict[str, str], query: Query) -> dict[str, Any]:
        self._on_na_host()
        found = next((s for s in self.shipments() if s["shipmentId"] == path["shipmentId"]), None)
        if found is None:
            raise ApiError(404, "NotFound", f"Shipment {path['shipmentId']} was not found.")
        with self._lock:
            self.read[found["shipmentId"]] = self.read.get(found["shipmentId"], 0) + 1
        if first(query, "skuQuantities") != "SHOW":
            return {k: v for k, v in found.items() if k != "shipmentSkuQuantities"}
        return found

    # ---- ground truth ----------------------------------------------------------------------

    def expected_inventory(self) -> list[dict[str, Any]]:
        """The `awd_inventory` records."""
        return [tap_form(row) for row in self.inventory()]

    def expected_shipments(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The `awd_inbound_shipments` records of a sync of [start, end]."""
        return [tap_form(s) for s in self.shipments() if start <= _at(s["updatedAt"]) <= end]


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
