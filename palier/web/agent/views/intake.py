"""A request taken on the phone, opened by an agent on behalf of a customer's contact."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from palier.customers.models import Customer
from palier.lib.errors import DomainError
from palier.lib.rows import one_or_none, parse_id
from palier.tickets import actions
from palier.tickets.explanations import refusal_text
from palier.tickets.models import Channel
from palier.tickets.states import Status
from palier.web.access import is_htmx, staff_required
from palier.web.agent.forms import NewTicketForm


def _picked_customer(request: HttpRequest) -> Customer | None:
    pk = parse_id(request.POST.get("customer") or request.GET.get("customer"))
    return None if pk is None else one_or_none(Customer.objects.filter(pk=pk))


@staff_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    customer = _picked_customer(request)
    # "Load contacts" (no JavaScript) or the htmx refresh: show the customer's lists only.
    refreshing = request.method in ("GET", "HEAD") or "refresh" in request.POST
    if refreshing:
        form = NewTicketForm(initial=request.GET.dict() | request.POST.dict(), customer=customer)
        template = "web/agent/new_ticket.html"
        if is_htmx(request) and request.headers.get("HX-Target") == "customer-fields":
            template += "#customer-fields"
        return render(request, template, {"form": form, "customer": customer})
    form = NewTicketForm(request.POST, customer=customer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.do_open_ticket(
                acting_user=request.user,
                customer=data["customer"],
                contact=data["contact"],
                request_type=data["type"] or None,
                subject=data["subject"],
                description=data["description"],
                module=data["module"],
                customization=data["customization"],
                criticality=data["criticality"],
                channel=Channel.PHONE,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if ticket.status == Status.REFUSED:
                decision = ticket.decision
                messages.warning(
                    request,
                    _("The request was refused by the entitlement rule: %(why)s")
                    % {"why": refusal_text(decision.refusal, decision.refusal_date)},
                )
            else:
                messages.success(request, _("Ticket %(ref)s opened.") % {"ref": ticket.reference})
            return redirect("web:agent:ticket", ticket_id=ticket.pk)
    return render(
        request, "web/agent/new_ticket.html", {"form": form, "customer": customer}, status=400
    )
