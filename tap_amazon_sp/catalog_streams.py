"""Catalog items (Catalog Items API 2022-04-01) of the ASINs a seller has in FBA inventory.

The ASINs are those getInventorySummaries lists in each marketplace (FBA Inventory API, 50 SKUs a
page at 2 requests a second): this stream is the child of `fba_inventory_summaries`, synced with
the ASINs of each marketplace once its pages are read, whether the inventory is selected or not.
The listings report (GET_MERCHANT_LISTINGS_ALL_DATA) would add merchant-fulfilled ASINs, but it
costs a createReport (one a minute past the burst, shared with every report stream) and minutes of
processing, for a list the inventory gives in seconds without a report slot.

searchCatalogItems takes one marketplace and at most 20 identifiers a request, at 2 requests a
second with a burst of 2 (catalogItems_2022-04-01 model): the ASINs due are asked for 20 at a
time, with a page size of 20 so that one page holds the 20 items (the default, 10, would page).
Amazon refuses a whole request for one ASIN it refuses, without naming it: such a request is
halved down to that ASIN (`read_batch`), and what is not an ASIN at all is never sent.

Each ASIN is read at most once per `catalog_refresh_days`. The marketplace's partition state keeps
the ASINs read under the start of the sync that read them, `asins_refreshed`:
{"2026-12-04T01:00:00+00:00": ["B0...", ...]}, about 14 bytes an ASIN: 100,000 ASINs in a
marketplace are some 1.4 MB of state, which every STATE message of the sync carries (a Singer
state is whole). ASINs read are added to the state as their items are emitted; a STATE message is
written every `FLUSH_EVERY` requests and when the marketplace is done (or a request fails), and at
the end the groups are rewritten, each ASIN under its last read only, those no longer in the
inventory dropped. An ASIN Amazon has no item for counts as read: it is asked for again only when
it is due again. An app without the Product Listing role stops this stream only, in one line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import MARKETPLACE, RestStream
from tap_amazon_sp.errors import APIError, AuthError
from tap_amazon_sp.inventory_streams import InventorySummariesStream
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.paging import merged
from tap_amazon_sp.records import format_datetime, parse_datetime, snake_keys
from tap_amazon_sp.state_input import REFRESHED

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# What Amazon's catalog takes as an ASIN (ten characters: an ISBN-10, or a letter and nine more),
# as Amazon's support gives it (GH: amzn/selling-partner-api-docs#2543).
ASIN = re.compile(r"[0-9]{9}[0-9X]|[A-Z][A-Z0-9]{9}")
# searchCatalogItems' most identifiers a request, and its largest page (model).
IDENTIFIERS_PER_REQUEST = 20
# Less than this before N days still counts as N days: a sync scheduled every N days starts a few
# seconds early or late, and an ASIN read by the last one is due in this one.
SCHEDULE_SLACK = timedelta(hours=1)
# A STATE message every this many catalog requests (1,000 ASINs, some 25 s at 2 a second): each one
# carries the whole state, so not one per request.
FLUSH_EVERY = 50
# Every part of an item the operation offers (its row's includedData values) but `classifications`
# (the summary's browse node is the main one) and `vendorDetails` (vendors only): the request costs
# the same whatever it includes.
_LEFT_OUT = {"classifications", "vendorDetails"}
INCLUDED_DATA = tuple(
    part
    for param in OPERATIONS["searchCatalogItems"].params
    if param.name == "includedData"
    for part in param.enum
    if part not in _LEFT_OUT
)

STRING = th.StringType
RANK = (th.Property("title", STRING), th.Property("link", STRING), th.Property("rank", th.IntegerType))
DIMENSION = th.ObjectType(th.Property("unit", STRING), th.Property("value", th.NumberType))
DIMENSIONS = th.ObjectType(*(th.Property(name, DIMENSION) for name in ("height", "length", "weight", "width")))
# ItemSummaryByMarketplace's fields, beside the ASIN (the marketplace is the partition's).
SUMMARY = (
    th.Property("item_name", STRING),
    th.Property("brand", STRING),
    th.Property("manufacturer", STRING),
    th.Property("model_number", STRING),
    th.Property("part_number", STRING),
    th.Property("color", STRING),
    th.Property("size", STRING),
    th.Property("style", STRING),
    th.Property("item_classification", STRING, description="BASE_PRODUCT, OTHER, PRODUCT_BUNDLE or VARIATION_PARENT."),
    th.Property("package_quantity", th.IntegerType),
    th.Property("release_date", th.DateType),
    th.Property("website_display_group", STRING),
    th.Property("website_display_group_name", STRING),
    th.Property(
        "browse_classification",
        th.ObjectType(th.Property("display_name", STRING), th.Property("classification_id", STRING)),
        description="The item's browse node (its parents, which Amazon nests, are left out).",
    ),
    th.Property(
        "contributors",
        th.ArrayType(
            th.ObjectType(
                th.Property("role", th.ObjectType(th.Property("display_name", STRING), th.Property("value", STRING))),
                th.Property("value", STRING),
            )
        ),
    ),
    th.Property("adult_product", th.BooleanType),
    th.Property("autographed", th.BooleanType),
    th.Property("memorabilia", th.BooleanType),
    th.Property("trade_in_eligible", th.BooleanType),
)


CATALOG_ITEM = th.PropertiesList(
    th.Property("marketplace_id", STRING, required=True),
    th.Property("asin", STRING, required=True),
    th.Property("refreshed_at", th.DateTimeType, description="The start of the sync that read the item from Amazon."),
    *SUMMARY,
    th.Property("product_type", STRING, description="Amazon's product type (its attributes follow it)."),
    th.Property(
        "identifiers",
        th.ArrayType(th.ObjectType(th.Property("identifier_type", STRING), th.Property("identifier", STRING))),
        description="EAN, UPC, GTIN, ISBN, JAN... of the item.",
    ),
    th.Property(
        "classification_ranks",
        th.ArrayType(th.ObjectType(th.Property("classification_id", STRING), *RANK)),
        description="Sales ranks in browse classifications.",
    ),
    th.Property(
        "display_group_ranks",
        th.ArrayType(th.ObjectType(th.Property("website_display_group", STRING), *RANK)),
        description="Sales ranks in website display groups (the top-level rank).",
    ),
    th.Property("item_dimensions", DIMENSIONS),
    th.Property("package_dimensions", DIMENSIONS),
    th.Property(
        "images",
        th.ArrayType(
            th.ObjectType(
                th.Property("variant", STRING),
                th.Property("link", STRING),
                th.Property("height", th.IntegerType),
                th.Property("width", th.IntegerType),
            )
        ),
    ),
    th.Property(
        "relationships",
        th.ArrayType(
            th.ObjectType(
                th.Property("type", STRING, description="VARIATION or PACKAGE_HIERARCHY."),
                th.Property("parent_asins", th.ArrayType(STRING)),
                th.Property("child_asins", th.ArrayType(STRING)),
                th.Property(
                    "variation_theme",
                    th.ObjectType(th.Property("theme", STRING), th.Property("attributes", th.ArrayType(STRING))),
                ),
            )
        ),
    ),
    th.Property(
        "attributes",
        th.ObjectType(additional_properties=True),
        description="Amazon's attributes of the item as sent (keyed by attribute name, per its product type): "
        "bullet points, list price, materials...",
    ),
)


class CatalogItemsStream(RestStream):
    """`catalog_items`: one record per ASIN in FBA inventory and marketplace, its catalog details and
    sales ranks, read again once `catalog_refresh_days` have passed."""

    name = "catalog_items"
    primary_keys: ClassVar[list[str]] = ["marketplace_id", "asin"]
    replication_key = None
    source = "Catalog Items API 2022-04-01 `searchCatalogItems` (the ASINs of FBA Inventory `getInventorySummaries`)"
    operation = "searchCatalogItems"
    per_marketplace = True
    # It needs the Product Listing role, which apps made for reports and orders often lack: a sync
    # reads it only when it is selected.
    selected_by_default = False
    # Synced by the inventory stream once a marketplace's inventory is read (inventory_streams.py).
    parent_stream_type = InventorySummariesStream
    request_params: ClassVar[Mapping[str, Any]] = {
        "marketplaceIds": [MARKETPLACE],
        "identifiersType": "ASIN",
        "includedData": list(INCLUDED_DATA),
        "pageSize": IDENTIFIERS_PER_REQUEST,
    }
    token_param = "pageToken"
    next_token_path = ("pagination", "nextToken")
    records_path = ("items",)
    schema = CATALOG_ITEM.to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every ASIN read in this sync is read as of its start: one group in the state per sync.
        self.began = datetime.now(timezone.utc).replace(microsecond=0)
        # Whether Amazon refused the app the API (no marketplace is asked again).
        self._refused = False

    @property
    def inventory(self) -> InventorySummariesStream:
        stream = self.tap.streams[InventorySummariesStream.name]
        assert isinstance(stream, InventorySummariesStream)
        return stream

    def listed_asins(self, context: Context | None) -> list[str]:
        """The distinct ASINs of the marketplace's FBA inventory, in Amazon's order, as the parent
        stream just read them."""
        taken = self.inventory.take_asins(str((context or {})["marketplace_id"]))
        # Never an empty list instead: it would drop every ASIN from the state.
        assert taken is not None, "catalog_items is synced by fba_inventory_summaries, after its pages"
        return taken

    def due(self, refreshed: datetime | None) -> bool:
        """Whether an ASIN last read at `refreshed` (None: never) is read in this sync."""
        if refreshed is None or refreshed > self.began:
            # Read after this sync began: the state was edited or written by a clock ahead of this
            # one; trusting it would leave the ASIN unread until that moment comes.
            return True
        return refreshed <= self.began - timedelta(days=self.settings.catalog_refresh_days) + SCHEDULE_SLACK

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        marketplace_id = str((context or {})["marketplace_id"])

        def mine(key: str) -> dict[str, Any]:
            # Each part of an item is a list by marketplace; one marketplace was asked for.
            entries = item.get(key) or []
            found = next((e for e in entries if isinstance(e, dict) and e.get("marketplaceId") == marketplace_id), {})
            data: dict[str, Any] = snake_keys(found)
            data.pop("marketplace_id", None)
            return data

        summary = mine("summaries")
        browse = summary.get("browse_classification")
        if isinstance(browse, dict):
            summary["browse_classification"] = {k: browse.get(k) for k in ("display_name", "classification_id")}
        ranks = mine("salesRanks")
        dimensions = mine("dimensions")
        return {
            **summary,
            "marketplace_id": marketplace_id,
            "asin": item.get("asin"),
            "refreshed_at": format_datetime(self.began),
            "product_type": mine("productTypes").get("product_type"),
            "identifiers": mine("identifiers").get("identifiers"),
            "classification_ranks": ranks.get("classification_ranks"),
            "display_group_ranks": ranks.get("display_group_ranks"),
            "item_dimensions": dimensions.get("item"),
            "package_dimensions": dimensions.get("package"),
            "images": mine("images").get("images"),
            "relationships": mine("relationships").get("relationships"),
            # Amazon's attribute names and their values, as sent: they differ by product type.
            "attributes": item.get("attributes"),
        }

    def read_batch(
        self, base: Mapping[str, Any], batch: list[str], context: Context | None, seen: set[tuple[Any, ...]]
    ) -> Iterator[dict[str, Any]]:
        """The items of a batch of ASINs. Amazon refuses a whole request for one ASIN it refuses
        (400 "Invalid 'asin' provided."), without naming it: the batch is then asked for in halves,
        down to that ASIN, which is left out (with a warning) until it is due again."""
        try:
            yield from self.read_chain(merged(base, {"identifiers": batch}), context, seen=seen)
        except APIError as exc:
            if exc.status != 400 or exc.code != "InvalidInput":
                raise
            if len(batch) == 1:
                self.logger.warning(
                    "%s %s: Amazon refuses ASIN %s (%s): left out until it is due again",
                    self.name,
                    (context or {}).get("marketplace_id"),
                    batch[0],
                    exc,
                )
                return
            half = len(batch) // 2
            yield from self.read_batch(base, batch[:half], context, seen)
            yield from self.read_batch(base, batch[half:], context, seen)

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        if self._refused:
            return
        state = self.get_context_state(context)
        refreshed = read_refreshed(state.get(REFRESHED))
        where = f"{self.name} {(context or {}).get('marketplace_id')}"
        listed = self.listed_asins(context)
        malformed = [asin for asin in listed if not ASIN.fullmatch(asin)]
        if malformed:
            # One such ASIN would make Amazon refuse its whole request.
            self.logger.warning(
                "%s: %d ASINs of the inventory are not ASINs the catalog takes (%s): left out",
                where,
                len(malformed),
                ", ".join(repr(asin) for asin in malformed[:5]),
            )
            listed = [asin for asin in listed if ASIN.fullmatch(asin)]
        due = [asin for asin in listed if self.due(refreshed.get(asin))]
        ahead = sorted({format_datetime(refreshed[a]) for a in listed if a in refreshed and refreshed[a] > self.began})
        if ahead:
            self.logger.warning(
                "%s: the state says some ASINs were read at %s, after this sync began: they are read again",
                where,
                ", ".join(ahead[:3]),
            )
        self.logger.info(
            "%s: %d ASINs in FBA inventory, %d to read (the others were read in the last %d days)",
            where,
            len(listed),
            len(due),
            self.settings.catalog_refresh_days,
        )
        groups: dict[str, list[str]] = state.setdefault(REFRESHED, {})
        this_sync = groups.setdefault(format_datetime(self.began), [])
        base = self.base_params(context)
        seen: set[tuple[Any, ...]] = set()
        requests = 0
        try:
            for start in range(0, len(due), IDENTIFIERS_PER_REQUEST):
                batch = due[start : start + IDENTIFIERS_PER_REQUEST]
                yield from self.read_batch(base, batch, context, seen)
                # Their items are emitted (or Amazon has none): in the state, for any STATE message.
                this_sync.extend(batch)
                requests += 1
                if requests % FLUSH_EVERY == 0:
                    self.flush_state()
        except AuthError as exc:
            self.flush_state()
            self._refused = True
            self.stop_without_role(exc, f"Amazon refused {self.operation}", "the ASINs read so far stay read")
            return
        except Exception:
            # What was read stays read: the next sync asks for the rest only.
            self.flush_state()
            raise
        for asin in due:
            refreshed[asin] = self.began
        # Each ASIN under its last read only, and those no longer in the inventory left out.
        state[REFRESHED] = write_refreshed({asin: refreshed[asin] for asin in listed if asin in refreshed})
        self.flush_state()
        missing = len(due) - len(seen)
        if missing > 0:
            self.logger.info("%s: Amazon's catalog has no item for %d of the ASINs read", where, missing)
        self.runtime.client.progress.window(self.name)

    @override
    def probe(self) -> dict[str, Any] | None:
        # One ASIN of the first marketplace's first inventory page, or a keyword search without any.
        context = {"marketplace_id": self.settings.marketplace_ids[0]}
        page = self.inventory.request(merged(self.inventory.base_params(context), {"details": False}))
        rows = (page.get("payload") or {}).get("inventorySummaries") or []
        asin = next((row["asin"] for row in rows if isinstance(row, dict) and row.get("asin")), None)
        params = self.base_params(context)
        if asin is None:
            params = {k: v for k, v in params.items() if k != "identifiersType"} | {"keywords": ["a"]}
        else:
            params["identifiers"] = [asin]
        return self.request(params)


def read_refreshed(groups: Any) -> dict[str, datetime]:
    """When each ASIN was last read, from the state's groups (an ASIN in several: the latest)."""
    refreshed: dict[str, datetime] = {}
    for moment, asins in (groups or {}).items():
        when = parse_datetime(moment)
        for asin in asins:
            if asin not in refreshed or when > refreshed[asin]:
                refreshed[asin] = when
    return refreshed


def write_refreshed(refreshed: Mapping[str, datetime]) -> dict[str, list[str]]:
    """The state's groups: the ASINs read, under the start of the sync that read them."""
    groups: dict[str, list[str]] = {}
    for asin, when in refreshed.items():
        groups.setdefault(format_datetime(when), []).append(asin)
    return dict(sorted(groups.items()))
