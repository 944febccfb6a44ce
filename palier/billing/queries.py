"""Reads on billing, scoped to who asks: another customer's object is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.billing.models import Estimate, Invoice, InvoiceStatus, TimeEntry, Timer
from palier.lib.errors import NotAllowed
from palier.lib.pagination import Page, keyset_page
from palier.tickets.queries import visible_tickets


def visible_estimates(user: User) -> QuerySet[Estimate]:
    return Estimate.objects.filter(ticket__in=visible_tickets(user)).select_related(
        "ticket", "proposed_by", "decided_by"
    )


def access_estimate_by_id(user: User, estimate_id: int) -> Estimate:
    estimate = visible_estimates(user).filter(pk=estimate_id).first()
    if estimate is None:
        raise Http404("estimate")
    return estimate


def pending_estimate(ticket_id: int) -> Estimate | None:
    return (
        Estimate.objects.filter(ticket_id=ticket_id, status="proposed")
        .select_related("proposed_by")
        .order_by("-id")
        .first()
    )


def visible_time_entries(user: User) -> QuerySet[TimeEntry]:
    """Time is staff information; contacts see it only through invoices."""
    if not user.is_staff_member:
        return TimeEntry.objects.none()
    return TimeEntry.objects.select_related("ticket", "ticket__customer", "user")


def access_time_entry_by_id(user: User, entry_id: int) -> TimeEntry:
    entry = visible_time_entries(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("time entry")
    return entry


def list_time_entries(
    user: User,
    *,
    ticket_id: int | None = None,
    user_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    qs = visible_time_entries(user)
    if ticket_id is not None:
        qs = qs.filter(ticket_id=ticket_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return keyset_page(qs, sort="-created", cursor=cursor, limit=limit)


def running_timer(user: User) -> Timer | None:
    return Timer.objects.filter(user=user).select_related("ticket").first()


def visible_invoices(user: User) -> QuerySet[Invoice]:
    """Managers see every invoice; a customer's admin sees their approved ones; others none."""
    qs = Invoice.objects.select_related("customer")
    if user.is_manager:
        return qs
    if user.is_contact and user.is_customer_admin and user.is_active:
        return qs.filter(customer_id=user.customer_id, status=InvoiceStatus.APPROVED)
    return qs.none()


def access_invoice_by_id(user: User, invoice_id: int) -> Invoice:
    invoice = visible_invoices(user).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("invoice")
    return invoice


def list_invoices(
    user: User,
    *,
    customer_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    qs = visible_invoices(user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, sort="-created", cursor=cursor, limit=limit)


def check_billing_staff(user: User) -> None:
    """Invoices and reports are the managers' (and admins') work."""
    if not user.is_manager:
        raise NotAllowed(_("Only managers see billing runs and reports."))
