"""Swiss money, formatted the same in every language: CHF 1'234.50."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FIVE_CENTS = Decimal("0.05")
CENT = Decimal("0.01")


def round_to_five_cents(amount: Decimal) -> Decimal:
    return (
        (amount / FIVE_CENTS).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * FIVE_CENTS
    ).quantize(CENT)


def format_chf(amount: Decimal | int | str) -> str:
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    grouped = "'".join(groups)
    return f"CHF {sign}{grouped}.{cents}"
