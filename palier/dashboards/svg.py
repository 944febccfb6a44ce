"""Charts drawn on the server as SVG: accessible (a title and a description the chart is
labelled by, every bar a named link), styled by classes only (the CSP forbids inline
styles), no script. The table beside each chart holds the same figures."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.utils.html import escape

from palier.dashboards.panel import Table

ROW_HEIGHT = 26
LABEL_WIDTH = 190
WIDTH = 640
VALUE_WIDTH = 70


def _number(value) -> float:
    if value in (None, ""):
        return 0.0
    return float(Decimal(str(value)))


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value if value is not None else 0)


def bar_chart(table: Table, *, href: str, base: dict[str, str], chart_id: str) -> str:
    """Horizontal bars, one per row, stacked by the table's chart series; each segment a
    link to the tickets behind it. Empty when there is nothing to draw."""
    series = table.chart_series or [0]
    totals = [sum(_number(row.values[i]) for i in series) for row in table.rows]
    peak = max(totals, default=0)
    if not table.rows or peak <= 0:
        return ""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    legend_h = 22 if len(series) > 1 else 0
    height = legend_h + ROW_HEIGHT * len(table.rows) + 6
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    names = [table.columns[i + 1] for i in series]
    description = "; ".join(
        f"{row.label}: "
        + ", ".join(
            f"{name} {_shown(row.values[i])}" for name, i in zip(names, series, strict=True)
        )
        for row in table.rows
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height}" role="group" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}">',
        f'<title id="{title_id}">{escape(table.caption)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    if len(series) > 1:
        x = LABEL_WIDTH
        for n, name in enumerate(names):
            parts.append(
                f'<rect class="chart__s{n}" x="{x}" y="4" width="10" height="10"/>'
                f'<text class="chart__legend" x="{x + 14}" y="13">{escape(name)}</text>'
            )
            x += 24 + 7 * len(str(name))
    for r, row in enumerate(table.rows):
        y = legend_h + r * ROW_HEIGHT
        parts.append(
            f'<text class="chart__label" x="{LABEL_WIDTH - 8}" y="{y + 17}" '
            f'text-anchor="end">{escape(_clip(row.label))}</text>'
        )
        x = float(LABEL_WIDTH)
        for n, i in enumerate(series):
            value = _number(row.values[i])
            if value <= 0:
                continue
            width = max(value / peak * plot, 1.5)
            name = f"{row.label}, {names[n]}: {_shown(row.values[i])}"
            rect = (
                f'<rect class="chart__s{n}" x="{x:.1f}" y="{y + 5}" width="{width:.1f}" '
                f'height="{ROW_HEIGHT - 9}"><title>{escape(name)}</title></rect>'
            )
            link = row.link(i)
            if link is not None:
                url = f"{href}?{urlencode({**base, **link})}"
                rect = f'<a href="{escape(url)}" aria-label="{escape(name)}">{rect}</a>'
            parts.append(rect)
            x += width
        parts.append(
            f'<text class="chart__value" x="{x + 6:.1f}" y="{y + 17}">'
            f"{escape(_shown(_total(row, series)))}{escape(table.unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _total(row, series):
    values = [row.values[i] for i in series]
    if all(isinstance(v, int) or v is None for v in values):
        return sum(v or 0 for v in values)
    return sum((Decimal(str(v or 0)) for v in values), Decimal("0"))


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
