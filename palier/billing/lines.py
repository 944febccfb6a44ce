"""What an invoice line bills: worked minutes counted in the billing unit, so that the
quantity times the rate is the amount, and the rounding shown where it happens.

The unit (conf.billing_unit) is minute, 0.05 h, 0.1 h or 0.25 h. Worked minutes become
whole steps of the unit (a started step counts by default, conf.billing_rounding); in hour
steps the quantity is exact to the hundredth, so 6.70 h × CHF 185.00 = CHF 1'239.50 on the
dot. Counted in minutes, 400 min × CHF 185.00 / h = CHF 1'233.3333…, billed CHF 1'233.33:
the line says so. Totals round to CHF 0.05 once, on a line of their own (invoicing.totals).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from palier.billing import conf
from palier.lib.money import CENT, format_chf

EXACT = Decimal("0.0001")


def billed_minutes(minutes: int, unit: str, rounding: str) -> int:
    """Worked minutes as whole steps of the unit, in minutes."""
    step = conf.BILLING_UNITS[unit]
    if rounding == "up":
        steps = math.ceil(minutes / step)
    else:
        steps = int((Decimal(minutes) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return steps * step


def quantity(minutes: int, unit: str) -> Decimal:
    """Billed minutes in the unit's own terms: minutes, or hours to the hundredth."""
    if unit == "minute":
        return Decimal(minutes)
    return (Decimal(minutes) / 60).quantize(CENT)


def activity_row(activity: str, minutes: int, rate: Decimal, unit: str, rounding: str) -> dict:
    """One activity of a line at one rate: quantity × rate = amount, the cent rounding kept."""
    billed = billed_minutes(minutes, unit, rounding)
    exact = Decimal(billed) * rate / 60
    amount = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    shown = exact.quantize(EXACT, rounding=ROUND_HALF_UP)
    return {
        "activity": activity,
        "minutes": minutes,  # worked
        "billed_minutes": billed,
        "unit": unit,
        "rounding": rounding,
        "quantity": str(quantity(billed, unit)),
        "hours": str((Decimal(billed) / 60).quantize(CENT)),
        "rate": str(rate),
        "amount": str(amount),
        # Set when the amount is rounded to the cent: the exact product, "…" if it goes on.
        "exact_amount": "" if exact == amount else str(shown.normalize()),
        "exact_repeats": exact != shown,
    }


def quantity_label(row: dict) -> str:
    """6.70 h or 400 min: the line's quantity with its unit."""
    if row.get("unit") == "minute":
        return f"{row['quantity']} min"
    return f"{row.get('quantity') or row.get('hours')} h"


def exact_label(row: dict) -> str:
    """CHF 1'233.3333… : the exact product before rounding to the cent; empty if none."""
    exact = row.get("exact_amount")
    if not exact:
        return ""
    value = Decimal(exact)
    whole = format_chf(value.to_integral_value(rounding="ROUND_DOWN"))[:-3]  # CHF 1'233
    digits = f"{abs(value - int(value)):f}"[1:] if value != int(value) else ""
    return f"{whole}{digits}{'…' if row.get('exact_repeats') else ''}"


def step_label(unit: str) -> str:
    return {"minute": "1 min", "0.05h": "0.05 h", "0.1h": "0.1 h", "0.25h": "0.25 h"}[unit]
