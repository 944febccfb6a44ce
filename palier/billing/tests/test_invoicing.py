import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from palier.billing.invoicing import (
    do_approve_invoice,
    do_credit_invoice,
    do_discard_draft,
    do_run_billing,
    line_amounts,
    totals,
)
from palier.billing.models import Invoice, TimeEntry
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.lib.errors import Conflict, NotAllowed

TODAY = dt.date(2026, 3, 15)


def run(world, customer=None, start=None, end=None):
    today = timezone.localdate()
    return do_run_billing(
        acting_user=world.manager,
        period_start=start or today.replace(day=1),
        period_end=end or today,
        customer=customer,
    )


def billable_ticket(world, hours="20", rate=None, customer=None, contact=None):
    customer = customer or world.customer_a
    contact = contact or world.contact_a
    if rate:
        contract = customer.contracts.get()
        contract.hourly_rate = Decimal(rate)
        contract.save()
    ticket = open_ticket(customer, contact)
    accepted_estimate(ticket, world.consultant, contact, hours=hours)
    return ticket


@pytest.mark.django_db
def test_a_run_builds_one_line_per_ticket_with_vat_and_a_rounded_total(world):
    ticket = billable_ticket(world, rate="185.00")
    log(ticket, world.consultant, 100)  # 34 started steps of 0.05 h: 1.70 h × 185 = 314.50
    log(ticket, world.consultant, 20, activity="development")  # 0.35 h × 185 = 64.75
    [invoice] = run(world)
    [line] = invoice.lines.all()
    assert line.reference == ticket.reference
    assert line.minutes == 120
    rows = {a["activity"]: a for a in line.activities}
    assert {k: (r["minutes"], r["quantity"], r["amount"]) for k, r in rows.items()} == {
        "consulting": (100, "1.70", "314.50"),
        "development": (20, "0.35", "64.75"),
    }
    for row in line.activities:  # quantity × rate = amount, on every line
        assert Decimal(row["quantity"]) * Decimal(row["rate"]) == Decimal(row["amount"])
    assert line.amount == Decimal("379.25")
    assert invoice.subtotal == Decimal("379.25")
    assert invoice.vat_rate == Decimal("0.0810")
    assert invoice.vat == Decimal("30.72")  # 30.71925 to the cent
    assert invoice.rounding == Decimal("-0.02")  # 409.97 to the 5 cents, shown apart
    assert invoice.total == Decimal("409.95")
    assert invoice.number is None and invoice.status == "draft"


@pytest.mark.django_db
def test_400_minutes_at_185_multiply_out_in_every_unit(world, settings):
    """The issue's example: 400 minutes used to read 6.67 h × CHF 185.00 = CHF 1'233.35."""
    cases = {
        ("0.05h", "up"): ("6.70", "1239.50", ""),  # 134 started steps of 3 min
        ("0.05h", "nearest"): ("6.65", "1230.25", ""),
        ("0.25h", "up"): ("6.75", "1248.75", ""),
        ("0.1h", "nearest"): ("6.70", "1239.50", ""),
        ("minute", "up"): ("400", "1233.33", "1233.3333"),  # rounded to the cent, and said
    }
    ticket = billable_ticket(world, rate="185.00")
    log(ticket, world.consultant, 400)
    for (unit, rounding), (quantity, amount, exact) in cases.items():
        settings.PALIER_BILLING_UNIT, settings.PALIER_BILLING_ROUNDING = unit, rounding
        [invoice] = run(world)
        [row] = invoice.lines.get().activities
        assert (row["quantity"], row["amount"], row["exact_amount"]) == (quantity, amount, exact)
        if unit != "minute":
            assert Decimal(quantity) * Decimal("185.00") == Decimal(amount)
        assert invoice.total % Decimal("0.05") == 0
        do_discard_draft(invoice, acting_user=world.manager)


@pytest.mark.django_db
def test_amounts_are_exact_to_the_cent_and_the_total_to_five_cents(world):
    ticket = billable_ticket(world, rate="187.50")
    log(ticket, world.consultant, 399)  # 6.65 h × 187.50 = 1246.875
    [invoice] = run(world)
    [row] = invoice.lines.get().activities
    assert (row["amount"], row["exact_amount"]) == ("1246.88", "1246.875")
    assert invoice.subtotal == Decimal("1246.88")
    assert invoice.vat == Decimal("101.00")  # 100.997…
    assert invoice.rounding == Decimal("0.02")
    assert invoice.total == Decimal("1347.90")


