"""A ticket's history in the customer's words (internal events are filtered out before)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from palier.tickets import labels
from palier.tickets.models import EventKind, TicketEvent
from palier.tickets.states import CUSTOMER_STATUS_LABELS, Status


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    text: str
    note: str = ""


def _status(value: str) -> str:
    try:
        return str(CUSTOMER_STATUS_LABELS[Status(value)])
    except ValueError:
        return value


_FIELD_NAMES = {
    "criticality": lambda: _("Criticality"),
    "type": lambda: _("Type"),
    "module": lambda: _("Module"),
    "customization": lambda: _("Customization"),
}


# Values a field's change names by code: shown by their label in the reader's language.
_VALUE_LABELS = {"criticality": labels.criticality, "type": labels.request_type}


def _value(field: str, value: str, modules: Mapping[str, str]) -> str:
    if not value:
        return "—"
    if field == "module":
        return modules.get(value, value)  # stored by its English name
    reader = _VALUE_LABELS.get(field)
    return str(reader(value)) if reader else value


def describe(
    event: TicketEvent, viewer_id: int | None, modules: Mapping[str, str] | None = None
) -> TimelineEntry | None:
    """One line per event; None for events a customer has no use for. `modules`: the
    modules' names in the reader's language (`labels.module_names_in`)."""
    who = _("you") if event.actor_id and event.actor_id == viewer_id else None
    kind = event.kind
    if kind == EventKind.CREATED:
        return TimelineEntry(event.at, _("Request received"))
    if kind == EventKind.REFUSED:
        return TimelineEntry(event.at, _("Request not accepted: no active maintenance contract"))
    if kind == EventKind.ACCEPTED_ANYWAY:
        return TimelineEntry(event.at, _("Request accepted by our team"), event.reason)
    if kind in (EventKind.STATUS, EventKind.REOPENED):
        text = _("Reopened") if kind == EventKind.REOPENED else _("Status")
        # Staff write status reasons for each other (a diagnosis note, for instance).
        return TimelineEntry(event.at, f"{text}: {_status(event.to_value)}")
    if kind in (EventKind.DECISION, EventKind.DIAGNOSIS):
        data = event.data or {}
        level = data.get("level")
        billable = _("billable") if data.get("billable") else _("included in your maintenance")
        text = _("Decision updated: level %(level)s, %(billable)s") % {
            "level": level,
            "billable": billable,
        }
        # The agent's note stays with the team; the explanation panel says why.
        return TimelineEntry(event.at, text)
    if kind == EventKind.FIELD:
        label = _FIELD_NAMES.get(event.field, lambda: event.field)()
        text = _("%(field)s changed from “%(old)s” to “%(new)s”") % {
            "field": label,
            "old": _value(event.field, event.from_value, modules or {}),
            "new": _value(event.field, event.to_value, modules or {}),
        }
        # POLICY.md section 3: a changed criticality is told to the customer with its reason.
        note = event.reason if event.field == "criticality" else ""
        return TimelineEntry(event.at, text, note)
    if kind == EventKind.REPLY:
        return TimelineEntry(event.at, _("Our team replied"))
    if kind == EventKind.CUSTOMER_REPLY:
        return TimelineEntry(event.at, _("You replied") if who else _("Your organization replied"))
    if kind == "consent_requested":
        return TimelineEntry(event.at, _("Estimate sent for your approval"))
    if kind == "estimate_accepted":
        return TimelineEntry(event.at, _("Estimate accepted"))
    if kind == "estimate_declined":
        return TimelineEntry(event.at, _("Estimate declined: nothing is billed"))
    if kind == "patch_available":
        version = (event.data or {}).get("version") or event.to_value
        return TimelineEntry(event.at, _("Patch %(version)s available") % {"version": version})
    if kind == "attachment":
        return TimelineEntry(event.at, _("File added: %(name)s") % {"name": event.to_value})
    return None


def customer_timeline(events: list[TicketEvent], viewer_id: int | None) -> list[TimelineEntry]:
    modules = labels.module_names_in(events)
    entries = (describe(event, viewer_id, modules) for event in events)
    return [entry for entry in entries if entry is not None]
