"""The ground every report family stands on: the simulator's time line, money and ids.

Data lives from DATA_START to DATA_END with April cut out (GAP_START..GAP_END), so a window over the
gap holds nothing and a report for it is CANCELLED, as Amazon's is. Ids are bijections of a row's
index, unique without keeping a set, so big documents stay lazy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.spapi_simulator.rendering import UTC, Marketplace

DATA_START = datetime(2024, 1, 1, tzinfo=UTC)
GAP_START = datetime(2024, 4, 1, tzinfo=UTC)
GAP_END = datetime(2024, 5, 1, tzinfo=UTC)
DATA_END = datetime(2024, 7, 1, tzinfo=UTC)
_BEFORE_GAP = int((GAP_START - DATA_START).total_seconds())
_SPAN = _BEFORE_GAP + int((DATA_END - GAP_END).total_seconds())

Row = dict[str, Any]  # flat-file header -> typed value; a missing header means empty


# --- time line ------------------------------------------------------------------------------------


def instant_at(fraction: float) -> datetime:
    """Map [0, 1) onto the data range with the April gap cut out, to whole seconds."""
    s = min(int(fraction * _SPAN), _SPAN - 1)
    if s < _BEFORE_GAP:
        return DATA_START + timedelta(seconds=s)
    return GAP_END + timedelta(seconds=s - _BEFORE_GAP)


def in_range(at: datetime) -> bool:
    return DATA_START <= at < DATA_END and not GAP_START <= at < GAP_END


def later(rng: random.Random, base: datetime, max_seconds: int) -> datetime:
    """base plus a random delay, kept inside the data range (a filter date may never land in April)."""
    for _ in range(4):
        candidate = base + timedelta(seconds=rng.randint(0, max_seconds))
        if in_range(candidate):
            return candidate
        max_seconds //= 8
    return base


def midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def aware(at: datetime | None) -> datetime | None:
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=UTC)


def allowed_days() -> list[date]:
    days = []
    d = DATA_START.date()
    while d < DATA_END.date():
        if in_range(midnight(d)):
            days.append(d)
        d += timedelta(days=1)
    return days


# --- money ----------------------------------------------------------------------------------------

CENT = Decimal("0.01")
_YEN = Decimal(1)
_RATE = {
    "USD": "1",
    "CAD": "1.35",
    "MXN": "17",
    "BRL": "5",
    "GBP": "0.8",
    "EUR": "0.92",
    "SEK": "10.5",
    "PLN": "4",
    "TRY": "32",
    "EGP": "48",
    "SAR": "3.75",
    "AED": "3.67",
    "INR": "83",
    "ZAR": "18.5",
    "JPY": "150",
    "AUD": "1.5",
    "SGD": "1.35",
}
TAX = {"NA": Decimal("0.08"), "EU": Decimal("0.19"), "FE": Decimal("0.10")}


def money(value: Decimal, m: Marketplace) -> Decimal:
    return value.quantize(_YEN if m.currency == "JPY" else CENT, ROUND_HALF_UP)


def local_money(usd: str | Decimal, m: Marketplace) -> Decimal:
    return money(Decimal(usd) * Decimal(_RATE[m.currency]), m)


def pct(part: int | Decimal, whole: int | Decimal) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


# --- ids ------------------------------------------------------------------------------------------

_ORDER_PREFIX = {"NA": ("111", "112", "113", "114"), "EU": ("302", "305", "403", "408"), "FE": ("249", "250", "503")}
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_B36[r])
    return "".join(reversed(out))


def unique(i: int, salt: int, width: int) -> str:
    # A bijection of i onto width base-36 digits: unique ids without keeping a set (big documents).
    return _base36((i * 1_000_003 + salt) % 36**width, width)


def unique_digits(i: int, salt: int, width: int) -> str:
    return f"{(i * 7_919 + salt) % 10**width:0{width}d}"


def order_id(rng: random.Random, m: Marketplace, i: int, salt: int) -> str:
    return f"{rng.choice(_ORDER_PREFIX[m.region])}-{rng.randrange(10**7):07d}-{unique_digits(i, salt, 7)}"


def weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]
