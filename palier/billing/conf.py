"""Billing settings, read when used (never at import) with defaults that run a demo desk.

Override any of them in the Django settings: PALIER_BILLING_VAT_RATE, PALIER_BILLING_MARGIN,
PALIER_BILLING_DEFAULT_RATES, PALIER_BILLING_LINK_MAX_AGE, PALIER_BILLING_CREDITOR.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

DEFAULT_CREDITOR = {
    "name": "Palier Software SA",
    "street": "Rue du Marché",
    "house_num": "12",
    "pcode": "1204",
    "city": "Genève",
    "country": "CH",
    # A demo QR-IBAN (valid check digits, QR-IID 30808): replace it in production.
    "iban": "CH4431999123000889012",
}


def vat_rate() -> Decimal:
    return Decimal(str(getattr(settings, "PALIER_BILLING_VAT_RATE", "0.081")))


def over_estimate_margin() -> Decimal:
    """How far billable time may go past the accepted estimates before a new consent."""
    return Decimal(str(getattr(settings, "PALIER_BILLING_MARGIN", "0.10")))


def default_rates() -> dict[str, Decimal]:
    """CHF per hour by activity when a contract names no rate for it (see rates.rate_for)."""
    raw = getattr(settings, "PALIER_BILLING_DEFAULT_RATES", {})
    return {activity: Decimal(str(rate)) for activity, rate in raw.items()}


def consent_link_max_age() -> int:
    """Seconds a signed accept/decline link stays valid (14 days by default)."""
    return int(getattr(settings, "PALIER_BILLING_LINK_MAX_AGE", 14 * 24 * 3600))


def creditor() -> dict[str, str]:
    return {**DEFAULT_CREDITOR, **getattr(settings, "PALIER_BILLING_CREDITOR", {})}


def prepaid_alert_thresholds() -> tuple[int, ...]:
    return (80, 100)


def payment_days() -> int:
    """Days from an invoice's issue to its due date (PALIER_BILLING_PAYMENT_DAYS)."""
    return int(getattr(settings, "PALIER_BILLING_PAYMENT_DAYS", 30))


# The vendor's UID (Swiss business identification number) under which it is registered
# for VAT; a demo number with a valid check digit: replace it in production.
DEFAULT_VAT_NUMBER = "CHE-109.156.749"

# How billed time is counted: minutes per step of the billing unit.
BILLING_UNITS = {"minute": 1, "0.05h": 3, "0.1h": 6, "0.25h": 15}


def vat_number() -> str:
    """The vendor's UID as CHE-123.456.789 (PALIER_BILLING_VAT_NUMBER; the suffix MWST,
    TVA or IVA is added per language where it is printed)."""
    from stdnum.ch import uid

    raw = str(getattr(settings, "PALIER_BILLING_VAT_NUMBER", "") or DEFAULT_VAT_NUMBER)
    for suffix in ("MWST", "TVA", "IVA", "TPV", "VAT"):
        raw = raw.strip().removesuffix(suffix)
    return uid.format(uid.validate(raw))


def billing_unit() -> str:
    """minute, 0.05h, 0.1h or 0.25h (PALIER_BILLING_UNIT)."""
    unit = str(getattr(settings, "PALIER_BILLING_UNIT", "0.05h"))
    if unit not in BILLING_UNITS:
        raise ValueError(f"PALIER_BILLING_UNIT must be one of {', '.join(BILLING_UNITS)}")
    return unit


def billing_rounding() -> str:
    """up (a started step is billed, the default) or nearest (PALIER_BILLING_ROUNDING)."""
    mode = str(getattr(settings, "PALIER_BILLING_ROUNDING", "up"))
    if mode not in ("up", "nearest"):
        raise ValueError("PALIER_BILLING_ROUNDING must be up or nearest")
    return mode
