"""Every write on a ticket. Web, API, mail, commands and tests all come through here.

Each action runs in one transaction, locks the ticket row, raises its version, records a
`TicketEvent` and queues its side effects with that transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.customers.models import Customer, Customization, Module, ProductVersion
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.lib.rows import insert_row
from palier.lib.visible import NOTHING_VISIBLE, visible_line
from palier.policy import (
    Decision as PolicyDecision,
)
from palier.policy import (
    Finding,
    PolicyError,
    check_entitlement,
    decide_accepted_anyway,
    decide_after_finding,
)
from palier.tickets import search
from palier.tickets.facts import contract_facts, decide_request, request_facts
from palier.tickets.models import (
    Activity,
    Channel,
    Criticality,
    Decision,
    DecisionKind,
    EventKind,
    Message,
    Ticket,
    TicketEvent,
)
from palier.tickets.notifications import queue_event
from palier.tickets.queries import customer_language
from palier.tickets.states import CONTACT, STAFF, SYSTEM, Status, check_transition


def actor_kind(user: User | None) -> str:
    if user is None:
        return SYSTEM
    return STAFF if user.is_staff_member else CONTACT


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now else timezone.localdate()


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("This ticket was changed by someone else; reload it and try again."),
            code="version_conflict",
            details={"expected_version": expected_version, "current_version": locked.version},
        )
    return locked


def record_event(ticket: Ticket, kind: str, actor: User | None, **fields) -> TicketEvent:
    """Record a change of a ticket and queue its side effects. Other apps' actions call this
    inside their own transaction (e.g. `consent_requested`, `patch_available`)."""
    event = TicketEvent(ticket=ticket, kind=kind, actor=actor, **fields)
    insert_row(event)
    queue_event(event)
    return event


def _save(ticket: Ticket, fields: list[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _store_decision(
    ticket: Ticket,
    decision: PolicyDecision,
    kind: str,
    *,
    actor: User | None,
    finding: str = "",
    note: str = "",
    new_ticket: bool = False,
) -> Decision:
    stored = Decision(
        ticket=ticket,
        kind=kind,
        accepted=decision.accepted,
        level=decision.level,
        billable=decision.billable,
        rnd=decision.rnd,
        reason=decision.reason.value if decision.reason else "",
        refusal=decision.refusal.value if decision.refusal else "",
        refusal_date=decision.refusal_date,
        finding=finding,
        rules=list(decision.rules),
        facts=decision.facts_as_dict(),
        note=note,
        decided_by=actor,
    )
    if new_ticket:
        # The ticket's id is taken by the decision's own statement (lib/rows.py).
        insert_row(stored, new_id_for="ticket")
        ticket.pk = stored.ticket_id
        stored.ticket = ticket
    else:
        insert_row(stored)
    ticket.decision = stored
    ticket.level = decision.level
    ticket.billable = decision.billable
    ticket.reason = stored.reason
    return stored


def _check_request_fields(
    customer: Customer,
    module: Module | None,
    customization: Customization | None,
    product_version: ProductVersion | None,
) -> Module | None:
    if customization is not None:
        if customization.customer_id != customer.pk:
            raise DomainError(
                _("This customization belongs to another customer."), code="invalid_customization"
            )
        if module is None:
            module = customization.module
        elif module.pk != customization.module_id:
            raise DomainError(
                _("The customization is in another module than the request."),
                code="customization_module_mismatch",
            )
    if (
        product_version is not None
        and module is not None
        and product_version.product_id != module.product_id
    ):
        raise DomainError(
            _("The version is of another product than the module."), code="version_mismatch"
        )
    return module


def do_open_ticket(
    *,
    acting_user: User,
    customer: Customer,
    contact: User | None,
    request_type: str | None,
    subject: str,
    description: str = "",
    module: Module | None = None,
    customization: Customization | None = None,
    product_version: ProductVersion | None = None,
    criticality: str = Criticality.MEDIUM,
    channel: str = Channel.PORTAL,
    language: str | None = None,
    visibility: str | None = None,
    suggested_type: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Take a request: decide it by the policy and store it, accepted or refused.

    A refused request is kept as a ticket in status `refused` (the account manager sees it;
    a manager may accept it anyway). `request_type` is None for a mailed request still to be
    qualified: entitlement is checked, and the policy decides when an agent sets the type.
    """
    check_allowed(acting_user, Permission.TICKET_OPEN)
    if contact is not None and contact.customer_id != customer.pk:
        raise DomainError(_("This contact belongs to another customer."), code="invalid_contact")
    if acting_user.is_contact and acting_user.customer_id != customer.pk:
        raise NotAllowed(
            _("You can only open requests for your own organization."), code="not_your_customer"
        )
    subject = visible_line(subject)
    if not subject:
        # Every channel comes through here: the API and the forms said it on the field first.
        raise DomainError(str(NOTHING_VISIBLE), code="subject_required")
    module = _check_request_fields(customer, module, customization, product_version)
    today = _today(now)
    if request_type is None:
        decision = check_entitlement(contract_facts(customer, today)[1], today)
    else:
        decision = decide_request(customer, request_type, module, customization, today)

    # Decided before the write transaction: on SQLite that transaction holds the one write
    # lock the other workers wait for, so it holds the writes only.
    with transaction.atomic():
        ticket = Ticket(
            customer=customer,
            contact=contact,
            created_by=acting_user,
            channel=channel,
            language=language or customer_language(customer, contact),
            type=request_type,
            suggested_type=suggested_type,
            module=module,
            customization=customization,
            product_version=product_version,
            criticality=criticality,
            subject=subject,
            description=description,
            visibility=visibility or customer.default_visibility,
            status=Status.NEW if decision is None or decision.accepted else Status.REFUSED,
        )
        if decision is not None:
            # The decision is stored first, its statement taking the ticket's id, so that the
            # ticket is inserted pointing at it (both links are checked at commit): updating
            # the new ticket afterwards rewrote every index of the table.
            _store_decision(ticket, decision, DecisionKind.INTAKE, actor=None, new_ticket=True)
        insert_row(ticket)
        search.index_ticket(
            ticket.pk, f"{ticket.subject}\n{ticket.description}\n{ticket.reference}", new=True
        )
        if ticket.status == Status.REFUSED:
            record_event(
                ticket,
                EventKind.REFUSED,
                acting_user,
                to_value=Status.REFUSED,
                reason=decision.refusal.value if decision and decision.refusal else "",
            )
        else:
            record_event(
                ticket,
                EventKind.CREATED,
                acting_user,
                to_value=Status.NEW,
                data={"channel": channel, "reason": ticket.reason, "level": ticket.level},
            )
    return ticket


