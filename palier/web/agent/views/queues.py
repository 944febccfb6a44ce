"""Queue pages: counts, filters, search, keyset pages, saved views."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.lib.pagination import Page, keyset_page
from palier.sla.queries import time_left_for
from palier.tickets import search
from palier.tickets.models import Ticket, reference_filter
from palier.tickets.queries import TicketFilters, filter_tickets
from palier.web.access import is_htmx, staff_required
from palier.web.agent.forms import TYPE_LABELS, QueueFilterForm, SaveViewForm
from palier.web.agent.sorting import EXPRESSIONS, expression_page
from palier.workspace import actions as workspace_actions
from palier.workspace.queries import (
    QUEUE_LABELS,
    access_saved_view_by_id,
    agent_queues,
    queue_condition,
    queue_counts,
    visible_saved_views,
)

PAGE_SIZE = 50
DEFAULT_QUEUE = "level1"


def _queue_name(user: User, asked: str) -> str:
    return asked if asked in agent_queues(user) else DEFAULT_QUEUE


def _filtered(user: User, data: dict, queue: str):
    filters = TicketFilters(
        queue=None if queue == "mine" else queue,
        status=[data["status"]] if data.get("status") else [],
        type=data.get("type") or None,
        criticality=data.get("criticality") or None,
        customer_id=data["customer"].pk if data.get("customer") else None,
        module_id=data["module"].pk if data.get("module") else None,
    )
    qs = filter_tickets(user, filters)
    if queue == "mine":  # counted as open tickets assigned to me: list the same ones
        qs = qs.filter(queue_condition(user, "mine"))
    text = (data.get("q") or "").strip()
    if text:
        qs = _search(qs, text)
    if data.get("age"):
        qs = qs.filter(created_at__lt=timezone.now() - dt.timedelta(days=int(data["age"])))
    return qs


def _search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """A reference finds its ticket; otherwise the words match the ticket's text (notes
    included: staff only here) or the customer's name. Still one query."""
    by_reference = reference_filter(text)
    if by_reference is not None:
        return qs.filter(by_reference)
    by_text = search.filter_by_text(Ticket.objects.all(), text, include_internal=True)
    return qs.filter(
        Q(pk__in=by_text.values("pk"))
        | Q(customer__name__icontains=text)
        | Q(customer__code__iexact=text)
    )


def _page(qs: QuerySet[Ticket], sort: str, cursor: str | None) -> Page:
    """One keyset page in two queries: the ids through the narrow (status, id)-style
    indexes first, then those rows with their joins. One query with the joins made SQLite
    sort every open ticket of a 100k desk (170 ms against 15 ms)."""
    narrow = qs.only("id", "created_at", "updated_at")
    if sort in EXPRESSIONS:
        page = expression_page(narrow, sort=sort, cursor=cursor, limit=PAGE_SIZE)
    else:
        page = keyset_page(narrow, sort=sort, cursor=cursor, limit=PAGE_SIZE)
    rows = Ticket.objects.select_related("customer", "contact", "module", "assignee").in_bulk(
        [ticket.pk for ticket in page.items]
    )
    page.items = [rows[ticket.pk] for ticket in page.items if ticket.pk in rows]
    for ticket in page.items:
        ticket.type_label = TYPE_LABELS.get(ticket.type, "") if ticket.type else ""
    time_left_for(page.items)  # one query for the whole page; sets ticket.sla
    return page


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    form = QueueFilterForm(request.GET)
    form.is_valid()  # invalid fields are dropped, the rest still filters
    data = form.cleaned_data
    name = _queue_name(user, data.get("queue") or "")
    sort = data.get("sort") or "-created"
    error = ""
    try:
        page = _page(_filtered(user, data, name), sort, data.get("cursor") or None)
    except DomainError as exc:  # a stale or forged cursor: show the first page
        error = exc.message
        page = _page(_filtered(user, data, name), sort, None)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "queue": name,
        "queue_label": QUEUE_LABELS[name],
        "page": page,
        "error": error,
        "base_query": params.urlencode(),
        "saved_query": workspace_actions.clean_query(dict(request.GET.lists())),
        "is_first_page": not data.get("cursor"),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "ticket-list":
        return render(request, "web/agent/queue.html#ticket-list", context)
    context.update(
        counts=[(q, QUEUE_LABELS[q], n) for q, n in queue_counts(user).items()],
        saved_views=list(visible_saved_views(user)),
        save_form=SaveViewForm(initial={"query": context["saved_query"]}),
    )
    return render(request, "web/agent/queue.html", context)


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
        messages.error(request, _("Give the view a name."))
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
