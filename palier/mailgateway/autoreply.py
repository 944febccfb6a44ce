"""Mail written by a machine, told apart by its headers — never by its words.

Only headers a machine sets on purpose make a message an automatic reply that the desk keeps
as a record instead of a customer's message: RFC 3834 `Auto-Submitted: auto-replied`,
`X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply|bulk|junk`. A subject that merely
reads like one ("Out of office: …") is at most *suspected*: the message goes to the quarantine,
where staff turn it into a ticket with one click. Words decide nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

AUTO_REPLY_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
_NO = frozenset({"no", "false", "0", "off"})
Header = Callable[[str], "str | None"]  # a header's value; None when the message has none

# The prefixes mail programs put before the subject they answer, in en, de, fr, it.
_SUSPECT_PHRASES = (
    r"auto(?:matic)?[- ]?(?:reply|response|answer)",
    r"out of (?:the )?office(?: reply)?",
    r"away from (?:the )?office",
    r"abwesenheits?notiz",
    r"automatische antwort",
    r"abwesend",
    r"r[ée]ponse automatique",
    r"message d['’]absence",
    r"absence",
    r"absent(?:e)?(?: du bureau)?",
    r"risposta automatica",
    r"fuori (?:sede|ufficio)",
    r"assenza",
)
# The phrase must be the whole subject or a prefix ending in a colon: "Absence de données
# dans le rapport" or "Out of office hours outage: …" are a person's words.
_SUSPECT_RE = re.compile(r"^\s*(?:" + "|".join(_SUSPECT_PHRASES) + r")\s*(?::|：|$)", re.IGNORECASE)


def _value(header: Header, name: str) -> str:
    return " ".join((header(name) or "").split()).lower()


def auto_reply_evidence(header: Header) -> str:
    """The header that makes this an automatic reply ("Name: value"), or "" when none does."""
    auto = _value(header, "Auto-Submitted")
    if auto.startswith("auto-replied"):
        return f"Auto-Submitted: {auto[:60]}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if header(name) is not None and _value(header, name) not in _NO:
            return f"{name}: {_value(header, name)[:60]}"
    precedence = _value(header, "Precedence")
    if precedence in AUTO_REPLY_PRECEDENCE:
        return f"Precedence: {precedence}"
    return ""


def receipt_evidence(report) -> str:
    """A read receipt a program sent (RFC 8098 disposition mode, a machine field like a
    header): the evidence ("Disposition: …"), or "" for any other report or none."""
    if report is not None and report.sent_automatically:
        return f"Disposition: {report.disposition_mode[:60]}"
    return ""


def machine_sent(header: Header) -> bool:
    """Sent by a program (RFC 3834 and the usual list and bulk headers): it gets no
    automatic answer from us, whatever becomes of it."""
    auto = _value(header, "Auto-Submitted")
    return (
        auto not in ("", *_NO)
        or _value(header, "Precedence") in ("bulk", "junk", "list", "auto_reply")
        or _value(header, "X-Auto-Response-Suppress") in ("all", "autoreply", "oof")
        or header("List-Id") is not None
        or header("List-Unsubscribe") is not None
        or bool(auto_reply_evidence(header))
    )


def suspected_auto_reply(subject: str) -> bool:
    return bool(_SUSPECT_RE.match(subject))
