"""The Selling Partner API operations this project calls, as a compact table.

Every entry was transcribed from Amazon's official Swagger 2.0 models (repository
``amzn/selling-partner-api-models``, commit ``34dc93fe``): HTTP method, full path template,
every parameter (body fields are listed as the body's properties, an object's own properties nested
in it), the 2xx status and the default rate and burst from the operation's "Usage Plan" table.

Two consumers need this table. The tap uses ``rate``/``burst`` to pace its requests so that it
stays inside Amazon's default usage plans instead of relying on 429 retries. The test simulator
uses the paths and parameters to reject requests a real endpoint would reject, so tests catch
malformed calls. The table is literal Python on purpose: the model files are not shipped with the
package, and ``tests/unit/test_operations_models.py`` checks the table against them whenever they are
available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

__all__ = ["APIS", "OPERATIONS", "Api", "Operation", "Param", "match"]

ParamLocation = Literal["query", "path", "body"]
ParamKind = Literal["string", "integer", "number", "boolean", "date-time", "array", "object"]


@dataclass(frozen=True)
class Param:
    """One request parameter; for body fields, one property of the body schema (or of an object in it)."""

    name: str
    location: ParamLocation
    kind: ParamKind = "string"
    required: bool = False
    # For arrays: allowed item values. For plain strings: allowed values.
    enum: tuple[str, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    # For arrays: the kind of their items.
    items: ParamKind = "string"
    # For objects: their properties, checked like the body's own.
    fields: tuple[Param, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One SP-API operation, named by the model's operationId."""

    name: str
    api: str
    method: str
    path: str
    rate: float
    burst: int
    success_status: int
    params: tuple[Param, ...]
    # Keys the model requires in a 2xx answer and the tap reads: an answer without them is not
    # Amazon's (a proxy's page, an answer cut short) and is retried like a server error.
    answers: tuple[str, ...] = ()


_REPORTS = "reports_2021-06-30"

_REPLENISHMENT = "replenishment-2022-11-07"
_PROGRAM_TYPES = Param("programTypes", "body", "array", required=True, enum=("SUBSCRIBE_AND_SAVE",), min_items=1)
_FREQUENCY = Param("aggregationFrequency", "body", enum=("DAY", "WEEK", "MONTH", "QUARTER", "YEAR"))
_TIME_INTERVAL = Param(
    "timeInterval",
    "body",
    "object",
    required=True,
    fields=(
        Param("startDate", "body", "date-time", required=True),
        Param("endDate", "body", "date-time", required=True),
    ),
)
_PERIOD_TYPE = Param("timePeriodType", "body", required=True, enum=("PERFORMANCE", "FORECAST"))
_MARKETPLACE = Param("marketplaceId", "body", required=True)
_CHANNELS = Param("fulfillmentChannelTypes", "body", "array", enum=("AMAZON", "MERCHANT"), min_items=1, max_items=2)
_ASINS = Param("asins", "body", "array", min_items=1, max_items=20)
_SKUS = Param("skus", "body", "array", min_items=1, max_items=20)
_BRANDS = Param("brandNames", "body", "array", min_items=1, max_items=20)
_GROUPS = Param("productGroups", "body", "array", min_items=1, max_items=20)
_ORDER = Param("order", "body", required=True, enum=("ASC", "DESC"))
_DELIVERIES_CONDITIONS = (
    "NEXT_30_DAYS_DELIVERIES_PAUSED_PRICING",
    "NEXT_30_DAYS_DELIVERIES_PAUSED_NON_BUYABLE",
    "NEXT_30_DAYS_DELIVERIES_AT_LOW_INVENTORY_RISK_ONLY",
    "NEXT_30_DAYS_DELIVERIES_AT_LOW_INVENTORY_RISK",
    "NO_ISSUES_FOR_NEXT_30_DAYS_DELIVERIES",
)
_DISCOUNT = (Param("percentage", "body", "array", items="number", min_items=1, max_items=10),)


