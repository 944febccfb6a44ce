"""Real servers for the mail tests: a throwaway Dovecot IMAP instance on loopback."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

DOVECOT = "/usr/sbin/dovecot"

# Tests that commit (servers in other threads or processes) flush the database afterwards.
# `available_apps` lets that flush cascade on PostgreSQL, where the full-text table
# ticket_search (not a model) references tickets_ticket and a plain TRUNCATE is refused.
committing = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
# The task backend of production: a queued task is a row a `palier worker` runs.
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


def command_env(smtp_port: int) -> dict[str, str]:
    """The environment of a `palier` subprocess working on this test's database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PALIER_ENV": "test",
        "PALIER_SMTP_HOST": "127.0.0.1",
        "PALIER_SMTP_PORT": str(smtp_port),
        "DJANGO_SETTINGS_MODULE": "palier.settings",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    port: int
    user: str
    password: str
    conf: Path

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:  # Debian's package created these unprivileged users
        login, internal = "dovenull", "dovecot"
    else:
        login = internal = pwd.getpwuid(os.geteuid()).pw_name
    owner = pwd.getpwnam(internal)
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
first_valid_uid = {owner.pw_uid}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {internal}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


@pytest.fixture
def dovecot():
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI"):
            pytest.fail("Dovecot is missing (apt-get install dovecot-imapd); CI must run this test")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="palier-dovecot-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    (root / "passwd").write_text("support:{PLAIN}s3cret::::::\n")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port))
    if os.geteuid() == 0:
        shutil.chown(root / "mail", "dovecot", "dovecot")
        shutil.chown(root / "state", "dovecot", "dovecot")
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"Dovecot did not start: {(root / 'dovecot.log').read_text(errors='replace')}")
    yield Dovecot(port=port, user="support", password="s3cret", conf=conf)
    subprocess.run([DOVECOT, "-c", str(conf), "stop"], capture_output=True, timeout=10)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(root, ignore_errors=True)


@contextmanager
def ticket_refused_for_subject(subject: str) -> Iterator[None]:
    """A database trigger that refuses to store a ticket with `subject`: a failure in the
    middle of processing one message, on either engine (committed tests only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON tickets_ticket "
                f"WHEN NEW.subject = '{subject}' BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.subject = "
                f"'{subject}' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON tickets_ticket "
                "FOR EACH ROW EXECUTE FUNCTION boom()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER boom")
            else:
                cursor.execute("DROP TRIGGER boom ON tickets_ticket")
                cursor.execute("DROP FUNCTION boom()")
