"""Periodic work of the workspace, run by `palier worker`'s scheduler."""

from __future__ import annotations

from palier.lib.schedule import every


@every(seconds=600, name="workspace.digest")
def daily_digests() -> None:
    """Mail the daily digests that are due (each staff member's once a day, after 7:00)."""
    from palier.workspace.notifications import send_digests

    send_digests()
