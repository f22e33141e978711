"""Words, people, places and fulfilment centres per language family (en, eu, ja) and country.

Every EU product name carries "—" (cp1252 0x97) and every JP name a cp932-only character, so any
document with a product name exercises the marketplace's charset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.spapi_simulator.rendering import Marketplace


@dataclass(frozen=True)
class Vocab:
    nouns: tuple[tuple[str, str], ...]  # (name, sku code)
    adjectives: tuple[str, ...]
    variants: tuple[str, ...]
    specials: tuple[str, ...]  # the first catalog items, so listings always contain them
    people: tuple[str, ...]
    street: tuple[str, ...]
    street2: tuple[str | None, ...]
    phone: str
    carriers: tuple[str, ...]
    comments: tuple[str | None, ...]
    item_notes: tuple[str, ...]
    description: str
    shipping_group: str
    fee_reason: str
    reimbursement: str  # a settlement V2 amount description in the marketplace's language
    roots: tuple[str, ...]
    categories: tuple[str, ...]


_BEST_MUG = '"Best" Mug 12"'  # starts with a quote and contains quotes: flat files are not CSV-quoted

VOCAB: dict[str, Vocab] = {
    "en": Vocab(
        nouns=(
            ("Coffee Mug", "MUG"),
            ("Water Bottle", "BTL"),
            ("Yoga Mat", "YGM"),
            ("Desk Lamp", "LMP"),
            ("Phone Case", "CSE"),
            ("Notebook", "NTB"),
            ("Backpack", "BPK"),
            ("Tea Kettle", "KTL"),
            ("Cutting Board", "CBD"),
            ("Throw Pillow", "PLW"),
        ),
        adjectives=("Stainless Steel", "Bamboo", "Ceramic", "Insulated", "Compact", "Deluxe", "Eco-Friendly"),
        variants=("12 oz", "Black", "2-Pack", "Large", "Blue/Gray", "500 ml", "Set of 4"),
        specials=("Crème Brûlée Torch™ – Refillable", _BEST_MUG),
        people=("Jane Doe", "John O'Neil", "María García", "Li Wei", "Sam Smith"),
        street=("123 Main St", "45 Elm Street", "9 Ocean Ave", "1600 Pine Rd"),
        street2=(None, None, "Apt 2B", "Suite 100"),
        phone="+1 206-555-0{:03d}",
        carriers=("UPS", "USPS", "AMZN_US", "FedEx"),
        comments=(None, None, "Too small.", 'Said "fits all" but did not', "Arrived late; box crushed"),
        item_notes=("Brand new in box", "Slight dent on lid", "Gift wrap available"),
        description="Dishwasher safe. Ships in 1–2 days.",
        shipping_group="Migrated Template",
        fee_reason="Storage Fee",
        reimbursement="Lost in warehouse – reimbursed",
        roots=("Home & Kitchen", "Sports & Outdoors", "Office Products"),
        categories=(
            "Kitchen & Dining",
            "Coffee, Tea & Espresso",
            "Mugs",
            "Water Bottles",
            "Yoga",
            "Lamps & Shades",
            "Storage & Organization",
            "Bedding",
            "Cookware",
            "Notebooks & Writing Pads",
            "Travel Mugs",
        ),
    ),
    "eu": Vocab(
        nouns=(
            ("Kaffeebecher", "KFB"),
            ("Trinkflasche", "TFL"),
            ("Yogamatte", "YGM"),
            ("Schreibtischlampe", "LMP"),
            ("Handyhülle", "HHL"),
            ("Notizbuch", "NTB"),
            ("Rucksack", "RCK"),
            ("Wasserkocher", "WKO"),
            ("Schneidebrett", "SBR"),
            ("Kissenbezug", "KSB"),
        ),
        adjectives=("aus Edelstahl", "aus Bambus", "für Büro & Küche", "Größe L", "spülmaschinenfest"),
        variants=("350 ml", "Schwarz", "2er-Pack", "Crème", "Œko-Edition", "Sparset 12,99 €"),
        specials=("Geschenkgutschein 25 € — Œuvre Müller", _BEST_MUG),
        people=("Jürgen Müller", "Zoë Dupont", "Chloé Martin", "Søren Berg", "José Núñez"),
        street=("Hauptstraße 5", "12 rue de l'Église", "Via Roma 1", "Calle Mayor 3"),
        street2=(None, None, "2. OG", "Bâtiment B"),
        phone="+49 30 1234{:03d}",
        carriers=("DHL", "DPD", "Royal Mail", "Hermes"),
        comments=(
            None,
            None,
            "Farbe entspricht nicht der Abbildung — zu dunkel",
            "Qualité médiocre",
            "Œffnung undicht, Deckel kaputt",
        ),
        item_notes=("Neu & originalverpackt", "Kleine Delle am Deckel — voll funktionsfähig", "Geschenkbox für 2 €"),
        description="Spülmaschinenfest — Lieferung in 1–2 Tagen.",
        shipping_group="Standardvorlage für Amazon",
        fee_reason="Lagergebühr — Januar",
        reimbursement="Im Lager verloren — erstattet (Œ)",
        roots=("Küche, Haushalt & Wohnen", "Sport & Freizeit", "Bürobedarf & Schreibwaren"),
        categories=(
            "Kaffee- & Teezubehör",
            "Tassen & Becher",
            "Trinkflaschen",
            "Yoga-Matten",
            "Lampen",
            "Aufbewahrung",
            "Bettwäsche",
            "Töpfe & Pfannen",
            "Crêpe-Pfannen",
            "Notizbücher",
        ),
    ),
    "ja": Vocab(
        nouns=(
            ("ステンレス マグカップ", "MUG"),
            ("ウォーターボトル", "BTL"),
            ("ヨガマット 厚手", "YGM"),
            ("デスクライト", "LMP"),
            ("スマホケース", "CSE"),
            ("ノート", "NTB"),
            ("リュックサック", "BPK"),
            ("電気ケトル", "KTL"),
            ("竹製 まな板", "CBD"),
            ("クッションカバー", "PLW"),
        ),
        adjectives=("髙品質", "ﾃｽﾄ用", "業務用", "北欧風", "軽量"),
        variants=("①", "② 黒", "③ 350ml", "～限定～", "ﾌﾞﾙｰ ④", "⑤ 2個セット"),
        specials=("髙島屋 ﾃｽﾄ ① マグ～限定～", _BEST_MUG),
        people=("山田 太郎", "髙橋 花子", "ﾔﾏﾀﾞ ﾀﾛｳ", "鈴木 一郎"),
        street=("神南1-2-3", "北1条西2丁目", "梅田3-1-1"),
        street2=(None, None, "ﾃｽﾄﾋﾞﾙ 5F", "髙木マンション 101号室"),
        phone="03-1234-5{:03d}",
        carriers=("ヤマト運輸", "日本郵便", "佐川急便"),
        comments=(None, None, "サイズが合わない～", "色が違う①", "箱が潰れていた"),
        item_notes=("新品・未開封", "箱に小さな傷あり①", "ギフト包装可～"),
        description="食洗機対応～ 1～2日で発送",
        shipping_group="Amazonテンプレート",
        fee_reason="在庫保管手数料",
        reimbursement="倉庫内紛失① 補填～髙",
        roots=("ホーム&キッチン", "スポーツ&アウトドア", "文房具・オフィス用品"),
        categories=(
            "キッチン用品・食器",
            "マグカップ",
            "水筒",
            "ヨガマット",
            "照明",
            "収納用品",
            "寝具",
            "鍋・フライパン",
            "ノート①",
            "髙級食器",
        ),
    ),
}


def product_name(family: str, v: Vocab, rng: random.Random, noun: str) -> str:
    adj, variant = rng.choice(v.adjectives), rng.choice(v.variants)
    if family == "en":
        return f"{adj} {noun}, {variant}"
    if family == "eu":
        return f"{noun} {adj} — {variant}"
    return f"{adj} {noun} {variant}"


# (city, state or None, postal code). Leading-zero postal codes on purpose.
CITIES: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "US": (
        ("Boston", "MA", "02134"),
        ("Springfield", "MA", "01103"),
        ("Newark", "NJ", "07102"),
        ("Seattle", "WA", "98101"),
        ("Austin", "TX", "78701"),
        ("Portland", "ME", "04101"),
    ),
    "CA": (("Toronto", "ON", "M5V 2T6"), ("Montréal", "QC", "H2X 1Y4"), ("Vancouver", "BC", "V6B 1A1")),
    "MX": (("Ciudad de México", "CDMX", "06700"), ("Guadalajara", "JAL", "44100"), ("Monterrey", "NL", "64000")),
    "BR": (("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-002")),
    "UK": (
        ("London", None, "SW1A 1AA"),
        ("Manchester", "Greater Manchester", "M1 1AE"),
        ("Edinburgh", None, "EH1 1YZ"),
    ),
    "DE": (
        ("München", "Bayern", "80331"),
        ("Dresden", "Sachsen", "01067"),
        ("Köln", "Nordrhein-Westfalen", "50667"),
        ("Düsseldorf", None, "40213"),
    ),
    "FR": (("Paris", None, "75001"), ("Orléans", "Loiret", "45000"), ("Bourg-en-Bresse", "Ain", "01000")),
    "IT": (("Milano", "MI", "20121"), ("Torino", "TO", "10121"), ("Cagliari", "CA", "09124")),
    "ES": (("Madrid", "Madrid", "28001"), ("Barcelona", "Barcelona", "08001"), ("Málaga", "Málaga", "29001")),
    "NL": (("Amsterdam", "Noord-Holland", "1012 AB"),),
    "SE": (("Stockholm", None, "111 52"), ("Göteborg", None, "411 03")),
    "PL": (("Warszawa", "mazowieckie", "00-001"), ("Krakow", "malopolskie", "30-001")),
    "BE": (("Bruxelles", None, "1000"), ("Liège", None, "4000")),
    "IE": (("Dublin", "Co. Dublin", "D02 X285"),),
    "TR": (("Istanbul", None, "34000"),),
    "EG": (("Cairo", None, "11511"),),
    "SA": (("Riyadh", None, "11564"),),
    "AE": (("Dubai", None, "00000"),),
    "IN": (("Mumbai", "Maharashtra", "400001"), ("New Delhi", "Delhi", "110001")),
    "ZA": (("Cape Town", "Western Cape", "8001"), ("Pretoria", "Gauteng", "0002")),
    "JP": (("渋谷区", "東京都", "150-0001"), ("札幌市中央区", "北海道", "060-0001"), ("髙松市", "香川県", "760-0001")),
    "AU": (("Sydney", "NSW", "2000"), ("Darwin", "NT", "0800")),
    "SG": (("Singapore", None, "018956"),),
}

_CENTERS = {
    "NA": ("PHX7", "SEA8", "BFI4", "ONT8"),
    "EU": ("FRA3", "LEJ1", "MUC3", "BHX4", "ORY1"),
    "JP": ("NRT5", "KIX2", "HND3"),
    "FE": ("SYD1", "MEL1", "SIN8"),
}


def centers(m: Marketplace) -> tuple[str, ...]:
    return _CENTERS["JP" if m.code == "JP" else m.region]
