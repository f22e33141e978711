"""The report catalogue: every report stream is one row of `REPORTS`.

Column lists come from Amazon's report attribute pages (and, where Amazon lists none, from what
real files carry). Kinds: t text, i integer, d decimal, b boolean, dt date-time, date date.
Window caps are the widest range Amazon serves in one report, in days; None marks a snapshot
report that ignores the data window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tap_amazon_sp.records import column_name, snake

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
DEFAULT_CAP_DAYS = 365


def columns(spec: str, name: Callable[[str], str] = column_name) -> tuple[tuple[str, str], ...]:
    """Parse `"Order ID:t, Order date:date"` into ((name, kind), ...) with normalised names."""
    result = []
    for item in spec.split(","):
        header, _, kind = item.strip().rpartition(":")
        if kind not in KIND_SCHEMAS:
            raise ValueError(f"unknown kind in {item!r}")
        result.append((name(header), kind))
    return tuple(result)


@dataclass(frozen=True)
class ReportSpec:
    """One report stream."""

    stream: str
    report_type: str
    fmt: str  # "tsv", "xml" or "json"
    columns: tuple[tuple[str, str], ...] = ()
    primary_key: tuple[str, ...] = ()
    window_cap_days: int | None = DEFAULT_CAP_DAYS  # None: a snapshot, not windowed
    list_only: bool = False  # Amazon creates it; we can only list and download it
    account: str = "Seller"  # "Seller", "Vendor" or BRAND_OWNERS
    record_path: str = ""  # JSON: the array holding the records; XML: the record element
    row_key: bool = False  # no natural key: add `row_key` (see `row_key_fields`)
    row_key_fields: tuple[str, ...] = ()  # row_key joins these; empty: a digest of the row's content
    nested_schema: dict[str, Any] = field(default_factory=dict)  # JSON reports: their typed properties
    skipped_elements: tuple[str, ...] = ()  # XML: elements known and deliberately not loaded
    description: str = ""

    @property
    def windowed(self) -> bool:
        return self.window_cap_days is not None or self.list_only

    @property
    def replication_key(self) -> str | None:
        return "data_end_time" if self.windowed else None

    @property
    def kinds(self) -> dict[str, str]:
        return {name: KIND_TYPES[kind] for name, kind in self.columns}

    def schema(self) -> dict[str, Any]:
        """The stream's JSON schema: the report's columns plus what the tap adds to each record."""
        properties: dict[str, Any] = {name: dict(KIND_SCHEMAS[kind]) for name, kind in self.columns}
        properties.update(self.nested_schema)
        properties["marketplace_id"] = {"type": ["string"]}
        properties["data_start_time"] = {"type": ["string", "null"], "format": "date-time"}
        properties["data_end_time"] = {"type": ["string"], "format": "date-time"}
        properties["report_id"] = {"type": ["string", "null"]}
        if self.row_key:
            properties["row_key"] = {"type": ["string"]}
        return {"type": "object", "properties": properties}


def _json_object(spec: dict[str, Any]) -> dict[str, Any]:
    """Schema properties from {camelName: kind or nested dict}, with snake-cased names."""
    props: dict[str, Any] = {}
    for key, value in spec.items():
        if isinstance(value, dict):
            # A metric Amazon adds to a nested object is kept (targets store these objects whole).
            props[snake(key)] = {
                "type": ["object", "null"], "properties": _json_object(value), "additionalProperties": True,
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
    **_b2b({"orderedProductSales": MONEY, "unitsOrdered": "i", "totalOrderItems": "i",
            "averageSalesPerOrderItem": MONEY, "averageUnitsPerOrderItem": "d", "averageSellingPrice": MONEY}),
    "unitsRefunded": "i", "refundRate": "d", "claimsGranted": "i", "claimsAmount": MONEY,
    "shippedProductSales": MONEY, "unitsShipped": "i", "ordersShipped": "i",
}
TRAFFIC_BY_DATE = {
    **_b2b({"browserPageViews": "i", "mobileAppPageViews": "i", "pageViews": "i", "browserSessions": "i",
            "mobileAppSessions": "i", "sessions": "i", "buyBoxPercentage": "d", "orderItemSessionPercentage": "d",
            "unitSessionPercentage": "d"}),
    "averageOfferCount": "i", "averageParentItems": "i", "feedbackReceived": "i",
    "negativeFeedbackReceived": "i", "receivedNegativeFeedbackRate": "d",
}
SALES_BY_ASIN = _b2b({"unitsOrdered": "i", "orderedProductSales": MONEY, "totalOrderItems": "i"})
TRAFFIC_BY_ASIN = _b2b({
    "browserSessions": "i", "mobileAppSessions": "i", "sessions": "i", "browserSessionPercentage": "d",
    "mobileAppSessionPercentage": "d", "sessionPercentage": "d", "browserPageViews": "i", "mobileAppPageViews": "i",
    "pageViews": "i", "browserPageViewsPercentage": "d", "mobileAppPageViewsPercentage": "d",
    "pageViewsPercentage": "d", "buyBoxPercentage": "d", "unitSessionPercentage": "d",
})

ALL_ORDERS = columns(
    "amazon-order-id:t, merchant-order-id:t, purchase-date:dt, last-updated-date:dt, order-status:t, "
    "fulfillment-channel:t, sales-channel:t, order-channel:t, ship-service-level:t, product-name:t, sku:t, asin:t, "
    "item-status:t, quantity:i, currency:t, item-price:d, item-tax:d, shipping-price:d, shipping-tax:d, "
    "gift-wrap-price:d, gift-wrap-tax:d, item-promotion-discount:d, ship-promotion-discount:d, ship-city:t, "
    "ship-state:t, ship-postal-code:t, ship-country:t, promotion-ids:t, is-business-order:b, "
    "purchase-order-number:t, price-designation:t"
)

REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        "tsv", ALL_ORDERS, ("amazon_order_id", "sku"), 30,
        description="All orders by purchase date, one row per order item.",
    ),
    ReportSpec(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
        "tsv", ALL_ORDERS, ("amazon_order_id", "sku"), 30,
        description="All orders by last update, one row per order item.",
    ),
    ReportSpec(
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", "tsv",
        columns(
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
        ("amazon_order_id", "shipment_item_id"), 30,
        description="FBA shipments, one row per shipped item.",
    ),
    ReportSpec(
        "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", "tsv",
        columns(
            "Order ID:t, Order date:date, Return request date:date, Return request status:t, Amazon RMA ID:t, "
            "Merchant RMA ID:t, Label type:t, Label cost:d, Currency code:t, Return carrier:t, Tracking ID:t, "
            "Label to be paid by:t, A-to-Z Claim:t, Is prime:t, ASIN:t, Merchant SKU:t, Item Name:t, "
            "Return quantity:i, Return Reason:t, In policy:t, Return type:t, Resolution:t, Invoice number:t, "
            "Return delivery date:date, Order Amount:d, Order quantity:i, SafeT Action reason:t, SafeT claim id:t, "
            "SafeT claim state:t, SafeT claim creation time:date, SafeT claim reimbursement amount:d, "
            "Refunded Amount:d"
        ),
        ("order_id", "amazon_rma_id", "merchant_sku"), 60,
        description="Merchant-fulfilled returns by return request date.",
    ),
    ReportSpec(
        "GET_MERCHANT_LISTINGS_ALL_DATA", "GET_MERCHANT_LISTINGS_ALL_DATA", "tsv",
        columns(
            "item-name:t, item-description:t, listing-id:t, seller-sku:t, price:d, quantity:i, open-date:dt, "
            "image-url:t, item-is-marketplace:t, product-id-type:t, zshop-shipping-fee:t, item-note:t, "
            "item-condition:t, zshop-category1:t, zshop-browse-path:t, zshop-storefront-feature:t, asin1:t, asin2:t, "
            "asin3:t, will-ship-internationally:t, expedited-shipping:t, zshop-boldface:t, product-id:t, "
            "bid-for-featured-placement:t, add-delete:t, pending-quantity:i, fulfillment-channel:t, "
            "merchant-shipping-group:t, status:t"
        ),
        ("marketplace_id", "seller_sku"), None,
        description="All listings, active and inactive (a snapshot).",
    ),
    ReportSpec(
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "tsv",
        columns(
            "sku:t, fnsku:t, asin:t, product-name:t, condition:t, your-price:d, mfn-listing-exists:t, "
            "mfn-fulfillable-quantity:i, afn-listing-exists:t, afn-warehouse-quantity:i, afn-fulfillable-quantity:i, "
            "afn-unsellable-quantity:i, afn-reserved-quantity:i, afn-total-quantity:i, per-unit-volume:d, "
            "afn-inbound-working-quantity:i, afn-inbound-shipped-quantity:i, afn-inbound-receiving-quantity:i, "
            "afn-researching-quantity:i, afn-reserved-future-supply:i, afn-future-supply-buyable:i"
        ),
        ("marketplace_id", "sku"), None,
        description="FBA inventory of active listings (a snapshot).",
    ),
    ReportSpec(
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "tsv",
        columns(
            "return-date:dt, order-id:t, sku:t, asin:t, fnsku:t, product-name:t, quantity:i, "
            "fulfillment-center-id:t, detailed-disposition:t, reason:t, status:t, license-plate-number:t, "
            "customer-comments:t"
        ),
        ("row_key",), row_key=True,
        description="FBA customer returns by return date.",
    ),
    ReportSpec(
        "GET_FBA_REIMBURSEMENTS_DATA", "GET_FBA_REIMBURSEMENTS_DATA", "tsv",
        columns(
            "approval-date:dt, reimbursement-id:t, case-id:t, amazon-order-id:t, reason:t, sku:t, fnsku:t, asin:t, "
            "product-name:t, condition:t, currency-unit:t, amount-per-unit:d, amount-total:d, "
            "quantity-reimbursed-cash:i, quantity-reimbursed-inventory:i, quantity-reimbursed-total:i, "
            "original-reimbursement-id:t, original-reimbursement-type:t"
        ),
        ("row_key",), row_key=True,
        description="FBA reimbursements by approval date.",
    ),
    ReportSpec(
        "GET_LEDGER_DETAIL_VIEW_DATA", "GET_LEDGER_DETAIL_VIEW_DATA", "tsv",
        columns(
            "Date:date, FNSKU:t, ASIN:t, MSKU:t, Title:t, Event Type:t, Reference ID:t, Quantity:i, "
            "Fulfillment Center:t, Disposition:t, Reason:t, Country:t, Reconciled Quantity:i, "
            "Unreconciled Quantity:i, Date and Time:dt"
        ),
        ("row_key",), row_key=True,
        description="FBA inventory ledger, one row per inventory event.",
    ),
    ReportSpec(
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "tsv",
        columns(
            "settlement-id:t, settlement-start-date:dt, settlement-end-date:dt, deposit-date:dt, total-amount:d, "
            "currency:t, transaction-type:t, order-id:t, merchant-order-id:t, adjustment-id:t, shipment-id:t, "
            "marketplace-name:t, shipment-fee-type:t, shipment-fee-amount:d, order-fee-type:t, order-fee-amount:d, "
            "fulfillment-id:t, posted-date:date, order-item-code:t, merchant-order-item-id:t, "
            "merchant-adjustment-item-id:t, sku:t, quantity-purchased:i, price-type:t, price-amount:d, "
            "item-related-fee-type:t, item-related-fee-amount:d, misc-fee-amount:d, other-fee-amount:d, "
            "other-fee-reason-description:t, promotion-id:t, promotion-type:t, promotion-amount:d, "
            "direct-payment-type:t, direct-payment-amount:d, other-amount:d"
        ),
        ("row_key",), None, list_only=True, row_key=True,
        description="Settlements, as Amazon generates them (listed, never requested).",
    ),
    ReportSpec(
        "GET_XML_BROWSE_TREE_DATA", "GET_XML_BROWSE_TREE_DATA", "xml",
        columns(
            "browseNodeId:t, browseNodeName:t, browseNodeStoreContextName:t, browsePathById:t, "
            "browsePathByName:t, hasChildren:b, productTypeDefinitions:t",
            name=snake,
        ),
        ("marketplace_id", "browse_node_id"), None, record_path="Node",
        nested_schema={"child_nodes": {"type": ["array", "null"], "items": {"type": "string"}}},
        skipped_elements=("browseNodeAttributes", "refinementsInformation"),
        description="The browse tree (categories) of the marketplace.",
    ),
    ReportSpec(
        "GET_SALES_AND_TRAFFIC_REPORT", "GET_SALES_AND_TRAFFIC_REPORT", "json",
        columns("parentAsin:t, childAsin:t, sku:t", name=snake),
        ("marketplace_id", "data_end_time", "row_key"), record_path="salesAndTrafficByAsin", row_key=True,
        row_key_fields=("parent_asin", "child_asin", "sku"),
        nested_schema=_json_object({"salesByAsin": SALES_BY_ASIN, "trafficByAsin": TRAFFIC_BY_ASIN}),
        description="Sales and traffic per ASIN, aggregated over each window.",
    ),
    ReportSpec(
        "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE", "GET_SALES_AND_TRAFFIC_REPORT", "json",
        (("date", "date"),),
        ("marketplace_id", "date"), record_path="salesAndTrafficByDate",
        nested_schema=_json_object({"salesByDate": SALES_BY_DATE, "trafficByDate": TRAFFIC_BY_DATE}),
        description="Sales and traffic per day.",
    ),
)

BY_STREAM: dict[str, ReportSpec] = {spec.stream: spec for spec in REPORTS}


def streams_for(account_type: str) -> tuple[ReportSpec, ...]:
    """The report streams an account of this type can sync."""
    return tuple(spec for spec in REPORTS if spec.account in (account_type, BRAND_OWNERS))


# --- Vendor retail analytics and Brand Analytics ----------------------------------------------
# JSON reports whose window is a run of whole reporting periods (reportPeriod) and whose report
# options Amazon requires: without them the report ends FATAL ("This report type requires the
# reportPeriod, distributorView, sellingProgram reportOption to be specified"). The fields follow
# Amazon's report schemas (vendorSalesReport, vendorInventoryReport, vendorTrafficReport,
# sellingPartnerSearchTermsReport); a report with an ASIN array and an aggregate array is two
# streams, the per-ASIN one named by the report type and the aggregate one with `_AGGREGATE`.

PERIODS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
# Brand Analytics reports serve brand owners of either account type: vendors, and sellers
# registered in Brand Registry with the Brand Analytics role.
BRAND_OWNERS = "Seller or Vendor"


@dataclass(frozen=True)
class OptionRule:
    """A report option Amazon requires: its allowed values and the tap's default."""

    allowed: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class PeriodReport:
    """How an analytics report type takes its window and options."""

    options: dict[str, OptionRule]
    spans_periods: bool = True  # False: one request covers exactly one period
    # Amazon publishes these reports up to 72 hours after a period closes, and revises them until
    # then: windows end no later than now minus this, so a bookmark never passes unpublished days.
    hold_back_hours: int = 72

    @property
    def period(self) -> OptionRule:
        return self.options["reportPeriod"]


