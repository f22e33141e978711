"""Fulfillment Inbound API v0 (the read operations Amazon keeps): the simulator's inbound shipments per
marketplace, getShipments, getShipmentItemsByShipmentId and getShipmentItems over them, and the
ground truth.

Shipments are generated from the seed: most relative to the anchor, created over the 180 days before
it and last updated up to three weeks later, and a few in the first half of 2024 (the suite's range);
their update time is Amazon's alone (no answer shows it).
Amazon's documented refusals are refused, as violations (SPAPI notes, Add. §6): a DATE_RANGE query
without a status list or without both bounds, a NEXT_TOKEN page carrying more than QueryType,
NextToken and MarketplaceId (or another marketplace than its first page), a MarketplaceId sent to
getShipmentItemsByShipmentId ("Deprecated. Do not use."). Pages hold 50 shipments and 200 items,
unless a test makes them shorter; a by-id answer that does not hold every item carries a NextToken
that getShipmentItems takes with QueryType NEXT_TOKEN, as Amazon's does.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_amazon_sp.operations import SHIPMENT_STATUSES

from .paging import Query, first, page_slice, when
from .rendering import MARKETPLACES
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["InboundApi"]

_SPAN_DAYS = 180
# Where the shipments of the suite's fixed range are created.
_FIXED_FIRST = datetime(2024, 1, 2, tzinfo=timezone.utc)
_FIXED_SPAN = timedelta(days=175)
# What a shipment's status can be (ShipmentStatus in the model; READY_TO_SHIP is a filter value only).
_STATUSES = tuple(s for s in SHIPMENT_STATUSES if s != "READY_TO_SHIP")
_CENTERS = ("PHX6", "SEA8", "ONT8", "MDW2", "LTN4", "FRA7", "NRT5")
_PREP = ("Labeling", "Polybagging", "BubbleWrapping", "NoPrep")
# What a NEXT_TOKEN page may carry (Add. §6: Amazon refuses the first page's filters there).
_NEXT_TOKEN_PARAMS = frozenset({"QueryType", "NextToken", "MarketplaceId"})


def _invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message, violation=True)


class _Chains:
    """Page tokens of one operation, each remembering the whole query its pages answer."""

    def __init__(self, world: World, operation: str) -> None:
        self.world = world
        self.operation = operation
        self._origins: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def issue(self, marketplace_id: str, origin: Any, offset: int) -> str:
        token = self.world.pager.issue(self.operation, marketplace_id, offset)
        with self._lock:
            self._origins[token] = (marketplace_id, origin)
        return token

    def redeem(self, query: Query) -> tuple[Any, int]:
        """The origin and offset of a NEXT_TOKEN request's page."""
        extra = sorted(set(query) - _NEXT_TOKEN_PARAMS)
        if extra:
            raise _invalid(f"A NEXT_TOKEN query takes QueryType, NextToken and MarketplaceId only, got {extra}.")
        token = first(query, "NextToken")
        if not token:
            raise _invalid("NextToken is required when QueryType is NEXT_TOKEN.")
        offset, _ = self.world.pager.redeem(self.operation, token, str(first(query, "MarketplaceId")), None)
        with self._lock:
            return self._origins[token][1], offset


