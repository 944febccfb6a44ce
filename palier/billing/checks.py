"""System checks: a misconfigured billing setting stops `manage.py check`, not an invoice."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core import checks

SAMPLE_REFERENCE = "000000000000000000000000011"  # 1 with its check digit


@checks.register()
def check_billing_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from qrbill import QRBill

    from palier.billing import conf

    errors: list[checks.CheckMessage] = []
    try:
        vat = conf.vat_rate()
        margin = conf.over_estimate_margin()
        rates = conf.default_rates()
    except (InvalidOperation, ValueError, TypeError, AttributeError):
        return [
            checks.Error(
                "A billing rate setting is not a number.",
                id="palier.E101",
                hint="PALIER_BILLING_VAT_RATE, _MARGIN and _DEFAULT_RATES take "
                "decimals such as '0.081'.",
            )
        ]
    if not Decimal("0") <= vat < Decimal("1"):
        errors.append(
            checks.Error(
                "PALIER_BILLING_VAT_RATE must be a fraction, e.g. 0.081.", id="palier.E102"
            )
        )
    if margin < 0:
        errors.append(checks.Error("PALIER_BILLING_MARGIN cannot be negative.", id="palier.E103"))
    if any(rate < 0 for rate in rates.values()):
        errors.append(checks.Error("A default rate is negative.", id="palier.E104"))
    try:
        conf.vat_number()
    except Exception as exc:  # stdnum raises ValidationError subclasses with the reason
        errors.append(
            checks.Error(
                f"PALIER_BILLING_VAT_NUMBER is not a valid Swiss UID: {exc}",
                id="palier.E106",
                hint="Write it as CHE-123.456.789 (the last digit is a check digit).",
            )
        )
    try:
        conf.billing_unit()
        conf.billing_rounding()
        if conf.payment_days() < 0:
            raise ValueError("PALIER_BILLING_PAYMENT_DAYS cannot be negative")
    except ValueError as exc:
        errors.append(checks.Error(str(exc), id="palier.E107"))
    creditor = conf.creditor()
    try:
        QRBill(
            account=creditor["iban"],
            creditor={k: v for k, v in creditor.items() if k != "iban"},
            reference_number=SAMPLE_REFERENCE,
        )
    except Exception as exc:  # qrbill raises ValueError subclasses with the reason
        errors.append(
            checks.Error(
                f"The creditor of the QR-bill is not usable: {exc}",
                id="palier.E105",
                hint="Set PALIER_BILLING_CREDITOR to your name, address and QR-IBAN.",
            )
        )
    errors.extend(_check_bank_ibans())
    return errors


def _check_bank_ibans() -> list[checks.CheckMessage]:
    """The account's other IBANs, which bank files may report on (payments.accepted_accounts)."""
    from django.conf import settings
    from stdnum import iban

    errors: list[checks.CheckMessage] = []
    for value in getattr(settings, "PALIER_BILLING_BANK_IBANS", []):
        if not iban.is_valid(str(value)):
            errors.append(
                checks.Error(
                    f"PALIER_BANK_IBANS holds {value!r}, which is no valid IBAN.",
                    id="palier.E108",
                    hint="List the IBANs of the account QR-bills are paid into, "
                    "separated by commas (CH93 0076 2011 6238 5295 7).",
                )
            )
    return errors
