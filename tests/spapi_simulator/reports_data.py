"""Per-report column tables (header text and value kind), as in contracts section 5.

The tables are written in the contract's own "header kind, header kind, ..." notation so the two can be
compared by eye.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from .rendering import DateStyle, DateTimeStyle

Kind = Literal["t", "i", "d", "b", "dt", "date"]
_KINDS = ("t", "i", "d", "b", "dt", "date")


def normalise_header(header: str) -> str:
    """The tap's record key for an (English) flat-file header."""
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind

    @property
    def key(self) -> str:
        return normalise_header(self.header)


def _columns(spec: str) -> tuple[Column, ...]:
    cols = []
    for item in spec.split(","):
        header, kind = item.strip().rsplit(" ", 1)
        if kind not in _KINDS:
            raise ValueError(f"bad kind in column spec {item!r}")
        cols.append(Column(header, cast(Kind, kind)))
    return tuple(cols)


@dataclass(frozen=True)
class ReportSpec:
    report_type: str
    columns: tuple[Column, ...]
    filter_header: str | None  # None: snapshot, ignores the window
    datetime_style: DateTimeStyle = "iso"
    date_style: DateStyle = "returns"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


ALL_ORDERS_COLUMNS = _columns("""
    amazon-order-id t, merchant-order-id t, purchase-date dt, last-updated-date dt, order-status t,
    fulfillment-channel t, sales-channel t, order-channel t, ship-service-level t, product-name t, sku t, asin t,
    item-status t, quantity i, currency t, item-price d, item-tax d, shipping-price d, shipping-tax d,
    gift-wrap-price d, gift-wrap-tax d, item-promotion-discount d, ship-promotion-discount d, ship-city t,
    ship-state t, ship-postal-code t, ship-country t, promotion-ids t, is-business-order b,
    purchase-order-number t, price-designation t""")

ALL_ORDERS_BY_ORDER_DATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
ALL_ORDERS_BY_LAST_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
SHIPMENTS = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
FBA_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
BROWSE_TREE = "GET_XML_BROWSE_TREE_DATA"
SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"
SALES_AND_TRAFFIC_BY_DATE = "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"  # a stream name, not a report type