_INBOUND_V0 = "fulfillmentInboundV0"
# Every status getShipments knows: a DATE_RANGE query needs a status list all the same (Add. §6).
SHIPMENT_STATUSES = (
    "WORKING",
    "READY_TO_SHIP",
    "SHIPPED",
    "RECEIVING",
    "CANCELLED",
    "DELETED",
    "CLOSED",
    "ERROR",
    "IN_TRANSIT",
    "DELIVERED",
    "CHECKED_IN",
)

_AWD = "awd_2024-05-09"
_AWD_SORT_ORDER = Param("sortOrder", "query", enum=("ASCENDING", "DESCENDING"))
_AWD_MAX_RESULTS = Param("maxResults", "query", "integer", minimum=1, maximum=200)

_VENDOR_ORDERS = "vendorOrders"
_DATA_KIOSK = "dataKiosk_2023-11-15"
_LIMIT = Param("limit", "query", "integer", minimum=1, maximum=100)
_SORT_ORDER = Param("sortOrder", "query", enum=("ASC", "DESC"))


def _pagination(most: int) -> Param:
    return Param(
        "pagination",
        "body",
        "object",
        required=True,
        fields=(
            Param("limit", "body", "integer", required=True, minimum=1, maximum=most),
            Param("offset", "body", "integer", required=True, minimum=0, maximum=9000),
        ),
    )


