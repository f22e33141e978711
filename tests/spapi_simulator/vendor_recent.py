"""Vendor reports made from the present: Amazon's latest forecast and the real-time (hourly) reports.

Written from Amazon's report schemas (vendorForecastingReport, vendorRealTimeInventoryReport,
vendorRealTimeSalesReport, vendorRealTimeTrafficReport), independently of the tap's catalogue.

- The forecast has no data window: a report is the forecast Amazon generated last (on a Sunday),
  in weeks (Sunday to Saturday) from that day, for the `sellingProgram` asked (required).
- A real-time report holds every whole UTC hour inside its window. Amazon's rules, as each schema's
  dataStartTime and dataEndTime say them: the start at most 168 hours before the request, the end at
  most 24 hours after the start, and (traffic) at least 60 minutes before the request. The simulator
  also ends a window FATAL that does not start and end on whole hours: a tap that asks for part of an
  hour gets nothing for it, and would move its bookmark past what it did not read.
- One marketplace a request, as for every vendor analytics report.

Values are drawn per (report, marketplace, hour or week, ASIN, options) from their own seeded
random.Random, so any two windows agree about an hour.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .rendering import Marketplace

__all__ = [
    "FORECAST",
    "REAL_TIME",
    "REAL_TIME_INVENTORY",
    "REAL_TIME_SALES",
    "REAL_TIME_TRAFFIC",
    "RECENT_REPORTS",
    "RecentData",
    "forecast_sunday",
    "recent_refusal",
]

FORECAST = "GET_VENDOR_FORECASTING_REPORT"
REAL_TIME_INVENTORY = "GET_VENDOR_REAL_TIME_INVENTORY_REPORT"
REAL_TIME_SALES = "GET_VENDOR_REAL_TIME_SALES_REPORT"
REAL_TIME_TRAFFIC = "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT"
REAL_TIME = frozenset({REAL_TIME_INVENTORY, REAL_TIME_SALES, REAL_TIME_TRAFFIC})
RECENT_REPORTS = frozenset({FORECAST, *REAL_TIME})

SELLING_PROGRAMS = ("RETAIL", "FRESH")  # vendorForecastingReport's reportOptions.sellingProgram enum
HORIZON = timedelta(hours=168)
LONGEST = timedelta(hours=24)
TRAFFIC_DELAY = timedelta(minutes=60)
HOUR = timedelta(hours=1)
FORECAST_WEEKS = 26  # Amazon's example runs 27 weeks from the generation date


def forecast_sunday(moment: datetime) -> date:
    """The Sunday on or before `moment` (UTC): the day Amazon's latest forecast was generated."""
    day = moment.astimezone(timezone.utc).date()
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _whole_hour(moment: datetime) -> bool:
    return moment.minute == 0 and moment.second == 0 and moment.microsecond == 0


