"""Payments back from the bank: camt.054 and camt.053 files in the real schema (.001.04 and
.001.08), matched by QR reference; nothing read is dropped."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
from django.test import Client
from django.utils import timezone

from palier.billing.camt import CamtError, parse
from palier.billing.invoicing import do_approve_invoice, do_credit_invoice, do_run_billing
from palier.billing.models import BankPayment, Invoice, PaymentState
from palier.billing.payments import (
    do_import_bank_file,
    do_match_payment,
    ledger_seq_from_reference,
    overdue_invoices,
)
from palier.billing.pdf import qr_reference
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.lib.errors import Conflict, DomainError, NotAllowed

FILES = Path(__file__).parent / "camt"


def camt(name: str, **values) -> bytes:
    return Template((FILES / name).read_text()).substitute(**values).encode()


def approved_invoice(world, customer, contact, minutes=60) -> Invoice:
    ticket = open_ticket(customer, contact)
    accepted_estimate(ticket, world.consultant, contact)
    log(ticket, world.consultant, minutes)
    today = timezone.localdate()
    [draft] = do_run_billing(
        acting_user=world.manager, period_start=today, period_end=today, customer=customer
    )
    return do_approve_invoice(draft, acting_user=world.manager)


@pytest.fixture
def three_invoices(world):
    from palier.testing.factories import make_user

    c_contact = make_user("carla.c", customer=world.customer_expired)
    world.customer_expired.contracts.update(end=timezone.localdate() + dt.timedelta(days=30))
    return (
        approved_invoice(world, world.customer_a, world.contact_a),
        approved_invoice(world, world.customer_b, world.contact_b),
        approved_invoice(world, world.customer_expired, c_contact),
    )


def batch_file(a, b, c, *, amount_a=None, amount_b=None, amount_c=None) -> bytes:
    amount_a = amount_a or a.total
    amount_b = amount_b or (b.total - Decimal("50.00"))
    amount_c = amount_c or c.total
    return camt(
        "camt054_001_08_batch.xml",
        batch_total=str(amount_a + amount_b + Decimal("120.00")),
        amount_a=str(amount_a),
        amount_b=str(amount_b),
        amount_c=str(amount_c),
        ref_a=qr_reference(a),
        ref_b=qr_reference(b),
        number_a=a.number,
        number_c=c.number,
    )


def test_a_qr_reference_of_ours_gives_back_its_ledger_position():
    assert ledger_seq_from_reference("000000000000000000000000011") == 1
    assert ledger_seq_from_reference("00 00000 00000 00000 00000 00011") == 1
    assert ledger_seq_from_reference("000000000000000000000000012") is None  # check digit
    assert ledger_seq_from_reference("RF18539007547034") is None


def test_both_versions_parse_to_the_same_fields():
    v08 = parse(
        camt(
            "camt054_001_08_batch.xml",
            batch_total="300.00",
            amount_a="100.00",
            amount_b="80.00",
            amount_c="55.50",
            ref_a="000000000000000000000000011",
            ref_b="000000000000000000000000022",
            number_a="INV-2026-0001",
            number_c="INV-2026-0003",
        )
    )
    assert (v08.message, v08.version, v08.account_iban) == (
        "camt.054",
        "001.08",
        "CH4431999123000889012",
    )
    first, second, third, single, charges = v08.transactions
    assert (first.amount, first.reference_type, first.debtor_name) == (
        Decimal("100.00"),
        "QRR",
        "Alpenkäse AG",
    )
    assert first.booked and first.credit and first.booked_on == dt.date(2026, 12, 4)
    assert third.amount == Decimal("120.00")
    assert single.reference == "" and single.remittance == "Rechnung INV-2026-0003 besten Dank"
    assert not charges.credit and charges.amount == Decimal("4.50")
    v04 = parse(camt("camt054_001_04.xml", amount="42.00", ref="000000000000000000000000011"))
    [tx] = v04.transactions
    assert (v04.version, tx.debtor_name, tx.reference, tx.booked) == (
        "001.04",
        "Bellevue SA",
        "000000000000000000000000011",
        True,
    )


@pytest.mark.parametrize(
    "data",
    [
        b"not xml at all",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'/>",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>',
    ],
)
def test_anything_but_a_camt_file_is_refused_with_a_reason(data):
    with pytest.raises(CamtError):
        parse(data)


@pytest.mark.django_db
def test_a_notification_pays_partly_pays_and_lists_what_did_not_match(world, three_invoices):
    a, b, c = three_invoices
    data = batch_file(a, b, c)
    done = do_import_bank_file(data, filename="camt054.xml", acting_user=world.manager)
    assert (done.entries, done.matched, done.unmatched) == (5, 2, 2)
    states = list(done.payments.order_by("id").values_list("state", flat=True))
    assert states == ["matched", "matched", "unmatched", "unmatched", "not_a_payment"]
    for invoice in (a, b, c):
        invoice.refresh_from_db()
    assert (a.payment_status, a.paid) == ("paid", a.total)
    assert (b.payment_status, b.outstanding) == ("partly_paid", Decimal("50.00"))
    assert c.payment_status == "unpaid"  # paid without its reference: found by hand
    unmatched = BankPayment.objects.filter(state=PaymentState.UNMATCHED).order_by("id")
    assert [p.reason for p in unmatched] == [
        "The reference is no QR reference of ours.",  # another creditor's
        "No reference: find the invoice by hand.",
    ]
    do_match_payment(unmatched[1], c, acting_user=world.manager)
    c.refresh_from_db()
    assert c.payment_status == "paid"
    from palier.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="payment.match").count() == 1


@pytest.mark.django_db
def test_the_same_payment_in_the_days_statement_is_counted_once(world, three_invoices):
    a, b, c = three_invoices
    do_import_bank_file(batch_file(a, b, c), filename="054.xml", acting_user=world.manager)
    payment = BankPayment.objects.get(debtor_name="OldCo Ltd")
    do_match_payment(payment, c, acting_user=world.manager)
    statement = camt(
        "camt053_001_08.xml", amount_c=str(c.total), number_c=c.number, closing="10500.00"
    )
    done = do_import_bank_file(statement, filename="053.xml", acting_user=world.manager)
    rows = list(done.payments.order_by("id").values_list("state", "currency", "reference_type"))
    assert rows == [
        ("duplicate", "CHF", ""),
        ("unmatched", "EUR", "SCOR"),
        ("not_a_payment", "CHF", ""),  # pending at the bank
    ]
    c.refresh_from_db()
    assert c.paid == c.total  # not twice
    with pytest.raises(Conflict):  # the same file again
        do_import_bank_file(statement, filename="053 (1).xml", acting_user=world.manager)


@pytest.mark.django_db
def test_an_overpayment_in_the_old_version_is_matched_and_shown(world, three_invoices):
    _a, b, _c = three_invoices
    data = camt("camt054_001_04.xml", amount=str(b.total + 10), ref=qr_reference(b))
    do_import_bank_file(data, filename="zkb.xml", acting_user=world.manager)
    b.refresh_from_db()
    assert b.payment_status == "overpaid"


@pytest.mark.django_db
def test_only_managers_import_and_nothing_half_done_stays(world, three_invoices):
    a, b, c = three_invoices
    with pytest.raises(NotAllowed):
        do_import_bank_file(batch_file(a, b, c), filename="x.xml", acting_user=world.consultant)
    with pytest.raises(DomainError):
        do_import_bank_file(b"<x/>", filename="x.xml", acting_user=world.manager)
    assert not BankPayment.objects.exists()


@pytest.mark.django_db
def test_overdue_lists_unpaid_invoices_past_due_but_not_credited_ones(world, three_invoices):
    a, b, c = three_invoices
    later = timezone.localdate() + dt.timedelta(days=31)
    assert set(overdue_invoices(later)) == {a, b, c}
    do_import_bank_file(batch_file(a, b, c), filename="054.xml", acting_user=world.manager)
    do_credit_invoice(c, acting_user=world.manager, reason="Goodwill")
    assert list(overdue_invoices(later)) == [b]  # a paid, b partly, c credited
    assert list(overdue_invoices(timezone.localdate())) == []


@pytest.mark.django_db
def test_the_payments_screen_imports_a_file_and_matches_by_hand(
    world, three_invoices, django_assert_max_num_queries
):
    a, b, c = three_invoices
    client = Client()
    client.force_login(world.manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("camt054.xml", batch_file(a, b, c), "application/xml")
    done = client.post("/billing/payments/", {"file": upload})
    assert done.status_code == 302
    with django_assert_max_num_queries(10):
        page = client.get("/billing/payments/").content.decode()
    assert "Unbekannt GmbH" in page and "OldCo Ltd" in page
    payment = BankPayment.objects.get(debtor_name="OldCo Ltd")
    client.post(f"/billing/payments/{payment.pk}/match/", {"number": c.number})
    c.refresh_from_db()
    assert c.payment_status == "paid"
    refused = client.post(
        "/billing/payments/", {"file": SimpleUploadedFile("x.xml", b"<x/>", "text/xml")}
    )
    assert "no camt.053 or camt.054 file" in refused.content.decode()
    overdue = client.get("/billing/invoices/overdue/")
    assert overdue.status_code == 200
    assert Client().get("/billing/payments/").status_code == 302
    agent = Client()
    agent.force_login(world.agent)
    assert agent.get("/billing/payments/").status_code == 404


OUR_IBAN = "CH4431999123000889012"  # the demo creditor's QR-IBAN (billing.conf)


def returned(invoice, amount, iban=OUR_IBAN) -> bytes:
    return camt(
        "camt054_001_04_return.xml", amount=str(amount), ref=qr_reference(invoice), iban=iban
    )


@pytest.mark.django_db
def test_a_returned_payment_lowers_the_invoice_it_had_paid(world, three_invoices):
    _a, b, _c = three_invoices
    paid = camt("camt054_001_04.xml", amount=str(b.total), ref=qr_reference(b))
    do_import_bank_file(paid, filename="zkb.xml", acting_user=world.manager)
    b.refresh_from_db()
    assert b.payment_status == "paid"
    back = returned(b, b.total - Decimal("20.00"))
    done = do_import_bank_file(back, filename="zkb-return.xml", acting_user=world.manager)
    rows = list(done.payments.order_by("id").values_list("state", "invoice_id", "debtor_name"))
    assert rows == [
        ("returned", b.pk, "Bellevue SA"),
        ("not_a_payment", None, "Bürobedarf Zürich AG"),  # our own payment to a supplier
        ("unmatched", None, "Unbekannt GmbH"),  # a return that matches no invoice of ours
    ]
    assert (done.matched, done.unmatched) == (1, 1)
    assert done.payments.get(state="unmatched").reason == (
        "A returned payment that matches none of our invoices: check it by hand."
    )
    b.refresh_from_db()
    assert (b.paid, b.payment_status) == (Decimal("20.00"), "partly_paid")
    with pytest.raises(Conflict):  # the same file again changes nothing
        do_import_bank_file(back, filename="zkb-return (1).xml", acting_user=world.manager)
    statement = camt(
        "camt053_001_08_return.xml",
        amount=str(b.total - Decimal("20.00")),
        ref=qr_reference(b),
        iban=OUR_IBAN,
        closing="10000.00",
    )
    again = do_import_bank_file(statement, filename="053.xml", acting_user=world.manager)
    assert list(again.payments.values_list("state", flat=True)) == ["duplicate"]
    b.refresh_from_db()
    assert b.paid == Decimal("20.00")  # taken back once, not twice
    later = timezone.localdate() + dt.timedelta(days=31)
    assert b in overdue_invoices(later)


@pytest.mark.django_db
def test_a_full_return_leaves_the_invoice_unpaid_and_is_listed_as_returned(world, three_invoices):
    a, b, c = three_invoices
    do_import_bank_file(batch_file(a, b, c), filename="054.xml", acting_user=world.manager)
    do_import_bank_file(returned(a, a.total), filename="back.xml", acting_user=world.manager)
    a.refresh_from_db()
    assert (a.paid, a.payment_status) == (Decimal("0.00"), "unpaid")
    client = Client()
    client.force_login(world.manager)
    page = client.get("/billing/payments/").content.decode()
    assert "Returned: takes back a payment of the invoice" in page
    assert "−CHF 75.00" in page  # the reversal to check, shown as money out
    on_invoice = client.get(f"/billing/invoices/{a.pk}/").content.decode()
    assert "Returned: takes back a payment of the invoice" in on_invoice
    assert "−CHF" in on_invoice  # money out, shown as such


@pytest.mark.django_db
def test_an_unmatched_return_matched_by_hand_lowers_that_invoice(world, three_invoices):
    a, b, c = three_invoices
    do_import_bank_file(batch_file(a, b, c), filename="054.xml", acting_user=world.manager)
    do_import_bank_file(returned(a, "30.00"), filename="back.xml", acting_user=world.manager)
    orphan = BankPayment.objects.get(state=PaymentState.UNMATCHED, credit=False)
    do_match_payment(orphan, a, acting_user=world.manager)
    orphan.refresh_from_db()
    a.refresh_from_db()
    assert orphan.state == "returned"
    assert a.paid == a.total - Decimal("30.00") - Decimal("75.00")


@pytest.mark.django_db
def test_a_file_for_another_account_is_refused_whole(world, three_invoices, settings):
    from django.utils import translation

    from palier.billing.models import BankImport

    _a, b, _c = three_invoices
    other = returned(b, "10.00", iban="CH93 0076 2011 6238 5295 7")
    with pytest.raises(DomainError) as refused:
        do_import_bank_file(other, filename="other.xml", acting_user=world.manager)
    assert refused.value.code == "bank_file_other_account"
    assert "CH93 0076 2011 6238 5295 7" in refused.value.message
    assert not BankImport.objects.exists() and not BankPayment.objects.exists()
    with translation.override("de"), pytest.raises(DomainError) as in_german:
        do_import_bank_file(other, filename="other.xml", acting_user=world.manager)
    assert "Konto" in in_german.value.message
    # The account's ordinary IBAN, when the bank reports on it rather than the QR-IBAN.
    settings.PALIER_BILLING_BANK_IBANS = ["CH9300762011623852957"]
    done = do_import_bank_file(other, filename="other.xml", acting_user=world.manager)
    assert done.entries == 3
    client = Client()
    client.force_login(world.manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    wrong = returned(b, "10.00", iban="CH5604835012345678009")
    page = client.post(
        "/billing/payments/", {"file": SimpleUploadedFile("x.xml", wrong, "application/xml")}
    ).content.decode()
    assert "CH56 0483 5012 3456 7800 9" in page
    assert BankImport.objects.count() == 1


@pytest.mark.django_db
def test_a_file_with_one_report_of_another_account_or_none_named_is_refused(world, three_invoices):
    _a, b, _c = three_invoices
    text = returned(b, "10.00").decode()
    start, end = text.index("<Ntfctn>"), text.index("</Ntfctn>") + len("</Ntfctn>")
    other_report = text[start:end].replace(OUR_IBAN, "CH5604835012345678009")
    two_accounts = text[:end] + other_report + text[end:]
    no_iban = text.replace(f"<IBAN>{OUR_IBAN}</IBAN>", "<Othr><Id>0889012</Id></Othr>")
    for data, named in ((two_accounts, "CH56 0483"), (no_iban, "(no IBAN)")):
        with pytest.raises(DomainError) as refused:
            do_import_bank_file(data.encode(), filename="x.xml", acting_user=world.manager)
        assert named in refused.value.message
    assert not BankPayment.objects.exists()
    b.refresh_from_db()
    assert b.paid == 0
