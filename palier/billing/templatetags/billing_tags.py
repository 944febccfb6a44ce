"""The consent panel the portal's request page includes:
`{% load billing_tags %}{% consent_panel ticket %}` (one query)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from palier.billing.models import Activity, Estimate, address_lines
from palier.lib.compiled import first_row
from palier.lib.money import format_chf

register = template.Library()


@register.inclusion_tag("web/billing/partials/consent_panel.html", takes_context=True)
def consent_panel(context: template.Context, ticket) -> dict:
    from palier.web.billing.forms import DeclineForm

    user = context["request"].user
    latest = first_row(  # compiled once per connection: shown on every request page
        lambda: (
            Estimate.objects.filter(ticket_id=ticket.pk)
            .exclude(status="superseded")
            .select_related("decided_by")
            .order_by("-id")[:1]
        ),
        ("consent_panel",),
        [ticket.pk, "superseded"],
    )
    pending = latest if latest is not None and latest.status == "proposed" else None
    can_answer = bool(
        pending
        and user.is_contact
        and user.customer_id == ticket.customer_id
        and (ticket.contact_id == user.pk or user.is_customer_admin)
    )
    return {
        "estimate": latest,
        "pending": pending,
        "can_answer": can_answer,
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "form": DeclineForm() if can_answer else None,  # shown only to who may answer
    }


@register.filter
def chf(amount) -> str:
    """CHF 1'234.50 in every language (palier.lib.money)."""
    return format_chf(amount) if amount is not None and amount != "" else ""


@register.filter
def hours(value) -> str:
    """Hours as 1.50, unlocalized like the amounts beside them."""
    return "" if value is None else str(value)


@register.inclusion_tag("web/billing/partials/ticket_billing.html", takes_context=True)
def billing_panel(context: template.Context, ticket) -> dict:
    """Staff side of a ticket: time logged, the estimates' state, quick entry (two queries)."""
    from django.db.models import Count, Q, Sum

    from palier.billing.models import TimeEntry
    from palier.web.billing.forms import TimeForm

    totals = TimeEntry.objects.filter(ticket_id=ticket.pk).aggregate(
        billable_minutes=Sum("minutes", filter=Q(billable=True)),
        included_minutes=Sum("minutes", filter=Q(billable=False)),
        entries=Count("id"),
    )
    latest = Estimate.objects.filter(ticket_id=ticket.pk).order_by("-id").first()
    user = context["request"].user
    return {
        "ticket": ticket,
        "totals": totals,
        "estimate": latest,
        "can_propose": ticket.billable
        and ticket.level == 2
        and user.role in ("consultant", "manager", "admin"),
        "form": TimeForm(initial={"ticket": ticket.reference}),
        "csrf_token": context.get("csrf_token"),
        "next": context["request"].get_full_path(),
    }


@register.filter
def percent(rate) -> str:
    """0.0810 -> 8.1 %"""
    if rate is None:
        return ""
    return f"{(Decimal(rate) * 100).normalize():f} %"


@register.filter
def activity_label(code: str) -> str:
    return str(dict(Activity.choices).get(code, code))


@register.filter
def one_line_address(address: dict) -> str:
    """A postal address (Invoice.postal_address) on one line; empty without one."""
    return ", ".join(address_lines(address)) if address else ""


@register.filter
def quantity_label(row: dict) -> str:
    """6.70 h or 400 min (palier.billing.lines)."""
    from palier.billing.lines import quantity_label as label

    return label(row)


@register.filter
def exact_label(row: dict) -> str:
    """The exact amount before rounding to the cent, or empty."""
    from palier.billing.lines import exact_label as label

    return label(row)


@register.filter
def worked_label(row: dict) -> str:
    """The minutes worked, when the billing unit counted them differently; else empty."""
    worked, billed = row.get("minutes"), row.get("billed_minutes")
    if billed is None or worked == billed:
        return ""
    return f"{worked} min"
