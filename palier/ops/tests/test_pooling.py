"""PostgreSQL behind a pooler: PgBouncer in transaction mode (Debian's package), and psycopg's
own pool (PALIER_DB_POOL_SIZE). Two processes write tickets at once through two server
connections that PgBouncer hands from one transaction to the next."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from palier.ops.tests.helpers import REPO, free_port
from palier.tickets.models import Ticket

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL pooler"),
    # available_apps: the flush after each test TRUNCATEs ... CASCADE (ticket_search).
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]

CHILD = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "palier.settings"
import django
django.setup()
from django.db import connection
from palier.accounts.models import User
from palier.testing.factories import make_ticket
contact = User.objects.get(username=sys.argv[1])
for i in range(int(sys.argv[2])):
    make_ticket(contact, subject=f"Through the pooler {i}")
with connection.cursor() as cursor:
    cursor.execute("SHOW join_collapse_limit")
    limit = cursor.fetchone()[0]
print(json.dumps({"limit": limit, "options": connection.settings_dict["OPTIONS"].get("pool")}))
"""


def child_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PALIER_", "DJANGO_"))}
    return {
        **env,
        "PALIER_ENV": "demo",  # production's checks want a secret and hosts; not the point
        "DATABASE_URL": url,
        "PALIER_DATA_DIR": tempfile.gettempdir(),
        **extra,
    }


def run_two_writers(world, url: str, **extra: str) -> list[dict]:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, contact.username, "25"],
            cwd=REPO,
            env=child_env(url, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for contact in (world.contact_a, world.contact_b)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture
def pgbouncer():
    if not shutil.which("pgbouncer"):
        pytest.fail("pgbouncer is not installed (apt-get install pgbouncer)")
    folder = Path(tempfile.mkdtemp(prefix="palier-pgbouncer-"))
    folder.chmod(0o755)  # pgbouncer refuses root and runs as postgres
    port = free_port()
    db = connection.settings_dict
    (folder / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={db["HOST"] or "127.0.0.1"} port={db["PORT"] or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = 2
; Palier passes -c join_collapse_limit=4 at connection start; PgBouncer refuses unknown
; startup parameters, so it is set on the database instead (docs/configuration.md).
ignore_startup_parameters = options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    shutil.chown(folder, "postgres")
    subprocess.run(["pgbouncer", "-d", "-u", "postgres", str(folder / "pgbouncer.ini")], check=True)
    deadline = time.monotonic() + 30
    while not (folder / "pgbouncer.pid").exists():
        assert time.monotonic() < deadline, (folder / "pgbouncer.log").read_text()
        time.sleep(0.1)
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}", folder
    pid = int((folder / "pgbouncer.pid").read_text())
    os.kill(pid, 15)
    shutil.rmtree(folder, ignore_errors=True)


def test_two_processes_write_through_pgbouncer_in_transaction_mode(world, pgbouncer):
    url, folder = pgbouncer
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET join_collapse_limit = 4')
    results = run_two_writers(world, url, PALIER_PG_PREPARED="0", PALIER_DB_CONN_MAX_AGE="0")
    assert Ticket.objects.filter(subject__startswith="Through the pooler").count() == 50
    assert {r["limit"] for r in results} == {"4"}  # the database's setting reached them
    assert "transaction" in (folder / "pgbouncer.ini").read_text()


def test_two_processes_write_through_psycopg_s_pool(world):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    results = run_two_writers(world, url, PALIER_DB_POOL_SIZE="4")
    assert Ticket.objects.filter(subject__startswith="Through the pooler").count() == 50
    assert results[0]["options"] == {"min_size": 1, "max_size": 4, "timeout": 10}
    assert {r["limit"] for r in results} == {"4"}  # the connection's own option
