"""The caller and the policy's codes."""

from __future__ import annotations

from ninja import Router

from palier.api import presenters as p
from palier.api.schemas import CodesOut, MeOut
from palier.policy import BuiltBy, Finding, Reason, Refusal, RequestType
from palier.tickets.models import Channel, Criticality
from palier.tickets.states import Status

router = Router(tags=["meta"])


@router.get("/me", response=MeOut)
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "email": user.email,
        "role": user.role,
        "customer": p.ref(user.customer, user.customer.name) if user.customer else None,
        "is_customer_admin": user.is_customer_admin,
        "language": user.language,
    }


@router.get("/codes", response=CodesOut)
def codes(request):
    """The policy's codes, as POLICY.md spells them: they are this API's values."""
    return {
        "request_types": [c.value for c in RequestType],
        "reasons": [c.value for c in Reason],
        "refusals": [c.value for c in Refusal],
        "findings": [c.value for c in Finding],
        "statuses": list(Status.values),
        "channels": list(Channel.values),
        "criticalities": list(Criticality.values),
        "built_by": [c.value for c in BuiltBy],
    }
