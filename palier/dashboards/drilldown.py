"""The tickets behind a figure: each panel's cell links here with the panel's key and its
own dimensions (channel, level, finding, …); the dashboard's filters come along."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from palier.billing.models import Estimate, TimeEntry
from palier.dashboards import labels
from palier.dashboards.filters import Filters
from palier.lib.rows import parse_id
from palier.sla.queries import breached_q, warned_q
from palier.tickets.models import Decision, Ticket
from palier.tickets.states import OPEN_STATUSES

# The panels whose figures link here (their cells' "panel" key); tickets_behind reads no other.
KNOWN_PANELS = frozenset(
    {
        "intake",
        "refusals",
        "lapsed",
        "moves",
        "l2custom",
        "l2customer",
        "sla",
        "backlog",
        "defect",
        "funnel",
        "prepaid",
        "satisfaction",
    }
)


# The panels whose each figure names its row by an id or a score (or "none", for the
# level-2 hours on no customization).
_ROW_KEYS = {
    "lapsed": "row_customer",
    "l2custom": "customization",
    "l2customer": "row_customer",
    "defect": "defect",
    "prepaid": "row_customer",
    "satisfaction": "score",
}


def _int(value: str | None) -> int | None:
    """An id or a score from the link: ASCII digits alone ("²" and "１" are no number)."""
    return parse_id(value) if value == (value or "").strip() else None


def names_a_figure(p) -> bool:
    """Whether the link's keys `p` name a figure of the dashboard: a panel we know and, for
    a panel whose figures each name a row, that row. Without it the row would read as none
    (`defect_id IS NULL`) and list requests no figure counts: every one linked to no defect."""
    panel = p.get("panel", "")
    if panel not in KNOWN_PANELS:
        return False
    key = _ROW_KEYS.get(panel)
    if key is None:
        return True
    value = p.get(key)
    return (panel == "l2custom" and value == "none") or _int(value) is not None


def _intake(f: Filters, p: dict) -> Q:
    q = f.period("created_at") & f.tickets(level=False)
    if p.get("channel"):
        q &= Q(channel=p["channel"])
    decisions = Decision.objects.filter(ticket=OuterRef("pk"), kind="intake")
    # "decided", not "level": the dashboard's own level filter travels in the same link.
    level = p.get("decided")
    if level == "refused":
        q &= Exists(decisions.filter(accepted=False))
    elif level in ("1", "2"):
        q &= Exists(decisions.filter(accepted=True, level=int(level)))
    elif level == "any":
        q &= Exists(decisions)
    return q


def _refusals(f: Filters, p: dict, *, lapsed: bool = False) -> Q:
    refused = Decision.objects.filter(ticket=OuterRef("pk"), kind="intake", accepted=False)
    if lapsed:
        refused = refused.filter(refusal__in=labels.LAPSED)
    elif p.get("refusal"):
        refused = refused.filter(refusal=p["refusal"])
    q = f.period("created_at") & f.tickets(level=False) & Exists(refused)
    if lapsed:
        q &= Q(customer_id=_int(p.get("row_customer")))
    return q


def _moves(f: Filters, p: dict) -> Q:
    diagnoses = Decision.objects.filter(
        Q(ticket=OuterRef("pk"), kind="diagnosis") & f.period("decided_at")
    )
    if p.get("finding"):
        diagnoses = diagnoses.filter(finding=p["finding"])
    return f.tickets(level=False) & Exists(diagnoses)


def _logged(f: Filters, **extra) -> Exists:
    return Exists(
        TimeEntry.objects.filter(Q(ticket=OuterRef("pk"), **extra) & f.day_period("date"))
    )


def _level2(f: Filters, p: dict, panel: str) -> Q:
    q = Q(level=2) & f.tickets(level=False) & _logged(f)
    if panel == "l2custom":
        custom = p.get("customization")
        q &= Q(customization__isnull=True) if custom == "none" else Q(customization_id=_int(custom))
    else:
        q &= Q(customer_id=_int(p.get("row_customer")))
    return q


def _sla(f: Filters, p: dict) -> Q:
    q = f.period("created_at") & f.tickets()
    q &= Q(clock__tier=p.get("tier", ""), clock__criticality=p.get("criticality", ""))
    breach = p.get("breach")
    if breach in ("first_response", "resolution"):
        q &= breached_q(breach, "clock__")
    elif breach == "warning":
        q &= warned_q("clock__")
    return q


def _backlog(f: Filters, p: dict, now: dt.datetime) -> Q:
    q = Q(status__in=OPEN_STATUSES) & f.tickets()
    if p.get("status"):
        q &= Q(status=p["status"])
    for key, _label, low, high in labels.AGE_BUCKETS:
        if p.get("age") == key:
            q &= Q(created_at__lt=now - dt.timedelta(days=low)) if low else Q()
            if high is not None:
                q &= Q(created_at__gte=now - dt.timedelta(days=high))
    return q


def _funnel(f: Filters, p: dict) -> Q:
    stage = p.get("stage")
    estimates = Estimate.objects.filter(ticket=OuterRef("pk"))
    if stage == "estimated":
        found = Exists(estimates.filter(f.period("proposed_at")))
    elif stage == "consented":
        found = Exists(estimates.filter(Q(status="accepted") & f.period("decided_at")))
    elif stage == "invoiced":
        found = _logged(f, billable=True, invoice__status="approved")
    else:
        found = _logged(f, billable=True)
    return f.tickets(level=False) & found


def tickets_behind(f: Filters, p: dict, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The tickets a figure counts; none for a link that names no figure."""
    now = now or timezone.now()
    panel = p.get("panel", "")
    if not names_a_figure(p):
        return Ticket.objects.none()
    if panel == "intake":
        q = _intake(f, p)
    elif panel == "refusals":
        q = _refusals(f, p)
    elif panel == "lapsed":
        q = _refusals(f, p, lapsed=True)
    elif panel == "moves":
        q = _moves(f, p)
    elif panel in ("l2custom", "l2customer"):
        q = _level2(f, p, panel)
    elif panel == "sla":
        q = _sla(f, p)
    elif panel == "backlog":
        q = _backlog(f, p, now)
    elif panel == "defect":
        q = f.tickets(level=False) & Q(defect_link__defect_id=_int(p.get("defect")))
    elif panel == "funnel":
        q = _funnel(f, p)
    elif panel == "prepaid":
        q = Q(customer_id=_int(p.get("row_customer"))) & _logged(f, prepaid_minutes__gt=0)
    elif panel == "satisfaction":
        q = f.tickets() & Q(survey__score=_int(p.get("score"))) & f.period("survey__sent_at")
    else:
        return Ticket.objects.none()
    return Ticket.objects.filter(q)
