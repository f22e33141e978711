"""Replenishment API 2022-11-07 (Subscribe & Save metrics and offers): seeded data, Amazon's answers, ground truth.

Written from the model (replenishment-2022-11-07.json) and Amazon's Replenishment tutorials,
independently of the tap. What is played here:

* Weeks are ISO weeks, Monday to Sunday. A request's dates are widened to whole weeks (startDate to
  its week's Monday, endDate to its week's Sunday: the end date is the period's last day) and the end
  is cut to the data available: data of a day is there ``publish_lag`` after it ends (a test can make
  that longer), so the newest week of an answer can end before its Sunday, with figures of its own.
  Only the trailing two years are served; an older startDate is refused.
* ``aggregationFrequency`` DAY is refused with the model's sandbox message; the simulator serves WEEK.
  It is for PERFORMANCE only. listOfferMetrics takes one week per request.
* FORECAST is for sellers only, and gives revenue and shipped units: for getSellingPartnerMetrics
  over a 30, 60 or 90 day interval, for listOfferMetrics as next 30/60/90 day figures per offer.
* Offset paging: ``pagination.limit`` and ``offset`` (the operation table refuses a limit over 500
  or 100, and an offset over 9000, with 400), ``pagination.totalResults`` in every answer.
* The marketplaces the API serves: US, CA, ES, UK, FR, IT, IN, DE and JP for sellers and vendors,
  BR, AU, MX, AE and NL for vendors only. Sellers' offers have SKUs and a fulfillment channel,
  vendors' a product group.

Values are drawn per (marketplace, week or day, offer) from their own seeded ``random.Random``, so
any request agrees with any other about a week, and ``offer_count`` can be set to thousands of
offers without building them all for every page.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .json_forms import to_record, to_wire
from .rendering import MARKETPLACES
from .reports import ApiError
from .rest_api import World, answers, simulated
from .validation import parse_datetime

__all__ = ["SERVED", "ReplenishmentApi"]

_BOTH = ("US", "CA", "ES", "UK", "FR", "IT", "IN", "DE", "JP")
# Marketplace IDs the API serves, by account type (model: MarketplaceId).
SERVED: dict[str, frozenset[str]] = {
    "Seller": frozenset(m.id for m in MARKETPLACES.values() if m.code in _BOTH),
    "Vendor": frozenset(m.id for m in MARKETPLACES.values() if m.code in (*_BOTH, "BR", "AU", "MX", "AE", "NL")),
}
PUBLISH_LAG = timedelta(hours=48)
FORECAST_DAYS = (30, 60, 90)
_WEEK = timedelta(days=7)
_BRANDS = ("Acme", "Northwind", "Globex")
_GROUPS = ("Grocery", "Health", "Pet")
# The metrics of getSellingPartnerMetrics and the answer fields each one brings (model: Metric).
_METRIC_FIELDS: dict[str, tuple[str, ...]] = {
    "SHIPPED_SUBSCRIPTION_UNITS": ("shippedSubscriptionUnits",),
    "TOTAL_SUBSCRIPTIONS_REVENUE": ("totalSubscriptionsRevenue",),
    "ACTIVE_SUBSCRIPTIONS": ("activeSubscriptions",),
    "NOT_DELIVERED_DUE_TO_OOS": ("notDeliveredDueToOOS",),
    "SUBSCRIBER_NON_SUBSCRIBER_AVERAGE_REVENUE": ("subscriberAverageRevenue", "nonSubscriberAverageRevenue"),
    "LOST_REVENUE_DUE_TO_OOS": ("lostRevenueDueToOOS",),
    "SUBSCRIBER_NON_SUBSCRIBER_AVERAGE_REORDERS": ("subscriberAverageReorders", "nonSubscriberAverageReorders"),
    "COUPONS_REVENUE_PENETRATION": ("couponsRevenuePenetration",),
    "REVENUE_BY_DELIVERIES": (
        "revenueFromSubscriptionsWithMultipleDeliveries",
        "revenueFromActiveSubscriptionsWithSingleDelivery",
        "revenueFromCancelledSubscriptionsAfterSingleDelivery",
    ),
    "SUBSCRIBER_RETENTION": ("subscriberRetentionFor30Days", "subscriberRetentionFor90Days"),
    "REVENUE_PENETRATION_BY_SELLER_FUNDING": (
        "revenuePenetrationFor0PercentSellerFunding",
        "revenuePenetrationFor5PercentSellerFunding",
        "revenuePenetrationFor10PercentSellerFunding",
        "revenuePenetrationFor5PlusPercentSellerFunding",
    ),
    "SHARE_OF_COUPON_SUBSCRIPTIONS": ("shareOfCouponSubscriptions",),
    "SUBSCRIBER_LIFETIME_VALUE_BY_CUSTOMER_SEGMENT": (
        "nonSubscriberLifeTimeValueFromOTP",
        "lostSubscriberLifeTimeValueFromOTP",
        "lostSubscriberLifeTimeValueFromSNS",
        "growingSubscriberLifeTimeValueFromOTP",
        "growingSubscriberLifeTimeValueFromSNS",
        "establishedSubscriberLifeTimeValueFromOTP",
        "establishedSubscriberLifeTimeValueFromSNS",
    ),
    "SIGNUP_CONVERSION_BY_SELLER_FUNDING": (
        "signupConversionFor0PercentSellerFunding",
        "signupConversionFor5PercentSellerFunding",
        "signupConversionFor10PercentSellerFunding",
        "signupConversionFor5PlusPercentSellerFunding",
    ),
    "REVENUE_PENETRATION": ("revenuePenetration",),
}
_FORECAST_METRICS = ("TOTAL_SUBSCRIPTIONS_REVENUE", "SHIPPED_SUBSCRIPTION_UNITS")
# Fields the model marks as for one account type only.
_SELLERS_ONLY = (
    "revenuePenetrationFor5PercentSellerFunding",
    "revenuePenetrationFor10PercentSellerFunding",
    "signupConversionFor5PercentSellerFunding",
    "signupConversionFor10PercentSellerFunding",
)
_VENDORS_ONLY = ("revenuePenetrationFor5PlusPercentSellerFunding", "signupConversionFor5PlusPercentSellerFunding")
_COUNTS = ("shippedSubscriptionUnits", "activeSubscriptions")
_PERCENTS = (
    "notDeliveredDueToOOS",
    "couponsRevenuePenetration",
    "subscriberRetentionFor30Days",
    "subscriberRetentionFor90Days",
    "shareOfCouponSubscriptions",
    "revenuePenetration",
)


def _invalid(message: str, *, violation: bool = True) -> ApiError:
    return ApiError(400, "InvalidInput", message, violation=violation)


def _unserved(what: str) -> ApiError:
    # Valid for Amazon, but not played here: the tap must not need it.
    return ApiError(501, "NotImplemented", f"The simulator does not serve {what}.", violation=True)


def _day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _wire_day(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _record_day(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def _part(monday: date, last: date | None) -> str:
    """'' for a whole week, else its last day: a part of a week has figures of its own."""
    return "" if last is None or last == monday + timedelta(days=6) else last.isoformat()


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _percent(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(0, 10001)) / 100


@simulated("replenishment", vendor=True)
class ReplenishmentApi:
    """The Subscribe & Save business of one selling partner, in every marketplace the API serves."""

    def __init__(self, world: World) -> None:
        self.seed = world.seed
        self.rows = world.rows
        self.faults = world.faults
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.publish_lag = PUBLISH_LAG
            # Whether answers give pagination.totalResults (the model does not make it required).
            self.send_total = True
            # Offers per marketplace; by default enough for two pages of 500.
            self._counts: dict[str, int] = {}

    def set_offer_count(self, marketplace_id: str, count: int) -> None:
        """How many Subscribe & Save offers a marketplace has (until ``reset``)."""
        with self._lock:
            self._counts[marketplace_id] = count

    def offer_count(self, marketplace_id: str) -> int:
        with self._lock:
            return self._counts.get(marketplace_id, self.rows * 9)

    def vendor(self) -> bool:
        return self.faults.get("account_type") == "Vendor"

    # ---- data ------------------------------------------------------------------------------

    def offer(self, marketplace_id: str, n: int, *, vendor: bool) -> dict[str, Any]:
        """Offer number `n` of a marketplace: its identity (what every metric of it repeats)."""
        code = MARKETPLACES[marketplace_id].code
        offer: dict[str, Any] = {"asin": f"B0{code}{n:06d}"}
        if vendor:
            offer["brandName"] = _BRANDS[n % 3]
            offer["productGroup"] = _GROUPS[n % 3]
        else:
            offer["sku"] = f"SNS-{code}-{n:05d}"
            offer["fulfillmentChannelType"] = "MERCHANT" if n % 4 == 3 else "AMAZON"
            offer["brandName"] = _BRANDS[n % 3]
        return offer

    def offers(self, marketplace_id: str, *, vendor: bool) -> list[dict[str, Any]]:
        return [self.offer(marketplace_id, n, vendor=vendor) for n in range(self.offer_count(marketplace_id))]

    def horizon(self, now: datetime | None = None) -> datetime:
        """The oldest instant the API serves: two years before now."""
        now = now or datetime.now(timezone.utc)
        try:
            return now.replace(year=now.year - 2)
        except ValueError:  # February 29
            return now.replace(year=now.year - 2, day=28)

    def last_day(self, now: datetime | None = None) -> date:
        """The last day Amazon has data of: the day before `publish_lag` ago."""
        now = now or datetime.now(timezone.utc)
        return _day(now - self.publish_lag) - timedelta(days=1)

    def week_metrics(
        self, marketplace_id: str, monday: date, last: date | None = None, *, vendor: bool
    ) -> dict[str, Any]:
        """The selling partner's metrics of one week (every field of every metric), or of its first
        days up to `last` (a week Amazon has only part of)."""
        rng = random.Random(f"{self.seed}:{marketplace_id}:{monday}:{_part(monday, last)}:{vendor}:partner")
        row: dict[str, Any] = {}
        for fields in _METRIC_FIELDS.values():
            for field in fields:
                if field in (_SELLERS_ONLY if vendor else _VENDORS_ONLY):
                    continue
                if field in _COUNTS:
                    row[field] = rng.randrange(0, 5000)
                elif field in _PERCENTS or "Penetration" in field or "Conversion" in field:
                    row[field] = _percent(rng)
                else:
                    row[field] = _money(rng, 0, 90000)
        return row

    def offer_week(
        self, marketplace_id: str, offer: Mapping[str, Any], monday: date, last: date | None = None
    ) -> dict[str, Any]:
        """One offer's PERFORMANCE metrics of one week (or of its first days up to `last`)."""
        rng = random.Random(f"{self.seed}:{marketplace_id}:{offer['asin']}:{monday}:{_part(monday, last)}:offer")
        return {
            **offer,
            "notDeliveredDueToOOS": _percent(rng),
            "totalSubscriptionsRevenue": _money(rng, 0, 900),
            "shippedSubscriptionUnits": rng.randrange(0, 90),
            "activeSubscriptions": rng.randrange(0, 400),
            "revenuePenetration": _percent(rng),
            "lostRevenueDueToOOS": _money(rng, 0, 90),
            "couponsRevenuePenetration": _percent(rng),
            "shareOfCouponSubscriptions": _percent(rng),
        }

    def offer_forecast(self, marketplace_id: str, offer: Mapping[str, Any], day: date) -> dict[str, Any]:
        """One offer's forecast as made on `day`."""
        rng = random.Random(f"{self.seed}:{marketplace_id}:{offer['asin']}:{day}:forecast")
        revenue = _money(rng, 0, 300)
        units = rng.randrange(0, 30)
        return {
            **offer,
            "next30DayTotalSubscriptionsRevenue": revenue,
            "next60DayTotalSubscriptionsRevenue": revenue * 2,
            "next90DayTotalSubscriptionsRevenue": revenue * 3,
            "next30DayShippedSubscriptionUnits": units,
            "next60DayShippedSubscriptionUnits": units * 2,
            "next90DayShippedSubscriptionUnits": units * 3,
        }

    def partner_forecast(self, marketplace_id: str, day: date, days: int) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{marketplace_id}:{day}:partner-forecast")
        revenue = _money(rng, 1000, 9000)
        units = rng.randrange(100, 900)
        return {"totalSubscriptionsRevenue": revenue * (days // 30), "shippedSubscriptionUnits": units * (days // 30)}

    # ---- request checks --------------------------------------------------------------------

    def _common(self, spec: Mapping[str, Any], *, vendor: bool) -> tuple[str, str, date, date]:
        """(marketplace, period type, start day, end day) of a request's filters, checked."""
        marketplace_id = str(spec["marketplaceId"])
        if marketplace_id not in SERVED["Vendor" if vendor else "Seller"]:
            raise _invalid(
                f"The Replenishment API is not available in marketplace {marketplace_id} "
                f"for {'vendors' if vendor else 'sellers'}."
            )
        period_type = str(spec["timePeriodType"])
        frequency = spec.get("aggregationFrequency")
        if period_type == "FORECAST":
            if vendor:
                raise _invalid("Forecast data is supported for sellers but not for vendors.")
            if frequency is not None:
                raise _invalid("aggregationFrequency is only valid for the PERFORMANCE timePeriodType.")
        elif frequency == "DAY":
            raise _invalid(
                "Unsupported aggregationFrequency is provided. Only WEEK, MONTH, QUARTER and YEAR are supported"
            )
        elif frequency != "WEEK":
            raise _unserved(f"aggregationFrequency {frequency!r} (only WEEK)")
        interval = spec["timeInterval"]
        start = parse_datetime(str(interval["startDate"]))
        end = parse_datetime(str(interval["endDate"]))
        assert start is not None and end is not None  # the operation table checked both
        if end < start:
            raise _invalid("timeInterval.endDate is before its startDate.")
        if period_type == "PERFORMANCE" and start < self.horizon():
            raise _invalid("Only data for the trailing 2 years is supported.")
        return marketplace_id, period_type, _day(start), _day(end)

    def _weeks(self, start: date, end: date) -> list[tuple[date, date]]:
        """(Monday, last day) of the weeks a PERFORMANCE request covers once widened, the end cut to the
        data available: the newest week can end before its Sunday."""
        last = min(end + timedelta(days=6 - end.weekday()), self.last_day())
        weeks = []
        monday = _monday(start)
        while monday <= last:
            weeks.append((monday, min(monday + timedelta(days=6), last)))
            monday += _WEEK
        return weeks

    # ---- operations ------------------------------------------------------------------------

    @answers("getSellingPartnerMetrics", reads="body")
    def get_selling_partner_metrics(self, body: Mapping[str, Any]) -> dict[str, Any]:
        vendor = self.vendor()
        marketplace_id, period_type, start, end = self._common(body, vendor=vendor)
        if body.get("filters"):
            raise _unserved("getSellingPartnerMetrics filters")
        asked = body.get("metrics")
        currency = MARKETPLACES[marketplace_id].currency
        if period_type == "FORECAST":
            if asked and set(asked) - set(_FORECAST_METRICS):
                raise _invalid(f"Only {' and '.join(_FORECAST_METRICS)} are supported for FORECAST.")
            days = (end - start).days
            if days not in FORECAST_DAYS:
                raise _invalid("To return forecast data the time interval must span 30, 60 or 90 days.")
            row = self.partner_forecast(marketplace_id, start, days)
            metrics = [
                {
                    **row,
                    "timeInterval": {"startDate": _wire_day(start), "endDate": _wire_day(end)},
                    "currencyCode": currency,
                }
            ]
        else:
            wanted = {f for metric in (asked or _METRIC_FIELDS) for f in _METRIC_FIELDS[metric]}
            metrics = []
            for monday, last in self._weeks(start, end):
                row = {
                    k: v
                    for k, v in self.week_metrics(marketplace_id, monday, last, vendor=vendor).items()
                    if k in wanted
                }
                metrics.append({**row, "timeInterval": self._interval(monday, last), "currencyCode": currency})
        return to_wire({"metrics": metrics})

    @answers("listOfferMetrics", reads="body")
    def list_offer_metrics(self, body: Mapping[str, Any]) -> dict[str, Any]:
        vendor = self.vendor()
        filters = body["filters"]
        marketplace_id, period_type, start, end = self._common(filters, vendor=vendor)
        if body.get("sort"):
            raise _unserved("listOfferMetrics sort")
        offers = self._filtered(marketplace_id, filters, vendor=vendor)
        limit, offset = int(body["pagination"]["limit"]), int(body["pagination"]["offset"])
        page = offers[offset : offset + limit]
        currency = MARKETPLACES[marketplace_id].currency
        if period_type == "FORECAST":
            interval = {"startDate": _wire_day(start), "endDate": _wire_day(end)}
            rows = [
                {
                    **self.offer_forecast(marketplace_id, offer, start),
                    "timeInterval": interval,
                    "currencyCode": currency,
                }
                for offer in page
            ]
        else:
            if _monday(start) != _monday(end):
                raise _invalid(
                    "listOfferMetrics only supports a time interval which covers a single unit of the "
                    "aggregation frequency."
                )
            weeks = self._weeks(start, end)
            if not weeks:
                offers, rows = [], []
            else:
                monday, last = weeks[0]
                rows = [
                    {
                        **self.offer_week(marketplace_id, offer, monday, last),
                        "timeInterval": self._interval(monday, last),
                        "currencyCode": currency,
                    }
                    for offer in page
                ]
        return to_wire({"offers": rows, "pagination": {"totalResults": len(offers)} if self.send_total else {}})

    @answers("listOffers", reads="body")
    def list_offers(self, body: Mapping[str, Any]) -> dict[str, Any]:
        vendor = self.vendor()
        filters = body["filters"]
        marketplace_id = str(filters["marketplaceId"])
        if marketplace_id not in SERVED["Vendor" if vendor else "Seller"]:
            raise _invalid(f"The Replenishment API is not available in marketplace {marketplace_id}.")
        if body.get("sort") or set(filters) - {"marketplaceId", "programTypes", "asins", "skus", "eligibilities"}:
            raise _unserved("listOffers filters other than asins, skus and eligibilities, or sort")
        offers = self._filtered(marketplace_id, filters, vendor=vendor)
        if "eligibilities" in filters:
            offers = [o for o in offers if self.eligibility(marketplace_id, o) in filters["eligibilities"]]
        limit, offset = int(body["pagination"]["limit"]), int(body["pagination"]["offset"])
        rows = [self._offer_details(marketplace_id, offer, vendor=vendor) for offer in offers[offset : offset + limit]]
        return to_wire({"offers": rows, "pagination": {"totalResults": len(offers)} if self.send_total else {}})

    def eligibility(self, marketplace_id: str, offer: Mapping[str, Any]) -> str:
        """Whether an offer takes new subscriptions: most do, some are suspended or ineligible."""
        draw = random.Random(f"{self.seed}:{marketplace_id}:{offer['asin']}:eligibility").randrange(20)
        return {0: "SUSPENDED", 1: "INELIGIBLE", 2: "REPLENISHMENT_ONLY_ORDERING"}.get(draw, "ELIGIBLE")

    def _offer_details(self, marketplace_id: str, offer: Mapping[str, Any], *, vendor: bool) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{marketplace_id}:{offer['asin']}:details")
        details: dict[str, Any] = {
            "asin": offer["asin"],
            "marketplaceId": marketplace_id,
            "eligibility": self.eligibility(marketplace_id, offer),
            "programType": "SUBSCRIBE_AND_SAVE",
            "offerProgramConfiguration": {
                "preferences": {"autoEnrollment": "OPTED_IN"},
                "promotions": {"sellingPartnerFundedBaseDiscount": {"percentage": rng.choice((0, 5, 10))}},
            },
            "price": _money(rng, 5, 90),
            "priceCurrencyCode": MARKETPLACES[marketplace_id].currency,
            "inventory": rng.randrange(0, 900),
            "stockRisk": "LOW",
            "subscriptions": rng.randrange(0, 400),
            "fulfillmentNetworkIDType": "FBA",
            "deliveriesConditions": [
                {"condition": "NO_ISSUES_FOR_NEXT_30_DAYS_DELIVERIES", "next30DaysDeliveries": rng.randrange(0, 50)}
            ],
            "forecastDeliveries": {f"next{n}DaysDeliveries": rng.randrange(0, 30) * n // 15 for n in (15, 30, 60, 90)},
        }
        if vendor:
            details["vendorCodes"] = ["VNDR1"]
        else:
            details["sku"] = offer["sku"]
            details["offerProgramConfiguration"]["enrollmentMethod"] = "MANUAL"
        return details

    def _filtered(self, marketplace_id: str, filters: Mapping[str, Any], *, vendor: bool) -> list[dict[str, Any]]:
        if vendor and ("skus" in filters or "fulfillmentChannelTypes" in filters):
            raise _invalid("skus and fulfillmentChannelTypes are applicable only for sellers.")
        if not vendor and "productGroups" in filters:
            raise _invalid("productGroups is applicable only for vendors.")
        if "brandNames" in filters and MARKETPLACES[marketplace_id].code != "US":
            raise _invalid("brandNames is applicable only for the US marketplace.")
        picks = {
            "asins": "asin",
            "skus": "sku",
            "fulfillmentChannelTypes": "fulfillmentChannelType",
            "brandNames": "brandName",
            "productGroups": "productGroup",
        }
        offers = self.offers(marketplace_id, vendor=vendor)
        for name, field in picks.items():
            if name in filters:
                allowed = set(filters[name])
                offers = [o for o in offers if o.get(field) in allowed]
        return offers

    @staticmethod
    def _interval(monday: date, last: date) -> dict[str, str]:
        return {"startDate": _wire_day(monday), "endDate": _wire_day(last)}

    # ---- ground truth ----------------------------------------------------------------------

    @staticmethod
    def _periods(monday: date) -> dict[str, str]:
        return {"period_start": _record_day(monday), "period_end": _record_day(monday + timedelta(days=6))}

    def mondays(self, start: datetime, end: datetime) -> list[date]:
        """The Mondays of the whole weeks in [start, end) that Amazon has published."""
        first = _monday(_day(start))
        if first < _day(start):
            first += _WEEK
        return [
            m
            for m, last in self._weeks(first, _day(end) - timedelta(days=1))
            if last == m + timedelta(days=6) and _midnight(m) + _WEEK <= end
        ]

    def expected_partner_metrics(
        self, marketplace_id: str, start: datetime, end: datetime, *, vendor: bool = False
    ) -> list[dict[str, Any]]:
        """`replenishment_selling_partner_metrics` of the published whole weeks in [start, end)."""
        currency = MARKETPLACES[marketplace_id].currency
        return [
            {
                **to_record(self.week_metrics(marketplace_id, monday, vendor=vendor)),
                **self._periods(monday),
                "marketplace_id": marketplace_id,
                "currency_code": currency,
            }
            for monday in self.mondays(start, end)
        ]

    def expected_offer_metrics(
        self, marketplace_id: str, start: datetime, end: datetime, *, vendor: bool = False
    ) -> list[dict[str, Any]]:
        """`replenishment_offer_metrics` of the published whole weeks in [start, end)."""
        currency = MARKETPLACES[marketplace_id].currency
        return [
            {
                **to_record(self.offer_week(marketplace_id, offer, monday)),
                **self._periods(monday),
                "marketplace_id": marketplace_id,
                "currency_code": currency,
            }
            for monday in self.mondays(start, end)
            for offer in self.offers(marketplace_id, vendor=vendor)
        ]

    def expected_partner_forecast(self, marketplace_id: str, day: date) -> list[dict[str, Any]]:
        """`replenishment_selling_partner_forecast` as read on `day`: one record per horizon."""
        currency = MARKETPLACES[marketplace_id].currency
        return [
            {
                **to_record(self.partner_forecast(marketplace_id, day, days)),
                "marketplace_id": marketplace_id,
                "snapshot_date": day.isoformat(),
                "horizon_days": days,
                "currency_code": currency,
                "period_start": _record_day(day),
                "period_end": _record_day(day + timedelta(days=days)),
            }
            for days in FORECAST_DAYS
        ]

    def expected_offer_forecast(self, marketplace_id: str, day: date, horizon: int = 90) -> list[dict[str, Any]]:
        """`replenishment_offer_forecast` as read on `day`, asked over `horizon` days."""
        currency = MARKETPLACES[marketplace_id].currency
        return [
            {
                **to_record(self.offer_forecast(marketplace_id, offer, day)),
                "marketplace_id": marketplace_id,
                "snapshot_date": day.isoformat(),
                "currency_code": currency,
                "period_start": _record_day(day),
                "period_end": _record_day(day + timedelta(days=horizon)),
            }
            for offer in self.offers(marketplace_id, vendor=False)
        ]

    def expected_offers(self, marketplace_id: str, *, vendor: bool = False) -> list[dict[str, Any]]:
        """`replenishment_offers`: every offer of a marketplace as it stands."""
        return [
            to_record(self._offer_details(marketplace_id, offer, vendor=vendor))
            for offer in self.offers(marketplace_id, vendor=vendor)
        ]
