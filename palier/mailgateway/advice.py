"""What the quarantine tells staff: why a message waits and what to do, as a sentence.

The mail is read by a process (the listener, the worker, `mail ingest`) in its own language;
the sentence stored on the row (`RawMessage.error`) is that process's. Staff read the one
made here, from the row's reason code and sender, in their own language (`labels.advice`).
A processing failure's technical detail (the exception) is kept from the stored sentence,
which is always written in English for that reason.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from palier.mailgateway.models import QuarantineReason

_FAILURE_RE = re.compile(
    r"^Processing failed \((?P<detail>.*)\)\. The mail is stored; reprocess it once the "
    r"cause is fixed\.$",
    re.DOTALL,
)


def sentence(code: str, address: str = "", detail: str = "") -> str:
    """The sentence of a reason, in the active language ("" for an unknown code)."""
    if code == QuarantineReason.SUSPECTED_AUTO_REPLY:
        return _(
            "The subject reads like an automatic reply, but no header says so. If a person "
            "wrote it, release it: it becomes a ticket or joins its ticket."
        )
    if code == QuarantineReason.OWN_ADDRESS:
        return _(
            "The sender is the desk's own address, but the desk did not send this message. "
            "Check where it comes from before acting on it."
        )
    if code == QuarantineReason.AMBIGUOUS_SENDER and address:
        return _("Several accounts have the address %(address)s. Keep one, then reprocess.") % {
            "address": address
        }
    if code == QuarantineReason.AMBIGUOUS_SENDER:
        return _(
            "The From header is missing, names several addresses or cannot be read. "
            "Check the headers, then add the sender as a contact and reprocess."
        )
    if code == QuarantineReason.UNKNOWN_SENDER:
        return _(
            "No contact has the address %(address)s. Add it to a customer's contacts, "
            "then reprocess."
        ) % {"address": address}
    if code == QuarantineReason.STAFF_SENDER:
        return _(
            "%(address)s belongs to the support team; staff answer in the desk, not by mail."
        ) % {"address": address}
    if code in (QuarantineReason.PROCESSING_ERROR, QuarantineReason.UNPARSEABLE):
        return _(
            "Processing failed (%(error)s). The mail is stored; reprocess it once the "
            "cause is fixed."
        ) % {"error": detail}
    return ""


def failure_sentence(exc: BaseException) -> str:
    """The stored sentence of a processing failure: in English, so that `for_row` finds
    its detail again whatever the reader's language."""
    with translation.override("en"):
        return sentence(
            QuarantineReason.PROCESSING_ERROR, detail=f"{type(exc).__name__}: {exc}"[:500]
        )


def for_row(code: str, sender: str, stored: str) -> str:
    """The sentence staff read for a quarantined row, in the active language; the stored
    text when the row's reason is not one of ours (a processing failure written before)."""
    if code in (QuarantineReason.PROCESSING_ERROR, QuarantineReason.UNPARSEABLE):
        match = _FAILURE_RE.match(stored or "")
        return sentence(code, detail=match.group("detail")) if match else stored
    if code not in QuarantineReason.values:
        return stored
    return sentence(code, sender) or stored
