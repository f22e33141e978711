"""FBA inbound shipments and their items (Fulfillment Inbound API v0, the read operations Amazon keeps).

getShipments is asked for a DATE_RANGE per marketplace, in windows of 30 days on the shipments'
last update, with every status in `ShipmentStatusList` (Amazon refuses a DATE_RANGE query without a
status list). Its next pages carry only `QueryType=NEXT_TOKEN`, `NextToken` and `MarketplaceId`:
what Amazon accepts there (SPAPI notes, Add. §6). A shipment row has no update time of its own, so
the bookmark is the end of the last window read, and each record names it in `last_updated_before`
(the shipment was as sent at some time before it).

The items are read for each shipment emitted, with getShipmentItemsByShipmentId: a shipment's items
as they stand, all of them, whatever changed on the shipment (its status, or a receipt). That costs a
request a shipment (2 a second, a burst of 30: a few dozen shipments a month take seconds), and the
items then always belong to a shipment row. getShipmentItems DATE_RANGE would select items by their
own last update, which Amazon does not relate to the shipment's, and leave a shipment's rows without
items the window did not see change. The by-id operation takes no page token: a `NextToken` in its
answer goes on with getShipmentItems `QueryType=NEXT_TOKEN`, as it does for getShipments.

Inbound plans (2024-03-20 listInboundPlans) are not read: the plans API has no date filter (only a
sort by last update, whose `lastUpdatedAt` sellers report does not follow its shipments' changes),
its shipments appear only once a placement option is confirmed, and how its shipment ids join v0's
is not documented (SPAPI notes, Add. §6 and "Still open" 6). The shipments themselves are v0's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import MARKETPLACE, PageParent, RestStream
from tap_amazon_sp.operations import SHIPMENT_STATUSES
from tap_amazon_sp.records import format_datetime
from tap_amazon_sp.windows import CLOCK_MARGIN, WindowPlan

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# 30 days a request, as other extractors read inbound shipments (Add. §6); Amazon names no limit.
INBOUND_WINDOW = WindowPlan(cap_days=30, hold_back=CLOCK_MARGIN)

STRING = th.StringType
WINDOW_END = th.Property(
    "last_updated_before",
    th.DateTimeType,
    required=True,
    description="The end of the window (of last updates) that found the shipment: the bookmark.",
)
MONEY = th.ObjectType(th.Property("currency_code", STRING), th.Property("value", th.NumberType))
ADDRESS = th.ObjectType(
    *(
        th.Property(name, STRING)
        for name in (
            "name",
            "address_line1",
            "address_line2",
            "district_or_county",
            "city",
            "state_or_province_code",
            "country_code",
            "postal_code",
        )
    )
)


class _InboundStream(RestStream):
    """What both inbound streams share: a marketplace a partition, exact amounts, NEXT_TOKEN pages,
    and the end of the window read in every record."""

    per_marketplace = True
    exact = True
    window = INBOUND_WINDOW
    replication_key = "last_updated_before"
    token_param = "NextToken"
    next_token_path = ("payload", "NextToken")
    # The end of the window being read, which every record names.
    _window_end: datetime | None = None

    @override
    def next_page_params(self, params: Mapping[str, Any], token: str) -> dict[str, Any]:
        # Amazon refuses a next page that repeats the first request's filters.
        return {"QueryType": "NEXT_TOKEN", "NextToken": token, "MarketplaceId": params["MarketplaceId"]}

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        data = super().record(item, context)
        assert self._window_end is not None
        data["last_updated_before"] = format_datetime(self._window_end)
        return data


class InboundShipmentsStream(PageParent, _InboundStream):
    """`fba_inbound_shipments`: one record per inbound shipment to Amazon's fulfillment centers, as it
    stands, read again in each window in which it was updated."""

    name = "fba_inbound_shipments"
    primary_keys: ClassVar[list[str]] = ["shipment_id"]
    source = "Fulfillment Inbound API v0 `getShipments` (DATE_RANGE, every status)"
    operation = "getShipments"
    request_params: ClassVar[Mapping[str, Any]] = {
        "QueryType": "DATE_RANGE",
        "ShipmentStatusList": SHIPMENT_STATUSES,
        "MarketplaceId": MARKETPLACE,
    }
    window_bounds = ("LastUpdatedAfter", "LastUpdatedBefore")
    records_path = ("payload", "ShipmentData")
    schema = th.PropertiesList(
        th.Property("shipment_id", STRING, required=True, description="The FBA… id printed on its labels."),
        th.Property("marketplace_id", STRING, required=True, description="The marketplace it was asked for in."),
        WINDOW_END,
        th.Property("shipment_name", STRING),
        th.Property("shipment_status", STRING, description="WORKING, SHIPPED, RECEIVING, CLOSED, ..."),
        th.Property("ship_from_address", ADDRESS, description="The seller's return address."),
        th.Property("destination_fulfillment_center_id", STRING),
        th.Property("label_prep_type", STRING),
        th.Property("are_cases_required", th.BooleanType),
        th.Property("confirmed_need_by_date", th.DateType),
        th.Property("box_contents_source", STRING),
        th.Property(
            "estimated_box_contents_fee",
            th.ObjectType(
                th.Property("total_units", th.IntegerType),
                th.Property("fee_per_unit", MONEY),
                th.Property("total_fee", MONEY),
            ),
            description="Amazon's manual processing fee, when the boxes' contents were not sent (NONE).",
        ),
    ).to_dict()

    # Each shipment is emitted once a sync (by `record_key`): one updated on a window's edge is in
    # both windows (the bounds are inclusive), one asked for in two marketplaces is in both answers.
    child_name = "fba_inbound_shipment_items"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[str] = []

    @override
    def keep_page(self, fresh: list[dict[str, Any]]) -> None:
        # The items of this page's shipments are read once its last shipment was emitted.
        if self.child.selected:
            self._pending = [record["shipment_id"] for record in fresh]
        super().keep_page(fresh)

    def take_shipments(self) -> tuple[list[str], datetime]:
        """The shipments whose items the child stream reads now (and no longer waiting), and the
        window that found them."""
        pending, self._pending = self._pending, []
        assert self._window_end is not None
        return pending, self._window_end

    @override
    def page_context(self, record: dict[str, Any]) -> Context | None:
        return (
            {"marketplace_id": record["marketplace_id"], "shipments_page": record["shipment_id"]}
            if self._pending
            else None
        )

    @override
    def window_params(self, start: datetime, end: datetime) -> dict[str, Any]:
        # Asked for just before the window is read: its end is what its records name.
        self._window_end = end
        return super().window_params(start, end)


class InboundShipmentItemsStream(_InboundStream):
    """`fba_inbound_shipment_items`: one record per SKU of each inbound shipment the shipments stream
    found, with its quantities shipped and received."""

    name = "fba_inbound_shipment_items"
    primary_keys: ClassVar[list[str]] = ["shipment_id", "seller_sku"]
    source = "Fulfillment Inbound API v0 `getShipmentItemsByShipmentId` (each shipment found)"
    operation = "getShipmentItemsByShipmentId"
    parent_stream_type = InboundShipmentsStream
    # One bookmark a marketplace, not one a page of the parent.
    state_partitioning_keys: ClassVar[list[str]] = ["marketplace_id"]
    records_path = ("payload", "ItemData")
    schema = th.PropertiesList(
        th.Property("shipment_id", STRING, required=True),
        th.Property("seller_sku", STRING, required=True),
        th.Property("marketplace_id", STRING, required=True),
        WINDOW_END,
        th.Property("fulfillment_network_sku", STRING, description="The FNSKU."),
        th.Property("quantity_shipped", th.IntegerType),
        th.Property("quantity_received", th.IntegerType),
        th.Property("quantity_in_case", th.IntegerType),
        th.Property("release_date", th.DateType, description="A pre-order item's release date."),
        th.Property(
            "prep_details_list",
            th.ArrayType(th.ObjectType(th.Property("prep_instruction", STRING), th.Property("prep_owner", STRING))),
        ),
    ).to_dict()

    @override
    def request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if "NextToken" in params:
            return self.runtime.client.call("getShipmentItems", params=params)
        # The by-id operation's MarketplaceId is "Deprecated. Do not use." (the model): kept for the next pages only.
        return self.runtime.client.call(self.operation, path_params={"shipmentId": params["shipmentId"]})

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        parent = self.tap.streams[InboundShipmentsStream.name]
        assert isinstance(parent, InboundShipmentsStream)
        marketplace_id = str((context or {})["marketplace_id"])
        shipments, self._window_end = parent.take_shipments()
        for shipment_id in shipments:
            yield from self.read_chain({"shipmentId": shipment_id, "MarketplaceId": marketplace_id}, context)
