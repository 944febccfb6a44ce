"""A small desk with something in every panel, built through the actions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from palier.billing.tests.helpers import accepted_estimate, log
from palier.engineering.models import Defect, DefectLink
from palier.satisfaction.models import Survey
from palier.satisfaction.surveys import do_answer_survey, send_survey
from palier.sla.actions import do_recompute
from palier.sla.models import TicketClock
from palier.testing.factories import make_customization, make_ticket, module
from palier.tickets.actions import do_assign, do_diagnose, do_transition
from palier.tickets.models import Ticket


@dataclass
class Desk:
    usage: Ticket  # portal, level 1, resolved and rated 5
    diagnosed: Ticket  # email, level 1 then level 2 (customization error)
    feature: Ticket  # portal, level 2, on a customization, time logged
    refused: Ticket  # the expired customer's attempt
    defect: Defect


@pytest.fixture
def desk(world) -> Desk:
    custom = make_customization(world.customer_a, "Sales", 'Order line: "Zone"', "vendor")
    usage = make_ticket(world.contact_a, "usage", "Where is the VAT code?")
    diagnosed = make_ticket(
        world.contact_b, "malfunction", "Export fails", channel="email", module_name="Finance"
    )
    do_diagnose(diagnosed, "customization_error", acting_user=world.agent, note="Custom field")
    feature = make_ticket(
        world.contact_a, "feature", "Add a column", module_name="Sales", customization=custom
    )
    accepted_estimate(feature, world.consultant, world.contact_a, hours="3")
    log(feature, world.consultant, 90)
    refused = make_ticket(world.contact_expired, "usage", "Still there?")
    for ticket in (usage, diagnosed, feature):
        do_assign(ticket, world.agent, acting_user=world.agent)
        do_recompute(ticket)
    TicketClock.objects.filter(ticket=diagnosed).update(
        first_response_breached=True, first_response_warned=True
    )
    do_transition(usage, "resolved", acting_user=world.agent)
    # Committing tests have already had it sent by the outbox handler; the others send it here.
    survey = Survey.objects.filter(ticket=usage).first() or send_survey(
        Ticket.objects.get(pk=usage.pk), event=None, now=timezone.now()
    )
    do_answer_survey(survey, score=5, comment="Quick", via="link")
    defect = Defect.objects.create(
        product=module("Finance").product, module=module("Finance"), title="Export crashes"
    )
    DefectLink.objects.create(defect=defect, ticket=diagnosed)
    return Desk(usage, diagnosed, feature, refused, defect)


def hours(value: str) -> Decimal:
    return Decimal(value)


__all__ = ["Desk", "Survey", "desk", "hours"]
