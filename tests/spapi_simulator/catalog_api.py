"""Catalog Items 2022-04-01 searchCatalogItems: an item for (almost) every ASIN, by marketplace.

What Amazon refuses is refused with 400 InvalidInput: identifiers and keywords together, neither,
identifiers without identifiersType, SKUs without sellerId, a request naming one ASIN Amazon
refuses, or one that is not an ASIN, as a whole (the table's checks, done before this
answer, refuse more than 20 identifiers, more than one marketplace and a page over 20). Items come
in the order of the identifiers, `pageSize` a page (default 10), with only the parts named in
`includedData` (default summaries). About one ASIN in twelve has no item in a marketplace, as an
ASIN Amazon suppressed. Keyword searches find nothing: the simulator's catalog knows ASINs only.
"""

from __future__ import annotations

import random
import re
from typing import Any

from .paging import Query, fingerprint, first, page_slice
from .rendering import MARKETPLACES
from .reports import ApiError
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["CatalogApi"]

DEFAULT_PAGE = 10
ASIN = re.compile(r"[0-9]{9}[0-9X]|[A-Z][A-Z0-9]{9}")
DEFAULT_DATA = ("summaries",)
COLORS = ("Black", "White", "Blue", "Red")
GROUPS = (
    ("home_display_on_website", "Home"),
    ("kitchen_display_on_website", "Kitchen"),
    ("toy_display_on_website", "Toys"),
)
LANGUAGE = {"en": "en_US", "eu": "de_DE", "ja": "ja_JP"}


def _refused(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message, violation=True)


def _values(query: Query, name: str) -> list[str]:
    raw = first(query, name)
    return [v for v in raw.split(",") if v] if raw else []


