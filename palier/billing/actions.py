"""Every billing write before the invoice: estimates and consent, time, timers, prepaid draws.

Rule B of POLICY.md: billable work needs the customer's consent, or a prepaid balance that
covers it. Going past the accepted estimates by more than the margin (conf.over_estimate_margin)
is *refused* at the time entry with code `consent_required`, so that no hour is ever billed
without consent: the consultant proposes a new estimate and logs the time once it is accepted.
Invoicing actions live in invoicing.py.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, allowed, check_allowed
from palier.billing import conf
from palier.billing.models import (
    Activity,
    DecidedVia,
    Estimate,
    EstimateStatus,
    PrepaidAlert,
    TimeEntry,
    Timer,
    hours_to_minutes,
    minutes_to_hours,
)
from palier.billing.prepaid import prepaid_balance, rate_for
from palier.billing.tasks import send_prepaid_alert
from palier.customers.models import Contract
from palier.customers.queries import current_contract
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.lib.tasks import enqueue_with_transaction
from palier.tickets.actions import do_transition, record_event
from palier.tickets.labels import DECLINED_REASON
from palier.tickets.models import Ticket
from palier.tickets.states import OPEN_STATUSES, Status

MAX_MINUTES_PER_ENTRY = 24 * 60


def _lock_ticket(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("customer").get(pk=ticket.pk)


def _lock_contract(contract: Contract | None) -> Contract | None:
    """Prepaid draws of one contract are serialized on its row."""
    if contract is None:
        return None
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _check_activity(activity: str) -> None:
    if activity not in Activity.values:
        raise DomainError(
            _("Unknown activity."), code="invalid_activity", details={"allowed": Activity.values}
        )


# --- Estimates and consent -------------------------------------------------------------


@transaction.atomic
def do_propose_estimate(
    ticket: Ticket,
    *,
    acting_user: User,
    hours: Decimal,
    text: str,
    activity: str = Activity.CONSULTING,
    now: dt.datetime | None = None,
) -> Estimate:
    """Propose billable work. Covered by the prepaid balance, it is accepted at once;
    otherwise the ticket waits in awaiting_consent and the customer is asked."""
    check_allowed(acting_user, Permission.ESTIMATE_PROPOSE)
    _check_activity(activity)
    if not text.strip():
        raise DomainError(_("Describe the work the estimate covers."), code="text_required")
    if hours <= 0 or hours > 10000:
        raise DomainError(_("Hours must be above 0 and at most 10,000."), code="invalid_hours")
    ticket = _lock_ticket(ticket)
    if not ticket.is_open or ticket.status == Status.REFUSED:
        raise DomainError(_("This ticket is no longer open."), code="ticket_not_open")
    if not ticket.billable or ticket.level != 2:
        raise DomainError(
            _("Only a billable (level-2) ticket gets an estimate."), code="ticket_not_billable"
        )
    now = now or timezone.now()
    contract = _lock_contract(current_contract(ticket.customer, timezone.localdate(now)))
    try:
        rate = rate_for(contract, activity)
    except LookupError as exc:
        raise DomainError(
            _("No rate applies: the customer has no contract."), code="no_rate"
        ) from exc
    Estimate.objects.filter(ticket=ticket, status=EstimateStatus.PROPOSED).update(
        status=EstimateStatus.SUPERSEDED
    )
    estimate = Estimate.objects.create(
        ticket=ticket,
        contract=contract,
        activity=activity,
        hours=hours,
        rate=rate,
        text=text,
        proposed_by=acting_user,
        link_nonce=secrets.token_hex(16),
    )
    data = _estimate_data(estimate)
    available = prepaid_balance(contract).remaining_minutes - _prepaid_reserved(contract)
    if available >= hours_to_minutes(hours):
        _settle(estimate, EstimateStatus.ACCEPTED, None, DecidedVia.PREPAID, now)
        record_event(
            ticket,
            "estimate_accepted",
            acting_user,
            data=data,
            reason="Covered by the prepaid consulting balance.",
        )
        if ticket.status in (Status.NEW, Status.AWAITING_CONSENT):
            do_transition(
                ticket,
                Status.IN_PROGRESS,
                acting_user=None,
                reason="Estimate covered by prepaid hours.",
                now=now,
            )
        return estimate
    if ticket.status != Status.AWAITING_CONSENT:
        do_transition(
            ticket,
            Status.AWAITING_CONSENT,
            acting_user=acting_user,
            reason="Estimate proposed; waiting for the customer's consent.",
            now=now,
        )
    # The mail handler turns this event into the email with the signed accept/decline links
    # (palier.billing.links.consent_urls(estimate)).
    record_event(ticket, "consent_requested", acting_user, data=data)
    return estimate


def _prepaid_reserved(contract: Contract | None) -> int:
    """Prepaid minutes promised to open tickets whose estimate the balance covered and that
    are not logged yet: a second estimate must not count on them too."""
    if contract is None:
        return 0
    promised = dict(
        Estimate.objects.filter(
            contract=contract,
            status=EstimateStatus.ACCEPTED,
            decided_via=DecidedVia.PREPAID,
            ticket__status__in=OPEN_STATUSES,
        )
        .values("ticket")
        .annotate(h=Sum("hours"))
        .values_list("ticket", "h")
    )
    if not promised:
        return 0
    logged = dict(
        TimeEntry.objects.filter(ticket__in=promised, billable=True)
        .values("ticket")
        .annotate(m=Sum("prepaid_minutes"))
        .values_list("ticket", "m")
    )
    return sum(
        max(hours_to_minutes(hours) - (logged.get(ticket) or 0), 0)
        for ticket, hours in promised.items()
    )


def _estimate_data(estimate: Estimate) -> dict:
    return {
        "estimate_id": estimate.pk,
        "activity": estimate.activity,
        "hours": str(estimate.hours),
        "rate": str(estimate.rate),
        "amount": str(estimate.amount),
    }


def _settle(
    estimate: Estimate, status: str, user: User | None, via: str, now: dt.datetime, reason: str = ""
) -> None:
    estimate.status = status
    estimate.decided_by = user
    estimate.decided_at = now
    estimate.decided_via = via
    estimate.decline_reason = reason
    estimate.save(
        update_fields=["status", "decided_by", "decided_at", "decided_via", "decline_reason"]
    )


def check_can_decide(estimate: Estimate, user: User) -> None:
    """The requester or their customer's admin answers; staff never answers for them."""
    check_allowed(user, Permission.ESTIMATE_ANSWER)
    ticket = estimate.ticket
    if user.customer_id != ticket.customer_id:
        raise NotAllowed(_("Only the customer answers an estimate."), code="not_your_customer")
    if ticket.contact_id != user.pk and not user.is_customer_admin:
        raise NotAllowed(
            _("Only the requester or your organization's administrator may answer."),
            code="not_the_requester",
        )


