"""Tickets: open, list and search, read with decision and explanation, converse, move."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.api import presenters as p
from palier.api.doors import needs
from palier.api.query_text import check_query_text
from palier.api.responses import json_response
from palier.api.schemas import (
    ERRORS,
    AcceptIn,
    CriticalityCode,
    DecisionOut,
    DiagnosisIn,
    EventOut,
    IdFilter,
    MessageIn,
    MessageOut,
    NoteIn,
    PageLimit,
    StatusCode,
    TicketDetailOut,
    TicketIn,
    TicketPageOut,
    TicketPatch,
    TransitionIn,
)
from palier.customers.models import Customization, Module, ProductVersion
from palier.customers.queries import access_customer_by_id, visible_customizations
from palier.lib.errors import DomainError, NotAllowed
from palier.lib.rows import one_or_none, row_by_pk
from palier.policy import RequestType
from palier.tickets import actions
from palier.tickets.explanations import explain
from palier.tickets.models import Channel
from palier.tickets.queries import (
    QUEUES,
    TicketFilters,
    access_ticket_by_id,
    list_tickets,
    ticket_history,
    ticket_messages,
)
from palier.tickets.states import Status

router = Router(tags=["tickets"])


def _lang(request, ticket) -> str:
    asked = request.GET.get("lang")
    if asked in ("en", "fr", "de", "it"):
        return asked
    user: User = request.auth
    return ticket.language if user.is_contact else (user.language or ticket.language)


def _detail(request, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.auth, ticket_id)
    return json_response(p.ticket_detail_out(ticket, request.auth, _lang(request, ticket)))


def _obj(qs, pk: int | None, what: str):
    if pk is None:
        return None
    obj = one_or_none(qs.filter(pk=pk))
    if obj is None:
        raise Http404(what)
    return obj


def _row(model, pk: int | None, what: str):
    """As _obj(model.objects.all(), ...), with a statement written once (lib/rows.py)."""
    if pk is None:
        return None
    obj = row_by_pk(model, pk)
    if obj is None:
        raise Http404(what)
    return obj


class RefusedOut(Schema):
    error: dict


@router.post(
    "/tickets",
    response={201: TicketDetailOut, **ERRORS, 403: RefusedOut},
    openapi_extra=needs(Permission.TICKET_OPEN),
)
def open_ticket(request, payload: TicketIn):
    """Open a request. The policy decides it at once: the answer carries the decision and its
    explanation. Without an active contract the answer is 403 with the refusal code, the
    date that matters and the explanation; the request is kept for the account manager."""
    user: User = request.auth
    if user.is_contact:
        if payload.customer_id not in (None, user.customer_id):
            raise Http404("customer")
        if payload.contact_id not in (None, user.pk):
            raise NotAllowed(
                _("A contact opens requests in their own name."), code="not_in_own_name"
            )
        customer, contact = user.customer, user
        if payload.channel.value in (Channel.PHONE, Channel.EMAIL):
            raise DomainError(
                _("Contacts open requests through the portal or the API."), code="invalid_channel"
            )
    else:
        if payload.customer_id is None:
            raise DomainError(
                _("Say which customer the request is for (customer_id)."),
                code="customer_required",
            )
        customer = access_customer_by_id(user, payload.customer_id)
        contact = _obj(customer.contacts.all(), payload.contact_id, "contact")
    ticket = actions.do_open_ticket(
        acting_user=user,
        customer=customer,
        contact=contact,
        request_type=payload.type.value,
        subject=payload.subject,
        description=payload.description,
        module=_row(Module, payload.module_id, "module"),
        customization=_obj(
            visible_customizations(user).filter(customer=customer),
            payload.customization_id,
            "customization",
        )
        if payload.customization_id is not None
        else None,
        product_version=_row(ProductVersion, payload.product_version_id, "version"),
        criticality=payload.criticality.value,
        channel=payload.channel.value,
        language=payload.language.value if payload.language else None,
        visibility=payload.visibility.value if payload.visibility else None,
    )
    if ticket.status == Status.REFUSED:
        decision = ticket.decision
        text = explain(decision, ticket.language, module=ticket.module)
        return 403, {
            "error": {
                "code": decision.refusal,
                "message": text.refusal,
                "details": {
                    "refusal": decision.refusal,
                    "date": decision.refusal_date.isoformat() if decision.refusal_date else None,
                    "ticket": {"id": ticket.pk, "reference": ticket.reference},
                    "explanation": {"language": ticket.language, **text.as_dict()},
                },
            }
        }
    return json_response(p.ticket_detail_out(ticket, user, ticket.language), status=201)


# The longest search text: a longer one is refused, not cut (api.query_text).
Q_LIMIT = 200
QueueCode = StrEnum("QueueCode", {q.upper(): q for q in QUEUES})


class ListParams(Schema):
    status: list[StatusCode] = []
    level: Annotated[int, Field(ge=1, le=2)] | None = None
    type: RequestType | None = None
    criticality: CriticalityCode | None = None
    customer_id: IdFilter | None = None
    module_id: IdFilter | None = None
    assignee_id: IdFilter | None = None
    queue: QueueCode | None = None
    mine: bool = False
    q: str = ""
    sort: Literal["-created", "created", "-updated", "updated"] = "-created"
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/tickets", response={200: TicketPageOut, **ERRORS})
def list_ticket_page(request, params: Query[ListParams]):
    """List the tickets the caller may see, newest first, 50 a page (cursor pagination).
    `q` searches subjects, descriptions and messages (and is a reference when it looks like
    one). `queue` is one of: level1, level2, rnd, consent, waiting, unassigned, to_qualify,
    refused, open.

    `q` has at most 200 characters and is given once: past that, or given twice, the answer
    is 422 (`q_too_long`, `q_repeated`). It searches its words (letters and digits): a `q`
    with none (only punctuation, `%`, `_`) has nothing to search for and is answered as if
    absent, every ticket the other filters keep."""
    q = check_query_text(request, params.q, limit=Q_LIMIT)
    if params.queue and params.queue not in QUEUES:
        raise DomainError(
            _("Unknown queue; use one of %(queues)s.") % {"queues": ", ".join(QUEUES)},
            code="invalid_queue",
        )
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), code="invalid_limit")
    filters = TicketFilters(
        status=[s.value for s in params.status],
        level=params.level,
        type=params.type.value if params.type else None,
        criticality=params.criticality.value if params.criticality else None,
        customer_id=params.customer_id,
        module_id=params.module_id,
        assignee_id=params.assignee_id,
        queue=params.queue.value if params.queue else None,
        mine=params.mine,
        q=q,
    )
    page = list_tickets(
        request.auth,
        filters,
        sort=params.sort,
        cursor=params.cursor,
        limit=params.limit,
        values=p.TICKET_ROW_FIELDS,
    )
    staff = request.auth.is_staff_member
    with translation.override(request.auth.language):
        language = translation.get_language()
        items = [p.ticket_row_out(row, staff, language) for row in page.items]
    return json_response({"items": items, "next_cursor": page.next_cursor})


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, **ERRORS})
def get_ticket(request, ticket_id: int, lang: str | None = None):
    """A ticket with its current decision and the explanation in `lang` (or its language)."""
    return _detail(request, ticket_id)


def _apply_changes(request, ticket, payload: TicketPatch) -> None:
    user: User = request.auth
    version = payload.expected_version
    fields = payload.model_fields_set
    changes: dict = {}
    if "type" in fields and payload.type is not None:
        changes["request_type"] = payload.type.value
    if "module_id" in fields:
        changes["module"] = _obj(Module.objects.all(), payload.module_id, "module")
    if "customization_id" in fields:
        changes["customization"] = (
            None
            if not payload.customization_id
            else _obj(
                Customization.objects.filter(customer=ticket.customer),
                payload.customization_id,
                "customization",
            )
        )
    if changes:
        ticket = actions.do_change_request(
            ticket, acting_user=user, reason=payload.reason, expected_version=version, **changes
        )
        version = None
    if payload.criticality is not None:
        ticket = actions.do_change_criticality(
            ticket,
            payload.criticality.value,
            acting_user=user,
            reason=payload.reason,
            expected_version=version,
        )
        version = None
    if "assignee_id" in fields:
        assignee = None
        if payload.assignee_id:
            assignee = _obj(User.objects.filter(customer__isnull=True), payload.assignee_id, "user")
        actions.do_assign(ticket, assignee, acting_user=user, expected_version=version)


@router.patch(
    "/tickets/{ticket_id}",
    response={200: TicketDetailOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_QUALIFY),
)
def change_ticket(request, ticket_id: int, payload: TicketPatch):
    """Staff: change type, module or customization (the policy decides again), criticality
    (with a reason), or the assignee."""
    user: User = request.auth
    ticket = access_ticket_by_id(user, ticket_id)
    # Each change's action checks its own row; this refuses an empty change as well.
    check_allowed(user, Permission.TICKET_QUALIFY)
    # One transaction: a refused criticality must not leave a type change half-applied.
    with transaction.atomic():
        _apply_changes(request, ticket, payload)
    return _detail(request, ticket_id)


@router.get("/tickets/{ticket_id}/messages", response={200: list[MessageOut], **ERRORS})
def list_messages(request, ticket_id: int):
    """The conversation; contacts never see internal notes."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    return [p.message_out(m) for m in ticket_messages(request.auth, ticket)[:1000]]