@given(st.integers(min_value=0, max_value=10**7).map(lambda c: Decimal(c) / 100))
def test_the_total_is_whole_five_cents_and_the_rounding_says_by_how_much(subtotal):
    vat, rounding, total = totals(subtotal, Decimal("0.081"))
    assert total % Decimal("0.05") == 0
    assert total == subtotal + vat + rounding
    assert abs(rounding) <= Decimal("0.02")
    assert abs(vat - subtotal * Decimal("0.081")) <= Decimal("0.005")


@pytest.mark.django_db
def test_prepaid_hours_show_apart_and_cost_nothing(world):
    contract = world.customer_a.contracts.get()
    contract.prepaid_hours = Decimal("1")
    contract.save()
    ticket = billable_ticket(world, hours="3")
    log(ticket, world.consultant, 150)
    [invoice] = run(world)
    [line] = invoice.lines.all()
    assert line.prepaid_minutes == 60
    assert line.minutes == 90
    assert line.amount == Decimal("277.50")  # 1.50 h × 185
    assert invoice.prepaid_hours == Decimal("1.00")


@pytest.mark.django_db
def test_level_one_time_and_other_periods_stay_off_the_invoice(world):
    included = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    log(included, world.agent, 60)
    ticket = billable_ticket(world)
    log(ticket, world.consultant, 60, date=timezone.localdate() - dt.timedelta(days=40))
    assert run(world) == []


@pytest.mark.django_db
def test_one_customer_runs_alone_and_no_entry_is_billed_twice(world):
    a = billable_ticket(world)
    b = billable_ticket(world, customer=world.customer_b, contact=world.contact_b)
    log(a, world.consultant, 60)
    log(b, world.consultant, 60)
    [only_b] = run(world, customer=world.customer_b)
    assert only_b.customer == world.customer_b
    [only_a] = run(world)  # overlapping run: B's time is already on a draft
    assert only_a.customer == world.customer_a
    assert run(world) == []
    assert set(TimeEntry.objects.values_list("invoice", flat=True)) == {only_a.pk, only_b.pk}


@pytest.mark.django_db
def test_approving_numbers_invoices_gaplessly_per_year(world):
    ticket = billable_ticket(world)
    log(ticket, world.consultant, 60)
    [first] = run(world)
    log(ticket, world.consultant, 60)
    [second] = run(world)
    year = timezone.localdate().year
    assert do_approve_invoice(second, acting_user=world.manager).number == f"INV-{year}-0001"
    assert do_approve_invoice(first, acting_user=world.manager).number == f"INV-{year}-0002"
    with pytest.raises(Conflict) as exc:
        do_approve_invoice(first, acting_user=world.manager)
    assert exc.value.code == "invoice_not_draft"
    with pytest.raises(NotAllowed):
        do_approve_invoice(first, acting_user=world.consultant)


@pytest.mark.django_db
def test_an_approved_invoice_is_corrected_by_a_credit_note_not_by_discarding(world):
    ticket = billable_ticket(world)
    log(ticket, world.consultant, 60)
    [invoice] = run(world)
    invoice = do_approve_invoice(invoice, acting_user=world.manager)
    with pytest.raises(Conflict):
        do_discard_draft(invoice, acting_user=world.manager)
    note = do_credit_invoice(invoice, acting_user=world.manager, reason="Wrong rate")
    assert note.kind == "credit_note" and note.number.startswith("CN-")
    assert note.total == -invoice.total
    assert note.lines.get().amount == -invoice.lines.get().amount
    with pytest.raises(Conflict):
        do_credit_invoice(invoice, acting_user=world.manager, reason="again")
    assert run(world) == []  # credited time is not billed again


@pytest.mark.django_db
def test_a_discarded_draft_frees_its_time_for_the_next_run(world):
    ticket = billable_ticket(world)
    log(ticket, world.consultant, 60)
    [draft] = run(world)
    do_discard_draft(draft, acting_user=world.manager)
    [again] = run(world)
    assert again.total == draft.total


@pytest.mark.django_db
def test_the_database_refuses_a_number_on_a_draft(world):
    ticket = billable_ticket(world)
    log(ticket, world.consultant, 60)
    [draft] = run(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=draft.pk).update(number="INV-X")


def test_line_amounts_sum_exactly_then_round_once():
    entries = [
        TimeEntry(minutes=10, prepaid_minutes=0, activity="consulting", rate=Decimal("185.00"))
        for _ in range(3)
    ]
    activities, billed, prepaid, amount = line_amounts(entries)
    assert (billed, prepaid) == (30, 0)
    assert amount == Decimal("92.50")
    assert activities[0]["amount"] == "92.50"
