"""Signed, single-use accept/decline links for the consent email.

The token signs the estimate id and a nonce stored on the estimate; it expires after
conf.consent_link_max_age() and works once (Estimate.link_used_at), while the estimate is
still waiting for an answer.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.billing import conf
from palier.billing.actions import do_decide_estimate
from palier.billing.models import DecidedVia, Estimate
from palier.lib.errors import Conflict, DomainError

SALT = "palier.billing.consent"


class LinkInvalid(DomainError):
    code = "consent_link_invalid"
    status = 404


class LinkExpired(DomainError):
    code = "consent_link_expired"
    status = 410


def make_token(estimate: Estimate) -> str:
    return signing.dumps({"e": estimate.pk, "n": estimate.link_nonce}, salt=SALT)


def consent_url(estimate: Estimate) -> str:
    """The absolute URL of the page where the customer accepts or declines."""
    path = reverse("web:billing:consent_link", args=[make_token(estimate)])
    return f"{settings.PALIER_BASE_URL}{path}"


def estimate_from_token(token: str) -> Estimate:
    """The estimate a still-valid, unused token names; expired and reused links are refused."""
    try:
        data = signing.loads(token, salt=SALT, max_age=conf.consent_link_max_age())
    except signing.SignatureExpired as exc:
        raise LinkExpired(_("This link has expired; answer from the portal instead.")) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(_("This link is not valid.")) from exc
    estimate = (
        Estimate.objects.select_related("ticket", "ticket__customer", "ticket__contact")
        .filter(pk=data.get("e"), link_nonce=data.get("n"))
        .first()
    )
    if estimate is None:
        raise LinkInvalid(_("This link is not valid."))
    if estimate.link_used_at is not None:
        raise Conflict(_("This link was already used."), code="consent_link_used")
    return estimate


@transaction.atomic
def do_answer_by_link(
    token: str, *, accept: bool, reason: str = "", now: dt.datetime | None = None
) -> Estimate:
    estimate = estimate_from_token(token)
    locked = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if locked.link_used_at is not None:  # a second click raced the first
        raise Conflict(_("This link was already used."), code="consent_link_used")
    locked.link_used_at = now or timezone.now()
    locked.save(update_fields=["link_used_at"])
    return do_decide_estimate(
        locked, accept=accept, acting_user=None, via=DecidedVia.LINK, reason=reason, now=now
    )


def consent_url_for_event(event) -> str | None:
    """For the mail handler: the accept/decline page of a `consent_requested` event, or None
    when its estimate is no longer waiting (replaced or answered before the mail went out)."""
    estimate_id = (event.data or {}).get("estimate_id")
    estimate = Estimate.objects.filter(pk=estimate_id, status="proposed").first()
    return consent_url(estimate) if estimate is not None else None
