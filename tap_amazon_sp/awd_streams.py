"""Amazon Warehousing and Distribution (AWD API 2024-05-09): the seller's stock in AWD's warehouses
and the shipments into them.

AWD is US only, served by the NA host (SPAPI notes, Add. §6): in another region the streams are not
offered (discovery.py says so in one line when a catalog names them). Neither operation takes a
marketplace: one request chain covers the account. A next page repeats the first page's arguments,
as Amazon asks, and a page can be empty and still carry a token: tokens are followed until there is
none (paging.py does).

Both streams need the Amazon Warehousing and Distribution role, which only sellers who use AWD
have: they are synced when selected, and an app without the role (Amazon answers 403) stops each of
them in one line naming it while the other streams go on; the sync then fails with that line, as
for a report that ends FATAL.

`awd_inbound_shipments` lists the shipments updated in each window (listInboundShipments, by
`updatedAt`, one request a second), then reads each one with getInboundShipment (`skuQuantities=SHOW`,
two a second): the list holds ids and statuses only, the record holds the addresses, the cases and
pallets, the carrier and each SKU's expected and received quantities. The bookmark is the end of the
last window read; the bounds are inclusive, so a shipment updated on a window's edge is read once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import RestStream
from tap_amazon_sp.errors import AuthError
from tap_amazon_sp.records import exact_numbers, snake_keys
from tap_amazon_sp.windows import CLOCK_MARGIN, WindowPlan

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# Amazon names no limit on the window; 90 days keeps each one's list short and its bookmark moving.
AWD_WINDOW = WindowPlan(cap_days=90, hold_back=CLOCK_MARGIN)
PAGE = 200

STRING = th.StringType
INTEGER = th.IntegerType
QUANTITY = th.ObjectType(th.Property("quantity", th.NumberType), th.Property("unit_of_measurement", STRING))
ADDRESS = th.ObjectType(
    *(
        th.Property(name, STRING)
        for name in (
            "name",
            "address_line1",
            "address_line2",
            "address_line3",
            "city",
            "county",
            "district",
            "state_or_region",
            "postal_code",
            "country_code",
            "phone_number",
        )
    )
)
_PREP_DETAILS = th.ObjectType(
    th.Property("label_owner", STRING),
    th.Property("prep_category", STRING),
    th.Property(
        "prep_instructions",
        th.ArrayType(th.ObjectType(th.Property("prep_owner", STRING), th.Property("prep_type", STRING))),
    ),
    th.Property("prep_owner", STRING),
)
_PRODUCT = th.ObjectType(
    th.Property("sku", STRING),
    th.Property("quantity", INTEGER),
    th.Property("expiration", th.DateTimeType),
    th.Property("attributes", th.ArrayType(th.ObjectType(th.Property("name", STRING), th.Property("value", STRING)))),
    th.Property("prep_details", _PREP_DETAILS),
)
_MEASURE = (th.Property("unit_of_measurement", STRING),)
_MEASUREMENTS = th.ObjectType(
    th.Property(
        "dimensions",
        th.ObjectType(*(th.Property(n, th.NumberType) for n in ("height", "length", "width")), *_MEASURE),
    ),
    th.Property("volume", th.ObjectType(th.Property("volume", th.NumberType), *_MEASURE)),
    th.Property("weight", th.ObjectType(th.Property("weight", th.NumberType), *_MEASURE)),
)
# A case or pallet, and what it holds: products, or packages of them (kept as Amazon nests them).
_PACKAGE = th.ObjectType(
    th.Property(
        "contents",
        th.ObjectType(
            th.Property("packages", th.ArrayType(th.ObjectType(additional_properties=True))),
            th.Property("products", th.ArrayType(_PRODUCT)),
        ),
    ),
    th.Property("measurements", _MEASUREMENTS),
    th.Property("type", STRING, description="CASE or PALLET."),
)


class _AwdStream(RestStream):
    """What both AWD streams share: the NA host, synced when selected, a missing role stopping only
    the stream."""

    regions: ClassVar[tuple[str, ...]] = ("NA",)
    selected_by_default = False
    exact = True

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        try:
            yield from super().get_records(context)
        except AuthError as exc:
            self.stop_without_role(exc)


class AwdInventoryStream(_AwdStream):
    """`awd_inventory`: each SKU's stock in AWD as it stands: on hand, inbound, and its details."""

    name = "awd_inventory"
    primary_keys: ClassVar[list[str]] = ["sku"]
    source = "AWD API 2024-05-09 `listInventory` (details SHOW; the NA host only)"
    operation = "listInventory"
    # Without a sku filter it lists the account's whole AWD inventory, paged until nextToken is null.
    whole_snapshot = True
    request_params: ClassVar[Mapping[str, Any]] = {"details": "SHOW", "maxResults": PAGE}
    records_path = ("inventory",)
    next_token_path = ("nextToken",)
    schema = th.PropertiesList(
        th.Property("sku", STRING, required=True),
        th.Property("total_onhand_quantity", INTEGER),
        th.Property("total_inbound_quantity", INTEGER),
        th.Property(
            "inventory_details",
            th.ObjectType(
                th.Property("available_distributable_quantity", INTEGER),
                th.Property("replenishment_quantity", INTEGER),
                th.Property("reserved_distributable_quantity", INTEGER),
            ),
        ),
        th.Property(
            "expiration_details",
            th.ArrayType(
                th.ObjectType(th.Property("expiration", th.DateTimeType), th.Property("onhand_quantity", INTEGER))
            ),
        ),
    ).to_dict()


