"""A marketplace's products: the ASINs, SKUs and prices every report family draws its rows from."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from tests.spapi_simulator.rendering import Marketplace

from .common import local_money, unique
from .vocabulary import VOCAB, product_name


@dataclass(frozen=True)
class Product:
    asin: str
    parent_asin: str
    sku: str
    fnsku: str
    name: str
    price: Decimal
    fba: bool


def make_catalog(rng: random.Random, m: Marketplace, n: int) -> list[Product]:
    v = VOCAB[m.family]
    salt_asin, salt_parent, salt_fn = rng.randrange(36**8), rng.randrange(36**8), rng.randrange(36**7)
    products: list[Product] = []
    parent = ""
    for i in range(n):
        noun, code = rng.choice(v.nouns)
        name = v.specials[i] if i < len(v.specials) else product_name(m.family, v, rng, noun)
        asin = "B0" + unique(i, salt_asin, 8)
        if i % 3 == 0:
            parent = "B0" + unique(i, salt_parent, 8)
        # Every fifth SKU is a bare digit string with leading zeros, which must stay text.
        sku = f"{i:06d}" if i % 5 == 4 else f"{code}-{i:04d}-{rng.choice(('BK', 'WH', 'RD', 'BL'))}"
        price = local_money(Decimal(rng.randint(599, 8999)) / 100, m)
        products.append(Product(asin, parent, sku, "X00" + unique(i, salt_fn, 7), name, price, rng.random() < 0.7))
    return products


def hot_products(catalog: list[Product]) -> list[Product]:
    """The products that sell: orders draw from these, so the special names show up in order reports."""
    return catalog[: max(12, len(catalog) // 4)]
