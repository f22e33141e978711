"""Settlement reports, V1 per marketplace and V2 per currency group, listed by Amazon every 14 days.

Amazon schedules settlements itself (they cannot be requested): report ids encode the marketplace and
the period, so any Dataset can list and serve any settlement without remembering what it listed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tests.spapi_simulator.rendering import MARKETPLACES, UTC, Marketplace, format_local_amount, marketplace, utc_text
from tests.spapi_simulator.reports_data import FLAT_SPECS, SETTLEMENT, SETTLEMENT_V2, ReportSpec

from .catalog import Product, hot_products
from .common import TAX, Row, aware, local_money, money, order_id, unique, unique_digits, weighted
from .flat import Renderer, cell_renderers
from .vocabulary import VOCAB


@dataclass(frozen=True)
class SettlementReport:
    report_id: str
    created_time: datetime
    data_start_time: datetime
    data_end_time: datetime
    marketplace_id: str


_SETTLEMENT_EPOCH = datetime(2000, 1, 1, 7, tzinfo=UTC)  # settlement periods start at 07:00 UTC
_SETTLEMENT_ID_BASE = 50_000_000_000
_PERIOD = timedelta(days=14)
_CREATED_AFTER_END = timedelta(days=1, hours=2)
_MARKET_INDEX = {mid: i for i, mid in enumerate(MARKETPLACES)}


def _settlement_report(marketplace_id: str, start: datetime) -> SettlementReport:
    days = (start - _SETTLEMENT_EPOCH).days
    report_id = str(_SETTLEMENT_ID_BASE + _MARKET_INDEX[marketplace_id] * 1_000_000 + days)
    end = start + _PERIOD
    return SettlementReport(report_id, end + _CREATED_AFTER_END, start, end, marketplace_id)


def decode_settlement_id(report_id: str, *, v2: bool = False) -> SettlementReport:
    """Report ids encode (marketplace, period) so any Dataset can serve any id it ever listed."""
    try:
        index, days = divmod(int(report_id) - (_SETTLEMENT_V2_ID_BASE if v2 else _SETTLEMENT_ID_BASE), 1_000_000)
    except ValueError:
        raise KeyError(report_id) from None
    if not 0 <= index < len(MARKETPLACES) or (days - index % 14) % 14:
        raise KeyError(report_id)
    marketplace_id = list(MARKETPLACES)[index]
    make = _settlement_v2_report if v2 else _settlement_report
    if v2 and marketplace_id not in _CURRENCY_GROUPS:
        raise KeyError(report_id)
    return make(marketplace_id, _SETTLEMENT_EPOCH + timedelta(days=days))


def settlement_rows(
    rng: random.Random, m: Marketplace, catalog: list[Product], report: SettlementReport, rows: int
) -> list[Row]:
    v = VOCAB[m.family]
    hot = hot_products(catalog)
    settlement_id = str(rng.randrange(10**10, 10**11))
    span = int((report.data_end_time - report.data_start_time).total_seconds())
    salt = rng.randrange(10**7)
    tax = TAX[m.region]
    lines: list[Row] = []
    n = 0
    while len(lines) < rows:
        posted = (report.data_start_time + timedelta(seconds=span * (len(lines) + rng.random()) / rows)).date()
        kind = weighted(rng, (("Order", 70), ("Refund", 15), ("other-transaction", 10), ("ServiceFee", 5)))
        common: Row = {"settlement-id": settlement_id, "transaction-type": kind, "posted-date": posted}
        if kind in ("Order", "Refund"):
            p = rng.choice(hot)
            qty = rng.randint(1, 2)
            price = money(p.price * qty, m)
            sign = 1 if kind == "Order" else -1
            afn = p.fba
            common.update(
                {
                    "order-id": order_id(rng, m, n, salt),
                    "marketplace-name": m.sales_channel,
                    "fulfillment-id": "AFN" if afn else "MFN",
                    "order-item-code": unique_digits(n, salt, 14),
                    "sku": p.sku,
                }
            )
            if kind == "Order":
                common.update({"shipment-id": "D" + unique(n, salt, 8), "quantity-purchased": qty})
            else:
                common.update({"adjustment-id": unique_digits(n, salt + 1, 14), "merchant-adjustment-item-id": None})
            lines.append({**common, "price-type": "Principal", "price-amount": sign * price})
            lines.append({**common, "price-type": "Tax", "price-amount": sign * money(price * tax, m)})
            lines.append(
                {
                    **common,
                    "item-related-fee-type": "Commission",
                    "item-related-fee-amount": -sign * money(price * Decimal("0.15"), m),
                }
            )
            if afn and kind == "Order":
                lines.append(
                    {
                        **common,
                        "item-related-fee-type": "FBAPerUnitFulfillmentFee",
                        "item-related-fee-amount": -local_money("3.22", m) * qty,
                    }
                )
            if kind == "Order" and rng.random() < 0.2:
                lines.append(
                    {
                        **common,
                        "promotion-id": "Core Free Shipping",
                        "promotion-type": "Shipping",
                        "promotion-amount": -local_money("1.99", m),
                    }
                )
        elif kind == "other-transaction":
            lines.append(
                {
                    **common,
                    "other-fee-reason-description": v.fee_reason,
                    "other-fee-amount": -local_money(Decimal(rng.randint(100, 2000)) / 100, m),
                }
            )
        else:
            lines.append({**common, "order-fee-type": "Subscription Fee", "misc-fee-amount": -local_money("39.99", m)})
        n += 1
    lines = lines[:rows]
    amount_columns = [c.header for c in FLAT_SPECS[SETTLEMENT].columns if c.kind == "d"]
    total = sum((r[h] for r in lines for h in amount_columns if r.get(h) is not None), Decimal(0))
    summary: Row = {
        "settlement-id": settlement_id,
        "settlement-start-date": report.data_start_time,
        "settlement-end-date": report.data_end_time,
        "deposit-date": report.data_end_time + timedelta(days=1),
        "total-amount": money(total, m),
        "currency": m.currency,
    }
    return [summary, *lines]


# --- settlement V2: one report per account, region and currency ---------------------------------------
# Amazon lists one settlement per currency for all the marketplaces of a region (Add. §1): the first
# marketplace of each currency in the region is its home (what the report's marketplaceIds name, and
# whose number and date formats its document uses); its rows belong to any marketplace of the group.

_SETTLEMENT_V2_ID_BASE = 60_000_000_000


def _currency_groups() -> dict[str, list[Marketplace]]:
    groups: dict[str, list[Marketplace]] = {}
    for m in MARKETPLACES.values():
        home = next(h for h in MARKETPLACES.values() if h.region == m.region and h.currency == m.currency)
        groups.setdefault(home.id, []).append(m)
    return groups


_CURRENCY_GROUPS = _currency_groups()


def settlement_home(marketplace_id: str) -> str:
    """The marketplace whose settlement V2 reports hold this marketplace's money."""
    m = marketplace(marketplace_id)
    return next(home for home, members in _CURRENCY_GROUPS.items() if m in members)


