"""Subscribe & Save from the Replenishment API 2022-11-07, the successor of the removed SnS reports.

Amazon removed GET_FBA_SNS_FORECAST_DATA and GET_FBA_SNS_PERFORMANCE_DATA on 2025-12-11; the
Replenishment API is the only source of Subscribe & Save data since. Five streams, per marketplace:

* `replenishment_selling_partner_metrics`: getSellingPartnerMetrics, PERFORMANCE by WEEK, one
  record per ISO week (Monday to Sunday), up to 13 whole weeks a request.
* `replenishment_offer_metrics`: listOfferMetrics, PERFORMANCE by WEEK, one record per offer (ASIN,
  and SKU for sellers) and week; one week a request, as Amazon takes one unit of the frequency.
* `replenishment_selling_partner_forecast` and `replenishment_offer_forecast`: FORECAST, sellers
  only (Amazon serves no forecast to vendors), read whole on every sync and kept one per day.
* `replenishment_offers`: listOffers, every offer as it stands (eligibility, discounts, inventory,
  active subscriptions, deliveries of the next 15 to 90 days), read whole on every sync.

Weeks are read only once they are over and Amazon has had 72 hours to publish them (no hold-back is
documented; 72 h is what Amazon needs for its other weekly analytics). Amazon widens a request's
dates to whole weeks and may cut the end to the data it has: a week it has part of only is not
emitted, and when an answer ends before its window the bookmark stops where the whole weeks do; a
later sync reads the rest. Only the trailing two
years are served, so no window starts earlier. Offset paging (at most 500 offers a page, offset at
most 9000): a seller's week with more offers than that is read per fulfillment channel; what still
does not fit stops the sync with one line, never cut short.

Sources: the model (replenishment-2022-11-07.json: bodies, enums, limits, ISO weeks, one unit of the
frequency per listOfferMetrics request, two years back); Amazon's tutorials "Get a selling partner's
replenishment business metrics" (developer-docs.amazon.com/sp-api/docs/get-seller-replenishment-metrics:
a forecast's date range spans 30, 60 or 90 days; forecasts for sellers only; the Brand Analytics role
among the prerequisites) and "... for each of a selling partner's offers" (/docs/get-replenishment-
metrics-by-offer: FORECAST in the filters, next 30, 60 or 90 days per offer).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp import marketplaces
from tap_amazon_sp.accounts import labelled_keys
from tap_amazon_sp.client import RestStream
from tap_amazon_sp.paging import OffsetPaging, merged
from tap_amazon_sp.records import amazon_time, exact_numbers, format_datetime, parse_datetime, snake, snake_keys
from tap_amazon_sp.windows import Align, WindowPlan, day_after, days_from, last_day

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

API = "Replenishment API 2022-11-07"
# Whole ISO weeks, one a request, read once they ended 72 hours ago; "only data for the trailing 2
# years is supported" (model: TimeInterval).
WEEKS = WindowPlan(cap_days=7, align=Align.ISO_WEEK, hold_back=timedelta(hours=72), horizon_years=2)
FORECAST_HORIZONS = (30, 60, 90)
PROGRAM_TYPES = ["SUBSCRIBE_AND_SAVE"]
_BOTH = ("US", "CA", "ES", "UK", "FR", "IT", "IN", "DE", "JP")
# The marketplaces the API serves, by account type (model: MarketplaceId).
SERVED: dict[str, frozenset[str]] = {
    "Seller": frozenset(marketplaces.BY_COUNTRY[c].marketplace_id for c in _BOTH),
    "Vendor": frozenset(marketplaces.BY_COUNTRY[c].marketplace_id for c in (*_BOTH, "BR", "AU", "MX", "AE", "NL")),
}

# Answer fields, as the model names them (records carry them snake-cased); every metric is a number.
PARTNER_METRICS = (
    "notDeliveredDueToOOS",
    "totalSubscriptionsRevenue",
    "shippedSubscriptionUnits",
    "activeSubscriptions",
    "subscriberAverageRevenue",
    "nonSubscriberAverageRevenue",
    "lostRevenueDueToOOS",
    "subscriberAverageReorders",
    "nonSubscriberAverageReorders",
    "couponsRevenuePenetration",
    "revenueFromSubscriptionsWithMultipleDeliveries",
    "revenueFromActiveSubscriptionsWithSingleDelivery",
    "revenueFromCancelledSubscriptionsAfterSingleDelivery",
    "subscriberRetentionFor30Days",
    "subscriberRetentionFor90Days",
    "revenuePenetrationFor0PercentSellerFunding",
    "revenuePenetrationFor5PercentSellerFunding",
    "revenuePenetrationFor10PercentSellerFunding",
    "revenuePenetrationFor5PlusPercentSellerFunding",
    "shareOfCouponSubscriptions",
    "nonSubscriberLifeTimeValueFromOTP",
    "lostSubscriberLifeTimeValueFromOTP",
    "lostSubscriberLifeTimeValueFromSNS",
    "growingSubscriberLifeTimeValueFromOTP",
    "growingSubscriberLifeTimeValueFromSNS",
    "establishedSubscriberLifeTimeValueFromOTP",
    "establishedSubscriberLifeTimeValueFromSNS",
    "signupConversionFor0PercentSellerFunding",
    "signupConversionFor5PercentSellerFunding",
    "signupConversionFor10PercentSellerFunding",
    "signupConversionFor5PlusPercentSellerFunding",
    "revenuePenetration",
)
# The only metrics Amazon forecasts.
FORECAST_METRICS = ("totalSubscriptionsRevenue", "shippedSubscriptionUnits")
OFFER_METRICS = (
    "notDeliveredDueToOOS",
    "totalSubscriptionsRevenue",
    "shippedSubscriptionUnits",
    "activeSubscriptions",
    "revenuePenetration",
    "lostRevenueDueToOOS",
    "couponsRevenuePenetration",
    "shareOfCouponSubscriptions",
)
OFFER_FORECASTS = (
    "next30DayTotalSubscriptionsRevenue",
    "next60DayTotalSubscriptionsRevenue",
    "next90DayTotalSubscriptionsRevenue",
    "next30DayShippedSubscriptionUnits",
    "next60DayShippedSubscriptionUnits",
    "next90DayShippedSubscriptionUnits",
)
# What names an offer; SKU and fulfillment channel are sellers', product group vendors'.
OFFER_FIELDS = ("asin", "sku", "fulfillmentChannelType", "brandName", "productGroup")

MARKETPLACE = th.Property("marketplace_id", th.StringType, required=True)
PERIOD = (
    th.Property(
        "period_start",
        th.DateTimeType,
        required=True,
        description="First day of the period the record covers (UTC midnight), as Amazon answers.",
    ),
    th.Property(
        "period_end",
        th.DateTimeType,
        required=True,
        description="Last day of the period, included (for a week: its Sunday), as Amazon answers.",
    ),
)
SNAPSHOT = th.Property(
    "snapshot_date",
    th.DateType,
    required=True,
    description="UTC day the forecast was read (its first day): one forecast a day is kept, a later read "
    "the same day replaces it.",
)
CURRENCY = th.Property("currency_code", th.StringType, description="ISO 4217 currency of the revenue figures.")


def _schema(
    *properties: th.Property[Any], numbers: tuple[str, ...] = (), strings: tuple[str, ...] = ()
) -> dict[str, Any]:
    return th.PropertiesList(
        *properties,
        *(th.Property(snake(name), th.StringType) for name in strings),
        *(th.Property(snake(name), th.NumberType) for name in numbers),
        CURRENCY,
    ).to_dict()


def _instant(raw: Any) -> str | None:
    return format_datetime(parse_datetime(str(raw))) if raw else None


class _ReplenishmentStream(RestStream):
    """What the streams share: a JSON body per marketplace, the marketplaces Amazon serves."""

    json_body = True
    # Amazon's tutorials ask for the Brand Analytics role, which most apps lack, and for FBA: like
    # the Brand Analytics reports, these streams are synced only when the catalog selects them.
    selected_by_default = False
    account_types: ClassVar[tuple[str, ...]] = ("Seller", "Vendor")
    time_period_type: ClassVar[str] = "PERFORMANCE"
    # One marketplace a request.
    per_marketplace = True

    # An offer's part of the primary key; vendors' offers have no SKU, so theirs leave it out.
    offer_key: ClassVar[tuple[str, ...]] = ()

    def __init__(self, tap: Tap, **kwargs: Any) -> None:
        super().__init__(tap, **kwargs)
        if self.offer_key:
            self.primary_keys = labelled_keys(k for k in self.offer_key if self.account_type == "Seller" or k != "sku")

    @property
    def account_type(self) -> str:
        return str(self.config.get("account_type") or "Seller").capitalize()

    @override
    def serves(self, context: Context | None) -> bool:
        return str((context or {})["marketplace_id"]) in SERVED[self.account_type]

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        marketplace_id = str((context or {})["marketplace_id"])
        if not self.serves(context):
            self.logger.info(
                "%s: the Replenishment API does not serve marketplace %s to %ss; skipped",
                self.name,
                marketplace_id,
                self.account_type.lower(),
            )
            return
        yield from self.served_records(context)

    def served_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """The records of a marketplace the API serves."""
        yield from super().get_records(context)

    def filters(self, context: Context | None) -> dict[str, Any]:
        """What every request of a partition asks for, the dates apart."""
        filters: dict[str, Any] = {
            "marketplaceId": str((context or {})["marketplace_id"]),
            "programTypes": PROGRAM_TYPES,
            "timePeriodType": self.time_period_type,
        }
        if self.time_period_type == "PERFORMANCE":
            # Only for PERFORMANCE: Amazon refuses it with FORECAST.
            filters["aggregationFrequency"] = "WEEK"
        return filters

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        data: dict[str, Any] = exact_numbers(snake_keys(item))
        if "period_start" in self.schema["properties"]:
            interval = data.pop("time_interval", None) or {}
            data["period_start"] = _instant(interval.get("start_date"))
            data["period_end"] = _instant(interval.get("end_date"))
        data["marketplace_id"] = str((context or {})["marketplace_id"])
        return data

    @override
    def describe(self, request: Mapping[str, Any]) -> str:
        filters = request.get("filters") or request
        interval = filters.get("timeInterval") or {}
        return f"marketplace {filters.get('marketplaceId')}, {interval.get('startDate')} to {interval.get('endDate')}"

    @staticmethod
    def interval(start: datetime, last_day: datetime) -> dict[str, str]:
        """Amazon's timeInterval from a first and a last day (both included, as Amazon reads them)."""
        return {"startDate": amazon_time(start), "endDate": amazon_time(last_day)}


