"""Prometheus metrics: request latency by route, the outbox and task queues, mail, sign-ins.

Counters and histograms live in the process that observes them. Under gunicorn (several
worker processes) and beside `palier worker` on the same host, prometheus-client's
multiprocess mode sums them: every Palier process of a data folder writes its values under
`PALIER_DATA_DIR/run/metrics` (the commands `serve`, `worker` and `demo` prepare it; settings
point PROMETHEUS_MULTIPROC_DIR there when it exists). Values read from the database (outbox
lag, queue depth, mail backlog, worker heartbeat) are computed when scraped, so they are the
same from any host. `/metrics` answers only the addresses of PALIER_METRICS_ALLOWED_IPS or a
request bearing PALIER_METRICS_TOKEN (docs/configuration.md); anyone else gets a 404.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_SECONDS = Histogram(
    "palier_http_request_duration_seconds",
    "Time to answer a request, by route (the URL pattern, not the URL), method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SIGN_IN_FAILURES = Counter(
    "palier_sign_in_failures", "Sign-ins refused (wrong password, unknown user, inactive)."
)
SLA_SCAN_SECONDS = Histogram(
    "palier_sla_scan_duration_seconds",
    "Time of one scan of the service-level clocks (warnings and breaches).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class DatabaseCollector:
    """Gauges read from the database at scrape time (the same whichever host answers)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from palier.ops.health import backlog

        now = time.time()
        state = backlog()
        yield _gauge(
            "palier_outbox_pending_events", "Ticket events not yet dispatched.", state.events
        )
        yield _gauge(
            "palier_outbox_lag_seconds",
            "Age of the oldest ticket event not yet dispatched (0: none waiting).",
            state.outbox_lag_seconds,
        )
        yield _gauge(
            "palier_outbox_given_up_side_effects",
            "Side effects of ticket events the worker gave up on (wait for a person).",
            state.handlers_given_up,
        )
        tasks = GaugeMetricFamily(
            "palier_task_queue_depth", "Background tasks ready to run, by queue.", labels=["queue"]
        )
        for queue, count in sorted(state.tasks_by_queue.items()):
            tasks.add_metric([queue], count)
        yield tasks
        mail_in = GaugeMetricFamily(
            "palier_mail_inbound_messages",
            "Inbound messages stored, by state (stored, processed, quarantined).",
            labels=["state"],
        )
        for key, count in sorted(state.inbound_by_state.items()):
            mail_in.add_metric([key], count)
        yield mail_in
        mail_out = GaugeMetricFamily(
            "palier_mail_outbound_messages",
            "Outbound messages, by state (queued, sending, sent, failed, gave_up, uncertain).",
            labels=["state"],
        )
        for key, count in sorted(state.outbound_by_state.items()):
            mail_out.add_metric([key], count)
        yield mail_out
        age = now - state.heartbeat.timestamp() if state.heartbeat else float("inf")
        yield _gauge(
            "palier_worker_heartbeat_age_seconds",
            "Seconds since the freshest worker said it was alive (+Inf: never).",
            age,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def registry() -> CollectorRegistry:
    """This host's processes' values (multiprocess mode) or this process's, and the
    database's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        reg = CollectorRegistry()
        MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        for collector in (REQUEST_SECONDS, SIGN_IN_FAILURES, SLA_SCAN_SECONDS):
            reg.register(collector)
    reg.register(DatabaseCollector())
    return reg


def may_scrape(request: HttpRequest) -> bool:
    token = settings.PALIER_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        from django.utils.crypto import constant_time_compare

        if constant_time_compare(sent, f"Bearer {token}"):
            return True
    return request.META.get("REMOTE_ADDR", "") in settings.PALIER_METRICS_ALLOWED_IPS


def metrics_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def observe_request(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    started = time.perf_counter()
    response = get_response(request)
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None and match.route else "(unmatched)"
    REQUEST_SECONDS.labels(
        route=route, method=request.method, status=f"{response.status_code // 100}xx"
    ).observe(time.perf_counter() - started)
    return response


def count_sign_in_failure(sender: object, **kwargs: object) -> None:
    SIGN_IN_FAILURES.inc()
