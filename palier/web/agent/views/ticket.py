"""The ticket page of the workspace and the actions taken from it.

Every form posts to `ticket_action`, which parses it and calls one action of
palier.tickets.actions; a refused action re-renders the page with the message next to the
form and the user's text kept, so nothing typed is lost (a Conflict included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.lib.errors import Conflict, DomainError
from palier.lib.money import format_chf
from palier.policy import Finding, RequestType
from palier.tickets import actions
from palier.tickets.explanations import explain
from palier.tickets.facts import decide_request
from palier.tickets.models import Activity, Channel, EventKind, Ticket, TicketEvent
from palier.tickets.queries import access_ticket_by_id, ticket_history, ticket_messages
from palier.tickets.states import STAFF, Status, allowed_targets
from palier.web.access import staff_required
from palier.web.agent.forms import (
    AcceptRefusedForm,
    ActivityForm,
    AssignForm,
    ChangeRequestForm,
    CriticalityForm,
    DiagnoseForm,
    EscalateForm,
    NoteForm,
    ReplyForm,
    TransitionForm,
)
from palier.web.agent.views.rnd import escalate, rnd_context
from palier.workspace.actions import do_heartbeat
from palier.workspace.queries import customer_facts, others_on_ticket

# Events other apps record (consent, patches) have kinds outside EventKind: shown as is.
EVENT_LABELS = dict(EventKind.choices)


STATUS_LABELS = dict(Status.choices)


def _event_row(event: TicketEvent) -> tuple[TicketEvent, str, str, str]:
    """An event with its label and, for statuses, readable from and to values."""

    def show(value: str) -> str:
        return str(STATUS_LABELS.get(value, value)) if value in STATUS_LABELS else value

    return (
        event,
        EVENT_LABELS.get(event.kind, event.kind),
        show(event.from_value),
        show(event.to_value),
    )


class NewerCustomerMessage(DomainError):
    code = "newer_customer_message"
    status = 409


def finding_choices(ticket: Ticket) -> list[str]:
    """The findings of table D that apply to this ticket as it stands. D4 is not among
    them: it goes through the escalation form, which links the ticket to a defect."""
    choices = []
    for finding in Finding:
        if finding == Finding.PRODUCT_DEFECT:
            continue
        malfunction_only = finding == Finding.CUSTOMER_MANIPULATION
        if malfunction_only and ticket.type != RequestType.MALFUNCTION:
            continue
        if finding == Finding.BACK_TO_LEVEL_1 and ticket.level != 2:
            continue
        choices.append(finding.value)
    return choices


def build_form(name: str, ticket: Ticket, data: Any = None) -> forms.Form:
    initial = {"expected_version": ticket.version}
    if name == "change":
        initial |= {
            "type": ticket.type,
            "module": ticket.module_id,
            "customization": ticket.customization_id,
        }
        return ChangeRequestForm(data, initial=initial, customer=ticket.customer)
    if name == "assign":
        return AssignForm(data, initial=initial | {"assignee": ticket.assignee_id})
    if name == "diagnose":
        return DiagnoseForm(data, initial=initial, choices=finding_choices(ticket))
    if name == "transition":
        return TransitionForm(data, initial=initial, targets=allowed_targets(ticket.status, STAFF))
    if name == "criticality":
        return CriticalityForm(data, initial=initial | {"criticality": ticket.criticality})
    simple = {
        "reply": ReplyForm,
        "note": NoteForm,
        "activity": ActivityForm,
        "accept": AcceptRefusedForm,
        "escalate": EscalateForm,
    }
    if name not in simple:
        raise Http404("action")
    return simple[name](data, initial=initial)


def fact_rows(facts: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The stored facts as flat `contract.end: 2026-12-31` rows, for the rules panel."""
    for key, value in facts.items():
        if isinstance(value, dict):
            yield from fact_rows(value, f"{prefix}{key}.")
        elif value not in (None, ""):
            yield f"{prefix}{key}", value


def preview_decision(ticket: Ticket, data: dict[str, Any]) -> dict[str, Any]:
    """What the policy would decide with the changed fields (as do_change_request will)."""
    decision = decide_request(
        ticket.customer,
        data["type"],
        data.get("module"),
        data.get("customization"),
        timezone.localdate(),
        requalifying=True,
    )
    return {
        "decision": decision,
        "explanation": explain(decision, get_language()),
        "changed": (decision.level, decision.billable, decision.reason or "")
        != (ticket.level, ticket.billable, ticket.reason),
    }


def _context(request: HttpRequest, ticket: Ticket, bound: dict[str, forms.Form]) -> dict:
    user: User = request.user
    conversation = list(ticket_messages(user, ticket))
    names = [*HANDLERS]
    ticket_forms = {name: bound.get(name) or build_form(name, ticket) for name in names}
    decision = ticket.decision
    panel = customer_facts(ticket.customer, exclude=ticket)
    return {
        "ticket": ticket,
        "conversation": conversation,
        "last_message_id": max((m.pk for m in conversation), default=0),
        "events": [_event_row(e) for e in ticket_history(user, ticket)],
        "decision": decision,
        "explanation": explain(decision, get_language()) if decision else None,
        "facts": list(fact_rows(decision.facts)) if decision else [],
        "customer_facts": panel,
        "contract_rate": format_chf(panel.contract.hourly_rate) if panel.contract else "",
        "others": others_on_ticket(ticket, user),
        "targets": allowed_targets(ticket.status, STAFF),
        "can_diagnose": bool(decision and ticket.type and ticket.is_open),
        "can_change": ticket.is_open and ticket.status != Status.REFUSED,
        "can_accept": ticket.status == Status.REFUSED and user.is_manager,
        "is_refused": ticket.status == Status.REFUSED,
        "forms": ticket_forms,
        **rnd_context(ticket),
    }


