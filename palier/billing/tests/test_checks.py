from palier.billing.checks import check_billing_settings


def test_the_demo_defaults_pass_the_checks():
    assert check_billing_settings(None) == []


def test_a_bad_iban_or_vat_rate_is_a_system_error(settings):
    settings.PALIER_BILLING_CREDITOR = {"iban": "CH00 1234"}
    settings.PALIER_BILLING_VAT_RATE = "8.1"
    ids = {e.id for e in check_billing_settings(None)}
    assert ids == {"palier.E102", "palier.E105"}


def test_a_rate_that_is_no_number_is_a_system_error(settings):
    settings.PALIER_BILLING_MARGIN = "ten percent"
    assert [e.id for e in check_billing_settings(None)] == ["palier.E101"]


def test_a_vat_number_with_a_wrong_check_digit_is_a_system_error(settings):
    from palier.billing import conf

    settings.PALIER_BILLING_VAT_NUMBER = "CHE-109.156.745 MWST"
    assert [e.id for e in check_billing_settings(None)] == ["palier.E106"]
    settings.PALIER_BILLING_VAT_NUMBER = "CHE109156749 TVA"
    assert check_billing_settings(None) == []
    assert conf.vat_number() == "CHE-109.156.749"  # written one way whatever was typed


def test_an_unknown_billing_unit_is_a_system_error(settings):
    settings.PALIER_BILLING_UNIT = "0.5h"
    assert [e.id for e in check_billing_settings(None)] == ["palier.E107"]


def test_an_account_iban_that_is_no_iban_is_a_system_error(settings):
    settings.PALIER_BILLING_BANK_IBANS = [
        "CH93 0076 2011 6238 5295 7",
        "CH93 0076 2011 6238 5295 8",
    ]
    [error] = check_billing_settings(None)
    assert error.id == "palier.E108" and "5295 8" in error.msg