@transaction.atomic
def do_accept_refused(
    ticket: Ticket,
    *,
    acting_user: User,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """A manager accepts a refused request anyway, with a recorded reason."""
    check_allowed(acting_user, Permission.TICKET_ACCEPT_REFUSED)
    if not reason.strip():
        raise DomainError(_("Say why the request is accepted."), code="reason_required")
    ticket = _lock(ticket, expected_version)
    check_transition(ticket.status, Status.NEW, SYSTEM)
    today = _today(now)
    _contract, cfacts = contract_facts(ticket.customer, today)
    if ticket.type:
        facts = request_facts(
            ticket.type, ticket.module.name if ticket.module else "", ticket.customization
        )
        _store_decision(
            ticket,
            decide_accepted_anyway(facts, cfacts, today),
            DecisionKind.OVERRIDE,
            actor=acting_user,
            note=reason,
        )
    else:
        ticket.decision = None
        ticket.level = None
        ticket.billable = False
        ticket.reason = ""
    ticket.status = Status.NEW
    _save(ticket, ["status", "decision", "level", "billable", "reason"])
    record_event(
        ticket,
        EventKind.ACCEPTED_ANYWAY,
        acting_user,
        field="status",
        from_value=Status.REFUSED,
        to_value=Status.NEW,
        reason=reason,
    )
    return ticket


_UNSET = object()


@transaction.atomic
def do_change_request(
    ticket: Ticket,
    *,
    acting_user: User,
    request_type: str | None | object = _UNSET,
    module: Module | None | object = _UNSET,
    customization: Customization | None | object = _UNSET,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Change the type, module or customization; the policy decides again (rule L)."""
    check_allowed(acting_user, Permission.TICKET_QUALIFY)
    ticket = _lock(ticket, expected_version)
    if ticket.status == Status.REFUSED:
        raise DomainError(
            _("Accept the refused request before changing it."), code="ticket_refused"
        )
    if not ticket.is_open:
        raise DomainError(_("This ticket is no longer open."), code="ticket_not_open")
    before = {
        "type": ticket.type or "",
        "module": ticket.module.name if ticket.module else "",
        "customization": str(ticket.customization) if ticket.customization else "",
    }
    new_type = ticket.type if request_type is _UNSET else request_type
    new_custom = ticket.customization if customization is _UNSET else customization
    new_module = ticket.module if module is _UNSET else module
    if customization is not _UNSET and new_custom is not None and module is _UNSET:
        new_module = new_custom.module
    new_module = _check_request_fields(
        ticket.customer, new_module, new_custom, ticket.product_version
    )
    ticket.type, ticket.module, ticket.customization = new_type, new_module, new_custom
    after = {
        "type": ticket.type or "",
        "module": ticket.module.name if ticket.module else "",
        "customization": str(ticket.customization) if ticket.customization else "",
    }
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return ticket
    for name in changed:
        record_event(
            ticket,
            EventKind.FIELD,
            acting_user,
            field=name,
            from_value=before[name],
            to_value=after[name],
            reason=reason,
        )
    if ticket.type:
        decision = decide_request(
            ticket.customer,
            ticket.type,
            ticket.module,
            ticket.customization,
            _today(now),
            requalifying=True,
            finding=ticket.decision.finding if ticket.decision else "",
        )
        previous = ticket.reason
        _store_decision(
            ticket,
            decision,
            DecisionKind.CHANGE,
            actor=acting_user,
            finding=decision.facts.get("finding", ""),
            note=reason,
        )
        record_event(
            ticket,
            EventKind.DECISION,
            acting_user,
            field="reason",
            from_value=previous,
            to_value=ticket.reason,
            reason=reason,
            data={"level": ticket.level, "billable": ticket.billable},
        )
    _save(ticket, ["type", "module", "customization", "decision", "level", "billable", "reason"])
    return ticket


@transaction.atomic
def do_diagnose(
    ticket: Ticket,
    finding: str,
    *,
    acting_user: User,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Record a diagnosis finding (rule D): it moves the ticket and may change billability."""
    check_allowed(acting_user, Permission.TICKET_DIAGNOSE)
    ticket = _lock(ticket, expected_version)
    if ticket.decision is None or not ticket.type:
        raise DomainError(
            _("Qualify the request (its type) before diagnosing it."), code="not_qualified"
        )
    if not ticket.is_open:
        raise DomainError(_("This ticket is no longer open."), code="ticket_not_open")
    current = ticket.decision
    current_policy = PolicyDecision(
        accepted=current.accepted,
        level=current.level,
        billable=current.billable,
        reason=current.reason or None,
        rnd=current.rnd,
        rules=tuple(current.rules),
        facts=current.facts,
    )
    facts = request_facts(
        ticket.type, ticket.module.name if ticket.module else "", ticket.customization
    )
    try:
        decision = decide_after_finding(current_policy, facts, Finding(finding), _today(now))
    except PolicyError as exc:
        raise DomainError(
            _("This finding does not apply to this request."),
            code="finding_not_applicable",
            details={"why": str(exc)},
        ) from exc
    previous = {"level": ticket.level, "billable": ticket.billable, "reason": ticket.reason}
    _store_decision(
        ticket, decision, DecisionKind.DIAGNOSIS, actor=acting_user, finding=finding, note=note
    )
    fields = ["decision", "level", "billable", "reason"]
    old_status = ticket.status
    if decision.rnd and ticket.status != Status.WITH_RND:
        check_transition(ticket.status, Status.WITH_RND, STAFF)
        ticket.status = Status.WITH_RND
    elif ticket.status == Status.NEW or (not decision.rnd and ticket.status == Status.WITH_RND):
        ticket.status = Status.IN_PROGRESS
    if ticket.status != old_status:
        fields.append("status")
        record_event(
            ticket,
            EventKind.STATUS,
            acting_user,
            field="status",
            from_value=old_status,
            to_value=ticket.status,
            # The finding's note stays with the (staff-only) diagnosis; the customer reads
            # the new explanation instead.
        )
    record_event(
        ticket,
        EventKind.DIAGNOSIS,
        acting_user,
        field="reason",
        from_value=previous["reason"],
        to_value=ticket.reason,
        reason=note,
        data={
            "finding": finding,
            "level": ticket.level,
            "billable": ticket.billable,
            "from_level": previous["level"],
            "from_billable": previous["billable"],
        },
    )
    _save(ticket, fields)
    return ticket


def _stamp_status_times(ticket: Ticket, target: str, now: dt.datetime) -> list[str]:
    if target == Status.RESOLVED:
        ticket.resolved_at = now
        return ["resolved_at"]
    if target in (Status.CLOSED, Status.DECLINED):
        ticket.closed_at = now
        return ["closed_at"]
    if target == Status.IN_PROGRESS and ticket.resolved_at:
        ticket.resolved_at = None
        return ["resolved_at"]
    return []


def decides_for_request(ticket: Ticket, user: User) -> bool:
    """A customer's request is closed, reopened or moved on by the contact who opened it or
    by the customer's admin; colleagues who follow a shared request read and reply only."""
    return (
        user.is_staff_member
        or ticket.contact_id == user.pk
        or (user.is_customer_admin and user.customer_id == ticket.customer_id)
    )


def check_decides_for_request(ticket: Ticket, user: User) -> None:
    if not decides_for_request(ticket, user):
        raise NotAllowed(
            _(
                "Only the person who opened this request, or your organization's administrator, "
                "can do that."
            ),
            code="not_the_requester",
        )


def check_can_reopen(ticket: Ticket, user: User, now: dt.datetime) -> None:
    if actor_kind(user) != CONTACT or ticket.status != Status.RESOLVED:
        return
    window = dt.timedelta(days=settings.PALIER_REOPEN_DAYS)
    if ticket.resolved_at and now - ticket.resolved_at > window:
        raise DomainError(
            _("The reopen window has passed; please open a new request."),
            code="reopen_window_passed",
        )


@transaction.atomic
def do_transition(
    ticket: Ticket,
    target: str,
    *,
    acting_user: User | None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Move a ticket along the lifecycle; an edge not in the table is refused."""
    if acting_user is not None:
        check_allowed(acting_user, Permission.TICKET_TRANSITION)
    ticket = _lock(ticket, expected_version)
    kind = actor_kind(acting_user)
    check_transition(ticket.status, target, kind)
    if kind == CONTACT:
        check_decides_for_request(ticket, acting_user)
    now = now or timezone.now()
    if target == Status.IN_PROGRESS and acting_user is not None:
        check_can_reopen(ticket, acting_user, now)
    old = ticket.status
    ticket.status = target
    fields = ["status", *_stamp_status_times(ticket, target, now)]
    _save(ticket, fields)
    event_kind = (
        EventKind.REOPENED
        if old == Status.RESOLVED and target == Status.IN_PROGRESS
        else EventKind.STATUS
    )
    record_event(
        ticket,
        event_kind,
        acting_user,
        field="status",
        from_value=old,
        to_value=target,
        reason=reason,
    )
    return ticket


@transaction.atomic
def do_assign(
    ticket: Ticket, assignee: User | None, *, acting_user: User, expected_version: int | None = None
) -> Ticket:
    check_allowed(acting_user, Permission.TICKET_ASSIGN)
    if assignee is not None and not assignee.is_staff_member:
        raise DomainError(_("Tickets are assigned to staff only."), code="invalid_assignee")
    ticket = _lock(ticket, expected_version)
    old = ticket.assignee
    if old == assignee:
        return ticket
    ticket.assignee = assignee
    _save(ticket, ["assignee"])
    record_event(
        ticket,
        EventKind.ASSIGNED,
        acting_user,
        field="assignee",
        from_value=old.username if old else "",
        to_value=assignee.username if assignee else "",
        internal=True,
        data={"assignee_id": assignee.pk if assignee else None},
    )
    return ticket


@transaction.atomic
def do_change_criticality(
    ticket: Ticket,
    criticality: str,
    *,
    acting_user: User,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """Level 1 may change the criticality while qualifying; the customer is told why."""
    check_allowed(acting_user, Permission.TICKET_QUALIFY)
    if criticality not in Criticality.values:
        raise DomainError(_("Unknown criticality."), code="invalid_criticality")
    if not reason.strip():
        raise DomainError(_("Say why the criticality changes."), code="reason_required")
    ticket = _lock(ticket, expected_version)
    if not ticket.is_open:
        raise DomainError(_("This ticket is no longer open."), code="ticket_not_open")
    if ticket.criticality == criticality:
        return ticket
    old = ticket.criticality
    ticket.criticality = criticality
    _save(ticket, ["criticality"])
    record_event(
        ticket,
        EventKind.FIELD,
        acting_user,
        field="criticality",
        from_value=old,
        to_value=criticality,
        reason=reason,
    )
    return ticket


def _take_on(ticket: Ticket, replier: User) -> list[str]:
    """A staff member's public reply to a new request takes it on: the request is in
    progress, and theirs if nobody has it. The customer reads the reply itself; these two
    changes are recorded as internal events (no second mail)."""
    check_transition(ticket.status, Status.IN_PROGRESS, STAFF)
    record_event(
        ticket,
        EventKind.STATUS,
        replier,
        field="status",
        from_value=ticket.status,
        to_value=Status.IN_PROGRESS,
        internal=True,
    )
    ticket.status = Status.IN_PROGRESS
    fields = ["status"]
    if ticket.assignee_id is None:
        ticket.assignee = replier
        fields.append("assignee")
        record_event(
            ticket,
            EventKind.ASSIGNED,
            replier,
            field="assignee",
            to_value=replier.username,
            internal=True,
            data={"assignee_id": replier.pk},
        )
    return fields


@transaction.atomic
def do_add_message(
    ticket: Ticket,
    *,
    acting_user: User | None,
    body: str,
    internal: bool = False,
    channel: str = Channel.PORTAL,
    activity: str = Activity.MESSAGE,
    body_html: str = "",
    author_name: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Add a public reply or an internal note; a customer's reply moves the ticket on."""
    if acting_user is not None:
        note = internal or activity != Activity.MESSAGE
        check_allowed(acting_user, Permission.TICKET_NOTE if note else Permission.TICKET_REPLY)
    elif internal or activity != Activity.MESSAGE:
        raise NotAllowed(_("Only the support team can write internal notes."))
    if not body.strip():
        raise DomainError(_("The message is empty."), code="empty_message")
    kind = actor_kind(acting_user)
    ticket = _lock(ticket, expected_version)
    now = now or timezone.now()
    from_customer = kind == CONTACT
    if from_customer and ticket.status in (Status.CLOSED, Status.DECLINED, Status.REFUSED):
        raise DomainError(
            _("This ticket is closed; please open a new request."), code="ticket_closed"
        )
    message = Message.objects.create(
        ticket=ticket,
        author=acting_user,
        author_name=author_name or (str(acting_user) if acting_user else ""),
        body=body,
        body_html=body_html,
        internal=internal,
        channel=channel,
        activity=activity,
        from_customer=from_customer,
    )
    search.append_to_index(ticket.pk, body, internal=internal)
    fields: list[str] = []
    if from_customer:
        ticket.last_customer_message_at = now
        fields.append("last_customer_message_at")
        target = None
        if ticket.status == Status.WAITING_CUSTOMER:
            target = Status.IN_PROGRESS
        elif ticket.status == Status.RESOLVED:
            check_can_reopen(ticket, acting_user, now)
            target = Status.IN_PROGRESS
        if target:
            old = ticket.status
            ticket.status = target
            fields += ["status", *_stamp_status_times(ticket, target, now)]
            record_event(
                ticket,
                EventKind.REOPENED if old == Status.RESOLVED else EventKind.STATUS,
                acting_user,
                field="status",
                from_value=old,
                to_value=target,
            )
    elif not internal and kind == STAFF:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        if ticket.status == Status.NEW:
            fields += _take_on(ticket, acting_user)
    kind_of_event = (
        EventKind.NOTE
        if internal
        else EventKind.CUSTOMER_REPLY
        if from_customer
        else EventKind.REPLY
    )
    record_event(
        ticket,
        kind_of_event,
        acting_user,
        internal=internal,
        data={"message_id": message.pk, "activity": activity},
    )
    _save(ticket, fields)
    return message