class _WeeklyStream(_ReplenishmentStream):
    """PERFORMANCE by ISO week: windows of whole weeks that ended at least 72 hours ago."""

    replication_key = "period_start"
    window = WEEKS

    def timed(self, start: datetime, end: datetime) -> dict[str, Any]:
        """The timeInterval of [start, end): Amazon's end date is the last day, included."""
        return {"timeInterval": self.interval(start, last_day(end))}

    @override
    def windowed_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        base = self.base_params(context)
        for start, end in self.time_windows(self.sync_start(context)):
            ends: list[datetime] = []
            for record in self.read_chain(
                merged(base, self.window_params(start, end)), context, on_page=partial(_note_ends, ends)
            ):
                # A week Amazon has only part of yet is not emitted: its whole-week figures come later.
                if not _part_of_week(record):
                    yield record
            answered = max(ends, default=None)
            if answered is not None and answered < end:
                # Amazon cut the answer to the data it has: the rest of the window waits for a later sync.
                if answered > start:
                    self.commit_bookmark(context, answered)
                self.logger.info(
                    "%s: Amazon has data of marketplace %s up to %s only; later weeks wait for the next sync",
                    self.name,
                    (context or {}).get("marketplace_id"),
                    last_day(answered).date(),
                )
                return
            self.commit_bookmark(context, end)


