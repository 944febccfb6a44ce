"""What SQLite's append-only trigger asks (migration 0002): may this connection purge?

No, always, except where a test database is emptied between tests (palier/conftest.py
allows it for the session and a test of the trigger takes it back).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_purge_allowed = False


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "palier_audit_purge", 0, lambda: int(_purge_allowed), deterministic=False
        )


def allow_purge(allowed: bool) -> None:
    global _purge_allowed
    _purge_allowed = allowed


@contextlib.contextmanager
def purge_allowed(allowed: bool) -> Iterator[None]:
    previous = _purge_allowed
    allow_purge(allowed)
    try:
        yield
    finally:
        allow_purge(previous)
