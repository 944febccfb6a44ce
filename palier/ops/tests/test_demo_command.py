"""`palier demo` end to end: a real process, a real gunicorn and worker, real sign-ins."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from palier.ops.demo_data import DEMO_PASSWORD
from palier.ops.tests.helpers import REPO, palier_env, run_palier

LOGIN_LINE = re.compile(r"^  (\S+)\s{2,}(.+)$")


ADDRESS_LINE = re.compile(r"^Palier demo desk: http://localhost:(\d+)/$")


class Demo:
    """`palier demo --port 0`: the demo takes a free port itself and holds it from its start
    (a port chosen here and freed could be taken by any outgoing connection meanwhile)."""

    def __init__(self, data_dir: Path, home: Path):
        self.data_dir = data_dir
        self.port, self.base = 0, ""
        # Its own session: Ctrl+C is sent to the whole group, as a terminal does.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "palier.cli", "demo", "--port", "0"],
            env=palier_env(data_dir, HOME=str(home)),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            match = ADDRESS_LINE.match(line)
            if match:
                # By address: "localhost" may resolve to ::1, where the demo does not listen.
                self.port = int(match.group(1))
                self.base = f"http://127.0.0.1:{self.port}"
            self.lines.append(line)

    def wait_until_served(self, timeout: float = 240) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "\n".join(self.lines)
            if not self.base:
                time.sleep(0.5)
                continue
            try:
                with urllib.request.urlopen(f"{self.base}/login/", timeout=5) as response:
                    return response.status
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        raise AssertionError("the demo did not serve in time:\n" + "\n".join(self.lines))

    def printed_logins(self) -> list[str]:
        start = next(i for i, line in enumerate(self.lines) if "Sign in with" in line)
        logins = []
        for line in self.lines[start + 1 :]:
            match = LOGIN_LINE.match(line)
            if not match:
                break
            logins.append(match.group(1))
        return logins

    def ctrl_c(self, times: int = 1) -> int:
        for _ in range(times):
            os.killpg(self.proc.pid, signal.SIGINT)
            time.sleep(0.2)
        return self.proc.wait(timeout=90)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def sign_in(base: str, username: str, password: str) -> dict:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password}
    ).encode()
    with opener.open(urllib.request.Request(f"{base}/login/", data=form), timeout=30) as page:
        assert "/login/" not in page.url, f"{username} could not sign in"
    with opener.open(f"{base}/api/v1/me", timeout=30) as response:
        return json.load(response)


def periodic_runs(database: Path, name: str) -> int:
    with sqlite3.connect(database, timeout=20) as db:
        row = db.execute("SELECT runs FROM ops_periodicjob WHERE name = ?", (name,)).fetchone()
    return row[0] if row else 0


def test_palier_demo_serves_its_printed_logins_runs_the_worker_and_stops_on_ctrl_c(tmp_path):
    data_dir, home = tmp_path / "var", tmp_path / "home"
    home.mkdir()
    demo = Demo(data_dir, home)
    try:
        assert demo.wait_until_served() == 200
        logins = demo.printed_logins()
        assert {
            "anne.dubois",
            "pierre.favre",
            "sophie.martin",
            "giulia.rossi",
            "ravi.nair",
            "claire.dubois",
        } <= set(logins)
        roles = {}
        for username in logins:
            me = sign_in(demo.base, username, DEMO_PASSWORD)
            assert me["username"] == username
            roles[username] = (me["role"], me["is_customer_admin"])
        assert roles["anne.dubois"] == ("contact", False)
        assert roles["pierre.favre"] == ("contact", True)
        assert {role for role, _admin in roles.values()} >= {
            "contact",
            "agent",
            "consultant",
            "rnd",
            "manager",
        }
        css = re.search(
            r'/static/[^"]+\.css',
            urllib.request.urlopen(f"{demo.base}/login/", timeout=30).read().decode(),
        )
        assert css, "the sign-in page links no stylesheet"
        assert urllib.request.urlopen(demo.base + css.group(0), timeout=30).status == 200
        deadline = time.monotonic() + 60  # the worker's scheduler runs sla.scan at once
        while periodic_runs(data_dir / "palier.sqlite3", "sla.scan") < 1:
            assert time.monotonic() < deadline, "the worker ran no periodic job"
            time.sleep(1)
        # Pressed twice, as the worker's "press Ctrl+C again to force" invites.
        assert demo.ctrl_c(times=2) == 0, "\n".join(demo.lines[-30:])
        assert not any("demo stopped" in line for line in demo.lines)
        with socket.socket() as s:  # gunicorn is gone: nothing listens any more
            assert s.connect_ex(("127.0.0.1", demo.port)) != 0
        # Runtime files stay in the data folder: no control socket in the home folder.
        assert list(home.iterdir()) == []
    finally:
        demo.kill()

    again = run_palier("demo", "--no-serve", env=palier_env(data_dir), timeout=180)
    assert again.returncode == 0, again.stderr
    assert "keeping it" in again.stdout
    with sqlite3.connect(data_dir / "palier.sqlite3") as db:
        assert 250 <= db.execute("SELECT COUNT(*) FROM tickets_ticket").fetchone()[0] <= 350
