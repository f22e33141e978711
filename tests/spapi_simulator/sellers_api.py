"""Sellers API v1 getMarketplaceParticipations: the simulated seller's marketplaces."""

from __future__ import annotations

from typing import Any

from .rendering import MARKETPLACES
from .rest_api import World, answers, simulated

__all__ = ["SellersApi"]

# The simulated seller sells in North America, and has an account in Brazil it does not use.
_LANGUAGES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX", "BR": "pt_BR"}


@simulated("sellers")
class SellersApi:
    """The simulated seller's marketplace participations."""

    def __init__(self, world: World) -> None:
        pass

    def participations(self) -> list[dict[str, Any]]:
        result = []
        for m in MARKETPLACES.values():
            if m.code not in _LANGUAGES:
                continue
            result.append(
                {
                    "marketplace": {
                        "id": m.id,
                        "name": m.sales_channel,
                        "countryCode": m.country,
                        "defaultCurrencyCode": m.currency,
                        "defaultLanguageCode": _LANGUAGES[m.code],
                        "domainName": f"www.{m.domain}",
                    },
                    "participation": {"isParticipating": m.code != "BR", "hasSuspendedListings": m.code == "MX"},
                    "storeName": "Simulated Store",
                }
            )
        return result

    @answers("getMarketplaceParticipations")
    def get_marketplace_participations(self, query: Any) -> dict[str, Any]:
        return {"payload": self.participations()}

    def expected(self) -> list[dict[str, Any]]:
        """The `marketplace_participations` records."""
        return [
            {
                "marketplace_id": p["marketplace"]["id"],
                "name": p["marketplace"]["name"],
                "country_code": p["marketplace"]["countryCode"],
                "default_currency_code": p["marketplace"]["defaultCurrencyCode"],
                "default_language_code": p["marketplace"]["defaultLanguageCode"],
                "domain_name": p["marketplace"]["domainName"],
                "store_name": p["storeName"],
                "is_participating": p["participation"]["isParticipating"],
                "has_suspended_listings": p["participation"]["hasSuspendedListings"],
            }
            for p in self.participations()
        ]
