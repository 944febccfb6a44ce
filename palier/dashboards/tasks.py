"""The dashboards' periodic work, run by `palier worker` (palier.lib.schedule)."""

from __future__ import annotations

from django_tasks import task

from palier.lib.schedule import every


@every(seconds=900, name="dashboards.weekly_report")
@task()
def weekly_report() -> str:
    """Every quarter hour, send last week's report if it is the day and hour and it is not
    sent yet (one WeeklyReport row per week: several workers send it once)."""
    from palier.dashboards.weekly import send_weekly_report

    return send_weekly_report()


@every(seconds=60, name="dashboards.rollup")
@task()
def refresh_rollup() -> str:
    """Every minute, fold yesterday (once it is over) and every past day touched since the
    last run into the dashboards' daily roll-up (palier.dashboards.rollup)."""
    from palier.dashboards.rollup import refresh

    return refresh()
