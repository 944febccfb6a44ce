"""What each ticket event a webhook can ask for is called on the managers' screen."""

from django.utils.translation import gettext_lazy as _

from palier.webhooks.models import EVENT_KINDS

EVENT_LABELS = {
    "created": _("Request opened"),
    "refused": _("Request refused"),
    "accepted_anyway": _("Refused request accepted by a manager"),
    "status": _("Status changed"),
    "decision": _("Decided again"),
    "diagnosis": _("Diagnosis"),
    "field": _("Request changed"),
    "assigned": _("Assigned"),
    "reply": _("Public reply"),
    "customer_reply": _("Customer reply"),
    "note": _("Internal note"),
    "reopened": _("Reopened"),
    "followed": _("Followed by a colleague"),
    "unfollowed": _("No longer followed"),
    "attachment": _("Attachment added"),
    "consent_requested": _("Consent asked for billable work"),
    "estimate_accepted": _("Estimate accepted"),
    "estimate_declined": _("Estimate declined"),
    "time_logged": _("Time logged"),
    "invoiced": _("Invoiced"),
    "defect_linked": _("Linked to a defect"),
    "patch_available": _("Patch available"),
    "deployment_requested": _("Patch deployment requested"),
    "mail_bounced": _("Mail bounced"),
}


def event_label(kind: str):
    """A webhook's own word for the event, else the history's (every kind has one there)."""
    from palier.tickets import labels

    return EVENT_LABELS.get(kind) or labels.event(kind).label


def event_choices() -> list[tuple[str, str]]:
    return [(kind, event_label(kind)) for kind in EVENT_KINDS]
