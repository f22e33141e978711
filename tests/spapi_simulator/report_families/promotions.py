"""Coupons, promotions (deals) and account health: the seller's JSON reports that are not analytics periods.

Written from Amazon's report schemas (sellerCouponReport, promotionReport, and accountHealthReport-
2020-11-18 of Amazon's models repository) and its report type page (performance reports),
independently of the tap's catalogue:

- a coupon or promotion report selects by start date-time, from two required reportOptions, both
  ends included; dataStartTime and dataEndTime are not read. A request without them, or with values
  that are not ISO 8601 zoned date-times, ends FATAL with the reason Amazon gives
  (GH amzn/selling-partner-api-models#2048). Start dates go back two years at most: an older
  `…StartDateFrom` is refused too (Amazon documents the limit, not its answer: assumed FATAL).
  A range with nothing in it is a document with an empty array, as Amazon sends one
  (GH jlevers/selling-partner-api#803);
- the seller performance report is a snapshot: one document of the requested marketplace's metrics
  and account status.

Coupons and promotions start on fixed instants from 2023 to 2027, whatever today is: the two-year
limit, not the data, decides what a sync can reach.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from tests.spapi_simulator.rendering import Marketplace

__all__ = [
    "COUPONS",
    "OPTION_DATES",
    "PROMOTIONS",
    "SELLER_PERFORMANCE",
    "PromotionData",
    "option_window",
    "refusal",
]

COUPONS = "GET_COUPON_PERFORMANCE_REPORT"
PROMOTIONS = "GET_PROMOTION_PERFORMANCE_REPORT"
SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
OPTION_DATES = {
    COUPONS: ("couponStartDateFrom", "couponStartDateTo"),
    PROMOTIONS: ("promotionStartDateFrom", "promotionStartDateTo"),
}
_ARRAYS = {COUPONS: "coupons", PROMOTIONS: "promotions"}
_FIRST = datetime(2023, 1, 1, tzinfo=timezone.utc)
_LAST = datetime(2028, 1, 1, tzinfo=timezone.utc)
_CENT = Decimal("0.01")


def _zoned(text: str) -> datetime | None:
    """An ISO 8601 date-time with its zone (Z or an offset), or None."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def option_window(report_type: str, options: dict[str, str]) -> tuple[datetime, datetime] | None:
    """The start date-times a coupon or promotion report selects, both included (None if unreadable)."""
    first, last = (_zoned(options.get(name, "")) for name in OPTION_DATES[report_type])
    return (first, last) if first is not None and last is not None else None


def refusal(report_type: str, options: dict[str, str], now: datetime) -> str | None:
    """Why Amazon ends this coupon or promotion report FATAL, or None."""
    first_name, last_name = OPTION_DATES[report_type]
    window = option_window(report_type, options)
    if window is None:
        return (
            f"Please provide report options {first_name} and {last_name} in the standard ISO-8601 zoned date "
            'and time format. For example: "2011-12-03T10:15:30Z".'
        )
    first, last = window
    if first > last:
        return f"{first_name} must not be after {last_name}."
    if first < _years_before(now, 2):
        return "This report supports start dates up to two years before the current date."
    return None


def _years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # February 29
        return now.replace(year=now.year - years, day=28)


