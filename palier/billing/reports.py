"""Billing reports: each figure is one aggregate query, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from palier.accounts.models import person_name
from palier.billing.models import Estimate, TimeEntry, hours_to_minutes, minutes_to_hours
from palier.billing.prepaid import prepaid_balance
from palier.customers.models import Contract, Customer
from palier.customers.queries import current_contract
from palier.lib.money import CENT

_CHARGED = ExpressionWrapper(
    (F("minutes") - F("prepaid_minutes")) * F("rate"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


@dataclass
class BillingReport:
    period_start: dt.date
    period_end: dt.date
    by_customer: list[dict] = field(default_factory=list)
    by_consultant: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)
    unbilled_level1: list[dict] = field(default_factory=list)
    estimates: dict = field(default_factory=dict)
    prepaid: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "period_start": self.period_start,
            "period_end": self.period_end,
            "by_customer": self.by_customer,
            "by_consultant": self.by_consultant,
            "by_month": self.by_month,
            "unbilled_level1": self.unbilled_level1,
            "estimates": self.estimates,
            "prepaid": self.prepaid,
        }


def _row(row: dict, key: str, label: str) -> dict:
    revenue = (row.get("charged") or Decimal("0")) / 60
    return {
        key: row[label] if not isinstance(row[label], dt.date) else row[label].strftime("%Y-%m"),
        "billable_hours": str(minutes_to_hours(row.get("total") or 0)),
        "prepaid_hours": str(minutes_to_hours(row.get("prepaid") or 0)),
        "revenue": str(revenue.quantize(CENT)),
    }


def _grouped(qs, *fields: str):
    return (
        qs.values(*fields)
        .annotate(total=Sum("minutes"), prepaid=Sum("prepaid_minutes"), charged=Sum(_CHARGED))
        .order_by(*fields)
    )


def billing_report(period_start: dt.date, period_end: dt.date) -> BillingReport:
    report = BillingReport(period_start, period_end)
    time = TimeEntry.objects.filter(date__gte=period_start, date__lte=period_end)
    billable = time.filter(billable=True)
    report.by_customer = [
        _row(r, "customer", "ticket__customer__name")
        for r in _grouped(billable, "ticket__customer__name")
    ]
    report.by_consultant = [
        {
            **_row(r, "consultant", "user__username"),
            # People by name (their username only when they have none), as everywhere.
            "consultant": person_name(
                r["user__first_name"], r["user__last_name"], r["user__username"]
            ),
            "username": r["user__username"],
        }
        for r in _grouped(billable, "user__username", "user__first_name", "user__last_name")
    ]
    months = {r["month"]: r for r in _grouped(billable.annotate(month=TruncMonth("date")), "month")}
    level1 = {
        r["month"]: r["total"]
        for r in time.filter(billable=False)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("minutes"))
        .order_by("month")
    }
    for month in sorted(set(months) | set(level1)):
        row = _row(months.get(month, {"month": month}), "month", "month")
        row["level1_hours"] = str(minutes_to_hours(level1.get(month, 0)))
        report.by_month.append(row)
    report.unbilled_level1 = [
        {
            "customer": r["ticket__customer__name"],
            "hours": str(minutes_to_hours(r["total"])),
            "tickets": r["tickets"],
        }
        for r in time.filter(billable=False)
        .values("ticket__customer__name")
        .annotate(total=Sum("minutes"), tickets=Count("ticket", distinct=True))
        .order_by("-total")
    ]
    report.estimates = estimate_counts(period_start, period_end)
    report.prepaid = prepaid_balances()
    return report


def estimate_counts(period_start: dt.date, period_end: dt.date) -> dict:
    qs = Estimate.objects.filter(
        decided_at__date__gte=period_start, decided_at__date__lte=period_end
    )
    totals = qs.aggregate(
        accepted=Count("id", filter=Q(status="accepted") & ~Q(decided_via="prepaid")),
        accepted_prepaid=Count("id", filter=Q(status="accepted", decided_via="prepaid")),
        declined=Count("id", filter=Q(status="declined")),
        accepted_hours=Sum("hours", filter=Q(status="accepted")),
        declined_hours=Sum("hours", filter=Q(status="declined")),
    )
    totals["pending"] = Estimate.objects.filter(status="proposed").count()
    for key in ("accepted_hours", "declined_hours"):
        totals[key] = str(totals[key] or Decimal("0.00"))
    return totals


def prepaid_balances() -> list[dict]:
    used = dict(
        TimeEntry.objects.filter(prepaid_minutes__gt=0)
        .values("contract")
        .annotate(m=Sum("prepaid_minutes"))
        .values_list("contract", "m")
    )
    out = []
    for contract in Contract.objects.filter(prepaid_hours__gt=0).select_related("customer"):
        bought = hours_to_minutes(contract.prepaid_hours)
        spent = used.get(contract.pk, 0)
        out.append(
            {
                "customer": contract.customer.name,
                "contract": contract.reference,
                "bought_hours": str(minutes_to_hours(bought)),
                "used_hours": str(minutes_to_hours(spent)),
                "remaining_hours": str(minutes_to_hours(max(bought - spent, 0))),
                "percent_used": int(spent * 100 // bought) if bought else 0,
            }
        )
    return out


def prepaid_for_customer(customer: Customer) -> dict:
    contract = current_contract(customer, timezone.localdate())
    balance = prepaid_balance(contract)
    return {
        "contract": contract.reference if contract else None,
        **{k: str(v) for k, v in balance.as_dict().items()},
    }


def month_chart_svg(by_month: list[dict], *, width: int = 640, height: int = 220) -> str:
    """Billable and level-1 hours per month as grouped bars: inline SVG, no script."""
    if not by_month:
        return ""
    pad_left, pad_bottom, pad_top = 40, 28, 12
    plot_h = height - pad_bottom - pad_top
    peak = max(max(Decimal(m["billable_hours"]), Decimal(m["level1_hours"])) for m in by_month)
    peak = peak if peak > 0 else Decimal("1")
    slot = (width - pad_left) / len(by_month)
    bar = max(min(slot / 3, 40), 2)
    labels = (_("billable"), _("level 1"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="billing-chart" aria-label="{escape(_("Billable and level-1 hours per month"))}">',
        f'<text x="4" y="{pad_top + 8}" font-size="10">{escape(str(peak))} h</text>',
        f'<line x1="{pad_left}" y1="{height - pad_bottom}" x2="{width}" '
        f'y2="{height - pad_bottom}" stroke="#888"/>',
    ]
    for i, month in enumerate(by_month):
        x = pad_left + i * slot + slot / 2 - bar
        for j, (key, colour) in enumerate(
            (("billable_hours", "#2f6fb0"), ("level1_hours", "#c9a227"))
        ):
            value = Decimal(month[key])
            h = float(value / peak) * plot_h
            y = height - pad_bottom - h
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(month["month"])}: {escape(str(value))} h '
                f"{escape(labels[j])}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - 10}" font-size="10" text-anchor="middle">'
            f"{escape(month['month'])}</text>"
        )
    for j, (label, colour) in enumerate(zip(labels, ("#2f6fb0", "#c9a227"), strict=True)):
        x = width - 170 + j * 85
        parts.append(
            f'<rect x="{x}" y="2" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="11" font-size="10">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