def _settlement_v2_report(home_id: str, start: datetime) -> SettlementReport:
    days = (start - _SETTLEMENT_EPOCH).days
    report_id = str(_SETTLEMENT_V2_ID_BASE + _MARKET_INDEX[home_id] * 1_000_000 + days)
    end = start + _PERIOD
    return SettlementReport(report_id, end + _CREATED_AFTER_END, start, end, home_id)


def settlement_v2_rows(
    rng: random.Random, home: Marketplace, catalog: list[Product], report: SettlementReport, rows: int
) -> list[Row]:
    v = VOCAB[home.family]
    hot = hot_products(catalog)
    members = _CURRENCY_GROUPS[home.id]
    settlement_id = str(rng.randrange(10**10, 10**11))
    span = int((report.data_end_time - report.data_start_time).total_seconds())
    salt = rng.randrange(10**7)
    tax = TAX[home.region]
    lines: list[Row] = []
    n = 0
    while len(lines) < rows:
        posted = (report.data_start_time + timedelta(seconds=span * (len(lines) + rng.random()) / rows)).replace(
            microsecond=0
        )
        kind = weighted(rng, (("Order", 70), ("Refund", 15), ("other-transaction", 10), ("ServiceFee", 5)))
        # Every settlement has a reimbursement: a large amount, described in the marketplace's language.
        kind = "other-transaction" if n == 0 else kind
        common: Row = {
            "settlement-id": settlement_id,
            "transaction-type": kind,
            "posted-date": posted.date(),
            "posted-date-time": posted,
            "quantity-purchased": 0,
        }
        if kind in ("Order", "Refund"):
            p = rng.choice(hot)
            qty = rng.randint(1, 2)
            price = money(p.price * qty, home)
            sign = 1 if kind == "Order" else -1
            common.update(
                {
                    "order-id": order_id(rng, home, n, salt),
                    "marketplace-name": rng.choice(members).sales_channel,
                    "fulfillment-id": "AFN" if p.fba else "MFN",
                    "order-item-code": unique_digits(n, salt, 14),
                    "sku": p.sku,
                    "quantity-purchased": qty,
                }
            )
            if kind == "Order":
                common["shipment-id"] = "D" + unique(n, salt, 8)
            else:
                common["adjustment-id"] = unique_digits(n, salt + 1, 14)
            lines.append(
                {**common, "amount-type": "ItemPrice", "amount-description": "Principal", "amount": sign * price}
            )
            lines.append(
                {
                    **common,
                    "amount-type": "ItemPrice",
                    "amount-description": "Tax",
                    "amount": sign * money(price * tax, home),
                }
            )
            lines.append(
                {
                    **common,
                    "amount-type": "ItemFees",
                    "amount-description": "Commission",
                    "amount": -sign * money(price * Decimal("0.15"), home),
                }
            )
            if p.fba and kind == "Order":
                lines.append(
                    {
                        **common,
                        "amount-type": "ItemFees",
                        "amount-description": "FBAPerUnitFulfillmentFee",
                        "amount": -local_money("3.22", home) * qty,
                    }
                )
            if kind == "Order" and rng.random() < 0.2:
                lines.append(
                    {
                        **common,
                        "amount-type": "Promotion",
                        "amount-description": "Shipping",
                        "promotion-id": "Core Free Shipping",
                        "amount": -local_money("1.99", home),
                    }
                )
        elif kind == "other-transaction":
            # A large one now and then: amounts past a thousand show a marketplace's thousands separator.
            large = n == 0 or rng.random() < 0.3
            lines.append(
                {
                    **common,
                    "amount-type": "FBA Inventory Reimbursement" if large else "other-transaction",
                    "amount-description": v.reimbursement if large else v.fee_reason,
                    "amount": local_money(Decimal(rng.randint(100_000, 300_000)) / 100, home)
                    if large
                    else -local_money(Decimal(rng.randint(100, 2000)) / 100, home),
                }
            )
        else:
            lines.append(
                {
                    **common,
                    "amount-type": "ServiceFee",
                    "amount-description": "Subscription",
                    "amount": -local_money("39.99", home),
                }
            )
        n += 1
    lines = lines[:rows]
    summary: Row = {
        "settlement-id": settlement_id,
        "settlement-start-date": report.data_start_time,
        "settlement-end-date": report.data_end_time,
        "deposit-date": report.data_end_time + timedelta(days=1),
        "total-amount": money(sum((r["amount"] for r in lines), Decimal(0)), home),
        "currency": home.currency,
    }
    return [summary, *lines]


