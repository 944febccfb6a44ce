"""Builders shared by the engineering tests."""

from __future__ import annotations

from palier.accounts.models import User
from palier.customers.models import Product, ProductVersion
from palier.engineering.actions import DefectDraft, do_create_patch, do_escalate_to_rnd
from palier.engineering.models import Defect, Patch
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


def plan_patch(world, defect: Defect, notes: str = "Restart the print service.") -> Patch:
    """Patch 11.3.2 of the ERP, planned by R&D to fix `defect` (the caller releases it)."""
    return do_create_patch(
        acting_user=world.rnd,
        product=Product.objects.get(code="erp"),
        number="11.3.2",
        defects=[defect],
        notes=notes,
    )


def planned_patch(world, subject: str) -> tuple[Ticket, Defect, Patch]:
    """Anna's malfunction `subject`, escalated to a defect that planned patch 11.3.2 fixes
    (the caller releases it)."""
    ticket = malfunction(world.contact_a, subject)
    defect = escalated(ticket, world.agent)
    return ticket, defect, plan_patch(world, defect, "Restart the print service after installing.")
