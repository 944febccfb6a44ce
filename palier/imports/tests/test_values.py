"""Reading one cell: what is read as written, and what is a problem rather than a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from palier.imports.values import CellError, decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1'234.50", Decimal("1234.50")),
        ("1’234.50", Decimal("1234.50")),
        ("1234,5", Decimal("1234.50")),
        ("CHF 185", Decimal("185.00")),
        (180.5, Decimal("180.50")),
        (1000.0, Decimal("1000.00")),
    ],
)
def test_amounts_are_read_as_offices_write_them(raw, expected):
    assert decimal(raw) == expected


@pytest.mark.parametrize("raw", ["180.129", 180.129, "0.001"])
def test_an_amount_with_more_decimals_than_kept_is_a_problem_not_rounded(raw):
    with pytest.raises(CellError, match="At most 2 decimals"):
        decimal(raw)


@pytest.mark.parametrize("raw", ["1e3", "1E3", "2.5e-1", "inf", "-Infinity", "nan", "NaN", "sNaN"])
def test_scientific_notation_infinity_and_nan_are_not_numbers(raw):
    with pytest.raises(CellError, match="is not a number"):
        decimal(raw)