def settlement_renderers(spec: ReportSpec, m: Marketplace) -> list[tuple[str, Renderer]]:
    """V2 writes amounts in the marketplace's number format and posted-date-time in UTC everywhere."""
    if spec.report_type != SETTLEMENT_V2:
        return cell_renderers(spec, m)
    kinds = {c.header: c.kind for c in spec.columns}
    renderers: list[tuple[str, Renderer]] = []
    for header, render in cell_renderers(spec, m):
        if kinds[header] == "d":
            render = lambda v: format_local_amount(v, m)  # noqa: E731
        elif header == "posted-date-time":
            render = utc_text
        renderers.append((header, render))
    return renderers


def listed_settlements(marketplace_id: str, now: datetime, report_type: str) -> list[SettlementReport]:
    """The DONE settlement reports created in the 84 days before now, oldest first: V1 per
    marketplace, V2 per currency group (only for a group's home marketplace)."""
    index = _MARKET_INDEX.get(marketplace_id)
    if index is None:
        raise ValueError(f"unknown marketplace id {marketplace_id!r}")
    if report_type == SETTLEMENT_V2 and marketplace_id not in _CURRENCY_GROUPS:
        return []
    make = _settlement_v2_report if report_type == SETTLEMENT_V2 else _settlement_report
    now = aware(now) or now
    # The last period whose report already exists, then walk back.
    anchor = _SETTLEMENT_EPOCH + timedelta(days=index % 14)
    k = (now - _CREATED_AFTER_END - _PERIOD - anchor) // _PERIOD
    out: list[SettlementReport] = []
    while True:
        report = make(marketplace_id, anchor + k * _PERIOD)
        if report.created_time <= now - timedelta(days=84):
            break
        if report.created_time <= now:
            out.append(report)
        k -= 1
    return out[::-1]


def is_v2_settlement(report_id: str) -> bool:
    return report_id.isdigit() and int(report_id) >= _SETTLEMENT_V2_ID_BASE