def _note_ends(ends: list[datetime], records: list[dict[str, Any]]) -> None:
    ends.extend(_after(record) for record in records if record.get("period_start"))


def _after(record: Mapping[str, Any]) -> datetime:
    """Up to where a record shows Amazon's data complete: the instant after its last day, or its start
    when it covers part of a week only (or Amazon gave no end)."""
    start = parse_datetime(str(record["period_start"]))
    end = record.get("period_end")
    if not end or _part_of_week(record):
        return start
    return day_after(parse_datetime(str(end)))


def _part_of_week(record: Mapping[str, Any]) -> bool:
    """Whether a record covers less than the week it starts (Amazon cut it to the data it has)."""
    end = record.get("period_end")
    start = record.get("period_start")
    return bool(start and end) and parse_datetime(str(end)) - parse_datetime(str(start)) < timedelta(days=6)


class SellingPartnerMetricsStream(_WeeklyStream):
    """`replenishment_selling_partner_metrics`: the selling partner's Subscribe & Save metrics, per ISO week."""

    name = "replenishment_selling_partner_metrics"
    primary_keys: ClassVar[list[str]] = ["marketplace_id", "period_start", "period_end"]
    source = f"{API} `getSellingPartnerMetrics` (PERFORMANCE, WEEK)"
    operation = "getSellingPartnerMetrics"
    records_path = ("metrics",)
    # A quarter a request (the operation sets no limit for weeks).
    window = WEEKS.capped(91)
    schema = _schema(MARKETPLACE, *PERIOD, numbers=PARTNER_METRICS)

    @override
    def base_params(self, context: Context | None) -> dict[str, Any]:
        return self.filters(context)

    @override
    def window_params(self, start: datetime, end: datetime) -> dict[str, Any]:
        return self.timed(start, end)

    @override
    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        # Metrics Amazon sends in separate rows for the same period are one record of that period.
        by_period: dict[tuple[Any, Any], dict[str, Any]] = {}
        for record in super().page_records(body, context):
            period = (record["period_start"], record["period_end"])
            by_period[period] = {**by_period.get(period, {}), **record}
        return list(by_period.values())


