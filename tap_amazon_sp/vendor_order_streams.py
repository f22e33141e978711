"""Vendor purchase orders (Vendor Orders API v1) and Direct Fulfillment orders (2021-12-28).

Amazon serves the last six months of purchase orders, in windows of at most seven days, and
answers with orders outside the window and with random `InvalidInput` refusals mid-paging (SPAPI
notes, Add. §5). So windows are seven days at most and start no earlier than six months ago, a
refused next page is asked for once more before the window is read again from its first page, and
an order met twice in one sync (same number, same change) is emitted once.

`vendor_purchase_order_items` is read from the same pages as `vendor_purchase_orders` (its child,
as `order_items` is of `orders`): the items cost no request of their own.

Direct Fulfillment orders are restricted: getOrders takes a Restricted Data Token, fetched from the
Tokens API when the stream first syncs (never for a sync that does not select it). An app without
the restricted role is refused that token: the stream stops in one line naming the role, the other
streams go on, and the sync then fails with that line, as a report that ends FATAL does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.auth import RestrictedToken
from tap_amazon_sp.client import PageParent, RestStream
from tap_amazon_sp.errors import APIError, AuthError
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.paging import dig, merged
from tap_amazon_sp.records import decimal_strings, snake_keys
from tap_amazon_sp.windows import CLOCK_MARGIN, WindowPlan, last_day_before

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# Seven days a request, the last six months only: what every vendor order operation serves.
VENDOR_WINDOW = WindowPlan(cap_days=7, hold_back=CLOCK_MARGIN, horizon_months=6)
PAGE = {"limit": 100}
# Amazon's lossless decimals in these answers: money amounts and tax rates.
DECIMALS = frozenset({"amount", "tax_rate"})

STRING = th.StringType
MONEY = (th.Property("currency_code", STRING), th.Property("amount", th.NumberType))
# Vendor Orders' money may be a price per weight unit.
COST = th.ObjectType(*MONEY, th.Property("unit_of_measure", STRING))
QUANTITY = th.ObjectType(
    th.Property("amount", th.IntegerType),
    th.Property("unit_of_measure", STRING),
    th.Property("unit_size", th.IntegerType),
)
_ADDRESS_LINES = ("name", "address_line1", "address_line2", "address_line3", "city", "county", "district")
ADDRESS = th.ObjectType(
    *(
        th.Property(name, STRING)
        for name in (*_ADDRESS_LINES, "state_or_region", "postal_code", "country_code", "phone")
    )
)
TAX_INFO = th.ObjectType(th.Property("tax_registration_type", STRING), th.Property("tax_registration_number", STRING))
PARTY = th.ObjectType(
    th.Property("party_id", STRING), th.Property("address", ADDRESS), th.Property("tax_info", TAX_INFO)
)


class _VendorStream(RestStream):
    """What every vendor order stream shares: vendor accounts, windows, decimals, first-seen records."""

    account_types: ClassVar[tuple[str, ...]] = ("Vendor",)
    window = VENDOR_WINDOW
    request_params: ClassVar[Mapping[str, Any]] = PAGE
    refused_page_tries = 2
    # The order's details, whose fields are the record's own (the order's number and state beside them).
    details_path: ClassVar[tuple[str, ...]] = ("order_details",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keys emitted in this sync: an order Amazon sends again in a later window is emitted once.
        self._seen: set[tuple[Any, ...]] = set()

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        data = decimal_strings(snake_keys(item), DECIMALS)
        details = dig(data, self.details_path) or {}
        data.pop(self.details_path[0], None)
        return {**data, **details}

    @override
    def windowed_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        return self.read_windows(context, [self], seen=self._seen)

    @override
    def record_key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        return (record.get("purchase_order_number"), record.get(str(self.replication_key)))

    @override
    def probe(self) -> dict[str, Any] | None:
        if self.time_windows(self.sync_start(None)):
            return super().probe()
        # The synced range is older than Amazon serves, so it has no window: `--test` asks for the last day.
        return self.request(
            merged(self.base_params(None), self.window_params(*last_day_before(datetime.now(timezone.utc))))
        )


ORDER_ITEM = (
    th.Property("item_sequence_number", STRING, required=True),
    th.Property("amazon_product_identifier", STRING, description="The ASIN."),
    th.Property("vendor_product_identifier", STRING),
    th.Property("ordered_quantity", QUANTITY),
    th.Property("is_back_order_allowed", th.BooleanType),
    th.Property("net_cost", COST),
    th.Property("list_price", COST),
)


class PurchaseOrdersStream(PageParent, _VendorStream):
    """`vendor_purchase_orders`: one record per purchase order, incremental on its last change."""

    name = "vendor_purchase_orders"
    primary_keys: ClassVar[list[str]] = ["purchase_order_number"]
    replication_key = "purchase_order_changed_date"
    source = "Vendor Orders API v1 `getPurchaseOrders`"
    operation = "getPurchaseOrders"
    request_params: ClassVar[Mapping[str, Any]] = {**PAGE, "includeDetails": "true"}
    window_bounds = ("changedAfter", "changedBefore")
    records_path = ("payload", "orders")
    next_token_path = ("payload", "pagination", "nextToken")
    schema = th.PropertiesList(
        th.Property("purchase_order_number", STRING, required=True),
        th.Property("purchase_order_state", STRING, description="New, Acknowledged or Closed."),
        th.Property("purchase_order_date", th.DateTimeType),
        th.Property("purchase_order_changed_date", th.DateTimeType),
        th.Property("purchase_order_state_changed_date", th.DateTimeType),
        th.Property("purchase_order_type", STRING),
        th.Property(
            "import_details",
            th.ObjectType(
                *(
                    th.Property(name, STRING)
                    for name in (
                        "method_of_payment",
                        "international_commercial_terms",
                        "port_of_delivery",
                        "import_containers",
                        "shipping_instructions",
                    )
                )
            ),
        ),
        th.Property("deal_code", STRING),
        th.Property("payment_method", STRING),
        *(th.Property(name, PARTY) for name in ("buying_party", "selling_party", "ship_to_party", "bill_to_party")),
        th.Property("ship_window", STRING, description="Amazon's interval, start--end (ISO 8601)."),
        th.Property("delivery_window", STRING, description="Amazon's interval, start--end (ISO 8601)."),
    ).to_dict()

    child_name = "vendor_purchase_order_items"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_items: dict[str, list[dict[str, Any]]] = {}
        self._pending_items: list[dict[str, Any]] = []

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        data = super().record(item, context)
        self._page_items[data["purchase_order_number"]] = data.pop("items", None) or []
        return data

    @override
    def keep_page(self, fresh: list[dict[str, Any]]) -> None:
        # The items of the orders emitted from this page go to the child stream after its last order.
        if self.child.selected:
            for order in fresh:
                added = {
                    "purchase_order_number": order["purchase_order_number"],
                    "purchase_order_changed_date": order["purchase_order_changed_date"],
                }
                self._pending_items.extend(
                    {**item, **added} for item in self._page_items[order["purchase_order_number"]]
                )
        self._page_items = {}
        super().keep_page(fresh)

    def take_items(self) -> list[dict[str, Any]]:
        """The items waiting for the child stream (and no longer waiting)."""
        items, self._pending_items = self._pending_items, []
        return items

    @override
    def page_context(self, record: dict[str, Any]) -> Context | None:
        return {"purchase_orders_page": record["purchase_order_number"]} if self._pending_items else None


class PurchaseOrderItemsStream(_VendorStream):
    """`vendor_purchase_order_items`: one record per purchase order line, from the pages of its orders."""

    name = "vendor_purchase_order_items"
    primary_keys: ClassVar[list[str]] = ["purchase_order_number", "item_sequence_number"]
    replication_key = "purchase_order_changed_date"
    source = PurchaseOrdersStream.source + " (items of each order)"
    operation = "getPurchaseOrders"
    parent_stream_type = PurchaseOrdersStream
    # Its state is one bookmark for the stream, not one per page of the parent.
    state_partitioning_keys: ClassVar[list[str]] = []
    schema = th.PropertiesList(
        th.Property("purchase_order_number", STRING, required=True),
        th.Property("purchase_order_changed_date", th.DateTimeType, description="The order's last change."),
        *ORDER_ITEM,
    ).to_dict()

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        parent = self.tap.streams[PurchaseOrdersStream.name]
        assert isinstance(parent, PurchaseOrdersStream)
        yield from map(self.complete, parent.take_items())


def _quantities(name: str, *details: str, **more: Any) -> th.ObjectType:
    """An item status's quantities: the totals (`more`), and their history in `name`, each entry
    dated and holding the `details` quantities."""
    return th.ObjectType(
        *(th.Property(key, kind) for key, kind in more.items()),
        th.Property(
            name,
            th.ArrayType(
                th.ObjectType(
                    th.Property(details[0], th.DateTimeType), *(th.Property(q, QUANTITY) for q in details[1:])
                )
            ),
        ),
    )


ITEM_STATUS = th.ObjectType(
    th.Property("item_sequence_number", STRING),
    th.Property("buyer_product_identifier", STRING, description="The ASIN."),
    th.Property("vendor_product_identifier", STRING),
    th.Property("net_cost", COST),
    th.Property("list_price", COST),
    th.Property(
        "ordered_quantity",
        _quantities(
            "ordered_quantity_details",
            "updated_date",
            "ordered_quantity",
            "cancelled_quantity",
            ordered_quantity=QUANTITY,
        ),
    ),
    th.Property(
        "acknowledgement_status",
        _quantities(
            "acknowledgement_status_details",
            "acknowledgement_date",
            "accepted_quantity",
            "rejected_quantity",
            confirmation_status=STRING,
            accepted_quantity=QUANTITY,
            rejected_quantity=QUANTITY,
        ),
    ),
    th.Property(
        "receiving_status",
        th.ObjectType(
            th.Property("receive_status", STRING),
            th.Property("received_quantity", QUANTITY),
            th.Property("last_receive_date", th.DateTimeType),
        ),
    ),
)


class PurchaseOrderStatusStream(_VendorStream):
    """`vendor_purchase_order_status`: each purchase order's confirmation and receipt, per item,
    incremental on its last update."""

    name = "vendor_purchase_order_status"
    primary_keys: ClassVar[list[str]] = ["purchase_order_number"]
    replication_key = "last_updated_date"
    source = "Vendor Orders API v1 `getPurchaseOrdersStatus`"
    operation = "getPurchaseOrdersStatus"
    window_bounds = ("updatedAfter", "updatedBefore")
    records_path = ("payload", "ordersStatus")
    next_token_path = ("payload", "pagination", "nextToken")
    schema = th.PropertiesList(
        th.Property("purchase_order_number", STRING, required=True),
        th.Property("purchase_order_status", STRING, description="OPEN or CLOSED."),
        th.Property("purchase_order_date", th.DateTimeType),
        th.Property("last_updated_date", th.DateTimeType),
        th.Property("selling_party", PARTY),
        th.Property("ship_to_party", PARTY),
        th.Property("item_status", th.ArrayType(ITEM_STATUS)),
    ).to_dict()


DF_MONEY = th.ObjectType(*MONEY)
DF_ADDRESS = th.ObjectType(
    *(
        th.Property(name, STRING)
        for name in (
            "name",
            "attention",
            *_ADDRESS_LINES[1:],
            "state_or_region",
            "postal_code",
            "country_code",
            "phone",
        )
    )
)
DF_PARTY = th.ObjectType(
    th.Property("party_id", STRING),
    th.Property("address", DF_ADDRESS),
    th.Property(
        "tax_info",
        th.ObjectType(
            *TAX_INFO.wrapped.values(),
            th.Property("tax_registration_address", DF_ADDRESS),
            th.Property("tax_registration_messages", STRING),
        ),
    ),
)
TAXES = th.ObjectType(
    th.Property(
        "tax_line_item",
        th.ArrayType(
            th.ObjectType(
                th.Property("tax_rate", th.NumberType),
                th.Property("tax_amount", DF_MONEY),
                th.Property("taxable_amount", DF_MONEY),
                th.Property("type", STRING),
            )
        ),
    )
)
DF_ITEM = th.ObjectType(
    th.Property("item_sequence_number", STRING),
    th.Property("buyer_product_identifier", STRING, description="The ASIN."),
    th.Property("vendor_product_identifier", STRING),
    th.Property("title", STRING),
    th.Property(
        "ordered_quantity", th.ObjectType(th.Property("amount", th.IntegerType), th.Property("unit_of_measure", STRING))
    ),
    th.Property(
        "scheduled_delivery_shipment",
        th.ObjectType(
            th.Property("scheduled_delivery_service_type", STRING),
            th.Property("earliest_nominated_delivery_date", th.DateTimeType),
            th.Property("latest_nominated_delivery_date", th.DateTimeType),
        ),
    ),
    th.Property(
        "gift_details", th.ObjectType(th.Property("gift_message", STRING), th.Property("gift_wrap_id", STRING))
    ),
    th.Property("net_price", DF_MONEY),
    th.Property("tax_details", TAXES),
    th.Property("total_price", DF_MONEY),
    th.Property("buyer_customized_info", th.ObjectType(th.Property("customized_url", STRING))),
)


class DirectFulfillmentOrdersStream(_VendorStream):
    """`vendor_direct_fulfillment_orders`: one record per Direct Fulfillment order (an order Amazon's
    customer placed and the vendor ships), with its items, incremental on its creation."""

    name = "vendor_direct_fulfillment_orders"
    primary_keys: ClassVar[list[str]] = ["purchase_order_number"]
    replication_key = "order_date"
    source = "Vendor Direct Fulfillment Orders API 2021-12-28 `getOrders`"
    # Its restricted role is one few vendors' apps have: synced only when selected.
    selected_by_default = False
    operation = "getOrders"
    request_params: ClassVar[Mapping[str, Any]] = {**PAGE, "includeDetails": "true"}
    window_bounds = ("createdAfter", "createdBefore")
    records_path = ("orders",)
    next_token_path = ("pagination", "nextToken")
    schema = th.PropertiesList(
        th.Property("purchase_order_number", STRING, required=True),
        th.Property("customer_order_number", STRING),
        th.Property("order_date", th.DateTimeType),
        th.Property("order_status", STRING, description="NEW, SHIPPED, ACCEPTED or CANCELLED."),
        th.Property(
            "shipment_details",
            th.ObjectType(
                th.Property("is_priority_shipment", th.BooleanType),
                th.Property("is_scheduled_delivery_shipment", th.BooleanType),
                th.Property("is_pslip_required", th.BooleanType),
                th.Property("is_gift", th.BooleanType),
                th.Property("ship_method", STRING),
                th.Property(
                    "shipment_dates",
                    th.ObjectType(
                        th.Property("required_ship_date", th.DateTimeType),
                        th.Property("promised_delivery_date", th.DateTimeType),
                    ),
                ),
                th.Property("message_to_customer", STRING),
            ),
        ),
        th.Property("tax_total", TAXES),
        th.Property("selling_party", DF_PARTY),
        th.Property("ship_from_party", DF_PARTY),
        th.Property("ship_to_party", DF_ADDRESS, description="PII (the customer's address): only with include_pii."),
        th.Property("bill_to_party", DF_PARTY),
        th.Property("has_customizable_items", th.BooleanType),
        th.Property("items", th.ArrayType(DF_ITEM)),
    ).to_dict()

    @cached_property
    def restricted_token(self) -> RestrictedToken:
        """The Restricted Data Token getOrders is called with, fetched when first needed."""
        operation = OPERATIONS[self.operation]

        def fetch(body: Mapping[str, Any]) -> Mapping[str, Any]:
            return self.runtime.client.call("createRestrictedDataToken", json=body)

        return RestrictedToken(fetch, method=operation.method, path=operation.path)

    @override
    def request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.runtime.client.call(self.operation, params=params, token=self.restricted_token)

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        data = super().record(item, context)
        if not self.settings.include_pii:
            # Never keep what was not asked for, whatever the answer holds.
            data.pop("ship_to_party", None)
        return data

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        try:
            self.restricted_token.get()
        except (AuthError, APIError) as exc:
            self.stop_without_role(exc, f"the Tokens API refused the Restricted Data Token for {self.operation}")
            return
        yield from super().get_records(context)
