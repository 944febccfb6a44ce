"""The dashboard's period and filters, and how each applies to the rows a panel counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils import timezone

MAX_DAYS = 3 * 366  # a period longer than this is cut: a dashboard, not an archive


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    customer_id: int | None = None
    product_id: int | None = None
    module_id: int | None = None
    team_id: int | None = None
    level: int | None = None
    # Members of the chosen team, resolved once per request (teams.members_of).
    team_members: tuple[int, ...] | None = None
    # The last day summed in the daily roll-up (combine.with_rollup); None reads it all live.
    rolled_through: dt.date | None = None

    @classmethod
    def default(cls, today: dt.date | None = None) -> Filters:
        """The last 30 days, today included."""
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=29), end=today)

    def since(self) -> dt.datetime:
        return _midnight(self.start)

    def until(self) -> dt.datetime:
        """The instant after the period (midnight after its last day)."""
        return _midnight(self.end + dt.timedelta(days=1))

    def period(self, field: str) -> Q:
        """`field` (a datetime) falls in the period."""
        return Q(**{f"{field}__gte": self.since(), f"{field}__lt": self.until()})

    def day_period(self, field: str) -> Q:
        """`field` (a date) falls in the period."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def tickets(self, prefix: str = "", *, level: bool = True) -> Q:
        """The customer, product, module, team and level filters on tickets (reached through
        `prefix`, e.g. "ticket__")."""
        q = Q()
        if self.customer_id:
            q &= Q(**{f"{prefix}customer_id": self.customer_id})
        if self.module_id:
            q &= Q(**{f"{prefix}module_id": self.module_id})
        elif self.product_id:
            q &= Q(**{f"{prefix}module__product_id": self.product_id})
        if self.team_members is not None:
            q &= Q(**{f"{prefix}assignee_id__in": list(self.team_members)})
        if level and self.level:
            q &= Q(**{f"{prefix}level": self.level})
        return q

    def params(self) -> dict[str, str]:
        """As query parameters, for links that keep them."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key, value in (
            ("customer", self.customer_id),
            ("product", self.product_id),
            ("module", self.module_id),
            ("team", self.team_id),
            ("level", self.level),
        ):
            if value:
                out[key] = str(value)
        return out

    def with_period(self, start: dt.date, end: dt.date) -> Filters:
        return replace(self, start=start, end=end)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