class _OfferStream(_ReplenishmentStream):
    """listOfferMetrics: offers paged by offset, 500 at a time, from offset 0 to 9000."""

    operation = "listOfferMetrics"
    records_path = ("offers",)
    offset_paging = OffsetPaging(limit=500, max_offset=9000)

    @override
    def narrower(self, request: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        # A seller's offers are fulfilled by Amazon or by the merchant: one request each holds them all.
        filters = request.get("filters") or {}
        if self.account_type != "Seller" or "fulfillmentChannelTypes" in filters:
            return None
        return [
            merged(request, {"filters": {"fulfillmentChannelTypes": [channel]}}) for channel in ("AMAZON", "MERCHANT")
        ]


class OfferMetricsStream(_WeeklyStream, _OfferStream):
    """`replenishment_offer_metrics`: each offer's Subscribe & Save metrics, per ISO week."""

    name = "replenishment_offer_metrics"
    offer_key = ("marketplace_id", "asin", "sku", "period_start")
    primary_keys: ClassVar[list[str]] = list(offer_key)
    source = f"{API} `listOfferMetrics` (PERFORMANCE, WEEK)"
    schema = _schema(MARKETPLACE, *PERIOD, strings=OFFER_FIELDS, numbers=OFFER_METRICS)

    @override
    def base_params(self, context: Context | None) -> dict[str, Any]:
        return {"filters": self.filters(context)}

    @override
    def window_params(self, start: datetime, end: datetime) -> dict[str, Any]:
        return {"filters": self.timed(start, end)}


class _ForecastStream(_ReplenishmentStream):
    """FORECAST: sellers only, read whole on every sync, one snapshot a day."""

    replication_key = None
    account_types = ("Seller",)
    time_period_type = "FORECAST"
    # Read whole, but kept one a day (snapshot_date in the key): not a `whole_snapshot`, whose table
    # version would mark every earlier day's forecast deleted.
    window_description = "snapshot of the current forecast"
    _today: date | None = None

    @property
    def today(self) -> date:
        """The day this sync reads forecasts for (the same for all of its requests)."""
        if self._today is None:
            self._today = datetime.now(timezone.utc).date()
        return self._today

    def from_today(self, days: int) -> dict[str, str]:
        return self.interval(*days_from(self.today, days))

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        return {**super().record(item, context), "snapshot_date": self.today.isoformat()}


class SellingPartnerForecastStream(_ForecastStream):
    """`replenishment_selling_partner_forecast`: forecast revenue and units of the next 30, 60 and 90 days."""

    name = "replenishment_selling_partner_forecast"
    primary_keys: ClassVar[list[str]] = ["marketplace_id", "snapshot_date", "horizon_days"]
    source = f"{API} `getSellingPartnerMetrics` (FORECAST, 30, 60 and 90 days)"
    operation = "getSellingPartnerMetrics"
    records_path = ("metrics",)
    schema = _schema(
        MARKETPLACE,
        SNAPSHOT,
        th.Property("horizon_days", th.IntegerType, required=True, description="30, 60 or 90: the days forecast."),
        *PERIOD,
        numbers=FORECAST_METRICS,
    )
    _horizon = 0

    @override
    def served_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        # Amazon forecasts a 30, 60 or 90 day range: one request each.
        for days in FORECAST_HORIZONS:
            self._horizon = days
            yield from self.read_chain({**self.filters(context), "timeInterval": self.from_today(days)}, context)

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        return {**super().record(item, context), "horizon_days": self._horizon}


class OfferForecastStream(_ForecastStream, _OfferStream):
    """`replenishment_offer_forecast`: each offer's forecast revenue and units of the next 30, 60 and 90 days."""

    name = "replenishment_offer_forecast"
    offer_key = ("marketplace_id", "snapshot_date", "asin", "sku")
    primary_keys: ClassVar[list[str]] = list(offer_key)
    source = f"{API} `listOfferMetrics` (FORECAST)"
    schema = _schema(
        MARKETPLACE,
        SNAPSHOT,
        *PERIOD,
        strings=OFFER_FIELDS[:4],
        numbers=OFFER_FORECASTS,
    )

    @override
    def base_params(self, context: Context | None) -> dict[str, Any]:
        # The answer holds the next 30, 60 and 90 days' figures: ask for the widest.
        return {"filters": {**self.filters(context), "timeInterval": self.from_today(max(FORECAST_HORIZONS))}}


INTEGER = th.IntegerType
DISCOUNT = th.ObjectType(th.Property("percentage", th.NumberType))
ELIGIBILITIES = ("ELIGIBLE", "INELIGIBLE", "SUSPENDED", "REPLENISHMENT_ONLY_ORDERING")


class OffersStream(_ReplenishmentStream):
    """`replenishment_offers`: every Subscribe & Save offer as it stands (listOffers): eligibility,
    discounts, price, inventory, active subscriptions and the deliveries of the next 15 to 90 days."""

    name = "replenishment_offers"
    replication_key = None
    offer_key = ("marketplace_id", "asin", "sku")
    primary_keys: ClassVar[list[str]] = list(offer_key)
    source = f"{API} `listOffers`"
    operation = "listOffers"
    # No time interval in the body: every offer of the marketplace as it stands.
    whole_snapshot = True
    records_path = ("offers",)
    offset_paging = OffsetPaging(limit=100, max_offset=9000)
    schema = th.PropertiesList(
        MARKETPLACE,
        th.Property("asin", th.StringType, required=True),
        th.Property("sku", th.StringType, description="Sellers' offers only."),
        th.Property("eligibility", th.StringType),
        th.Property("program_type", th.StringType),
        th.Property(
            "offer_program_configuration",
            th.ObjectType(
                th.Property("preferences", th.ObjectType(th.Property("auto_enrollment", th.StringType))),
                th.Property(
                    "promotions",
                    th.ObjectType(
                        *(
                            th.Property(name, DISCOUNT)
                            for name in (
                                "selling_partner_funded_base_discount",
                                "selling_partner_funded_tiered_discount",
                                "amazon_funded_base_discount",
                                "amazon_funded_tiered_discount",
                            )
                        )
                    ),
                ),
                th.Property("enrollment_method", th.StringType),
            ),
        ),
        th.Property("vendor_codes", th.ArrayType(th.StringType), description="Vendors' offers only."),
        th.Property("price", th.NumberType),
        th.Property("price_currency_code", th.StringType),
        th.Property("inventory", INTEGER),
        th.Property("stock_risk", th.StringType),
        th.Property(
            "deliveries_conditions",
            th.ArrayType(
                th.ObjectType(
                    th.Property("condition", th.StringType),
                    th.Property("next30days_deliveries", INTEGER),
                )
            ),
        ),
        th.Property("subscriptions", INTEGER, description="Active subscriptions."),
        th.Property("fulfillment_network_id_type", th.StringType),
        th.Property(
            "forecast_deliveries",
            th.ObjectType(*(th.Property(f"next{days}days_deliveries", INTEGER) for days in (15, 30, 60, 90))),
        ),
    ).to_dict()

    @override
    def base_params(self, context: Context | None) -> dict[str, Any]:
        return {"filters": {"marketplaceId": str((context or {})["marketplace_id"]), "programTypes": PROGRAM_TYPES}}

    @override
    def narrower(self, request: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        # Every offer has one of four eligibilities: one request each holds them all.
        if "eligibilities" in (request.get("filters") or {}):
            return None
        return [merged(request, {"filters": {"eligibilities": [value]}}) for value in ELIGIBILITIES]

    @override
    def describe(self, request: Mapping[str, Any]) -> str:
        return f"marketplace {(request.get('filters') or {}).get('marketplaceId')}"
