"""A released patch on the request page: the version to install, its release notes, and the
customer's request that we deploy it (engineering.actions.do_request_deployment)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.engineering.actions import do_request_deployment
from palier.engineering.models import DeploymentRequest
from palier.lib.errors import DomainError
from palier.tickets.actions import decides_for_request
from palier.tickets.models import Ticket, TicketEvent
from palier.tickets.queries import access_ticket_by_id
from palier.tickets.states import Status
from palier.web.access import contact_required


def patch_context(ticket: Ticket, user: User) -> dict[str, Any]:
    """The patch told to the customer (the event's own words, as mailed) and the deployment
    asked for it; two queries, only on a ticket whose patch is available."""
    if ticket.status != Status.PATCH_AVAILABLE:
        return {"patch": None}
    event = (
        TicketEvent.objects.filter(ticket=ticket, kind="patch_available", internal=False)
        .order_by("-id")
        .first()
    )
    if event is None:
        return {"patch": None}
    data = event.data or {}
    deployment = (
        DeploymentRequest.objects.select_related("request_ticket")
        .filter(source_ticket=ticket, patch_id=data.get("patch_id"))
        .first()
    )
    return {
        "patch": {
            "product": data.get("product", ""),
            "version": data.get("version") or event.to_value,
            "release_notes": data.get("release_notes", ""),
            "released_at": event.at,
        },
        "deployment": deployment.request_ticket if deployment else None,
        "can_ask_deployment": decides_for_request(ticket, user),
    }


@require_POST
@contact_required
def request_deployment(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """ "Ask us to install the patch": a new request linked to this one; asking again
    answers the same request."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    try:
        deployment = do_request_deployment(ticket, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:portal:detail", ticket_id=ticket.pk)
    messages.success(
        request,
        _("We will install the patch: your request %(reference)s follows it.")
        % {"reference": deployment.request_ticket.reference},
    )
    return redirect("web:portal:detail", ticket_id=ticket.pk)
