"""Amazon regions, hosts and marketplaces.

Figures from Amazon's "SP-API endpoints" and "Marketplace IDs" pages. The charset column is the
encoding Amazon's flat files use in practice when the download does not name one.
"""

from __future__ import annotations

from dataclasses import dataclass

PRODUCTION_HOSTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
SANDBOX_HOSTS = {
    "NA": "https://sandbox.sellingpartnerapi-na.amazon.com",
    "EU": "https://sandbox.sellingpartnerapi-eu.amazon.com",
    "FE": "https://sandbox.sellingpartnerapi-fe.amazon.com",
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace and the facts the tap needs about it."""

    country: str
    marketplace_id: str
    region: str
    charset: str


def _m(country: str, marketplace_id: str, region: str, charset: str = "utf-8") -> Marketplace:
    return Marketplace(country, marketplace_id, region, charset)


MARKETPLACES: tuple[Marketplace, ...] = (
    _m("CA", "A2EUQ1WTGCTBG2", "NA"),
    _m("US", "ATVPDKIKX0DER", "NA"),
    _m("MX", "A1AM78C64UM0Y8", "NA"),
    _m("BR", "A2Q3Y263D00KWC", "NA"),
    _m("IE", "A28R8C7NBKEWEA", "EU", "cp1252"),
    _m("ES", "A1RKKUPIHCS9HS", "EU", "cp1252"),
    _m("UK", "A1F83G8C2ARO7P", "EU", "cp1252"),
    _m("FR", "A13V1IB3VIYZZH", "EU", "cp1252"),
    _m("BE", "AMEN7PMS3EDWL", "EU", "cp1252"),
    _m("NL", "A1805IZSGTT6HS", "EU", "cp1252"),
    _m("DE", "A1PA6795UKMFR9", "EU", "cp1252"),
    _m("IT", "APJ6JRA9NG5V4", "EU", "cp1252"),
    _m("SE", "A2NODRKZP88ZB9", "EU", "cp1252"),
    _m("ZA", "AE08WJ6YKNBMC", "EU", "cp1252"),
    _m("PL", "A1C3SOZRARQ6R3", "EU", "cp1252"),
    _m("EG", "ARBP9OOSHTCHU", "EU", "cp1252"),
    _m("TR", "A33AVAJ2PDY3EV", "EU", "cp1252"),
    _m("SA", "A17E79C6D8DWNP", "EU", "cp1252"),
    _m("AE", "A2VIGQ35RCS4UG", "EU", "cp1252"),
    _m("IN", "A21TJRUUN4KGV", "EU", "cp1252"),
    _m("SG", "A19VAU5U5O7RUS", "FE"),
    _m("AU", "A39IBJ37TRP1C6", "FE"),
    _m("JP", "A1VC38T7YXB528", "FE", "cp932"),
)

BY_COUNTRY: dict[str, Marketplace] = {m.country: m for m in MARKETPLACES}
BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES}
# Amazon's docs say UK; ISO says GB. Accept both.
COUNTRY_ALIASES = {"GB": "UK"}
COUNTRIES: tuple[str, ...] = tuple(sorted(BY_COUNTRY))


def by_country(code: str) -> Marketplace | None:
    """The marketplace of a country code (case-insensitive, GB = UK), or None."""
    code = code.strip().upper()
    return BY_COUNTRY.get(COUNTRY_ALIASES.get(code, code))


def host_for(region: str, *, sandbox: bool) -> str:
    """The SP-API host serving a region."""
    return (SANDBOX_HOSTS if sandbox else PRODUCTION_HOSTS)[region]
