"""A customer or a person without a language reads billing's mails and PDFs in the desk's
(LANGUAGE_CODE, tickets.queries.customer_language), not in a literal English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from palier.accounts.models import User
from palier.billing import pdf as pdf_module
from palier.billing.dispatch import do_send_invoice
from palier.billing.invoicing import do_approve_invoice, do_run_billing
from palier.billing.tasks import send_prepaid_alert
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.customers.models import Customer


def approved(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    return do_approve_invoice(draft, acting_user=world.manager)


@pytest.mark.django_db
def test_an_invoice_to_a_customer_without_a_language_goes_out_in_the_desks(world, settings):
    invoice = approved(world)
    settings.LANGUAGE_CODE = "fr"
    Customer.objects.filter(pk=world.customer_a.pk).update(language="")
    invoice.customer.refresh_from_db()
    dispatch = do_send_invoice(invoice, acting_user=world.manager, to_address="ap@example.ch")
    assert dispatch.language == "fr"


@pytest.mark.django_db
def test_its_pdf_is_written_in_the_desks_language(world, settings, monkeypatch):
    invoice = approved(world)
    settings.LANGUAGE_CODE = "it"
    Customer.objects.filter(pk=world.customer_a.pk).update(language="")
    invoice.customer.refresh_from_db()
    seen = []
    header = pdf_module._header
    monkeypatch.setattr(
        pdf_module,
        "_header",
        lambda *a, **kw: (seen.append(translation.get_language()), header(*a, **kw))[1],
    )
    assert pdf_module.invoice_pdf(invoice).startswith(b"%PDF")
    assert seen == ["it"]


@pytest.mark.django_db
def test_a_prepaid_alert_to_a_person_without_a_language_is_in_the_desks(world, settings):
    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal("10")
    contract.save()
    settings.LANGUAGE_CODE = "de"
    User.objects.filter(pk=world.admin_a.pk).update(language="")
    send_prepaid_alert.call(contract.pk, 80)
    [alert] = [m for m in mail.outbox if world.admin_a.email in m.to]
    assert alert.subject.startswith("Prepaid-Consulting-Stunden")


@pytest.mark.django_db
def test_the_qr_bills_payment_part_is_in_the_invoices_language_else_the_desks(world, settings):
    """A language the QR-bill does not know fell back to a literal English, not the desk's."""
    invoice = approved(world)
    settings.LANGUAGE_CODE = "it"
    assert pdf_module.qr_bill(invoice, "fr").language == "fr"
    assert pdf_module.qr_bill(invoice, "de-ch").language == "de"
    assert pdf_module.qr_bill(invoice, "rm").language == "it"
    settings.LANGUAGE_CODE = "rm"  # neither is one of the standard's four: its own English
    assert pdf_module.qr_bill(invoice, "rm").language == "en"