FLAT_SPECS: dict[str, ReportSpec] = {
    s.report_type: s
    for s in (
        ReportSpec(ALL_ORDERS_BY_ORDER_DATE, ALL_ORDERS_COLUMNS, "purchase-date"),
        ReportSpec(ALL_ORDERS_BY_LAST_UPDATE, ALL_ORDERS_COLUMNS, "last-updated-date"),
        ReportSpec(
            SHIPMENTS,
            _columns("""
            amazon-order-id t, merchant-order-id t, shipment-id t, shipment-item-id t, amazon-order-item-id t,
            merchant-order-item-id t, purchase-date dt, payments-date dt, shipment-date dt, reporting-date dt,
            buyer-email t, buyer-name t, buyer-phone-number t, sku t, product-name t, quantity-shipped i,
            currency t, item-price d, item-tax d, shipping-price d, shipping-tax d, gift-wrap-price d,
            gift-wrap-tax d, ship-service-level t, recipient-name t, ship-address-1 t, ship-address-2 t,
            ship-address-3 t, ship-city t, ship-state t, ship-postal-code t, ship-country t, ship-phone-number t,
            bill-address-1 t, bill-address-2 t, bill-address-3 t, bill-city t, bill-state t, bill-postal-code t,
            bill-country t, item-promotion-discount d, ship-promotion-discount d, carrier t, tracking-number t,
            estimated-arrival-date dt, fulfillment-center-id t, fulfillment-channel t, sales-channel t"""),
            "shipment-date",
        ),
        ReportSpec(
            RETURNS,
            _columns("""
            Order ID t, Order date date, Return request date date, Return request status t, Amazon RMA ID t,
            Merchant RMA ID t, Label type t, Label cost d, Currency code t, Return carrier t, Tracking ID t,
            Label to be paid by t, A-to-Z Claim t, Is prime t, ASIN t, Merchant SKU t, Item Name t,
            Return quantity i, Return Reason t, In policy t, Return type t, Resolution t, Invoice number t,
            Return delivery date date, Order Amount d, Order quantity i, SafeT Action reason t, SafeT claim id t,
            SafeT claim state t, SafeT claim creation time date, SafeT claim reimbursement amount d,
            Refunded Amount d"""),
            "Return request date",
            date_style="returns",
        ),
        ReportSpec(
            LISTINGS,
            _columns("""
            item-name t, item-description t, listing-id t, seller-sku t, price d, quantity i, open-date dt,
            image-url t, item-is-marketplace t, product-id-type t, zshop-shipping-fee t, item-note t,
            item-condition t, zshop-category1 t, zshop-browse-path t, zshop-storefront-feature t, asin1 t,
            asin2 t, asin3 t, will-ship-internationally t, expedited-shipping t, zshop-boldface t, product-id t,
            bid-for-featured-placement t, add-delete t, pending-quantity i, fulfillment-channel t,
            merchant-shipping-group t, status t"""),
            None,
            datetime_style="named",
        ),
        ReportSpec(
            INVENTORY,
            _columns("""
            sku t, fnsku t, asin t, product-name t, condition t, your-price d, mfn-listing-exists t,
            mfn-fulfillable-quantity i, afn-listing-exists t, afn-warehouse-quantity i, afn-fulfillable-quantity i,
            afn-unsellable-quantity i, afn-reserved-quantity i, afn-total-quantity i, per-unit-volume d,
            afn-inbound-working-quantity i, afn-inbound-shipped-quantity i, afn-inbound-receiving-quantity i,
            afn-researching-quantity i, afn-reserved-future-supply i, afn-future-supply-buyable i"""),
            None,
        ),
        ReportSpec(
            FBA_RETURNS,
            _columns("""
            return-date dt, order-id t, sku t, asin t, fnsku t, product-name t, quantity i,
            fulfillment-center-id t, detailed-disposition t, reason t, status t, license-plate-number t,
            customer-comments t"""),
            "return-date",
        ),
        ReportSpec(
            REIMBURSEMENTS,
            _columns("""
            approval-date dt, reimbursement-id t, case-id t, amazon-order-id t, reason t, sku t, fnsku t, asin t,
            product-name t, condition t, currency-unit t, amount-per-unit d, amount-total d,
            quantity-reimbursed-cash i, quantity-reimbursed-inventory i, quantity-reimbursed-total i,
            original-reimbursement-id t, original-reimbursement-type t"""),
            "approval-date",
        ),
        ReportSpec(
            LEDGER,
            _columns("""
            Date date, FNSKU t, ASIN t, MSKU t, Title t, Event Type t, Reference ID t, Quantity i,
            Fulfillment Center t, Disposition t, Reason t, Country t, Reconciled Quantity i,
            Unreconciled Quantity i, Date and Time dt"""),
            "Date",
            datetime_style="named",
            date_style="ledger",
        ),
        ReportSpec(
            SETTLEMENT,
            _columns("""
            settlement-id t, settlement-start-date dt, settlement-end-date dt, deposit-date dt, total-amount d,
            currency t, transaction-type t, order-id t, merchant-order-id t, adjustment-id t, shipment-id t,
            marketplace-name t, shipment-fee-type t, shipment-fee-amount d, order-fee-type t, order-fee-amount d,
            fulfillment-id t, posted-date date, order-item-code t, merchant-order-item-id t,
            merchant-adjustment-item-id t, sku t, quantity-purchased i, price-type t, price-amount d,
            item-related-fee-type t, item-related-fee-amount d, misc-fee-amount d, other-fee-amount d,
            other-fee-reason-description t, promotion-id t, promotion-type t, promotion-amount d,
            direct-payment-type t, direct-payment-amount d, other-amount d"""),
            None,
            datetime_style="settlement",
            date_style="settlement",
        ),
    )
}

