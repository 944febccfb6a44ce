"""The ticket page of the workspace: one screen, one form.

The conversation sits in the middle, the properties panel on one side and the customer's
facts on the other; the composer under the conversation sends a reply or a note together
with the panel's changes (`update`), through palier.workspace.actions.do_update_ticket. A
refused update re-renders the page with the message at the top of the composer and every
typed word kept (a Conflict included). Escalation to R&D and a manager's acceptance of a
refused request keep their own small forms (`ticket_action`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.lib.errors import Conflict, DomainError
from palier.lib.money import format_chf
from palier.lib.rows import parse_id
from palier.tickets import actions, labels
from palier.tickets.explanations import explain
from palier.tickets.models import Ticket
from palier.tickets.queries import (
    access_ticket_by_id,
    ticket_customer_language,
    ticket_history,
)
from palier.tickets.states import Status
from palier.web.access import is_htmx, staff_required
from palier.web.agent import page_reads
from palier.web.agent.conversation import render_events, render_messages
from palier.web.agent.forms import AcceptRefusedForm, EscalateForm
from palier.web.agent.ticket_form import FORM_ID, KIND_LABELS, TicketForm
from palier.web.agent.views.rnd import escalate, rnd_context
from palier.workspace.actions import UNCHANGED, TicketUpdate, do_heartbeat, do_update_ticket
from palier.workspace.macros import access_macro_by_id, draft_for
from palier.workspace.preview import preview_changes
from palier.workspace.queries import (
    customer_facts,
    others_on_ticket,
    usernames_to_names,
)
from palier.workspace.queue import ticket_sla


class NewerCustomerMessage(DomainError):
    code = "newer_customer_message"
    status = 409


def history(
    user: User, ticket: Ticket, staff: list[User], events: list[Any] | None = None
) -> list[tuple[Any, labels.EventLine]]:
    """The ticket's events as lines in words (one query; a person an assignment names is
    read only if they are no longer staff, the modules only if a change names one)."""
    events = list(ticket_history(user, ticket)) if events is None else events
    names = {person.username: str(person) for person in staff}
    missing = labels.usernames_in(events) - names.keys()
    names.update(usernames_to_names(missing))
    modules = labels.module_names_in(events)
    lines = []
    for event in events:
        line = labels.describe_event(event, names, modules)
        lines.append((event, line))
    return lines


def _decision_context(ticket: Ticket) -> dict[str, Any]:
    decision = ticket.decision
    if decision is None:
        return {"decision": None}
    # The panel "What the customer reads" shows it as the customer reads it: in the
    # language their pages and mails use, not the agent's.
    customer_language = ticket_customer_language(ticket)
    return {
        "decision": decision,
        "explanation": explain(decision, get_language(), module=ticket.module),
        "customer_language": customer_language,
        "customer_explanation": explain(decision, customer_language, module=ticket.module),
        "reason": labels.reason(decision.reason),
        "finding": labels.finding(decision.finding) if decision.finding else None,
        "refusal": labels.refusal(decision.refusal) if decision.refusal else None,
        "rules": [labels.rule(code) for code in decision.rules],
    }


def _recent_rows(tickets: list[Ticket]) -> list[tuple[Ticket, str, str]]:
    """The customer's other tickets with their page and status in words: one reverse and
    one table of words per page rather than per ticket."""
    if not tickets:
        return []
    base = reverse("web:agent:ticket", args=[0])[: -len("0/")]
    words = {code: str(label) for code, label in Status.choices}
    return [(t, f"{base}{int(t.pk)}/", words.get(t.status, t.status)) for t in tickets]


def _say_unshown_errors(form: TicketForm, ticket: Ticket, can_change: bool) -> None:
    """The panel's fields this page does not show say their errors at the top of the
    composer (form_errors.html), as the fields shown without an error line do."""
    shown = {"status", "assignee", "reason"}
    if can_change:
        shown |= {"type", "module", "customization", "criticality"}
        if ticket.decision_id and ticket.type:
            shown.add("finding")
    form.errors_on_top = (*form.ERRORS_ON_TOP, *(n for n in form.PANEL if n not in shown))


def _context(request: HttpRequest, ticket: Ticket, form: TicketForm | None) -> dict[str, Any]:
    user: User = request.user
    conversation, files = page_reads.conversation(user, ticket)
    facts = customer_facts(ticket.customer, exclude=ticket)
    staff, macros = page_reads.staff_and_macros(user)
    form = form or TicketForm(ticket=ticket, staff=staff)
    form.fields["customization"].widget.choices = form.fields["customization"].choices = [
        ("", form.fields["customization"].empty_label),
        *((c.pk, str(c)) for c in facts.customizations),
    ]
    can_change = ticket.is_open and ticket.status != Status.REFUSED
    if can_change:  # the panel's module menu, as its ModelChoiceField would list it
        form.fields["module"].widget.choices = [
            ("", form.fields["module"].empty_label),
            *((m.pk, str(m)) for m in page_reads.modules()),
        ]
    _say_unshown_errors(form, ticket, can_change)
    rnd = rnd_context(ticket, link=page_reads.defect_link(ticket))
    events = history(user, ticket, staff, page_reads.history_events(user, ticket))
    counts = page_reads.tags_time_unread(ticket, user)
    if not form.is_bound:
        form.initial["last_message_id"] = max((m.pk for m in conversation), default=0)
    return {
        "ticket": ticket,
        "form": form,
        "form_id": FORM_ID,
        "kinds": KIND_LABELS,
        "conversation": conversation,
        "conversation_html": render_messages(conversation, files=files),
        "description_files": files[None],
        "events": events,
        "history_html": render_events(events, show_codes=user.is_manager),
        "status_label": labels.status(ticket.status),
        "criticality_label": labels.criticality(ticket.criticality),
        "sla": ticket_sla(ticket.pk),
        "type_label": labels.request_type(ticket.type) if ticket.type else None,
        **_decision_context(ticket),
        "customer_facts": facts,
        "contract_rate": format_chf(facts.contract.hourly_rate) if facts.contract else "",
        "time": counts.time,
        "tags": counts.tags,
        # Read with the tags: the layout's badge shows it without a statement of its own.
        "unread_count": counts.unread,  # the header's badge (workspace.templatetags)
        "macros": macros,
        "can_change": can_change,
        "can_accept": ticket.status == Status.REFUSED and user.is_manager,
        "is_refused": ticket.status == Status.REFUSED,
        "can_propose": ticket.billable
        and ticket.level == 2
        and user.role in ("consultant", "manager", "admin"),
        "pending_status": "waiting_customer"
        if Status.WAITING_CUSTOMER in dict(form.fields["status"].choices)
        else "",
        "me": user,
        "show_codes": user.is_manager,
        "recent_tickets": _recent_rows(facts.recent_tickets),
        **rnd,
        # Built only where the page shows them.
        "accept_form": AcceptRefusedForm(initial={"expected_version": ticket.version})
        if ticket.status == Status.REFUSED and user.is_manager
        else None,
        "escalate_form": EscalateForm(initial={"expected_version": ticket.version})
        if rnd["can_escalate"]
        else None,
    }


def render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    form: TicketForm | None = None,
    status: int = 200,
    extra: dict | None = None,
) -> HttpResponse:
    context = _context(request, ticket, form)
    context.update(extra or {})
    return render(request, "web/agent/ticket.html", context, status=status)


@staff_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A read: presence is reported by the page's own heartbeat, not by opening it."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    return render_ticket(request, ticket)


@require_POST
@staff_required
def presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The heartbeat of an open ticket page (htmx, on load and every 20 s): answers who
    else is here."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    do_heartbeat(ticket, acting_user=request.user)
    context = {"ticket": ticket, "others": others_on_ticket(ticket, request.user)}
    return render(request, "web/agent/ticket.html#presence", context)


def _bound(request: HttpRequest, ticket: Ticket) -> TicketForm:
    return TicketForm(request.POST, request.FILES, ticket=ticket)


@require_POST
@staff_required
def change_preview(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """What the panel's and composer's values would do, before saving (htmx fragment)."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    form = _bound(request, ticket)
    context: dict[str, Any] = {"ticket": ticket, "preview_form": form}
    if form.is_valid():
        context["preview"] = preview_changes(ticket, form.cleaned_data)
    return render(request, "web/agent/ticket.html#decision-preview", context)