@router.post(
    "/tickets/{ticket_id}/replies",
    response={201: MessageOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_REPLY),
)
def reply(request, ticket_id: int, payload: MessageIn):
    ticket = access_ticket_by_id(request.auth, ticket_id)
    message = actions.do_add_message(
        ticket,
        acting_user=request.auth,
        body=payload.body,
        channel=Channel.API,
        expected_version=payload.expected_version,
    )
    return 201, p.message_out(message)


@router.post(
    "/tickets/{ticket_id}/notes",
    response={201: MessageOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_NOTE),
)
def add_note(request, ticket_id: int, payload: NoteIn):
    """Staff: an internal note, or a logged phone call or remote session."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    channel = Channel.PHONE if payload.activity != "message" else Channel.API
    message = actions.do_add_message(
        ticket,
        acting_user=request.auth,
        body=payload.body,
        internal=True,
        channel=channel,
        activity=payload.activity,
        expected_version=payload.expected_version,
    )
    return 201, p.message_out(message)


@router.post(
    "/tickets/{ticket_id}/diagnosis",
    response={200: TicketDetailOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_DIAGNOSE),
)
def diagnose(request, ticket_id: int, payload: DiagnosisIn):
    """Staff: record a finding of POLICY.md table D."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    actions.do_diagnose(
        ticket,
        payload.finding.value,
        acting_user=request.auth,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/transitions",
    response={200: TicketDetailOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_TRANSITION),
)
def transition(request, ticket_id: int, payload: TransitionIn):
    """Move the ticket along the lifecycle; edges outside the table answer 409."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    actions.do_transition(
        ticket,
        payload.to.value,
        acting_user=request.auth,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/accept",
    response={200: TicketDetailOut, **ERRORS},
    openapi_extra=needs(Permission.TICKET_ACCEPT_REFUSED),
)
def accept_refused(request, ticket_id: int, payload: AcceptIn):
    """Manager: accept a refused request anyway, with a reason."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    actions.do_accept_refused(
        ticket,
        acting_user=request.auth,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ticket_id)


@router.get("/tickets/{ticket_id}/history", response={200: list[EventOut], **ERRORS})
def history(request, ticket_id: int):
    """Every change: who, when, from, to and why."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    return [p.event_out(e, request.auth) for e in ticket_history(request.auth, ticket)[:2000]]


@router.get("/tickets/{ticket_id}/decisions", response={200: list[DecisionOut], **ERRORS})
def decisions(request, ticket_id: int):
    """Every decision the policy took on this ticket, oldest first."""
    ticket = access_ticket_by_id(request.auth, ticket_id)
    return [p.decision_out(d, request.auth) for d in ticket.decisions.all()]