# Settlement V2 (Add. §1): Amazon documents 23 columns and its files carry 24 (promotion-id too). The
# simulator writes them in an order of its own, as real files may: a tap must map them by name.
SETTLEMENT_V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FLAT_SPECS[SETTLEMENT_V2] = ReportSpec(
    SETTLEMENT_V2,
    _columns("""
    settlement-id t, settlement-start-date dt, settlement-end-date dt, deposit-date dt, total-amount d, currency t,
    transaction-type t, order-id t, merchant-order-id t, adjustment-id t, shipment-id t, marketplace-name t,
    amount-type t, amount-description t, amount d, promotion-id t, fulfillment-id t, posted-date-time dt,
    posted-date date, order-item-code t, merchant-order-item-id t, merchant-adjustment-item-id t, sku t,
    quantity-purchased i"""),
    None,
    datetime_style="settlement",
    date_style="settlement_v2",
)

# GET_MERCHANT_LISTINGS_ALL_DATA headers as JP sellers with a Japanese Seller Central see them.
JP_LISTING_HEADERS: dict[str, str] = {
    "item-name": "商品名",
    "listing-id": "出品ID",
    "seller-sku": "出品者SKU",
    "price": "価格",
    "quantity": "数量",
    "open-date": "出品日",
    "product-id-type": "商品IDタイプ",
    "item-note": "コンディション説明",
    "item-condition": "コンディション",
    "will-ship-internationally": "国外へ配送可",
    "expedited-shipping": "迅速な配送",
    "product-id": "商品ID",
    "pending-quantity": "在庫数",
    "fulfillment-channel": "フルフィルメント・チャンネル",
    "status": "ステータス",
}


# --- the rest of the catalogue, served by the generic generator (report_families/generic.py) ----------

_LISTING = """
    item-name t, item-description t, listing-id t, seller-sku t, price d, quantity i, open-date dt, image-url t,
    item-is-marketplace t, product-id-type t, zshop-shipping-fee t, item-note t, item-condition t,
    zshop-category1 t, zshop-browse-path t, zshop-storefront-feature t, asin1 t, asin2 t, asin3 t,
    will-ship-internationally t, expedited-shipping t, zshop-boldface t, product-id t,
    bid-for-featured-placement t, add-delete t, pending-quantity i"""
_B2B = """
    Business Price d, Quantity Price Type t, Quantity Lower Bound 1 i, Quantity Price 1 d, Quantity Lower Bound 2 i,
    Quantity Price 2 d, Quantity Lower Bound 3 i, Quantity Price 3 d, Quantity Lower Bound 4 i, Quantity Price 4 d,
    Quantity Lower Bound 5 i, Quantity Price 5 d, Progressive Price Type t, Progressive Lower Bound 1 i,
    Progressive Price 1 d, Progressive Lower Bound 2 i, Progressive Price 2 d, Progressive Lower Bound 3 i,
    Progressive Price 3 d"""
_MYI = """
    sku t, fnsku t, asin t, product-name t, condition t, your-price d, mfn-listing-exists t,
    mfn-fulfillable-quantity i, afn-listing-exists t, afn-warehouse-quantity i, afn-fulfillable-quantity i,
    afn-unsellable-quantity i, afn-reserved-quantity i, afn-total-quantity i, per-unit-volume d,
    afn-inbound-working-quantity i, afn-inbound-shipped-quantity i, afn-inbound-receiving-quantity i,
    afn-researching-quantity i, afn-reserved-future-supply i, afn-future-supply-buyable i"""

SELLER_FEEDBACK = "GET_SELLER_FEEDBACK_DATA"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"