class PromotionData:
    """The coupons, promotions and account health of each marketplace, for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._made: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, "promotions", *parts)))

    def _asins(self, m: Marketplace) -> list[str]:
        rng = self._rng("asins", m.id)
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return ["B0" + "".join(rng.choice(alphabet) for _ in range(8)) for _ in range(6)]

    def _money(self, m: Marketplace, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1) if m.currency == "JPY" else _CENT)

    def _all(self, report_type: str, m: Marketplace) -> list[dict[str, Any]]:
        """Every coupon (promotion) of the marketplace, by start date-time."""
        key = (report_type, m.id)
        if key not in self._made:
            rng = self._rng(report_type, m.id)
            make = self._coupon if report_type == COUPONS else self._promotion
            rows, start, n = [], _FIRST, 0
            while start < _LAST:
                rows.append(make(rng, m, n, start))
                n += 1
                # A few days apart, at any second of the day.
                start += timedelta(seconds=rng.randint(2 * 86400, 6 * 86400))
            self._made[key] = rows
        return self._made[key]

    def _coupon(self, rng: random.Random, m: Marketplace, n: int, start: datetime) -> dict[str, Any]:
        percent = rng.random() < 0.6
        budget = self._money(m, Decimal(rng.randint(100, 20000)))
        spent = self._money(m, budget * Decimal(rng.randint(0, 100)) / 100)
        clips = rng.randint(0, 900)
        redemptions = rng.randint(0, clips)
        row: dict[str, Any] = {
            "couponId": f"C{m.id[-4:]}{n:06d}",
            "merchantId": "A21MAFL4G6JTR3",
            "marketplaceId": m.id,
            "currencyCode": m.currency,
            "name": f"Save {rng.randint(5, 40)}{'%' if percent else ''}",
            "startDateTime": _text(start),
            "endDateTime": _text(start + timedelta(days=rng.randint(1, 90)) - timedelta(seconds=1)),
            "customerSegment": rng.choice(("All (Default)", "Amazon Prime", "Amazon Student")),
            "discountType": "PERCENT_OFF_LIST_PRICE" if percent else "AMOUNT_OFF_LIST_PRICE",
            "discountAmount": Decimal(rng.randint(5, 40)),
            "clips": clips,
            "redemptions": redemptions,
            "budget": budget,
            "totalDiscount": self._money(m, spent * Decimal("0.8")),
            "budgetSpent": spent,
            "budgetRemaining": budget - spent,
            "budgetPercentageUsed": (spent * 100 / budget).quantize(_CENT) if budget else Decimal(0),
            "sales": self._money(m, Decimal(rng.randint(0, 500000)) / 100),
            "asins": [{"asin": a} for a in rng.sample(self._asins(m), rng.randint(1, 3))],
        }
        if rng.random() < 0.8:  # optional in the schema
            row["websiteMessage"] = f"Save on product {n}"
        return row

    def _promotion(self, rng: random.Random, m: Marketplace, n: int, start: datetime) -> dict[str, Any]:
        products: list[dict[str, Any]] = []
        for asin in rng.sample(self._asins(m), rng.randint(1, 3)):
            units = rng.randint(0, 300)
            products.append(
                {
                    "asin": asin,
                    "productName": f"Product {asin[-3:]}",
                    "productGlanceViews": rng.randint(units, units * 20 + 10),
                    "productUnitsSold": units,
                    "productRevenue": self._money(m, Decimal(units * rng.randint(500, 9000)) / 100),
                    "productRevenueCurrencyCode": m.currency,
                }
            )
        created = start - timedelta(days=rng.randint(2, 30), seconds=rng.randint(0, 86399))
        hours = rng.choice((6, 12, 24 * 7, 24 * 14))
        return {
            "promotionId": str(16900000000 + n),
            "promotionName": f"Deal {n}",
            "merchantId": "A21MAFL4G6JTR3",
            "unitsSold": sum(p["productUnitsSold"] for p in products),
            "revenue": sum((p["productRevenue"] for p in products), Decimal(0)),
            "revenueCurrencyCode": m.currency,
            "startDateTime": _text(start),
            "endDateTime": _text(start + timedelta(hours=hours)),
            "type": "LIGHTNING_DEAL" if hours < 24 else "BEST_DEAL",
            "status": rng.choice(("APPROVED", "APPROVED", "CANCELED", "NEEDS_YOUR_ATTENTION")),
            "creationChannel": rng.choice(("SELF-SERVICE", "AUTOMATED")),
            "marketplaceId": m.id,
            "glanceViews": sum(p["productGlanceViews"] for p in products),
            "createdDateTime": _text(created),
            "lastUpdatedDateTime": _text(created + timedelta(days=1)),
            "includedProducts": products,
        }

    def selected(self, report_type: str, m: Marketplace, first: datetime, last: datetime) -> list[dict[str, Any]]:
        """The coupons (promotions) whose start date-time is in [first, last], as Amazon sends them."""
        return [row for row in self._all(report_type, m) if first <= _started(row) <= last]

    def document(self, report_type: str, m: Marketplace, options: dict[str, str]) -> dict[str, Any]:
        window = option_window(report_type, options)
        assert window is not None, "refused at creation"
        spec = {"reportType": report_type, "reportOptions": dict(options), "marketplaceIds": [m.id]}
        return {"reportSpecification": spec, _ARRAYS[report_type]: self.selected(report_type, m, *window)}

    # --- account health ---------------------------------------------------------------------------

    def account_health(self, m: Marketplace) -> dict[str, Any]:
        rng = self._rng("health", m.id)
        day = datetime(2024, 6, 30, tzinfo=timezone.utc)

        def span(days: int) -> dict[str, str]:
            return {"reportingDateFrom": _minute(day - timedelta(days=days - 1)), "reportingDateTo": _minute(day, True)}

        def target(days: int, value: str, condition: str, rate: Decimal) -> dict[str, Any]:
            good = rate < Decimal(value) if condition == "LESS_THAN" else rate > Decimal(value)
            return {
                "reportingDateRange": span(days),
                "status": "GOOD" if good else "BAD",
                "rate": rate,
                "targetValue": Decimal(value),
                "targetCondition": condition,
            }

        def count() -> dict[str, Any]:
            return {"count": rng.randint(0, 40), "status": rng.choice(("GOOD", "NONE"))}

        def defects(kind: str) -> dict[str, Any]:
            return {
                **target(60, "0.01", "LESS_THAN", Decimal(rng.randint(0, 200)) / 10000),
                "orderCount": rng.randint(100, 90000),
                "orderWithDefects": count(),
                "claims": count(),
                "chargebacks": count(),
                "negativeFeedback": count(),
                "fulfillmentType": kind,
            }

        def violations() -> dict[str, Any]:
            found = rng.choice((0, 0, 0, 1, 3))
            return {
                "reportingDateRange": span(180),
                "defectsCount": found,
                "status": "GOOD" if found == 0 else "BAD",
                "targetValue": Decimal(0),
                "targetCondition": "EQUALS",
            }

        low = Decimal(rng.randint(0, 300)) / 10000
        metrics: dict[str, Any] = {
            "marketplaceId": m.id,
            "invoiceDefectRate": {
                **target(7, "0.05", "LESS_THAN", low),
                "orderCount": rng.randint(100, 9000),
                "invoiceDefect": count(),
                "missingInvoice": count(),
                "lateInvoice": count(),
            },
            "lateShipmentRate": {
                **target(30, "0.04", "LESS_THAN", low),
                "orderCount": rng.randint(100, 9000),
                "lateShipmentCount": rng.randint(0, 90),
            },
            "orderDefectRate": {"mfn": defects("mfn"), "afn": defects("afn")},
            "onTimeDeliveryRate": {
                **target(14, "0.9", "GREATER_THAN", 1 - low),
                "shipmentCountWithValidTracking": rng.randint(100, 9000),
                "onTimeDeliveryCount": rng.randint(90, 8000),
            },
            "unitOnTimeDeliveryRate": {
                **target(14, "0.9", "GREATER_THAN", 1 - low),
                "unitOnTimeDeliveryCount": rng.randint(90, 8000),
                "totalUnitCount": rng.randint(100, 9000),
            },
            "validTrackingRate": {
                **target(30, "0.95", "GREATER_THAN", 1 - low),
                "shipmentCount": rng.randint(100, 9000),
                "validTrackingCount": rng.randint(90, 8000),
            },
            "preFulfillmentCancellationRate": {
                **target(7, "0.025", "LESS_THAN", low),
                "orderCount": rng.randint(100, 9000),
                "cancellationCount": rng.randint(0, 50),
            },
            "warningStates": [{"warningType": "spammingSellerMessaging", "status": rng.choice(("GOOD", "BAD"))}],
            "accountHealthRating": {"ahrStatus": rng.choice(("GREAT", "WARNED")), "reportingDateRange": span(180)},
            **{
                name: violations()
                for name in (
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
                )
            },
        }
        status = rng.choice(("NORMAL", "NORMAL", "AT_RISK"))
        return {"accountStatuses": [{"marketplaceId": m.id, "status": status}], "performanceMetrics": [metrics]}


def _started(row: dict[str, Any]) -> datetime:
    moment = _zoned(row["startDateTime"])
    assert moment is not None
    return moment


def _text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minute(moment: datetime, end_of_day: bool = False) -> str:
    """Account health's reporting dates: minutes, no seconds ("2020-11-19T23:59Z")."""
    return moment.strftime("%Y-%m-%dT23:59Z" if end_of_day else "%Y-%m-%dT00:00Z")
