"""The report catalogue: every report stream is one row of `REPORTS`.

A row names its report type (the stream's name too, unless the row says otherwise) and is built
from small values: its windows (a `WindowPlan`: the widest range Amazon serves in one report, in
days, or a snapshot that ignores the data window, or reports Amazon lists), an analytics report's
period and options (`PeriodRule`), the account it serves (`Account`) and its lifecycle.

Column lists come from Amazon's report attribute pages (and, where Amazon lists none, from what
real files carry). Kinds: t text, i integer, d decimal, b boolean, dt date-time, date date.

Two report types of Airbyte's list are not here: GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING and
GET_ORDER_REPORT_DATA_SHIPPING are restricted (their documents are served only against a Restricted
Data Token, which the tap does not request), and the second can only be scheduled.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from tap_amazon_sp.lifecycle import AVAILABLE, Lifecycle, removed
from tap_amazon_sp.records import column_name, flat_name, snake
from tap_amazon_sp.windows import (
    LISTED,
    REAL_TIME,
    REAL_TIME_TRAFFIC,
    SNAPSHOT,
    Align,
    Kind,
    LookBack,
    OptionDates,
    WindowPlan,
)

KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "t": {"type": ["string", "null"]},
    "i": {"type": ["integer", "null"]},
    "d": {"type": ["number", "null"]},
    "b": {"type": ["boolean", "null"]},
    "dt": {"type": ["string", "null"], "format": "date-time"},
    "date": {"type": ["string", "null"], "format": "date"},
}
# JSON Schema type names, as record typing uses them.
KIND_TYPES = {"t": "string", "i": "integer", "d": "number", "b": "boolean", "dt": "date-time", "date": "date"}
PII_DESCRIPTION = "PII: null unless include_pii is on."


def columns(spec: str, name: Callable[[str], str] = column_name) -> tuple[tuple[str, str], ...]:
    """Parse `"Order ID:t, Order date:date"` into ((name, kind), ...) with normalised names."""
    result = []
    for item in spec.split(","):
        header, _, kind = item.strip().rpartition(":")
        if kind not in KIND_SCHEMAS:
            raise ValueError(f"unknown kind in {item!r}")
        result.append((name(header), kind))
    return tuple(result)


class Account(str, enum.Enum):
    """The account types a report stream serves (the config's `account_type`)."""

    SELLER = "Seller"
    VENDOR = "Vendor"
    # Brand Analytics reports serve brand owners of either account type: vendors, and sellers
    # registered in Brand Registry with the Brand Analytics role.
    BRAND_OWNERS = "Seller or Vendor"

    def serves(self, account_type: str) -> bool:
        return self is Account.BRAND_OWNERS or self.value == account_type


@dataclass(frozen=True)
class OptionRule:
    """A report option of an analytics report: its allowed values and the tap's default ("": the
    option is optional and sent only when the config gives it)."""

    allowed: tuple[str, ...]
    default: str
    # A space-separated list of ASINs instead of one of `allowed`, at most this many characters in all
    # (None: any number, sent in parts; see `AsinParts`).
    asin_list: bool = False
    max_chars: int | None = None


# An ASIN: ten letters and digits (an ISBN-10 for books).
_ASIN = re.compile(r"[A-Z0-9]{10}")


def asin_list(text: str, rule: OptionRule) -> str:
    """The ASINs of an option's value, upper-cased, in their order without repeats, one space apart;
    ValueError saying what is wrong (an ASIN that is not one, more than `max_chars` characters)."""
    asins = list(dict.fromkeys(text.replace(",", " ").upper().split()))
    wrong = [asin for asin in asins if not _ASIN.fullmatch(asin)]
    if wrong:
        raise ValueError(f"{wrong[0]!r} is not an ASIN (ten letters and digits)")
    if not asins:
        raise ValueError("names no ASIN")
    joined = " ".join(asins)
    if rule.max_chars is not None and len(joined) > rule.max_chars:
        raise ValueError(
            f"{len(asins)} ASINs are {len(joined)} characters; Amazon takes at most {rule.max_chars}, "
            f"about {(rule.max_chars + 1) // 11} ASINs"
        )
    return joined


@dataclass(frozen=True)
class AsinParts:
    """A report type that takes at most `max_chars` characters of space-separated ASINs in its `option`:
    each window is requested in parts, as many as the ASINs need. Without ASINs in the config, each
    window's ASINs are the brand's own, from a report of `listed_by` for the same period (its rows'
    `asin`), whose options are the same but for the ASINs."""

    option: str
    max_chars: int
    listed_by: str

    def split(self, asins: str) -> list[str]:
        """Space-separated ASINs cut into parts of at most `max_chars` characters, in their order."""
        parts: list[str] = []
        for asin in asins.split():
            if parts and len(parts[-1]) + 1 + len(asin) <= self.max_chars:
                parts[-1] += " " + asin
            else:
                parts.append(asin)
        return parts


@dataclass(frozen=True)
class PeriodRule:
    """The report options an analytics report type takes (without a required one Amazon ends the
    report FATAL); its reportPeriod, when it has one, sets the windows."""

    options: dict[str, OptionRule]

    @property
    def period(self) -> OptionRule | None:
        return self.options.get("reportPeriod")


# A report of any instant range, up to a year a request; its look-back is a window of its own.
REPORT_WINDOW = WindowPlan(cap_days=365, look_back=LookBack.OWN_WINDOWS)
# Amazon reads the window as whole dates, its end date included: windows run midnight to midnight
# (UTC) and name their last second, so no day is in two windows, and today waits.
WHOLE_DAYS = replace(REPORT_WINDOW, align=Align.UTC_DAYS)
# Analytics reports: whole reporting periods (the reportPeriod option's). Amazon publishes them up
# to 72 hours after a period closes, and revises them until then: windows end no later than now
# minus this, so a bookmark never passes unpublished days.
PERIODS = replace(REPORT_WINDOW, align=Align.REPORT_PERIOD, hold_back=timedelta(hours=72))


@dataclass(frozen=True, kw_only=True)
class ReportSpec:
    """One report stream."""

    report_type: str
    stream: str = ""  # the report type unless set: a report type read as two streams names the other one
    fmt: str  # "tsv", "xml" or "json"
    columns: tuple[tuple[str, str], ...] = ()
    primary_key: tuple[str, ...] = ()
    window: WindowPlan = REPORT_WINDOW
    # Analytics reports: the reportPeriod and the other options Amazon requires.
    analytics: PeriodRule | None = None
    account: Account = Account.SELLER
    record_path: str = ""  # JSON: the array holding the records; XML: the record element
    row_key: bool = False  # no natural key: add `row_key` (see `row_key_fields`)
    # JSON: row_key joins these fields. Flat files: row_key is a digest of these columns (the
    # ones Amazon never revises); empty: a digest of the whole line.
    row_key_fields: tuple[str, ...] = ()
    nested_schema: dict[str, Any] = field(default_factory=dict)  # JSON reports: their typed properties
    skipped_elements: tuple[str, ...] = ()  # XML: elements (`tag`, `tag@attribute`) known and deliberately not loaded
    description: str = ""
    # Amazon writes every marketplace of the host into one document, whatever `marketplaceIds`
    # say: requested once per host, each row attributed to its marketplace by its sales channel.
    regional: bool = False
    # A snapshot whose key names when Amazon made it (forecasts): each one adds rows beside the older
    # ones instead of replacing them, so no row is ever gone from Amazon (no soft deletes).
    keeps_history: bool = False
    # XML documents of nested elements (orders): tags that always read as lists. Set, the records
    # keep their nesting, typed by `nested_schema`; unset, XML records are one level deep.
    xml_repeated: tuple[str, ...] = ()
    # reportOptions sent unless the config's `report_options` for the stream say otherwise.
    default_options: tuple[tuple[str, str], ...] = ()
    # Columns that identify a buyer (name, email, phone, street address): null in every record
    # unless include_pii is on. City, state, postal code and country are not among them: Amazon's
    # unrestricted order reports carry those too.
    pii_columns: tuple[str, ...] = ()
    # Whether Amazon still serves the report type (lifecycle.py).
    lifecycle: Lifecycle = AVAILABLE
    # Amounts in the marketplace's number format (`95,00`, `1.234,56`), read per document (amounts.py).
    local_numbers: bool = False
    # Documents that open with a summary row (a settlement's id, dates, total and currency) leave
    # these columns empty there and fill one of them on every other row. Records get `is_summary`,
    # so nobody sums the settlement's total with its detail amounts.
    detail_columns: tuple[str, ...] = ()
    # Listed reports: `row_key` is this column's value (the settlement id), else the report id, then
    # the row's line in the document (a settlement document never changes).
    line_key_column: str = ""
    # Columns every record gets from the report options of its request, (column, option): rows of
    # one report type made with other options stay apart under the primary key.
    option_columns: tuple[tuple[str, str], ...] = ()
    # JSON: objects (snake-cased keys) whose fields are columns of their own (`records.flattened`).
    flattened: tuple[str, ...] = ()
    # Reports of at most so many ASINs a request, each window requested in parts (`AsinParts`).
    asin_parts: AsinParts | None = None

    def __post_init__(self) -> None:
        if not self.stream:
            object.__setattr__(self, "stream", self.report_type)
        periodic = self.analytics is not None and self.analytics.period is not None
        if periodic != (self.window.align is Align.REPORT_PERIOD):
            raise ValueError(f"{self.stream}: windows of reporting periods go with a reportPeriod option")
        for _column, option in self.option_columns:
            if self.analytics is None or option not in self.analytics.options:
                raise ValueError(f"{self.stream}: a column from the {option} option needs the option")
        # A record that totals its window (the window's end in its key) must not be re-read from a
        # shorter window: its totals would shrink to a few days' worth. Reporting periods are re-read
        # whole, so theirs stay.
        totals = "data_end_time" in self.primary_key and self.window.align is not Align.REPORT_PERIOD
        if totals and self.window.look_back is not LookBack.NEVER:
            raise ValueError(f"{self.stream}: its records total their window; it cannot look back")

    def window_for(self, options: Mapping[str, str]) -> WindowPlan:
        """The windows of a sync with these report options (an analytics report's reportPeriod)."""
        period = self.analytics.period if self.analytics is not None else None
        if period is None:
            return self.window
        return self.window.in_periods(options.get("reportPeriod") or period.default)

    @property
    def list_only(self) -> bool:
        """Whether Amazon creates the reports on its own: they can only be listed and downloaded."""
        return self.window.kind is Kind.LISTED

    @property
    def windowed(self) -> bool:
        return self.window.windowed

    @property
    def replication_key(self) -> str | None:
        return "data_end_time" if self.windowed else None

    @property
    def takes_options(self) -> bool:
        """Whether Amazon's report type accepts reportOptions (see `REPORT_TYPES`)."""
        return REPORT_TYPES[self.report_type].takes_options

    @property
    def regeneration(self) -> str | None:
        """Amazon's regeneration limit class of the report type, if it has one (see `REPORT_TYPES`)."""
        return REPORT_TYPES[self.report_type].regeneration

    @property
    def kinds(self) -> dict[str, str]:
        return {name: KIND_TYPES[kind] for name, kind in self.columns}

    def schema(self) -> dict[str, Any]:
        """The stream's JSON schema: the report's columns plus what the tap adds to each record."""
        properties: dict[str, Any] = {name: dict(KIND_SCHEMAS[kind]) for name, kind in self.columns}
        for name in self.pii_columns:
            properties[name]["description"] = PII_DESCRIPTION
        properties.update(self.nested_schema)
        for column, option in self.option_columns:
            properties[column] = {"type": ["string"], "description": f"The report's `{option}` option."}
        properties["marketplace_id"] = {"type": ["string"]}
        properties["data_start_time"] = {"type": ["string", "null"], "format": "date-time"}
        properties["data_end_time"] = {"type": ["string"], "format": "date-time"}
        properties["report_id"] = {"type": ["string", "null"]}
        if self.row_key:
            properties["row_key"] = {"type": ["string"]}
        if self.list_only:
            properties["region"] = {
                "type": ["string"],
                "description": "The SP-API region (NA, EU or FE) whose reports of every marketplace this one is among.",
            }
        if self.detail_columns:
            properties["is_summary"] = {
                "type": ["boolean"],
                "description": "The document's summary row (its totals): not to be summed with the other rows.",
            }
        return {"type": "object", "properties": properties}


def _json_object(spec: dict[str, Any]) -> dict[str, Any]:
    """Schema properties from {camelName: kind or nested dict}, with snake-cased names."""
    props: dict[str, Any] = {}
    for key, value in spec.items():
        if isinstance(value, dict):
            # A metric Amazon adds to a nested object is kept (targets store these objects whole).
            props[snake(key)] = {
                "type": ["object", "null"],
                "properties": _json_object(value),
                "additionalProperties": True,
            }
        else:
            props[snake(key)] = dict(KIND_SCHEMAS[value])
    return props


def _b2b(spec: dict[str, Any]) -> dict[str, Any]:
    """Amazon reports most sales and traffic metrics twice: all buyers, and business buyers."""
    doubled: dict[str, Any] = {}
    for key, value in spec.items():
        doubled[key] = value
        doubled[key + "B2B"] = value
    return doubled


MONEY = {"amount": "d", "currencyCode": "t"}
SALES_BY_DATE = {
    **_b2b(
        {
            "orderedProductSales": MONEY,
            "unitsOrdered": "i",
            "totalOrderItems": "i",
            "averageSalesPerOrderItem": MONEY,
            "averageUnitsPerOrderItem": "d",
            "averageSellingPrice": MONEY,
        }
    ),
    "unitsRefunded": "i",
    "refundRate": "d",
    "claimsGranted": "i",
    "claimsAmount": MONEY,
    "shippedProductSales": MONEY,
    "unitsShipped": "i",
    "ordersShipped": "i",
}
TRAFFIC_BY_DATE = {
    **_b2b(
        {
            "browserPageViews": "i",
            "mobileAppPageViews": "i",
            "pageViews": "i",
            "browserSessions": "i",
            "mobileAppSessions": "i",
            "sessions": "i",
            "buyBoxPercentage": "d",
            "orderItemSessionPercentage": "d",
            "unitSessionPercentage": "d",
        }
    ),
    "averageOfferCount": "i",
    "averageParentItems": "i",
    "feedbackReceived": "i",
    "negativeFeedbackReceived": "i",
    "receivedNegativeFeedbackRate": "d",
}
SALES_BY_ASIN = _b2b({"unitsOrdered": "i", "orderedProductSales": MONEY, "totalOrderItems": "i"})
TRAFFIC_BY_ASIN = _b2b(
    {
        "browserSessions": "i",
        "mobileAppSessions": "i",
        "sessions": "i",
        "browserSessionPercentage": "d",
        "mobileAppSessionPercentage": "d",
        "sessionPercentage": "d",
        "browserPageViews": "i",
        "mobileAppPageViews": "i",
        "pageViews": "i",
        "browserPageViewsPercentage": "d",
        "mobileAppPageViewsPercentage": "d",
        "pageViewsPercentage": "d",
        "buyBoxPercentage": "d",
        "unitSessionPercentage": "d",
    }
)

# The order reports' columns; the archived orders report has a `url` column between the two halves.
_ORDERS_HEAD = (
    "amazon-order-id:t, merchant-order-id:t, purchase-date:dt, last-updated-date:dt, order-status:t, "
    "fulfillment-channel:t, sales-channel:t, order-channel:t"
)
_ORDERS_TAIL = (
    "ship-service-level:t, product-name:t, sku:t, asin:t, "
    "item-status:t, quantity:i, currency:t, item-price:d, item-tax:d, shipping-price:d, shipping-tax:d, "
    "gift-wrap-price:d, gift-wrap-tax:d, item-promotion-discount:d, ship-promotion-discount:d, ship-city:t, "
    "ship-state:t, ship-postal-code:t, ship-country:t, promotion-ids:t, is-business-order:b, "
    "purchase-order-number:t, price-designation:t"
)
ALL_ORDERS = columns(f"{_ORDERS_HEAD}, {_ORDERS_TAIL}")


def _xml_object(properties: dict[str, Any], *, array: bool = False) -> dict[str, Any]:
    """Schema of a nested XML element (or of a list of them); elements Amazon adds are kept."""
    node: dict[str, Any] = {"type": ["object", "null"], "properties": properties, "additionalProperties": True}
    if array:
        return {"type": ["array", "null"], "items": {**node, "type": ["object"]}}
    return node


XML_TEXT = KIND_SCHEMAS["t"]
XML_AMOUNT = _xml_object({"value": KIND_SCHEMAS["d"], "currency": XML_TEXT})
XML_PRICE = _xml_object({"component": _xml_object({"type": XML_TEXT, "amount": XML_AMOUNT}, array=True)})
XML_ORDER_COLUMNS = columns(
    "AmazonOrderID:t, MerchantOrderID:t, PurchaseDate:dt, LastUpdatedDate:dt, OrderStatus:t, SalesChannel:t, "
    "IsBusinessOrder:b",
    name=snake,
)
XML_ORDER_NESTED = {
    "fulfillment_data": _xml_object(
        {
            "fulfillment_channel": XML_TEXT,
            "ship_service_level": XML_TEXT,
            "address": _xml_object({"city": XML_TEXT, "state": XML_TEXT, "postal_code": XML_TEXT, "country": XML_TEXT}),
        }
    ),
    "order_item": _xml_object(
        {
            "asin": XML_TEXT,
            "sku": XML_TEXT,
            "item_status": XML_TEXT,
            "product_name": XML_TEXT,
            "quantity": KIND_SCHEMAS["i"],
            "item_price": XML_PRICE,
        },
        array=True,
    ),
}

# Seller Central's listing reports share most columns; B2B sellers get the business price tiers.
LISTING_COLUMNS = (
    "item-name:t, item-description:t, listing-id:t, seller-sku:t, price:d, quantity:i, open-date:dt, "
    "image-url:t, item-is-marketplace:t, product-id-type:t, zshop-shipping-fee:t, item-note:t, "
    "item-condition:t, zshop-category1:t, zshop-browse-path:t, zshop-storefront-feature:t, asin1:t, asin2:t, "
    "asin3:t, will-ship-internationally:t, expedited-shipping:t, zshop-boldface:t, product-id:t, "
    "bid-for-featured-placement:t, add-delete:t, pending-quantity:i"
)
BUSINESS_PRICES = (
    "Business Price:d, Quantity Price Type:t, "
    + ", ".join(f"Quantity Lower Bound {n}:i, Quantity Price {n}:d" for n in range(1, 6))
    + ", Progressive Price Type:t, "
    + ", ".join(f"Progressive Lower Bound {n}:i, Progressive Price {n}:d" for n in range(1, 4))
)
FBA_INVENTORY = columns(
    "sku:t, fnsku:t, asin:t, product-name:t, condition:t, your-price:d, mfn-listing-exists:t, "
    "mfn-fulfillable-quantity:i, afn-listing-exists:t, afn-warehouse-quantity:i, afn-fulfillable-quantity:i, "
    "afn-unsellable-quantity:i, afn-reserved-quantity:i, afn-total-quantity:i, per-unit-volume:d, "
    "afn-inbound-working-quantity:i, afn-inbound-shipped-quantity:i, afn-inbound-receiving-quantity:i, "
    "afn-researching-quantity:i, afn-reserved-future-supply:i, afn-future-supply-buyable:i"
)


def _all_orders_reports(
    prefix: str, fmt: str, rows: str, cols: tuple[tuple[str, str], ...], key: tuple[str, ...], **spec: Any
) -> tuple[ReportSpec, ...]:
    """An All Orders report by purchase date and by last update: regional, 30 days a request."""
    return tuple(
        ReportSpec(
            report_type=f"{prefix}_{by}_GENERAL",
            fmt=fmt,
            columns=cols,
            primary_key=("amazon_order_id", *key),
            window=REPORT_WINDOW.capped(30),
            regional=True,
            description=f"All orders of the host's marketplaces by {what}, {rows}.",
            **spec,
        )
        for by, what in (("BY_ORDER_DATE", "purchase date"), ("BY_LAST_UPDATE", "last update"))
    )


SETTLEMENT_V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

SELLER_REPORTS: tuple[ReportSpec, ...] = (
    *_all_orders_reports("GET_FLAT_FILE_ALL_ORDERS_DATA", "tsv", "one row per order item", ALL_ORDERS, ("sku",)),
    ReportSpec(
        report_type="GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
        fmt="tsv",
        columns=columns(
            "amazon-order-id:t, merchant-order-id:t, shipment-id:t, shipment-item-id:t, amazon-order-item-id:t, "
            "merchant-order-item-id:t, purchase-date:dt, payments-date:dt, shipment-date:dt, reporting-date:dt, "
            "buyer-email:t, buyer-name:t, buyer-phone-number:t, sku:t, product-name:t, quantity-shipped:i, "
            "currency:t, item-price:d, item-tax:d, shipping-price:d, shipping-tax:d, gift-wrap-price:d, "
            "gift-wrap-tax:d, ship-service-level:t, recipient-name:t, ship-address-1:t, ship-address-2:t, "
            "ship-address-3:t, ship-city:t, ship-state:t, ship-postal-code:t, ship-country:t, ship-phone-number:t, "
            "bill-address-1:t, bill-address-2:t, bill-address-3:t, bill-city:t, bill-state:t, bill-postal-code:t, "
            "bill-country:t, item-promotion-discount:d, ship-promotion-discount:d, carrier:t, tracking-number:t, "
            "estimated-arrival-date:dt, fulfillment-center-id:t, fulfillment-channel:t, sales-channel:t"
        ),
        primary_key=("amazon_order_id", "shipment_item_id"),
        window=REPORT_WINDOW.capped(30),
        description="FBA shipments, one row per shipped item.",
        pii_columns=(
            "buyer_email",
            "buyer_name",
            "buyer_phone_number",
            "recipient_name",
            "ship_address_1",
            "ship_address_2",
            "ship_address_3",
            "ship_phone_number",
            "bill_address_1",
            "bill_address_2",
            "bill_address_3",
        ),
    ),
    ReportSpec(
        report_type="GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
        fmt="tsv",
        columns=columns(
            "Order ID:t, Order date:date, Return request date:date, Return request status:t, Amazon RMA ID:t, "
            "Merchant RMA ID:t, Label type:t, Label cost:d, Currency code:t, Return carrier:t, Tracking ID:t, "
            "Label to be paid by:t, A-to-Z Claim:t, Is prime:t, ASIN:t, Merchant SKU:t, Item Name:t, "
            "Return quantity:i, Return Reason:t, In policy:t, Return type:t, Resolution:t, Invoice number:t, "
            "Return delivery date:date, Order Amount:d, Order quantity:i, SafeT Action reason:t, SafeT claim id:t, "
            "SafeT claim state:t, SafeT claim creation time:date, SafeT claim reimbursement amount:d, "
            "Refunded Amount:d"
        ),
        primary_key=("order_id", "amazon_rma_id", "merchant_sku"),
        window=REPORT_WINDOW.capped(60),
        description="Merchant-fulfilled returns by return request date.",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
        fmt="tsv",
        columns=columns(f"{LISTING_COLUMNS}, fulfillment-channel:t, merchant-shipping-group:t, status:t"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="All listings, active and inactive (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        fmt="tsv",
        columns=FBA_INVENTORY,
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="FBA inventory of active listings (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        fmt="tsv",
        columns=columns(
            "return-date:dt, order-id:t, sku:t, asin:t, fnsku:t, product-name:t, quantity:i, "
            "fulfillment-center-id:t, detailed-disposition:t, reason:t, status:t, license-plate-number:t, "
            "customer-comments:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        # A return's status moves on after it is first reported (the look-back re-reads it).
        row_key_fields=(
            "return_date",
            "order_id",
            "sku",
            "asin",
            "fnsku",
            "quantity",
            "fulfillment_center_id",
            "reason",
            "license_plate_number",
        ),
        description="FBA customer returns by return date.",
    ),
    ReportSpec(
        report_type="GET_FBA_REIMBURSEMENTS_DATA",
        fmt="tsv",
        columns=columns(
            "approval-date:dt, reimbursement-id:t, case-id:t, amazon-order-id:t, reason:t, sku:t, fnsku:t, asin:t, "
            "product-name:t, condition:t, currency-unit:t, amount-per-unit:d, amount-total:d, "
            "quantity-reimbursed-cash:i, quantity-reimbursed-inventory:i, quantity-reimbursed-total:i, "
            "original-reimbursement-id:t, original-reimbursement-type:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        description="FBA reimbursements by approval date.",
    ),
    ReportSpec(
        report_type="GET_LEDGER_DETAIL_VIEW_DATA",
        fmt="tsv",
        columns=columns(
            "Date:date, FNSKU:t, ASIN:t, MSKU:t, Title:t, Event Type:t, Reference ID:t, Quantity:i, "
            "Fulfillment Center:t, Disposition:t, Reason:t, Country:t, Reconciled Quantity:i, "
            "Unreconciled Quantity:i, Date and Time:dt"
        ),
        primary_key=("row_key",),
        row_key=True,
        # Amazon revises the reconciled and unreconciled quantities as lost units are found.
        row_key_fields=(
            "date",
            "fnsku",
            "asin",
            "msku",
            "event_type",
            "reference_id",
            "quantity",
            "fulfillment_center",
            "disposition",
            "reason",
            "country",
            "date_and_time",
        ),
        description="FBA inventory ledger, one row per inventory event.",
    ),
    ReportSpec(
        report_type="GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
        fmt="tsv",
        columns=columns(
            "settlement-id:t, settlement-start-date:dt, settlement-end-date:dt, deposit-date:dt, total-amount:d, "
            "currency:t, transaction-type:t, order-id:t, merchant-order-id:t, adjustment-id:t, shipment-id:t, "
            "marketplace-name:t, shipment-fee-type:t, shipment-fee-amount:d, order-fee-type:t, order-fee-amount:d, "
            "fulfillment-id:t, posted-date:date, order-item-code:t, merchant-order-item-id:t, "
            "merchant-adjustment-item-id:t, sku:t, quantity-purchased:i, price-type:t, price-amount:d, "
            "item-related-fee-type:t, item-related-fee-amount:d, misc-fee-amount:d, other-fee-amount:d, "
            "other-fee-reason-description:t, promotion-id:t, promotion-type:t, promotion-amount:d, "
            "direct-payment-type:t, direct-payment-amount:d, other-amount:d"
        ),
        primary_key=("row_key",),
        window=LISTED,
        row_key=True,
        local_numbers=True,
        detail_columns=("transaction_type",),
        description="Settlements in the old layout, as Amazon generated them until 2026-11-11 (listed, never "
        "requested).",
        # Amazon stopped making them on 2026-11-11 (Add. §1); what it still lists is read.
        lifecycle=removed("2026-11-11", SETTLEMENT_V2),
    ),
    ReportSpec(
        report_type=SETTLEMENT_V2,
        fmt="tsv",
        # Amazon's list has 23 columns, its files 24: `promotion-id` too (Add. §1). Read by name.
        columns=columns(
            "settlement-id:t, settlement-start-date:dt, settlement-end-date:dt, deposit-date:dt, total-amount:d, "
            "currency:t, transaction-type:t, order-id:t, merchant-order-id:t, adjustment-id:t, shipment-id:t, "
            "marketplace-name:t, amount-type:t, amount-description:t, amount:d, fulfillment-id:t, posted-date:date, "
            "posted-date-time:dt, order-item-code:t, merchant-order-item-id:t, merchant-adjustment-item-id:t, "
            "sku:t, quantity-purchased:i, promotion-id:t"
        ),
        # The settlement id and the line: a settlement Amazon lists again under another report id
        # (regenerated in Seller Central) lands on the same rows.
        primary_key=("row_key",),
        window=LISTED,
        row_key=True,
        local_numbers=True,
        line_key_column="settlement_id",
        # Amazon never leaves these empty on a detail row (Add. §1).
        detail_columns=("transaction_type", "amount_type", "amount_description", "amount"),
        description="Settlements, one row per amount of each transaction, and the settlement's summary row "
        "(is_summary), as Amazon generates them for each account and currency (listed, never requested).",
    ),
    *_all_orders_reports(
        "GET_XML_ALL_ORDERS_DATA",
        "xml",
        "one record per order with its items",
        XML_ORDER_COLUMNS,
        (),
        record_path="Order",
        xml_repeated=("OrderItem", "Component"),
        nested_schema=XML_ORDER_NESTED,
    ),
    # --- the rest of the catalogue: listings -------------------------------------------------------
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_DATA",
        fmt="tsv",
        columns=columns(f"{LISTING_COLUMNS}, fulfillment-channel:t, {BUSINESS_PRICES}, merchant-shipping-group:t"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Active listings (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_DATA_BACK_COMPAT",
        fmt="tsv",
        columns=columns(f"{LISTING_COLUMNS}, {BUSINESS_PRICES}, merchant-shipping-group:t"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Active listings in the older column layout (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_INACTIVE_DATA",
        fmt="tsv",
        columns=columns(f"{LISTING_COLUMNS}, fulfillment-channel:t, merchant-shipping-group:t"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Inactive listings (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_DATA_LITE",
        fmt="tsv",
        columns=columns("seller-sku:t, quantity:i, price:d, product-id:t"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Active listings: SKU, quantity, price and product id (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_LISTINGS_DATA_LITER",
        fmt="tsv",
        columns=columns("seller-sku:t, quantity:i"),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Active listings: SKU and quantity (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANT_CANCELLED_LISTINGS_DATA",
        fmt="tsv",
        columns=columns(
            "item-name:t, item-description:t, seller-sku:t, price:d, quantity:i, image-url:t, item-is-marketplace:t, "
            "product-id-type:t, zshop-shipping-fee:t, item-note:t, item-condition:t, zshop-category1:t, "
            "zshop-browse-path:t, zshop-storefront-feature:t, asin1:t, asin2:t, asin3:t, will-ship-internationally:t, "
            f"expedited-shipping:t, zshop-boldface:t, product-id:t, add-delete:t, {BUSINESS_PRICES}, "
            "merchant-shipping-group:t"
        ),
        primary_key=("marketplace_id", "seller_sku"),
        window=SNAPSHOT,
        description="Cancelled listings (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_FLAT_FILE_OPEN_LISTINGS_DATA",
        fmt="tsv",
        columns=columns(f"sku:t, asin:t, price:d, quantity:i, {BUSINESS_PRICES}"),
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="Open listings with their price and quantity (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_MERCHANTS_LISTINGS_FYP_REPORT",
        fmt="tsv",
        columns=columns(
            "Status:t, Reason:t, SKU:t, ASIN:t, Product name:t, Condition:t, Status Change Date:date, "
            "Issue Description:t"
        ),
        primary_key=("row_key",),
        window=SNAPSHOT,
        row_key=True,
        description="Suppressed listings and why, one row per issue (a snapshot).",
    ),
    # --- FBA inventory ---------------------------------------------------------------------------
    ReportSpec(
        report_type="GET_FBA_MYI_ALL_INVENTORY_DATA",
        fmt="tsv",
        columns=FBA_INVENTORY,
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="FBA inventory, archived listings included (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_AFN_INVENTORY_DATA",
        fmt="tsv",
        columns=columns(
            "seller-sku:t, fulfillment-channel-sku:t, asin:t, condition-type:t, Warehouse-Condition-code:t, "
            "Quantity Available:i"
        ),
        primary_key=("marketplace_id", "seller_sku", "warehouse_condition_code"),
        window=SNAPSHOT,
        description="Units in Amazon's fulfillment network by condition (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_AFN_INVENTORY_DATA_BY_COUNTRY",
        fmt="tsv",
        columns=columns(
            "seller-sku:t, fulfillment-channel-sku:t, asin:t, condition-type:t, country:t, "
            "quantity-for-local-fulfillment:i"
        ),
        primary_key=("marketplace_id", "seller_sku", "country"),
        window=SNAPSHOT,
        description="Units available for local fulfillment per country (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_RESERVED_INVENTORY_DATA",
        fmt="tsv",
        columns=columns(
            "sku:t, fnsku:t, asin:t, product-name:t, reserved_qty:i, reserved_customerorders:i, "
            "reserved_fc-transfers:i, reserved_fc-processing:i"
        ),
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="Reserved FBA units: customer orders, transfers, processing (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_STRANDED_INVENTORY_UI_DATA",
        fmt="tsv",
        columns=columns(
            "primary-action:t, date-stranded:dt, Date-to-take-auto-removal:dt, status-primary:t, "
            "status-secondary:t, error-message:t, stranded-reason:t, asin:t, sku:t, fnsku:t, product-name:t, "
            "condition:t, fulfilled-by:t, fulfillable-qty:i, your-price:d, unfulfillable-qty:i, "
            "reserved-quantity:i, inbound-shipped-qty:i"
        ),
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="FBA inventory without an active offer (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
        fmt="tsv",
        columns=columns(
            "Country:t, Product Name:t, FNSKU:t, Merchant SKU:t, ASIN:t, Condition:t, Supplier:t, "
            "Supplier part no.:t, Currency code:t, Price:d, Sales last 30 days:d, Units Sold Last 30 Days:i, "
            "Total Units:i, Inbound:i, Available:i, FC transfer:i, FC Processing:i, Customer Order:i, "
            "Unfulfillable:i, Working:i, Shipped:i, Receiving:i, Fulfilled by:t, "
            "Total Days of Supply (including units from open shipments):d, "
            "Days of Supply at Amazon Fulfillment Network:d, Alert:t, Recommended replenishment qty:i, "
            "Recommended ship date:date, Recommended action:t, Unit storage size:t"
        ),
        primary_key=("marketplace_id", "merchant_sku"),
        window=SNAPSHOT,
        description="Restock recommendations per SKU (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_FBA_INVENTORY_PLANNING_DATA",
        fmt="tsv",
        columns=columns(
            "snapshot-date:date, sku:t, fnsku:t, asin:t, product-name:t, condition:t, available:i, "
            "pending-removal-quantity:i, inv-age-0-to-90-days:i, inv-age-91-to-180-days:i, "
            "inv-age-181-to-270-days:i, inv-age-271-to-365-days:i, inv-age-365-plus-days:i, currency:t, "
            "units-shipped-t7:i, units-shipped-t30:i, units-shipped-t60:i, units-shipped-t90:i, alert:t, "
            "your-price:d, sales-price:d, lowest-price-new-plus-shipping:d, lowest-price-used:d, "
            "recommended-action:t, healthy-inventory-level:i, recommended-sales-price:d, "
            "recommended-sale-duration-days:i, recommended-removal-quantity:i, "
            "estimated-cost-savings-of-recommended-actions:d, sell-through:d, item-volume:d, "
            "volume-unit-measurement:t, storage-type:t, storage-volume:d, marketplace:t, product-group:t, "
            "sales-rank:i, days-of-supply:i, estimated-excess-quantity:i, weeks-of-cover-t30:d, "
            "weeks-of-cover-t90:d, featuredoffer-price:d, sales-shipped-last-7-days:d, "
            "sales-shipped-last-30-days:d, sales-shipped-last-60-days:d, sales-shipped-last-90-days:d, "
            "inv-age-0-to-30-days:i, inv-age-31-to-60-days:i, inv-age-61-to-90-days:i, inv-age-181-to-330-days:i, "
            "inv-age-331-to-365-days:i, estimated-storage-cost-next-month:d, inbound-quantity:i, "
            "inbound-working:i, inbound-shipped:i, inbound-received:i, no-sale-last-6-months:i, "
            "reserved-quantity:i, unfulfillable-quantity:i"
        ),
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="FBA inventory planning: age, sell-through, recommendations (a snapshot).",
    ),
    ReportSpec(
        report_type="GET_LEDGER_SUMMARY_VIEW_DATA",
        fmt="tsv",
        columns=columns(
            "Date:date, FNSKU:t, ASIN:t, MSKU:t, Title:t, Disposition:t, Starting Warehouse Balance:i, "
            "In Transit Between Warehouses:i, Receipts:i, Customer Shipments:i, Customer Returns:i, "
            "Vendor Returns:i, Warehouse Transfer In/Out:i, Found:i, Lost:i, Damaged:i, Disposed:i, "
            "Other Events:i, Ending Warehouse Balance:i, Unknown Events:i, Location:t"
        ),
        primary_key=("marketplace_id", "date", "fnsku", "msku", "disposition", "location"),
        # Per day and country: one dated row per SKU, disposition and country, whatever Amazon's defaults.
        default_options=(("aggregateByLocation", "COUNTRY"), ("aggregatedByTimePeriod", "DAILY")),
        description="FBA inventory ledger, balances and movements per day and country.",
    ),
    ReportSpec(
        report_type="GET_FBA_STORAGE_FEE_CHARGES_DATA",
        fmt="tsv",
        columns=columns(
            "asin:t, fnsku:t, product_name:t, fulfillment_center:t, country_code:t, longest_side:d, median_side:d, "
            "shortest_side:d, measurement_units:t, weight:d, weight_units:t, item_volume:d, volume_units:t, "
            "product_size_tier:t, average_quantity_on_hand:d, average_quantity_pending_removal:d, "
            "estimated_total_item_volume:d, month_of_charge:t, storage_rate:d, currency:t, "
            "estimated_monthly_storage_fee:d, dangerous_goods_storage_type:t, eligible_for_inventory_discount:t, "
            "qualifies_for_inventory_discount:t, total_incentive_fee_amount:d, breakdown_incentive_fee_amount:t, "
            "average_quantity_customer_orders:d"
        ),
        primary_key=("marketplace_id", "asin", "fnsku", "fulfillment_center", "month_of_charge"),
        description="Monthly FBA storage fees per ASIN and fulfillment center.",
    ),
    ReportSpec(
        report_type="GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
        fmt="tsv",
        columns=columns(
            "sku:t, fnsku:t, asin:t, product-name:t, product-group:t, brand:t, fulfilled-by:t, your-price:d, "
            "sales-price:d, longest-side:d, median-side:d, shortest-side:d, length-and-girth:d, unit-of-dimension:t, "
            "item-package-weight:d, unit-of-weight:t, product-size-tier:t, currency:t, estimated-fee-total:d, "
            "estimated-referral-fee-per-unit:d, estimated-variable-closing-fee:d, "
            "estimated-order-handling-fee-per-order:d, estimated-pick-pack-fee-per-unit:d, "
            "estimated-weight-handling-fee-per-unit:d, expected-fulfillment-fee-per-unit:d"
        ),
        primary_key=("marketplace_id", "sku"),
        window=SNAPSHOT,
        description="Estimated FBA fees per SKU of current inventory (a snapshot).",
    ),
    # --- FBA sales, concessions, removals, Subscribe & Save -----------------------------------------
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_SALES_DATA",
        fmt="tsv",
        columns=columns(
            "shipment-date:dt, sku:t, fnsku:t, asin:t, fulfillment-center-id:t, quantity:i, amazon-order-id:t, "
            "currency:t, item-price-per-unit:d, shipping-price:d, gift-wrap-price:d, ship-city:t, ship-state:t, "
            "ship-postal-code:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        description="FBA customer shipments with their sales amounts, by shipment date.",
    ),
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_PROMOTION_DATA",
        fmt="tsv",
        columns=columns(
            "shipment-date:dt, currency:t, item-promotion-discount:d, item-promotion-id:t, description:t, "
            "promotion-rule-value:t, amazon-order-id:t, shipment-id:t, shipment-item-id:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        description="Promotions applied to FBA customer shipments, by shipment date.",
    ),
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_REPLACEMENT_DATA",
        fmt="tsv",
        columns=columns(
            "shipment-date:dt, sku:t, asin:t, fulfillment-center-id:t, original-fulfillment-center-id:t, "
            "quantity:i, replacement-reason-code:t, replacement-customer-order-id:t, original-amazon-order-id:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        description="Free replacement shipments, by shipment date.",
    ),
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
        fmt="tsv",
        columns=columns(
            "request-date:dt, order-id:t, order-type:t, order-status:t, last-updated-date:dt, sku:t, fnsku:t, "
            "disposition:t, requested-quantity:i, cancelled-quantity:i, disposed-quantity:i, shipped-quantity:i, "
            "in-process-quantity:i, removal-fee:d, currency:t"
        ),
        primary_key=("marketplace_id", "order_id", "fnsku", "disposition"),
        description="Removal orders (returns to the seller, disposals), by request date.",
    ),
    ReportSpec(
        report_type="GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
        fmt="tsv",
        columns=columns(
            "removal-date:dt, order-id:t, shipment-date:dt, sku:t, fnsku:t, disposition:t, quantity shipped:i, "
            "carrier:t, tracking-number:t, removal-order-type:t"
        ),
        primary_key=("row_key",),
        row_key=True,
        description="Shipments of removal orders, by shipment date.",
    ),
    ReportSpec(
        report_type="GET_FBA_SNS_FORECAST_DATA",
        fmt="tsv",
        columns=columns(
            "offer-state:t, snapshot-date:dt, sku:t, fnsku:t, asin:t, estimated-avg-sns-discount-next-8-weeks:d, "
            "product-name:t, country:t, active-subscriptions:i, week-1-start-date:dt, "
            + ", ".join(f"scheduled-sns-units-week-{n}:i" for n in range(1, 9))
        ),
        primary_key=("marketplace_id", "sku", "country"),
        window=SNAPSHOT,
        description="Subscribe & Save units scheduled for the next eight weeks (a snapshot).",
        # Empty documents since 2025-07-25; the Replenishment API serves the forecast now (Add. §2).
        lifecycle=removed("2025-12-11", "replenishment_offer_forecast"),
    ),
    ReportSpec(
        report_type="GET_FBA_SNS_PERFORMANCE_DATA",
        fmt="tsv",
        columns=columns(
            "offer-state:t, snapshot-date:dt, sku:t, fnsku:t, asin:t, product-name:t, country:t, week-1-start-date:dt, "
            + ", ".join(
                f"sns-units-shipped-week-{n}:i, oos-rate-week-{n}:d, sns-sale-price-week-{n}:d, sns-discount-week-{n}:d"
                for n in range(1, 5)
            )
        ),
        primary_key=("marketplace_id", "sku", "country"),
        window=SNAPSHOT,
        description="Subscribe & Save performance over the last four weeks (a snapshot).",
        lifecycle=removed("2025-12-11", "replenishment_offer_metrics"),
    ),
    # --- orders and performance --------------------------------------------------------------------
    ReportSpec(
        report_type="GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE",
        fmt="tsv",
        columns=columns(f"{_ORDERS_HEAD}, url:t, {_ORDERS_TAIL}"),
        primary_key=("amazon_order_id", "sku"),
        description="Archived orders (older than 18 months in Seller Central) by purchase date.",
    ),
    ReportSpec(
        report_type="GET_SELLER_FEEDBACK_DATA",
        fmt="tsv",
        columns=columns("Date:date, Rating:i, Comments:t, Response:t, Order ID:t, Rater Email:t"),
        primary_key=("marketplace_id", "order_id"),
        description="Buyer feedback on the seller, by feedback date (dates as the marketplace writes them).",
        pii_columns=("rater_email",),
    ),
    ReportSpec(
        report_type="GET_XML_BROWSE_TREE_DATA",
        fmt="xml",
        columns=columns(
            "browseNodeId:t, browseNodeName:t, browseNodeStoreContextName:t, browsePathById:t, "
            "browsePathByName:t, hasChildren:b, productTypeDefinitions:t",
            name=snake,
        ),
        primary_key=("marketplace_id", "browse_node_id"),
        window=SNAPSHOT,
        record_path="Node",
        nested_schema={"child_nodes": {"type": ["array", "null"], "items": {"type": "string"}}},
        # childNodes@count is the length of child_nodes, said again.
        skipped_elements=("browseNodeAttributes", "refinementsInformation", "childNodes@count"),
        description="The browse tree (categories) of the marketplace.",
    ),
    ReportSpec(
        report_type="GET_SALES_AND_TRAFFIC_REPORT",
        fmt="json",
        columns=columns("parentAsin:t, childAsin:t, sku:t", name=snake),
        primary_key=("marketplace_id", "data_end_time", "row_key"),
        record_path="salesAndTrafficByAsin",
        row_key=True,
        row_key_fields=("parent_asin", "child_asin", "sku"),
        nested_schema=_json_object({"salesByAsin": SALES_BY_ASIN, "trafficByAsin": TRAFFIC_BY_ASIN}),
        # Sales and traffic data settles over 1-3 days; per-ASIN totals of a window are final once read:
        # windows end 72 hours before now, and none is read again.
        window=replace(WHOLE_DAYS, hold_back=timedelta(hours=72), look_back=LookBack.NEVER),
        description="Sales and traffic per ASIN, aggregated over each window.",
    ),
    ReportSpec(
        stream="GET_SALES_AND_TRAFFIC_REPORT_BY_DATE",
        report_type="GET_SALES_AND_TRAFFIC_REPORT",
        fmt="json",
        columns=(("date", "date"),),
        primary_key=("marketplace_id", "date"),
        record_path="salesAndTrafficByDate",
        nested_schema=_json_object({"salesByDate": SALES_BY_DATE, "trafficByDate": TRAFFIC_BY_DATE}),
        window=WHOLE_DAYS,
        description="Sales and traffic per day.",
    ),
)

# --- Vendor retail analytics and Brand Analytics ----------------------------------------------
# JSON reports whose window is a run of whole reporting periods (reportPeriod) and whose report
# options Amazon requires: without them the report ends FATAL ("This report type requires the
# reportPeriod, distributorView, sellingProgram reportOption to be specified"). The fields follow
# Amazon's report schemas (vendorSalesReport, vendorInventoryReport, vendorTrafficReport,
# vendorNetPureProductMarginReport, sellingPartnerSearchTermsReport, sellingPartnerMarketBasketAnalysisReport,
# sellingPartnerRepeatPurchaseReport); a report with an ASIN array and an aggregate array is two
# streams, the per-ASIN one named by the report type and the aggregate one with `_AGGREGATE`.

_ALL_PERIODS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
_DAY_FIRST = OptionRule(_ALL_PERIODS, "DAY")
_DISTRIBUTOR_VIEW = OptionRule(("MANUFACTURING", "SOURCING"), "MANUFACTURING")
VENDOR_SALES_OPTIONS = PeriodRule(
    {
        "reportPeriod": _DAY_FIRST,
        "distributorView": _DISTRIBUTOR_VIEW,
        "sellingProgram": OptionRule(("RETAIL", "BUSINESS", "FRESH"), "RETAIL"),
    }
)
VENDOR_INVENTORY_OPTIONS = PeriodRule(
    {
        "reportPeriod": _DAY_FIRST,
        "distributorView": _DISTRIBUTOR_VIEW,
        "sellingProgram": OptionRule(("RETAIL", "FRESH"), "RETAIL"),
    }
)
VENDOR_TRAFFIC_OPTIONS = PeriodRule({"reportPeriod": _DAY_FIRST})
VENDOR_MARGIN_OPTIONS = PeriodRule({"reportPeriod": _DAY_FIRST})
# vendorForecastingReport's one required option.
VENDOR_FORECAST_OPTIONS = PeriodRule({"sellingProgram": OptionRule(("RETAIL", "FRESH"), "RETAIL")})
# vendorRealTimeSalesReport echoes a currencyCode option (required in the echo, the currency of
# orderedRevenue); no page says a request needs it, so it is sent only when given: one of the
# currencies of Amazon's marketplaces (ISO 4217).
_CURRENCIES = (
    "AED", "AUD", "BRL", "CAD", "EGP", "EUR", "GBP", "INR", "JPY", "MXN", "PLN", "SAR", "SEK", "SGD", "TRY", "USD", "ZAR",
)  # fmt: skip
REAL_TIME_SALES_OPTIONS = PeriodRule({"currencyCode": OptionRule(_CURRENCIES, "")})
# A week by default: a day of search terms is a large document for one request each.
SEARCH_TERMS_OPTIONS = PeriodRule({"reportPeriod": OptionRule(("DAY", "WEEK", "MONTH", "QUARTER"), "WEEK")})
# Market basket and repeat purchase: a week by default too, the shortest period both have (repeat
# purchase has no DAY); each schema's reportOptions.reportPeriod enum.
MARKET_BASKET_OPTIONS = PeriodRule({"reportPeriod": OptionRule(("DAY", "WEEK", "MONTH", "QUARTER"), "WEEK")})
REPEAT_PURCHASE_OPTIONS = PeriodRule({"reportPeriod": OptionRule(("WEEK", "MONTH", "QUARTER"), "WEEK")})
_BRAND_OWNERS = "(brand owners: vendors, and sellers in Brand Registry with the Brand Analytics role)"

VENDOR_SALES = {"orderedRevenue": MONEY, "shippedCogs": MONEY, "shippedRevenue": MONEY}
VENDOR_SALES_COLUMNS = "customerReturns:i, orderedUnits:i, shippedUnits:i"
VENDOR_INVENTORY = dict.fromkeys(
    (
        "netReceivedInventoryCost",
        "sellableOnHandInventoryCost",
        "unsellableOnHandInventoryCost",
        "aged90PlusDaysSellableInventoryCost",
        "unhealthyInventoryCost",
    ),
    MONEY,
)
VENDOR_INVENTORY_COLUMNS = (
    "vendorConfirmationRate:d, netReceivedInventoryUnits:i, openPurchaseOrderUnits:i, averageVendorLeadTimeDays:d, "
    "sellThroughRate:d, unfilledCustomerOrderedUnits:i, sellableOnHandInventoryUnits:i, "
    "unsellableOnHandInventoryUnits:i, aged90PlusDaysSellableInventoryUnits:i, unhealthyInventoryUnits:i"
)
PERIOD_KEY = ("marketplace_id", "start_date", "end_date")


def _vendor_pair(
    report_type: str,
    analytics: PeriodRule,
    path: str,
    columns_spec: str,
    nested: dict[str, Any],
    what: str,
    aggregate_columns_spec: str | None = None,
) -> tuple[ReportSpec, ReportSpec]:
    """The per-ASIN stream and the aggregate stream of one vendor report."""
    by_asin = ReportSpec(
        report_type=report_type,
        fmt="json",
        columns=columns(f"startDate:date, endDate:date, asin:t, {columns_spec}", name=snake),
        primary_key=(*PERIOD_KEY, "asin"),
        window=PERIODS,
        analytics=analytics,
        account=Account.VENDOR,
        record_path=f"{path}ByAsin",
        nested_schema=_json_object(nested),
        description=f"{what} per ASIN and reporting period.",
    )
    aggregate = ReportSpec(
        stream=f"{report_type}_AGGREGATE",
        report_type=report_type,
        fmt="json",
        columns=columns(f"startDate:date, endDate:date, {aggregate_columns_spec or columns_spec}", name=snake),
        primary_key=PERIOD_KEY,
        window=PERIODS,
        analytics=analytics,
        account=Account.VENDOR,
        record_path=f"{path}Aggregate",
        nested_schema=_json_object(nested),
        description=f"{what} of the whole catalogue per reporting period.",
    )
    return by_asin, aggregate


def _real_time(report_type: str, columns_spec: str, what: str, **row: Any) -> ReportSpec:
    """A real-time vendor report: rows of `reportData` per ASIN and whole UTC hour."""
    return ReportSpec(
        report_type=report_type,
        fmt="json",
        columns=columns(f"startTime:dt, endTime:dt, asin:t, {columns_spec}", name=snake),
        primary_key=("marketplace_id", "start_time", "asin"),
        account=Account.VENDOR,
        record_path="reportData",
        description=f"{what} per ASIN and UTC hour, for the last 168 hours (real-time).",
        **{"window": REAL_TIME, **row},
    )


VENDOR_REPORTS: tuple[ReportSpec, ...] = (
    *_vendor_pair(
        "GET_VENDOR_SALES_REPORT", VENDOR_SALES_OPTIONS, "sales", VENDOR_SALES_COLUMNS, VENDOR_SALES, "Vendor sales"
    ),
    *_vendor_pair(
        "GET_VENDOR_INVENTORY_REPORT",
        VENDOR_INVENTORY_OPTIONS,
        "inventory",
        VENDOR_INVENTORY_COLUMNS,
        VENDOR_INVENTORY,
        "Vendor inventory",
        aggregate_columns_spec=(
            f"procurableProductOutOfStockRate:d, uft:d, receiveFillRate:d, {VENDOR_INVENTORY_COLUMNS}"
        ),
    ),
    *_vendor_pair(
        "GET_VENDOR_TRAFFIC_REPORT",
        VENDOR_TRAFFIC_OPTIONS,
        "traffic",
        "glanceViews:i",
        {},
        "Detail page views (glance views)",
    ),
    # Amazon's margin on the vendor's products, (revenue - COGS - vendor-funded coop) / revenue; a
    # range may span several periods of DAY..YEAR, as for the other vendor reports
    # (vendorNetPureProductMarginReport's reportSpecification).
    *_vendor_pair(
        "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT",
        VENDOR_MARGIN_OPTIONS,
        "netPureProductMargin",
        "netPureProductMargin:d",
        {},
        "Net pure product margin (Amazon's margin on the vendor's products, a fraction of revenue)",
    ),
    # Amazon's latest demand forecast, in weeks (Sunday to Saturday) from its generation date, with no
    # data window (vendorForecastingReport). Each generation is kept: its date is in the key, and a
    # sync of a newer forecast adds rows instead of replacing the older ones.
    ReportSpec(
        report_type="GET_VENDOR_FORECASTING_REPORT",
        fmt="json",
        columns=columns(
            "forecastGenerationDate:date, asin:t, startDate:date, endDate:date, meanForecastUnits:d, "
            "p70ForecastUnits:d, p80ForecastUnits:d, p90ForecastUnits:d",
            name=snake,
        ),
        primary_key=("marketplace_id", "selling_program", "forecast_generation_date", "asin", "start_date"),
        window=SNAPSHOT,
        keeps_history=True,
        analytics=VENDOR_FORECAST_OPTIONS,
        account=Account.VENDOR,
        record_path="forecastByAsin",
        option_columns=(("selling_program", "sellingProgram"),),
        description="Amazon's weekly demand forecast per ASIN (mean and 70th, 80th, 90th percentile units), "
        "every forecast generation kept.",
    ),
    _real_time(
        "GET_VENDOR_REAL_TIME_INVENTORY_REPORT",
        "highlyAvailableInventory:i",
        "Highly available inventory (sellable units in Amazon's fulfilment centres, less those bound for orders)",
    ),
    _real_time(
        "GET_VENDOR_REAL_TIME_SALES_REPORT",
        "orderedUnits:i, orderedRevenue:d",
        "Ordered units (below zero when cancellations outnumber orders) and revenue (in the `currencyCode` "
        "option's currency, else Amazon's for the marketplace)",
        analytics=REAL_TIME_SALES_OPTIONS,
    ),
    _real_time(
        "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT",
        "glanceViews:i",
        "Detail page views (glance views)",
        window=REAL_TIME_TRAFFIC,
    ),
    ReportSpec(
        report_type="GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT",
        fmt="json",
        columns=columns(
            "departmentName:t, searchTerm:t, searchFrequencyRank:i, clickedAsin:t, clickShareRank:i, clickShare:d, "
            "conversionShare:d",
            name=snake,
        ),
        primary_key=(
            "marketplace_id",
            "data_start_time",
            "data_end_time",
            "department_name",
            "search_term",
            "clicked_asin",
        ),
        # One period a request.
        window=replace(PERIODS, one_period=True),
        analytics=SEARCH_TERMS_OPTIONS,
        account=Account.BRAND_OWNERS,
        record_path="dataByDepartmentAndSearchTerm",
        description=f"Amazon search terms with their top three clicked ASINs, per reporting period {_BRAND_OWNERS}.",
    ),
    # Unlike search terms, a request may span several periods (SPAPI-NOTES Add. §3).
    ReportSpec(
        report_type="GET_BRAND_ANALYTICS_MARKET_BASKET_REPORT",
        fmt="json",
        columns=columns(
            "startDate:date, endDate:date, asin:t, purchasedWithAsin:t, purchasedWithRank:i, combinationPct:d",
            name=snake,
        ),
        primary_key=(*PERIOD_KEY, "asin", "purchased_with_asin"),
        window=PERIODS,
        analytics=MARKET_BASKET_OPTIONS,
        account=Account.BRAND_OWNERS,
        record_path="dataByAsin",
        description="The products bought most often with each of the brand's ASINs, ranked, per reporting period "
        f"{_BRAND_OWNERS}.",
    ),
    ReportSpec(
        report_type="GET_BRAND_ANALYTICS_REPEAT_PURCHASE_REPORT",
        fmt="json",
        columns=columns(
            "startDate:date, endDate:date, asin:t, orders:i, uniqueCustomers:i, repeatCustomersPctTotal:d, "
            "repeatPurchaseRevenuePctTotal:d",
            name=snake,
        ),
        primary_key=(*PERIOD_KEY, "asin"),
        window=PERIODS,
        analytics=REPEAT_PURCHASE_OPTIONS,
        account=Account.BRAND_OWNERS,
        record_path="dataByAsin",
        nested_schema=_json_object({"repeatPurchaseRevenue": MONEY}),
        description=f"Orders, customers and repeat purchases per ASIN and reporting period {_BRAND_OWNERS}.",
    ),
)
# --- Seller promotions and account health -------------------------------------------------------
# Coupons and promotions: JSON documents of the coupons (promotions) whose start date-time falls in
# two required reportOptions, `…StartDateFrom` and `…StartDateTo`; Amazon does not read dataStartTime
# or dataEndTime for them (sellerCouponReport and promotionReport schemas, `required`; Amazon's
# report type page, performance reports, at 83b77ee). Start dates go back two years at most (both
# schemas' descriptions, and that page). Amazon documents no longest range; users who asked for 5 and
# 10 months at once found promotions missing (GH jlevers/selling-partner-api#197, #803), so a request
# covers at most 30 days. A promotion's figures are cumulative to the day before the request and
# complete a day after it ends (the same page); a coupon runs 90 days at most (Seller Central), so
# each sync reads again the coupons and promotions that started in the last 91 days, upserted by id.
# Whole UTC days: a coupon that starts today is read tomorrow, when Amazon has a day of its figures.
STARTED_WITHIN = replace(
    WHOLE_DAYS, cap_days=30, look_back=LookBack.EARLIER_START, look_back_at_least=timedelta(days=91), horizon_years=2
)


def _json_array(spec: dict[str, Any]) -> dict[str, Any]:
    """Schema of an array of JSON objects from {camelName: kind}, with snake-cased names."""
    item = {"type": ["object"], "properties": _json_object(spec), "additionalProperties": True}
    return {"type": ["array", "null"], "items": item}


# Account health (accountHealthReport-2020-11-18 in Amazon's models, schemas/reports, at 387bb5d;
# not among ../shared/spapi-models: typed from that shape). Metrics are nested objects, as Amazon sends them.
_DATE_RANGE = {"reportingDateFrom": "t", "reportingDateTo": "t"}  # "2020-11-19T23:59Z": no seconds
_COUNT = {"count": "i", "status": "t"}
_TARGET = {"reportingDateRange": _DATE_RANGE, "status": "t", "rate": "d", "targetValue": "d", "targetCondition": "t"}
_ORDER_DEFECTS = {
    **_TARGET,
    "orderCount": "i",
    "orderWithDefects": _COUNT,
    "claims": _COUNT,
    "chargebacks": _COUNT,
    "negativeFeedback": _COUNT,
    "fulfillmentType": "t",
}
_LISTING_VIOLATION = {**_TARGET, "defectsCount": "i"}
ACCOUNT_HEALTH = {
    "invoiceDefectRate": {
        **_TARGET,
        "orderCount": "i",
        "invoiceDefect": _COUNT,
        "missingInvoice": _COUNT,
        "lateInvoice": _COUNT,
    },
    "lateShipmentRate": {**_TARGET, "orderCount": "i", "lateShipmentCount": "i"},
    "orderDefectRate": {"afn": _ORDER_DEFECTS, "mfn": _ORDER_DEFECTS},
    "onTimeDeliveryRate": {**_TARGET, "shipmentCountWithValidTracking": "i", "onTimeDeliveryCount": "i"},
    "unitOnTimeDeliveryRate": {**_TARGET, "unitOnTimeDeliveryCount": "i", "totalUnitCount": "i"},
    "validTrackingRate": {**_TARGET, "shipmentCount": "i", "validTrackingCount": "i"},
    "preFulfillmentCancellationRate": {**_TARGET, "orderCount": "i", "cancellationCount": "i"},
    # The schema requires `ahrStatus` (its example's name) and describes `accountHealthRatingStatus`.
    "accountHealthRating": {"ahrStatus": "t", "accountHealthRatingStatus": "t", "reportingDateRange": _DATE_RANGE},
    **dict.fromkeys(
        (
            "listingPolicyViolations",
            "productAuthenticityCustomerComplaints",
            "productConditionCustomerComplaints",
            "productSafetyCustomerComplaints",
            "receivedIntellectualPropertyComplaints",
            "restrictedProductPolicyViolations",
            "suspectedIntellectualPropertyViolations",
            "foodAndProductSafetyIssues",
            "otherPolicyViolations",
            "documentRequests",
        ),
        _LISTING_VIOLATION,
    ),
}
SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"

SELLER_ANALYTICS_REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        report_type="GET_COUPON_PERFORMANCE_REPORT",
        fmt="json",
        columns=columns(
            "couponId:t, merchantId:t, currencyCode:t, name:t, websiteMessage:t, startDateTime:dt, endDateTime:dt, "
            "customerSegment:t, discountType:t, discountAmount:d, clips:i, redemptions:i, budget:d, totalDiscount:d, "
            "budgetSpent:d, budgetRemaining:d, budgetPercentageUsed:d, sales:d",
            name=snake,
        ),
        primary_key=("marketplace_id", "coupon_id"),
        window=replace(STARTED_WITHIN, option_dates=OptionDates("couponStartDateFrom", "couponStartDateTo")),
        record_path="coupons",
        nested_schema={"asins": _json_array({"asin": "t"})},
        description="Coupons with their clips, redemptions, budget and sales so far, by coupon start date.",
    ),
    ReportSpec(
        report_type="GET_PROMOTION_PERFORMANCE_REPORT",
        fmt="json",
        columns=columns(
            "promotionId:t, promotionName:t, vendorCode:t, merchantId:t, unitsSold:i, amountSpent:d, "
            "amountSpentCurrencyCode:t, revenue:d, revenueCurrencyCode:t, startDateTime:dt, endDateTime:dt, type:t, "
            "status:t, creationChannel:t, fundingAgreementId:t, glanceViews:i, createdDateTime:dt, "
            "lastUpdatedDateTime:dt",
            name=snake,
        ),
        primary_key=("marketplace_id", "promotion_id"),
        window=replace(STARTED_WITHIN, option_dates=OptionDates("promotionStartDateFrom", "promotionStartDateTo")),
        record_path="promotions",
        nested_schema={
            "included_products": _json_array(
                {
                    "asin": "t",
                    "productName": "t",
                    "productGlanceViews": "i",
                    "productUnitsSold": "i",
                    "productAmountSpent": "d",
                    "productAmountSpentCurrencyCode": "t",
                    "productRevenue": "d",
                    "productRevenueCurrencyCode": "t",
                }
            )
        },
        description="Deals (Best Deal, Lightning Deal) with their views, units and revenue so far, by promotion "
        "start date.",
    ),
    # One document, two arrays: each marketplace's metrics, and its account status.
    ReportSpec(
        report_type=SELLER_PERFORMANCE,
        fmt="json",
        primary_key=("marketplace_id",),
        window=SNAPSHOT,
        record_path="performanceMetrics",
        nested_schema=_json_object(ACCOUNT_HEALTH)
        | {"warning_states": _json_array({"warningType": "t", "status": "t"})},
        description="Account health: the metrics of Seller Central's Account Health dashboard, one record per "
        "marketplace (a snapshot).",
    ),
    ReportSpec(
        stream=f"{SELLER_PERFORMANCE}_ACCOUNT_STATUSES",
        report_type=SELLER_PERFORMANCE,
        fmt="json",
        columns=columns("status:t", name=snake),
        primary_key=("marketplace_id",),
        window=SNAPSHOT,
        record_path="accountStatuses",
        description="The account's status per marketplace (NORMAL, AT_RISK, DEACTIVATED), from the seller "
        "performance report (a snapshot).",
    ),
)
# --- Brand Analytics: search query and search catalog performance ------------------------------
# Both schemas (sellingPartnerSearchQueryPerformanceReport, sellingPartnerSearchCatalogPerformanceReport;
# SPAPI-NOTES Add. §3): one reporting period a request (WEEK, MONTH or QUARTER, "requests cannot span
# multiple periods"), one marketplace, `dataByAsin` rows of metric objects. Their fields are columns
# here (`records.flat_name`): impressionData.impressionCount is `impression_count`,
# purchaseData.conversionRate `purchase_conversion_rate`, a price object `…_amount` and `…_currency_code`.
SEARCH_QUERY_PERFORMANCE = "GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT"
SEARCH_CATALOG_PERFORMANCE = "GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT"
# Amazon's limit on both reports' ASIN options: 200 characters, about 18 ASINs.
ASIN_CHARS = 200
_SEARCH_PERIOD = OptionRule(("WEEK", "MONTH", "QUARTER"), "WEEK")
# SCP's `asins` is optional: without it the report covers every ASIN of the brand.
SEARCH_CATALOG_OPTIONS = PeriodRule(
    {"reportPeriod": _SEARCH_PERIOD, "asins": OptionRule((), "", asin_list=True, max_chars=ASIN_CHARS)}
)
# SQP's `asin` is required: the tap sends the given ASINs (any number) in parts, or the brand's own.
SEARCH_QUERY_OPTIONS = PeriodRule({"reportPeriod": _SEARCH_PERIOD, "asin": OptionRule((), "", asin_list=True)})
_MEDIAN = MONEY
SEARCH_QUERY_ROW: dict[str, Any] = {
    "startDate": "date",
    "endDate": "date",
    "asin": "t",
    "searchQueryData": {"searchQuery": "t", "searchQueryScore": "i", "searchQueryVolume": "i"},
    "impressionData": {"totalQueryImpressionCount": "i", "asinImpressionCount": "i", "asinImpressionShare": "d"},
    **{
        f"{step}Data": {
            f"total{name}Count": "i",
            f"total{name}Rate": "d",
            f"asin{name}Count": "i",
            f"asin{name}Share": "d",
            f"totalMedian{name}Price": _MEDIAN,
            f"asinMedian{name}Price": _MEDIAN,
            f"totalSameDayShipping{name}Count": "i",
            f"totalOneDayShipping{name}Count": "i",
            f"totalTwoDayShipping{name}Count": "i",
        }
        for step, name in (("click", "Click"), ("cartAdd", "CartAdd"), ("purchase", "Purchase"))
    },
}


def _shipping(name: str) -> dict[str, str]:
    return {f"{speed}DayShipping{name}Count": "i" for speed in ("same", "one", "two")}


SEARCH_CATALOG_ROW: dict[str, Any] = {
    "startDate": "date",
    "endDate": "date",
    "asin": "t",
    "impressionData": {"impressionCount": "i", "impressionMedianPrice": _MEDIAN, **_shipping("Impression")},
    "clickData": {"clickCount": "i", "clickRate": "d", "clickedMedianPrice": _MEDIAN, **_shipping("Click")},
    "cartAddData": {"cartAddCount": "i", "cartAddedMedianPrice": _MEDIAN, **_shipping("CartAdd")},
    "purchaseData": {
        "purchaseCount": "i",
        "searchTrafficSales": _MEDIAN,
        "conversionRate": "d",
        "purchaseMedianPrice": _MEDIAN,
        **_shipping("Purchase"),
    },
}


def _flat_columns(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Columns of a JSON row whose objects are flattened (`records.flattened`), in Amazon's order."""
    found: list[tuple[str, str]] = []

    def spread(value: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for key, kind in value.items():
            name = f"{prefix}_{snake(key)}" if prefix else snake(key)
            pairs.extend(spread(kind, name) if isinstance(kind, dict) else [(name, kind)])
        return pairs

    for key, value in row.items():
        if isinstance(value, dict):
            found.extend((flat_name(snake(key), name), kind) for name, kind in spread(value, ""))
        else:
            found.append((snake(key), value))
    names = [name for name, _kind in found]
    if len(set(names)) != len(names):
        raise ValueError(f"flattened columns collide: {sorted(n for n in names if names.count(n) > 1)}")
    return tuple(found)


def _groups(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(snake(key) for key, value in row.items() if isinstance(value, dict))


_SEARCH_WINDOW = replace(PERIODS, one_period=True)
BRAND_SEARCH_REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        report_type=SEARCH_CATALOG_PERFORMANCE,
        fmt="json",
        columns=_flat_columns(SEARCH_CATALOG_ROW),
        flattened=_groups(SEARCH_CATALOG_ROW),
        primary_key=(*PERIOD_KEY, "asin"),
        window=_SEARCH_WINDOW,
        analytics=SEARCH_CATALOG_OPTIONS,
        account=Account.BRAND_OWNERS,
        record_path="dataByAsin",
        description="Search impressions, clicks, cart adds and purchases of each of the brand's ASINs (or those of "
        f"the `asins` option), per reporting period {_BRAND_OWNERS}.",
    ),
    ReportSpec(
        report_type=SEARCH_QUERY_PERFORMANCE,
        fmt="json",
        columns=_flat_columns(SEARCH_QUERY_ROW),
        flattened=_groups(SEARCH_QUERY_ROW),
        primary_key=(*PERIOD_KEY, "asin", "search_query"),
        window=_SEARCH_WINDOW,
        analytics=SEARCH_QUERY_OPTIONS,
        account=Account.BRAND_OWNERS,
        record_path="dataByAsin",
        asin_parts=AsinParts("asin", ASIN_CHARS, listed_by=SEARCH_CATALOG_PERFORMANCE),
        description="The search queries that led shoppers to each ASIN, with impressions, clicks, cart adds and "
        "purchases of the query and of the ASIN, per reporting period; the ASINs of the `asin` option, or all the "
        f"brand's, 18 a request {_BRAND_OWNERS}.",
    ),
)
REPORTS: tuple[ReportSpec, ...] = (*SELLER_REPORTS, *SELLER_ANALYTICS_REPORTS, *VENDOR_REPORTS, *BRAND_SEARCH_REPORTS)
BY_STREAM: dict[str, ReportSpec] = {spec.stream: spec for spec in REPORTS}


def streams_for(account_type: str) -> tuple[ReportSpec, ...]:
    """The report streams an account of this type can sync."""
    return tuple(spec for spec in REPORTS if spec.account.serves(account_type))


# --- What Amazon says of each report type, beyond its rows --------------------------------------
# Options: whether the type accepts reportOptions, from Amazon's report type values
# (amzn/selling-partner-api-docs references/reports-api/reporttype-values.md at 83b77ee, and the
# report schemas of the JSON types). A report Amazon lists never shows its options, so a listed
# report of a type that takes them may have been filtered by another app: only reports of types
# without options are reused from getReports.
# Regeneration: Amazon builds a near-real-time FBA report at most once every 30 minutes and a daily
# FBA report at most once every 4 hours, reports of other apps of the seller included (the FBA
# section of the same page, and the current FBA reports page; the All Orders reports are exempt).
# The FBA types that page leaves unlabelled (the ledger, storage fee, fee preview and inventory
# planning reports: their data change daily or less often) and the Subscribe & Save reports are
# taken as daily, the stricter class. Types without a class are retried after the configured
# `fatal_retry_cooldown_seconds`.
NEAR_REAL_TIME = "near-real-time FBA"
DAILY = "daily FBA"


@dataclass(frozen=True)
class ReportType:
    """Amazon's facts about one report type that every stream of the type shares."""

    takes_options: bool = False
    regeneration: str | None = None


_OPTIONS = ReportType(takes_options=True)
_NEAR_REAL_TIME = ReportType(regeneration=NEAR_REAL_TIME)
_DAILY = ReportType(regeneration=DAILY)
REPORT_TYPES: dict[str, ReportType] = {
    **dict.fromkeys(
        (
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
            "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "GET_XML_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
            "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
            "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
            "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
            "GET_MERCHANT_LISTINGS_DATA",
            "GET_MERCHANT_LISTINGS_INACTIVE_DATA",
            "GET_MERCHANT_LISTINGS_DATA_LITE",
            "GET_MERCHANT_LISTINGS_DATA_LITER",
            "GET_MERCHANTS_LISTINGS_FYP_REPORT",
            "GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE",
            "GET_SELLER_FEEDBACK_DATA",
            "GET_VENDOR_REAL_TIME_INVENTORY_REPORT",
            "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT",
        ),
        ReportType(),
    ),
    # Listings: `custom`; the browse tree: MarketplaceId, RootNodesOnly, BrowseNodeId.
    **dict.fromkeys(
        (
            "GET_MERCHANT_LISTINGS_ALL_DATA",
            "GET_MERCHANT_LISTINGS_DATA_BACK_COMPAT",
            "GET_MERCHANT_CANCELLED_LISTINGS_DATA",
            "GET_FLAT_FILE_OPEN_LISTINGS_DATA",
            "GET_XML_BROWSE_TREE_DATA",
            # dateGranularity, asinGranularity; reportPeriod and the vendor views (their schemas).
            "GET_SALES_AND_TRAFFIC_REPORT",
            *(spec.report_type for spec in REPORTS if spec.analytics is not None),
        ),
        _OPTIONS,
    ),
    **dict.fromkeys(
        (
            "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
            "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
            "GET_FBA_MYI_ALL_INVENTORY_DATA",
            "GET_AFN_INVENTORY_DATA",
            "GET_AFN_INVENTORY_DATA_BY_COUNTRY",
            "GET_RESERVED_INVENTORY_DATA",
            "GET_STRANDED_INVENTORY_UI_DATA",
            "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_SALES_DATA",
            "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
            "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
        ),
        _NEAR_REAL_TIME,
    ),
    **dict.fromkeys(
        (
            "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
            "GET_FBA_REIMBURSEMENTS_DATA",
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_PROMOTION_DATA",
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_REPLACEMENT_DATA",
            # Unlabelled by Amazon (see above).
            "GET_LEDGER_DETAIL_VIEW_DATA",
            "GET_FBA_STORAGE_FEE_CHARGES_DATA",
            "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
            "GET_FBA_INVENTORY_PLANNING_DATA",
            "GET_FBA_SNS_FORECAST_DATA",
            "GET_FBA_SNS_PERFORMANCE_DATA",
        ),
        _DAILY,
    ),
    # aggregateByLocation, aggregatedByTimePeriod.
    "GET_LEDGER_SUMMARY_VIEW_DATA": ReportType(takes_options=True, regeneration=DAILY),
    # Their window is in reportOptions.
    "GET_COUPON_PERFORMANCE_REPORT": _OPTIONS,
    "GET_PROMOTION_PERFORMANCE_REPORT": _OPTIONS,
    SELLER_PERFORMANCE: ReportType(),
}
