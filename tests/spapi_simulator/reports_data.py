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
        ReportSpec(SHIPMENTS, _columns("""
            amazon-order-id t, merchant-order-id t, shipment-id t, shipment-item-id t, amazon-order-item-id t,
            merchant-order-item-id t, purchase-date dt, payments-date dt, shipment-date dt, reporting-date dt,
            buyer-email t, buyer-name t, buyer-phone-number t, sku t, product-name t, quantity-shipped i,
            currency t, item-price d, item-tax d, shipping-price d, shipping-tax d, gift-wrap-price d,
            gift-wrap-tax d, ship-service-level t, recipient-name t, ship-address-1 t, ship-address-2 t,
            ship-address-3 t, ship-city t, ship-state t, ship-postal-code t, ship-country t, ship-phone-number t,
            bill-address-1 t, bill-address-2 t, bill-address-3 t, bill-city t, bill-state t, bill-postal-code t,
            bill-country t, item-promotion-discount d, ship-promotion-discount d, carrier t, tracking-number t,
            estimated-arrival-date dt, fulfillment-center-id t, fulfillment-channel t, sales-channel t"""),
            "shipment-date"),
        ReportSpec(RETURNS, _columns("""
            Order ID t, Order date date, Return request date date, Return request status t, Amazon RMA ID t,
            Merchant RMA ID t, Label type t, Label cost d, Currency code t, Return carrier t, Tracking ID t,
            Label to be paid by t, A-to-Z Claim t, Is prime t, ASIN t, Merchant SKU t, Item Name t,
            Return quantity i, Return Reason t, In policy t, Return type t, Resolution t, Invoice number t,
            Return delivery date date, Order Amount d, Order quantity i, SafeT Action reason t, SafeT claim id t,
            SafeT claim state t, SafeT claim creation time date, SafeT claim reimbursement amount d,
            Refunded Amount d"""), "Return request date", date_style="returns"),
        ReportSpec(LISTINGS, _columns("""
            item-name t, item-description t, listing-id t, seller-sku t, price d, quantity i, open-date dt,
            image-url t, item-is-marketplace t, product-id-type t, zshop-shipping-fee t, item-note t,
            item-condition t, zshop-category1 t, zshop-browse-path t, zshop-storefront-feature t, asin1 t,
            asin2 t, asin3 t, will-ship-internationally t, expedited-shipping t, zshop-boldface t, product-id t,
            bid-for-featured-placement t, add-delete t, pending-quantity i, fulfillment-channel t,
            merchant-shipping-group t, status t"""), None, datetime_style="named"),
        ReportSpec(INVENTORY, _columns("""
            sku t, fnsku t, asin t, product-name t, condition t, your-price d, mfn-listing-exists t,
            mfn-fulfillable-quantity i, afn-listing-exists t, afn-warehouse-quantity i, afn-fulfillable-quantity i,
            afn-unsellable-quantity i, afn-reserved-quantity i, afn-total-quantity i, per-unit-volume d,
            afn-inbound-working-quantity i, afn-inbound-shipped-quantity i, afn-inbound-receiving-quantity i,
            afn-researching-quantity i, afn-reserved-future-supply i, afn-future-supply-buyable i"""), None),
        ReportSpec(FBA_RETURNS, _columns("""
            return-date dt, order-id t, sku t, asin t, fnsku t, product-name t, quantity i,
            fulfillment-center-id t, detailed-disposition t, reason t, status t, license-plate-number t,
            customer-comments t"""), "return-date"),
        ReportSpec(REIMBURSEMENTS, _columns("""
            approval-date dt, reimbursement-id t, case-id t, amazon-order-id t, reason t, sku t, fnsku t, asin t,
            product-name t, condition t, currency-unit t, amount-per-unit d, amount-total d,
            quantity-reimbursed-cash i, quantity-reimbursed-inventory i, quantity-reimbursed-total i,
            original-reimbursement-id t, original-reimbursement-type t"""), "approval-date"),
        ReportSpec(LEDGER, _columns("""
            Date date, FNSKU t, ASIN t, MSKU t, Title t, Event Type t, Reference ID t, Quantity i,
            Fulfillment Center t, Disposition t, Reason t, Country t, Reconciled Quantity i,
            Unreconciled Quantity i, Date and Time dt"""), "Date", datetime_style="named", date_style="ledger"),
        ReportSpec(SETTLEMENT, _columns("""
            settlement-id t, settlement-start-date dt, settlement-end-date dt, deposit-date dt, total-amount d,
            currency t, transaction-type t, order-id t, merchant-order-id t, adjustment-id t, shipment-id t,
            marketplace-name t, shipment-fee-type t, shipment-fee-amount d, order-fee-type t, order-fee-amount d,
            fulfillment-id t, posted-date date, order-item-code t, merchant-order-item-id t,
            merchant-adjustment-item-id t, sku t, quantity-purchased i, price-type t, price-amount d,
            item-related-fee-type t, item-related-fee-amount d, misc-fee-amount d, other-fee-amount d,
            other-fee-reason-description t, promotion-id t, promotion-type t, promotion-amount d,
            direct-payment-type t, direct-payment-amount d, other-amount d"""), None,
            datetime_style="settlement", date_style="settlement"),
    )
}

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

SNAPSHOT_TYPES = frozenset({LISTINGS, INVENTORY, BROWSE_TREE})
LIST_ONLY_TYPES = frozenset({SETTLEMENT})
ALL_REPORT_TYPES = frozenset({*FLAT_SPECS, BROWSE_TREE, SALES_AND_TRAFFIC})
