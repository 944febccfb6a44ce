"""The daily roll-up behind the period panels: per-day counts and sums, kept by the worker.

A period panel scanned every row of its period (a year is 90 % of the tickets); at a
million tickets that took seconds. Closed days do not change often, so the worker sums each
of them once into `DayFigure` (keyed by what the filters select) and the panels read those
sums for closed days, and the base tables only for the days after `RollupState.built_through`
(today, and any day the worker has not reached yet): see `palier.dashboards.combine`.

Exact, not approximate: a past day changes when a ticket of that day is requalified, moved
to another module, gets a decision, a new criticality or a clock breach. Every such change
goes through an action that records a ticket event, so `refresh` (every minute, `palier
worker`) recomputes every day of every ticket with an event since its last run (but a reply,
a note, a follower, time...: UNRELATED_EVENTS): the ticket's day and its decisions' days.
Between two refreshes a past day's figure may lag a change by up to a minute; today is
always read live. A day is recomputed whole, from the base tables, in one transaction: the
roll-up is never patched by increments that could drift. Level-2 work keeps its minutes by
day of the time entry, customer, customization and module; a time event recomputes the
days of the ticket's time entries, and the day an entry left (moved or deleted). Its
"Requests" column (distinct requests) is not a sum: the panel counts it live for the rows it
shows (desk_panels.level2_work). Bulk changes that bypass the actions (an SLA recompute over
the backlog, an import of past tickets, a fill) are followed by `palier rollup --rebuild`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.dashboards.combine import compiled
from palier.dashboards.models import DayFigure, RollupState

# Each refresh reads back over this many event ids and this much time, for transactions
# that took an id or a timestamp before the last refresh but committed after it.
EVENT_OVERLAP = 5000
TIME_OVERLAP = dt.timedelta(minutes=2)
# Events that change no figure the roll-up keeps (conversation, followers, mail, surveys,
# billing): a busy desk's replies on old tickets
# recompute no day.
UNRELATED_EVENTS = [
    "reply",
    "customer_reply",
    "note",
    "followed",
    "unfollowed",
    "assigned",
    "tagged",
    "untagged",
    "attachment",
    "survey_sent",
    "survey_answered",
    "satisfaction_follow_up",
    "prepaid_alert",
    "patch_available",
    "defect_linked",
    "invoiced",
    "consent_requested",
    "consent_answered",
    "estimate_accepted",
    "estimate_declined",
    "mail_bounced",
    "time_billable_changed",
]
CHUNK = 500

COLUMNS = [
    "day",
    "customer_id",
    "module_id",
    "product_id",
    "customization_id",
    "level",
    "key1",
    "key2",
    "n",
    "a",
    "b",
    "c",
    "last_at",
    "ended",
]
DEFAULTS = {"key1": "''", "key2": "''", "n": "0", "a": "0", "b": "0", "c": "0"}


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _since(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _ticket_dims(prefix: str) -> dict:
    return {
        "r_module_id": F(f"{prefix}module_id"),
        "r_product_id": F(f"{prefix}module__product_id"),
    }


def metric_sources(first: dt.date, last: dt.date) -> dict[str, QuerySet]:
    """Each metric's rows for the days first..last, aggregated per day and key, with their
    columns named r_<DayFigure column>."""
    from palier.billing.models import TimeEntry
    from palier.sla.models import TicketClock
    from palier.sla.queries import breached_q, warned_q
    from palier.tickets.models import Decision

    created = Q(ticket__created_at__gte=_since(first), ticket__created_at__lt=_since(last) + _DAY)
    one = Value(1)
    return {
        "intake": Decision.objects.filter(Q(kind="intake") & created)
        .values(
            r_day=_local_day("ticket__created_at"),
            r_key1=F("ticket__channel"),
            r_level=F("level"),
            r_a=Case(When(accepted=True, then=one), default=Value(0)),
            **_ticket_dims("ticket__"),
        )
        .annotate(r_n=Count("id"))
        .order_by(),
        "refusal": Decision.objects.filter(Q(kind="intake", accepted=False) & created)
        .values(
            r_day=_local_day("ticket__created_at"),
            r_customer_id=F("ticket__customer_id"),
            r_key1=F("refusal"),
            **_ticket_dims("ticket__"),
        )
        .annotate(r_n=Count("id"), r_ended=Max("refusal_date"), r_last_at=Max("ticket__created_at"))
        .order_by(),
        "diagnosis": Decision.objects.filter(
            kind="diagnosis", decided_at__gte=_since(first), decided_at__lt=_since(last) + _DAY
        )
        .values(
            r_day=_local_day("decided_at"),
            r_customer_id=F("ticket__customer_id"),
            r_key1=F("finding"),
            **_ticket_dims("ticket__"),
        )
        .annotate(r_n=Count("id"))
        .order_by(),
        "clock": TicketClock.objects.filter(created)
        .values(
            r_day=_local_day("ticket__created_at"),
            r_level=F("ticket__level"),
            r_key1=F("tier"),
            r_key2=F("criticality"),
            **_ticket_dims("ticket__"),
        )
        .annotate(
            r_n=Count("ticket_id"),
            r_a=Count("ticket_id", filter=breached_q("first_response")),
            r_b=Count("ticket_id", filter=breached_q("resolution")),
            r_c=Count("ticket_id", filter=warned_q()),
        )
        .order_by(),
        # Minutes on level-2 requests by the entry's day (a date: no time zone).
        "l2time": TimeEntry.objects.filter(ticket__level=2, date__gte=first, date__lte=last)
        .values(
            r_day=F("date"),
            r_customer_id=F("ticket__customer_id"),
            r_customization_id=F("ticket__customization_id"),
            **_ticket_dims("ticket__"),
        )
        .annotate(r_n=Count("id"), r_a=Sum("minutes"))
        .order_by(),
    }


_DAY = dt.timedelta(days=1)


def compute_days(first: dt.date, last: dt.date) -> int:
    """Replace the roll-up of the days first..last by sums read from the base tables (in the
    caller's transaction). Returns the rows written."""
    DayFigure.objects.filter(day__gte=first, day__lte=last).delete()
    written = 0
    table = DayFigure._meta.db_table
    for metric, source in metric_sources(first, last).items():
        names = set(source.query.values_select) | set(source.query.annotation_select)
        select = [
            f"s.r_{col}" if f"r_{col}" in names else DEFAULTS.get(col, "NULL") for col in COLUMNS
        ]
        sql, params = compiled(source)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (metric, {', '.join(COLUMNS)}) "
                f"SELECT %s, {', '.join(select)} FROM ({sql}) s",
                [metric, *params],
            )
            written += cursor.rowcount
    return written


