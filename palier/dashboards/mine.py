"""Each agent's own dashboard: my queue by status, my requests at risk of missing their
service level (due within RISK_WINDOW or already late), my follow-ups. Three queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from palier.accounts.models import User
from palier.dashboards import labels
from palier.satisfaction.models import FollowUp, FollowUpStatus
from palier.sla.models import TicketClock
from palier.tickets.models import Ticket
from palier.tickets.states import OPEN_STATUSES

RISK_WINDOW = dt.timedelta(hours=4)
RISK_LIMIT = 20


def my_desk(user: User, now: dt.datetime) -> dict:
    by_status = dict(
        Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    soon = now + RISK_WINDOW
    clocks = list(
        TicketClock.objects.filter(ticket__assignee=user, active=True)
        .filter(
            Q(first_response_running=True, first_response_due__lte=soon)
            | Q(resolution_running=True, resolution_due__lte=soon)
        )
        .select_related("ticket__customer")
        .order_by("next_check_at")[: RISK_LIMIT * 2]
    )
    risks = []
    for clock in clocks:
        target, due = "resolution", clock.resolution_due
        if (
            clock.first_response_running
            and clock.first_response_due
            and (not clock.resolution_running or clock.first_response_due <= (due or soon))
        ):
            target, due = "first_response", clock.first_response_due
        risks.append({"ticket": clock.ticket, "target": target, "due": due, "late": due < now})
    risks.sort(key=lambda risk: risk["due"])
    return {
        "statuses": [
            (labels.label(labels.STATUSES, status), by_status[status])
            for status in labels.STATUSES
            if status in by_status
        ],
        "open_total": sum(by_status.values()),
        "risks": risks[:RISK_LIMIT],
        "follow_ups": FollowUp.objects.filter(assigned_to=user, status=FollowUpStatus.OPEN).count(),
    }
