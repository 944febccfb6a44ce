"""The queue's table rows, written in Python.

A queue page prints 50 rows of ten cells. Through the template engine that loop cost ~3 ms
of the page's CPU (variable lookups, auto-escaping through lazy wrappers, one `{% if %}`
node per cell); one format string per row, every value escaped with `html.escape`, costs
~0.3 ms. The markup stays here, next to the template that includes it
(web/agent/queue.html), and `tests/test_agent_queues.py` reads the rows it prints.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

_ROW = (
    '<tr data-row><td class="col-check"><input type="checkbox" name="ticket" value="{pk}"'
    ' aria-label="{reference}"></td>'
    '<td><a href="{url}" class="ticket-link"><span class="ref">{reference}</span> {subject}</a>'
    "</td>"
    "<td>{customer}{contact}</td>"
    '<td class="hide-sm">{module}</td>'
    '<td class="hide-sm">{type}</td>'
    '<td><span class="crit crit--{criticality}">{criticality_label}</span></td>'
    '<td><span class="badge badge--status">{status}</span>{level}</td>'
    '<td class="sla {sla_css}">{sla}</td>'
    '<td class="hide-sm">{assignee}</td>'
    '<td class="hide-sm"><time datetime="{created_iso}" title="{created}">{age}</time></td>'
    "</tr>"
)


_NEEDS_ESCAPING = re.compile("[&<>\"']").search


def _e(value: Any) -> str:
    """`value` escaped for HTML text and attributes; looked at first, since most cells
    (references, dates, labels) hold nothing to escape."""
    if value is None or value == "":
        return ""
    text = str(value)
    return escape(text, quote=True) if _NEEDS_ESCAPING(text) else text


def _muted(text: str) -> str:
    return f'<div class="muted small">{_e(text)}</div>' if text else ""


def render_rows(rows: list[dict[str, Any]], *, to_qualify: str, empty: str) -> SafeString:
    """The <tr> elements of a page of queue rows (workspace.queue.queue_rows)."""
    if not rows:
        return mark_safe(f'<tr><td colspan="10" class="empty">{_e(empty)}</td></tr>')  # noqa: S308
    out = []
    for t in rows:
        sla = t["sla"]
        level = ""
        if t["level"]:
            kind = "badge--billable" if t["billable"] else "badge--included"
            level = f' <span class="badge {kind}">L{int(t["level"])}</span>'
        out.append(
            _ROW.format(
                pk=int(t["pk"]),
                reference=_e(t["reference"]),
                url=_e(t["url"]),
                subject=_e(t["subject"]),
                customer=_e(t["customer"]),
                contact=_muted(t["contact"]),
                module=_e(t["module"]) or "—",
                type=_e(t["type"]) or _e(to_qualify),
                criticality=_e(t["criticality"]),
                criticality_label=_e(t["criticality_label"]),
                status=_e(t["status"]),
                level=level,
                sla_css=_e(sla["css"]),
                sla=(
                    f"{_e(sla['text'])}{_muted(sla['target'])}"
                    if sla["text"]
                    else '<span class="muted">—</span>'
                ),
                assignee=_e(t["assignee"]) or "—",
                created_iso=_e(t["created_iso"]),
                created=_e(t["created"]),
                age=_e(t["age"]),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
