"""The portal's request list rows, written in Python.

A page prints 25 rows; through the template engine the loop cost ~12 ms of the page's CPU
(an `{% include %}` of the status badge, a `{% url %}` and a localized date per row). One
format string per row, every value escaped with `html.escape`, prints the same markup
(web/portal/list.html includes it; tests/test_portal_requests.py compares both).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from palier.accounts.models import person_name
from palier.customers.models import MODULE_NAME_LANGUAGES
from palier.tickets.models import customer_status_label, ticket_reference

# What a row prints, read as values (list_tickets(values=...)): no ticket, contact nor
# module instance is built for a page (25 rows, three models each).
ROW_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "subject",
    "status",
    "visibility",
    "contact_id",
    "contact__first_name",
    "contact__last_name",
    "contact__username",
    "module_id",
    "module__name",
    *(f"module__name_{language}" for language in MODULE_NAME_LANGUAGES),
)

_ROW = (
    "\n      <tr>"
    '\n        <td class="ref">{reference}</td>'
    '\n        <td><a href="{url}">{subject}</a>{shared}</td>'
    '\n        <td><span class="badge {badge}">{status}</span>\n</td>'
    '\n        <td class="hide-sm">{contact}</td>'
    '\n        <td class="hide-sm">{module}</td>'
    '\n        <td class="hide-sm">{updated}</td>'
    "\n      </tr>\n      "
)
_WAITING = ("waiting_customer", "awaiting_consent")
_DONE = ("resolved", "closed", "declined", "refused")


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def badge_class(status: str) -> str:
    """web/portal/partials/status_badge.html's class for a status."""
    if status in _WAITING:
        return "badge--waiting"
    if status in _DONE:
        return "badge--done"
    return "badge--status"


def _module_name(row: dict[str, Any], language: str) -> str:
    """str(module) for a row: its name in the reader's language, English where none."""
    if language in MODULE_NAME_LANGUAGES:
        return row[f"module__name_{language}"] or row["module__name"]
    return row["module__name"]


def render_request_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The <tr> elements of a page of the portal's request list, from ROW_FIELDS values."""
    if not rows:
        return mark_safe("")
    language = (get_language() or "en")[:2]
    base = reverse("web:portal:detail", args=[0])[: -len("0/")]
    when = get_format("SHORT_DATETIME_FORMAT")
    shared = (
        f' <span class="badge" title="{_e(gettext("Shared with your organization"))}">'
        f"{_e(gettext('Shared'))}</span>"
    )
    out = []
    for row in rows:
        updated = row["updated_at"]
        contact = row["contact_id"] and person_name(
            row["contact__first_name"], row["contact__last_name"], row["contact__username"]
        )
        module = row["module_id"] and _module_name(row, language)
        out.append(
            _ROW.format(
                reference=_e(ticket_reference(row["id"], row["created_at"])),
                url=f"{base}{int(row['id'])}/",
                subject=_e(row["subject"]),
                shared=shared if row["visibility"] == "shared" else "",
                badge=badge_class(row["status"]),
                status=_e(customer_status_label(row["status"])),
                contact=_e(contact) if contact else "—",
                module=_e(module) if module else "—",
                updated=_e(dateformat.format(template_localtime(updated), when)) if updated else "",
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