@transaction.atomic
def do_decide_estimate(
    estimate: Estimate,
    *,
    accept: bool,
    acting_user: User | None,
    via: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Estimate:
    """Accept (the ticket goes on) or decline (it closes as declined, nothing is billed).
    `acting_user` is None when the answer comes from the signed link."""
    estimate = Estimate.objects.select_for_update().select_related("ticket").get(pk=estimate.pk)
    if acting_user is not None:
        check_can_decide(estimate, acting_user)
    if estimate.status != EstimateStatus.PROPOSED:
        raise Conflict(
            _("This estimate was already answered or replaced."),
            code="estimate_not_pending",
            details={"status": estimate.status},
        )
    now = now or timezone.now()
    ticket = _lock_ticket(estimate.ticket)
    if not ticket.is_open:  # declined or closed by another route meanwhile
        raise Conflict(
            _("This request is closed; the estimate can no longer be answered."),
            code="ticket_not_open",
            details={"status": ticket.status},
        )
    decider = acting_user or ticket.contact
    status = EstimateStatus.ACCEPTED if accept else EstimateStatus.DECLINED
    _settle(estimate, status, decider, via, now, "" if accept else reason.strip())
    data = {**_estimate_data(estimate), "via": via}
    if accept:
        record_event(ticket, "estimate_accepted", decider, data=data)
        if ticket.status == Status.AWAITING_CONSENT:
            do_transition(
                ticket,
                Status.IN_PROGRESS,
                acting_user=None,
                reason="The customer accepted the estimate.",
                now=now,
            )
    else:
        record_event(ticket, "estimate_declined", decider, data=data, reason=reason.strip())
        if ticket.status == Status.AWAITING_CONSENT:
            do_transition(
                ticket,
                Status.DECLINED,
                acting_user=None,
                reason=DECLINED_REASON,  # stored in English, shown by tickets.labels
                now=now,
            )
    return estimate


# --- Time ------------------------------------------------------------------------------


def _consent_cover(
    ticket: Ticket, contract: Contract | None, minutes: int, exclude: int | None
) -> int:
    """Check that billable minutes are consented to; return the minutes to draw from the
    prepaid balance (drawn first: it is already paid for)."""
    # Only the customer's own "yes" is consent to be invoiced; an estimate accepted because
    # the prepaid balance covered it allows work while that balance lasts, not beyond.
    accepted = Estimate.objects.filter(ticket=ticket, status=EstimateStatus.ACCEPTED).exclude(
        decided_via=DecidedVia.PREPAID
    ).aggregate(h=Sum("hours"))["h"] or Decimal("0")
    allowed = hours_to_minutes(accepted * (1 + conf.over_estimate_margin()))
    logged_qs = TimeEntry.objects.filter(ticket=ticket, billable=True)
    if exclude is not None:
        logged_qs = logged_qs.exclude(pk=exclude)
    logged = logged_qs.aggregate(m=Sum("minutes"))["m"] or 0
    remaining = prepaid_balance(contract).remaining_minutes
    over = max(logged + minutes - max(allowed, logged), 0)
    if over > remaining:
        raise Conflict(
            _(
                "This time goes past what the customer accepted (the estimates plus the margin) "
                "and the prepaid balance does not cover it. Propose a new estimate and log the "
                "time once the customer accepts it."
            ),
            code="consent_required",
            details={
                "accepted_hours": str(accepted.quantize(Decimal("0.01"))),
                "margin": str(conf.over_estimate_margin()),
                "logged_hours": str(minutes_to_hours(logged)),
                "requested_hours": str(minutes_to_hours(minutes)),
                "prepaid_remaining_hours": str(minutes_to_hours(remaining)),
            },
        )
    return min(minutes, remaining)


def _alert_prepaid(contract: Contract | None, ticket: Ticket) -> None:
    """Alert the customer admin and the account manager once at 80 % and once at 100 %."""
    if contract is None or contract.prepaid_hours <= 0:
        return
    balance = prepaid_balance(contract)
    for threshold in conf.prepaid_alert_thresholds():
        if balance.percent_used < threshold:
            continue
        _alert, created = PrepaidAlert.objects.get_or_create(contract=contract, threshold=threshold)
        if created:
            record_event(
                ticket,
                "prepaid_alert",
                None,
                data={
                    "contract_id": contract.pk,
                    "threshold": threshold,
                    **{k: str(v) for k, v in balance.as_dict().items()},
                },
            )
            enqueue_with_transaction(send_prepaid_alert, contract.pk, threshold)


def _check_minutes(minutes: int, day: dt.date, now: dt.datetime) -> None:
    if not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
        raise DomainError(
            _("A time entry lasts from 1 minute to 24 hours."), code="invalid_duration"
        )
    if day > timezone.localdate(now):
        raise DomainError(_("Time cannot be logged in the future."), code="date_in_future")


def _price(entry: TimeEntry, contract: Contract | None) -> None:
    entry.contract = contract
    try:
        entry.rate = rate_for(contract, entry.activity) if entry.billable else None
    except LookupError as exc:
        raise DomainError(
            _("No rate applies: the customer has no contract."), code="no_rate"
        ) from exc


@transaction.atomic
def do_log_time(
    ticket: Ticket,
    *,
    acting_user: User,
    date: dt.date,
    minutes: int,
    activity: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> TimeEntry:
    """Log staff time. Billable when the ticket is (level 2) at this moment."""
    check_allowed(acting_user, Permission.TIME_LOG)
    _check_activity(activity)
    now = now or timezone.now()
    _check_minutes(minutes, date, now)
    ticket = _lock_ticket(ticket)
    billable = bool(ticket.billable and ticket.level == 2)
    entry = TimeEntry(
        ticket=ticket,
        user=acting_user,
        date=date,
        minutes=minutes,
        activity=activity,
        note=note,
        billable=billable,
    )
    contract = current_contract(ticket.customer, date)
    if billable:
        contract = _lock_contract(contract)
        entry.prepaid_minutes = _consent_cover(ticket, contract, minutes, None)
    _price(entry, contract)
    entry.save()
    record_event(
        ticket,
        "time_logged",
        acting_user,
        internal=True,
        data={
            "time_entry_id": entry.pk,
            "minutes": minutes,
            "activity": activity,
            "billable": billable,
        },
    )
    if entry.prepaid_minutes:
        _alert_prepaid(contract, ticket)
    return entry


def _lock_entry(entry: TimeEntry, user: User) -> TimeEntry:
    check_allowed(user, Permission.TIME_LOG)
    locked = TimeEntry.objects.select_for_update().select_related("ticket").get(pk=entry.pk)
    if locked.invoice_id is not None:
        raise Conflict(
            _("This time is on an invoice and can no longer change."),
            code="time_entry_invoiced",
            details={"invoice_id": locked.invoice_id},
        )
    if locked.user_id != user.pk and not allowed(user, Permission.TIME_EDIT_ANY):
        raise NotAllowed(
            _("Only its author or a manager changes a time entry."), code="not_the_author"
        )
    return locked


@transaction.atomic
def do_edit_time(
    entry: TimeEntry,
    *,
    acting_user: User,
    date: dt.date | None = None,
    minutes: int | None = None,
    activity: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> TimeEntry:
    """Change a time entry until it is invoiced; billable time is checked for consent again."""
    entry = _lock_entry(entry, acting_user)
    now = now or timezone.now()
    was_date = entry.date
    entry.date = date or entry.date
    entry.minutes = minutes if minutes is not None else entry.minutes
    if activity is not None:
        _check_activity(activity)
        entry.activity = activity
    entry.note = entry.note if note is None else note
    _check_minutes(entry.minutes, entry.date, now)
    contract = entry.contract
    if entry.billable:
        _lock_ticket(entry.ticket)
        contract = _lock_contract(current_contract(entry.ticket.customer, entry.date))
        entry.prepaid_minutes = 0
        entry.save(update_fields=["prepaid_minutes"])  # release before drawing again
        entry.prepaid_minutes = _consent_cover(entry.ticket, contract, entry.minutes, entry.pk)
    _price(entry, contract)
    entry.save()
    record_event(
        entry.ticket,
        "time_edited",
        acting_user,
        internal=True,
        # Both days: the dashboards' roll-up recomputes the day the time left.
        data={
            "time_entry_id": entry.pk,
            "minutes": entry.minutes,
            "date": entry.date.isoformat(),
            "was_date": was_date.isoformat(),
        },
    )
    if entry.prepaid_minutes:
        _alert_prepaid(contract, entry.ticket)
    return entry


@transaction.atomic
def do_delete_time(entry: TimeEntry, *, acting_user: User) -> None:
    entry = _lock_entry(entry, acting_user)
    record_event(
        entry.ticket,
        "time_deleted",
        acting_user,
        internal=True,
        data={"minutes": entry.minutes, "date": entry.date.isoformat()},
    )
    entry.delete()


@transaction.atomic
def do_set_time_billable(
    entry: TimeEntry, billable: bool, *, acting_user: User, reason: str
) -> TimeEntry:
    """A manager overrides whether time is billed, with a recorded reason."""
    check_allowed(acting_user, Permission.TIME_BILLABLE)
    if not reason.strip():
        raise DomainError(_("Say why."), code="reason_required")
    entry = _lock_entry(entry, acting_user)
    if entry.billable == billable:
        return entry
    contract = _lock_contract(current_contract(entry.ticket.customer, entry.date))
    entry.billable = billable
    entry.billable_reason = reason.strip()
    balance = prepaid_balance(contract)
    # A manager's decision needs no estimate, but prepaid hours are still drawn first.
    entry.prepaid_minutes = min(entry.minutes, balance.remaining_minutes) if billable else 0
    _price(entry, contract)
    entry.save()
    record_event(
        entry.ticket,
        "time_billable_changed",
        acting_user,
        internal=True,
        field="billable",
        from_value=str(not billable),
        to_value=str(billable),
        reason=reason.strip(),
        data={"time_entry_id": entry.pk},
    )
    if entry.prepaid_minutes:
        _alert_prepaid(contract, entry.ticket)
    return entry


# --- Timer -----------------------------------------------------------------------------


@transaction.atomic
def do_start_timer(
    ticket: Ticket,
    *,
    acting_user: User,
    activity: str = Activity.CONSULTING,
    note: str = "",
    now: dt.datetime | None = None,
) -> Timer:
    check_allowed(acting_user, Permission.TIME_LOG)
    _check_activity(activity)
    running = Timer.objects.filter(user=acting_user).select_related("ticket").first()
    if running is not None:
        raise Conflict(
            _("Your timer already runs; stop it first."),
            code="timer_running",
            details={"ticket_id": running.ticket_id},
        )
    try:
        with transaction.atomic():
            return Timer.objects.create(
                user=acting_user,
                ticket=ticket,
                activity=activity,
                note=note,
                started_at=now or timezone.now(),
            )
    except IntegrityError as exc:  # a second start raced the first
        raise Conflict(_("Your timer already runs; stop it first."), code="timer_running") from exc


@transaction.atomic
def do_stop_timer(
    *, acting_user: User, note: str | None = None, now: dt.datetime | None = None
) -> TimeEntry:
    """Stop the running timer and log its time (rounded up to the minute)."""
    check_allowed(acting_user, Permission.TIME_LOG)
    timer = Timer.objects.select_for_update().filter(user=acting_user).first()
    if timer is None:
        raise DomainError(_("No timer is running."), code="no_timer")
    now = now or timezone.now()
    minutes = max(1, math.ceil((now - timer.started_at).total_seconds() / 60))
    timer.delete()
    return do_log_time(
        timer.ticket,
        acting_user=acting_user,
        date=timezone.localdate(timer.started_at),
        minutes=minutes,
        activity=timer.activity,
        note=timer.note if note is None else note,
        now=now,
    )
