"""`/healthz`, `/readyz` and `/metrics`: what a load balancer and Prometheus see."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.contrib.auth import authenticate
from django.test import Client, override_settings
from django.utils import timezone

from palier.ops.outbox import beat, forget
from palier.ops.tests.helpers import REPO, palier_env
from palier.testing.factories import make_ticket
from palier.tickets.models import TicketEvent


def readyz(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    return response.status_code, json.loads(response.content)


def test_healthz_answers_a_balancer_probing_by_address_over_plain_http():
    # The probe names the instance's address, which ALLOWED_HOSTS does not list, and comes
    # over HTTP where production redirects to HTTPS.
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["support.example.com"]):
        response = Client().get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_wants_a_live_worker_and_a_short_outbox(world):
    client = Client()
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": None}

    beat("host-a-123-abcdefgh")
    status, body = readyz(client)
    assert status == 200, body
    assert body["ready"] is True

    # An event the workers have not dispatched for ten minutes: the outbox is stuck.
    ticket = make_ticket(world.contact_a)
    TicketEvent.objects.filter(ticket=ticket).update(
        dispatched_at=None, at=timezone.now() - dt.timedelta(minutes=10)
    )
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["outbox"]["ok"] is False
    assert body["checks"]["outbox"]["pending"] == 1
    assert body["checks"]["outbox"]["lag_seconds"] >= 600

    TicketEvent.objects.update(dispatched_at=timezone.now())
    forget("host-a-123-abcdefgh")  # the worker stopped cleanly
    assert readyz(client)[0] == 503


def test_readyz_says_a_stale_heartbeat_is_not_ready(db):
    from palier.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(
        worker_id="gone", seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    status, body = readyz(Client())
    assert status == 503
    assert body["checks"]["worker"]["heartbeat_age_seconds"] >= 300


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text format."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_metrics_time_requests_by_route_and_count_sign_in_failures(world):
    client = Client()
    before = client.get("/metrics").content.decode()
    client.get("/login/")
    assert authenticate(username="lena.agent", password="wrong") is None
    text = client.get("/metrics").content.decode()
    route = {"route": "login/", "method": "GET", "status": "2xx"}
    count = "palier_http_request_duration_seconds_count"
    assert sample(text, count, **route) == sample(before, count, **route) + 1
    failures = "palier_sign_in_failures_total"
    assert sample(text, failures) == sample(before, failures) + 1
    assert sample(text, "palier_outbox_pending_events") == 0
    assert sample(text, "palier_worker_heartbeat_age_seconds") == float("inf")
    assert "palier_task_queue_depth" in text and "palier_sla_scan_duration_seconds" in text


@pytest.mark.parametrize(
    "remote, authorization, token, status",
    [
        ("127.0.0.1", "", "", 200),  # a Prometheus on the same host
        ("10.9.8.7", "", "", 404),  # anyone else sees nothing there
        ("10.9.8.7", "Bearer s3cret-token-for-prometheus", "s3cret-token-for-prometheus", 200),
        ("10.9.8.7", "Bearer guessed", "s3cret-token-for-prometheus", 404),
    ],
)
def test_metrics_answer_allowed_addresses_or_the_token_only(
    db, remote, authorization, token, status
):
    with override_settings(PALIER_METRICS_TOKEN=token):
        response = Client().get("/metrics", REMOTE_ADDR=remote, HTTP_AUTHORIZATION=authorization)
    assert response.status_code == status


def test_logs_are_json_lines_when_asked(tmp_path):
    env = palier_env(tmp_path, PALIER_ENV="demo", PALIER_LOG_FORMAT="json")
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('palier.test').warning('worker %s stopped', 'w1')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "worker w1 stopped"
    assert line["level"] == "WARNING" and line["logger"] == "palier.test"
    assert "time" in line
