"""Business reports' Sales and Traffic (GET_SALES_AND_TRAFFIC_REPORT): daily facts per product, summed
into periods (by date) and into parent, child or SKU groups (by ASIN), as one JSON document.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.spapi_simulator.rendering import UTC, Marketplace
from tests.spapi_simulator.reports_data import SALES_AND_TRAFFIC

from .catalog import Product
from .common import CENT, allowed_days, aware, local_money, money, pct

_SUM_FIELDS = (
    "bs",
    "ms",
    "bpv",
    "mpv",
    "bsb",
    "msb",
    "bpvb",
    "mpvb",
    "units",
    "items",
    "units_b2b",
    "items_b2b",
    "refunded",
    "shipped",
    "orders_shipped",
)
_Facts = dict[str, Any]


def _st_facts(rng: random.Random, p: Product) -> _Facts:
    bs, ms = rng.randint(5, 120), rng.randint(2, 80)
    units = rng.randint(0, max(1, (bs + ms) // 10))
    items = rng.randint(1, units) if units else 0
    units_b2b = rng.randint(0, units // 3)
    shipped = rng.randint(0, units + 2)
    bpv, mpv = bs + rng.randint(0, bs), ms + rng.randint(0, ms)
    return {
        "bs": bs,
        "ms": ms,
        "bpv": bpv,
        "mpv": mpv,
        "bsb": bs // rng.randint(5, 10),
        "msb": ms // rng.randint(5, 10),
        "bpvb": bpv // rng.randint(5, 10),
        "mpvb": mpv // rng.randint(5, 10),
        "units": units,
        "items": items,
        "units_b2b": units_b2b,
        "items_b2b": min(items, units_b2b),
        "refunded": rng.randint(0, units // 4),
        "shipped": shipped,
        "orders_shipped": rng.randint(0, shipped),
        "sales": p.price * units,
        "sales_b2b": p.price * units_b2b,
        "shipped_sales": p.price * shipped,
        "buy_box": Decimal(rng.randint(8000, 10000)) / 100,
    }


def _weighted_pct(facts: Sequence[_Facts], browser: str, mobile: str, views: int) -> Decimal:
    """Buy-box share weighted by page views, the way a share over several ASINs or days combines."""
    if not views:
        return Decimal("0.00")
    weighted = sum((x["buy_box"] * (x[browser] + x[mobile]) for x in facts), Decimal(0))
    return (weighted / views).quantize(CENT, ROUND_HALF_UP)


def _sum(facts: Sequence[_Facts]) -> _Facts:
    total: _Facts = {f: sum(x[f] for x in facts) for f in _SUM_FIELDS}
    for f in ("sales", "sales_b2b", "shipped_sales"):
        total[f] = sum((x[f] for x in facts), Decimal(0))
    pv = sum(x["bpv"] + x["mpv"] for x in facts)
    pvb = sum(x["bpvb"] + x["mpvb"] for x in facts)
    total["buy_box"] = _weighted_pct(facts, "bpv", "mpv", pv)
    total["buy_box_b2b"] = _weighted_pct(facts, "bpvb", "mpvb", pvb)
    return total


@dataclass(frozen=True)
class StDay:
    day: date
    facts: tuple[tuple[Product, _Facts], ...]
    claims: int
    claims_amount: Decimal
    feedback: int
    negative: int
    offers: int


def st_days(rng: random.Random, m: Marketplace, catalog: list[Product], rows: int) -> list[StDay]:
    products = catalog[: min(8, len(catalog))]
    allowed = allowed_days()
    days = sorted(rng.sample(allowed, min(rows, len(allowed))))
    out = []
    for d in days:
        active = [p for p in products if rng.random() < 0.75] or [products[0]]
        claims = 1 if rng.random() < 0.1 else 0
        feedback = rng.randint(0, 5)
        out.append(
            StDay(
                d,
                tuple((p, _st_facts(rng, p)) for p in active),
                claims,
                local_money("12.99", m) * claims,
                feedback,
                rng.randint(0, feedback) if rng.random() < 0.3 else 0,
                rng.randint(20, 60),
            )
        )
    return out


def _period_start(d: date, granularity: str) -> date:
    if granularity == "WEEK":
        return d - timedelta(days=(d.weekday() + 1) % 7)  # weeks start on Sunday
    if granularity == "MONTH":
        return d.replace(day=1)
    return d


def _period_end(d: date, granularity: str) -> date:
    """Exclusive end of the period containing d."""
    start = _period_start(d, granularity)
    if granularity == "WEEK":
        return start + timedelta(days=7)
    if granularity == "MONTH":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _amount(value: Decimal, m: Marketplace) -> dict[str, Any]:
    return {"amount": money(value, m), "currencyCode": m.currency}


def _avg(total: Decimal, n: int, m: Marketplace) -> dict[str, Any]:
    return _amount(total / n if n else Decimal(0), m)


def _ratio(a: int, b: int) -> Decimal:
    return (Decimal(a) / b).quantize(CENT, ROUND_HALF_UP) if b else Decimal("0.00")


def _by_date_entry(label: date, days: Sequence[StDay], m: Marketplace) -> dict[str, Any]:
    t = _sum([f for d in days for _, f in d.facts])
    feedback, negative = sum(d.feedback for d in days), sum(d.negative for d in days)
    sessions, sessions_b2b = t["bs"] + t["ms"], t["bsb"] + t["msb"]
    return {
        "date": label.isoformat(),
        "salesByDate": {
            "orderedProductSales": _amount(t["sales"], m),
            "orderedProductSalesB2B": _amount(t["sales_b2b"], m),
            "unitsOrdered": t["units"],
            "unitsOrderedB2B": t["units_b2b"],
            "totalOrderItems": t["items"],
            "totalOrderItemsB2B": t["items_b2b"],
            "averageSalesPerOrderItem": _avg(t["sales"], t["items"], m),
            "averageSalesPerOrderItemB2B": _avg(t["sales_b2b"], t["items_b2b"], m),
            "averageUnitsPerOrderItem": _ratio(t["units"], t["items"]),
            "averageUnitsPerOrderItemB2B": _ratio(t["units_b2b"], t["items_b2b"]),
            "averageSellingPrice": _avg(t["sales"], t["units"], m),
            "averageSellingPriceB2B": _avg(t["sales_b2b"], t["units_b2b"], m),
            "unitsRefunded": t["refunded"],
            "refundRate": pct(t["refunded"], t["units"]),
            "claimsGranted": sum(d.claims for d in days),
            "claimsAmount": _amount(sum((d.claims_amount for d in days), Decimal(0)), m),
            "shippedProductSales": _amount(t["shipped_sales"], m),
            "unitsShipped": t["shipped"],
            "ordersShipped": t["orders_shipped"],
        },
        "trafficByDate": {
            "browserPageViews": t["bpv"],
            "browserPageViewsB2B": t["bpvb"],
            "mobileAppPageViews": t["mpv"],
            "mobileAppPageViewsB2B": t["mpvb"],
            "pageViews": t["bpv"] + t["mpv"],
            "pageViewsB2B": t["bpvb"] + t["mpvb"],
            "browserSessions": t["bs"],
            "browserSessionsB2B": t["bsb"],
            "mobileAppSessions": t["ms"],
            "mobileAppSessionsB2B": t["msb"],
            "sessions": sessions,
            "sessionsB2B": sessions_b2b,
            "buyBoxPercentage": t["buy_box"],
            "buyBoxPercentageB2B": t["buy_box_b2b"],
            "orderItemSessionPercentage": pct(t["items"], sessions),
            "orderItemSessionPercentageB2B": pct(t["items_b2b"], sessions_b2b),
            "unitSessionPercentage": pct(t["units"], sessions),
            "unitSessionPercentageB2B": pct(t["units_b2b"], sessions_b2b),
            "averageOfferCount": round(sum(d.offers for d in days) / len(days)),
            "averageParentItems": round(sum(len({p.parent_asin for p, _ in d.facts}) for d in days) / len(days)),
            "feedbackReceived": feedback,
            "negativeFeedbackReceived": negative,
            "receivedNegativeFeedbackRate": pct(negative, feedback),
        },
    }


def _by_asin_entries(days: Sequence[StDay], granularity: str, m: Marketplace) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[_Facts]] = {}
    for d in days:
        for p, f in d.facts:
            key: tuple[str, ...] = (p.parent_asin,)
            if granularity in ("CHILD", "SKU"):
                key += (p.asin,)
            if granularity == "SKU":
                key += (p.sku,)
            groups.setdefault(key, []).append(f)
    grand = _sum([f for fs in groups.values() for f in fs])
    out = []
    for key, facts in groups.items():  # first sold first, as dicts keep insertion order
        t = _sum(facts)
        entry: dict[str, Any] = {"parentAsin": key[0]}
        if len(key) > 1:
            entry["childAsin"] = key[1]
        if len(key) > 2:
            entry["sku"] = key[2]
        entry["salesByAsin"] = {
            "unitsOrdered": t["units"],
            "unitsOrderedB2B": t["units_b2b"],
            "orderedProductSales": _amount(t["sales"], m),
            "orderedProductSalesB2B": _amount(t["sales_b2b"], m),
            "totalOrderItems": t["items"],
            "totalOrderItemsB2B": t["items_b2b"],
        }
        sessions, sessions_b2b = t["bs"] + t["ms"], t["bsb"] + t["msb"]
        views, views_b2b = t["bpv"] + t["mpv"], t["bpvb"] + t["mpvb"]
        entry["trafficByAsin"] = {
            "browserSessions": t["bs"],
            "browserSessionsB2B": t["bsb"],
            "mobileAppSessions": t["ms"],
            "mobileAppSessionsB2B": t["msb"],
            "sessions": sessions,
            "sessionsB2B": sessions_b2b,
            "browserSessionPercentage": pct(t["bs"], grand["bs"]),
            "browserSessionPercentageB2B": pct(t["bsb"], grand["bsb"]),
            "mobileAppSessionPercentage": pct(t["ms"], grand["ms"]),
            "mobileAppSessionPercentageB2B": pct(t["msb"], grand["msb"]),
            "sessionPercentage": pct(sessions, grand["bs"] + grand["ms"]),
            "sessionPercentageB2B": pct(sessions_b2b, grand["bsb"] + grand["msb"]),
            "browserPageViews": t["bpv"],
            "browserPageViewsB2B": t["bpvb"],
            "mobileAppPageViews": t["mpv"],
            "mobileAppPageViewsB2B": t["mpvb"],
            "pageViews": views,
            "pageViewsB2B": views_b2b,
            "browserPageViewsPercentage": pct(t["bpv"], grand["bpv"]),
            "browserPageViewsPercentageB2B": pct(t["bpvb"], grand["bpvb"]),
            "mobileAppPageViewsPercentage": pct(t["mpv"], grand["mpv"]),
            "mobileAppPageViewsPercentageB2B": pct(t["mpvb"], grand["mpvb"]),
            "pageViewsPercentage": pct(views, grand["bpv"] + grand["mpv"]),
            "pageViewsPercentageB2B": pct(views_b2b, grand["bpvb"] + grand["mpvb"]),
            "buyBoxPercentage": t["buy_box"],
            "buyBoxPercentageB2B": t["buy_box_b2b"],
            "unitSessionPercentage": pct(t["units"], sessions),
            "unitSessionPercentageB2B": pct(t["units_b2b"], sessions_b2b),
        }
        out.append(entry)
    return out


def sales_and_traffic_report(
    days: list[StDay], m: Marketplace, start: datetime | None, end: datetime | None, options: dict[str, str]
) -> dict[str, Any] | None:
    """The report (in Amazon's JSON shape, before wire formatting) for this window, or None when it holds no day."""
    if not days:
        return None
    date_g = options.get("dateGranularity", "DAY")
    asin_g = options.get("asinGranularity", "PARENT")
    lo_at, hi_at = aware(start), aware(end)
    # Amazon reads both bounds as dates (the time of day is ignored), the end date included.
    lo = lo_at.astimezone(UTC).date() if lo_at else days[0].day
    hi = (hi_at.astimezone(UTC).date() if hi_at else days[-1].day) + timedelta(days=1)
    if hi <= lo:
        return None
    lo, hi = _period_start(lo, date_g), _period_end(hi - timedelta(days=1), date_g)
    chosen = [d for d in days if lo <= d.day < hi]
    if not chosen:
        return None
    periods: dict[date, list[StDay]] = {}
    for d in chosen:
        periods.setdefault(_period_start(d.day, date_g), []).append(d)
    return {
        "reportSpecification": {
            "reportType": SALES_AND_TRAFFIC,
            "reportOptions": {"dateGranularity": date_g, "asinGranularity": asin_g},
            "dataStartTime": lo.isoformat(),
            "dataEndTime": (hi - timedelta(days=1)).isoformat(),  # Amazon's end date is inclusive
            "marketplaceIds": [m.id],
        },
        "salesAndTrafficByDate": [_by_date_entry(k, ds, m) for k, ds in periods.items()],
        "salesAndTrafficByAsin": _by_asin_entries(chosen, asin_g, m),
    }
