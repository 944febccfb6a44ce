"""Template helpers shared by the portal and the agent workspace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

_FIELD_TEMPLATE = "web/partials/field.html"


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    name: str
    current: bool = False


# Links are (label, url name). The workspace's names live in palier/web/agent/urls.py; a
# name that does not resolve yet is skipped, so either half of the UI can ship first.
_PORTAL_LINKS = [
    (_("Home"), "web:portal:home"),
    (_("My requests"), "web:portal:requests"),
    (_("New request"), "web:portal:new"),
    (_("Help centre"), "web:knowledge:home"),
]
_STAFF_LINKS = [
    (_("Workspace"), "web:agent:home"),
    (_("Time"), "web:billing:time"),
    (_("Defects"), "web:engineering:defects"),
    (_("Knowledge base"), "web:knowledge:manage"),
]
# Invoices and reports are a manager's business; other staff only log their time.
_MANAGER_LINKS = [
    (_("Workspace"), "web:agent:home"),
    (_("Dashboard"), "web:dashboards:home"),
    *_STAFF_LINKS[1:],
    (_("Billing"), "web:billing:dashboard"),
    (_("Manage"), "web:manage:people"),
    (_("Audit log"), "web:audit:log"),
]


# Reversed once per URL configuration and script prefix: the header is on every page.
_REVERSED: dict[tuple, list[tuple[Any, str, str]]] = {}


def _reversed(links: list[tuple[str, str]]) -> list[tuple[Any, str, str]]:
    key = (id(links), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    found = _REVERSED.get(key)
    if found is None:
        found = []
        for label, name in links:
            try:
                found.append((label, reverse(name), name))
            except NoReverseMatch:
                continue
        _REVERSED[key] = found
    return found


def _resolve(links: list[tuple[str, str]], path: str) -> list[NavLink]:
    resolved = [(str(label), url, name) for label, url, name in _reversed(links)]
    # The current link is the longest one the page sits under, so "New request" wins over
    # "My requests" on /portal/requests/new/ and "Home" is current only on itself.
    matches = [
        url
        for _l, url, _n in resolved
        if path == url or (path.startswith(url) and url.count("/") > 2)
    ]
    current = max(matches, key=len, default=None)
    return [
        NavLink(label=lbl, url=url, name=name, current=url == current)
        for lbl, url, name in resolved
    ]


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context) -> list[NavLink]:
    """The main navigation for the signed-in user: portal links for contacts, workspace
    links for staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if getattr(user, "is_contact", False):
        links = _PORTAL_LINKS
    elif getattr(user, "is_manager", False):
        links = _MANAGER_LINKS
    else:
        links = _STAFF_LINKS
    return _resolve(links, request.path)


@register.filter
def hidden_errors(form: Any) -> list[str]:
    """The errors of a form's hidden fields, and of the fields it names in `errors_on_top`
    (shown, but without an error line of their own), once each: form_errors.html says them
    with the form's own errors, or a person would see a 400 that says nothing."""
    if not hasattr(form, "hidden_fields") or not form.is_bound:
        return []
    fields = [*form.hidden_fields(), *(form[name] for name in getattr(form, "errors_on_top", ()))]
    return list(dict.fromkeys(str(e) for field in fields for e in field.errors))


@register.filter
def with_aria(field: Any) -> str:
    """Render a bound field's widget linked to its help and errors for screen readers."""
    if not hasattr(field, "as_widget"):  # a missing field renders as before: nothing
        return field
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    attrs: dict[str, str] = {}
    if field.errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


def _duration(delta: dt.timedelta) -> str:
    """Business time as "2 h 10", "3 h" or "35 min": short enough for a queue cell, and
    the same units in every language the desk speaks."""
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@register.simple_tag
def sla_label(sla: Any) -> str:
    """What a queue row says about its service target (a palier.sla.queries.TimeLeft):
    "2 h 10 left", "overdue 35 min" or "paused"; empty when there is no running target."""
    if sla is None:
        return ""
    if getattr(sla, "out_of_range", False):
        return str(_("no deadline: dates out of range"))
    if not sla.running:
        return str(_("paused"))
    if sla.overdue:
        return str(_("overdue %(duration)s")) % {"duration": _duration(sla.left)}
    return str(_("%(duration)s left")) % {"duration": _duration(sla.left)}


@register.simple_tag(takes_context=True)
def field_row(context: template.Context, field: Any) -> str:
    """web/partials/field.html, written in Python: `{% field_row form.x %}` prints what
    `{% include "web/partials/field.html" with field=form.x %}` prints (an include costs
    ~0.15 ms of template work, a ticket page has fifteen; tests/test_field_row.py compares
    both), every value escaped as the template escapes it."""
    if not hasattr(field, "as_widget"):
        return get_template(_FIELD_TEMPLATE).render({"field": field})

    def text(value: Any) -> str:
        return render_value_in_context(value, context)

    errors = field.errors
    out = [
        f'\n<div class="form-field{" form-field--error" if errors else ""}">',
        f'\n  <label for="{text(field.id_for_label)}">{text(field.label)}',
        ' <span aria-hidden="true">*</span>' if field.field.required else "",
        f"</label>\n  {text(with_aria(field))}\n  ",
    ]
    if field.help_text:
        out.append(
            f'<div class="help" id="{text(field.auto_id)}_help">{text(field.help_text)}</div>'
        )
    out.append("\n  ")
    if errors:
        items = "".join(f"<li>{text(error)}</li>" for error in errors)
        out.append(f'<ul class="field-error" id="{text(field.auto_id)}_error">{items}</ul>')
    out.append("\n</div>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