_DAY_FIRST = OptionRule(PERIODS, "DAY")
_DISTRIBUTOR_VIEW = OptionRule(("MANUFACTURING", "SOURCING"), "MANUFACTURING")
ANALYTICS: dict[str, PeriodReport] = {
    "GET_VENDOR_SALES_REPORT": PeriodReport({
        "reportPeriod": _DAY_FIRST, "distributorView": _DISTRIBUTOR_VIEW,
        "sellingProgram": OptionRule(("RETAIL", "BUSINESS", "FRESH"), "RETAIL"),
    }),
    "GET_VENDOR_INVENTORY_REPORT": PeriodReport({
        "reportPeriod": _DAY_FIRST, "distributorView": _DISTRIBUTOR_VIEW,
        "sellingProgram": OptionRule(("RETAIL", "FRESH"), "RETAIL"),
    }),
    "GET_VENDOR_TRAFFIC_REPORT": PeriodReport({"reportPeriod": _DAY_FIRST}),
    # A week by default: a day of search terms is a large document for one request each.
    "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT": PeriodReport(
        {"reportPeriod": OptionRule(("DAY", "WEEK", "MONTH", "QUARTER"), "WEEK")}, spans_periods=False,
    ),
}

VENDOR_SALES = {"orderedRevenue": MONEY, "shippedCogs": MONEY, "shippedRevenue": MONEY}
VENDOR_SALES_COLUMNS = "customerReturns:i, orderedUnits:i, shippedUnits:i"
VENDOR_INVENTORY = {
    name: MONEY for name in (
        "netReceivedInventoryCost", "sellableOnHandInventoryCost", "unsellableOnHandInventoryCost",
        "aged90PlusDaysSellableInventoryCost", "unhealthyInventoryCost",
    )
}
VENDOR_INVENTORY_COLUMNS = (
    "vendorConfirmationRate:d, netReceivedInventoryUnits:i, openPurchaseOrderUnits:i, averageVendorLeadTimeDays:d, "
    "sellThroughRate:d, unfilledCustomerOrderedUnits:i, sellableOnHandInventoryUnits:i, "
    "unsellableOnHandInventoryUnits:i, aged90PlusDaysSellableInventoryUnits:i, unhealthyInventoryUnits:i"
)
PERIOD_KEY = ("marketplace_id", "start_date", "end_date")


