"""The time list's rows (web/billing/time.html), written in Python.

The page prints a staff member's last 30 time entries; through the template engine the
loop cost about a third of the page's CPU (a localized date, a `{% blocktranslate %}` and
five `{% if %}` a row). One format string per row prints the same markup, every value
escaped and localized as the template does it (tests/test_time_rows.py compares both).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from palier.billing.models import Activity
from palier.tickets.models import ticket_reference

# What a row prints, read as values: no entry nor ticket instance.
TIME_ROW_FIELDS = (
    "id",
    "date",
    "ticket_id",
    "ticket__created_at",
    "minutes",
    "activity",
    "billable",
    "prepaid_minutes",
    "invoice_id",
    "note",
)

_ROW = (
    "<tr><td>{date}</td><td>{reference}</td><td>{minutes}</td><td>{activity}</td>"
    "<td>{billable}{invoiced}</td><td>{note}</td></tr>\n    "
)


def _e(value: Any) -> str:
    """A value as `{{ value }}` prints it (localized, then escaped)."""
    return escape(str(localize(value)), quote=True)


def render_time_rows(entries: list[dict[str, Any]]) -> SafeString:
    """The <tr> elements of the time list (dicts of TIME_ROW_FIELDS, in the list's order)."""
    if not entries:
        # Translated literals of the template are printed as they are (not escaped).
        empty = gettext("No time logged yet.")
        return mark_safe(f'<tr><td colspan="6" class="muted">{empty}</td></tr>')  # noqa: S308
    activities = dict(Activity.choices)
    yes, no, invoiced = gettext("yes"), gettext("no"), f" · {gettext('invoiced')}"
    prepaid = gettext("%(m)s min prepaid")
    out = []
    for e in entries:
        billable = no
        if e["billable"]:
            billable = yes
            if e["prepaid_minutes"]:
                billable += f" ({prepaid % {'m': _e(e['prepaid_minutes'])}})"
        out.append(
            _ROW.format(
                date=_e(date_format(e["date"], "SHORT_DATE_FORMAT")),
                reference=_e(ticket_reference(e["ticket_id"], e["ticket__created_at"])),
                minutes=_e(e["minutes"]),
                activity=_e(activities.get(e["activity"], e["activity"])),
                billable=billable,
                invoiced=invoiced if e["invoice_id"] else "",
                note=_e(e["note"]),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