class AwdInboundShipmentsStream(_AwdStream):
    """`awd_inbound_shipments`: one record per shipment into AWD, as getInboundShipment shows it,
    incremental on its last update."""

    name = "awd_inbound_shipments"
    primary_keys: ClassVar[list[str]] = ["shipment_id"]
    replication_key = "updated_at"
    source = "AWD API 2024-05-09 `listInboundShipments`, then `getInboundShipment` each (the NA host only)"
    operation = "listInboundShipments"
    window = AWD_WINDOW
    request_params: ClassVar[Mapping[str, Any]] = {"sortBy": "UPDATED_AT", "sortOrder": "ASCENDING", "maxResults": PAGE}
    window_bounds = ("updatedAfter", "updatedBefore")
    records_path = ("shipments",)
    next_token_path = ("nextToken",)
    schema = th.PropertiesList(
        th.Property("shipment_id", STRING, required=True),
        th.Property("order_id", STRING, description="The AWD inbound order the shipment belongs to."),
        th.Property("shipment_status", STRING, description="CREATED, SHIPPED, IN_TRANSIT, RECEIVING, ..."),
        th.Property("created_at", th.DateTimeType),
        th.Property("updated_at", th.DateTimeType),
        th.Property("external_reference_id", STRING),
        th.Property("origin_address", ADDRESS),
        th.Property("destination_address", ADDRESS),
        th.Property("destination_region", STRING),
        th.Property("warehouse_reference_id", STRING),
        th.Property("ship_by", th.DateTimeType),
        th.Property(
            "carrier_code",
            th.ObjectType(th.Property("carrier_code_type", STRING), th.Property("carrier_code_value", STRING)),
        ),
        th.Property("tracking_id", STRING),
        th.Property(
            "shipment_container_quantities",
            th.ArrayType(th.ObjectType(th.Property("count", INTEGER), th.Property("distribution_package", _PACKAGE))),
        ),
        th.Property(
            "shipment_sku_quantities",
            th.ArrayType(
                th.ObjectType(
                    th.Property("sku", STRING),
                    th.Property("expected_quantity", QUANTITY),
                    th.Property("received_quantity", QUANTITY),
                )
            ),
        ),
        th.Property("received_quantity", th.ArrayType(QUANTITY), description="What AWD received, by unit."),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shipments read in this sync: one updated on a window's edge is listed in both windows.
        self._seen: set[str] = set()

    @override
    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        # Each shipment listed, read whole; one this sync has read already costs no second request.
        records = []
        for summary in body.get("shipments") or []:
            shipment_id = str(summary["shipmentId"])
            if shipment_id in self._seen:
                continue
            shipment = self.runtime.client.call(
                "getInboundShipment", path_params={"shipmentId": shipment_id}, params={"skuQuantities": "SHOW"}
            )
            records.append(exact_numbers(snake_keys(shipment)))
        # Marked once the page's shipments are all read: a page that fails is read whole next time.
        self._seen.update(record["shipment_id"] for record in records)
        return records
