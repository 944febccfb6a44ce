"""The new-request form and its live decision preview (htmx, with a no-JavaScript path)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from palier.customers.models import Customer, Customization, Module
from palier.customers.queries import installed_versions
from palier.lib.errors import DomainError
from palier.lib.rows import one_or_none, parse_id
from palier.policy import RequestType
from palier.tickets.actions import do_open_ticket
from palier.tickets.attachments import do_attach_file
from palier.tickets.explanations import why_ticket
from palier.tickets.models import Channel, Ticket
from palier.web.access import contact_required
from palier.web.portal.forms import NewRequestForm
from palier.web.portal.preview import Preview, entitlement_refusal, preview_decision


def _installed_version(customer: Customer):
    installation = installed_versions(customer).filter(environment="production").first()
    return installation.version if installation else None


def _preview_from(data, customer: Customer) -> Preview:
    """The preview for raw form data; unknown or foreign ids count as "not chosen"."""
    request_type = data.get("type") or None
    if request_type not in RequestType.__members__.values():
        request_type = None
    module = _pick(Module.objects.all(), data.get("module"))
    customization = _pick(
        Customization.objects.filter(customer=customer).select_related("module"),
        data.get("customization"),
    )
    return preview_decision(customer, request_type, module, customization, timezone.localdate())


def _pick(qs, raw):
    pk = parse_id(raw)
    return None if pk is None else one_or_none(qs.filter(pk=pk))


@require_safe
@contact_required
def preview(request: HttpRequest) -> HttpResponse:
    """The htmx partial: what will happen with the fields chosen so far."""
    result = _preview_from(request.GET, request.user.customer)
    return render(request, "web/portal/partials/decision_preview.html", {"preview": result})


@contact_required
def new_request(request: HttpRequest) -> HttpResponse:
    customer = request.user.customer
    refusal = entitlement_refusal(customer, timezone.localdate())
    if refusal:
        return render(
            request,
            "web/portal/new_refused.html",
            {"refusal": refusal},
            status=403 if request.method == "POST" else 200,
        )
    version = _installed_version(customer)
    if request.method != "POST":
        form = NewRequestForm(customer=customer, installed_version=version)
        initial = {"type": None}
        return _render_form(request, form, _preview_from(initial, customer))
    form = NewRequestForm(request.POST, request.FILES, customer=customer, installed_version=version)
    result = _preview_from(request.POST, customer)
    # "Show what will happen" without JavaScript: the same page, with the preview filled in.
    if request.POST.get("action") == "preview" or not form.is_valid():
        status = 200 if request.POST.get("action") == "preview" else 400
        return _render_form(request, form, result, status=status)
    try:
        ticket = _open(request, form)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_form(request, form, result, status=400)
    messages.success(request, _("Your request %(ref)s was received.") % {"ref": ticket.reference})
    return redirect("web:portal:detail", ticket_id=ticket.pk)


def _open(request: HttpRequest, form: NewRequestForm) -> Ticket:
    data = form.cleaned_data
    with transaction.atomic():
        ticket = do_open_ticket(
            acting_user=request.user,
            customer=request.user.customer,
            contact=request.user,
            request_type=data["type"],
            subject=data["subject"],
            description=data["description"],
            module=data["module"],
            customization=data["customization"],
            product_version=data["product_version"],
            criticality=data["criticality"],
            channel=Channel.PORTAL,
            language=get_language() or request.user.language,
            visibility=data["visibility"],
        )
        for upload in data["attachments"]:
            do_attach_file(ticket, upload, acting_user=request.user)
    return ticket


def _render_form(
    request: HttpRequest, form: NewRequestForm, result: Preview, *, status: int = 200
) -> HttpResponse:
    context = {"form": form, "preview": result, "why_ticket": why_ticket()}
    return render(request, "web/portal/new.html", context, status=status)
