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
from palier.sla.queries import breached_q, warned_q
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
                    *[{"panel": "intake", "channel": channel, "decided": k} for k in keys],
                    # Decided ones only, as the figure: a request not yet qualified
                    # (no type, no decision) is in the backlog, not in intake.
                    {"panel": "intake", "channel": channel, "decided": "any"},
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
    """Hours logged on level-2 requests, by customization and by customer (4 queries: the
    hours ranked for both tables in one statement, closed days from the roll-up; the
    distinct requests of the rows shown, live; their names)."""
    top = _level2_top(f)
    requests = _level2_requests(f, top)
    by_custom = Table(
        key="l2custom",
        caption=_("Level-2 hours by customization"),
        columns=[_("Customization"), _("Requests"), _("Hours")],
        chart_series=[1],
        unit=" h",
    )
    ids = [r["id"] for r in top["custom"]]
    customs = Customization.objects.select_related("module").in_bulk([pk for pk in ids if pk])
    for row in top["custom"]:
        pk = row["id"]
        custom = customs.get(pk)
        by_custom.rows.append(
            Row(
                label=str(custom) if custom else _("No customization"),
                values=[
                    requests.get(("custom", pk), 0),
                    minutes_to_hours(int(row["minutes"] or 0)),
                ],
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
    names = dict(
        Customer.objects.filter(pk__in=[r["id"] for r in top["customer"]]).values_list("pk", "name")
    )
    for row in top["customer"]:
        pk = row["id"]
        by_customer.rows.append(
            Row(
                label=names.get(pk, str(pk)),
                values=[
                    requests.get(("customer", pk), 0),
                    minutes_to_hours(int(row["minutes"] or 0)),
                ],
                links=[{"panel": "l2customer", "row_customer": str(pk)}, None],
            )
        )
    return Panel(
        key="level2",
        title=_("Level-2 work"),
        description=_("Time logged in the period on level-2 (billable) requests."),
        tables=[by_custom, by_customer],
    )


LEVEL2_ROWS = 15


def _level2_time(f: Filters):
    return TimeEntry.objects.filter(
        Q(ticket__level=2) & f.day_period("date") & f.tickets("ticket__", level=False)
    )


def _level2_top(f: Filters) -> dict[str, list[dict]]:
    """The customizations and the customers with the most level-2 minutes in the period,
    both in one statement: closed days from the roll-up, the rest live."""
    in_rollup, live = combine.split(f, "l2time")
    parts = [
        in_rollup
        and combine.rolled(in_rollup, "l2time", level=False)
        .values("customization_id", "customer_id")
        .annotate(minutes=Sum("a")),
        live
        and _level2_time(live)
        .values(
            customization_id=F("ticket__customization_id"), customer_id=F("ticket__customer_id")
        )
        .annotate(minutes=Sum("minutes")),
    ]
    out: dict[str, list[dict]] = {"custom": [], "customer": []}
    for row in combine.ranked(
        parts,
        ["customization_id", "customer_id", "minutes"],
        {"custom": "customization_id", "customer": "customer_id"},
        value="minutes",
        limit=LEVEL2_ROWS,
    ):
        out[row["dim"]].append(row)
    return out


def _level2_requests(f: Filters, top: dict[str, list[dict]]) -> dict[tuple[str, int | None], int]:
    """The distinct requests with level-2 time in the period, for the rows shown only (one
    statement; a count of distinct requests is no sum of days, so it is read live)."""
    parts = []
    for dim, field in (("custom", "ticket__customization_id"), ("customer", "ticket__customer_id")):
        ids = [r["id"] for r in top[dim]]
        if not ids:
            continue
        which = Q(**{f"{field}__in": [pk for pk in ids if pk is not None]})
        if None in ids:
            which |= Q(**{f"{field}__isnull": True})
        parts.append(
            _level2_time(f)
            .filter(which)
            .order_by()
            .values(row_id=F(field))
            .annotate(dim=Value(dim, output_field=CharField()), n=Count("ticket_id", distinct=True))
        )
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(r["dim"], r["row_id"]): r["n"] for r in query}


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
                fr=Count("ticket_id", filter=breached_q("first_response")),
                res=Count("ticket_id", filter=breached_q("resolution")),
                warned=Count("ticket_id", filter=warned_q()),
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
    # One grouped pass over the open requests (a partial index holds them: ticket_open),
    # each age bucket a filtered count: no sort of the open rows by a computed bucket.
    buckets = {}
    for key, _label, low, high in labels.AGE_BUCKETS:
        since = Q() if low == 0 else Q(created_at__lt=now - dt.timedelta(days=low))
        if high is not None:
            since &= Q(created_at__gte=now - dt.timedelta(days=high))
        # Of a column the index holds (not id): the index alone answers.
        buckets[key] = Count("created_at", filter=since) if since else Count("created_at")
    counts: dict[str, dict[str, int]] = {}
    for row in (
        Ticket.objects.filter(Q(status__in=sorted(OPEN_STATUSES)) & f.tickets())
        .values("status")
        .annotate(**buckets)
        .order_by()
    ):
        counts[row["status"]] = {key: row[key] for key in buckets}
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