@require_POST
@staff_required
def apply_macro(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Put a macro into the composer (htmx: the composer and the panel fields it sets)."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    macro_id = parse_id(request.POST.get("macro"))
    try:
        macro = access_macro_by_id(request.user, macro_id or 0)
    except Http404:
        # Garbled, unknown or not this user's: the composer says so and keeps what was typed.
        form = TicketForm(request.POST, ticket=ticket)
        form.is_valid()
        form.add_error(None, _("This macro is not available: pick one from the list."))
        return _composer(request, ticket, form, status=400)
    draft = draft_for(macro, ticket, request.user)
    data = request.POST.copy()
    typed = (data.get("body") or "").rstrip()
    data["body"] = f"{typed}\n\n{draft.body}" if typed else draft.body
    data["kind"] = "note" if draft.internal else data.get("kind") or "reply"
    if draft.status:
        data["status"] = draft.status
    if draft.assignee_id != "":
        data["assignee"] = "" if draft.assignee_id is None else str(draft.assignee_id)
    if draft.tag:
        data["tag"] = draft.tag
    form = TicketForm(data, ticket=ticket)
    form.is_valid()  # render what the macro set, with any field it cannot set marked
    return _composer(request, ticket, form)


def _composer(
    request: HttpRequest, ticket: Ticket, form: TicketForm, status: int = 200
) -> HttpResponse:
    """The composer with `form` (htmx: the composer and the panel fields a macro sets)."""
    if not is_htmx(request):
        return render_ticket(request, ticket, form=form, status=status)
    context = _context(request, ticket, form)
    return render(request, "web/agent/ticket_macro.html", context, status=status)


def _update(form: TicketForm, ticket: Ticket) -> TicketUpdate:
    """The form's values as an update; a panel field left as it was shown is unchanged."""
    data, changed = form.cleaned_data, set(form.changed_data)

    def wanted(name: str) -> Any:
        return data[name] if name in changed else UNCHANGED

    return TicketUpdate(
        body=data["body"],
        kind=data["kind"],
        files=data["files"],
        request_type=wanted("type") if data["type"] else UNCHANGED,
        module=wanted("module"),
        customization=wanted("customization"),
        criticality=wanted("criticality"),
        finding=data["finding"],
        reason=data["reason"],
        status=data["status"],
        assignee=wanted("assignee"),
        tag=data["tag"],
        minutes=data["minutes"],
        time_activity=data["time_activity"],
    )


def _check_newer_message(ticket: Ticket, form: TicketForm) -> None:
    data = form.cleaned_data
    if data["kind"] != "reply" or not data["body"].strip() or data["confirm_newer"]:
        return
    latest = (
        ticket.messages.filter(from_customer=True, internal=False)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if latest and latest > (data.get("last_message_id") or 0):
        raise NewerCustomerMessage(
            _(
                "The customer wrote again since you opened this ticket. Read the new message, "
                "then confirm to send your reply."
            )
        )


@require_POST
@staff_required
def update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's one action: the composer's message with the panel's changes."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    if "apply_macro" in request.POST:  # the no-JavaScript macro button
        return apply_macro(request, ticket_id)
    form = _bound(request, ticket)
    status, extra = 400, {}
    if form.is_valid():
        try:
            _check_newer_message(ticket, form)
            result = do_update_ticket(
                ticket,
                _update(form, ticket),
                acting_user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if isinstance(exc, Conflict | NewerCustomerMessage) else 400
            extra["newer_message"] = isinstance(exc, NewerCustomerMessage)
        else:
            for line in result.done or [_("Nothing to change.")]:
                messages.success(request, line)
            return redirect("web:agent:ticket", ticket_id=ticket.pk)
    # Re-read: the page shows what changed meanwhile, and the form now carries the current
    # version, so that a deliberate resend goes through.
    ticket = access_ticket_by_id(request.user, ticket_id)
    form.data = form.data.copy()
    form.data["expected_version"] = str(ticket.version)
    return render_ticket(request, ticket, form=form, status=status, extra=extra)


def _accept(request: HttpRequest, ticket: Ticket, data: dict) -> str:
    actions.do_accept_refused(
        ticket,
        acting_user=request.user,
        reason=data["reason"],
        expected_version=data["expected_version"],
    )
    return _("Refused request accepted; it is now in the queues.")


HANDLERS: dict[str, tuple[type, Callable[[HttpRequest, Ticket, dict], str]]] = {
    "accept": (AcceptRefusedForm, _accept),
    "escalate": (EscalateForm, escalate),
}


@require_POST
@staff_required
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """The two actions with forms of their own: escalation to R&D, accepting a refusal."""
    if action not in HANDLERS:
        raise Http404("action")
    ticket = access_ticket_by_id(request.user, ticket_id)
    form_class, handler = HANDLERS[action]
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            done = handler(request, ticket, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if isinstance(exc, Conflict) else 400
        else:
            messages.success(request, done)
            return redirect("web:agent:ticket", ticket_id=ticket.pk)
    ticket = access_ticket_by_id(request.user, ticket_id)
    form.data = form.data.copy()
    form.data["expected_version"] = str(ticket.version)
    return render_ticket(
        request, ticket, status=status, extra={f"{action}_form": form, "failed_action": action}
    )
