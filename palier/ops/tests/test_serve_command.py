"""`palier serve` with production settings: gunicorn, collected static files, a clean stop."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from palier.ops.tests.helpers import REPO, free_port, production_env, run_palier


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_serve_answers_with_collected_static_files_and_stops_on_sigterm(tmp_path):
    # SQLite (W001 is only a warning) over plain HTTP, so that the test needs no proxy.
    env = production_env(
        tmp_path,
        DATABASE_URL=None,
        PALIER_INSECURE_HTTP="1",
        PALIER_ALLOWED_HOSTS="127.0.0.1",
        PALIER_WEB_WORKERS="2",
    )
    assert run_palier("migrate", "-v0", env=env).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "palier.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                status, page = get(f"http://127.0.0.1:{port}/login/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "serve did not answer in time"
                time.sleep(1)
        assert status == 200
        css = re.search(r'/static/[^"]+\.[0-9a-f]{12}\.css', page)
        assert css, "static URLs are not hashed: collectstatic did not run"
        assert get(f"http://127.0.0.1:{port}{css.group(0)}")[0] == 200
        assert (tmp_path / "static" / "staticfiles.json").exists()
        base = f"http://127.0.0.1:{port}"
        assert get(f"{base}/healthz") == (200, "ok\n")
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=30)
            raise AssertionError("ready without a worker")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
        # Two gunicorn workers answer; /metrics sums both (prometheus-client's multiprocess
        # mode, files under the data folder).
        for _ in range(20):
            get(f"{base}/login/")
        metrics = get(f"{base}/metrics")[1]
        count = re.search(
            r'^palier_http_request_duration_seconds_count\{[^}]*route="login/"[^}]*\} (\S+)$',
            metrics,
            re.M,
        )
        assert count and float(count.group(1)) == 21.0, metrics[:2000]
        assert any((tmp_path / "run" / "metrics").iterdir())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