def _vendor_pair(
    report_type: str, path: str, columns_spec: str, nested: dict[str, Any], what: str,
    aggregate_columns_spec: str | None = None,
) -> tuple[ReportSpec, ReportSpec]:
    """The per-ASIN stream and the aggregate stream of one vendor report."""
    by_asin = ReportSpec(
        report_type, report_type, "json", columns(f"startDate:date, endDate:date, asin:t, {columns_spec}", name=snake),
        (*PERIOD_KEY, "asin"), account="Vendor", record_path=f"{path}ByAsin", nested_schema=_json_object(nested),
        description=f"{what} per ASIN and reporting period.",
    )
    aggregate = ReportSpec(
        f"{report_type}_AGGREGATE", report_type, "json",
        columns(f"startDate:date, endDate:date, {aggregate_columns_spec or columns_spec}", name=snake),
        PERIOD_KEY, account="Vendor", record_path=f"{path}Aggregate", nested_schema=_json_object(nested),
        description=f"{what} of the whole catalogue per reporting period.",
    )
    return by_asin, aggregate


VENDOR_REPORTS: tuple[ReportSpec, ...] = (
    *_vendor_pair("GET_VENDOR_SALES_REPORT", "sales", VENDOR_SALES_COLUMNS, VENDOR_SALES, "Vendor sales"),
    *_vendor_pair(
        "GET_VENDOR_INVENTORY_REPORT", "inventory", VENDOR_INVENTORY_COLUMNS, VENDOR_INVENTORY, "Vendor inventory",
        aggregate_columns_spec=(
            f"procurableProductOutOfStockRate:d, uft:d, receiveFillRate:d, {VENDOR_INVENTORY_COLUMNS}"
        ),
    ),
    *_vendor_pair("GET_VENDOR_TRAFFIC_REPORT", "traffic", "glanceViews:i", {}, "Detail page views (glance views)"),
    ReportSpec(
        "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT", "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT", "json",
        columns(
            "departmentName:t, searchTerm:t, searchFrequencyRank:i, clickedAsin:t, clickShareRank:i, clickShare:d, "
            "conversionShare:d",
            name=snake,
        ),
        ("marketplace_id", "data_start_time", "data_end_time", "department_name", "search_term", "clicked_asin"),
        account=BRAND_OWNERS, record_path="dataByDepartmentAndSearchTerm",
        description="Amazon search terms with their top three clicked ASINs, per reporting period "
        "(brand owners: vendors, and sellers in Brand Registry with the Brand Analytics role).",
    ),
)
REPORTS += VENDOR_REPORTS
BY_STREAM.update({spec.stream: spec for spec in VENDOR_REPORTS})
