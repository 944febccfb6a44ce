"""Every panel of the managers' dashboard, by key, and the tables behind them."""

from __future__ import annotations

from collections.abc import Callable

from palier.dashboards import desk_panels, other_panels
from palier.dashboards.combine import with_rollup
from palier.dashboards.filters import Filters
from palier.dashboards.panel import Panel, Table
from palier.dashboards.plans import custom_plans

PANELS: dict[str, Callable[[Filters], Panel]] = {
    "intake": desk_panels.intake,
    "refusals": desk_panels.refusals,
    "moves": desk_panels.moves,
    "level2": desk_panels.level2_work,
    "sla": desk_panels.service_levels,
    "backlog": desk_panels.backlog,
    "rnd": other_panels.rnd,
    "billing": other_panels.billing_funnel,
    "satisfaction": other_panels.satisfaction,
}

# The most statements each panel may run (asserted in the tests and the bench), the same
# whether it reads the roll-up, the base tables or both (combine.rows).
QUERY_BUDGET = {
    "intake": 1,
    "refusals": 2,
    "moves": 1,
    "level2": 4,
    "sla": 2,
    "backlog": 1,
    "rnd": 2,
    "billing": 5,
    "satisfaction": 3,
}

# Which panel holds each exportable table.
TABLES = {
    "intake": "intake",
    "refusals": "refusals",
    "lapsed": "refusals",
    "moves": "moves",
    "l2custom": "level2",
    "l2customer": "level2",
    "sla": "sla",
    "backlog": "backlog",
    "defects": "rnd",
    "funnel": "billing",
    "prepaid": "billing",
    "satisfaction": "satisfaction",
}


def all_panels(f: Filters) -> list[Panel]:
    """Every panel, each statement planned for its own period (plans.custom_plans: one
    statement more on PostgreSQL), closed days read from the daily roll-up (one statement
    more: where it stands)."""
    with custom_plans():
        f = with_rollup(f)
        return [build(f) for build in PANELS.values()]


def table_of(key: str, f: Filters) -> Table | None:
    panel = TABLES.get(key)
    if panel is None:
        return None
    with custom_plans():
        return PANELS[panel](with_rollup(f)).table(key)
