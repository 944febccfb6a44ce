"""Staff billing screens: estimate, quick time entry and timer, invoices, reports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.billing import actions, conf, dispatch, documents, invoicing, reports
from palier.billing.models import PaymentStatus, TimeEntry, Timer
from palier.billing.queries import (
    access_invoice_by_id,
    list_invoices,
    pending_estimate,
)
from palier.lib.compiled import first_row
from palier.lib.errors import DomainError
from palier.lib.pagination import InvalidCursor
from palier.lib.rows import one_or_none, parse_id
from palier.tickets.models import Ticket, reference_filter
from palier.tickets.queries import access_ticket_by_id, visible_tickets
from palier.web.access import manager_required, staff_required
from palier.web.billing.forms import (
    CreditForm,
    EstimateForm,
    PeriodForm,
    RunForm,
    SendForm,
    TimeForm,
    TimerForm,
)
from palier.web.billing.rows import TIME_ROW_FIELDS, render_time_rows


def _safe_next(request: HttpRequest) -> str | None:
    """Back to the page the quick entry came from (the ticket), if it is ours."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _ticket_from_text(user, text: str) -> Ticket:
    text = text.strip()
    if (pk := parse_id(text)) is not None:
        return access_ticket_by_id(user, pk)
    by_reference = reference_filter(text)
    ticket = (
        one_or_none(visible_tickets(user).select_related("customer").filter(by_reference))
        if by_reference is not None
        else None
    )
    if ticket is None:
        raise DomainError(_("No ticket has this reference."), code="unknown_ticket")
    return ticket


