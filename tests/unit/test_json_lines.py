"""Data Kiosk's JSON Lines documents (`formats.JsonLines`): the records they make, the same as the
generic typing of JSON report values (`records.fitted_json` over snake-cased keys) whatever a line holds."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_amazon_sp.datakiosk_streams import EconomicsStream
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.formats import LEFTOVER_PROPERTIES, dataset_format
from tap_amazon_sp.records import EXTRA_COLUMNS, UNPARSED_VALUES, fitted_json, snake_keys

PROPERTIES: dict[str, Any] = EconomicsStream.schema["properties"]  # type: ignore[index]
OWN = {k: v for k, v in PROPERTIES.items() if k not in LEFTOVER_PROPERTIES and k != "account_id"}
DESCRIBE = "data_kiosk_economics US query 7"


@dataclass
class Lines:
    data: bytes
    charset: str | None = None
    describe: str = DESCRIBE
    records: int = 0

    def __iter__(self) -> Iterator[bytes]:
        for at in range(0, len(self.data), 5):
            yield self.data[at : at + 5]


def read(*items: Any) -> list[dict[str, Any]]:
    body = "".join(json.dumps(item) + "\n" for item in items).encode()
    source = Lines(body)
    records = list(
        dataset_format(PROPERTIES).read(source, marketplace_id="X", report_id="7", logger=logging.getLogger())
    )
    assert source.records == len(records)
    return records


def generic(item: dict[str, Any]) -> dict[str, Any]:
    """What the generic typing makes of a line, read as the format reads it (decimals exact)."""
    item = json.loads(json.dumps(item), parse_float=Decimal)
    record = {**dict.fromkeys(k for k in PROPERTIES if k not in LEFTOVER_PROPERTIES), **snake_keys(item)}
    unknown = [k for k in record if k not in PROPERTIES]
    if unknown:
        record[EXTRA_COLUMNS] = {k: record.pop(k) for k in unknown}
    unparsed: dict[str, str] = {}
    for name, value in record.items():
        if value is not None and name not in LEFTOVER_PROPERTIES:
            record[name] = fitted_json(value, PROPERTIES[name], name, unparsed)
    if unparsed:
        record[UNPARSED_VALUES] = unparsed
    return record


LINE = {
    "startDate": "2026-11-01",
    "childAsin": "B0C",
    "msku": "SKU-1",
    "sales": {"netUnitsSold": 8, "orderedProductSales": {"amount": 110.25, "currencyCode": "USD"}},
    "fees": [{"feeTypeName": "Referral fees", "charges": [{"aggregatedDetail": {"quantity": 2.5}}]}],
    "netProceeds": {"total": {"amount": 33.6, "currencyCode": "USD"}},
}


def test_a_line_is_one_record_snake_cased_with_exact_amounts():
    (record,) = read(LINE)
    assert record["child_asin"] == "B0C" and record["start_date"] == "2026-11-01"
    assert record["sales"]["ordered_product_sales"] == {"amount": Decimal("110.25"), "currency_code": "USD"}
    assert record["fees"][0]["charges"][0]["aggregated_detail"]["quantity"] == Decimal("2.5")
    assert record["ads"] is None and UNPARSED_VALUES not in record
    assert record == generic(LINE)


def test_values_of_the_wrong_type_are_typed_or_kept_aside_as_the_generic_typing_does():
    odd = {
        **LINE,
        "sales": {"netUnitsSold": "8", "unitsOrdered": 2.5, "orderedProductSales": {"amount": {"x": 1}}},
        "startDate": "yesterday",
        "newField": {"someKey": 1},
        "fees": {"not": "a list"},
    }
    (record,) = read(odd)
    assert record == generic(odd)
    assert record[EXTRA_COLUMNS] == {"new_field": {"some_key": 1}}
    assert set(record[UNPARSED_VALUES]) == {
        "start_date",
        "sales.units_ordered",
        "sales.ordered_product_sales.amount",
        "fees",
    }


def test_a_line_that_is_not_a_json_object_names_the_line():
    with pytest.raises(DocumentError, match=f"{DESCRIBE}: line 2 is not a JSON object"):
        read(LINE, [1, 2])


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["amount", "currencyCode", "total", "perUnit", "charge", "x"]), inner, max_size=3
        ),
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(["startDate", "msku", "sales", "fees", "ads", "cost", "netProceeds", "newField", "childAsin"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_line_makes_the_record_the_generic_typing_makes(item: dict[str, Any]) -> None:
    assert read(item) == [generic(item)]