def runs(days: Iterable[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) ranges."""
    first = last = None
    for day in sorted(set(days)):
        if last is not None and day == last + _DAY:
            last = day
            continue
        if first is not None:
            yield first, last
        first = last = day
    if first is not None:
        yield first, last


def closed_through(now: dt.datetime) -> dt.date:
    """The last day that is over (yesterday, in the desk's time zone)."""
    return timezone.localdate(now) - _DAY


@transaction.atomic
def refresh(now: dt.datetime | None = None) -> str:
    """Fold the days closed since the last run, and every past day touched since, into the
    roll-up. The first run builds it from the first ticket's day."""
    from palier.tickets.models import Ticket, TicketEvent

    now = now or timezone.now()
    state = _locked_state()
    through = closed_through(now)
    top = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if state.built_through is None:
        first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
        days = (
            set(_days_between(timezone.localdate(first), through)) if first is not None else set()
        )
    else:
        days = set(_days_between(state.built_through + _DAY, through))
        days |= {d for d in _touched_days(state) if d <= through}
    written = sum(compute_days(a, b) for a, b in runs(days))
    state.built_through = max(through, state.built_through or through)
    state.event_id = max(top, state.event_id)
    state.changes_since = now
    state.refreshed_at = now
    state.save()
    return outcome(len(days), written, state.built_through)


def outcome(days: int, rows: int, through: dt.date) -> str:
    """What a refresh did, in the reader's words (a command prints it)."""
    return _("%(days)s, %(rows)s, built through %(date)s") % {
        "days": ngettext("%(count)s day recomputed", "%(count)s days recomputed", days)
        % {"count": days},
        "rows": ngettext("%(count)s row", "%(count)s rows", rows) % {"count": rows},
        "date": through.isoformat(),
    }


@transaction.atomic
def rebuild(now: dt.datetime | None = None) -> str:
    """Drop the roll-up and build it again from the base tables."""
    DayFigure.objects.all().delete()
    state = _locked_state()
    state.built_through = None
    state.save()
    return refresh(now)


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _DAY


def _touched_days(state: RollupState) -> set[dt.date]:
    """The days whose figures a change since the last refresh may have moved."""
    from palier.billing.models import TimeEntry
    from palier.sla.models import TicketClock
    from palier.tickets.models import Decision, Ticket, TicketEvent

    tickets: set[int] = set()
    days: set[dt.date] = set()
    events = TicketEvent.objects.filter(id__gt=max(state.event_id - EVENT_OVERLAP, 0)).exclude(
        kind__in=UNRELATED_EVENTS
    )
    if state.changes_since is not None:
        events = events.filter(at__gte=state.changes_since - TIME_OVERLAP)
    if state.changes_since is not None:
        # Flags the scan set without an event (a warning settled after the first answer).
        flagged = TicketClock.objects.filter(flagged_at__gte=state.changes_since - TIME_OVERLAP)
        tickets.update(flagged.values_list("ticket_id", flat=True))
    for ticket_id, kind, data in events.values_list("ticket_id", "kind", "data"):
        tickets.add(ticket_id)
        if kind in ("time_edited", "time_deleted"):  # the day the time left
            for key in ("date", "was_date"):
                if isinstance(data, dict) and data.get(key):
                    days.add(dt.date.fromisoformat(data[key]))
    ids = sorted(tickets)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for at in Ticket.objects.filter(pk__in=chunk).values_list("created_at", flat=True):
            days.add(timezone.localdate(at))
        for at in Decision.objects.filter(ticket_id__in=chunk).values_list("decided_at", flat=True):
            days.add(timezone.localdate(at))
        days.update(
            TimeEntry.objects.filter(ticket_id__in=chunk)
            .order_by()
            .values_list("date", flat=True)
            .distinct()
        )
    return days
