from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from palier.billing.actions import do_propose_estimate
from palier.billing.invoicing import do_approve_invoice, do_run_billing
from palier.billing.links import make_token
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.tickets.models import Ticket


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def proposed(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    return do_propose_estimate(
        ticket, acting_user=world.consultant, hours=Decimal("3"), text="Add the <b>column</b>."
    )


@pytest.mark.django_db
def test_opening_the_link_changes_nothing_and_posting_accepts(world):
    estimate = proposed(world)
    client = Client(enforce_csrf_checks=True)
    url = f"/billing/consent/{make_token(estimate)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "CHF 555.00" in page.content.decode()
    assert "&lt;b&gt;column&lt;/b&gt;" in page.content.decode()  # escaped
    assert Ticket.objects.get(pk=estimate.ticket_id).status == "awaiting_consent"
    assert client.post(url, {"answer": "accept"}).status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    client = Client()
    done = client.post(url, {"answer": "accept"})
    assert done.status_code == 200 and token is not None
    assert Ticket.objects.get(pk=estimate.ticket_id).status == "in_progress"
    reused = client.get(url)
    assert reused.status_code == 409
    assert 'data-code="consent_link_used"' in reused.content.decode()


@pytest.mark.django_db
def test_the_portal_panel_accepts_and_declines_for_the_requester_only(world):
    estimate = proposed(world)
    page = signed_in(world.contact_a).get(f"/billing/estimates/{estimate.pk}/")
    assert 'id="consent-accept"' in page.content.decode()
    other = signed_in(world.contact_a2).get(f"/billing/estimates/{estimate.pk}/")
    assert other.status_code == 404  # a private request of a colleague
    assert signed_in(world.contact_b).get(f"/billing/estimates/{estimate.pk}/").status_code == 404
    answer = signed_in(world.contact_a).post(
        f"/billing/estimates/{estimate.pk}/answer/", {"answer": "decline", "reason": "Later"}
    )
    assert answer.status_code == 302
    assert Ticket.objects.get(pk=estimate.ticket_id).status == "declined"
    page = signed_in(world.contact_a).get(f"/billing/estimates/{estimate.pk}/")
    assert "Later" in page.content.decode()


@pytest.mark.django_db
def test_staff_log_time_start_and_stop_the_timer(world):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    agent = signed_in(world.agent)
    assert agent.get("/billing/time/").status_code == 200
    response = agent.post(
        "/billing/time/",
        {
            "ticket": ticket.reference,
            "minutes": 20,
            "activity": "support",
            "note": "Phone",
            "date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert ticket.time_entries.get().minutes == 20
    # The same number with another year names no ticket: nothing is logged.
    year = int(ticket.reference.split("-")[1])
    wrong_year = ticket.reference.replace(f"-{year}-", f"-{year - 1}-")
    response = agent.post(
        "/billing/time/",
        {
            "ticket": wrong_year,
            "minutes": 5,
            "activity": "support",
            "note": "x",
            "date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert ticket.time_entries.count() == 1
    agent.post(
        "/billing/time/timer/", {"do": "start", "ticket": str(ticket.pk), "activity": "support"}
    )
    assert "Stop and log" in agent.get("/billing/time/").content.decode()
    agent.post("/billing/time/timer/", {"do": "stop"})
    assert ticket.time_entries.count() == 2


@pytest.mark.django_db
def test_managers_run_approve_and_print_invoices_on_screen(world, django_assert_max_num_queries):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    manager = signed_in(world.manager)
    today = timezone.localdate().isoformat()
    manager.post("/billing/invoices/run/", {"period_start": today, "period_end": today})
    with django_assert_max_num_queries(12):
        listing = manager.get("/billing/invoices/")
    assert "Alpenk" in listing.content.decode()
    [draft] = listing.context["page"].items
    manager.post(f"/billing/invoices/{draft.pk}/approve/", {"confirmed": "1"})
    detail = manager.get(f"/billing/invoices/{draft.pk}/").content.decode()
    assert f"INV-{timezone.localdate().year}-0001" in detail
    pdf = manager.get(f"/billing/invoices/{draft.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    dashboard = manager.get("/billing/").content.decode()
    assert "<svg" in dashboard and "<script" not in dashboard.split("<svg")[1].split("</svg>")[0]


@pytest.mark.django_db
def test_contacts_and_agents_do_not_reach_invoices(world):
    assert signed_in(world.contact_a).get("/billing/invoices/").status_code == 404
    assert signed_in(world.agent).get("/billing/").status_code == 404
    assert Client().get("/billing/invoices/").status_code == 302  # to sign in


@pytest.mark.django_db
def test_approved_invoice_amounts_match_the_pdf_qr_reference(world):
    from palier.billing.pdf import qr_reference

    invoice = do_approve_invoice(_invoiced(world), acting_user=world.manager)
    ref = qr_reference(invoice)
    assert len(ref) == 27 and ref.isdigit()


@pytest.mark.django_db
def test_the_ticket_panel_logs_time_and_returns_to_the_ticket(world, rf):
    from django.template import Context, Template

    ticket = open_ticket(world.customer_a, world.contact_a)
    request = rf.get(f"/desk/tickets/{ticket.pk}/")
    request.user = world.consultant
    html = Template("{% load billing_tags %}{% billing_panel ticket %}").render(
        Context({"ticket": ticket, "request": request, "csrf_token": "x"})
    )
    assert f"/billing/tickets/{ticket.pk}/estimate/" in html  # billable: propose offered
    included = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    response = signed_in(world.agent).post(
        f"/billing/time/?next=/desk/tickets/{included.pk}/",
        {
            "ticket": included.reference,
            "minutes": 15,
            "activity": "support",
            "date": timezone.localdate().isoformat(),
        },
    )
    assert response["Location"] == f"/desk/tickets/{included.pk}/"
    evil = signed_in(world.agent).post(
        "/billing/time/?next=https://evil.example/",
        {
            "ticket": included.reference,
            "minutes": 15,
            "activity": "support",
            "date": timezone.localdate().isoformat(),
        },
    )
    assert evil["Location"] == "/billing/time/"


@pytest.mark.django_db
def test_the_qr_bill_carries_the_total_the_iban_and_the_number(world):
    from palier.billing.pdf import qr_bill

    invoice = do_approve_invoice(_invoiced(world), acting_user=world.manager)
    data = qr_bill(invoice, "de").qr_data()
    assert "200.00" in data and "CH4431999123000889012" in data and invoice.number in data


def _invoiced(world):
    ticket = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(ticket, world.consultant, world.contact_a)
    log(ticket, world.consultant, 60)
    today = timezone.localdate()
    [draft] = do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    return draft


@pytest.mark.django_db
def test_the_qr_bill_names_the_customer_as_debtor_once_its_address_is_on_file(world):
    from palier.billing.models import address_lines
    from palier.billing.pdf import qr_bill

    draft = _invoiced(world)
    manager, page = signed_in(world.manager), f"/billing/invoices/{draft.pk}/"
    # No address yet: the debtor is left blank for the payer (a valid QR-bill still), and the
    # biller sees so before approving.
    assert qr_bill(draft, "fr").debtor is None
    assert "no postal address on file" in manager.get(page).content.decode()
    customer = world.customer_a
    customer.street, customer.house_number = "Bahnhofstrasse", "7"
    customer.postcode, customer.city = "8001", "Zürich"
    customer.save()
    draft.customer.refresh_from_db()
    data = qr_bill(draft, "de").qr_data()
    assert f"{customer.name}\r\nBahnhofstrasse\r\n7\r\n8001\r\nZürich\r\nCH" in data
    lines = address_lines(draft.postal_address())
    assert lines == [customer.name, "Bahnhofstrasse 7", "8001 Zürich"]
    assert "Bahnhofstrasse 7, 8001 Zürich" in manager.get(page).content.decode()


@pytest.mark.django_db
def test_an_approved_invoice_keeps_the_address_it_was_sent_to(world):
    from palier.billing.models import address_lines
    from palier.billing.pdf import invoice_pdf, qr_bill

    customer = world.customer_a
    customer.street, customer.postcode, customer.city = "Via Nassa 5", "6900", "Lugano"
    customer.save()
    invoice = do_approve_invoice(_invoiced(world), acting_user=world.manager)
    customer.street, customer.postcode, customer.city, customer.country = "", "75001", "Paris", "FR"
    customer.save()
    invoice.customer.refresh_from_db()
    assert invoice.bill_to["city"] == "Lugano"
    assert "Via Nassa 5\r\n\r\n6900\r\nLugano\r\nCH" in qr_bill(invoice, "it").qr_data()
    assert invoice_pdf(invoice, "it").startswith(b"%PDF")
    later = _invoiced(world)  # a new draft goes to the new address, the country named
    assert address_lines(later.postal_address())[1:] == ["75001 Paris", "FRANCE"]


@pytest.mark.django_db
def test_an_invoice_approved_without_an_address_stays_without_one(world):
    from palier.billing.pdf import qr_bill

    invoice = do_approve_invoice(_invoiced(world), acting_user=world.manager)
    customer = world.customer_a
    customer.postcode, customer.city = "1204", "Genève"
    customer.save()
    invoice.customer.refresh_from_db()
    assert invoice.postal_address() == {}
    assert qr_bill(invoice, "fr").debtor is None


@pytest.mark.django_db
def test_the_qr_bill_takes_a_long_name_shortened_and_leaves_out_an_address_it_refuses(world):
    from palier.billing.models import Invoice, address_lines
    from palier.billing.pdf import invoice_pdf, qr_bill

    name = "Société coopérative des horlogers indépendants de la Vallée de Joux et environs"
    Customer = type(world.customer_a)
    Customer.objects.filter(pk=world.customer_a.pk).update(
        name=name, postcode="1347", city="Le Sentier"
    )
    invoice = do_approve_invoice(_invoiced(world), acting_user=world.manager)
    assert address_lines(invoice.postal_address())[0] == name  # the letter keeps it whole
    assert qr_bill(invoice, "fr").debtor.name == name[:70]
    # An address written past the checks (a country the QR-bill does not know): the invoice
    # still prints, its debtor left blank.
    Invoice.objects.filter(pk=invoice.pk).update(bill_to={**invoice.bill_to, "country": "UK"})
    invoice.refresh_from_db()
    assert qr_bill(invoice, "fr").debtor is None
    assert invoice_pdf(invoice, "fr").startswith(b"%PDF")
    assert address_lines(invoice.postal_address())[-1] == "UK"
