"""The sentences the mail gateway writes into a ticket's history, made from the event's data
when the history is read, so that each reader gets them in their own language (the mail is
processed in the language of the process that reads it: the listener's, the worker's).

`write(kind, data)` gives the sentence in the active language, or None when the data lacks
what it needs (events recorded before their data held every parameter keep their stored
text). The actions store the same sentence as the event's `reason` for the API and exports.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REFUSAL_LABELS = {
    "attachment_too_large": gettext_lazy("too large"),
    "attachment_type_not_allowed": gettext_lazy("type not accepted"),
    "attachment_empty": gettext_lazy("empty"),
    "forward_holds_refused": gettext_lazy("forwarded mail holding a file not accepted"),
    "forward_not_read": gettext_lazy("forwarded mail not read to the end"),
}


def _bounced(data: dict) -> str:
    params = {"to": data["to"], "status": data.get("status") or "?"}
    action = data.get("action")
    if action == "delayed":
        return _("Our mail to %(to)s is delayed (status %(status)s); its server keeps trying.") % (
            params
        )
    if action in ("delivered", "relayed", "expanded"):
        return _("Our mail to %(to)s was delivered (status %(status)s).") % params
    return _("Our mail to %(to)s could not be delivered (status %(status)s).") % params


def _auto_reply(data: dict) -> str:
    return _("Automatic reply from %(sender)s (%(evidence)s): %(subject)s") % {
        "sender": data.get("sender") or "?",
        "evidence": data["evidence"],
        "subject": data.get("subject") or _("(no subject)"),
    }


def _files_capped(data: dict) -> str:
    return _(
        "This mail has %(total)s files; the first %(kept)s are attached. The others are "
        "in the stored mail."
    ) % {"total": data["total"], "kept": data["kept"]}


def _parse_budget(data: dict) -> str:
    return _(
        "Reading this mail took longer than %(seconds)s seconds; %(parts)s of its parts were "
        "not read. The whole mail is stored."
    ) % {"seconds": int(data["seconds"]), "parts": data["parts_left"]}


def _text_cut(data: dict) -> str:
    return _(
        "The text of this mail is %(total)s characters long; the first %(shown)s are shown. "
        "The whole mail is stored."
    ) % {"total": data["total"], "shown": data["shown"]}


def _refused(data: dict) -> str:
    listed = ", ".join(
        f"{r['filename']} ({REFUSAL_LABELS.get(r['code'], r['code'])})" for r in data["files"]
    )
    return (
        _("These files of the mail could not be attached: %(files)s. They are in the stored mail.")
        % {"files": listed}
    )[:2000]


def _failed(data: dict) -> str:
    return (
        _(
            "These files of the mail could not be stored (%(error)s): %(files)s. "
            "They are in the stored mail."
        )
        % {"error": data["error"][:300], "files": ", ".join(data["files"])}
    )[:2000]


def _released(data: dict) -> str:
    return _("%(name)s had this mail processed as a customer's message.") % {"name": data["name"]}


WRITERS: dict[str, Callable[[dict], str]] = {
    "mail_bounced": _bounced,
    "mail_auto_reply": _auto_reply,
    "mail_files_capped": _files_capped,
    "mail_parse_budget": _parse_budget,
    "mail_text_cut": _text_cut,
    "mail_attachment_refused": _refused,
    "mail_attachment_failed": _failed,
    "mail_released": _released,
}


def write(kind: str, data: dict | None) -> str | None:
    writer = WRITERS.get(kind)
    if writer is None:
        return None
    try:
        return writer(data or {})
    except (KeyError, TypeError, ValueError):
        return None  # an event from before its data held the sentence's parameters
