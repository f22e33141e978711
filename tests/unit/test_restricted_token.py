"""auth.RestrictedToken: one Restricted Data Token per operation, fetched when first needed and again
before it expires or once Amazon says it expired."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_amazon_sp.auth import RestrictedToken


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_fetched_once_for_its_path_and_again_before_it_expires() -> None:
    asked: list[Mapping[str, Any]] = []

    def fetch(body: Mapping[str, Any]) -> Mapping[str, Any]:
        asked.append(body)
        return {"restrictedDataToken": f"rdt-{len(asked)}", "expiresIn": 3600}

    clock = Clock()
    token = RestrictedToken(
        fetch, method="GET", path="/vendor/directFulfillment/orders/2021-12-28/purchaseOrders", clock=clock
    )
    assert asked == []
    assert token.get() == token.get() == "rdt-1"
    assert asked == [
        {
            "restrictedResources": [
                {"method": "GET", "path": "/vendor/directFulfillment/orders/2021-12-28/purchaseOrders"}
            ]
        }
    ]
    # Two minutes before Amazon's hour is over, a new one.
    clock.now = 3600 - 119
    assert token.get() == "rdt-2"
    # One Amazon said expired is fetched again; forgetting an older one changes nothing.
    token.invalidate("rdt-1")
    assert token.get() == "rdt-2"
    token.invalidate("rdt-2")
    assert token.get() == "rdt-3" and len(asked) == 3
