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
