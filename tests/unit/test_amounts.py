"""Amounts in a marketplace's number format (settlement V2): what a document shows decides, never a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tap_amazon_sp.amounts import AmountReader


def read_all(decimal: str, values: list[str]) -> list[Decimal | None]:
    """One document's values read in order; None where the reader refuses one."""
    reader = AmountReader(decimal)
    found: list[Decimal | None] = []
    for value in values:
        try:
            found.append(reader(value))
        except ValueError:
            found.append(None)
    return found


@pytest.mark.parametrize(
    ("decimal", "values", "want"),
    [
        # Germany: decimal comma, thousands point.
        (
            ",",
            ["95,00", "1.234,56", "-1.234,56", "1234", "1.234", "0,123", "1 234,56"],
            ["95.00", "1234.56", "-1234.56", "1234", "1234", "0.123", "1234.56"],
        ),
        # The US: decimal point, thousands comma (and India's lakhs).
        (
            ".",
            ["-128.00", "1,234.56", "1,234", "1.234", "1,23,456.78"],
            ["-128.00", "1234.56", "1234", "1.234", "123456.78"],
        ),
        # A document showing the other format than its marketplace's: it wins, then holds.
        (",", ["12.50", "1.234", "1,234.56"], ["12.50", "1.234", "1234.56"]),
        (".", ["12,50", "1.234", "1,234"], ["12.50", "1234", "1.234"]),
    ],
)
def test_amounts_are_read_in_the_documents_number_format(decimal: str, values: list[str], want: list[str]):
    assert read_all(decimal, values) == [Decimal(w) for w in want]


@pytest.mark.parametrize(
    ("decimal", "values"),
    [
        # Once a document has shown point decimals, 1.234,56 is not 1.234 nor anything else.
        (".", ["12.50", "1.234,56"]),
        (",", ["12,50", "1,234.56"]),
        (",", ["12,50", "12.50"]),
    ],
)
def test_an_amount_contradicting_the_documents_format_is_refused(decimal: str, values: list[str]):
    assert read_all(decimal, values)[-1] is None


@pytest.mark.parametrize("value", ["", "abc", "12 34", "1,2,3", "1.234.56", "--1", "1..2", "12,5.00", "1.2,3", "∞"])
def test_what_is_not_an_amount_is_refused(value: str):
    assert read_all(".", [value]) == [None]
    assert read_all(",", [value]) == [None]


def test_a_refused_value_teaches_the_document_nothing():
    reader = AmountReader(",")
    with pytest.raises(ValueError):
        reader("1,2,3")
    assert reader.shown is None
    assert reader("1.234") == Decimal(1234)


def test_ambiguous_amounts_read_before_the_document_showed_another_format_are_counted():
    reader = AmountReader(",")
    assert reader("1.234") == Decimal(1234)
    assert reader("5.50") == Decimal("5.50")
    assert reader.doubtful == 1


def _written(value: Decimal, decimal: str, grouped: bool) -> str:
    sign, digits = ("-", str(-value)) if value < 0 else ("", str(value))
    integer, _, fraction = digits.partition(".")
    if grouped:
        thousands = "." if decimal == "," else ","
        groups: list[str] = []
        while len(integer) > 3:
            integer, groups = integer[:-3], [integer[-3:], *groups]
        integer = thousands.join([integer, *groups])
    return f"{sign}{integer}{decimal}{fraction}"


@given(
    st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False), min_size=1, max_size=30),
    st.sampled_from([".", ","]),
    st.sampled_from([".", ","]),
    st.booleans(),
)
def test_any_two_decimal_document_reads_back_exactly_whatever_the_marketplace_says(
    amounts: list[Decimal], written: str, marketplace: str, grouped: bool
):
    # Amounts of a two-decimal currency always show their decimal mark: the marketplace's default
    # never decides, so a document reads right even where it is not the marketplace's format.
    assert read_all(marketplace, [_written(a, written, grouped) for a in amounts]) == amounts