@simulated("inbound")
class InboundApi:
    """Every marketplace's inbound shipments and their items."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.shipment_chains = _Chains(world, "getShipments")
        self.item_chains = _Chains(world, "getShipmentItems")
        # The most shipments and items a page holds: Amazon's, unless a test makes pages shorter.
        self.page_size = 50
        self.items_page_size = 200
        self._shipments: dict[str, list[dict[str, Any]]] = {}

    def reset(self) -> None:
        self.page_size = 50
        self.items_page_size = 200

    # ---- data ------------------------------------------------------------------------------

    def shipments(self, marketplace_id: str) -> list[dict[str, Any]]:
        """Every shipment of a marketplace: {"info": InboundShipmentInfo, "updated": datetime, "items": [...]}."""
        if marketplace_id not in self._shipments:
            rng = random.Random(f"{self.world.seed}:{self.world.rows}:inbound:{marketplace_id}")
            code = MARKETPLACES[marketplace_id].code
            recent = max(6, self.world.rows // 2)
            made = [self._shipment(rng, code, n, fixed=n >= recent) for n in range(recent + self.world.rows // 4)]
            self._shipments[marketplace_id] = sorted(made, key=lambda s: (s["updated"], s["info"]["ShipmentId"]))
        return self._shipments[marketplace_id]

    def _shipment(self, rng: random.Random, code: str, n: int, *, fixed: bool) -> dict[str, Any]:
        anchor = self.world.anchor
        if fixed:
            created = _FIXED_FIRST + timedelta(seconds=rng.randrange(int(_FIXED_SPAN.total_seconds())))
        else:
            created = anchor - timedelta(days=rng.uniform(1, _SPAN_DAYS))
        updated = min(created + timedelta(hours=rng.randrange(0, 500)), anchor - timedelta(minutes=30))
        shipment_id = f"FBA{rng.randrange(16**8, 16**9):X}"
        source = rng.choice(("FEED", "2D_BARCODE", "INTERACTIVE", "NONE"))
        info: dict[str, Any] = {
            "ShipmentId": shipment_id,
            "ShipmentName": f"{code} restock {created:%Y-%m-%d} #{n}",
            "ShipFromAddress": {
                "Name": "Acme Goods Warehouse",
                "AddressLine1": f"{rng.randrange(1, 999)} Harbor Road",
                "City": "Springfield",
                "StateOrProvinceCode": "WA",
                "CountryCode": code if code != "UK" else "GB",
                "PostalCode": f"{rng.randrange(10000, 99999)}",
            },
            "DestinationFulfillmentCenterId": rng.choice(_CENTERS),
            "ShipmentStatus": rng.choice(_STATUSES),
            "LabelPrepType": rng.choice(("SELLER_LABEL", "AMAZON_LABEL", "NO_LABEL")),
            "AreCasesRequired": n % 3 == 0,
            "BoxContentsSource": source,
        }
        if n % 4 == 1:
            info["ConfirmedNeedByDate"] = f"{(created + timedelta(days=20)).date()}"
        items = []
        for i in range(rng.randint(1, 4)):
            shipped = rng.randrange(6, 240, 6)
            item: dict[str, Any] = {
                "ShipmentId": shipment_id,
                "SellerSKU": f"SKU-{code}-{n:03d}-{i}",
                "FulfillmentNetworkSKU": f"X00{rng.randrange(10**6, 10**7)}",
                "QuantityShipped": shipped,
                "QuantityReceived": shipped if info["ShipmentStatus"] == "CLOSED" else rng.randrange(0, shipped),
                "QuantityInCase": 6 if info["AreCasesRequired"] else 0,
                "PrepDetailsList": [
                    {"PrepInstruction": rng.choice(_PREP), "PrepOwner": rng.choice(("AMAZON", "SELLER"))}
                ],
            }
            if i == 2:
                item["ReleaseDate"] = f"{(created + timedelta(days=45)).date()}"
            items.append(item)
        if source == "NONE":
            units = sum(item["QuantityShipped"] for item in items)
            currency = "GBP" if code == "UK" else "USD"
            info["EstimatedBoxContentsFee"] = {
                "TotalUnits": units,
                "FeePerUnit": {"CurrencyCode": currency, "Value": 0.15},
                "TotalFee": {"CurrencyCode": currency, "Value": round(units * 0.15, 2)},
            }
        return {"info": info, "updated": updated, "items": items}

    # ---- operations --------------------------------------------------------------------------

    @staticmethod
    def _marketplace(query: Query) -> str:
        marketplace_id = first(query, "MarketplaceId") or ""
        if marketplace_id not in MARKETPLACES:
            raise ApiError(400, "InvalidInput", f"Invalid MarketplaceId: {marketplace_id}.", violation=True)
        return marketplace_id

    @staticmethod
    def _bounds(query: Query) -> tuple[datetime, datetime]:
        after, before = when(query, "LastUpdatedAfter"), when(query, "LastUpdatedBefore")
        if after is None or before is None:
            raise _invalid(
                "Either the ShipmentId or a pair of LastUpdatedAfter and LastUpdatedBefore must be passed in input"
            )
        if before < after:
            raise _invalid("LastUpdatedBefore is earlier than LastUpdatedAfter.")
        return after, before

    def _matching(self, marketplace_id: str, query: Query) -> list[dict[str, Any]]:
        """The shipments a first-page query (SHIPMENT or DATE_RANGE) selects."""
        if "NextToken" in query:
            raise _invalid("NextToken is taken with QueryType NEXT_TOKEN only.")
        statuses = (first(query, "ShipmentStatusList") or "").split(",")
        ids = (first(query, "ShipmentIdList") or "").split(",")
        if statuses == [""] and ids == [""]:
            raise _invalid("At least one of ShipmentStatusList and ShipmentIdList must be provided")
        bounds = self._bounds(query) if first(query, "QueryType") == "DATE_RANGE" else None
        return [
            s
            for s in self.shipments(marketplace_id)
            if (statuses == [""] or s["info"]["ShipmentStatus"] in statuses)
            and (ids == [""] or s["info"]["ShipmentId"] in ids)
            and (bounds is None or bounds[0] <= s["updated"] <= bounds[1])
        ]

    @answers("getShipments")
    def get_shipments(self, query: Query) -> dict[str, Any]:
        marketplace_id = self._marketplace(query)
        if first(query, "QueryType") == "NEXT_TOKEN":
            origin, offset = self.shipment_chains.redeem(query)
        else:
            origin, offset = dict(query), 0
        matches = self._matching(marketplace_id, origin)
        chunk, after = page_slice(matches, offset, self.page_size)
        payload: dict[str, Any] = {"ShipmentData": [s["info"] for s in chunk]}
        if after is not None:
            payload["NextToken"] = self.shipment_chains.issue(marketplace_id, origin, after)
        return {"payload": payload}

    def _items_page(
        self, marketplace_id: str, origin: Any, offset: int, items: Callable[[], list[dict[str, Any]]]
    ) -> dict[str, Any]:
        chunk, after = page_slice(items(), offset, self.items_page_size)
        payload: dict[str, Any] = {"ItemData": chunk}
        if after is not None:
            payload["NextToken"] = self.item_chains.issue(marketplace_id, origin, after)
        return {"payload": payload}

    def _shipment_items(self, shipment_id: str) -> tuple[str, list[dict[str, Any]]]:
        for marketplace_id in MARKETPLACES:
            for shipment in self.shipments(marketplace_id):
                if shipment["info"]["ShipmentId"] == shipment_id:
                    return marketplace_id, shipment["items"]
        raise ApiError(400, "InvalidInput", f"Shipment {shipment_id} was not found.")

    def _updated_items(self, marketplace_id: str, bounds: tuple[datetime, datetime]) -> list[dict[str, Any]]:
        return [
            item
            for s in self.shipments(marketplace_id)
            if bounds[0] <= s["updated"] <= bounds[1]
            for item in s["items"]
        ]

    @answers("getShipmentItemsByShipmentId", reads="path")
    def get_shipment_items_by_shipment_id(self, path: dict[str, str], query: Query) -> dict[str, Any]:
        if "MarketplaceId" in query:
            raise _invalid("MarketplaceId is deprecated for getShipmentItemsByShipmentId: do not send it.")
        marketplace_id, items = self._shipment_items(path["shipmentId"])
        return self._items_page(marketplace_id, ("shipment", path["shipmentId"]), 0, lambda: items)

    @answers("getShipmentItems")
    def get_shipment_items(self, query: Query) -> dict[str, Any]:
        marketplace_id = self._marketplace(query)
        if first(query, "QueryType") == "NEXT_TOKEN":
            origin, offset = self.item_chains.redeem(query)
        else:
            if "NextToken" in query:
                raise _invalid("NextToken is taken with QueryType NEXT_TOKEN only.")
            origin, offset = ("range", self._bounds(query)), 0
        if origin[0] == "shipment":
            return self._items_page(marketplace_id, origin, offset, lambda: self._shipment_items(origin[1])[1])
        return self._items_page(marketplace_id, origin, offset, lambda: self._updated_items(marketplace_id, origin[1]))

    # ---- ground truth ----------------------------------------------------------------------

    def found(self, marketplace_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The shipments of a marketplace last updated in [start, end]."""
        return [s for s in self.shipments(marketplace_id) if start <= s["updated"] <= end]

    def expected(self, marketplace_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The `fba_inbound_shipments` records of a sync of [start, end], without `last_updated_before`."""
        return [
            {**tap_form(s["info"]), "marketplace_id": marketplace_id} for s in self.found(marketplace_id, start, end)
        ]

    def expected_items(self, marketplace_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The `fba_inbound_shipment_items` records of a sync of [start, end], without `last_updated_before`."""
        return [
            {**tap_form(item), "marketplace_id": marketplace_id}
            for s in self.found(marketplace_id, start, end)
            for item in s["items"]
        ]

    @staticmethod
    def updated_at(shipment: dict[str, Any]) -> str:
        """When a shipment was last updated, as Amazon would write it."""
        return format_time(shipment["updated"])
