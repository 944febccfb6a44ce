"""The desk's panels: intake, refusals, moves after diagnosis, level-2 work, service levels,
backlog. Each is a fixed, small number of aggregate queries, whatever the desk's size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, CharField, Count, Max, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.billing.models import TimeEntry, minutes_to_hours
from palier.customers.models import Customer, Customization
from palier.dashboards import labels
from palier.dashboards.filters import Filters
from palier.dashboards.panel import Panel, Row, Table
from palier.sla.models import ServiceTier, TicketClock
from palier.tickets.models import Decision, Ticket
from palier.tickets.states import OPEN_STATUSES, Status


def intake(f: Filters) -> Panel:
    """Requests opened in the period by channel and by the level decided at intake (1 query)."""
    counts = (
        Decision.objects.filter(
            Q(kind="intake") & f.period("ticket__created_at") & f.tickets("ticket__", level=False)
        )
        .values("ticket__channel", "level", "accepted")
        .annotate(n=Count("id"))
        .order_by()
    )
    if f.level:
        counts = counts.filter(level=f.level)
    cells: dict[str, dict[str, int]] = {}
    for row in counts:
        level = "refused" if not row["accepted"] else str(row["level"] or "")
        cells.setdefault(row["ticket__channel"], {}).setdefault(level, 0)
        cells[row["ticket__channel"]][level] += row["n"]
    keys = ["1", "2", "refused"]
    table = Table(
        key="intake",
        caption=_("Requests in by channel and level"),
        columns=[_("Channel"), _("Level 1"), _("Level 2"), _("Refused"), _("Total")],
        chart_series=[0, 1, 2],
    )
    for channel in labels.CHANNELS:
        values = [cells.get(channel, {}).get(k, 0) for k in keys]
        if not any(values):
            continue
        table.rows.append(
            Row(
                label=labels.label(labels.CHANNELS, channel),
                values=[*values, sum(values)],
                links=[
                    *[{"panel": "intake", "channel": channel, "level": k} for k in keys],
                    {"panel": "intake", "channel": channel},
                ],
            )
        )
    total = sum(row.values[3] for row in table.rows)
    return Panel(
        key="intake",
        title=_("Intake"),
        description=_(
            "Requests opened in the period, by channel and by the level decided when they came in."
        ),
        tables=[table],
        facts=[(_("Requests in"), total)],
    )


def refusals(f: Filters) -> Panel:
    """Refused requests by reason, and the customers whose contract lapsed (2 queries)."""
    base = Decision.objects.filter(
        Q(kind="intake", accepted=False)
        & f.period("ticket__created_at")
        & f.tickets("ticket__", level=False)
    )
    by_reason = Table(
        key="refusals",
        caption=_("Refused requests by reason"),
        columns=[_("Reason"), _("Requests"), _("Customers")],
        chart_series=[0],
    )
    for row in (
        base.values("refusal")
        .annotate(n=Count("id"), customers=Count("ticket__customer", distinct=True))
        .order_by("-n", "refusal")
    ):
        by_reason.rows.append(
            Row(
                label=labels.label(labels.REFUSALS, row["refusal"]),
                values=[row["n"], row["customers"]],
                links=[{"panel": "refusals", "refusal": row["refusal"]}, None],
            )
        )
    lapsed = Table(
        key="lapsed",
        caption=_("Customers whose contract lapsed, still asking (a sales lead)"),
        columns=[_("Customer"), _("Refused requests"), _("Contract ended on"), _("Last request")],
        chart_series=[0],
    )
    for row in (
        base.filter(refusal__in=labels.LAPSED)
        .values("ticket__customer_id", "ticket__customer__name")
        .annotate(n=Count("id"), ended=Max("refusal_date"), last=Max("ticket__created_at"))
        .order_by("-n", "ticket__customer__name")[:20]
    ):
        lapsed.rows.append(
            Row(
                label=row["ticket__customer__name"],
                values=[
                    row["n"],
                    row["ended"].isoformat() if row["ended"] else "",
                    timezone.localtime(row["last"]).date().isoformat(),
                ],
                links=[
                    {"panel": "lapsed", "row_customer": str(row["ticket__customer_id"])},
                    None,
                    None,
                ],
            )
        )
    return Panel(
        key="refusals",
        title=_("Refusals"),
        description=_("Requests refused at intake for lack of an active maintenance contract."),
        tables=[by_reason, lapsed],
        facts=[(_("Refused"), sum(r.values[0] for r in by_reason.rows))],
    )


def moves(f: Filters) -> Panel:
    """Diagnoses in the period by finding: which level-1 requests went to level 2 (1 query)."""
    table = Table(
        key="moves",
        caption=_("Decisions after diagnosis, by finding"),
        columns=[_("Finding"), _("Requests"), _("Customers")],
        chart_series=[0],
    )
    to_level_2 = 0
    for row in (
        Decision.objects.filter(
            Q(kind="diagnosis") & f.period("decided_at") & f.tickets("ticket__", level=False)
        )
        .values("finding")
        .annotate(n=Count("id"), customers=Count("ticket__customer", distinct=True))
        .order_by("-n", "finding")
    ):
        if row["finding"] in labels.TO_LEVEL_2:
            to_level_2 += row["n"]
        table.rows.append(
            Row(
                label=labels.label(labels.FINDINGS, row["finding"]),
                values=[row["n"], row["customers"]],
                links=[{"panel": "moves", "finding": row["finding"]}, None],
            )
        )
    return Panel(
        key="moves",
        title=_("Level 1 to level 2"),
        description=_("Diagnoses made in the period and where they sent the request."),
        tables=[table],
        facts=[(_("Moved to level 2"), to_level_2)],
    )


def level2_work(f: Filters) -> Panel:
    """Hours logged on level-2 requests, by customization and by customer (4 queries: each
    grouping by id alone, which sorts narrow rows, then the top rows' names)."""
    base = TimeEntry.objects.filter(
        Q(ticket__level=2) & f.day_period("date") & f.tickets("ticket__", level=False)
    )
    by_custom = Table(
        key="l2custom",
        caption=_("Level-2 hours by customization"),
        columns=[_("Customization"), _("Requests"), _("Hours")],
        chart_series=[1],
        unit=" h",
    )
    rows = list(
        base.values("ticket__customization_id")
        .annotate(tickets=Count("ticket", distinct=True), minutes=Sum("minutes"))
        .order_by("-minutes", "ticket__customization_id")[:15]
    )
    customs = Customization.objects.select_related("module").in_bulk(
        [r["ticket__customization_id"] for r in rows if r["ticket__customization_id"]]
    )
    for row in rows:
        pk = row["ticket__customization_id"]
        custom = customs.get(pk)
        by_custom.rows.append(
            Row(
                label=str(custom) if custom else _("No customization"),
                values=[row["tickets"], minutes_to_hours(row["minutes"] or 0)],
                links=[{"panel": "l2custom", "customization": str(pk or "none")}, None],
            )
        )
    by_customer = Table(
        key="l2customer",
        caption=_("Level-2 hours by customer"),
        columns=[_("Customer"), _("Requests"), _("Hours")],
        chart_series=[1],
        unit=" h",
    )
    rows = list(
        base.values("ticket__customer_id")
        .annotate(tickets=Count("ticket", distinct=True), minutes=Sum("minutes"))
        .order_by("-minutes", "ticket__customer_id")[:15]
    )
    names = dict(
        Customer.objects.filter(pk__in=[r["ticket__customer_id"] for r in rows]).values_list(
            "pk", "name"
        )
    )
    for row in rows:
        pk = row["ticket__customer_id"]
        by_customer.rows.append(
            Row(
                label=names.get(pk, str(pk)),
                values=[row["tickets"], minutes_to_hours(row["minutes"] or 0)],
                links=[{"panel": "l2customer", "row_customer": str(pk)}, None],
            )
        )
    return Panel(
        key="level2",
        title=_("Level-2 work"),
        description=_("Time logged in the period on level-2 (billable) requests."),
        tables=[by_custom, by_customer],
    )


def _percent(part: int, whole: int) -> Decimal | str:
    if not whole:
        return "—"
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def service_levels(f: Filters) -> Panel:
    """Targets met and missed for requests opened in the period, by tier and criticality
    (2 queries: the clocks, the tiers' names)."""
    rows = (
        TicketClock.objects.filter(f.period("ticket__created_at") & f.tickets("ticket__"))
        .values("tier", "criticality")
        .annotate(
            n=Count("ticket_id"),
            fr_breached=Count("ticket_id", filter=Q(first_response_breached=True)),
            res_breached=Count("ticket_id", filter=Q(resolution_breached=True)),
            warned=Count(
                "ticket_id",
                filter=Q(first_response_warned=True) | Q(resolution_warned=True),
            ),
        )
        .order_by("tier", "criticality")
    )
    tiers = dict(ServiceTier.objects.values_list("code", "name"))
    table = Table(
        key="sla",
        caption=_("Service levels by tier and criticality"),
        columns=[
            _("Tier and criticality"),
            _("Requests"),
            _("First answer in time (%)"),
            _("Resolution in time (%)"),
            _("First-answer breaches"),
            _("Resolution breaches"),
            _("Warnings"),
        ],
        chart_series=[3, 4, 5],
    )
    total = breached = 0
    order = list(labels.CRITICALITIES)  # low … critical: the most critical first

    def most_critical_first(row: dict) -> tuple:
        rank = order.index(row["criticality"]) if row["criticality"] in order else -1
        return (row["tier"], -rank)

    for row in sorted(rows, key=most_critical_first):
        key = {"panel": "sla", "tier": row["tier"], "criticality": row["criticality"]}
        total += row["n"]
        breached += row["fr_breached"] + row["res_breached"]
        table.rows.append(
            Row(
                label=f"{tiers.get(row['tier'], row['tier'])} · "
                f"{labels.label(labels.CRITICALITIES, row['criticality'])}",
                values=[
                    row["n"],
                    _percent(row["n"] - row["fr_breached"], row["n"]),
                    _percent(row["n"] - row["res_breached"], row["n"]),
                    row["fr_breached"],
                    row["res_breached"],
                    row["warned"],
                ],
                links=[
                    key,
                    None,
                    None,
                    {**key, "breach": "first_response"},
                    {**key, "breach": "resolution"},
                    {**key, "breach": "warning"},
                ],
            )
        )
    return Panel(
        key="sla",
        title=_("Service levels"),
        description=_(
            "Requests opened in the period: first answer and resolution within the "
            "targets of their tier, breaches and warnings."
        ),
        tables=[table],
        facts=[(_("Breaches"), breached), (_("Requests with a clock"), total)],
    )


def backlog(f: Filters, now: dt.datetime | None = None) -> Panel:
    """Open requests now, by status and age (1 query; the period does not apply)."""
    now = now or timezone.now()
    whens = [
        When(created_at__gte=now - dt.timedelta(days=high), then=Value(key))
        for key, _label, _low, high in labels.AGE_BUCKETS
        if high is not None
    ]
    bucket = Case(*whens, default=Value("older"), output_field=CharField())
    counts: dict[str, dict[str, int]] = {}
    for row in (
        Ticket.objects.filter(Q(status__in=OPEN_STATUSES) & f.tickets())
        .annotate(bucket=bucket)
        .values("status", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["status"], {})[row["bucket"]] = row["n"]
    keys = [key for key, *_rest in labels.AGE_BUCKETS]
    table = Table(
        key="backlog",
        caption=_("Open requests by status and age"),
        columns=[_("Status"), *[str(lbl) for _k, lbl, *_r in labels.AGE_BUCKETS], _("Total")],
        chart_series=list(range(len(keys))),
    )
    for status in Status.values:
        if status not in counts:
            continue
        values = [counts[status].get(key, 0) for key in keys]
        table.rows.append(
            Row(
                label=labels.label(labels.STATUSES, status),
                values=[*values, sum(values)],
                links=[
                    *[{"panel": "backlog", "status": status, "age": key} for key in keys],
                    {"panel": "backlog", "status": status},
                ],
            )
        )
    return Panel(
        key="backlog",
        title=_("Backlog"),
        description=_("Requests open now, by status and by how long ago they came in."),
        tables=[table],
        facts=[(_("Open now"), sum(r.values[-1] for r in table.rows))],
    )