_TABLE: tuple[Operation, ...] = (
    # Reports API 2021-06-30
    Operation(
        "getReports",
        _REPORTS,
        "GET",
        "/reports/2021-06-30/reports",
        0.0222,
        10,
        200,
        (
            Param("reportTypes", "query", "array", min_items=1, max_items=10),
            Param(
                "processingStatuses",
                "query",
                "array",
                enum=("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"),
                min_items=1,
            ),
            Param("marketplaceIds", "query", "array", min_items=1, max_items=10),
            Param("pageSize", "query", "integer", minimum=1, maximum=100),
            Param("createdSince", "query", "date-time"),
            Param("createdUntil", "query", "date-time"),
            Param("nextToken", "query"),
        ),
    ),
    Operation(
        "createReport",
        _REPORTS,
        "POST",
        "/reports/2021-06-30/reports",
        0.0167,
        15,
        202,
        (
            Param("reportOptions", "body", "object"),
            Param("reportType", "body", required=True),
            Param("dataStartTime", "body", "date-time"),
            Param("dataEndTime", "body", "date-time"),
            Param("marketplaceIds", "body", "array", required=True, min_items=1, max_items=25),
        ),
        answers=("reportId",),
    ),
    Operation(
        "getReport",
        _REPORTS,
        "GET",
        "/reports/2021-06-30/reports/{reportId}",
        2,
        15,
        200,
        (Param("reportId", "path", required=True),),
        answers=("processingStatus",),
    ),
    Operation(
        "cancelReport",
        _REPORTS,
        "DELETE",
        "/reports/2021-06-30/reports/{reportId}",
        0.0222,
        10,
        200,
        (Param("reportId", "path", required=True),),
    ),
    Operation(
        "getReportDocument",
        _REPORTS,
        "GET",
        "/reports/2021-06-30/documents/{reportDocumentId}",
        0.0167,
        15,
        200,
        (
            Param("reportDocumentId", "path", required=True),
            Param("enableContentEncodingUrlHeader", "query", "boolean"),
        ),
        answers=("url",),
    ),
    # Orders API 2026-01-01 (replaces the deprecated v0 getOrders)
    Operation(
        "searchOrders",
        "orders_2026-01-01",
        "GET",
        "/orders/2026-01-01/orders",
        0.0056,
        20,
        200,
        (
            Param("createdAfter", "query", "date-time"),
            Param("createdBefore", "query", "date-time"),
            Param("lastUpdatedAfter", "query", "date-time"),
            Param("lastUpdatedBefore", "query", "date-time"),
            Param(
                "fulfillmentStatuses",
                "query",
                "array",
                enum=(
                    "PENDING_AVAILABILITY",
                    "PENDING",
                    "UNSHIPPED",
                    "PARTIALLY_SHIPPED",
                    "SHIPPED",
                    "CANCELLED",
                    "UNFULFILLABLE",
                ),
            ),
            Param("marketplaceIds", "query", "array", max_items=50),
            Param("fulfilledBy", "query", "array", enum=("MERCHANT", "AMAZON")),
            # The model gives no bounds; its prose says 1..100 (default 100).
            Param("maxResultsPerPage", "query", "integer"),
            Param("paginationToken", "query"),
            Param(
                "includedData",
                "query",
                "array",
                enum=(
                    "BUYER",
                    "RECIPIENT",
                    "PROCEEDS",
                    "EXPENSE",
                    "PROMOTION",
                    "CANCELLATION",
                    "FULFILLMENT",
                    "PACKAGES",
                    "TAX",
                    "PAYMENT",
                    "FULFILLMENT_ORDERS",
                ),
            ),
        ),
    ),
    # Finances API v0 (parameter names are PascalCase in this version)
    Operation(
        "listFinancialEventGroups",
        "financesV0",
        "GET",
        "/finances/v0/financialEventGroups",
        0.5,
        30,
        200,
        (
            Param("MaxResultsPerPage", "query", "integer", minimum=1, maximum=100),
            Param("FinancialEventGroupStartedBefore", "query", "date-time"),
            Param("FinancialEventGroupStartedAfter", "query", "date-time"),
            Param("NextToken", "query"),
        ),
    ),
    Operation(
        "listFinancialEvents",
        "financesV0",
        "GET",
        "/finances/v0/financialEvents",
        0.5,
        30,
        200,
        (
            Param("MaxResultsPerPage", "query", "integer", minimum=1, maximum=100),
            Param("PostedAfter", "query", "date-time"),
            Param("PostedBefore", "query", "date-time"),
            Param("NextToken", "query"),
        ),
    ),
    # Finances API 2024-06-19
    Operation(
        "listTransactions",
        "finances_2024-06-19",
        "GET",
        "/finances/2024-06-19/transactions",
        0.5,
        10,
        200,
        (
            Param("postedAfter", "query", "date-time"),
            Param("postedBefore", "query", "date-time"),
            Param("marketplaceId", "query"),
            Param("transactionStatus", "query"),
            Param("relatedIdentifierName", "query"),
            Param("relatedIdentifierValue", "query"),
            Param("nextToken", "query"),
        ),
    ),
    # FBA Inventory API v1
    Operation(
        "getInventorySummaries",
        "fbaInventory",
        "GET",
        "/fba/inventory/v1/summaries",
        2,
        2,
        200,
        (
            Param("details", "query", "boolean"),
            Param("granularityType", "query", required=True, enum=("Marketplace",)),
            Param("granularityId", "query", required=True),
            Param("startDateTime", "query", "date-time"),
            Param("sellerSkus", "query", "array", max_items=50),
            Param("sellerSku", "query"),
            Param("nextToken", "query"),
            Param("marketplaceIds", "query", "array", required=True, max_items=1),
        ),
        # A success carries its result in payload (errors only on a failure): `{}` read as an empty
        # inventory would empty the snapshot and drop every ASIN from catalog_items' state.
        answers=("payload",),
    ),
    # Catalog Items API 2022-04-01
    Operation(
        "searchCatalogItems",
        "catalogItems_2022-04-01",
        "GET",
        "/catalog/2022-04-01/items",
        2,
        2,
        200,
        (
            Param("identifiers", "query", "array", max_items=20),
            Param("identifiersType", "query", enum=("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")),
            Param("marketplaceIds", "query", "array", required=True, max_items=1),
            Param(
                "includedData",
                "query",
                "array",
                enum=(
                    "attributes",
                    "classifications",
                    "dimensions",
                    "identifiers",
                    "images",
                    "productTypes",
                    "relationships",
                    "salesRanks",
                    "summaries",
                    "vendorDetails",
                ),
            ),
            Param("locale", "query"),
            Param("sellerId", "query"),
            Param("keywords", "query", "array", max_items=20),
            Param("brandNames", "query", "array"),
            Param("classificationIds", "query", "array"),
            Param("pageSize", "query", "integer", maximum=20),
            Param("pageToken", "query"),
            Param("keywordsLocale", "query"),
        ),
        # ItemSearchResults requires both: without them, 20 ASINs would read as having no item.
        answers=("numberOfResults", "items"),
    ),
    # Sellers API v1
    Operation(
        "getMarketplaceParticipations", "sellers", "GET", "/sellers/v1/marketplaceParticipations", 0.016, 15, 200, ()
    ),
    # Replenishment API 2022-11-07 (Subscribe & Save metrics and offers)
    Operation(
        "getSellingPartnerMetrics",
        _REPLENISHMENT,
        "POST",
        "/replenishment/2022-11-07/sellingPartners/metrics/search",
        1,
        1,
        200,
        (
            _FREQUENCY,
            _TIME_INTERVAL,
            Param(
                "metrics",
                "body",
                "array",
                enum=(
                    "SHIPPED_SUBSCRIPTION_UNITS",
                    "TOTAL_SUBSCRIPTIONS_REVENUE",
                    "ACTIVE_SUBSCRIPTIONS",
                    "NOT_DELIVERED_DUE_TO_OOS",
                    "SUBSCRIBER_NON_SUBSCRIBER_AVERAGE_REVENUE",
                    "LOST_REVENUE_DUE_TO_OOS",
                    "SUBSCRIBER_NON_SUBSCRIBER_AVERAGE_REORDERS",
                    "COUPONS_REVENUE_PENETRATION",
                    "REVENUE_BY_DELIVERIES",
                    "SUBSCRIBER_RETENTION",
                    "REVENUE_PENETRATION_BY_SELLER_FUNDING",
                    "SHARE_OF_COUPON_SUBSCRIPTIONS",
                    "SUBSCRIBER_LIFETIME_VALUE_BY_CUSTOMER_SEGMENT",
                    "SIGNUP_CONVERSION_BY_SELLER_FUNDING",
                    "REVENUE_PENETRATION",
                ),
                min_items=1,
            ),
            Param("filters", "body", "object", fields=(_ASINS, _SKUS, _CHANNELS, _BRANDS, _GROUPS)),
            _PERIOD_TYPE,
            _MARKETPLACE,
            _PROGRAM_TYPES,
        ),
    ),
    Operation(
        "listOfferMetrics",
        _REPLENISHMENT,
        "POST",
        "/replenishment/2022-11-07/offers/metrics/search",
        1,
        1,
        200,
        (
            _pagination(500),
            Param(
                "sort",
                "body",
                "object",
                fields=(
                    _ORDER,
                    Param(
                        "key",
                        "body",
                        required=True,
                        enum=(
                            "SHIPPED_SUBSCRIPTION_UNITS",
                            "TOTAL_SUBSCRIPTIONS_REVENUE",
                            "ACTIVE_SUBSCRIPTIONS",
                            "NEXT_90DAYS_SHIPPED_SUBSCRIPTION_UNITS",
                            "NEXT_60DAYS_SHIPPED_SUBSCRIPTION_UNITS",
                            "NEXT_30DAYS_SHIPPED_SUBSCRIPTION_UNITS",
                            "NEXT_90DAYS_TOTAL_SUBSCRIPTIONS_REVENUE",
                            "NEXT_60DAYS_TOTAL_SUBSCRIPTIONS_REVENUE",
                            "NEXT_30DAYS_TOTAL_SUBSCRIPTIONS_REVENUE",
                        ),
                    ),
                ),
            ),
            Param(
                "filters",
                "body",
                "object",
                required=True,
                fields=(
                    _FREQUENCY,
                    _TIME_INTERVAL,
                    _PERIOD_TYPE,
                    _MARKETPLACE,
                    _PROGRAM_TYPES,
                    _ASINS,
                    _SKUS,
                    _CHANNELS,
                    _BRANDS,
                    _GROUPS,
                ),
            ),
        ),
    ),
    Operation(
        "listOffers",
        _REPLENISHMENT,
        "POST",
        "/replenishment/2022-11-07/offers/search",
        1,
        1,
        200,
        (
            _pagination(100),
            Param(
                "filters",
                "body",
                "object",
                required=True,
                fields=(
                    _MARKETPLACE,
                    _SKUS,
                    _ASINS,
                    Param(
                        "eligibilities",
                        "body",
                        "array",
                        min_items=1,
                        enum=(
                            "ELIGIBLE",
                            "INELIGIBLE",
                            "SUSPENDED",
                            "REPLENISHMENT_ONLY_ORDERING",
                        ),
                    ),
                    Param(
                        "preferences",
                        "body",
                        "object",
                        fields=(Param("autoEnrollment", "body", "array", enum=("OPTED_IN", "OPTED_OUT"), min_items=1),),
                    ),
                    Param(
                        "promotions",
                        "body",
                        "object",
                        fields=tuple(
                            Param(name, "body", "object", fields=_DISCOUNT)
                            for name in (
                                "sellingPartnerFundedBaseDiscount",
                                "sellingPartnerFundedTieredDiscount",
                                "amazonFundedBaseDiscount",
                                "amazonFundedTieredDiscount",
                            )
                        ),
                    ),
                    _PROGRAM_TYPES,
                    Param("deliveriesConditions", "body", "array", enum=_DELIVERIES_CONDITIONS, min_items=1),
                ),
            ),
            Param(
                "sort",
                "body",
                "object",
                fields=(
                    _ORDER,
                    Param(
                        "key",
                        "body",
                        required=True,
                        enum=(
                            "ASIN",
                            "SELLING_PARTNER_FUNDED_BASE_DISCOUNT_PERCENTAGE",
                            "SELLING_PARTNER_FUNDED_TIERED_DISCOUNT_PERCENTAGE",
                            "AMAZON_FUNDED_BASE_DISCOUNT_PERCENTAGE",
                            "AMAZON_FUNDED_TIERED_DISCOUNT_PERCENTAGE",
                            "INVENTORY",
                            "PRICE",
                            "SUBSCRIPTION_COUNT",
                            "FULFILLMENT_NETWORK_ID_TYPE",
                        ),
                    ),
                ),
            ),
        ),
    ),
    # Vendor Orders API v1 (the "v1" model is named vendorOrders)
    Operation(
        "getPurchaseOrders",
        _VENDOR_ORDERS,
        "GET",
        "/vendor/orders/v1/purchaseOrders",
        10,
        10,
        200,
        (
            _LIMIT,
            Param("createdAfter", "query", "date-time"),
            Param("createdBefore", "query", "date-time"),
            _SORT_ORDER,
            Param("nextToken", "query"),
            Param("includeDetails", "query"),
            Param("changedAfter", "query", "date-time"),
            Param("changedBefore", "query", "date-time"),
            Param("poItemState", "query", enum=("Cancelled",)),
            Param("isPOChanged", "query"),
            Param("purchaseOrderState", "query", enum=("New", "Acknowledged", "Closed")),
            Param("orderingVendorCode", "query"),
        ),
    ),
    Operation(
        "getPurchaseOrdersStatus",
        _VENDOR_ORDERS,
        "GET",
        "/vendor/orders/v1/purchaseOrdersStatus",
        10,
        10,
        200,
        (
            _LIMIT,
            _SORT_ORDER,
            Param("nextToken", "query"),
            Param("createdAfter", "query", "date-time"),
            Param("createdBefore", "query", "date-time"),
            Param("updatedAfter", "query", "date-time"),
            Param("updatedBefore", "query", "date-time"),
            Param("purchaseOrderNumber", "query"),
            Param("purchaseOrderStatus", "query", enum=("OPEN", "CLOSED")),
            Param(
                "itemConfirmationStatus", "query", enum=("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "UNCONFIRMED")
            ),
            Param("itemReceiveStatus", "query", enum=("NOT_RECEIVED", "PARTIALLY_RECEIVED", "RECEIVED")),
            Param("orderingVendorCode", "query"),
            Param("shipToPartyId", "query"),
        ),
    ),
    # Vendor Direct Fulfillment Orders API 2021-12-28 (restricted: called with a Restricted Data Token)
    Operation(
        "getOrders",
        "vendorDirectFulfillmentOrders_2021-12-28",
        "GET",
        "/vendor/directFulfillment/orders/2021-12-28/purchaseOrders",
        10,
        10,
        200,
        (
            Param("shipFromPartyId", "query"),
            Param("status", "query", enum=("NEW", "SHIPPED", "ACCEPTED", "CANCELLED")),
            _LIMIT,
            Param("createdAfter", "query", "date-time", required=True),
            Param("createdBefore", "query", "date-time", required=True),
            _SORT_ORDER,
            Param("nextToken", "query"),
            Param("includeDetails", "query"),
        ),
    ),
    # Fulfillment Inbound API v0: the read operations Amazon keeps (SPAPI notes, Add. §6)
    Operation(
        "getShipments",
        _INBOUND_V0,
        "GET",
        "/fba/inbound/v0/shipments",
        2,
        30,
        200,
        (
            Param("ShipmentStatusList", "query", "array", enum=SHIPMENT_STATUSES),
            Param("ShipmentIdList", "query", "array", max_items=999),
            Param("LastUpdatedAfter", "query", "date-time"),
            Param("LastUpdatedBefore", "query", "date-time"),
            Param("QueryType", "query", required=True, enum=("SHIPMENT", "DATE_RANGE", "NEXT_TOKEN")),
            Param("NextToken", "query"),
            Param("MarketplaceId", "query", required=True),
        ),
        # A success carries its result in payload: `{}` read as no shipment would pass the window.
        answers=("payload",),
    ),
    Operation(
        "getShipmentItemsByShipmentId",
        _INBOUND_V0,
        "GET",
        "/fba/inbound/v0/shipments/{shipmentId}/items",
        2,
        30,
        200,
        (
            Param("shipmentId", "path", required=True),
            # "Deprecated. Do not use." (the model): never sent.
            Param("MarketplaceId", "query"),
        ),
        answers=("payload",),
    ),
    Operation(
        "getShipmentItems",
        _INBOUND_V0,
        "GET",
        "/fba/inbound/v0/shipmentItems",
        2,
        30,
        200,
        (
            Param("LastUpdatedAfter", "query", "date-time"),
            Param("LastUpdatedBefore", "query", "date-time"),
            Param("QueryType", "query", required=True, enum=("DATE_RANGE", "NEXT_TOKEN")),
            Param("NextToken", "query"),
            Param("MarketplaceId", "query", required=True),
        ),
    ),
    # Amazon Warehousing and Distribution API 2024-05-09 (US only, on the NA host: Add. §6)
    Operation(
        "listInventory",
        _AWD,
        "GET",
        "/awd/2024-05-09/inventory",
        2,
        2,
        200,
        (
            Param("sku", "query"),
            _AWD_SORT_ORDER,
            Param("details", "query", enum=("SHOW", "HIDE")),
            Param("nextToken", "query"),
            _AWD_MAX_RESULTS,
        ),
        answers=("inventory",),
    ),
    Operation(
        "listInboundShipments",
        _AWD,
        "GET",
        "/awd/2024-05-09/inboundShipments",
        1,
        1,
        200,
        (
            Param("sortBy", "query", enum=("UPDATED_AT", "CREATED_AT")),
            _AWD_SORT_ORDER,
            Param(
                "shipmentStatus",
                "query",
                enum=("CREATED", "SHIPPED", "IN_TRANSIT", "RECEIVING", "DELIVERED", "CLOSED", "CANCELLED"),
            ),
            Param("updatedAfter", "query", "date-time"),
            Param("updatedBefore", "query", "date-time"),
            _AWD_MAX_RESULTS,
            Param("nextToken", "query"),
        ),
    ),
    Operation(
        "getInboundShipment",
        _AWD,
        "GET",
        "/awd/2024-05-09/inboundShipments/{shipmentId}",
        2,
        2,
        200,
        (
            Param("shipmentId", "path", required=True),
            Param("skuQuantities", "query", enum=("SHOW", "HIDE")),
        ),
        answers=("shipmentId",),
    ),
    # Tokens API 2021-03-01: Restricted Data Tokens for restricted operations
    Operation(
        "createRestrictedDataToken",
        "tokens_2021-03-01",
        "POST",
        "/tokens/2021-03-01/restrictedDataToken",
        1,
        10,
        200,
        (
            Param("targetApplication", "body"),
            Param("restrictedResources", "body", "array", required=True, items="object"),
        ),
        answers=("restrictedDataToken",),
    ),
    # Data Kiosk API 2023-11-15: GraphQL queries whose results are JSON Lines documents
    Operation(
        "createQuery",
        _DATA_KIOSK,
        "POST",
        "/dataKiosk/2023-11-15/queries",
        0.0167,
        15,
        202,
        (Param("query", "body", required=True), Param("paginationToken", "body")),
        answers=("queryId",),
    ),
    Operation(
        "getQueries",
        _DATA_KIOSK,
        "GET",
        "/dataKiosk/2023-11-15/queries",
        0.0222,
        10,
        200,
        (
            Param(
                "processingStatuses",
                "query",
                "array",
                enum=("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"),
                min_items=1,
            ),
            Param("pageSize", "query", "integer", minimum=1, maximum=100),
            Param("createdSince", "query", "date-time"),
            Param("createdUntil", "query", "date-time"),
            Param("paginationToken", "query"),
        ),
        answers=("queries",),
    ),
    Operation(
        "getQuery",
        _DATA_KIOSK,
        "GET",
        "/dataKiosk/2023-11-15/queries/{queryId}",
        2,
        15,
        200,
        (Param("queryId", "path", required=True),),
        answers=("processingStatus",),
    ),
    Operation(
        "cancelQuery",
        _DATA_KIOSK,
        "DELETE",
        "/dataKiosk/2023-11-15/queries/{queryId}",
        0.0222,
        10,
        204,
        (Param("queryId", "path", required=True),),
    ),
    Operation(
        "getDocument",
        _DATA_KIOSK,
        "GET",
        "/dataKiosk/2023-11-15/documents/{documentId}",
        0.0167,
        15,
        200,
        (Param("documentId", "path", required=True),),
        answers=("documentUrl",),
    ),
)

OPERATIONS: dict[str, Operation] = {op.name: op for op in _TABLE}


@dataclass(frozen=True)
class Api:
    """How an API (an operation's `api`, its model's name) is named in what the tap says, and the
    role a 403 from it means the app lacks (the roles of Seller Central's developer profile; the
    README's "Get LWA credentials" lists them). None: no role of its own."""

    title: str
    role: str | None = None


APIS: dict[str, Api] = {
    "reports_2021-06-30": Api("Reports API"),
    "sellers": Api("Sellers API"),
    "orders_2026-01-01": Api("Orders API", "Inventory and Order Tracking"),
    "financesV0": Api("Finances API v0", "Finance and Accounting"),
    "finances_2024-06-19": Api("Finances API 2024-06-19", "Finance and Accounting"),
    "fbaInventory": Api("FBA Inventory API", "Amazon Fulfillment"),
    "catalogItems_2022-04-01": Api("Catalog Items API", "Product Listing"),
    "replenishment-2022-11-07": Api("Replenishment API"),
    "vendorOrders": Api("Vendor Orders API", "Retail Procurement"),
    "vendorDirectFulfillmentOrders_2021-12-28": Api(
        "Vendor Direct Fulfillment Orders API", "Direct-to-Consumer Shipping (Restricted)"
    ),
    "tokens_2021-03-01": Api("Tokens API"),
    "fulfillmentInboundV0": Api("Fulfillment Inbound API v0", "Amazon Fulfillment"),
    "awd_2024-05-09": Api("AWD API", "Amazon Warehousing and Distribution"),
    # createQuery sits under Brand Analytics; the Economics dataset needs Selling Partner Insights
    # as well (datakiosk_streams.py names each dataset's roles).
    "dataKiosk_2023-11-15": Api("Data Kiosk API", "Brand Analytics"),
}


def _compile(template: str) -> re.Pattern[str]:
    # A path parameter fills exactly one segment, so "/reports/{id}" never swallows a sub-path.
    parts = re.split(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", template)
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(pattern)


_MATCHERS: tuple[tuple[Operation, re.Pattern[str]], ...] = tuple((op, _compile(op.path)) for op in _TABLE)


def match(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation for a concrete request path (no query string) and its path params.

    Returns None for a path or method the table does not know. Path parameter values are
    percent-decoded.
    """
    method = method.upper()
    for op, regex in _MATCHERS:
        if op.method != method:
            continue
        found = regex.fullmatch(path)
        if found is not None:
            return op, {k: unquote(v) for k, v in found.groupdict().items()}
    return None
