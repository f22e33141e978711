"""Brand Analytics search performance: the Search Query Performance (SQP) and Search Catalog
Performance (SCP) reports.

Written from Amazon's report schemas (sellingPartnerSearchQueryPerformanceReport,
sellingPartnerSearchCatalogPerformanceReport) and SPAPI-NOTES Add. §3, independently of the tap's
catalogue. Amazon ends a report FATAL (`refusal` says why) when:
- it names more than one marketplace ("This report type supports only one marketplaceId per report");
- `reportPeriod` is missing or not WEEK, MONTH or QUARTER, or SQP's `asin` is missing;
- an ASIN option (SQP `asin`, SCP `asins`) is longer than 200 characters;
- the window is not exactly one period: dataStartTime its first day, dataEndTime its last (a WEEK runs
  Sunday to Saturday); "requests cannot span multiple periods".

Each marketplace has a brand of `rows // 2` ASINs (4 to 45); in a period most of them have search data.
SCP has one row per ASIN of the brand with data (those of `asins` when given); SQP one row per
(requested ASIN with data, search query), one to three queries each. Values are drawn per (report,
marketplace, period, ASIN) from their own seeded random.Random, so a part of a request agrees with
any other request about an ASIN.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.spapi_simulator.json_forms import to_record
from tests.spapi_simulator.rendering import Marketplace

__all__ = [
    "ASIN_OPTIONS",
    "SEARCH_CATALOG",
    "SEARCH_QUERY",
    "SEARCH_REPORTS",
    "SearchPerformanceData",
    "refusal",
    "tap_record",
]

SEARCH_QUERY = "GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT"
SEARCH_CATALOG = "GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT"
SEARCH_REPORTS = frozenset({SEARCH_QUERY, SEARCH_CATALOG})
PERIODS = ("WEEK", "MONTH", "QUARTER")
# Each report's ASIN option: required for SQP, optional for SCP; both at most 200 characters.
ASIN_OPTIONS = {SEARCH_QUERY: "asin", SEARCH_CATALOG: "asins"}
MAX_ASIN_CHARS = 200
_MONTHS = {"MONTH": 1, "QUARTER": 3}
_CENT = Decimal("0.01")
_QUERIES = (
    "usb c cable",
    "braided charging cable",
    "coffee grinder",
    "burr grinder electric",
    "yoga mat",
    "non slip yoga mat thick",
    "phone stand",
    "led desk lamp",
    "water bottle 1l",
    "café press",
)


def period_first(day: date, period: str) -> date:
    """The first day of the period holding `day`."""
    if period == "WEEK":
        return day - timedelta(days=(day.weekday() + 1) % 7)  # Sunday
    months = _MONTHS[period]
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def period_after(first: date, period: str) -> date:
    """The first day of the period after the one starting on `first`."""
    if period == "WEEK":
        return first + timedelta(days=7)
    month = first.month - 1 + _MONTHS[period]
    return first.replace(year=first.year + month // 12, month=month % 12 + 1, day=1)


def refusal(
    report_type: str, options: dict[str, str], marketplace_ids: list[str], first: date, last: date
) -> str | None:
    """Why Amazon ends this report FATAL, or None when it builds it (`first`..`last`: the dates it reads)."""
    if len(marketplace_ids) != 1:
        return (
            "This report type supports only one marketplaceId per report. If you specify multiple marketplaces, "
            "report generation fails."
        )
    option = ASIN_OPTIONS[report_type]
    required = ["reportPeriod", option] if report_type == SEARCH_QUERY else ["reportPeriod"]
    if any(name not in options for name in required):
        return (
            f"This report type requires the {', '.join(required)} reportOption to be specified. Please review the "
            "document for this report type on GitHub, provide a value for this reportOption in your request, "
            "and try again."
        )
    period = options["reportPeriod"]
    if period not in PERIODS:
        return f"Invalid value {period!r} for reportOption reportPeriod: use one of {', '.join(PERIODS)}."
    asins = options.get(option)
    if asins is not None and len(asins) > MAX_ASIN_CHARS:
        return f"The {option} reportOption is limited to {MAX_ASIN_CHARS} characters (got {len(asins)})."
    if asins is not None and not asins.split():
        return f"The {option} reportOption names no ASIN."
    if period_first(first, period) != first or period_first(last + timedelta(days=1), period) != last + timedelta(
        days=1
    ):
        return (
            f"dataStartTime must be the first day and dataEndTime the last day of a {period} reportPeriod "
            f"(got {first.isoformat()}..{last.isoformat()})."
        )
    if period_after(first, period) != last + timedelta(days=1):
        return "Requests for this report type cannot span multiple reportPeriods."
    return None


def tap_record(row: dict[str, Any]) -> dict[str, Any]:
    """A `dataByAsin` row as the tap names its columns (its README): snake_case keys, each metric
    object's fields spread into columns prefixed with the object's name less `Data`
    (purchaseData.conversionRate -> purchase_conversion_rate) unless the field already holds that name
    (impressionData.impressionCount -> impression_count); an amount object gives `_amount` and
    `_currency_code` columns."""
    record: dict[str, Any] = {}
    for key, value in to_record(row).items():
        if not isinstance(value, dict):
            record[key] = value
            continue
        group = key.removesuffix("_data")
        for field, inner in value.items():
            name = field if group in field else f"{group}_{field}"
            if isinstance(inner, dict):
                record.update({f"{name}_{part}": v for part, v in inner.items()})
            else:
                record[name] = inner
    return record


class SearchPerformanceData:
    """The SQP and SCP reports of one simulated brand owner."""

    def __init__(self, seed: int, rows: int, has_data: Callable[[date], bool]) -> None:
        self.seed = seed
        self.rows = rows
        self.has_data = has_data

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.rows, "search", *parts)))

    def brand_asins(self, m: Marketplace) -> list[str]:
        """The brand's ASINs in a marketplace."""
        rng = self._rng("asins", m.id)
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        count = max(4, min(45, self.rows // 2))
        return list(dict.fromkeys("B0" + "".join(rng.choice(alphabet) for _ in range(8)) for _ in range(count)))

    def with_data(self, m: Marketplace, first: date, period: str) -> list[str]:
        """The brand's ASINs with search data in the period starting on `first`."""
        rng = self._rng("present", m.id, period, first)
        asins = self.brand_asins(m)
        return [a for a in asins if rng.random() < 0.85] or asins[:1]

    def _money(self, m: Marketplace, value: Decimal) -> dict[str, Any]:
        step = Decimal(1) if m.currency == "JPY" else _CENT
        return {"amount": value.quantize(step, ROUND_HALF_UP), "currencyCode": m.currency}

    def report(
        self, report_type: str, m: Marketplace, first: date, last: date, options: dict[str, str]
    ) -> dict[str, Any] | None:
        """The report's JSON object (numbers as Decimal); None when the period has no data (CANCELLED)."""
        if not self.has_data(first):
            return None
        period = options["reportPeriod"]
        wanted = options.get(ASIN_OPTIONS[report_type])
        present = self.with_data(m, first, period)
        if wanted is not None:
            asked = set(wanted.split())
            present = [a for a in present if a in asked]
        span = {"startDate": first.isoformat(), "endDate": last.isoformat()}
        make = self._query_rows if report_type == SEARCH_QUERY else self._catalog_row
        rows = [row for asin in present for row in make(m, period, first, asin, span)]
        spec = {
            "reportType": report_type,
            "reportOptions": dict(options),
            "dataStartTime": first.isoformat(),
            "dataEndTime": last.isoformat(),
            "marketplaceIds": [m.id],
        }
        return {"reportSpecification": spec, "dataByAsin": rows}

    def expected_records(
        self, report_type: str, m: Marketplace, first: date, last: date, options: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The records the tap should emit for one report, in document order."""
        report = self.report(report_type, m, first, last, options)
        return [tap_record(row) for row in report["dataByAsin"]] if report else []

    def _catalog_row(
        self, m: Marketplace, period: str, first: date, asin: str, span: dict[str, str]
    ) -> list[dict[str, Any]]:
        rng = self._rng(SEARCH_CATALOG, m.id, period, first, asin)
        price = Decimal(rng.randint(500, 9000)) / 100
        impressions = rng.randint(100, 90000)
        clicks = rng.randint(0, impressions // 10)
        carts = rng.randint(0, clicks)
        purchases = rng.randint(0, carts)

        def shipping(total: int, name: str) -> dict[str, int]:
            same = rng.randint(0, total // 4)
            one = rng.randint(0, total // 3)
            return {
                f"sameDayShipping{name}Count": same,
                f"oneDayShipping{name}Count": one,
                f"twoDayShipping{name}Count": rng.randint(0, max(0, total - same - one)),
            }

        def near(scale: int) -> dict[str, Any]:
            return self._money(m, price * Decimal(rng.randint(90, 110)) / scale)

        return [
            {
                **span,
                "asin": asin,
                "impressionData": {
                    "impressionCount": impressions,
                    "impressionMedianPrice": near(100),
                    **shipping(impressions, "Impression"),
                },
                "clickData": {
                    "clickCount": clicks,
                    "clickRate": (Decimal(clicks) / impressions).quantize(Decimal("0.0001")),
                    "clickedMedianPrice": near(100),
                    **shipping(clicks, "Click"),
                },
                "cartAddData": {"cartAddCount": carts, "cartAddedMedianPrice": near(100), **shipping(carts, "CartAdd")},
                "purchaseData": {
                    "purchaseCount": purchases,
                    "searchTrafficSales": self._money(m, price * purchases),
                    "conversionRate": (Decimal(purchases) / clicks if clicks else Decimal(0)).quantize(
                        Decimal("0.0001")
                    ),
                    "purchaseMedianPrice": near(100),
                    **shipping(purchases, "Purchase"),
                },
            }
        ]

    def _query_rows(
        self, m: Marketplace, period: str, first: date, asin: str, span: dict[str, str]
    ) -> list[dict[str, Any]]:
        rng = self._rng(SEARCH_QUERY, m.id, period, first, asin)
        price = Decimal(rng.randint(500, 9000)) / 100
        rows = []
        for score, query in enumerate(rng.sample(_QUERIES, rng.randint(1, 3)), start=1):
            volume = rng.randint(500, 200000)
            impressions = rng.randint(volume, volume * 20)
            row: dict[str, Any] = {
                **span,
                "asin": asin,
                "searchQueryData": {"searchQuery": query, "searchQueryScore": score, "searchQueryVolume": volume},
            }
            own = rng.randint(0, impressions // 10)
            row["impressionData"] = {
                "totalQueryImpressionCount": impressions,
                "asinImpressionCount": own,
                "asinImpressionShare": (Decimal(own) / impressions).quantize(Decimal("0.0001")),
            }
            total = impressions
            for key, name in (("clickData", "Click"), ("cartAddData", "CartAdd"), ("purchaseData", "Purchase")):
                total = rng.randint(0, total // 5)
                mine = rng.randint(0, total)
                same = rng.randint(0, total // 4)
                one = rng.randint(0, total // 3)
                row[key] = {
                    f"total{name}Count": total,
                    f"total{name}Rate": (Decimal(total) / impressions).quantize(Decimal("0.0001")),
                    f"asin{name}Count": mine,
                    f"asin{name}Share": (Decimal(mine) / total if total else Decimal(0)).quantize(Decimal("0.0001")),
                    f"totalMedian{name}Price": self._money(m, price * Decimal(rng.randint(80, 120)) / 100),
                    f"asinMedian{name}Price": self._money(m, price),
                    f"totalSameDayShipping{name}Count": same,
                    f"totalOneDayShipping{name}Count": one,
                    f"totalTwoDayShipping{name}Count": rng.randint(0, max(0, total - same - one)),
                }
            rows.append(row)
        return rows
