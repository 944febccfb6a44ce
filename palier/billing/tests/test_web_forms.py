"""The billing screens' forms: ISO dates in every language, a confirmation before an
irreversible action, labelled fields, people by name."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from palier.billing.invoicing import do_run_billing
from palier.billing.models import Invoice
from palier.billing.reports import billing_report
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.web.billing.forms import PeriodForm, RunForm, TimeForm

LANGUAGES = ["en", "fr", "de", "it"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.django_db
def test_every_billing_date_input_holds_an_iso_date_in_every_language(language):
    day = dt.date(2026, 11, 1)
    with translation.override(language):
        for form in (
            RunForm(initial={"period_start": day, "period_end": day}),
            PeriodForm(initial={"period_start": day, "period_end": day}),
            TimeForm(initial={"date": day}),
        ):
            for field in form:
                html = str(field)
                if 'type="date"' in html:
                    assert 'value="2026-11-01"' in html, (language, form, html)


@pytest.mark.parametrize("language", ["fr", "de", "it"])
@pytest.mark.django_db
def test_the_billing_run_keeps_its_default_period_and_labelled_fields(world, language):
    world.manager.language = language
    world.manager.save()
    page = signed_in(world.manager).get("/billing/invoices/").content.decode()
    run_form = page.split('id="run-form"')[1].split("</form>")[0]
    last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert f'value="{last_month_end.replace(day=1).isoformat()}"' in run_form
    assert f'value="{last_month_end.isoformat()}"' in run_form
    assert "---------" not in run_form
    assert run_form.count('class="form-field') == 3  # each field labelled, like every form


@pytest.mark.django_db
def test_approving_asks_first_and_says_what_will_happen(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    manager = signed_in(world.manager)
    asked = manager.post(f"/billing/invoices/{draft.pk}/approve/")
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"INV-{today.year}-0001" in page and "cannot be undone" in page
    assert "1 ticket records that it was invoiced" in page
    assert Invoice.objects.get(pk=draft.pk).is_draft  # nothing done yet
    done = manager.post(f"/billing/invoices/{draft.pk}/approve/", {"confirmed": "1"})
    assert done.status_code == 302
    assert Invoice.objects.get(pk=draft.pk).number == f"INV-{today.year}-0001"


@pytest.mark.django_db
def test_crediting_asks_first_with_the_reason(world):
    from palier.billing.invoicing import do_approve_invoice

    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    invoice = do_approve_invoice(draft, acting_user=world.manager)
    manager = signed_in(world.manager)
    asked = manager.post(f"/billing/invoices/{invoice.pk}/credit/", {"reason": "Wrong rate"})
    assert "Wrong rate" in asked.content.decode() and not invoice.credit_notes.exists()
    manager.post(
        f"/billing/invoices/{invoice.pk}/credit/", {"reason": "Wrong rate", "confirmed": "1"}
    )
    assert invoice.credit_notes.get().note == "Wrong rate"


@pytest.mark.django_db
def test_billing_reports_name_consultants_by_their_name(world):
    world.consultant.first_name, world.consultant.last_name = "Marc", "Keller"
    world.consultant.save()
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [row] = billing_report(today, today).by_consultant
    assert row["consultant"] == "Marc Keller"
    page = signed_in(world.manager).get("/billing/").content.decode()
    assert "Marc Keller" in page and world.consultant.username not in page


@pytest.mark.django_db
def test_an_approved_invoice_shows_terms_vat_number_rounding_and_one_currency(world):
    from palier.billing.invoicing import do_approve_invoice
    from palier.billing.pdf import invoice_pdf

    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 400)
    log(ticket, world.consultant, 20, activity="development")  # 0.35 h × 185 = 64.75
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    invoice = do_approve_invoice(draft, acting_user=world.manager)
    # 1239.50 + 64.75 = 1304.25; VAT 105.64; 1409.89 rounds to 1409.90.
    assert (invoice.vat, invoice.rounding, invoice.total) == (
        Decimal("105.64"),
        Decimal("0.01"),
        Decimal("1409.90"),
    )
    assert invoice.due_on == today + dt.timedelta(days=30)
    assert invoice.vat_number == "CHE-109.156.749"
    world.manager.language = "de"
    world.manager.save()
    page = signed_in(world.manager).get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "CHE-109.156.749 MWST" in page
    terms = page.split('id="terms"')[1].split("</dd>")[0]
    assert "30" in terms and f"{invoice.due_on.day}." in terms
    assert "6.70 h" in page and "CHF 185.00 / h" in page and "CHF 1&#x27;239.50" in page
    assert "Total CHF" not in page and "TOTAL CHF" not in page
    assert "CHF 0.01" in page.split('id="invoice-rounding"')[1][:40]
    pdf = invoice_pdf(invoice, "fr")
    assert pdf.startswith(b"%PDF")
