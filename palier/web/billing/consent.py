"""The customer's answer to an estimate: from the signed email link (no login) or the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.billing.actions import do_decide_estimate
from palier.billing.links import do_answer_by_link, estimate_from_token
from palier.billing.models import DecidedVia
from palier.billing.queries import access_estimate_by_id
from palier.lib.errors import DomainError
from palier.tickets.explanations import explain
from palier.web.billing.forms import DeclineForm


def consent_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the estimate (mail scanners that open links change nothing); POST answers."""
    try:
        estimate = estimate_from_token(token)
        if request.method == "POST":
            form = DeclineForm(request.POST)
            accept = request.POST.get("answer") == "accept"
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            estimate = do_answer_by_link(token, accept=accept, reason=reason)
            return render(request, "web/billing/consent_done.html", {"estimate": estimate})
    except DomainError as exc:
        return render(request, "web/billing/consent_error.html", {"error": exc}, status=exc.status)
    ticket = estimate.ticket
    why = explain(ticket.decision, ticket.language).why_billable if ticket.decision else ""
    return render(
        request,
        "web/billing/consent_link.html",
        {
            "estimate": estimate,
            "ticket": ticket,
            "why_billable": why,
            "form": DeclineForm(),
        },
    )


@login_required
@require_POST
def answer(request: HttpRequest, estimate_id: int) -> HttpResponse:
    """The portal's consent panel posts here; back to the request page afterwards."""
    estimate = access_estimate_by_id(request.user, estimate_id)
    form = DeclineForm(request.POST)
    accept = request.POST.get("answer") == "accept"
    try:
        do_decide_estimate(
            estimate,
            accept=accept,
            acting_user=request.user,
            via=DecidedVia.PORTAL,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Thank you: we start the work now.")
            if accept
            else _("The estimate is declined; nothing will be billed."),
        )
    return redirect("web:portal:detail", estimate.ticket_id)


@login_required
def estimate_page(request: HttpRequest, estimate_id: int) -> HttpResponse:
    """The estimate on its own page (linked from the portal's request page and the email)."""
    estimate = access_estimate_by_id(request.user, estimate_id)
    return render(request, "web/billing/estimate.html", {"ticket": estimate.ticket})
