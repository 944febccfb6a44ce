"""Invoices and payment reminders sent by mail with their PDF, by the worker.

The action records who asked to send what to whom (InvoiceDispatch) and queues a task; the
task renders the PDF in the customer's language outside any transaction (slow work), then
records the mail (mailgateway.composed) that the worker delivers with retries.
"""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django_tasks import task

from palier.accounts.models import User
from palier.billing.models import DispatchKind, Invoice, InvoiceDispatch, InvoiceKind
from palier.lib.errors import DomainError, NotAllowed
from palier.lib.money import format_chf
from palier.lib.tasks import enqueue_with_transaction
from palier.tickets.queries import customer_language


def _check_manager(user: User) -> None:
    if not user.is_manager:
        raise NotAllowed(_("Only a manager sends invoices and reminders."))


def customer_recipients(invoice: Invoice) -> list[str]:
    """Whom an invoice goes to by default: the customer's administrators."""
    from palier.accounts.models import User as UserModel

    return list(
        UserModel.objects.filter(
            customer_id=invoice.customer_id, is_customer_admin=True, is_active=True
        )
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    )


@transaction.atomic
def do_send_invoice(
    invoice: Invoice, *, acting_user: User, to_address: str, reminder: bool = False
) -> InvoiceDispatch:
    """Send an approved invoice (or a payment reminder of it) with its PDF."""
    _check_manager(acting_user)
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if invoice.is_draft:
        raise DomainError(_("Approve the invoice before sending it."), code="invoice_not_approved")
    if reminder and (invoice.kind != InvoiceKind.INVOICE or invoice.outstanding <= 0):
        raise DomainError(_("Nothing is owed on this invoice."), code="nothing_owed")
    if not to_address.strip():
        raise DomainError(_("Name the address to send it to."), code="recipient_required")
    level = 0
    if reminder:
        level = invoice.dispatches.filter(kind=DispatchKind.REMINDER).count() + 1
    dispatch = InvoiceDispatch.objects.create(
        invoice=invoice,
        kind=DispatchKind.REMINDER if reminder else DispatchKind.INVOICE,
        level=level,
        to_address=to_address.strip(),
        language=customer_language(invoice.customer),
        requested_by=acting_user,
    )
    enqueue_with_transaction(send_invoice_dispatch, dispatch.pk)
    return dispatch


def _mail_text(invoice: Invoice, dispatch: InvoiceDispatch) -> tuple[str, str, str]:
    from palier.billing.documents import payment_terms

    context = {
        "invoice": invoice,
        "dispatch": dispatch,
        "total": format_chf(invoice.total),
        "outstanding": format_chf(invoice.outstanding),
        "due": formats.date_format(invoice.due_on, "DATE_FORMAT") if invoice.due_on else "",
        "terms": payment_terms(invoice, invoice.issued_on),
        "credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
    }
    if dispatch.kind == DispatchKind.REMINDER:
        subject = _("Payment reminder: invoice %(number)s") % {"number": invoice.number}
    elif invoice.kind == InvoiceKind.CREDIT_NOTE:
        subject = _("Credit note %(number)s") % {"number": invoice.number}
    else:
        subject = _("Invoice %(number)s") % {"number": invoice.number}
    text = render_to_string("billing/mail/invoice.txt", context)
    html = render_to_string("billing/mail/invoice.html", {**context, "subject": subject})
    return subject, text, html


@task()
def send_invoice_dispatch(dispatch_id: int) -> str:
    """Render the PDF and the mail in the customer's language, then queue the mail."""
    from palier.billing.pdf import invoice_pdf
    from palier.mailgateway.composed import Attachment, ComposedMail, queue_composed

    dispatch = (
        InvoiceDispatch.objects.select_related("invoice__customer", "invoice__credited_invoice")
        .filter(pk=dispatch_id)
        .first()
    )
    if dispatch is None or dispatch.outbound_id:
        return "skipped"
    invoice = dispatch.invoice
    pdf = invoice_pdf(invoice, dispatch.language)  # before the write transaction
    with translation.override(dispatch.language):
        subject, text, html = _mail_text(invoice, dispatch)
    mail = ComposedMail(
        kind="invoice_reminder" if dispatch.kind == DispatchKind.REMINDER else "invoice",
        to_address=dispatch.to_address,
        to_name=invoice.customer.name,
        subject=subject,
        text=text,
        html=html,
        attachments=[Attachment(filename=f"{invoice.number}.pdf", content=pdf)],
    )
    with transaction.atomic():
        locked = InvoiceDispatch.objects.select_for_update().get(pk=dispatch.pk)
        if locked.outbound_id:
            return "skipped"
        out = queue_composed(mail)
        locked.outbound = out
        locked.save(update_fields=["outbound"])
    return "queued" if out else "not queued"


def reminder_counts(invoice_ids: list[int]) -> dict[int, int]:
    """Reminders sent per invoice, in one query."""
    from django.db.models import Count

    return dict(
        InvoiceDispatch.objects.filter(invoice_id__in=invoice_ids, kind=DispatchKind.REMINDER)
        .values("invoice_id")
        .annotate(n=Count("id"))
        .values_list("invoice_id", "n")
    )
