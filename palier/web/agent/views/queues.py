"""Queue pages: bounded counts, filters, search, keyset pages, saved views, bulk actions."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.tickets import actions as ticket_actions
from palier.tickets import labels
from palier.tickets.merging import do_merge_tickets
from palier.tickets.models import Criticality, Ticket, reference_filter
from palier.tickets.queries import visible_tickets
from palier.tickets.states import Status
from palier.web.access import is_htmx, staff_required
from palier.web.agent.forms import BulkForm, QueueFilterForm, SaveViewForm, staff_users
from palier.web.agent.rows import render_rows
from palier.web.agent.sorting import expression_page
from palier.web.left_out import left_out_filters
from palier.workspace import actions as workspace_actions
from palier.workspace.menus import current_menus
from palier.workspace.queries import (
    QUEUE_LABELS,
    access_saved_view_by_id,
    agent_queues,
)
from palier.workspace.queue import (
    cursor_is_valid,
    queue_filters,
    queue_header,
    queue_page,
    queue_rows,
    search_notice,
    searched_text,
)

DEFAULT_QUEUE = "level1"
BULK_LIMIT = 100


def _queue_name(user: User, asked: str) -> str:
    return asked if asked in agent_queues(user) else DEFAULT_QUEUE


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    form = QueueFilterForm(request.GET)
    form.is_valid()  # invalid fields are dropped, the rest still filters
    data = form.cleaned_data
    name = _queue_name(user, data.get("queue") or "")
    sort = data.get("sort") or "-created"
    cursor = data.get("cursor") or None
    error = ""
    if "cursor" in form.errors or not cursor_is_valid(cursor, sort):
        error, cursor = _("This cursor is not valid for this list."), None
    filters = queue_filters(user, data, name)
    text = data.get("q") or ""
    # The list region htmx asks for reads no counts: only the menu stamp.
    region = is_htmx(request) and request.headers.get("HX-Target") == "ticket-list"
    header = None if region else queue_header(user)
    menus = current_menus() if header is None else header.menus
    page = partial(
        queue_page,
        user,
        filters,
        text=searched_text(text),
        sort=sort,
        expression_page=expression_page,
    )
    try:
        result = page(cursor=cursor, menus=menus)
    except DomainError as exc:  # a stale or forged cursor: show the first page
        error = exc.message
        result = page(cursor=None, menus=menus)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "queue": name,
        "queue_label": QUEUE_LABELS[name],
        "page": result.page,
        "rows_html": render_rows(
            queue_rows(result.page.items),
            to_qualify=_("to qualify"),
            empty=_("No ticket matches."),
        ),
        "next_cursor": result.page.next_cursor,
        "customers": result.customers,
        "too_many_customers": result.too_many_customers,
        "text": text,
        "error": error,
        "search_notice": search_notice(text, result.page, first_page=not cursor),
        "left_out": left_out_filters(form),
        "base_query": params.urlencode(),
        "here": request.get_full_path(),
        "saved_query": workspace_actions.clean_query(dict(request.GET.lists())),
        "is_first_page": not cursor,
        # Read by the bulk bar's fragments, which are cached per language: called (by the
        # template) only when a fragment is rendered anew.
        "bulk": partial(BulkForm, staff=[]),
        "statuses": _statuses,
        "criticalities": _criticalities,
    }
    language = get_language() or "en"
    context["staff_options"] = mark_safe(menus.options("staff", language))  # noqa: S308 - escaped there
    if header is None:
        return render(request, "web/agent/queue.html#ticket-list", context)
    form.use_menus(menus)
    context.update(
        counts=[(q, QUEUE_LABELS[q], str(n)) for q, n in header.counts.items()],
        unread_count=header.unread,  # the header's badge (workspace.templatetags), read with them
        saved_views=menus.views_of(user),
    )
    return render(request, "web/agent/queue.html", context)


def _statuses() -> list[tuple[str, str]]:
    return [(code, labels.status(code)) for code in Status.values if code != "refused"]


def _criticalities() -> list[tuple[str, str]]:
    return [(code, labels.criticality(code)) for code in Criticality.values]


def _back(request: HttpRequest) -> str:
    """Where a bulk action returns: the queue page it was sent from, never elsewhere."""
    target = request.POST.get("next") or ""
    home = reverse("web:agent:home")
    return target if target.startswith(home) and "//" not in target else home


def _merge_target(user: User, data: dict, chosen: list[Ticket]) -> Ticket:
    text = (data.get("merge_into") or "").strip()
    if not text:
        return min(chosen, key=lambda t: t.pk)  # the oldest carries on
    by_reference = reference_filter(text)
    target = visible_tickets(user).filter(by_reference).first() if by_reference else None
    if target is None:
        raise DomainError(_("No request has the reference %(ref)s.") % {"ref": text})
    return target


def _apply(user: User, action: str, data: dict, ticket: Ticket, target: Ticket | None) -> None:
    """One ticket of a bulk action, through the same action as one by one."""
    if action == "assign":
        assignee = user if data["assignee"] == "me" else data["assignee_user"]
        ticket_actions.do_assign(ticket, assignee, acting_user=user)
    elif action in ("status", "close"):
        target_status = Status.CLOSED if action == "close" else data["status"]
        ticket_actions.do_transition(ticket, target_status, acting_user=user, reason=data["reason"])
    elif action == "criticality":
        ticket_actions.do_change_criticality(
            ticket, data["criticality"], acting_user=user, reason=data["reason"]
        )
    elif action == "merge" and target is not None and ticket.pk != target.pk:
        do_merge_tickets(ticket, target, acting_user=user)


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign, move, reprioritize, close or merge the selected tickets, each through its own
    action: a refusal of one is reported and the others still change."""
    user: User = request.user
    form = BulkForm(request.POST, staff=list(staff_users()))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(request))
    data = form.cleaned_data
    chosen = list(visible_tickets(user).filter(pk__in=data["ticket"][:BULK_LIMIT]).order_by("pk"))
    target = None
    if data["action"] == "merge":
        try:
            target = _merge_target(user, data, chosen)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_back(request))
    done, refused = 0, []
    for ticket in chosen:
        try:
            _apply(user, data["action"], data, ticket, target)
        except DomainError as exc:
            refused.append(f"{ticket.reference}: {exc.message}")
        else:
            done += 1
    if data["action"] == "merge" and target is not None and target in chosen:
        done -= 1  # the request that carries on was not itself merged
    if done:
        messages.success(
            request,
            ngettext("%(count)s ticket changed.", "%(count)s tickets changed.", done)
            % {"count": done},
        )
    for line in refused[:10]:
        messages.error(request, line)
    if len(refused) > 10:
        messages.error(request, _("… and %(count)s more refused.") % {"count": len(refused) - 10})
    return redirect(_back(request))


@require_POST
@staff_required
def save_view(request: HttpRequest) -> HttpResponse:
    form = SaveViewForm(request.POST)
    if form.is_valid():
        try:
            view = workspace_actions.do_save_view(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data["shared"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            return redirect(f"{reverse('web:agent:home')}?{view.query}")
    else:
        for problem in form.problems():
            messages.error(request, problem)
    query = workspace_actions.clean_query(parse_qs(form.data.get("query", "")))
    return redirect(f"{reverse('web:agent:home')}?{query}")


@require_POST
@staff_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    view = access_saved_view_by_id(request.user, view_id)
    try:
        workspace_actions.do_delete_view(view, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("View deleted."))
    return redirect("web:agent:home")
