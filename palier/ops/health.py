"""`/healthz` (the process answers) and `/readyz` (it can serve: database, migrations,
worker, backlogs) for load balancers; both answer before host checks and HTTPS redirects
(see middleware.py), since a balancer probes by address over plain HTTP."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

_migrations_applied = False  # once true in a process, it stays true (new code: new process)


@dataclass
class Backlog:
    events: int = 0
    outbox_lag_seconds: float = 0.0
    tasks_by_queue: dict[str, int] = field(default_factory=dict)
    inbound_by_state: dict[str, int] = field(default_factory=dict)
    outbound_by_state: dict[str, int] = field(default_factory=dict)
    heartbeat: dt.datetime | None = None
    handlers_given_up: int = 0

    @property
    def mail_backlog(self) -> int:
        return sum(self.outbound_by_state.get(s, 0) for s in ("queued", "sending", "failed"))


def backlog(now: dt.datetime | None = None) -> Backlog:
    """What waits for the workers (or, given up, for a person), in six queries."""
    from django_tasks_db.models import DBTaskResult

    from palier.mailgateway.models import OutboundMessage, RawMessage
    from palier.ops.models import WorkerHeartbeat
    from palier.tickets.models import TicketEvent
    from palier.tickets.notifications import given_up_failures

    now = now or timezone.now()
    # The partial index event_undispatched holds exactly these rows.
    pending = TicketEvent.objects.filter(dispatched_at__isnull=True).aggregate(
        n=Count("id"), oldest=Min("at")
    )
    tasks = (
        DBTaskResult.objects.filter(status="READY")
        .values_list("queue_name")
        .annotate(n=Count("id"))
    )
    inbound = RawMessage.objects.values_list("state").annotate(n=Count("id")).order_by()
    outbound = OutboundMessage.objects.values_list("state").annotate(n=Count("id")).order_by()
    oldest = pending["oldest"]
    return Backlog(
        events=pending["n"],
        outbox_lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        tasks_by_queue=dict(tasks.order_by()),
        inbound_by_state=dict(inbound),
        outbound_by_state=dict(outbound),
        heartbeat=WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"],
        handlers_given_up=given_up_failures().count(),
    )


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def readiness() -> tuple[bool, dict[str, dict]]:
    """Each check's verdict and what it saw."""
    global _migrations_applied
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except DatabaseError as exc:
        return False, {"database": {"ok": False, "error": type(exc).__name__}}
    if not _migrations_applied:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        _migrations_applied = not plan
        checks["migrations"] = {"ok": not plan, "unapplied": len(plan)}
    else:
        checks["migrations"] = {"ok": True, "unapplied": 0}
    now = timezone.now()
    state = backlog(now)
    age = (now - state.heartbeat).total_seconds() if state.heartbeat else None
    checks["worker"] = {
        "ok": age is not None and age <= settings.PALIER_READY_WORKER_MAX_AGE,
        "heartbeat_age_seconds": None if age is None else round(age, 1),
    }
    checks["outbox"] = {
        "ok": state.outbox_lag_seconds <= settings.PALIER_READY_OUTBOX_MAX_AGE,
        "pending": state.events,
        "lag_seconds": round(state.outbox_lag_seconds, 1),
    }
    uncertain = state.outbound_by_state.get("uncertain", 0)
    checks["mail"] = {
        "ok": state.mail_backlog <= settings.PALIER_READY_MAIL_BACKLOG,
        "backlog": state.mail_backlog,
        # Perhaps delivered, never resent on their own: a person checks (the admin).
        "uncertain": uncertain,
        "warning": uncertain > 0,
    }
    # Side effects the worker gave up on wait for a person (admin, `palier outbox rearm`),
    # not for another instance: a warning, never "not ready".
    checks["handlers"] = {
        "ok": True,
        "given_up": state.handlers_given_up,
        "warning": state.handlers_given_up > 0,
    }
    return all(c["ok"] for c in checks.values()), checks


def readyz(request: HttpRequest) -> JsonResponse:
    ok, checks = readiness()
    warnings = sorted(name for name, check in checks.items() if check.get("warning"))
    return JsonResponse(
        {"ready": ok, "warnings": warnings, "checks": checks}, status=200 if ok else 503
    )