GENERIC_SPECS: dict[str, ReportSpec] = {
    s.report_type: s
    for s in (
        ReportSpec(
            "GET_MERCHANT_LISTINGS_DATA",
            _columns(_LISTING + ", fulfillment-channel t," + _B2B + ", merchant-shipping-group t"),
            None,
            datetime_style="named",
        ),
        ReportSpec(
            "GET_MERCHANT_LISTINGS_DATA_BACK_COMPAT",
            _columns(_LISTING + "," + _B2B + ", merchant-shipping-group t"),
            None,
            datetime_style="named",
        ),
        ReportSpec(
            "GET_MERCHANT_LISTINGS_INACTIVE_DATA",
            _columns(_LISTING + ", fulfillment-channel t, merchant-shipping-group t"),
            None,
            datetime_style="named",
        ),
        ReportSpec(
            "GET_MERCHANT_LISTINGS_DATA_LITE", _columns("seller-sku t, quantity i, price d, product-id t"), None
        ),
        ReportSpec("GET_MERCHANT_LISTINGS_DATA_LITER", _columns("seller-sku t, quantity i"), None),
        ReportSpec(
            "GET_MERCHANT_CANCELLED_LISTINGS_DATA",
            _columns(
                """
            item-name t, item-description t, seller-sku t, price d, quantity i, image-url t, item-is-marketplace t,
            product-id-type t, zshop-shipping-fee t, item-note t, item-condition t, zshop-category1 t,
            zshop-browse-path t, zshop-storefront-feature t, asin1 t, asin2 t, asin3 t, will-ship-internationally t,
            expedited-shipping t, zshop-boldface t, product-id t, add-delete t,"""
                + _B2B
                + """,
            merchant-shipping-group t"""
            ),
            None,
        ),
        ReportSpec("GET_FLAT_FILE_OPEN_LISTINGS_DATA", _columns("sku t, asin t, price d, quantity i," + _B2B), None),
        ReportSpec(
            "GET_MERCHANTS_LISTINGS_FYP_REPORT",
            _columns("""
            Status t, Reason t, SKU t, ASIN t, Product name t, Condition t, Status Change Date date,
            Issue Description t"""),
            None,
            date_style="fyp",
        ),
        ReportSpec("GET_FBA_MYI_ALL_INVENTORY_DATA", _columns(_MYI), None),
        ReportSpec(
            "GET_AFN_INVENTORY_DATA",
            _columns("""
            seller-sku t, fulfillment-channel-sku t, asin t, condition-type t, Warehouse-Condition-code t,
            Quantity Available i"""),
            None,
        ),
        ReportSpec(
            "GET_AFN_INVENTORY_DATA_BY_COUNTRY",
            _columns("""
            seller-sku t, fulfillment-channel-sku t, asin t, condition-type t, country t,
            quantity-for-local-fulfillment i"""),
            None,
        ),
        ReportSpec(
            "GET_RESERVED_INVENTORY_DATA",
            _columns("""
            sku t, fnsku t, asin t, product-name t, reserved_qty i, reserved_customerorders i,
            reserved_fc-transfers i, reserved_fc-processing i"""),
            None,
        ),
        ReportSpec(
            "GET_STRANDED_INVENTORY_UI_DATA",
            _columns("""
            primary-action t, date-stranded dt, Date-to-take-auto-removal dt, status-primary t, status-secondary t,
            error-message t, stranded-reason t, asin t, sku t, fnsku t, product-name t, condition t, fulfilled-by t,
            fulfillable-qty i, your-price d, unfulfillable-qty i, reserved-quantity i, inbound-shipped-qty i"""),
            None,
        ),
        ReportSpec(
            "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
            _columns("""
            Country t, Product Name t, FNSKU t, Merchant SKU t, ASIN t, Condition t, Supplier t, Supplier part no. t,
            Currency code t, Price d, Sales last 30 days d, Units Sold Last 30 Days i, Total Units i, Inbound i,
            Available i, FC transfer i, FC Processing i, Customer Order i, Unfulfillable i, Working i, Shipped i,
            Receiving i, Fulfilled by t, Total Days of Supply (including units from open shipments) d,
            Days of Supply at Amazon Fulfillment Network d, Alert t, Recommended replenishment qty i,
            Recommended ship date date, Recommended action t, Unit storage size t"""),
            None,
            date_style="ledger",
        ),
        ReportSpec(
            "GET_FBA_INVENTORY_PLANNING_DATA",
            _columns("""
            snapshot-date date, sku t, fnsku t, asin t, product-name t, condition t, available i,
            pending-removal-quantity i, inv-age-0-to-90-days i, inv-age-91-to-180-days i, inv-age-181-to-270-days i,
            inv-age-271-to-365-days i, inv-age-365-plus-days i, currency t, units-shipped-t7 i, units-shipped-t30 i,
            units-shipped-t60 i, units-shipped-t90 i, alert t, your-price d, sales-price d,
            lowest-price-new-plus-shipping d, lowest-price-used d, recommended-action t, healthy-inventory-level i,
            recommended-sales-price d, recommended-sale-duration-days i, recommended-removal-quantity i,
            estimated-cost-savings-of-recommended-actions d, sell-through d, item-volume d,
            volume-unit-measurement t, storage-type t, storage-volume d, marketplace t, product-group t,
            sales-rank i, days-of-supply i, estimated-excess-quantity i, weeks-of-cover-t30 d, weeks-of-cover-t90 d,
            featuredoffer-price d, sales-shipped-last-7-days d, sales-shipped-last-30-days d,
            sales-shipped-last-60-days d, sales-shipped-last-90-days d, inv-age-0-to-30-days i,
            inv-age-31-to-60-days i, inv-age-61-to-90-days i, inv-age-181-to-330-days i, inv-age-331-to-365-days i,
            estimated-storage-cost-next-month d, inbound-quantity i, inbound-working i, inbound-shipped i,
            inbound-received i, no-sale-last-6-months i, reserved-quantity i, unfulfillable-quantity i"""),
            None,
            date_style="iso",
        ),
        ReportSpec(
            LEDGER_SUMMARY,
            _columns("""
            Date date, FNSKU t, ASIN t, MSKU t, Title t, Disposition t, Starting Warehouse Balance i,
            In Transit Between Warehouses i, Receipts i, Customer Shipments i, Customer Returns i, Vendor Returns i,
            Warehouse Transfer In/Out i, Found i, Lost i, Damaged i, Disposed i, Other Events i,
            Ending Warehouse Balance i, Unknown Events i, Location t"""),
            "Date",
            date_style="ledger",
        ),
        ReportSpec(
            "GET_FBA_STORAGE_FEE_CHARGES_DATA",
            _columns("""
            asin t, fnsku t, product_name t, fulfillment_center t, country_code t, longest_side d, median_side d,
            shortest_side d, measurement_units t, weight d, weight_units t, item_volume d, volume_units t,
            product_size_tier t, average_quantity_on_hand d, average_quantity_pending_removal d,
            estimated_total_item_volume d, month_of_charge t, storage_rate d, currency t,
            estimated_monthly_storage_fee d, dangerous_goods_storage_type t, eligible_for_inventory_discount t,
            qualifies_for_inventory_discount t, total_incentive_fee_amount d, breakdown_incentive_fee_amount t,
            average_quantity_customer_orders d"""),
            "month_of_charge",
        ),
        ReportSpec(
            "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
            _columns("""
            sku t, fnsku t, asin t, product-name t, product-group t, brand t, fulfilled-by t, your-price d,
            sales-price d, longest-side d, median-side d, shortest-side d, length-and-girth d, unit-of-dimension t,
            item-package-weight d, unit-of-weight t, product-size-tier t, currency t, estimated-fee-total d,
            estimated-referral-fee-per-unit d, estimated-variable-closing-fee d,
            estimated-order-handling-fee-per-order d, estimated-pick-pack-fee-per-unit d,
            estimated-weight-handling-fee-per-unit d, expected-fulfillment-fee-per-unit d"""),
            None,
        ),
        ReportSpec(
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_SALES_DATA",
            _columns("""
            shipment-date dt, sku t, fnsku t, asin t, fulfillment-center-id t, quantity i, amazon-order-id t,
            currency t, item-price-per-unit d, shipping-price d, gift-wrap-price d, ship-city t, ship-state t,
            ship-postal-code t"""),
            "shipment-date",
        ),
        ReportSpec(
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_PROMOTION_DATA",
            _columns("""
            shipment-date dt, currency t, item-promotion-discount d, item-promotion-id t, description t,
            promotion-rule-value t, amazon-order-id t, shipment-id t, shipment-item-id t"""),
            "shipment-date",
        ),
        ReportSpec(
            "GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_REPLACEMENT_DATA",
            _columns("""
            shipment-date dt, sku t, asin t, fulfillment-center-id t, original-fulfillment-center-id t, quantity i,
            replacement-reason-code t, replacement-customer-order-id t, original-amazon-order-id t"""),
            "shipment-date",
        ),
        ReportSpec(
            "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
            _columns("""
            request-date dt, order-id t, order-type t, order-status t, last-updated-date dt, sku t, fnsku t,
            disposition t, requested-quantity i, cancelled-quantity i, disposed-quantity i, shipped-quantity i,
            in-process-quantity i, removal-fee d, currency t"""),
            "request-date",
        ),
        ReportSpec(
            "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
            _columns("""
            removal-date dt, order-id t, shipment-date dt, sku t, fnsku t, disposition t, quantity shipped i,
            carrier t, tracking-number t, removal-order-type t"""),
            "shipment-date",
        ),
        ReportSpec(
            "GET_FBA_SNS_FORECAST_DATA",
            _columns("""
            offer-state t, snapshot-date dt, sku t, fnsku t, asin t, estimated-avg-sns-discount-next-8-weeks d,
            product-name t, country t, active-subscriptions i, week-1-start-date dt, scheduled-sns-units-week-1 i,
            scheduled-sns-units-week-2 i, scheduled-sns-units-week-3 i, scheduled-sns-units-week-4 i,
            scheduled-sns-units-week-5 i, scheduled-sns-units-week-6 i, scheduled-sns-units-week-7 i,
            scheduled-sns-units-week-8 i"""),
            None,
        ),
        ReportSpec(
            "GET_FBA_SNS_PERFORMANCE_DATA",
            _columns("""
            offer-state t, snapshot-date dt, sku t, fnsku t, asin t, product-name t, country t, week-1-start-date dt,
            sns-units-shipped-week-1 i, oos-rate-week-1 d, sns-sale-price-week-1 d, sns-discount-week-1 d,
            sns-units-shipped-week-2 i, oos-rate-week-2 d, sns-sale-price-week-2 d, sns-discount-week-2 d,
            sns-units-shipped-week-3 i, oos-rate-week-3 d, sns-sale-price-week-3 d, sns-discount-week-3 d,
            sns-units-shipped-week-4 i, oos-rate-week-4 d, sns-sale-price-week-4 d, sns-discount-week-4 d"""),
            None,
        ),
        ReportSpec(
            "GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE",
            _columns("""
            amazon-order-id t, merchant-order-id t, purchase-date dt, last-updated-date dt, order-status t,
            fulfillment-channel t, sales-channel t, order-channel t, url t, ship-service-level t, product-name t,
            sku t, asin t, item-status t, quantity i, currency t, item-price d, item-tax d, shipping-price d,
            shipping-tax d, gift-wrap-price d, gift-wrap-tax d, item-promotion-discount d,
            ship-promotion-discount d, ship-city t, ship-state t, ship-postal-code t, ship-country t,
            promotion-ids t, is-business-order b, purchase-order-number t, price-designation t"""),
            "purchase-date",
        ),
        ReportSpec(
            SELLER_FEEDBACK,
            _columns("""
            Date date, Rating i, Comments t, Response t, Order ID t, Rater Email t"""),
            "Date",
            date_style="feedback",
        ),
    )
}
FLAT_SPECS.update(GENERIC_SPECS)
# The XML All Orders reports: the same order book as their flat siblings, one <Order> per order.
XML_ORDERS: dict[str, str] = {
    "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": ALL_ORDERS_BY_ORDER_DATE,
    "GET_XML_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL": ALL_ORDERS_BY_LAST_UPDATE,
}
# Amazon writes the orders of every marketplace of the host into these, whatever marketplaceIds say.
REGIONAL_TYPES = frozenset({ALL_ORDERS_BY_ORDER_DATE, ALL_ORDERS_BY_LAST_UPDATE, *XML_ORDERS})

SNAPSHOT_TYPES = frozenset(
    {
        LISTINGS,
        INVENTORY,
        BROWSE_TREE,
        *(t for t, s in GENERIC_SPECS.items() if s.filter_header is None),
    }
)
LIST_ONLY_TYPES = frozenset({SETTLEMENT, SETTLEMENT_V2})
# Report types Amazon removed, with the day (Add. §2): createReport refuses them. A correct tap never
# asks (a violation); the data generator still knows their columns.
REMOVED_TYPES: dict[str, str] = {
    "GET_FBA_SNS_FORECAST_DATA": "2025-12-11",
    "GET_FBA_SNS_PERFORMANCE_DATA": "2025-12-11",
}
ALL_REPORT_TYPES = frozenset({*FLAT_SPECS, BROWSE_TREE, SALES_AND_TRAFFIC, *XML_ORDERS})
