"""Builders shared by the web tests. Tickets go through the real actions."""

from __future__ import annotations

from palier.accounts.models import User
from palier.customers.models import Module
from palier.testing.factories import module
from palier.tickets.actions import do_open_ticket
from palier.tickets.models import Ticket


def open_request(
    contact: User,
    subject: str = "Printing the delivery note fails",
    *,
    request_type: str = "malfunction",
    module_name: str = "Sales",
    visibility: str | None = None,
    description: str = "Error 4711 when printing.",
    **kwargs,
) -> Ticket:
    mod: Module = module(module_name)
    return do_open_ticket(
        acting_user=contact,
        customer=contact.customer,
        contact=contact,
        request_type=request_type,
        subject=subject,
        description=description,
        module=mod,
        visibility=visibility,
        **kwargs,
    )
