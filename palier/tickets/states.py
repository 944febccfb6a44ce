"""The ticket lifecycle (POLICY.md section 5) as data.

`TRANSITIONS` lists every allowed edge and who may take it; any other edge raises
`InvalidTransition`. The UI offers only the edges this table allows for the user.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from palier.lib.errors import DomainError


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    AWAITING_CONSENT = "awaiting_consent", _("Awaiting consent")
    WITH_RND = "with_rnd", _("With R&D")
    WAITING_PATCH = "waiting_patch", _("Waiting for patch")
    PATCH_AVAILABLE = "patch_available", _("Patch available")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    # Not "Refused" (at intake): the customer declined the estimate of billable work.
    DECLINED = "declined", pgettext_lazy("ticket status", "Declined")
    REFUSED = "refused", _("Refused")


# What a customer reads: friendly names, never the internal ones.
CUSTOMER_STATUS_LABELS = {
    Status.NEW: pgettext_lazy("customer status", "Received"),
    Status.IN_PROGRESS: pgettext_lazy("customer status", "In progress"),
    Status.WAITING_CUSTOMER: pgettext_lazy("customer status", "Waiting for your reply"),
    Status.AWAITING_CONSENT: pgettext_lazy("customer status", "Waiting for your approval"),
    Status.WITH_RND: pgettext_lazy("customer status", "With our R&D"),
    Status.WAITING_PATCH: pgettext_lazy("customer status", "Fix planned in a patch"),
    Status.PATCH_AVAILABLE: pgettext_lazy("customer status", "Patch available"),
    Status.RESOLVED: pgettext_lazy("customer status", "Solved"),
    Status.CLOSED: pgettext_lazy("customer status", "Closed"),
    Status.DECLINED: pgettext_lazy("customer status", "Declined, outside the maintenance contract"),
    Status.REFUSED: pgettext_lazy(
        "customer status", "Not accepted: no active maintenance contract"
    ),
}

OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.IN_PROGRESS,
        Status.WAITING_CUSTOMER,
        Status.AWAITING_CONSENT,
        Status.WITH_RND,
        Status.WAITING_PATCH,
        Status.PATCH_AVAILABLE,
    }
)
# The customer's turn: the service clock is paused in these.
WAITING_ON_CUSTOMER = frozenset({Status.WAITING_CUSTOMER, Status.AWAITING_CONSENT})

STAFF = "staff"
CONTACT = "contact"
SYSTEM = "system"  # the desk itself: policy decisions, patch releases, consent answers

_ANY = frozenset({STAFF, SYSTEM})
_ALL = frozenset({STAFF, CONTACT, SYSTEM})

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.NEW, Status.IN_PROGRESS): _ANY,
    (Status.NEW, Status.WAITING_CUSTOMER): _ANY,
    (Status.NEW, Status.AWAITING_CONSENT): _ANY,
    (Status.NEW, Status.WITH_RND): _ANY,
    (Status.NEW, Status.RESOLVED): _ANY,
    (Status.NEW, Status.CLOSED): _ALL,
    (Status.IN_PROGRESS, Status.WAITING_CUSTOMER): _ANY,
    (Status.IN_PROGRESS, Status.AWAITING_CONSENT): _ANY,
    (Status.IN_PROGRESS, Status.WITH_RND): _ANY,
    (Status.IN_PROGRESS, Status.RESOLVED): _ANY,
    (Status.IN_PROGRESS, Status.CLOSED): _ALL,
    (Status.WAITING_CUSTOMER, Status.IN_PROGRESS): _ALL,
    (Status.WAITING_CUSTOMER, Status.RESOLVED): _ANY,
    # The customer's answer may show a product defect before they reply on the ticket (D4).
    (Status.WAITING_CUSTOMER, Status.WITH_RND): _ANY,
    (Status.WAITING_CUSTOMER, Status.CLOSED): _ALL,
    (Status.WAITING_CUSTOMER, Status.AWAITING_CONSENT): _ANY,  # billing: estimate proposed
    # A contact answers an estimate through billing's consent actions (which move the ticket
    # as the system), never with a bare transition that would leave no consent on record.
    (Status.AWAITING_CONSENT, Status.IN_PROGRESS): _ANY,
    (Status.AWAITING_CONSENT, Status.DECLINED): _ANY,
    (Status.WITH_RND, Status.IN_PROGRESS): _ANY,
    (Status.WITH_RND, Status.WAITING_PATCH): _ANY,
    (Status.WITH_RND, Status.RESOLVED): _ANY,
    (Status.WAITING_PATCH, Status.PATCH_AVAILABLE): _ANY,
    # A released patch reaches every linked ticket, wherever the desk left it (rule R).
    (Status.WITH_RND, Status.PATCH_AVAILABLE): _ANY,
    (Status.IN_PROGRESS, Status.PATCH_AVAILABLE): frozenset({SYSTEM}),
    (Status.WAITING_CUSTOMER, Status.PATCH_AVAILABLE): frozenset({SYSTEM}),
    (Status.WAITING_PATCH, Status.IN_PROGRESS): _ANY,
    (Status.PATCH_AVAILABLE, Status.WAITING_CUSTOMER): _ANY,
    (Status.PATCH_AVAILABLE, Status.IN_PROGRESS): _ALL,
    (Status.PATCH_AVAILABLE, Status.RESOLVED): _ALL,
    (Status.RESOLVED, Status.CLOSED): _ALL,
    (Status.RESOLVED, Status.IN_PROGRESS): _ALL,  # reopen (a contact: within the window)
    (Status.DECLINED, Status.CLOSED): _ANY,
    (Status.REFUSED, Status.NEW): frozenset({SYSTEM}),  # a manager accepts it anyway
}


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class TransitionNotAllowed(InvalidTransition):
    """The edge exists, but not for this kind of user: a permission matter, hence 403."""

    code = "transition_not_allowed"
    status = 403


def allowed_targets(current: str, actor_kind: str) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == current and actor_kind in who]


def check_transition(current: str, target: str, actor_kind: str) -> None:
    who = TRANSITIONS.get((current, target))
    if who is None:
        raise InvalidTransition(
            gettext("A ticket cannot go from %(from)s to %(to)s.")
            % {"from": current, "to": target},
            details={
                "from": current,
                "to": target,
                "allowed": allowed_targets(current, actor_kind),
            },
        )
    if actor_kind not in who:
        raise TransitionNotAllowed(
            gettext("Only the support team can move a ticket from %(from)s to %(to)s.")
            % {"from": current, "to": target},
            details={
                "from": current,
                "to": target,
                "allowed": allowed_targets(current, actor_kind),
            },
        )
