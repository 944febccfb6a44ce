"""Words for the codes people would otherwise read: every rule, reason, finding, refusal,
status, request type, criticality and event gets a label and a one-line explanation, in
the four languages the desk speaks.

Codes are API values and stay in the data; screens show `label(...)` and put the code
beside it only where a manager asks for it. Every lookup of an unknown code answers a
`Label` whose words are the code itself, so a code added elsewhere never breaks a page
(and `tests/test_labels.py` fails until it has its words).

    from palier.tickets import labels
    labels.reason("standard_usage").label        # "Standard usage"
    labels.rule("L4").explanation                # "A malfunction of the standard ..."
    labels.describe_event(event, names)          # the history line of an event, in words
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from palier.tickets.models import CRITICALITY_DEFINITIONS, Criticality
from palier.tickets.states import Status


@dataclass(frozen=True)
class Label:
    code: str
    label: Any  # a lazy translation: str() it in the reader's language
    explanation: Any = ""

    def __str__(self) -> str:
        return str(self.label)


def _table(rows: dict[str, tuple[Any, Any]]) -> dict[str, Label]:
    return {code: Label(code, label, explanation) for code, (label, explanation) in rows.items()}


# The policy's rules (POLICY.md section 4), as stored in a decision's `rules`.
RULES = _table(
    {
        "E": (
            _("Contract active"),
            _("Support is given to customers whose maintenance contract is active that day."),
        ),
        "E-override": (
            _("Accepted by a manager"),
            _("A manager accepted the request although the contract was not active."),
        ),
        "L1": (
            _("Standard usage"),
            _("A question on using the standard software: level 1, included."),
        ),
        "L2": (
            _("Usage of our customization"),
            _("Help with a customization our staff built: level 1, included."),
        ),
        "L3": (
            _("Usage of the customer's customization"),
            _("A question on a customization the customer built: level 2, billable."),
        ),
        "L4": (
            _("Standard malfunction"),
            _("A malfunction of the standard software: level 1, included."),
        ),
        "L5": (
            _("Error in a customization"),
            _("A malfunction in a customization: level 2, billable."),
        ),
        "L6": (
            _("Unauthorized modification"),
            _("A malfunction in software modified without authorization: level 2, billable."),
        ),
        "L7": (_("Feature request"), _("A new capability: level 2, billable.")),
        "L8": (_("Information or training"), _("Information or training: level 2, billable.")),
        "D1": (
            _("Found: customer manipulation"),
            _("The diagnosis found a manipulation by the customer: level 2, billable."),
        ),
        "D2": (
            _("Found: customization error"),
            _("The diagnosis found the error in a customization: level 2, billable."),
        ),
        "D3": (
            _("Found: feature or training"),
            _("The diagnosis found a feature request or training after all: level 2, billable."),
        ),
        "D4": (
            _("Found: product defect"),
            _("The diagnosis found a defect of the standard product: to R&D, included."),
        ),
        "D5": (
            _("Back to level 1"),
            _("The diagnosis found standard usage or a standard defect after all: included."),
        ),
    }
)

# Why a ticket sits at its level (the decision's `reason`, a policy code).
REASONS = _table(
    {
        "standard_usage": (
            _("Standard usage"),
            _("A question on the normal use of the standard software; included."),
        ),
        "usage_of_vendor_customization": (
            _("Usage of our customization"),
            _("Help with a customization our staff built; included."),
        ),
        "customer_built_customization": (
            _("Customer's own customization"),
            _("Concerns a customization the customer built; billable, level 2."),
        ),
        "standard_malfunction": (
            _("Standard malfunction"),
            _("A malfunction of the standard software; included."),
        ),
        "customization_error": (
            _("Error in a customization"),
            _("The problem lies in a customization; billable, level 2."),
        ),
        "unauthorized_modification": (
            _("Unauthorized modification"),
            _("Software modified without our written authorization; billable, level 2."),
        ),
        "feature_request": (
            _("Feature request"),
            _("A new capability is outside maintenance; billable, level 2."),
        ),
        "information_or_training": (
            _("Information or training"),
            _("Training is outside maintenance; billable, level 2."),
        ),
        "customer_manipulation": (
            _("Customer manipulation"),
            _("The malfunction follows a manipulation by the customer; billable, level 2."),
        ),
        "product_defect": (
            _("Product defect"),
            _("A defect of the standard product, handled by R&D; included."),
        ),
    }
)

# Diagnosis findings (table D): what the agent found, and where it leads.
FINDINGS = _table(
    {
        "customer_manipulation": (
            _("Follows a manipulation by the customer"),
            _("Moves the request to level 2, billable."),
        ),
        "customization_error": (
            _("In a customization after all"),
            _("Moves the request to level 2, billable."),
        ),
        "feature_request": (
            _("Really a feature request"),
            _("Moves the request to level 2, billable."),
        ),
        "information_or_training": (
            _("Really information or training"),
            _("Moves the request to level 2, billable."),
        ),
        "product_defect": (
            _("Defect of the standard product"),
            _("Hands the request to R&D, linked to a defect; included."),
        ),
        "back_to_level_1": (
            _("Standard usage or defect after all"),
            _("Brings the request back to level 1, included."),
        ),
    }
)

REFUSALS = _table(
    {
        "no_contract": (_("No contract"), _("The customer has no maintenance contract.")),
        "expired": (_("Contract expired"), _("The maintenance contract has ended.")),
        "suspended": (_("Contract suspended"), _("The maintenance contract is suspended.")),
        "terminated": (_("Contract terminated"), _("The maintenance contract was terminated.")),
        "not_started": (
            _("Contract not started"),
            _("The maintenance contract starts later."),
        ),
    }
)

STATUSES = _table(
    {
        Status.NEW: (Status.NEW.label, _("Received; nobody has taken it on yet.")),
        Status.IN_PROGRESS: (Status.IN_PROGRESS.label, _("The team is working on it.")),
        Status.WAITING_CUSTOMER: (
            Status.WAITING_CUSTOMER.label,
            _("Waiting for the customer's answer; the service clock is paused."),
        ),
        Status.AWAITING_CONSENT: (
            Status.AWAITING_CONSENT.label,
            _("Billable work proposed; waiting for the customer to accept the estimate."),
        ),
        Status.WITH_RND: (Status.WITH_RND.label, _("A product defect R&D is looking at.")),
        Status.WAITING_PATCH: (
            Status.WAITING_PATCH.label,
            _("R&D has planned the fix in a patch."),
        ),
        Status.PATCH_AVAILABLE: (
            Status.PATCH_AVAILABLE.label,
            _("The patch is out; waiting for the customer to confirm the fix."),
        ),
        Status.RESOLVED: (
            Status.RESOLVED.label,
            _("Solved; the customer may reopen it within the reopen window."),
        ),
        Status.CLOSED: (Status.CLOSED.label, _("Finished.")),
        Status.DECLINED: (
            Status.DECLINED.label,
            _("The customer declined billable work; nothing is billed."),
        ),
        Status.REFUSED: (
            Status.REFUSED.label,
            _("Not accepted: no active maintenance contract that day."),
        ),
    }
)

REQUEST_TYPES = _table(
    {
        "usage": (_("Usage question"), _("How to do something in normal use.")),
        "malfunction": (_("Malfunction"), _("The software shows an error or a wrong result.")),
        "feature": (_("Feature request"), _("A new capability or a change of the software.")),
        "training": (
            _("Information or training"),
            _("Information or training on the use of the software."),
        ),
    }
)

CRITICALITIES = _table(
    {
        "low": (
            Criticality.LOW.label,
            CRITICALITY_DEFINITIONS[Criticality.LOW],
        ),
        "medium": (
            Criticality.MEDIUM.label,
            CRITICALITY_DEFINITIONS[Criticality.MEDIUM],
        ),
        "high": (
            Criticality.HIGH.label,
            CRITICALITY_DEFINITIONS[Criticality.HIGH],
        ),
        "critical": (
            Criticality.CRITICAL.label,
            CRITICALITY_DEFINITIONS[Criticality.CRITICAL],
        ),
    }
)

# Every kind of TicketEvent, including those other apps record.
EVENTS = _table(
    {
        "created": (_("Request received"), _("The request was opened.")),
        "refused": (
            _("Refused"),
            _("The entitlement rule refused the request: no active contract."),
        ),
        "accepted_anyway": (
            _("Accepted by a manager"),
            _("A manager accepted a refused request, with a reason."),
        ),
        "status": (_("Status changed"), _("The ticket moved along its lifecycle.")),
        "reopened": (_("Reopened"), _("A resolved request was reopened.")),
        "decision": (
            _("Decided again"),
            _("The request changed and the policy decided its level again."),
        ),
        "diagnosis": (_("Diagnosis"), _("An agent recorded what the diagnosis found.")),
        "field": (_("Changed"), _("A property of the request changed.")),
        "assigned": (_("Assigned"), _("The person in charge changed.")),
        "reply": (_("Public reply"), _("The team answered the customer.")),
        "customer_reply": (_("Customer reply"), _("The customer wrote.")),
        "note": (_("Internal note"), _("A note for the team, never shown to the customer.")),
        "followed": (_("Followed by a colleague"), _("A colleague of the requester follows it.")),
        "unfollowed": (_("No longer followed"), _("A colleague stopped following it.")),
        "attachment": (_("File attached"), _("A file was added to the request.")),
        "consent_requested": (
            _("Estimate sent"),
            _("An estimate was sent for the customer to accept or decline."),
        ),
        "estimate_accepted": (
            _("Estimate accepted"),
            _("The billable work was accepted (or covered by prepaid hours)."),
        ),
        "estimate_declined": (
            _("Estimate declined"),
            _("The customer declined the billable work; nothing is billed."),
        ),
        "prepaid_alert": (
            _("Prepaid hours running low"),
            _("The prepaid consulting balance passed an alert threshold."),
        ),
        "time_logged": (_("Time logged"), _("Work time was recorded.")),
        "time_edited": (_("Time changed"), _("A time entry was corrected.")),
        "time_deleted": (_("Time removed"), _("A time entry was deleted.")),
        "time_billable_changed": (
            _("Billing of time changed"),
            _("A time entry was made billable or included."),
        ),
        "invoiced": (_("Invoiced"), _("Billable time went onto an invoice.")),
        "defect_linked": (
            _("Linked to a defect"),
            _("The request was handed to R&D with a product defect."),
        ),
        "patch_available": (
            _("Patch available"),
            _("A patch that fixes the linked defect was released."),
        ),
        "deployment_requested": (
            _("Deployment requested"),
            _("The customer asked us to install the patch."),
        ),
        "mail_bounced": (_("Mail not delivered"), _("Our mail bounced.")),
        "mail_attachment_refused": (
            _("Mail attachment refused"),
            _("A file sent by mail was not accepted (kept in quarantine)."),
        ),
        "mail_attachment_failed": (
            _("Mail attachment not stored"),
            _("A file of a mail could not be stored; the stored mail keeps it."),
        ),
        "mail_auto_reply": (
            _("Automatic reply received"),
            _("An out-of-office or other automatic mail arrived; it changes nothing."),
        ),
        "mail_released": (
            _("Mail released from quarantine"),
            _("A colleague had a quarantined mail processed as the customer's message."),
        ),
        "mail_files_capped": (
            _("Mail with too many files"),
            _("Only the first files of the mail were attached; the stored mail keeps all."),
        ),
        "mail_parse_budget": (
            _("Mail partly read"),
            _("Reading the mail took too long; the stored mail keeps all of it."),
        ),
        "mail_text_cut": (
            _("Long mail shortened"),
            _("Only the beginning of the mail's text is shown; the stored mail keeps all."),
        ),
        "sla_warning": (
            _("Service target near"),
            _("Three quarters of a service-level target have passed."),
        ),
        "sla_breach": (_("Service target missed"), _("A service-level target has passed.")),
        "merged": (_("Merged"), _("This request was merged into another one.")),
        "merged_from": (_("Request merged in"), _("Another request was merged into this one.")),
        "survey_sent": (
            _("Satisfaction survey sent"),
            _("The requester was asked how satisfied they are, once."),
        ),
        "survey_answered": (
            _("Satisfaction survey answered"),
            _("The requester rated our help from 1 to 5."),
        ),
        "satisfaction_follow_up": (
            _("Follow-up of a low score"),
            _("A team lead or a manager is to call the customer back."),
        ),
        "tagged": (_("Tag added"), _("A tag was put on the request.")),
        "untagged": (_("Tag removed"), _("A tag was taken off the request.")),
    }
)

# Properties an event's `field` names.
FIELDS = _table(
    {
        "type": (_("Type"), ""),
        "module": (_("Module"), ""),
        "customization": (_("Customization"), ""),
        "criticality": (_("Criticality"), ""),
        "reason": (_("Reason"), ""),
        "status": (_("Status"), ""),
        "assignee": (_("Assignee"), ""),
        "defect": (_("Defect"), ""),
        "patch": (_("Patch"), ""),
        "ticket": (_("Ticket"), ""),
        "first_response": (_("First response"), ""),
        "resolution": (_("Resolution"), ""),
        "tag": (_("Tag"), ""),
    }
)

DECLINED_REASON = (
    "The customer declined the estimate: outside the maintenance contract, nothing is billed."
)

# Sentences the desk itself wrote into histories in English before reasons were codes;
# shown in the reader's language. Keys are the stored text.
SYSTEM_REASONS: dict[str, Any] = {
    "Covered by the prepaid consulting balance.": _("Covered by the prepaid consulting balance."),
    "Estimate covered by prepaid hours.": _("Estimate covered by prepaid hours."),
    "Estimate proposed; waiting for the customer's consent.": _(
        "Estimate proposed; waiting for the customer's consent."
    ),
    "The customer accepted the estimate.": _("The customer accepted the estimate."),
    "The customer declined the estimate.": _("The customer declined the estimate."),
    DECLINED_REASON: _(
        "The customer declined the estimate: outside the maintenance contract, nothing is billed."
    ),
}
# Reasons with a version in them, as engineering/actions.py writes them.
_PATCH_RELEASED = re.compile(r"^patch (\S+) released$")
_FIXED_IN = re.compile(r"^fixed in (\S+)$")


def _find(table: Mapping[str, Label], code: Any) -> Label:
    code = "" if code is None else str(code)
    return table.get(code) or Label(code, code, "")


def rule(code: str) -> Label:
    return _find(RULES, code)


def reason(code: str) -> Label:
    return _find(REASONS, code)


def finding(code: str) -> Label:
    return _find(FINDINGS, code)


def refusal(code: str) -> Label:
    return _find(REFUSALS, code)


def status(code: str) -> Label:
    return _find(STATUSES, code)


def request_type(code: str | None) -> Label:
    return _find(REQUEST_TYPES, code)


def criticality(code: str) -> Label:
    return _find(CRITICALITIES, code)


def event(kind: str) -> Label:
    return _find(EVENTS, kind)


def field(name: str) -> Label:
    return _find(FIELDS, name)


# Apps that write sentences into histories from code (the mail gateway) give the sentence for
# an event's kind from its data, in the reader's language; None keeps the stored text.
ReasonWriter = Callable[[str, dict], "str | None"]
_REASON_WRITERS: list[ReasonWriter] = []


def register_reason_writer(writer: ReasonWriter) -> None:
    if writer not in _REASON_WRITERS:
        _REASON_WRITERS.append(writer)


def _written_reason(kind: str, data: dict, stored: str) -> str:
    for writer in _REASON_WRITERS:
        text = writer(kind, data)
        if text is not None:
            return text
    return system_reason(stored)


def system_reason(text: str) -> str:
    """A reason the desk wrote, in the reader's language; a person's reason as written."""
    known = SYSTEM_REASONS.get(text)
    if known is not None:
        return str(known)
    match = _PATCH_RELEASED.match(text or "")
    if match:
        return str(_("Patch %(version)s released.") % {"version": match.group(1)})
    match = _FIXED_IN.match(text or "")
    if match:
        return str(_("To be fixed in version %(version)s.") % {"version": match.group(1)})
    return text


@dataclass(frozen=True)
class EventLine:
    """An event as the history shows it: what happened, from and to in words, and why."""

    code: str
    label: str
    explanation: str
    field: str
    before: str
    after: str
    reason: str


def _value(
    field_name: str, value: str, names: Mapping[str, str], modules: Mapping[str, str]
) -> str:
    if not value:
        return ""
    if field_name == "module":
        return modules.get(value, value)
    readers = {
        "status": status,
        "reason": reason,
        "criticality": criticality,
        "type": request_type,
        "first_response": field,
        "resolution": field,
    }
    if field_name in readers:
        return str(readers[field_name](value))
    if not field_name and value in STATUSES:
        return str(status(value))  # a request received (new) or refused at intake
    if field_name == "assignee":
        return names.get(value, value)
    if field_name == "defect" and value.isdigit():
        return f"DEF-{value}"
    return value


def describe_event(
    item: Any, names: Mapping[str, str] | None = None, modules: Mapping[str, str] | None = None
) -> EventLine:
    """The words of one TicketEvent. `names` maps usernames to people's names (assignments
    store usernames), `modules` modules' English names to their names in the reader's
    language (`module_names_in`); read them for all events of a page in one query each."""
    names, modules = names or {}, modules or {}
    kind = item.kind
    data = item.data or {}
    field_name = item.field or ""
    before = _value(field_name, item.from_value, names, modules)
    after = _value(field_name, item.to_value, names, modules)
    what = event(kind)
    label = str(what)
    if kind == "field" and field_name:
        label = str(_("%(field)s changed") % {"field": field(field_name)})
    elif kind in ("sla_warning", "sla_breach") and field_name:
        after = str(field(field_name))
    elif kind == "defect_linked":
        title = data.get("title") or ""
        after = f"DEF-{item.to_value} · {title}" if title else after
        before = ""
    elif kind == "patch_available":
        before = ""
        after = str(_("version %(version)s") % {"version": data.get("version") or item.to_value})
    elif kind == "time_logged" and data.get("minutes"):
        after = str(_("%(minutes)s min") % {"minutes": data["minutes"]})
    elif kind == "diagnosis" and data.get("finding"):
        label = f"{label}: {finding(data['finding'])}"
    return EventLine(
        code=kind,
        label=label,
        explanation=str(what.explanation),
        field=field_name,
        before=before,
        after=after,
        reason=str(refusal(item.reason))
        if kind == "refused" and item.reason in REFUSALS
        else _written_reason(kind, data, item.reason or ""),
    )


def module_names_in(events: Any) -> dict[str, str]:
    """The modules a history's changes name, by the English name the events store, mapped
    to their names in the active language: one query, none when no event names a module."""
    stored = {
        value
        for item in events
        if item.field == "module"
        for value in (item.from_value, item.to_value)
        if value
    }
    if not stored:
        return {}
    from palier.customers.models import Module

    language = (get_language() or "en")[:2]
    found: dict[str, str] = {}
    for module in Module.objects.filter(name__in=stored).order_by("id"):
        found.setdefault(module.name, module.name_in(language))
    return found


def usernames_in(events: Any) -> set[str]:
    """The usernames an assignment history names (to read their names in one query)."""
    found: set[str] = set()
    for item in events:
        if item.field == "assignee":
            found.update(v for v in (item.from_value, item.to_value) if v)
    return found
