"""FBA inventory summaries (FBA Inventory API v1), a snapshot per marketplace.

They also name the ASINs whose catalog items `catalog_items` (its child stream) reads: once a
marketplace's pages are all read, the child syncs that marketplace from the ASINs they held, so one
read of the inventory serves both streams (and when only the catalog is selected, the inventory is
read for it, its records not emitted).

getInventorySummaries' nextToken expires 30 seconds after it is issued. Pages are requested one
after the other (the usage plan, 2 requests a second, never makes the tap wait near that long); if
a token expires all the same (a retried 5xx, a slow network), the marketplace is read again from
its first page and rows already emitted are not emitted again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import MARKETPLACE, RestStream

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

INTEGER = th.IntegerType


class InventorySummariesStream(RestStream):
    """`fba_inventory_summaries`: every FBA SKU's quantities in a marketplace, as of now."""

    name = "fba_inventory_summaries"
    primary_keys: ClassVar[list[str]] = ["marketplace_id", "seller_sku"]
    replication_key = None
    source = "FBA Inventory API v1 `getInventorySummaries`"
    operation = "getInventorySummaries"
    # The operation takes exactly one marketplace: one partition each, as report streams have.
    per_marketplace = True
    # Without startDateTime or SKUs, "all inventory summaries ... are returned" (fbaInventory model).
    whole_snapshot = True
    request_params: ClassVar[Mapping[str, Any]] = {
        "details": True,
        "granularityType": "Marketplace",
        "granularityId": MARKETPLACE,
        "marketplaceIds": [MARKETPLACE],
    }
    records_path = ("payload", "inventorySummaries")
    next_token_path = ("pagination", "nextToken")
    schema = th.PropertiesList(
        th.Property("marketplace_id", th.StringType, required=True),
        th.Property("seller_sku", th.StringType, required=True),
        th.Property("asin", th.StringType),
        th.Property("fn_sku", th.StringType),
        th.Property("condition", th.StringType),
        th.Property("product_name", th.StringType),
        th.Property("total_quantity", INTEGER),
        th.Property("last_updated_time", th.DateTimeType),
        th.Property("stores", th.ArrayType(th.StringType)),
        th.Property(
            "inventory_details",
            th.ObjectType(
                th.Property("fulfillable_quantity", INTEGER),
                th.Property("inbound_working_quantity", INTEGER),
                th.Property("inbound_shipped_quantity", INTEGER),
                th.Property("inbound_receiving_quantity", INTEGER),
                th.Property(
                    "reserved_quantity",
                    th.ObjectType(
                        th.Property("total_reserved_quantity", INTEGER),
                        th.Property("pending_customer_order_quantity", INTEGER),
                        th.Property("pending_transshipment_quantity", INTEGER),
                        th.Property("fc_processing_quantity", INTEGER),
                    ),
                ),
                th.Property(
                    "researching_quantity",
                    th.ObjectType(
                        th.Property("total_researching_quantity", INTEGER),
                        th.Property(
                            "researching_quantity_breakdown",
                            th.ArrayType(
                                th.ObjectType(th.Property("name", th.StringType), th.Property("quantity", INTEGER))
                            ),
                        ),
                    ),
                ),
                th.Property(
                    "unfulfillable_quantity",
                    th.ObjectType(
                        *(
                            th.Property(name, INTEGER)
                            for name in (
                                "total_unfulfillable_quantity",
                                "customer_damaged_quantity",
                                "warehouse_damaged_quantity",
                                "distributor_damaged_quantity",
                                "carrier_damaged_quantity",
                                "defective_quantity",
                                "expired_quantity",
                            )
                        )
                    ),
                ),
            ),
        ),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The distinct ASINs of each marketplace read, kept for the child streams that want them.
        self._asins: dict[str, list[str]] = {}

    def take_asins(self, marketplace_id: str) -> list[str] | None:
        """The distinct ASINs of a marketplace's inventory as this sync read it (None: not read)."""
        return self._asins.pop(marketplace_id, None)

    @override
    def generate_child_contexts(self, record: dict[str, Any], context: Context | None) -> Iterator[Context | None]:
        return iter(())

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        if not any(s.selected or s.has_selected_descendents for s in self.child_streams):
            yield from super().get_records(context)
            return
        asins: dict[str, None] = {}
        for record in super().get_records(context):
            if record.get("asin"):
                asins[str(record["asin"])] = None
            yield record
        self._asins[str((context or {})["marketplace_id"])] = list(asins)
        # After the last page: its token expires 30 seconds after it is issued, the catalog takes longer.
        self.sync_children_now(dict(context or {}))
