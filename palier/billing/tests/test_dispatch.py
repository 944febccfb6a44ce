"""Approved invoices and reminders go out by mail with their PDF, through the worker."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from palier.billing.dispatch import do_send_invoice
from palier.billing.invoicing import do_approve_invoice, do_run_billing
from palier.billing.models import InvoiceDispatch
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.lib.errors import DomainError, NotAllowed
from palier.mailgateway.tests.conftest import smtp, smtp_server  # noqa: F401 (fixtures)


def approved(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    return draft, do_approve_invoice(draft, acting_user=world.manager)


# The worker's task and the SMTP delivery run after commit: a committing test. available_apps
# makes its flush TRUNCATE ... CASCADE; the fixture empties the search index it does not know.
@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
@pytest.mark.usefixtures("transactional_db_with_search")
def test_an_approved_invoice_is_mailed_with_its_pdf_in_the_customers_language(world, smtp):  # noqa: F811
    _draft, invoice = approved(world)
    dispatch = do_send_invoice(invoice, acting_user=world.manager, to_address="ap@alpenkaese.ch")
    dispatch.refresh_from_db()
    assert dispatch.language == "de" and dispatch.outbound is not None
    assert dispatch.outbound.state == "sent" and dispatch.outbound.kind == "invoice"
    [mail] = smtp.to("ap@alpenkaese.ch")
    [pdf] = [part for part in mail.iter_attachments()]
    assert pdf.get_filename() == f"{invoice.number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert invoice.number in mail["Subject"]
    html = mail.get_body(("html",)).get_content()
    assert 'lang="de"' in html and "CHF 200.00" in html


@pytest.mark.django_db
def test_a_draft_is_not_sent_and_only_managers_send(world):
    draft, _invoice = approved(world)
    other = open_ticket(world.customer_b, world.contact_b)
    accepted_estimate(other, world.consultant, world.contact_b)
    log(other, world.consultant, 30)
    today = timezone.localdate()
    [new_draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    with pytest.raises(DomainError):
        do_send_invoice(new_draft, acting_user=world.manager, to_address="x@example.com")
    with pytest.raises(NotAllowed):
        do_send_invoice(draft, acting_user=world.consultant, to_address="x@example.com")


@pytest.mark.django_db
def test_reminders_count_up_and_show_on_the_invoice_and_the_overdue_list(world):
    _draft, invoice = approved(world)
    type(invoice).objects.filter(pk=invoice.pk).update(paid=invoice.total)
    with pytest.raises(DomainError):  # nothing owed: no reminder
        do_send_invoice(
            invoice, acting_user=world.manager, to_address="a@example.com", reminder=True
        )
    type(invoice).objects.filter(pk=invoice.pk).update(paid=0)
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        client = Client()
        client.force_login(world.manager)
        overdue = client.get("/billing/invoices/overdue/").content.decode()
        assert invoice.number in overdue
        for _ in range(2):
            response = client.post(
                f"/billing/invoices/{invoice.pk}/send/reminder/", {"to_address": "a@example.com"}
            )
            assert response.status_code == 302
        levels = list(InvoiceDispatch.objects.values_list("kind", "level"))
        assert levels == [("reminder", 1), ("reminder", 2)]
        page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
        assert 'id="dispatches"' in page and "a@example.com" in page
