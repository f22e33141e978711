"""FBA Inventory v1 getInventorySummaries: per-marketplace summaries, tokens that expire after 30 s.

``inventoryDetails`` is in the answer only with ``details=true``, as Amazon does.
"""

from __future__ import annotations

import random
from typing import Any

from .paging import Query, fingerprint, first, page_slice
from .rendering import MARKETPLACES
from .reports import ApiError
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["InventoryApi"]

# getInventorySummaries' nextToken lives this long (fbaInventory model).
TOKEN_TTL = 30.0
# Amazon answers 50 summaries a page.
PAGE_SIZE = 50


@simulated("inventory")
class InventoryApi:
    """The FBA inventory of every marketplace."""

    def __init__(self, world: World) -> None:
        self.seed = world.seed
        self.rows = world.rows
        self.pager = world.pager
        self._summaries: dict[str, list[dict[str, Any]]] = {}

    def summaries(self, marketplace_id: str) -> list[dict[str, Any]]:
        """Every summary of a marketplace, with details."""
        if marketplace_id not in self._summaries:
            rng = random.Random(f"{self.seed}:{self.rows}:inventory:{marketplace_id}")
            m = MARKETPLACES[marketplace_id]
            rows = []
            # Enough rows for several pages.
            for n in range(self.rows * 2):
                fulfillable = rng.randrange(0, 500)
                inbound = [rng.randrange(0, 50) for _ in range(3)]
                reserved = rng.randrange(0, 20)
                unfulfillable = rng.randrange(0, 5)
                rows.append(
                    {
                        "asin": f"B0{rng.randrange(10**7, 10**8)}",
                        "fnSku": f"X00{rng.randrange(10**6, 10**7)}",
                        "sellerSku": f"FBA-{m.code}-{n:05d}",
                        "condition": "NewItem",
                        "inventoryDetails": {
                            "fulfillableQuantity": fulfillable,
                            "inboundWorkingQuantity": inbound[0],
                            "inboundShippedQuantity": inbound[1],
                            "inboundReceivingQuantity": inbound[2],
                            "reservedQuantity": {
                                "totalReservedQuantity": reserved,
                                "pendingCustomerOrderQuantity": reserved,
                                "pendingTransshipmentQuantity": 0,
                                "fcProcessingQuantity": 0,
                            },
                            "researchingQuantity": {"totalResearchingQuantity": 0, "researchingQuantityBreakdown": []},
                            "unfulfillableQuantity": {
                                "totalUnfulfillableQuantity": unfulfillable,
                                "customerDamagedQuantity": unfulfillable,
                            },
                        },
                        "lastUpdatedTime": f"2024-06-{1 + n % 28:02d}T12:00:00Z",
                        "productName": f"Product {n}",
                        "totalQuantity": fulfillable + sum(inbound) + reserved + unfulfillable,
                        "stores": [],
                    }
                )
            self._summaries[marketplace_id] = rows
        return self._summaries[marketplace_id]

    @answers("getInventorySummaries")
    def get_inventory_summaries(self, query: Query) -> dict[str, Any]:
        marketplace_id = first(query, "marketplaceIds") or ""
        if first(query, "granularityId") != marketplace_id or marketplace_id not in MARKETPLACES:
            raise ApiError(400, "InvalidInput", "granularityId must be the requested marketplace.", violation=True)
        details = first(query, "details") == "true"
        key = fingerprint(query, ("nextToken",))
        offset = 0
        token = first(query, "nextToken")
        if token is not None:
            offset, _ = self.pager.redeem("getInventorySummaries", token, key, TOKEN_TTL)
        chunk, after = page_slice(self.summaries(marketplace_id), offset, PAGE_SIZE)
        if not details:
            chunk = [{k: v for k, v in row.items() if k != "inventoryDetails"} for row in chunk]
        body: dict[str, Any] = {
            "payload": {
                "granularity": {"granularityType": "Marketplace", "granularityId": marketplace_id},
                "inventorySummaries": chunk,
            },
        }
        if after is not None:
            body["pagination"] = {"nextToken": self.pager.issue("getInventorySummaries", key, after)}
        return body

    def expected(self, marketplace_id: str) -> list[dict[str, Any]]:
        """The `fba_inventory_summaries` records of a marketplace."""
        return [{**tap_form(row), "marketplace_id": marketplace_id} for row in self.summaries(marketplace_id)]