@simulated("catalog")
class CatalogApi:
    """Amazon's catalog, as far as the seller's ASINs go."""

    def __init__(self, world: World) -> None:
        self.seed = world.seed
        self.pager = world.pager
        # After this many answers, every searchCatalogItems answers 503 (Amazon down mid-sync).
        self.break_after: int | None = None
        self.answered = 0
        # Fewer items a page than asked for, as an answer Amazon pages anyway.
        self.page_size: int | None = None
        # ASINs Amazon refuses, and with them the whole request that names one.
        self.refused_asins: set[str] = set()

    def reset(self) -> None:
        self.break_after = None
        self.answered = 0
        self.page_size = None
        self.refused_asins = set()

    def item(self, asin: str, marketplace_id: str) -> dict[str, Any] | None:
        """The whole item of an ASIN in a marketplace (every part), or None when it has none."""
        rng = random.Random(f"{self.seed}:catalog:{marketplace_id}:{asin}")
        if rng.randrange(12) == 0:
            return None
        m = MARKETPLACES[marketplace_id]
        mp = {"marketplaceId": marketplace_id}
        tag = {"language_tag": LANGUAGE[m.family], "marketplace_id": marketplace_id}
        brand = f"Brand {rng.randrange(1, 9)}"
        name = f"{brand} {rng.choice(('Mug', 'Kettle', 'Lamp', 'Puzzle'))} {asin[-4:]}"
        group, group_name = rng.choice(GROUPS)
        node = str(rng.randrange(10**6, 10**7))
        color = rng.choice(COLORS)
        side = round(rng.uniform(5, 40), 2)
        size = {"unit": "centimeters", "value": side}
        relationships: list[dict[str, Any]] = []
        if rng.randrange(3) == 0:
            relationships.append(
                {
                    "type": "VARIATION",
                    "parentAsins": [f"B0P{asin[3:]}"],
                    "variationTheme": {"attributes": ["color"], "theme": "COLOR"},
                }
            )
        return {
            "asin": asin,
            "attributes": {
                "item_name": [{"value": name, **tag}],
                "brand": [{"value": brand, **tag}],
                "bullet_point": [{"value": f"Point {n} of {name}", **tag} for n in range(rng.randrange(1, 4))],
                "list_price": [
                    {"currency": m.currency, "value": round(rng.uniform(5, 200), 2), "marketplace_id": marketplace_id}
                ],
                "item_package_weight": [
                    {"unit": "kilograms", "value": round(rng.uniform(0.1, 5), 3), "marketplace_id": marketplace_id}
                ],
            },
            "dimensions": [
                {
                    **mp,
                    "item": {k: dict(size) for k in ("height", "length", "width")}
                    | {"weight": {"unit": "kilograms", "value": round(rng.uniform(0.1, 4), 3)}},
                    "package": {"height": {"unit": "centimeters", "value": side + 2}},
                }
            ],
            "identifiers": [
                {**mp, "identifiers": [{"identifierType": "EAN", "identifier": f"40{rng.randrange(10**10, 10**11)}"}]}
            ],
            "images": [
                {
                    **mp,
                    "images": [
                        {
                            "variant": "MAIN",
                            "link": f"https://m.media-amazon.com/images/I/{asin}.jpg",
                            "height": 500,
                            "width": 500,
                        }
                    ],
                }
            ],
            "productTypes": [{**mp, "productType": "HOME"}],
            "relationships": [{**mp, "relationships": relationships}],
            "salesRanks": [
                {
                    **mp,
                    "classificationRanks": [
                        {
                            "classificationId": node,
                            "title": f"Category {node}",
                            "link": f"https://www.{m.domain}/gp/bestsellers/{node}",
                            "rank": rng.randrange(1, 5000),
                        }
                    ],
                    "displayGroupRanks": [
                        {"websiteDisplayGroup": group, "title": group_name, "rank": rng.randrange(1, 200_000)}
                    ],
                }
            ],
            "summaries": [
                {
                    **mp,
                    "adultProduct": False,
                    "autographed": False,
                    "brand": brand,
                    "browseClassification": {
                        "displayName": f"Category {node}",
                        "classificationId": node,
                        "parent": {"displayName": group_name, "classificationId": "1"},
                    },
                    "color": color,
                    "contributors": [
                        {"role": {"displayName": "Manufacturer", "value": "manufacturer"}, "value": brand}
                    ],
                    "itemClassification": "BASE_PRODUCT",
                    "itemName": name,
                    "manufacturer": f"{brand} Ltd",
                    "memorabilia": False,
                    "modelNumber": f"M-{asin[-5:]}",
                    "packageQuantity": rng.randrange(1, 4),
                    "partNumber": f"P-{asin[-5:]}",
                    "releaseDate": f"202{rng.randrange(0, 5)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}",
                    "size": "One size",
                    "style": "Modern",
                    "tradeInEligible": rng.randrange(2) == 0,
                    "websiteDisplayGroup": group,
                    "websiteDisplayGroupName": group_name,
                }
            ],
        }

    @answers("searchCatalogItems")
    def search_catalog_items(self, query: Query) -> dict[str, Any]:
        if self.break_after is not None and self.answered >= self.break_after:
            raise ApiError(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.")
        self.answered += 1
        marketplace_id = first(query, "marketplaceIds") or ""
        if marketplace_id not in MARKETPLACES:
            raise _refused(f"Invalid marketplaceIds: {marketplace_id}.")
        identifiers, keywords = _values(query, "identifiers"), _values(query, "keywords")
        if identifiers and keywords:
            raise _refused("Cannot use identifiers and keywords in the same request.")
        if not identifiers and not keywords:
            raise _refused("Either identifiers or keywords must be provided.")
        kind = first(query, "identifiersType")
        if identifiers and kind is None:
            raise _refused("identifiersType is required when identifiers are provided.")
        if kind == "SKU" and first(query, "sellerId") is None:
            raise _refused("sellerId is required when identifiersType is SKU.")
        if kind == "ASIN":
            # Amazon refuses the whole request, without saying which (GH: amzn/selling-partner-api-docs#2543).
            if any(not ASIN.fullmatch(asin) for asin in identifiers):
                raise _refused("Invalid 'asin' provided.")
            if self.refused_asins.intersection(identifiers):
                raise ApiError(400, "InvalidInput", "Invalid 'asin' provided.")
        included = _values(query, "includedData") or list(DEFAULT_DATA)
        found = [] if keywords or kind != "ASIN" else [self.item(asin, marketplace_id) for asin in identifiers]
        items = [{k: v for k, v in item.items() if k == "asin" or k in included} for item in found if item is not None]
        key = fingerprint(query, ("pageToken",))
        token = first(query, "pageToken")
        offset = self.pager.redeem("searchCatalogItems", token, key, None)[0] if token else 0
        size = int(first(query, "pageSize") or DEFAULT_PAGE)
        size = min(size, self.page_size or size)
        chunk, after = page_slice(items, offset, size)
        body: dict[str, Any] = {"numberOfResults": len(items), "items": chunk}
        pagination = {}
        if after is not None:
            pagination["nextToken"] = self.pager.issue("searchCatalogItems", key, after)
        if offset:
            pagination["previousToken"] = self.pager.issue("searchCatalogItems", key, max(0, offset - size))
        if pagination:
            body["pagination"] = pagination
        return body

    def expected(self, marketplace_id: str, asins: list[str], refreshed_at: str) -> list[dict[str, Any]]:
        """The `catalog_items` records of these ASINs in a marketplace, read by a sync begun at `refreshed_at`."""
        records = []
        for asin in dict.fromkeys(asins):
            item = self.item(asin, marketplace_id)
            if item is None:
                continue
            part = {key: tap_form(entries[0]) for key, entries in item.items() if isinstance(entries, list)}
            summary = {k: v for k, v in part["summaries"].items() if k != "marketplace_id"}
            summary["browse_classification"].pop("parent")
            records.append(
                {
                    **summary,
                    "marketplace_id": marketplace_id,
                    "asin": asin,
                    "refreshed_at": refreshed_at,
                    "product_type": part["productTypes"]["product_type"],
                    "identifiers": part["identifiers"]["identifiers"],
                    "classification_ranks": part["salesRanks"]["classification_ranks"],
                    "display_group_ranks": part["salesRanks"]["display_group_ranks"],
                    "item_dimensions": part["dimensions"]["item"],
                    "package_dimensions": part["dimensions"]["package"],
                    "images": part["images"]["images"],
                    "relationships": part["relationships"]["relationships"],
                    "attributes": tap_form(item["attributes"]),
                }
            )
        return records
