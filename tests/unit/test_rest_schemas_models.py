"""The REST streams' schemas against Amazon's models in ``../shared/spapi-models``.

Every property a schema declares (snake-cased) exists in the model at the same place, with a
compatible type, and every property of the model's object is declared unless it is listed here as
left out on purpose. Skips when the models folder is absent, as on a plain clone.
"""

from __future__ import annotations

from typing import Any

import pytest

from tap_amazon_sp.records import snake
from tests.support.rest_expected import SCHEMAS
from tests.unit.test_operations_models import load_model, resolve

REPLENISHMENT = "replenishment-2022-11-07"
PERIOD = ("period_start", "period_end")
# What forecast records add: the day read, the horizon asked for, the interval's days.
FORECAST_ADDED = {"marketplace_id", "snapshot_date", "horizon_days", *PERIOD}
# stream -> (model, definition, properties the tap adds, model properties left out on purpose)
SOURCES: dict[str, tuple[str, str, set[str], set[str]]] = {
    "orders": (
        "orders_2026-01-01",
        "Order",
        {"marketplace_id"},
        # Items are their own stream; payment, tax (buyer tax registrations) and fulfillment
        # orders are not asked for (order_streams.INCLUDED_DATA).
        {"order_items", "payment", "tax", "fulfillment_orders"},
    ),
    "order_items": (
        "orders_2026-01-01",
        "OrderItem",
        {"order_id", "marketplace_id", "order_last_updated_time"},
        {"tax"},
    ),
    "financial_event_groups": ("financesV0", "FinancialEventGroup", set(), set()),
    "financial_transactions": ("finances_2024-06-19", "Transaction", {"marketplace_id"}, set()),
    "fba_inventory_summaries": ("fbaInventory", "InventorySummary", {"marketplace_id"}, set()),
    # The time interval is flattened into period_start and period_end.
    "replenishment_selling_partner_metrics": (
        REPLENISHMENT,
        "GetSellingPartnerMetricsResponseMetric",
        {"marketplace_id", *PERIOD},
        {"time_interval"},
    ),
    "replenishment_offer_metrics": (
        REPLENISHMENT,
        "ListOfferMetricsResponseOffer",
        {"marketplace_id", *PERIOD},
        # Forecasts are their own stream.
        {
            "time_interval",
            *(
                f"next{days}day_{metric}"
                for days in (30, 60, 90)
                for metric in ("total_subscriptions_revenue", "shipped_subscription_units")
            ),
        },
    ),
    "replenishment_offers": (REPLENISHMENT, "ListOffersResponseOffer", set(), set()),
}

# Amazon's lossless decimals: a string in Orders, a number in Finances; records carry numbers.
DECIMALS = ("Decimal", "BigDecimal")


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return ({kind} if isinstance(kind, str) else set(kind)) - {"null"}


def compare(model: dict[str, Any], schema: dict[str, Any], node: dict[str, Any], path: str) -> list[str]:
    """What in `schema` does not fit the model's `node` (both an object's properties)."""
    problems = []
    declared = resolve(model, node).get("properties", {})
    by_snake = {snake(name): value for name, value in declared.items()}
    for name, prop in schema.get("properties", {}).items():
        if name not in by_snake:
            problems.append(f"{path}.{name}: not in the model")
            continue
        raw = by_snake[name]
        is_decimal = raw.get("$ref", "").rsplit("/", 1)[-1] in DECIMALS
        target = resolve(model, raw)
        want = target.get("type", "object")
        got = _types(prop)
        if is_decimal:
            if got != {"number"}:
                problems.append(f"{path}.{name}: a decimal, declared {got}")
        elif want == "object" or "properties" in target:
            if got != {"object"}:
                problems.append(f"{path}.{name}: an object, declared {got}")
            elif "properties" in prop:
                problems += compare(model, prop, target, f"{path}.{name}")
        elif want == "array":
            if got != {"array"}:
                problems.append(f"{path}.{name}: an array, declared {got}")
            elif "properties" in prop.get("items", {}):
                problems += compare(model, prop["items"], target["items"], f"{path}.{name}[]")
        elif want not in got:
            problems.append(f"{path}.{name}: a {want}, declared {got}")
        elif target.get("format") == "date-time" and prop.get("format") != "date-time":
            problems.append(f"{path}.{name}: a date-time, declared without the format")
    return problems


@pytest.mark.parametrize("stream", sorted(SOURCES))
def test_schema_follows_the_model(stream: str) -> None:
    api, definition, added, left_out = SOURCES[stream]
    model = load_model(api)
    node = model["definitions"][definition]
    schema = SCHEMAS[stream]
    own = {"properties": {k: v for k, v in schema["properties"].items() if k not in added}}
    assert compare(model, own, node, stream) == []
    modelled = {snake(name) for name in resolve(model, node)["properties"]}
    assert modelled - set(schema["properties"]) == left_out


def test_marketplace_participations_cover_the_model() -> None:
    model = load_model("sellers")
    fields = {
        *(snake(n) for n in model["definitions"]["Marketplace"]["properties"]),
        *(snake(n) for n in model["definitions"]["Participation"]["properties"]),
        "store_name",
    }
    # The marketplace's `id` is the record's `marketplace_id`.
    assert set(SCHEMAS["marketplace_participations"]["properties"]) == (fields - {"id"}) | {"marketplace_id"}


def test_financial_event_columns_are_fields_of_events() -> None:
    model = load_model("financesV0")
    lists = model["definitions"]["FinancialEvents"]["properties"]
    fields: set[str] = set()
    for ref in lists.values():
        event = resolve(model, resolve(model, ref)["items"])
        fields |= {snake(n) for n in event.get("properties", {})}
    assert {"posted_date", "amazon_order_id", "marketplace_name"} <= fields
    assert all(name.endswith("EventList") for name in lists)


@pytest.mark.parametrize(
    ("stream", "definition"),
    [
        ("replenishment_selling_partner_forecast", "GetSellingPartnerMetricsResponseMetric"),
        ("replenishment_offer_forecast", "ListOfferMetricsResponseOffer"),
    ],
)
def test_forecast_streams_hold_what_amazon_forecasts(stream: str, definition: str) -> None:
    model = load_model(REPLENISHMENT)
    node = model["definitions"][definition]
    schema = SCHEMAS[stream]
    own = {"properties": {k: v for k, v in schema["properties"].items() if k not in FORECAST_ADDED}}
    assert compare(model, own, node, stream) == []
    # FORECAST gives revenue and shipped units only (model: TimePeriodType), for sellers only, so
    # the vendors' product group is left out too.
    properties = resolve(model, node)["properties"]
    if definition == "ListOfferMetricsResponseOffer":
        forecast = {snake(n) for n, p in properties.items() if "`FORECAST`" in p.get("description", "")}
        offer = {"asin", "sku", "fulfillment_channel_type", "brand_name"}
    else:
        forecast = {"total_subscriptions_revenue", "shipped_subscription_units"}
        offer = set()
    assert set(own["properties"]) == forecast | offer | {"currency_code"}
