"""PostgreSQL instants (timestamptz) read by psycopg's C loader.

Django reads every `timestamptz` through a loader written in Python (`BaseTzLoader`, a
subclass of psycopg's pure-Python one, so psycopg cannot swap in its C version): about 10 µs
a value, a millisecond for a list of 50 tickets (two instants each), 12 % of that list's
CPU. With `USE_TZ` and the session's time zone set to UTC (Django sets it on every new
connection), psycopg's own C loader returns the very same values: aware datetimes in
`datetime.timezone.utc`, to the microsecond.

`use_c_loader` registers, on each new connection, a stand-in class that carries the two
attributes Django and psycopg read from a loader class (`timezone`, which Django compares
to decide whether to register its own loader on each cursor, and `format`) and that builds
psycopg's C loader when psycopg instantiates it. It does nothing unless psycopg runs its C
implementation and Django's connection time zone is UTC; then Django's loader stays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

try:  # psycopg's C implementation (psycopg[binary] or psycopg[c])
    from psycopg.pq import Format
    from psycopg_binary._psycopg import TimestamptzLoader as _CLoader
except ImportError:  # pragma: no cover - the pure-Python psycopg keeps Django's loader
    try:
        from psycopg.pq import Format
        from psycopg_c._psycopg import TimestamptzLoader as _CLoader
    except ImportError:
        _CLoader = None


class UtcInstantLoader:
    """What `adapters.get_loader("timestamptz")` returns: psycopg instantiates it per result
    and gets the C loader; Django reads `timezone` and finds it agrees."""

    timezone = dt.UTC
    format = Format.TEXT if _CLoader is not None else None

    def __new__(cls, oid: int, context: Any = None) -> Any:
        return _CLoader(oid, context)


def use_c_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: read instants with psycopg's C loader on PostgreSQL."""
    if _CLoader is None or connection.vendor != "postgresql":
        return
    if connection.timezone is not dt.UTC or connection.timezone_name != "UTC":
        return
    pg = connection.connection
    if pg.info.parameter_status("TimeZone") != "UTC":
        return
    pg.adapters.register_loader("timestamptz", UtcInstantLoader)
