"""The ticket page's conversation and history, written in Python.

Through the template engine each message cost ~0.5 ms of the page's CPU (three
`{% if %}` chains, two localized dates, `{% translate %}` and a `{% url %}` per attachment)
and each event ~0.4 ms; a long ticket paid it dozens of times. The markup stays the
template's, byte for byte (tests/test_ticket_conversation.py compares both), with every
value escaped by `html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from palier.tickets.labels import EventLine
from palier.tickets.models import Message, TicketEvent


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


class _Dates:
    """`|date:'c'` and `|date:"SHORT_DATETIME_FORMAT"`, the format read once per page."""

    def __init__(self) -> None:
        self.short = get_format("SHORT_DATETIME_FORMAT")

    def __call__(self, value: Any) -> tuple[str, str]:
        if value in (None, ""):
            return "", ""
        value = template_localtime(value)
        return _e(dateformat.format(value, "c")), _e(dateformat.format(value, self.short))


def _internal_badge(activity: str) -> str:
    if activity == "phone_call":
        return gettext("Phone call · internal")
    if activity == "remote_session":
        return gettext("Remote session · internal")
    return gettext("Internal note")


def render_messages(
    messages: Iterable[Message], *, files: dict[int, list[Any]] | None = None
) -> SafeString:
    """The <li> elements of the conversation: each message's attachments from `files` (by
    message id) if given, else prefetched with the messages."""
    dates = _Dates()
    download = reverse("web:attachment", args=[0])[: -len("0/")]
    customer, public = _e(gettext("Customer")), _e(gettext("Public reply"))
    out = []
    for m in messages:
        if m.internal:
            kind = "message--internal"
            badge = (
                f'<span class="badge badge--internal">{_e(_internal_badge(m.activity))}</span>'
                "\n              "
            )
        elif m.from_customer:
            kind = "message--customer"
            badge = f'<span class="badge">{customer}</span>\n              '
        else:
            kind = "message--staff"
            badge = f'<span class="badge badge--included">{public}</span>'
        iso, shown = dates(m.created_at)
        shown_files = files[m.pk] if files is not None else list(m.attachments.all())
        attachments = (
            '<ul class="attachments">'
            + "".join(
                f'<li><a href="{download}{int(a.pk)}/">{_e(a.filename)}</a></li>'
                for a in shown_files
            )
            + "</ul>"
            if shown_files
            else ""
        )
        out.append(
            f'\n        <li class="message {kind}" id="message-{_e(m.pk)}">'
            '\n          <div class="message__meta">'
            '\n            <span><span class="message__author">'
            f"{_e(m.author_name or m.author)}</span>"
            f"\n              {badge}</span>"
            f'\n            <time datetime="{iso}">{shown}</time>'
            "\n          </div>"
            f'\n          <div class="message__body">{_e(m.body)}</div>'
            f"\n          {attachments}"
            "\n        </li>\n        "
        )
    if not out:
        return mark_safe(  # noqa: S308 - escaped
            f'\n        <li class="empty">{_e(gettext("No message yet."))}</li>\n        '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def render_events(
    events: Iterable[tuple[TicketEvent, EventLine]], *, show_codes: bool
) -> SafeString:
    """The <li> elements of the history."""
    dates = _Dates()
    internal = f'<span class="badge badge--internal">{_e(gettext("internal"))}</span>'
    desk = _e(gettext("the desk"))
    out = []
    for event, line in events:
        moved = (
            f' <span class="muted">{_e(line.before or "—")} → {_e(line.after or "—")}</span>'
            if line.before or line.after
            else ""
        )
        codes = ""
        if show_codes:
            field = f" · {_e(line.field)}" if line.field else ""
            codes = f'<code class="code-hint">{_e(line.code)}{field}</code>'
        reason = f'<div class="small">{_e(line.reason)}</div>' if line.reason else ""
        iso, shown = dates(event.at)
        actor = _e(event.actor) if event.actor else desk
        out.append(
            f'\n          <li><strong title="{_e(line.explanation)}">{_e(line.label)}</strong>'
            f"{moved}"
            f"\n            {internal if event.internal else ''}"
            f"\n            {codes}"
            f"\n            {reason}"
            f'\n            <time datetime="{iso}">{shown} · {actor}</time></li>\n          '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