def recent_refusal(
    report_type: str,
    options: dict[str, str],
    marketplace_ids: list[str],
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> str | None:
    """Why Amazon would end this report FATAL, or None when it would build it."""
    if len(marketplace_ids) != 1:
        return "This report type accepts exactly one marketplaceId per request."
    if report_type == FORECAST:
        program = options.get("sellingProgram")
        if program is None:
            return (
                "This report type requires the sellingProgram reportOption to be specified. Please review the "
                "document for this report type on GitHub, provide a value for this reportOption in your request, "
                "and try again."
            )
        if program not in SELLING_PROGRAMS:
            return f"Invalid value {program!r} for reportOption sellingProgram: use one of RETAIL, FRESH."
        return None
    if start is None or end is None:
        return "dataStartTime and dataEndTime are required for this report type."
    if not (_whole_hour(start) and _whole_hour(end)):
        return f"dataStartTime and dataEndTime must be whole UTC hours (got {start.isoformat()}..{end.isoformat()})."
    if start < now - HORIZON:
        return "dataStartTime can be up to 168 hours before the time of the request."
    if end - start > LONGEST:
        return "dataEndTime should not be more than 24 hours from dataStartTime."
    if report_type == REAL_TIME_TRAFFIC and end > now - TRAFFIC_DELAY:
        return "dataEndTime should be at least 60 minutes earlier than the time of the request."
    return None


class RecentData:
    """The forecast and the real-time reports of one simulated vendor."""

    def __init__(self, seed: int, rows: int, asins: Callable[[Marketplace], list[str]]) -> None:
        self.seed = seed
        self.rows = rows
        self.asins = asins

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.rows, *parts)))

    def report(
        self,
        report_type: str,
        m: Marketplace,
        start: datetime,
        end: datetime,
        options: dict[str, str],
        generated: date,
    ) -> tuple[str, dict[str, Any]] | None:
        """(name of the row array, the report's JSON object with Decimal numbers), or None without data."""
        if report_type == FORECAST:
            return "forecastByAsin", self._forecast(m, options["sellingProgram"], generated)
        hours = []
        cursor = start.astimezone(timezone.utc)
        while cursor + HOUR <= end:
            hours.append(cursor)
            cursor += HOUR
        if not hours:
            return None
        spec: dict[str, Any] = {
            "reportType": report_type,
            "dataStartTime": _instant(start),
            "dataEndTime": _instant(end),
            "marketplaceIds": [m.id],
        }
        if report_type == REAL_TIME_SALES:
            # Required in the echo: the currency orderedRevenue is in.
            spec["reportOptions"] = {"currencyCode": options.get("currencyCode", m.currency)}
        rows = [row for hour in hours for row in self._hour(report_type, m, hour)]
        return "reportData", {"reportSpecification": spec, "reportData": rows}

    def _forecast(self, m: Marketplace, program: str, generated: date) -> dict[str, Any]:
        rows = []
        for asin in self.asins(m):
            rng = self._rng(FORECAST, m.id, program, generated, asin)
            weekly = Decimal(rng.randint(0, 4000)) / 10
            for week in range(min(FORECAST_WEEKS, max(4, self.rows))):
                first = generated + timedelta(weeks=week)
                mean = (weekly * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.1"))
                p70 = mean + Decimal(rng.randint(0, 50)) / 10
                p80 = p70 + Decimal(rng.randint(0, 50)) / 10
                p90 = p80 + Decimal(rng.randint(0, 80)) / 10
                rows.append(
                    {
                        "forecastGenerationDate": generated.isoformat(),
                        "asin": asin,
                        "startDate": first.isoformat(),
                        "endDate": (first + timedelta(days=6)).isoformat(),
                        "meanForecastUnits": mean,
                        "p70ForecastUnits": p70,
                        "p80ForecastUnits": p80,
                        "p90ForecastUnits": p90,
                    }
                )
        spec = {
            "reportType": FORECAST,
            "reportOptions": {"sellingProgram": program},
            "lastUpdatedDate": (generated + timedelta(days=1)).isoformat(),
            "marketplaceIds": [m.id],
        }
        return {"reportSpecification": spec, "forecastByAsin": rows}

    def _hour(self, report_type: str, m: Marketplace, hour: datetime) -> list[dict[str, Any]]:
        span = {"startTime": _instant(hour), "endTime": _instant(hour + HOUR)}
        present = self._rng(report_type, m.id, hour.isoformat(), "present")
        rows = []
        for asin in self.asins(m):
            if present.random() >= 0.8:
                continue
            rng = self._rng(report_type, m.id, hour.isoformat(), asin)
            row: dict[str, Any] = {**span, "asin": asin}
            if report_type == REAL_TIME_INVENTORY:
                row["highlyAvailableInventory"] = rng.randint(0, 5000)
            elif report_type == REAL_TIME_TRAFFIC:
                row["glanceViews"] = rng.randint(0, 400)
            else:
                # More cancellations than orders in an hour now and then.
                units = rng.randint(-2, 12)
                price = Decimal(rng.randint(500, 9000)) / 100
                step = Decimal(1) if m.currency == "JPY" else Decimal("0.01")
                row["orderedUnits"] = units
                row["orderedRevenue"] = (price * units).quantize(step)
            rows.append(row)
        return rows


def _instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
