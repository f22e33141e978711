"""Vendor retail analytics and Brand Analytics: the simulator's JSON reports by period.

Written from Amazon's report schemas (vendorSalesReport, vendorInventoryReport, vendorTrafficReport,
vendorNetPureProductMarginReport, sellingPartnerSearchTermsReport, sellingPartnerMarketBasketAnalysisReport,
sellingPartnerRepeatPurchaseReport), independently of the tap's catalogue (search query and catalog
performance: `.report_families.search_performance`). A report's window is read
as dates, the end date included, and must cover whole reporting periods (WEEK: Sunday..Saturday);
Amazon ends a report FATAL when a required option is missing or the window is not whole periods
(`refusal` says why). Values are drawn per (report, marketplace, period, ASIN, options) from their
own seeded random.Random, so any window of a report agrees with any other about a period. The
forecast and the real-time reports, made from the present, are in `.vendor_recent`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .json_forms import to_record, to_wire
from .rendering import Marketplace
from .report_families.search_performance import SEARCH_REPORTS, SearchPerformanceData
from .report_families.search_performance import refusal as search_refusal
from .vendor_recent import RECENT_REPORTS, RecentData, forecast_sunday, recent_refusal

__all__ = [
    "AGGREGATE",
    "MARKET_BASKET",
    "PERIOD_REPORTS",
    "REPEAT_PURCHASE",
    "REQUIRED_OPTIONS",
    "SEARCH_TERMS",
    "VENDOR_INVENTORY",
    "VENDOR_JSON_REPORTS",
    "VENDOR_MARGIN",
    "VENDOR_SALES",
    "VENDOR_STREAMS",
    "VENDOR_TRAFFIC",
    "VendorData",
    "refusal",
]

VENDOR_SALES = "GET_VENDOR_SALES_REPORT"
VENDOR_INVENTORY = "GET_VENDOR_INVENTORY_REPORT"
VENDOR_TRAFFIC = "GET_VENDOR_TRAFFIC_REPORT"
VENDOR_MARGIN = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"
SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"
MARKET_BASKET = "GET_BRAND_ANALYTICS_MARKET_BASKET_REPORT"
REPEAT_PURCHASE = "GET_BRAND_ANALYTICS_REPEAT_PURCHASE_REPORT"
AGGREGATE = "_AGGREGATE"  # stream-name suffix of a report's aggregate array

_PERIODS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
_VIEWS = ("MANUFACTURING", "SOURCING")
# Each schema's reportOptions.required, with the enum of each option.
REQUIRED_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    VENDOR_SALES: {
        "reportPeriod": _PERIODS,
        "distributorView": _VIEWS,
        "sellingProgram": ("RETAIL", "BUSINESS", "FRESH"),
    },
    VENDOR_INVENTORY: {"reportPeriod": _PERIODS, "distributorView": _VIEWS, "sellingProgram": ("RETAIL", "FRESH")},
    VENDOR_TRAFFIC: {"reportPeriod": _PERIODS},
    VENDOR_MARGIN: {"reportPeriod": _PERIODS},
    SEARCH_TERMS: {"reportPeriod": ("DAY", "WEEK", "MONTH", "QUARTER")},
    MARKET_BASKET: {"reportPeriod": ("DAY", "WEEK", "MONTH", "QUARTER")},
    REPEAT_PURCHASE: {"reportPeriod": ("WEEK", "MONTH", "QUARTER")},
}
PERIOD_REPORTS = frozenset(REQUIRED_OPTIONS)
# Array names: (per-ASIN array, aggregate array); Brand Analytics reports have one array.
_ARRAYS = {
    VENDOR_SALES: ("salesByAsin", "salesAggregate"),
    VENDOR_INVENTORY: ("inventoryByAsin", "inventoryAggregate"),
    VENDOR_TRAFFIC: ("trafficByAsin", "trafficAggregate"),
    VENDOR_MARGIN: ("netPureProductMarginByAsin", "netPureProductMarginAggregate"),
    SEARCH_TERMS: ("dataByDepartmentAndSearchTerm", ""),
    MARKET_BASKET: ("dataByAsin", ""),
    REPEAT_PURCHASE: ("dataByAsin", ""),
}
# Every JSON report of vendors and brand owners: by period, and made from the present.
# (Search query and catalog performance, one period a request, are in `.report_families.search_performance`.)
VENDOR_JSON_REPORTS = PERIOD_REPORTS | RECENT_REPORTS | SEARCH_REPORTS
VENDOR_STREAMS = frozenset({*VENDOR_JSON_REPORTS, *(t + AGGREGATE for t, arrays in _ARRAYS.items() if arrays[1])})
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_CENT = Decimal("0.01")


def period_start(d: date, period: str) -> date:
    if period == "DAY":
        return d
    if period == "WEEK":
        return d - timedelta(days=(d.weekday() + 1) % 7)  # Sunday
    months = _MONTHS[period]
    return d.replace(month=(d.month - 1) // months * months + 1, day=1)


def next_period(d: date, period: str) -> date:
    if period == "DAY":
        return d + timedelta(days=1)
    if period == "WEEK":
        return d + timedelta(days=7)
    month = d.month - 1 + _MONTHS[period]
    return d.replace(year=d.year + month // 12, month=month % 12 + 1, day=1)


def _dates(start: datetime, end: datetime) -> tuple[date, date]:
    """The window as Amazon reads it: dates of the two instants in UTC, the last one included."""
    return start.astimezone(timezone.utc).date(), end.astimezone(timezone.utc).date()


def refusal(
    report_type: str, options: dict[str, str], marketplace_ids: list[str], start: datetime, end: datetime, now: datetime
) -> str | None:
    """Why Amazon would end this report FATAL, or None when it would build it."""
    if report_type in RECENT_REPORTS:
        return recent_refusal(report_type, options, marketplace_ids, start, end, now)
    if report_type in SEARCH_REPORTS:
        return search_refusal(report_type, options, marketplace_ids, *_dates(start, end))
    required = REQUIRED_OPTIONS[report_type]
    missing = [name for name in required if name not in options]
    if missing:
        return (
            f"This report type requires the {', '.join(required)} reportOption to be specified. Please review the "
            "document for this report type on GitHub, provide a value for this reportOption in your request, "
            "and try again."
        )
    for name, allowed in required.items():
        if options[name] not in allowed:
            return f"Invalid value {options[name]!r} for reportOption {name}: use one of {', '.join(allowed)}."
    period = options["reportPeriod"]
    first, last = _dates(start, end)
    if period_start(first, period) != first or period_start(last + timedelta(days=1), period) != last + timedelta(
        days=1
    ):
        return (
            f"dataStartTime must be the first day and dataEndTime the last day of a {period} reportPeriod "
            f"(got {first.isoformat()}..{last.isoformat()})."
        )
    if report_type == SEARCH_TERMS and next_period(first, period) != last + timedelta(days=1):
        return "Requests for this report type cannot span multiple reportPeriods."
    return None


_STOCK = (
    "sellableOnHandInventory",
    "unsellableOnHandInventory",
    "aged90PlusDaysSellableInventory",
    "unhealthyInventory",
)
_DEPARTMENTS = ("Amazon.com", "Beauty", "Kitchen")
_TERMS = ("usb c cable", "coffee grinder", "café press", "yoga mat", "phone stand", "led desk lamp", "water bottle")


class VendorData:
    """The period reports of one simulated vendor (and brand owner)."""

    def __init__(self, seed: int, rows: int, has_data: Callable[[date], bool]) -> None:
        self.seed = seed
        self.rows = rows
        self.has_data = has_data
        self.recent = RecentData(seed, rows, self._asins)
        self.search = SearchPerformanceData(seed, rows, has_data)

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.rows, *parts)))

    def _asins(self, m: Marketplace) -> list[str]:
        rng = self._rng("vendor-asins", m.id)
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return ["B0" + "".join(rng.choice(alphabet) for _ in range(8)) for _ in range(max(3, min(8, self.rows // 8)))]

    def _money(self, m: Marketplace, value: Decimal) -> dict[str, Any]:
        step = Decimal(1) if m.currency == "JPY" else _CENT
        return {"amount": value.quantize(step, ROUND_HALF_UP), "currencyCode": m.currency}

    def report(
        self,
        report_type: str,
        m: Marketplace,
        start: datetime,
        end: datetime,
        options: dict[str, str],
        generated: date | None = None,
    ) -> dict[str, Any] | None:
        """The report's JSON object (numbers as Decimal), or None when no period of the window has data.

        `generated`: the day of Amazon's latest forecast (the Sunday before `end` when not given).
        """
        if report_type in RECENT_REPORTS:
            found = self.recent.report(report_type, m, start, end, options, generated or forecast_sunday(end))
            return found[1] if found else None
        if report_type in SEARCH_REPORTS:
            return self.search.report(report_type, m, *_dates(start, end), options)
        period = options["reportPeriod"]
        first, last = _dates(start, end)
        periods = []
        cursor = first
        while cursor <= last:
            following = next_period(cursor, period)
            if self.has_data(cursor):
                periods.append((cursor, following - timedelta(days=1)))
            cursor = following
        if not periods:
            return None
        spec: dict[str, Any] = {"reportType": report_type, "reportOptions": dict(options)}
        if report_type.startswith("GET_VENDOR_"):  # Brand Analytics schemas have no lastUpdatedDate
            spec["lastUpdatedDate"] = (last + timedelta(days=2)).isoformat()
        spec.update({"dataStartTime": first.isoformat(), "dataEndTime": last.isoformat(), "marketplaceIds": [m.id]})
        document: dict[str, Any] = {"reportSpecification": spec}
        by_asin_name, aggregate_name = _ARRAYS[report_type]
        if not aggregate_name:
            brand = {
                SEARCH_TERMS: self._search_terms,
                MARKET_BASKET: self._market_basket,
                REPEAT_PURCHASE: self._repeat,
            }
            document[by_asin_name] = [row for p in periods for row in brand[report_type](m, p, period)]
            return document
        make = {
            VENDOR_SALES: self._sales,
            VENDOR_INVENTORY: self._inventory,
            VENDOR_TRAFFIC: self._traffic,
            VENDOR_MARGIN: self._margin,
        }[report_type]
        by_asin: list[dict[str, Any]] = []
        aggregate: list[dict[str, Any]] = []
        for p in periods:
            rows, total = make(m, p, period, options)
            by_asin.extend(rows)
            aggregate.append(total)
        document[aggregate_name] = aggregate
        document[by_asin_name] = by_asin
        return document

    def document_json(self, report: dict[str, Any]) -> Any:
        return to_wire(report)

    def expected_records(
        self,
        stream: str,
        m: Marketplace,
        start: datetime,
        end: datetime,
        options: dict[str, str],
        generated: date | None = None,
    ) -> list[dict[str, Any]]:
        """Records the tap should emit for one report of `stream`, in document order."""
        if stream in RECENT_REPORTS:
            found = self.recent.report(stream, m, start, end, options, generated or forecast_sunday(end))
            return list(to_record(found[1][found[0]])) if found else []
        if stream in SEARCH_REPORTS:
            return self.search.expected_records(stream, m, *_dates(start, end), options)
        aggregate = stream.endswith(AGGREGATE)
        report_type = stream.removesuffix(AGGREGATE)
        report = self.report(report_type, m, start, end, options)
        if report is None:
            return []
        name = _ARRAYS[report_type][1 if aggregate else 0]
        return list(to_record(report[name]))

    # --- the reports, one period at a time ---------------------------------------------------

    def _present(self, m: Marketplace, report_type: str, p: tuple[date, date], period: str) -> list[str]:
        rng = self._rng(report_type, m.id, period, p[0], "present")
        return [a for a in self._asins(m) if rng.random() < 0.85] or self._asins(m)[:1]

    def _sales(
        self, m: Marketplace, p: tuple[date, date], period: str, options: dict[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        manufacturing = options["distributorView"] == "MANUFACTURING"
        returns = options["sellingProgram"] in ("RETAIL", "BUSINESS")
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        rows = []
        totals = {"customerReturns": 0, "orderedUnits": 0, "shippedUnits": 0}
        money = {"orderedRevenue": Decimal(0), "shippedCogs": Decimal(0), "shippedRevenue": Decimal(0)}
        for asin in self._present(m, VENDOR_SALES, p, period):
            rng = self._rng(
                VENDOR_SALES, m.id, period, p[0], asin, options["distributorView"], options["sellingProgram"]
            )
            price = Decimal(rng.randint(500, 9000)) / 100
            ordered, shipped = rng.randint(0, 60), rng.randint(0, 55)
            row: dict[str, Any] = {**span, "asin": asin}
            values: dict[str, Any] = {
                "shippedUnits": shipped,
                "shippedCogs": price * shipped * Decimal("0.6"),
                "shippedRevenue": price * shipped,
            }
            if returns:
                values["customerReturns"] = rng.randint(0, max(0, shipped // 10))
            if manufacturing:
                values["orderedUnits"] = ordered
                values["orderedRevenue"] = price * ordered
            for key in (
                "customerReturns",
                "orderedRevenue",
                "orderedUnits",
                "shippedCogs",
                "shippedRevenue",
                "shippedUnits",
            ):
                if key not in values:
                    continue
                if key in money:
                    money[key] += values[key]
                    row[key] = self._money(m, values[key])
                else:
                    totals[key] += values[key]
                    row[key] = values[key]
            rows.append(row)
        total: dict[str, Any] = dict(span)
        if returns:
            total["customerReturns"] = totals["customerReturns"]
        if manufacturing:
            total["orderedRevenue"] = self._money(m, money["orderedRevenue"])
            total["orderedUnits"] = totals["orderedUnits"]
        total["shippedCogs"] = self._money(m, money["shippedCogs"])
        total["shippedRevenue"] = self._money(m, money["shippedRevenue"])
        total["shippedUnits"] = totals["shippedUnits"]
        return rows, total

    def _inventory(
        self, m: Marketplace, p: tuple[date, date], period: str, options: dict[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        units = (
            "netReceivedInventoryUnits",
            "openPurchaseOrderUnits",
            "unfilledCustomerOrderedUnits",
            "sellableOnHandInventoryUnits",
            "unsellableOnHandInventoryUnits",
            "aged90PlusDaysSellableInventoryUnits",
            "unhealthyInventoryUnits",
        )
        costs = (
            "netReceivedInventoryCost",
            "sellableOnHandInventoryCost",
            "unsellableOnHandInventoryCost",
            "aged90PlusDaysSellableInventoryCost",
            "unhealthyInventoryCost",
        )
        sums: dict[str, Any] = {**dict.fromkeys(units, 0), **dict.fromkeys(costs, Decimal(0))}
        rows = []
        for asin in self._present(m, VENDOR_INVENTORY, p, period):
            rng = self._rng(
                VENDOR_INVENTORY, m.id, period, p[0], asin, options["distributorView"], options["sellingProgram"]
            )
            cost = Decimal(rng.randint(300, 5000)) / 100
            count = {
                # Received minus returned to the vendor: negative when more went back.
                "netReceivedInventoryUnits": rng.randint(-5, 120),
                "openPurchaseOrderUnits": rng.randint(0, 200),
                "unfilledCustomerOrderedUnits": rng.randint(0, 15),
                "sellableOnHandInventoryUnits": rng.randint(-3, 400),
                "unsellableOnHandInventoryUnits": rng.randint(0, 12),
                "aged90PlusDaysSellableInventoryUnits": rng.randint(0, 40),
                "unhealthyInventoryUnits": rng.randint(0, 30),
            }
            row: dict[str, Any] = {
                **span,
                "asin": asin,
                "vendorConfirmationRate": Decimal(rng.randint(70, 110)) / 100,
                "netReceivedInventoryCost": self._money(m, cost * count["netReceivedInventoryUnits"]),
                "netReceivedInventoryUnits": count["netReceivedInventoryUnits"],
                "openPurchaseOrderUnits": count["openPurchaseOrderUnits"],
                "averageVendorLeadTimeDays": Decimal(rng.randint(20, 150)) / 10,
                "sellThroughRate": Decimal(rng.randint(-5, 120)) / 100,
                "unfilledCustomerOrderedUnits": count["unfilledCustomerOrderedUnits"],
            }
            for name in _STOCK:
                row[name + "Cost"] = self._money(m, cost * count[name + "Units"])
                row[name + "Units"] = count[name + "Units"]
            for key in units:
                sums[key] += count[key]
            for key in costs:
                sums[key] += cost * count[key.removesuffix("Cost") + "Units"]
            rows.append(row)
        rng = self._rng(VENDOR_INVENTORY, m.id, period, p[0], "aggregate", options["distributorView"])
        total: dict[str, Any] = {
            **span,
            "procurableProductOutOfStockRate": Decimal(rng.randint(0, 300)) / 1000,
            "uft": Decimal(rng.randint(700, 1000)) / 1000,
            "receiveFillRate": Decimal(rng.randint(600, 1000)) / 1000,
            "vendorConfirmationRate": Decimal(rng.randint(70, 110)) / 100,
            "netReceivedInventoryCost": self._money(m, sums["netReceivedInventoryCost"]),
            "netReceivedInventoryUnits": sums["netReceivedInventoryUnits"],
            "openPurchaseOrderUnits": sums["openPurchaseOrderUnits"],
            "averageVendorLeadTimeDays": Decimal(rng.randint(20, 150)) / 10,
            "sellThroughRate": Decimal(rng.randint(0, 120)) / 100,
            "unfilledCustomerOrderedUnits": sums["unfilledCustomerOrderedUnits"],
        }
        for name in _STOCK:
            total[name + "Cost"] = self._money(m, sums[name + "Cost"])
            total[name + "Units"] = sums[name + "Units"]
        return rows, total

    def _traffic(
        self, m: Marketplace, p: tuple[date, date], period: str, options: dict[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        rows = []
        for asin in self._present(m, VENDOR_TRAFFIC, p, period):
            rng = self._rng(VENDOR_TRAFFIC, m.id, period, p[0], asin)
            rows.append({**span, "asin": asin, "glanceViews": rng.randint(0, 5000)})
        return rows, {**span, "glanceViews": sum(r["glanceViews"] for r in rows)}

    def _margin(
        self, m: Marketplace, p: tuple[date, date], period: str, options: dict[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        rows = []
        for asin in self._present(m, VENDOR_MARGIN, p, period):
            rng = self._rng(VENDOR_MARGIN, m.id, period, p[0], asin)
            # A fraction between 0 and 1, four decimals as in Amazon's example.
            rows.append({**span, "asin": asin, "netPureProductMargin": Decimal(rng.randint(0, 6000)) / 10000})
        rng = self._rng(VENDOR_MARGIN, m.id, period, p[0], "aggregate")
        return rows, {**span, "netPureProductMargin": Decimal(rng.randint(500, 4500)) / 10000}

    def _market_basket(self, m: Marketplace, p: tuple[date, date], period: str) -> list[dict[str, Any]]:
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        asins = self._asins(m)
        rows = []
        for asin in self._present(m, MARKET_BASKET, p, period):
            rng = self._rng(MARKET_BASKET, m.id, period, p[0], asin)
            # Bought with the brand's other ASINs or anyone's: the top three.
            others = [a for a in asins if a != asin] + [f"B0OTHER{n:03d}" for n in range(6)]
            shares = sorted((Decimal(rng.randint(5, 4500)) / 10000 for _ in range(3)), reverse=True)
            for rank, (other, share) in enumerate(zip(rng.sample(others, 3), shares, strict=True), start=1):
                rows.append(
                    {
                        **span,
                        "asin": asin,
                        "purchasedWithAsin": other,
                        "purchasedWithRank": rank,
                        "combinationPct": share,
                    }
                )
        return rows

    def _repeat(self, m: Marketplace, p: tuple[date, date], period: str) -> list[dict[str, Any]]:
        span = {"startDate": p[0].isoformat(), "endDate": p[1].isoformat()}
        rows = []
        for asin in self._present(m, REPEAT_PURCHASE, p, period):
            rng = self._rng(REPEAT_PURCHASE, m.id, period, p[0], asin)
            orders = rng.randint(1, 3000)
            customers = rng.randint(max(1, orders // 3), orders)
            rows.append(
                {
                    **span,
                    "asin": asin,
                    "orders": orders,
                    "uniqueCustomers": customers,
                    "repeatCustomersPctTotal": Decimal(rng.randint(0, 3000)) / 10000,
                    "repeatPurchaseRevenue": self._money(m, Decimal(rng.randint(0, 500000)) / 100),
                    "repeatPurchaseRevenuePctTotal": Decimal(rng.randint(0, 4000)) / 10000,
                }
            )
        return rows

    def _search_terms(self, m: Marketplace, p: tuple[date, date], period: str) -> list[dict[str, Any]]:
        rng = self._rng(SEARCH_TERMS, m.id, period, p[0])
        asins = self._asins(m)
        rows = []
        for department in _DEPARTMENTS:
            terms = rng.sample(_TERMS, rng.randint(2, 4))
            for rank, term in enumerate(terms, start=1):
                clicked = rng.sample(asins, 3)
                shares = sorted((Decimal(rng.randint(10, 330)) / 1000 for _ in clicked), reverse=True)
                for click_rank, (asin, share) in enumerate(zip(clicked, shares, strict=True), start=1):
                    rows.append(
                        {
                            "departmentName": department,
                            "searchTerm": term,
                            "searchFrequencyRank": rank * 10 + rng.randint(0, 9),
                            "clickedAsin": asin,
                            "clickShareRank": click_rank,
                            "clickShare": share,
                            "conversionShare": (share * Decimal(rng.randint(50, 150)) / 100).quantize(
                                Decimal("0.0001")
                            ),
                        }
                    )
        return rows
