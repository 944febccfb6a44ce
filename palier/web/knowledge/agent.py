"""Knowledge and triage in the agent's ticket page (htmx partials, staff only).

- insert: articles the ticket's customer may read, in the customer's language, ready to
  go into the reply as a link or as text (static/web/knowledge.js puts them there);
- triage: what the learned triage says of the request, why (the words that weighed most),
  similar resolved tickets and known defects; a clear mismatch with the type the contact
  picked is a hint, never a change.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from palier.customers.models import Module
from palier.engineering.queries import similar_open_defects
from palier.knowledge.queries import customer_visibilities, search_articles
from palier.lib.rows import one_or_none, parse_id
from palier.tickets.models import Criticality
from palier.tickets.queries import access_ticket_by_id
from palier.tickets.states import Status
from palier.triage.similar import similar_resolved_tickets
from palier.triage.suggest import NoModelYet, suggest
from palier.web.access import staff_required

INSERT_RESULTS = 5
# A contact's own pick is contradicted only by a confident model (a hint, never a change).
MISMATCH_CONFIDENCE = 0.7


@require_safe
@staff_required
def insert(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    query = request.GET.get("q", "").strip()[:200]
    found = search_articles(
        request.user,
        query or f"{ticket.subject} {ticket.description[:500]}",
        ticket.language,
        limit=INSERT_RESULTS,
        any_word=not query,
        visibilities=customer_visibilities(ticket.customer),
    )
    items = [
        (r, settings.PALIER_BASE_URL + reverse("web:knowledge:article", args=[r.article.key]))
        for r in found
    ]
    return render(
        request,
        "web/knowledge/partials/insert.html",
        {"items": items, "ticket": ticket, "query": query},
    )


@require_safe
@staff_required
def triage_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    text = f"{ticket.subject}\n{ticket.description}"
    try:
        found = suggest(ticket.subject, ticket.description)
    except NoModelYet:
        # The model must be learnt first and this request is inside a transaction (it is
        # never learnt there): the panel says so; the look-alikes below still show.
        found = None
    module = None
    if found is not None and found.module is not None:
        module_id = parse_id(found.module.value)
        module = one_or_none(Module.objects.filter(pk=module_id)) if module_id else None
    mismatch = bool(
        found is not None
        and ticket.type
        and not found.abstained
        and found.type.value != ticket.type
        and found.type.confidence >= MISMATCH_CONFIDENCE
    )
    context = {
        "ticket": ticket,
        "found": found,
        "type_label": _type_label(found.type.value) if found is not None else "",
        "picked_label": _type_label(ticket.type or ""),
        "module": module,
        "criticality_label": (
            Criticality(found.criticality.value).label
            if found is not None
            and found.criticality
            and found.criticality.value in Criticality.values
            else ""
        ),
        "mismatch": mismatch,
        "similar": similar_resolved_tickets(text, exclude_id=ticket.pk),
        "defects": similar_open_defects(ticket.module, ticket.product_version, text),
        "can_draft": ticket.status in (Status.RESOLVED, Status.CLOSED),
    }
    return render(request, "web/knowledge/partials/triage.html", context)


TYPE_LABELS = {
    "usage": _("Usage question"),
    "malfunction": _("Malfunction"),
    "feature": _("New feature or change"),
    "training": _("Information or training"),
}


def _type_label(code: str) -> str:
    return str(TYPE_LABELS.get(code, code))
