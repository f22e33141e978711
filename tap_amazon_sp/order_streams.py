"""Orders and their items, both from Orders API v2026-01-01 searchOrders.

One searchOrders page holds up to 100 orders with their items and, through `includedData`, what
older clients fetched with three more calls per order (items, buyer info, address). So `orders`
makes the only requests; `order_items` is its child stream, fed from the same pages: the number of
requests depends on pages, never on orders.

Windows are on the last-update time, from each stream's bookmark less the look-back, and end at
least two minutes before now. Both streams keep a bookmark; a sync stopped mid-window also leaves
the next page's token in state and the next sync goes on from it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import PageParent, RestStream
from tap_amazon_sp.records import decimal_strings, format_datetime, parse_datetime, snake_keys
from tap_amazon_sp.windows import CLOCK_MARGIN, WindowPlan

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

SOURCE = "Orders API 2026-01-01 `searchOrders`"
# What one call brings besides the order and its items. BUYER and RECIPIENT (PII) are added only
# with include_pii; this version needs no Restricted Data Token for them (the app's roles decide).
# PAYMENT and TAX (buyer tax registrations) and FULFILLMENT_ORDERS are not asked for.
INCLUDED_DATA = ("PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT", "PACKAGES")
PII_DATA = ("BUYER", "RECIPIENT")
PAGE_SIZE = 100
# Where a window's paging stood when its last page was emitted: {after, before, token}. searchOrders
# tokens last 24 hours, so a sync killed mid-window goes on from there; an expired one restarts it.
RESUME = "resume_page"

# Amazon's `Decimal` is a string ("no loss of precision"); records carry it as a JSON number.
MONEY = th.ObjectType(th.Property("amount", th.NumberType), th.Property("currency_code", th.StringType))
TIME_RANGE = th.ObjectType(
    th.Property("earliest_date_time", th.DateTimeType), th.Property("latest_date_time", th.DateTimeType)
)
# Objects whose inner shape varies by program or country are kept as Amazon sends them (snake-cased).
ANY_OBJECT = th.ObjectType(additional_properties=True)
_ADDRESS_LINES = (
    "name",
    "address_line1",
    "address_line2",
    "address_line3",
    "city",
    "district_or_county",
    "state_or_region",
    "municipality",
    "postal_code",
    "country_code",
)
# The merchant's ship-from address, and the customer's address (PII) with a few more fields.
MERCHANT_ADDRESS = th.ObjectType(*(th.Property(name, th.StringType) for name in _ADDRESS_LINES))
ADDRESS = th.ObjectType(
    *(th.Property(name, th.StringType) for name in (*_ADDRESS_LINES, "company_name", "phone", "address_type")),
    th.Property("extended_fields", ANY_OBJECT),
)

ORDER_SCHEMA = th.PropertiesList(
    th.Property("order_id", th.StringType, required=True),
    th.Property("marketplace_id", th.StringType, description="From sales_channel, for filtering and joins."),
    th.Property("created_time", th.DateTimeType),
    th.Property("last_updated_time", th.DateTimeType, required=True),
    th.Property(
        "sales_channel",
        th.ObjectType(
            th.Property("channel_name", th.StringType),
            th.Property("marketplace_id", th.StringType),
            th.Property("marketplace_name", th.StringType),
        ),
    ),
    th.Property(
        "order_aliases",
        th.ArrayType(th.ObjectType(th.Property("alias_id", th.StringType), th.Property("alias_type", th.StringType))),
    ),
    th.Property("programs", th.ArrayType(th.StringType)),
    th.Property(
        "associated_orders",
        th.ArrayType(
            th.ObjectType(th.Property("order_id", th.StringType), th.Property("association_type", th.StringType))
        ),
    ),
    th.Property(
        "buyer",
        th.ObjectType(
            th.Property("buyer_name", th.StringType),
            th.Property("buyer_email", th.StringType),
            th.Property("buyer_company_name", th.StringType),
            th.Property("buyer_purchase_order_number", th.StringType),
        ),
        description="PII: present only with include_pii.",
    ),
    th.Property(
        "recipient",
        th.ObjectType(th.Property("delivery_address", ADDRESS), th.Property("delivery_preference", ANY_OBJECT)),
        description="PII: present only with include_pii.",
    ),
    th.Property(
        "proceeds",
        th.ObjectType(th.Property("grand_total", MONEY), th.Property("breakdowns", th.ArrayType(ANY_OBJECT))),
    ),
    th.Property(
        "fulfillment",
        th.ObjectType(
            th.Property("fulfillment_status", th.StringType),
            th.Property("fulfilled_by", th.StringType),
            th.Property("fulfillment_service_level", th.StringType),
            th.Property("ship_by_window", TIME_RANGE),
            th.Property("deliver_by_window", TIME_RANGE),
            th.Property("label_printing_window", TIME_RANGE),
        ),
    ),
    th.Property(
        "packages",
        th.ArrayType(
            th.ObjectType(
                th.Property("package_reference_id", th.StringType),
                th.Property("created_time", th.DateTimeType),
                th.Property("package_status", ANY_OBJECT),
                th.Property("carrier", th.StringType),
                th.Property("ship_time", th.DateTimeType),
                th.Property("shipping_service", th.StringType),
                th.Property("tracking_number", th.StringType),
                th.Property("ship_from_address", MERCHANT_ADDRESS),
                th.Property("package_items", th.ArrayType(ANY_OBJECT)),
            )
        ),
    ),
).to_dict()

ITEM_SCHEMA = th.PropertiesList(
    th.Property("order_id", th.StringType, required=True),
    th.Property("order_item_id", th.StringType, required=True),
    th.Property("marketplace_id", th.StringType),
    th.Property("order_last_updated_time", th.DateTimeType, required=True, description="The order's last update."),
    th.Property("quantity_ordered", th.IntegerType),
    th.Property("measurement", ANY_OBJECT),
    th.Property("associated_order_items", th.ArrayType(ANY_OBJECT)),
    th.Property("programs", th.ArrayType(th.StringType)),
    th.Property(
        "product",
        th.ObjectType(
            th.Property("asin", th.StringType),
            th.Property("title", th.StringType),
            th.Property("seller_sku", th.StringType),
            th.Property(
                "condition",
                th.ObjectType(
                    th.Property("condition_type", th.StringType),
                    th.Property("condition_subtype", th.StringType),
                    th.Property("condition_note", th.StringType),
                ),
            ),
            th.Property(
                "price",
                th.ObjectType(th.Property("unit_price", MONEY), th.Property("price_designation", th.StringType)),
            ),
            th.Property("serial_numbers", th.ArrayType(th.StringType)),
            th.Property("customization", ANY_OBJECT),
        ),
    ),
    th.Property(
        "proceeds",
        th.ObjectType(th.Property("proceeds_total", MONEY), th.Property("breakdowns", th.ArrayType(ANY_OBJECT))),
    ),
    th.Property("expense", ANY_OBJECT),
    th.Property("promotion", ANY_OBJECT),
    th.Property("cancellation", ANY_OBJECT),
    th.Property(
        "fulfillment",
        th.ObjectType(
            th.Property("quantity_fulfilled", th.IntegerType),
            th.Property("quantity_unfulfilled", th.IntegerType),
            th.Property("picking", ANY_OBJECT),
            th.Property("packing", ANY_OBJECT),
            th.Property("shipping", ANY_OBJECT),
        ),
    ),
).to_dict()


class OrdersStream(PageParent):
    """`orders`: one record per order, incremental on its last update."""

    name = "orders"
    primary_keys: ClassVar[list[str]] = ["order_id"]
    replication_key = "last_updated_time"
    schema = ORDER_SCHEMA
    source = SOURCE
    # One paging chain per window, and every window ends in a page that is seldom full: at 0.0056 rps
    # each request counts, so windows are wide. A killed sync does not read a wide window again: it
    # goes on from the page after the last one emitted (RESUME, below).
    window = WindowPlan(cap_days=90, hold_back=CLOCK_MARGIN)
    operation = "searchOrders"
    token_param = "paginationToken"
    window_bounds = ("lastUpdatedAfter", "lastUpdatedBefore")

    child_name = "order_items"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_items: dict[str, list[dict[str, Any]]] = {}
        self._pending_items: list[dict[str, Any]] = []

    next_token_path = ("pagination", "nextToken")

    @override
    def base_params(self, context: Context | None) -> dict[str, Any]:
        # One call for every marketplace: a region has at most 20, the model allows 50.
        marketplaces = list(self.tap.marketplace_ids)  # type: ignore[attr-defined]
        included = INCLUDED_DATA + (PII_DATA if self.settings.include_pii else ())
        return {"marketplaceIds": marketplaces, "maxResultsPerPage": PAGE_SIZE, "includedData": list(included)}

    @override
    def record_key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        return (record["order_id"], record["last_updated_time"])

    @override
    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        records = []
        self._page_items = {}
        for order in body.get("orders") or []:
            data = decimal_strings(snake_keys(order))
            items = data.pop("order_items", None) or []
            # Never keep what was not asked for, whatever the answer holds.
            if not self.settings.include_pii:
                data.pop("buyer", None)
                data.pop("recipient", None)
            data["marketplace_id"] = (data.get("sales_channel") or {}).get("marketplace_id")
            records.append(data)
            self._page_items[data["order_id"]] = items
        return records

    @override
    def keep_page(self, fresh: list[dict[str, Any]]) -> None:
        # Items of orders emitted from this page go to the child stream after the page's last order.
        if self.child.selected:
            for order in fresh:
                added = {
                    "order_id": order["order_id"],
                    "marketplace_id": order["marketplace_id"],
                    "order_last_updated_time": order["last_updated_time"],
                }
                self._pending_items.extend({**item, **added} for item in self._page_items.get(order["order_id"], []))
        super().keep_page(fresh)

    def take_items(self) -> list[dict[str, Any]]:
        """The items waiting for the child stream (and no longer waiting)."""
        items, self._pending_items = self._pending_items, []
        return items

    @override
    def page_context(self, record: dict[str, Any]) -> Context | None:
        return {"orders_page": record["order_id"]} if self._pending_items else None

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        # Both streams read these pages; each keeps its own bookmark, moved only when selected, so
        # selecting one later starts it from its own bookmark.
        readers = self.readers()
        if not readers:
            return
        base = self.base_params(context)
        # A FULL_TABLE reader starts from start_date, not from where a stopped sync left off.
        resume = None if any(s.full_table for s in readers) else self._resume_point(readers)
        if resume is None:
            token = None
            spans = self.time_windows(min(s.sync_start(None) for s in readers))
        else:
            # The window a killed sync was in, from its next page, then the windows after it.
            lower, upper, token = resume
            spans = [(lower, upper), *self.time_windows(upper)]
        for lower, upper in spans:
            params = {**base, **self.window_params(lower, upper)}
            yield from self.read_chain(
                params,
                context,
                seen=self._seen,
                on_page=self.keep_page,
                token=token,
                after_page=partial(self._note_page, readers, lower, upper),
            )
            token = None
            for stream in readers:
                stream.get_context_state(None).pop(RESUME, None)
                stream.commit_bookmark(None, upper)

    def _resume_point(self, readers: Sequence[RestStream]) -> tuple[datetime, datetime, str] | None:
        """The window and page token an earlier sync stopped at, if every reader stopped there."""
        points = [s.get_context_state(None).get(RESUME) for s in readers]
        first = points[0]
        if not isinstance(first, dict) or any(p != first for p in points):
            return None
        try:
            return parse_datetime(first["after"]), parse_datetime(first["before"]), str(first["token"])
        except (KeyError, TypeError, ValueError):
            return None

    def _note_page(self, readers: Sequence[RestStream], lower: datetime, upper: datetime, token: str | None) -> None:
        # After the window's last page the bookmark moves instead.
        if token is None:
            return
        point = {"after": format_datetime(lower), "before": format_datetime(upper), "token": token}
        for stream in readers:
            stream.get_context_state(None)[RESUME] = point
        self.flush_state()


class OrderItemsStream(RestStream):
    """`order_items`: one record per order item, from the pages `orders` reads."""

    name = "order_items"
    primary_keys: ClassVar[list[str]] = ["order_id", "order_item_id"]
    replication_key = "order_last_updated_time"
    schema = ITEM_SCHEMA
    source = SOURCE + " (items of each order)"
    window = OrdersStream.window
    operation = "searchOrders"
    parent_stream_type = OrdersStream
    # Its state is one bookmark for the stream, not one per page of the parent.
    state_partitioning_keys: ClassVar[list[str]] = []

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        parent = self.tap.streams[OrdersStream.name]
        assert isinstance(parent, OrdersStream)
        yield from map(self.complete, parent.take_items())
