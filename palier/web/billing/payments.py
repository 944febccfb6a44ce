"""Managers' screens for money back from the bank: import camt files, match by hand what did
not match, invoices overdue with their reminders, sending an invoice."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.billing import dispatch, payments
from palier.billing.models import BankImport, BankPayment, PaymentState
from palier.billing.queries import access_invoice_by_id
from palier.lib.errors import DomainError
from palier.web.access import manager_required
from palier.web.billing.forms import BankFileForm, MatchForm, SendForm

LIST_LIMIT = 100


@manager_required
def payments_page(request: HttpRequest) -> HttpResponse:
    form = BankFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            parsed = payments.read_bank_file(data)  # before the write transaction
            done = payments.do_import_bank_file(
                data, filename=upload.name, acting_user=request.user, parsed=parsed
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _(
                    "%(entries)s bookings read: %(matched)s matched to invoices, "
                    "%(unmatched)s to check below."
                )
                % {"entries": done.entries, "matched": done.matched, "unmatched": done.unmatched},
            )
            return redirect("web:billing:payments")
    unmatched = list(
        BankPayment.objects.filter(state=PaymentState.UNMATCHED)
        .select_related("bank_import")
        .order_by("-id")[:LIST_LIMIT]
    )
    return render(
        request,
        "web/billing/payments.html",
        {
            "form": form,
            "imports": BankImport.objects.defer("content").select_related("imported_by")[:20],
            "unmatched": unmatched,
            "recent": BankPayment.objects.exclude(state=PaymentState.UNMATCHED)
            .select_related("invoice")
            .order_by("-id")[:50],
            "match_form": MatchForm(),
        },
    )


@manager_required
@require_POST
def match(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = get_object_or_404(BankPayment, pk=payment_id)
    form = MatchForm(request.POST)
    invoice = payments.invoice_by_number(form.data.get("number", "")) if form.is_valid() else None
    if invoice is None:
        messages.error(request, _("No invoice has this number."))
        return redirect("web:billing:payments")
    try:
        payments.do_match_payment(payment, invoice, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Payment matched to %(number)s.") % {"number": invoice.number})
    return redirect("web:billing:payments")


@manager_required
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    invoices = list(payments.overdue_invoices(today)[:LIST_LIMIT])
    reminders = dispatch.reminder_counts([invoice.pk for invoice in invoices])
    for invoice in invoices:
        invoice.days_late = (today - invoice.due_on).days
        invoice.reminders = reminders.get(invoice.pk, 0)
    return render(request, "web/billing/overdue.html", {"invoices": invoices})


@manager_required
@require_POST
def send(request: HttpRequest, invoice_id: int, kind: str) -> HttpResponse:
    invoice = access_invoice_by_id(request.user, invoice_id)
    if kind not in ("invoice", "reminder"):
        raise Http404("kind")
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid mail address."))
        return redirect("web:billing:invoice", invoice.pk)
    try:
        dispatch.do_send_invoice(
            invoice,
            acting_user=request.user,
            to_address=form.cleaned_data["to_address"],
            reminder=kind == "reminder",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Queued: the worker sends it to %(to)s with the PDF.")
            % {"to": form.cleaned_data["to_address"]},
        )
    if request.POST.get("back") == "overdue":
        return redirect("web:billing:overdue")
    return redirect("web:billing:invoice", invoice.pk)
