"""What a panel is: a table (the truth, exported as is) and the chart drawn from it.

Each value cell may carry the drill-down that lists the tickets behind it: a dict of query
parameters for the dashboard's ticket list (views.drilldown), or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Value = int | Decimal | str | None


@dataclass
class Row:
    label: str
    values: list[Value]
    links: list[dict[str, str] | None] = field(default_factory=list)
    label_link: dict[str, str] | None = None

    def link(self, index: int) -> dict[str, str] | None:
        return self.links[index] if index < len(self.links) else None


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]  # the first names the row labels
    rows: list[Row] = field(default_factory=list)
    # Which value columns the chart draws (indices into Row.values), stacked per row.
    chart_series: list[int] = field(default_factory=list)
    unit: str = ""

    def as_rows(self) -> list[list[Any]]:
        """Header and rows as plain values, for exports."""
        return [self.columns, *[[row.label, *row.values] for row in self.rows]]


@dataclass
class Panel:
    key: str
    title: str
    description: str
    tables: list[Table]
    facts: list[tuple[str, Value]] = field(default_factory=list)
    note: str = ""

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)
