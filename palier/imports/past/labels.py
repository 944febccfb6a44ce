"""What the counts of a past-tickets import are called on the screen."""

from django.utils.translation import gettext_lazy as _

COUNT_LABELS = {
    "tickets_new": _("tickets to import"),
    "tickets_imported": _("tickets imported"),
    "tickets_known": _("tickets imported before (left as they are)"),
    "tickets_refused": _("tickets refused"),
    "comments": _("messages"),
}
