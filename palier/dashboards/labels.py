"""Words for the codes the dashboard groups by: people read labels, not codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from palier.tickets.models import Channel, Criticality
from palier.tickets.states import Status

CHANNELS = dict(Channel.choices)
STATUSES = dict(Status.choices)
CRITICALITIES = dict(Criticality.choices)

LEVELS = {1: _("Level 1"), 2: _("Level 2"), None: _("Refused")}

REFUSALS = {
    "no_contract": _("No maintenance contract"),
    "expired": _("Contract expired"),
    "suspended": _("Contract suspended"),
    "terminated": _("Contract terminated"),
    "not_started": _("Contract not started yet"),
}
# Refusals that are a sales lead: the customer had a contract and let it lapse.
LAPSED = ("expired", "terminated")

FINDINGS = {
    "customer_manipulation": _("Follows a manipulation by the customer"),
    "customization_error": _("In a customization after all"),
    "feature_request": _("Really a feature request"),
    "information_or_training": _("Really information or training"),
    "product_defect": _("Defect of the standard product (to R&D)"),
    "back_to_level_1": _("Back to level 1"),
}
TO_LEVEL_2 = (
    "customer_manipulation",
    "customization_error",
    "feature_request",
    "information_or_training",
)

AGE_BUCKETS = [
    ("d1", _("Under a day"), 0, 1),
    ("d7", _("1 to 7 days"), 1, 7),
    ("d30", _("8 to 30 days"), 7, 30),
    ("d90", _("31 to 90 days"), 30, 90),
    ("older", _("Over 90 days"), 90, None),
]


def label(mapping: dict, code) -> str:
    return str(mapping.get(code, code if code not in (None, "") else "—"))
