"""Scoping before validation: the object a path names is checked before the request's body.

ninja validates path, query and body together, before the view runs, so a malformed body
sent to another customer's ticket answered 422 and told the caller the ticket exists. When
validation fails, the ids of the path go through their access gates first: an object the
caller may not see answers 404 (or the gate's 403), whatever the body held.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest

from palier.api.schemas import MAX_INT
from palier.billing.queries import (
    access_estimate_by_id,
    access_invoice_by_id,
    access_time_entry_by_id,
)
from palier.catalogue.queries import access_installation_by_id
from palier.customers.queries import (
    access_customer_by_id,
    visible_contracts,
    visible_customizations,
)
from palier.engineering.queries import access_defect_by_id, access_patch_by_id
from palier.mailgateway.queries import access_raw_message_by_id
from palier.people.queries import access_person_by_id
from palier.tickets.queries import access_ticket_by_id
from palier.webhooks.queries import access_delivery_by_id, access_webhook_by_id


def _visible(queryset_of: Callable, what: str) -> Callable:
    def gate(user, pk: int) -> None:
        if not queryset_of(user).filter(pk=pk).exists():
            raise Http404(what)

    return gate


# The path parameters that name an object a caller may not see, and the gate of each.
# Products, modules and versions are the catalogue, visible to all: they have no gate.
GATES: dict[str, Callable] = {
    "ticket_id": access_ticket_by_id,
    "estimate_id": access_estimate_by_id,
    "entry_id": access_time_entry_by_id,
    "invoice_id": access_invoice_by_id,
    "customer_id": access_customer_by_id,
    "contract_id": _visible(visible_contracts, "contract"),
    "customization_id": _visible(visible_customizations, "customization"),
    "person_id": access_person_by_id,
    "installation_id": access_installation_by_id,
    "defect_id": access_defect_by_id,
    "patch_id": access_patch_by_id,
    "webhook_id": access_webhook_by_id,
    "delivery_id": access_delivery_by_id,
    "raw_id": access_raw_message_by_id,
}


def check_path_scope(request: HttpRequest) -> None:
    """Raise what the gates of the path's ids raise (Http404, NotAllowed); else nothing."""
    user = getattr(request, "auth", None)
    match = getattr(request, "resolver_match", None)
    if user is None or match is None:
        return
    for name, raw in match.kwargs.items():
        gate = GATES.get(name)
        if gate is None:
            continue
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            continue  # the 422 is about the path itself
        if -MAX_INT <= pk <= MAX_INT:  # beyond, the 422 says it is out of range
            gate(user, pk)