@staff_required
def propose(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    form = EstimateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            estimate = actions.do_propose_estimate(
                ticket,
                acting_user=request.user,
                hours=form.cleaned_data["hours"],
                activity=form.cleaned_data["activity"],
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Accepted at once: the prepaid balance covers it.")
                if estimate.status == "accepted"
                else _("Sent to the customer for consent."),
            )
            return redirect("web:billing:propose", ticket.pk)
    return render(
        request,
        "web/billing/propose.html",
        {
            "ticket": ticket,
            "form": form,
            "pending": pending_estimate(ticket.pk),
            "estimates": ticket.estimates.select_related("proposed_by", "decided_by"),
        },
    )


@staff_required
def time_page(request: HttpRequest) -> HttpResponse:
    """Quick entry: a ticket reference, minutes, activity; the last 30 entries below."""
    form = TimeForm(request.POST or None, initial={"ticket": request.GET.get("ticket", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = _ticket_from_text(request.user, data["ticket"])
            actions.do_log_time(
                ticket,
                acting_user=request.user,
                date=data["date"],
                minutes=data["minutes"],
                activity=data["activity"],
                note=data["note"],
            )
        except Http404:
            form.add_error("ticket", _("No ticket has this reference."))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Time logged."))
            return redirect(_safe_next(request) or "web:billing:time")
    entries = TimeEntry.objects.filter(user=request.user).order_by("-date", "-id")
    timer = _shown_timer(request.user)
    return render(
        request,
        "web/billing/time.html",
        {
            "form": form,
            "timer_form": None if timer else TimerForm(),  # shown only when none runs
            "timer": timer,
            "rows_html": render_time_rows(list(entries.values(*TIME_ROW_FIELDS)[:30])),
        },
    )


def _shown_timer(user) -> Timer | None:
    """running_timer with what the time page shows of it (its start, its ticket's
    reference), by a statement compiled once per connection."""
    qs = (
        Timer.objects.filter(user_id=user.pk)
        .select_related("ticket")
        .only("user_id", "started_at", "ticket", "ticket__id", "ticket__created_at")
    )
    return first_row(qs, "time_page_timer", [user.pk])


@staff_required
@require_POST
def timer(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("do") == "stop":
            entry = actions.do_stop_timer(acting_user=request.user)
            messages.success(
                request, _("Timer stopped: %(m)s minutes logged.") % {"m": entry.minutes}
            )
        else:
            form = TimerForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Name a ticket and an activity."), code="invalid_timer")
            ticket = _ticket_from_text(request.user, form.cleaned_data["ticket"])
            actions.do_start_timer(
                ticket, acting_user=request.user, activity=form.cleaned_data["activity"]
            )
    except Http404:
        messages.error(request, _("No ticket has this reference."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:billing:time")


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, PeriodForm]:
    today = timezone.localdate()
    form = PeriodForm(
        request.GET or None,
        initial={"period_start": today.replace(month=1, day=1), "period_end": today},
    )
    if request.GET and form.is_valid():
        return form.cleaned_data["period_start"], form.cleaned_data["period_end"], form
    return today.replace(month=1, day=1), today, form


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    start, end, form = _period(request)
    report = reports.billing_report(start, end)
    return render(
        request,
        "web/billing/dashboard.html",
        {
            "form": form,
            "report": report,
            # Built from numbers and escaped labels only (reports.month_chart_svg).
            "chart": mark_safe(reports.month_chart_svg(report.by_month)),  # noqa: S308
        },
    )


@manager_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    try:
        page = list_invoices(
            request.user,
            status=request.GET.get("status") or None,
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    except InvalidCursor:
        return redirect("web:billing:invoices")
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month_end = first - dt.timedelta(days=1)
    return render(
        request,
        "web/billing/invoices.html",
        {
            "page": page,
            "run_form": RunForm(
                initial={
                    "period_start": last_month_end.replace(day=1),
                    "period_end": last_month_end,
                }
            ),
        },
    )


@manager_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("web:billing:invoices")
    drafts = invoicing.do_run_billing(
        acting_user=request.user,
        period_start=form.cleaned_data["period_start"],
        period_end=form.cleaned_data["period_end"],
        customer=form.cleaned_data["customer"],
    )
    messages.success(request, _("%(n)s draft(s) built.") % {"n": len(drafts)})
    return redirect("web:billing:invoices")


@manager_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = access_invoice_by_id(request.user, invoice_id)
    prefetch_related_objects([invoice], "lines")  # the table and unit_note read them
    recipients = [] if invoice.is_draft else dispatch.customer_recipients(invoice)
    lines = invoice.lines.all()
    return render(
        request,
        "web/billing/invoice.html",
        {
            "invoice": invoice,
            "lines": lines,
            "credit_form": CreditForm(),
            "terms": documents.payment_terms(invoice, timezone.localdate()),
            "today": timezone.localdate(),
            "vat_label": documents.vat_number_label(invoice.vat_number or conf.vat_number()),
            "unit_note": documents.unit_note(invoice),
            "payment_label": PaymentStatus(invoice.payment_status).label
            if invoice.payment_status
            else "",
            "send_form": SendForm(initial={"to_address": next(iter(recipients), "")}),
            "recipients": recipients,
            "dispatches": invoice.dispatches.select_related("outbound", "requested_by"),
            "payments": invoice.payments.select_related("bank_import"),
        },
    )


CONFIRMED_ACTIONS = {"approve", "credit"}


def _confirm_page(request: HttpRequest, invoice, action: str, reason: str) -> HttpResponse:
    """What an irreversible action will do, asked once before it is done."""
    today = timezone.localdate()
    kind = "credit_note" if action == "credit" else invoice.kind
    lines = list(invoice.lines.select_related("ticket"))
    return render(
        request,
        "web/billing/invoice_confirm.html",
        {
            "invoice": invoice,
            "action": action,
            "reason": reason,
            "number": invoicing.number_preview(kind, today),
            "lines": lines,
            "tickets": sum(1 for line in lines if line.ticket_id),
            "address": invoice.customer.postal_address(),
            "due_on": today + dt.timedelta(days=conf.payment_days()),
        },
    )


@manager_required
def invoice_action(request: HttpRequest, invoice_id: int, action: str) -> HttpResponse:
    invoice = access_invoice_by_id(request.user, invoice_id)
    if action == "pdf":
        from palier.billing.pdf import invoice_pdf

        if invoice.is_draft:
            raise Http404("draft")
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response
    if request.method != "POST":
        raise Http404("action")
    reason = ""
    if action == "credit":
        form = CreditForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the invoice is credited."))
            return redirect("web:billing:invoice", invoice.pk)
        reason = form.cleaned_data["reason"]
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1":
        return _confirm_page(request, invoice, action, reason)
    try:
        if action == "approve":
            invoicing.do_approve_invoice(invoice, acting_user=request.user)
            messages.success(request, _("Invoice approved and numbered."))
        elif action == "discard":
            invoicing.do_discard_draft(invoice, acting_user=request.user)
            return redirect("web:billing:invoices")
        elif action == "credit":
            note = invoicing.do_credit_invoice(invoice, acting_user=request.user, reason=reason)
            return redirect("web:billing:invoice", note.pk)
        else:
            raise Http404("action")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:billing:invoice", invoice.pk)
