"""Builders shared by the engineering tests."""

from __future__ import annotations

from palier.accounts.models import User
from palier.customers.models import ProductVersion
from palier.engineering.actions import DefectDraft, do_escalate_to_rnd
from palier.engineering.models import Defect
from palier.testing.factories import module
from palier.tickets.actions import do_open_ticket
from palier.tickets.models import Ticket


def malfunction(
    contact: User,
    subject: str,
    *,
    module_name: str = "Finance",
    version: str = "11.3.1",
    description: str = "",
) -> Ticket:
    return do_open_ticket(
        acting_user=contact,
        customer=contact.customer,
        contact=contact,
        request_type="malfunction",
        subject=subject,
        description=description,
        module=module(module_name),
        product_version=ProductVersion.objects.get(number=version),
    )


def escalated(
    ticket: Ticket,
    agent: User,
    *,
    defect: Defect | None = None,
    title: str = "Delivery note print fails with error 4711",
) -> Defect:
    draft = None if defect else DefectDraft(title=title, description="Seen in print preview.")
    link = do_escalate_to_rnd(
        ticket, acting_user=agent, defect=defect, draft=draft, note="reproduced on 11.3.1"
    )
    return link.defect
