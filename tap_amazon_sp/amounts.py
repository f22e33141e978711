"""Amounts as marketplaces write them: `95,00` and `1.234,56` in Germany, `-128.00` in the US.

Amazon writes settlement amounts in the marketplace's number format (Add. §1) and does not document
thousands separators. One document uses one format, so a reader is made per document: what a value
shows unambiguously decides the document's decimal separator (`12,50`: a comma followed by two
digits is no thousands separator; `1.234,56`: the last separator is the decimal one); until a value
has shown it, the marketplace's own separator reads the ambiguous ones (`1.234` is 1234 in Germany,
1.234 in the US). A value that contradicts what the document has shown is not read at all: the
caller keeps it as text (`unparsed_values`) rather than guess.
"""

from __future__ import annotations

import re
from decimal import Decimal

_SIGNED = re.compile(r"([-+]?)([0-9][0-9., ]*[0-9]|[0-9])$")
_DIGITS = re.compile(r"[0-9]+$")
# Digits grouped by each separator: a lead of one to three digits, then groups of three (or of two
# before the last group of three, as India writes 1,23,456).
_GROUPED = {
    separator: re.compile(rf"[0-9]{{1,3}}(?:{re.escape(separator)}[0-9]{{2,3}})*{re.escape(separator)}[0-9]{{3}}")
    for separator in (".", ",", " ")
}
# Spaces Amazon may group thousands with (France and Sweden write 1 234,56); never a decimal mark.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _grouped(integer: str, separator: str) -> bool:
    """Whether `integer` is digits grouped by `separator` in thousands (or Indian lakhs)."""
    return _GROUPED[separator].fullmatch(integer) is not None


class AmountReader:
    """Reads the amounts of one document; `decimal` is the marketplace's decimal separator."""

    def __init__(self, decimal: str = ".") -> None:
        if decimal not in ".,":
            raise ValueError(f"decimal separator {decimal!r}")
        self.default = decimal
        self.shown: str | None = None  # the separator this document's values have shown
        self._guesses = 0  # ambiguous values read with the marketplace's separator, before it showed
        # Of those, the ones read before the document showed the other separator: maybe misread.
        self.doubtful = 0

    def __call__(self, raw: str) -> Decimal:
        """The amount, or ValueError when it is not one or contradicts the document's format."""
        match = _SIGNED.match(raw.strip().translate(_SPACES))
        if match is None:
            raise ValueError(raw)
        sign, body = match.groups()
        decimal, ambiguous = self._decimal_of(body)
        shows = decimal is not None and not ambiguous
        if shows and self.shown is not None and decimal != self.shown:
            raise ValueError(f"{raw!r} does not use this document's decimal separator {self.shown!r}")
        if ambiguous:
            decimal = self.shown or self.default
            self._guesses += self.shown is None
        integer, _, fraction = body.rpartition(decimal) if decimal and decimal in body else (body, "", "")
        for thousands in (" ", "," if decimal == "." else "."):
            if thousands in integer:
                if not _grouped(integer, thousands):
                    raise ValueError(raw)
                integer = integer.replace(thousands, "")
        if not _DIGITS.match(integer) or (fraction and not _DIGITS.match(fraction)):
            raise ValueError(raw)
        if shows and self.shown is None:
            self.shown = decimal  # only a value that was read whole teaches the document's format
            self.doubtful = self._guesses if decimal != self.default else 0
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")

    @staticmethod
    def _decimal_of(body: str) -> tuple[str | None, bool]:
        """The decimal separator `body` shows (None: it has none), and whether that is a guess."""
        points, commas = body.count("."), body.count(",")
        if points and commas:
            return ("." if body.rfind(".") > body.rfind(",") else ","), False
        if not points and not commas:
            return None, False
        separator = "." if points else ","
        if points + commas > 1:
            # Several of one kind can only be thousands: the decimal separator is the other one.
            return ("," if separator == "." else "."), False
        integer, _, fraction = body.partition(separator)
        if len(fraction) != 3 or not integer or len(integer) > 3 or integer == "0":
            # Not three digits after it, or no lead a thousands group could have: a decimal mark.
            return separator, False
        return separator, True  # `1.234`: a thousands group or three decimals; the format decides
