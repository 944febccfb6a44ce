"""The stored calendar and targets as the pure objects the clocks use, cached briefly.

Queue pages read time left for 50 rows at once; loading the calendar for each page would
double their queries, so the loaded calendar and target table live for a minute in each
process. Changes through `palier.sla.actions` clear this process's copy at once.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

from palier.sla.business_time import OFFICE_HOURS, Calendar, ClosedDays, Interval

TTL_SECONDS = 60
DEFAULT_TIER = "standard"


@dataclass(frozen=True)
class Targets:
    first_response: dt.timedelta
    resolution: dt.timedelta


_cache: dict[str, tuple[float, object]] = {}


def clear_cache() -> None:
    _cache.clear()


def _cached(key: str, load):
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < TTL_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (time.monotonic(), value)
    return value


def parse_hours(raw: dict) -> dict[int, tuple[Interval, ...]]:
    out: dict[int, tuple[Interval, ...]] = {}
    for weekday, spans in raw.items():
        out[int(weekday)] = tuple(
            (dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans
        )
    return out


def _load_calendar() -> Calendar:
    from palier.sla.models import BusinessCalendar

    stored = BusinessCalendar.objects.filter(is_default=True).first()
    if stored is None:
        return Calendar(
            tz=ZoneInfo("Europe/Zurich"),
            hours=OFFICE_HOURS,
            closed=ClosedDays(holidays.Switzerland(subdiv="VD")),
        )
    own = frozenset(stored.closings.values_list("day", flat=True))
    return Calendar(
        tz=ZoneInfo(stored.time_zone),
        hours=parse_hours(stored.hours),
        closed=ClosedDays(holidays.Switzerland(subdiv=stored.canton), own),
    )


def default_calendar() -> Calendar:
    return _cached("calendar", _load_calendar)


def _load_targets() -> dict[tuple[str, str], Targets]:
    from palier.sla.models import TargetRow

    return {
        (row.tier.code, row.criticality): Targets(
            dt.timedelta(hours=float(row.first_response_hours)),
            dt.timedelta(hours=float(row.resolution_hours)),
        )
        for row in TargetRow.objects.select_related("tier")
    }


def targets_for(tier: str, criticality: str) -> tuple[str, Targets]:
    """The targets of a tier (the standard tier's when the code is unknown), and the tier used."""
    table: dict[tuple[str, str], Targets] = _cached("targets", _load_targets)
    if (tier, criticality) in table:
        return tier, table[(tier, criticality)]
    if (DEFAULT_TIER, criticality) in table:
        return DEFAULT_TIER, table[(DEFAULT_TIER, criticality)]
    # No seeded rows (a bare database): one working week, so clocks still run.
    return DEFAULT_TIER, Targets(dt.timedelta(hours=8), dt.timedelta(hours=40))
