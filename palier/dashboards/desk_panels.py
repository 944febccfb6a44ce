"""The desk's panels: intake, refusals, moves after diagnosis, level-2 work, service levels,
backlog. Each is a fixed, small number of aggregate queries, whatever the desk's size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Max, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.billing.models import TimeEntry, minutes_to_hours
from palier.customers.models import Customer, Customization
from palier.dashboards import combine, labels
from palier.dashboards.filters import Filters
from palier.dashboards.panel import Panel, Row, Table
from palier.sla.models import ServiceTier, TicketClock
from palier.tickets.models import Decision, Ticket
from palier.tickets.states import OPEN_STATUSES, Status


def intake(f: Filters) -> Panel:
    """Requests opened in the period by channel and by the level decided at intake (1 query)."""
    counts = _intake_counts(f)
    cells: dict[str, dict[str, int]] = {}
    for row in counts:
        level = "refused" if not row["accepted"] else str(row["level"] or "")
        cells.setdefault(row["channel"], {}).setdefault(level, 0)
        cells[row["channel"]][level] += int(row["n"])
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
    in_rollup, live = combine.split(f, "refusal")
    rolled = combine.rolled(in_rollup, "refusal", level=False) if in_rollup else None
    base = (
        Decision.objects.filter(
            Q(kind="intake", accepted=False)
            & live.period("ticket__created_at")
            & live.tickets("ticket__", level=False)
        )
        if live
        else None
    )
    by_reason = Table(
        key="refusals",
        caption=_("Refused requests by reason"),
        columns=[_("Reason"), _("Requests"), _("Customers")],
        chart_series=[0],
    )
    for row in combine.rows(
        [
            rolled is not None
            and rolled.values("customer_id", refusal=F("key1")).annotate(n=Sum("n")),
            base is not None
            and base.values("refusal", customer_id=F("ticket__customer_id")).annotate(
                n=Count("id")
            ),
        ],
        ["refusal", "customer_id", "n"],
        "refusal, SUM(n) AS n, COUNT(DISTINCT customer_id) AS customers",
        group="refusal",
        order="n DESC, refusal",
    ):
        by_reason.rows.append(
            Row(
                label=labels.label(labels.REFUSALS, row["refusal"]),
                values=[int(row["n"]), row["customers"]],
                links=[{"panel": "refusals", "refusal": row["refusal"]}, None],
            )
        )
    lapsed = Table(
        key="lapsed",
        caption=_("Customers whose contract lapsed, still asking (a sales lead)"),
        columns=[_("Customer"), _("Refused requests"), _("Contract ended on"), _("Last request")],
        chart_series=[0],
    )
    customers = Customer._meta.db_table
    for row in combine.rows(
        [
            rolled is not None
            and rolled.filter(key1__in=labels.LAPSED)
            .values("customer_id")
            .annotate(n=Sum("n"), ended=Max("ended"), last=Max("last_at")),
            base is not None
            and base.filter(refusal__in=labels.LAPSED)
            .values(customer_id=F("ticket__customer_id"))
            .annotate(n=Count("id"), ended=Max("refusal_date"), last=Max("ticket__created_at")),
        ],
        ["customer_id", "n", "ended", "last"],
        "u.customer_id, c.name, SUM(u.n) AS n, MAX(u.ended) AS ended, MAX(u.last) AS last",
        join=f"JOIN {customers} c ON c.id = u.customer_id",
        group="u.customer_id, c.name",
        order="n DESC, c.name",
        limit=20,
    ):
        ended = combine.as_date(row["ended"])
        last = combine.as_datetime(row["last"])
        lapsed.rows.append(
            Row(
                label=row["name"],
                values=[
                    int(row["n"]),
                    ended.isoformat() if ended else "",
                    timezone.localtime(last).date().isoformat() if last else "",
                ],
                links=[
                    {"panel": "lapsed", "row_customer": str(row["customer_id"])},
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
    in_rollup, live = combine.split(f, "diagnosis")
    for row in combine.rows(
        [
            in_rollup
            and combine.rolled(in_rollup, "diagnosis", level=False)
            .values("customer_id", finding=F("key1"))
            .annotate(n=Sum("n")),
            live
            and Decision.objects.filter(
                Q(kind="diagnosis")
                & live.period("decided_at")
                & live.tickets("ticket__", level=False)
            )
            .values("finding", customer_id=F("ticket__customer_id"))
            .annotate(n=Count("id")),
        ],
        ["finding", "customer_id", "n"],
        "finding, SUM(n) AS n, COUNT(DISTINCT customer_id) AS customers",
        group="finding",
        order="n DESC, finding",
    ):
        row["n"] = int(row["n"])
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
    grouping by id alone, which sorts narrow rows, then the top rows' names). Read live, not
    from the daily roll-up: its distinct count of requests needs a row per request and day,
    which at a million tickets scanned no faster than the time entries (performance.md)."""
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


def _intake_counts(f: Filters) -> list[dict]:
    """Intake decisions by channel, level and acceptance: closed days from the roll-up, the
    rest live, in one statement."""
    in_rollup, live = combine.split(f, "intake")
    rolled = in_rollup and combine.rolled(in_rollup, "intake").values(
        "level", channel=F("key1"), acc=F("a")
    ).annotate(n=Sum("n"))
    counted = None
    if live:
        counted = Decision.objects.filter(
            Q(kind="intake")
            & live.period("ticket__created_at")
            & live.tickets("ticket__", level=False)
        )
        if f.level:
            counted = counted.filter(level=f.level)
        counted = counted.values(
            "level",
            channel=F("ticket__channel"),
            # The roll-up keeps acceptance as 0/1: the same here.
            acc=Case(When(accepted=True, then=Value(1)), default=Value(0)),
        ).annotate(n=Count("id"))
    return combine.rows(
        [rolled, counted],
        ["channel", "level", "acc", "n"],
        "channel, level, acc AS accepted, SUM(n) AS n",
        group="channel, level, acc",
    )


def _percent(part: int, whole: int) -> Decimal | str:
    if not whole:
        return "—"
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def service_levels(f: Filters) -> Panel:
    """Targets met and missed for requests opened in the period, by tier and criticality
    (2 queries: the clocks, the tiers' names)."""
    in_rollup, live = combine.split(f, "clock")
    rows = combine.rows(
        [
            in_rollup
            and combine.rolled(in_rollup, "clock")
            .values(tier=F("key1"), criticality=F("key2"))
            .annotate(n=Sum("n"), fr=Sum("a"), res=Sum("b"), warned=Sum("c")),
            live
            and TicketClock.objects.filter(
                live.period("ticket__created_at") & live.tickets("ticket__")
            )
            .values("tier", "criticality")
            .annotate(
                n=Count("ticket_id"),
                fr=Count("ticket_id", filter=Q(first_response_breached=True)),
                res=Count("ticket_id", filter=Q(resolution_breached=True)),
                warned=Count(
                    "ticket_id",
                    filter=Q(first_response_warned=True) | Q(resolution_warned=True),
                ),
            ),
        ],
        ["tier", "criticality", "n", "fr", "res", "warned"],
        "tier, criticality, SUM(n) AS n, SUM(fr) AS fr_breached, SUM(res) AS res_breached, "
        "SUM(warned) AS warned",
        group="tier, criticality",
        order="tier, criticality",
    )
    for row in rows:
        for key in ("n", "fr_breached", "res_breached", "warned"):
            row[key] = int(row[key])
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
