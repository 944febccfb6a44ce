"""R&D, the billing funnel and prepaid balances, satisfaction."""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from palier.billing.models import Estimate, TimeEntry, hours_to_minutes, minutes_to_hours
from palier.customers.models import Contract
from palier.dashboards.filters import Filters
from palier.dashboards.panel import Panel, Row, Table
from palier.engineering.models import OPEN_DEFECT_STATUSES, Defect, DefectLink
from palier.satisfaction.models import FollowUp, FollowUpStatus, Survey

PREPAID_LOW_PERCENT = 80


def rnd(f: Filters) -> Panel:
    """Open defects holding the most requests and customers; time to patch (2 queries)."""
    table = Table(
        key="defects",
        caption=_("Open defects by linked requests"),
        columns=[_("Defect"), _("Linked requests"), _("Customers")],
        chart_series=[0, 1],
    )
    # Ranked by links alone (no ticket read unless a filter needs one); the distinct
    # customers are counted for the ten defects shown only, after the limit.
    chosen = Q(defect__status__in=OPEN_DEFECT_STATUSES) & f.tickets("ticket__", level=False)
    customers = (
        DefectLink.objects.filter(chosen & Q(defect_id=OuterRef("defect_id")))
        .order_by()
        .values("defect_id")
        .annotate(c=Count("ticket__customer", distinct=True))
        .values("c")
    )
    for row in (
        DefectLink.objects.filter(chosen)
        .values("defect_id", "defect__title")
        .annotate(n=Count("id"))
        .order_by("-n", "defect_id")
        .annotate(customers=Subquery(customers))[:10]
    ):
        link = {"panel": "defect", "defect": str(row["defect_id"])}
        table.rows.append(
            Row(
                label=f"DEF-{row['defect_id']} {row['defect__title']}",
                values=[row["n"], row["customers"]],
                links=[link, link],
            )
        )
    fixed = Defect.objects.filter(f.period("fixed_in__released_at"))
    if f.module_id:
        fixed = fixed.filter(module_id=f.module_id)
    elif f.product_id:
        fixed = fixed.filter(product_id=f.product_id)
    # A defect recorded after the patch that fixes it was out (written down after the fact)
    # took no time to patch, not a negative one.
    days = [
        max(0.0, (released - created).total_seconds() / 86400)
        for created, released in fixed.values_list("created_at", "fixed_in__released_at")[:5000]
    ]
    facts = [(_("Defects patched in the period"), len(days))]
    if days:
        facts.append((_("Median days from report to patch"), Decimal(median(days)).quantize(1)))
    return Panel(
        key="rnd",
        title=_("R&D"),
        description=_(
            "Open defects of the standard product by the requests and customers "
            "waiting for them, and how long patches took."
        ),
        tables=[table],
        facts=facts,
    )


def billing_funnel(f: Filters) -> Panel:
    """Hours estimated → consented → logged → invoiced, and prepaid balances running low
    (4 queries)."""
    estimates = Estimate.objects.filter(f.tickets("ticket__", level=False))
    estimated = estimates.filter(f.period("proposed_at")).aggregate(h=Sum("hours"))["h"]
    consented = (
        estimates.filter(Q(status="accepted") & f.period("decided_at")).aggregate(h=Sum("hours"))
    )["h"]
    time = TimeEntry.objects.filter(
        Q(billable=True) & f.day_period("date") & f.tickets("ticket__", level=False)
    ).aggregate(
        logged=Sum("minutes"),
        invoiced=Sum(F("minutes") - F("prepaid_minutes"), filter=Q(invoice__status="approved")),
        prepaid=Sum("prepaid_minutes"),
    )
    stages = [
        ("estimated", _("Estimated"), (estimated or Decimal("0")).quantize(Decimal("0.01"))),
        ("consented", _("Consented"), (consented or Decimal("0")).quantize(Decimal("0.01"))),
        ("logged", _("Logged (billable)"), minutes_to_hours(time["logged"] or 0)),
        ("invoiced", _("Invoiced"), minutes_to_hours(time["invoiced"] or 0)),
    ]
    funnel = Table(
        key="funnel",
        caption=_("Billable hours from estimate to invoice"),
        columns=[_("Stage"), _("Hours")],
        chart_series=[0],
        unit=" h",
    )
    for key, name, hours in stages:
        funnel.rows.append(
            Row(label=str(name), values=[hours], links=[{"panel": "funnel", "stage": key}])
        )
    low = Table(
        key="prepaid",
        caption=_("Prepaid balances running low"),
        columns=[_("Customer"), _("Remaining hours"), _("Bought hours"), _("Used (%)")],
        chart_series=[0],
        unit=" h",
    )
    contracts = Contract.objects.filter(prepaid_hours__gt=0).select_related("customer")
    if f.customer_id:
        contracts = contracts.filter(customer_id=f.customer_id)
    used = dict(
        TimeEntry.objects.filter(contract__in=contracts, prepaid_minutes__gt=0)
        .values("contract")
        .annotate(m=Sum("prepaid_minutes"))
        .values_list("contract", "m")
    )
    for contract in contracts:
        bought = hours_to_minutes(contract.prepaid_hours)
        spent = used.get(contract.pk, 0)
        percent = int(spent * 100 // bought) if bought else 0
        if percent >= PREPAID_LOW_PERCENT:
            low.rows.append(
                Row(
                    label=f"{contract.customer.name} ({contract.reference})",
                    values=[
                        minutes_to_hours(max(bought - spent, 0)),
                        minutes_to_hours(bought),
                        percent,
                    ],
                    links=[
                        {"panel": "prepaid", "row_customer": str(contract.customer_id)},
                        None,
                        None,
                    ],
                )
            )
    low.rows.sort(key=lambda row: row.values[0])
    return Panel(
        key="billing",
        title=_("Billing funnel"),
        description=_(
            "Billable hours of the period, from the estimates proposed to what was "
            "invoiced; prepaid consulting balances 80 % used or more."
        ),
        tables=[funnel, low],
        facts=[(_("Prepaid hours drawn"), minutes_to_hours(time["prepaid"] or 0))],
    )


def satisfaction(f: Filters) -> Panel:
    """Survey answers of the period by score, response rate, open follow-ups (3 queries)."""
    surveys = Survey.objects.filter(f.period("sent_at") & f.tickets("ticket__"))
    totals = surveys.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        average=Avg("score"),
    )
    by_score = dict(
        surveys.filter(score__isnull=False)
        .values("score")
        .annotate(n=Count("id"))
        .values_list("score", "n")
    )
    table = Table(
        key="satisfaction",
        caption=_("Answers by score"),
        columns=[_("Score"), _("Answers")],
        chart_series=[0],
    )
    for score in range(5, 0, -1):
        table.rows.append(
            Row(
                label=f"{score}/5",
                values=[by_score.get(score, 0)],
                links=[{"panel": "satisfaction", "score": str(score)}],
            )
        )
    rate = (
        (Decimal(totals["answered"]) * 100 / totals["sent"]).quantize(Decimal("1"))
        if totals["sent"]
        else "—"
    )
    average = Decimal(str(totals["average"])).quantize(Decimal("0.1")) if totals["average"] else "—"
    open_follow_ups = FollowUp.objects.filter(status=FollowUpStatus.OPEN).count()
    return Panel(
        key="satisfaction",
        title=_("Satisfaction"),
        description=_("Surveys sent in the period after a request was solved, and the answers."),
        tables=[table],
        facts=[
            (_("Surveys sent"), totals["sent"]),
            (_("Answered (%)"), rate),
            (_("Average score"), average),
            (_("Follow-ups open"), open_follow_ups),
        ],
    )
