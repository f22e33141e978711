"""The simulator's REST answers validate against the response schemas of Amazon's models.

Skips when ``../shared/spapi-models`` is absent, as on a plain clone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from jsonschema import Draft4Validator

from tap_amazon_sp.catalog_streams import INCLUDED_DATA as CATALOG_DATA
from tap_amazon_sp.operations import SHIPMENT_STATUSES
from tests.spapi_simulator import Simulator
from tests.unit.test_operations_models import load_model

WINDOW = {"after": "2024-01-01T00:00:00Z", "before": "2024-06-01T00:00:00Z"}
_REPLENISHMENT = {
    "marketplaceId": "ATVPDKIKX0DER",
    "programTypes": ["SUBSCRIBE_AND_SAVE"],
    "timePeriodType": "PERFORMANCE",
}
_FORECAST = {**_REPLENISHMENT, "timePeriodType": "FORECAST"}
# The simulator's inbound shipments were updated in the last months.
_NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weeks(count: int) -> dict[str, str]:
    """The last `count` whole ISO weeks before last week (Amazon has published them)."""
    today = datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday() + 7 * (count + 1))
    return {"startDate": f"{monday}T00:00:00Z", "endDate": f"{monday + timedelta(days=7 * count - 1)}T00:00:00Z"}


def _days_ahead(days: int) -> dict[str, str]:
    today = datetime.now(timezone.utc).date()
    return {"startDate": f"{today}T00:00:00Z", "endDate": f"{today + timedelta(days=days)}T00:00:00Z"}


# operation -> (model, response definition, the simulator's answer to a first-page request)
ANSWERS: dict[str, tuple[str, str, Callable[[Simulator], dict[str, Any]]]] = {
    "searchOrders": (
        "orders_2026-01-01",
        "SearchOrdersResponse",
        lambda sim: sim.orders.search_orders(
            {
                "lastUpdatedAfter": [WINDOW["after"]],
                "lastUpdatedBefore": [WINDOW["before"]],
                "marketplaceIds": ["ATVPDKIKX0DER"],
                "includedData": ["BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES"],
            }
        ),
    ),
    "listFinancialEventGroups": (
        "financesV0",
        "ListFinancialEventGroupsResponse",
        lambda sim: sim.finances.list_financial_event_groups(
            {
                "FinancialEventGroupStartedAfter": [WINDOW["after"]],
                "FinancialEventGroupStartedBefore": [WINDOW["before"]],
            }
        ),
    ),
    "listFinancialEvents": (
        "financesV0",
        "ListFinancialEventsResponse",
        lambda sim: sim.finances.list_financial_events(
            {
                "PostedAfter": [WINDOW["after"]],
                "PostedBefore": [WINDOW["before"]],
                "MaxResultsPerPage": ["100"],
            }
        ),
    ),
    "listTransactions": (
        "finances_2024-06-19",
        "ListTransactionsResponse",
        lambda sim: sim.finances.list_transactions(
            {
                "postedAfter": [WINDOW["after"]],
                "postedBefore": [WINDOW["before"]],
            }
        ),
    ),
    "getInventorySummaries": (
        "fbaInventory",
        "GetInventorySummariesResponse",
        lambda sim: sim.inventory.get_inventory_summaries(
            {
                "details": ["true"],
                "granularityType": ["Marketplace"],
                "granularityId": ["ATVPDKIKX0DER"],
                "marketplaceIds": ["ATVPDKIKX0DER"],
            }
        ),
    ),
    "searchCatalogItems": (
        "catalogItems_2022-04-01",
        "ItemSearchResults",
        lambda sim: sim.catalog.search_catalog_items(
            {
                "marketplaceIds": ["ATVPDKIKX0DER"],
                "identifiers": [",".join(row["asin"] for row in sim.inventory.summaries("ATVPDKIKX0DER")[:20])],
                "identifiersType": ["ASIN"],
                "includedData": [",".join(CATALOG_DATA)],
                "pageSize": ["5"],
            }
        ),
    ),
    "getMarketplaceParticipations": (
        "sellers",
        "GetMarketplaceParticipationsResponse",
        lambda sim: sim.sellers.get_marketplace_participations({}),
    ),
    "getSellingPartnerMetrics": (
        "replenishment-2022-11-07",
        "GetSellingPartnerMetricsResponse",
        lambda sim: sim.replenishment.get_selling_partner_metrics(
            {**_REPLENISHMENT, "aggregationFrequency": "WEEK", "timeInterval": _weeks(3)}
        ),
    ),
    "listOfferMetrics": (
        "replenishment-2022-11-07",
        "ListOfferMetricsResponse",
        lambda sim: sim.replenishment.list_offer_metrics(
            {
                "pagination": {"limit": 5, "offset": 0},
                "filters": {**_REPLENISHMENT, "aggregationFrequency": "WEEK", "timeInterval": _weeks(1)},
            }
        ),
    ),
    "listOffers": (
        "replenishment-2022-11-07",
        "ListOffersResponse",
        lambda sim: sim.replenishment.list_offers(
            {
                "pagination": {"limit": 5, "offset": 0},
                "filters": {"marketplaceId": "ATVPDKIKX0DER", "programTypes": ["SUBSCRIBE_AND_SAVE"]},
            }
        ),
    ),
    "getShipments": (
        "fulfillmentInboundV0",
        "GetShipmentsResponse",
        lambda sim: sim.inbound.get_shipments(
            {
                "QueryType": ["DATE_RANGE"],
                "MarketplaceId": ["ATVPDKIKX0DER"],
                "ShipmentStatusList": [",".join(SHIPMENT_STATUSES)],
                "LastUpdatedAfter": [WINDOW["after"]],
                "LastUpdatedBefore": [_NOW],
            }
        ),
    ),
    "getShipmentItemsByShipmentId": (
        "fulfillmentInboundV0",
        "GetShipmentItemsResponse",
        lambda sim: sim.inbound.get_shipment_items_by_shipment_id(
            {"shipmentId": sim.inbound.shipments("ATVPDKIKX0DER")[0]["info"]["ShipmentId"]}, {}
        ),
    ),
    "getShipmentItems": (
        "fulfillmentInboundV0",
        "GetShipmentItemsResponse",
        lambda sim: sim.inbound.get_shipment_items(
            {
                "QueryType": ["DATE_RANGE"],
                "MarketplaceId": ["ATVPDKIKX0DER"],
                "LastUpdatedAfter": [WINDOW["after"]],
                "LastUpdatedBefore": [_NOW],
            }
        ),
    ),
    "listInventory": (
        "awd_2024-05-09",
        "InventoryListing",
        lambda sim: sim.awd.list_inventory({"details": ["SHOW"], "maxResults": ["200"]}),
    ),
    "listInboundShipments": (
        "awd_2024-05-09",
        "ShipmentListing",
        lambda sim: sim.awd.list_inbound_shipments(
            {"updatedAfter": [WINDOW["after"]], "updatedBefore": [_NOW], "maxResults": ["200"]}
        ),
    ),
    "getInboundShipment": (
        "awd_2024-05-09",
        "InboundShipment",
        lambda sim: sim.awd.get_inbound_shipment(
            {"shipmentId": sim.awd.shipments()[-1]["shipmentId"]}, {"skuQuantities": ["SHOW"]}
        ),
    ),
}
# The answers of the forecasts hold other fields: checked apart, below.
FORECASTS: dict[str, Callable[[Simulator], dict[str, Any]]] = {
    "GetSellingPartnerMetricsResponse": lambda sim: sim.replenishment.get_selling_partner_metrics(
        {**_FORECAST, "timeInterval": _days_ahead(90)}
    ),
    "ListOfferMetricsResponse": lambda sim: sim.replenishment.list_offer_metrics(
        {"pagination": {"limit": 5, "offset": 0}, "filters": {**_FORECAST, "timeInterval": _days_ahead(90)}}
    ),
}


def closed(definitions: dict[str, Any]) -> dict[str, Any]:
    """The definitions with no property beyond those declared, so the simulator invents nothing.

    Parts of an `allOf` stay open: each one declares only some of the object's properties.
    """
    parts = {ref.rsplit("/", 1)[-1] for ref in _all_of_refs(definitions)}

    def close(node: Any, open_here: bool = False) -> Any:
        if isinstance(node, list):
            return [close(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: ([close(v, True) for v in node[k]] if k == "allOf" else close(v)) for k, v in node.items()}
        if "properties" in node and "additionalProperties" not in node and not open_here:
            out["additionalProperties"] = False
        return out

    return {name: close(node, name in parts) for name, node in definitions.items()}


def _all_of_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [p["$ref"] for p in node.get("allOf", []) if isinstance(p, dict) and "$ref" in p]
        return found + [ref for value in node.values() for ref in _all_of_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _all_of_refs(value)]
    return []


@pytest.mark.parametrize("operation", sorted(ANSWERS))
def test_answer_matches_the_models_response_schema(simulator: Simulator, operation: str) -> None:
    api, definition, answer = ANSWERS[operation]
    model = load_model(api)
    body = answer(simulator)
    validator = Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": closed(model["definitions"])})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == []
    # Not trivially empty: the answer holds rows.
    assert len(str(body)) > 500


@pytest.mark.parametrize("definition", sorted(FORECASTS))
def test_forecast_answer_matches_the_models_response_schema(simulator: Simulator, definition: str) -> None:
    model = load_model("replenishment-2022-11-07")
    body = FORECASTS[definition](simulator)
    validator = Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": closed(model["definitions"])})
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)] == []
    # Not trivially empty: the answer holds forecast rows.
    rows = body.get("metrics") or body.get("offers")
    assert rows and all("timeInterval" in row and len(row) > 3 for row in rows)
