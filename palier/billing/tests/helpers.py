"""Builders for billing tests: tickets through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from palier.accounts.models import User
from palier.billing.actions import do_decide_estimate, do_log_time, do_propose_estimate
from palier.billing.models import DecidedVia, Estimate
from palier.customers.models import Customer
from palier.tickets.actions import do_open_ticket
from palier.tickets.models import Ticket


def open_ticket(
    customer: Customer,
    contact: User,
    request_type: str = "feature",
    subject: str = "Add a delivery zone column",
) -> Ticket:
    return do_open_ticket(
        acting_user=contact,
        customer=customer,
        contact=contact,
        request_type=request_type,
        subject=subject,
    )


def accepted_estimate(
    ticket: Ticket, consultant: User, contact: User, hours: str = "10", activity: str = "consulting"
) -> Estimate:
    estimate = do_propose_estimate(
        ticket,
        acting_user=consultant,
        hours=Decimal(hours),
        text="Build and test the column.",
        activity=activity,
    )
    if estimate.status == "proposed":
        estimate = do_decide_estimate(
            estimate, accept=True, acting_user=contact, via=DecidedVia.PORTAL
        )
    return estimate


def log(
    ticket: Ticket,
    user: User,
    minutes: int,
    *,
    activity: str = "consulting",
    date: dt.date | None = None,
):
    return do_log_time(
        ticket,
        acting_user=user,
        date=date or timezone.localdate(),
        minutes=minutes,
        activity=activity,
    )
