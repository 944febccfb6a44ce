"""Error reporting (PALIER_SENTRY_DSN): an unhandled exception reaches a Sentry server, here
a plain HTTP server on loopback that records what the SDK sends."""

from __future__ import annotations

import gzip
import http.server
import json
import threading

import sentry_sdk
from django.test import Client, override_settings
from django.urls import path

from palier.ops.errors import init_error_reporting


def broken_view(request):
    raise RuntimeError("the ledger is upside down")


urlpatterns = [path("broken/", broken_view)]


class Recorder(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Recorder.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


def test_an_unhandled_exception_is_reported_without_personal_data(db):
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
        init_error_reporting(dsn, environment="test", traces_sample_rate=0.0)
        with override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False):
            client = Client(raise_request_exception=False)
            assert client.get("/broken/", HTTP_COOKIE="sessionid=secret").status_code == 500
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: reporting off again for the other tests
        server.shutdown()
    events = [
        json.loads(line)
        for body in Recorder.received
        for line in body.splitlines()
        if line.startswith(b"{") and b'"exception"' in line
    ]
    assert events, Recorder.received
    event = events[0]
    assert event["exception"]["values"][-1]["value"] == "the ledger is upside down"
    assert event["environment"] == "test"
    assert "secret" not in json.dumps(event)  # no cookies, no user
