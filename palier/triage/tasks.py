"""Background work of the triage, run by `palier worker`."""

from __future__ import annotations

from django_tasks import task

from palier.lib.schedule import every


@every(seconds=24 * 3600, name="triage.train")
@task()
def retrain_triage() -> dict[str, int]:
    """Retrain the triage on the desk's qualified tickets, once a day."""
    from palier.triage.training import train_from_desk

    run = train_from_desk()
    return {"desk": run.desk_tickets, "coldstart": run.coldstart}