def render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    extra: dict | None = None,
) -> HttpResponse:
    context = _context(request, ticket, bound or {})
    context.update(extra or {})
    return render(request, "web/agent/ticket.html", context, status=status)


@staff_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    do_heartbeat(ticket, acting_user=request.user)
    return render_ticket(request, ticket)


@require_POST
@staff_required
def presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The heartbeat of an open ticket page (htmx, every 20 s): answers who else is here."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    do_heartbeat(ticket, acting_user=request.user)
    context = {"ticket": ticket, "others": others_on_ticket(ticket, request.user)}
    return render(request, "web/agent/ticket.html#presence", context)


@require_POST
@staff_required
def change_preview(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The decision a change of type, module or customization would give (htmx fragment)."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    form = build_form("change", ticket, request.POST)
    context: dict[str, Any] = {"ticket": ticket, "preview_form": form}
    if form.is_valid():
        context["preview"] = preview_decision(ticket, form.cleaned_data)
    return render(request, "web/agent/ticket.html#decision-preview", context)


def _reply(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    latest = (
        ticket.messages.filter(from_customer=True, internal=False)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if latest and latest > (data.get("last_message_id") or 0) and not data["confirm_newer"]:
        raise NewerCustomerMessage(
            _(
                "The customer wrote again since you opened this ticket. Read the new message, "
                "then confirm to send your reply."
            ),
        )
    actions.do_add_message(
        ticket,
        acting_user=request.user,
        body=data["body"],
        expected_version=data["expected_version"],
    )
    return _("Reply sent to the customer.")


def _note(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_add_message(
        ticket,
        acting_user=request.user,
        body=data["body"],
        internal=True,
        expected_version=data["expected_version"],
    )
    return _("Internal note added.")


def _activity(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    phone = data["activity"] == Activity.PHONE_CALL
    actions.do_add_message(
        ticket,
        acting_user=request.user,
        body=data["body"],
        internal=True,
        activity=data["activity"],
        channel=Channel.PHONE if phone else Channel.PORTAL,
        expected_version=data["expected_version"],
    )
    return _("Phone call logged.") if phone else _("Remote session logged.")


def _assign(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    assignee = data["assignee"]
    if request.POST.get("to_me"):
        assignee = request.user
    actions.do_assign(
        ticket, assignee, acting_user=request.user, expected_version=data["expected_version"]
    )
    if assignee is None:
        return _("Ticket unassigned.")
    return _("Ticket assigned to %(name)s.") % {"name": assignee}


def _change(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_change_request(
        ticket,
        acting_user=request.user,
        request_type=data["type"],
        module=data["module"],
        customization=data["customization"],
        reason=data["reason"],
        expected_version=data["expected_version"],
    )
    return _("Request requalified; the policy decided again.")


def _criticality(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_change_criticality(
        ticket,
        data["criticality"],
        acting_user=request.user,
        reason=data["reason"],
        expected_version=data["expected_version"],
    )
    return _("Criticality changed.")


def _diagnose(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_diagnose(
        ticket,
        data["finding"],
        acting_user=request.user,
        note=data["note"],
        expected_version=data["expected_version"],
    )
    return _("Diagnosis recorded.")


def _transition(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_transition(
        ticket,
        data["target"],
        acting_user=request.user,
        reason=data["reason"],
        expected_version=data["expected_version"],
    )
    return _("Status changed to “%(status)s”.") % {"status": Status(data["target"]).label}


def _accept(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_accept_refused(
        ticket,
        acting_user=request.user,
        reason=data["reason"],
        expected_version=data["expected_version"],
    )
    return _("Refused request accepted; it is now in the queues.")


HANDLERS: dict[str, Callable[[HttpRequest, Ticket, dict], str]] = {
    "reply": _reply,
    "note": _note,
    "activity": _activity,
    "assign": _assign,
    "change": _change,
    "criticality": _criticality,
    "diagnose": _diagnose,
    "transition": _transition,
    "accept": _accept,
    "escalate": escalate,
}


@require_POST
@staff_required
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    if action not in HANDLERS:
        raise Http404("action")
    ticket = access_ticket_by_id(request.user, ticket_id)
    form = build_form(action, ticket, request.POST)
    extra: dict[str, Any] = {}
    status = 400
    if form.is_valid():
        if action == "change" and "preview" in request.POST:  # the no-JavaScript preview
            extra["preview"] = preview_decision(ticket, form.cleaned_data)
            return render_ticket(request, ticket, bound={action: form}, extra=extra)
        try:
            done = HANDLERS[action](request, ticket, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if isinstance(exc, Conflict | NewerCustomerMessage) else 400
            extra["newer_message"] = isinstance(exc, NewerCustomerMessage)
        else:
            messages.success(request, done)
            return redirect("web:agent:ticket", ticket_id=ticket.pk)
    # Re-read the ticket: the page shows what changed meanwhile, and the form now carries
    # the current version so that a deliberate resend goes through.
    ticket = access_ticket_by_id(request.user, ticket_id)
    form.data = form.data.copy()
    form.data["expected_version"] = str(ticket.version)
    extra["failed_action"] = action
    return render_ticket(request, ticket, bound={action: form}, status=status, extra=extra)
