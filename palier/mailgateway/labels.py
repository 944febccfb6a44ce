"""What staff read about a stored message: labels for its codes, in their language."""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from palier.mailgateway.actions import RELEASABLE_OUTCOMES, RELEASABLE_REASONS
from palier.mailgateway.models import (
    DeliveryAttempt,
    Outcome,
    QuarantineReason,
    RawMessage,
    RawState,
)
from palier.mailgateway.outbound import UNFINISHED_SEND

# Codes noted on a processed message (its `error_code`) that did not stop it.
NOTE_LABELS = {
    "other_customer_thread": _("It named another customer's ticket: opened as a new request."),
    "not_visible_thread": _("It named a ticket its sender may not see: opened as a new request."),
}


def can_release(raw: RawMessage) -> bool:
    return (raw.state == RawState.QUARANTINED and raw.error_code in RELEASABLE_REASONS) or (
        raw.state == RawState.PROCESSED and raw.outcome in RELEASABLE_OUTCOMES
    )


def reason_label(raw: RawMessage) -> str:
    if raw.error_code in QuarantineReason.values:
        return str(QuarantineReason(raw.error_code).label)
    return str(NOTE_LABELS.get(raw.error_code, ""))


def advice(raw: RawMessage) -> str:
    """Why it waits and what to do, in the reader's language (the stored `error` is in the
    language of the process that read the mail)."""
    from palier.mailgateway.advice import for_row

    if raw.state != RawState.QUARANTINED:
        return raw.error
    return for_row(raw.error_code, raw.sender, raw.error)


def row_labels(raw: RawMessage) -> dict:
    outcome = str(Outcome(raw.outcome).label) if raw.outcome in Outcome.values else ""
    return {
        "reason": reason_label(raw),
        "outcome_label": outcome,
        "can_release": can_release(raw),
        "error": advice(raw),
    }


_UNFINISHED = re.compile(re.escape(UNFINISHED_SEND).replace(re.escape("%(at)s"), r"(?P<at>\S+)"))


def attempt_error(attempt: DeliveryAttempt) -> str:
    """An attempt's error in the reader's language: ours translated, the server's answer
    as it wrote it (it is stored as written; outbound.UNFINISHED_SEND is stored in English)."""
    found = _UNFINISHED.fullmatch(attempt.error)
    if found:
        return gettext(UNFINISHED_SEND) % {"at": found["at"]}
    return attempt.error
