"""The demo desk's data: every status, rule, finding and refusal, built by the actions."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth import authenticate
from django.utils import timezone

from palier.accounts.models import Role, User
from palier.customers.models import Customer, Customization
from palier.ops.demo_data import DEMO_PASSWORD, database_is_empty, demo_logins, load_demo
from palier.policy import Finding, Reason, Refusal
from palier.tickets.models import Decision, Message, Ticket, TicketEvent
from palier.tickets.states import Status

UNUSED_REASONS: set[Reason] = set()  # every reason of POLICY.md appears in the demo


def test_the_demo_desk_is_complete_dated_multilingual_and_signs_in(db):
    # One load for all the checks: it takes ~10 s of CPU.
    started = time.process_time()
    summary = load_demo()
    cpu_seconds = time.process_time() - started
    covers_every_status_reason_refusal_and_finding(summary, cpu_seconds)
    spreads_history_over_past_months_in_order()
    has_customers_in_four_languages_with_one_admin_each()
    signs_in_every_printed_login_with_the_demo_password()
    shows_rnd_defects_and_patches_and_billing_consent_and_time()
    counts_overdue_tickets_as_the_queue_shows_them()
    has_teams_and_macros_in_four_languages()


def has_teams_and_macros_in_four_languages() -> None:
    """The workspace's macros show on first sign-in: the desk's, a team's, one's own."""
    from palier.workspace.macros import visible_macros
    from palier.workspace.models import Macro, Team

    assert set(Team.objects.values_list("name", flat=True)) == {"Customer Services", "Consulting"}
    sophie = User.objects.get(username="sophie.martin")
    scopes = set(visible_macros(sophie).values_list("scope", flat=True))
    assert scopes == {"desk", "team", "personal"}
    for macro in Macro.objects.all():
        assert set(macro.texts) == {"en", "fr", "de", "it"}, macro.name
    giulia = User.objects.get(username="giulia.rossi")
    assert visible_macros(giulia).filter(scope="team").count() == 0  # not her team's


def counts_overdue_tickets_as_the_queue_shows_them() -> None:
    """`palier demo` once printed "4 warnings, 0 breaches" (what the scan recorded as news)
    while the queue showed dozens overdue (deadlines `sla recompute` settled silently). Both
    were right; the demo and the scan now print the queue's count too, computed in SQL, and
    it must agree with the queue's own reading of every clock."""
    from io import StringIO

    from django.core.management import call_command

    from palier.sla.models import TicketClock
    from palier.sla.queries import overdue_counts, time_left_of

    call_command("sla", "recompute", stdout=StringIO())
    now = timezone.now()
    shown = [time_left_of(c, now) for c in TicketClock.objects.filter(active=True)]
    counts = overdue_counts(now)
    assert counts["open"] == len(shown)
    # A deadline that passed outside business hours (Friday 18:00, read on Sunday) shows no
    # business time left, not a negative one: it is past all the same.
    past = [left.overdue or (left.running and left.due < now) for left in shown]
    assert counts["overdue"] == sum(past) > 10
    out = StringIO()
    call_command("sla", "scan", stdout=out)
    assert f"past a deadline: {counts['overdue']};" in out.getvalue()


def covers_every_status_reason_refusal_and_finding(summary, cpu_seconds: float) -> None:
    assert 250 <= summary.tickets <= 350
    assert cpu_seconds < 30, f"loading took {cpu_seconds:.1f} s of CPU"
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    reasons = set(Decision.objects.values_list("reason", flat=True)) - {""}
    assert reasons == {r.value for r in Reason} - UNUSED_REASONS
    refusals = set(Decision.objects.values_list("refusal", flat=True)) - {""}
    assert refusals == {r.value for r in Refusal}
    findings = set(Decision.objects.values_list("finding", flat=True)) - {""}
    assert findings == {f.value for f in Finding}
    rules = {rule for rules in Decision.objects.values_list("rules", flat=True) for rule in rules}
    assert {f"L{i}" for i in range(1, 9)} | {f"D{i}" for i in range(1, 6)} | {"E"} <= rules
    assert Decision.objects.filter(kind="override", note__gt="").count() >= 1
    assert Ticket.objects.filter(type__isnull=True, status=Status.NEW).exists()  # to qualify


def spreads_history_over_past_months_in_order() -> None:
    now = timezone.now()
    created = list(Ticket.objects.values_list("created_at", flat=True))
    assert min(created) < now - dt.timedelta(days=90)
    assert max(created) <= now
    for ticket in Ticket.objects.filter(status=Status.CLOSED)[:20]:
        times = list(ticket.events.order_by("id").values_list("at", flat=True))
        assert times == sorted(times)
        assert times[0] == ticket.created_at
        assert ticket.closed_at == times[-1]
    assert not TicketEvent.objects.filter(at__gt=now).exists()
    assert not Message.objects.filter(created_at__gt=now).exists()


def has_customers_in_four_languages_with_one_admin_each() -> None:
    assert set(Customer.objects.values_list("language", flat=True)) == {"fr", "de", "it", "en"}
    for customer in Customer.objects.all():
        contacts = User.objects.filter(customer=customer)
        assert 2 <= contacts.count() <= 4
        assert contacts.filter(is_customer_admin=True).count() == 1
    built_by = set(Customization.objects.values_list("built_by", flat=True))
    assert built_by == {"vendor", "customer_authorized", "customer_unauthorized"}
    assert not Customization.objects.filter(
        built_by="customer_authorized", authorization_reference=""
    ).exists()
    messages = Message.objects.filter(ticket__language="de", from_customer=False, internal=False)
    assert messages.filter(body__contains="Guten Tag").exists()
    assert Message.objects.filter(internal=True).exists()
    assert Message.objects.filter(activity="phone_call").exists()


def signs_in_every_printed_login_with_the_demo_password() -> None:
    roles = set()
    for _who, username in demo_logins():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        roles.add(user.role)
    assert roles == {Role.CONTACT, Role.AGENT, Role.CONSULTANT, Role.RND, Role.MANAGER, Role.ADMIN}
    assert User.objects.filter(username="pierre.favre", is_customer_admin=True).exists()


def test_the_demo_only_fills_an_empty_database(world):
    assert not database_is_empty()


def shows_rnd_defects_and_patches_and_billing_consent_and_time() -> None:
    from palier.billing.models import Estimate, TimeEntry
    from palier.engineering.models import DefectLink, Patch

    assert set(Estimate.objects.values_list("status", flat=True)) >= {
        "proposed",
        "accepted",
        "declined",
    }
    assert Estimate.objects.filter(decided_via="prepaid").exists()
    assert TimeEntry.objects.filter(billable=True).exists()
    assert TimeEntry.objects.filter(billable=False).exists()
    linked = set(DefectLink.objects.values_list("ticket__status", flat=True))
    assert {"with_rnd", "waiting_patch", "patch_available"} <= linked
    assert Patch.objects.filter(released_at__isnull=False).count() == 1
    assert Patch.objects.filter(released_at__isnull=True).count() == 1
