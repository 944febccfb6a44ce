"""`palier mail ingest`: one message on standard input, one process per message (a Postfix
`pipe` transport, procmail, fetchmail's `mda`). Exit codes follow sysexits.h, which MTAs read:

- 0: stored (then processed, quarantined, or left for the worker's sweep);
- 65 (EX_DATAERR): never takeable as it is: empty, or larger than `MAX_MESSAGE_BYTES`;
  the MTA returns it to its sender;
- 75 (EX_TEMPFAIL): not stored (database unreachable, any failure before the commit);
  the MTA keeps it and tries again.

A process per message pays Python's and Django's start-up for each mail, so this path
imports only what storing needs: Django's system checks are not run (they import every URL,
the API and its schemas: `palier check` runs them), the admin does not import every app's
admin module, apps without models that serve only the web (the API docs' static files,
messages, static files; PostgreSQL's extras on SQLite) and the passkeys' app (its import
loads webauthn, cryptography and OpenSSL; nothing on the mail path signs anybody in) are left
out, and the processing (the parser, the triage model and its scikit-learn, the ticket
actions) is the worker's: the raw and its `process_mail` task commit together, and the
worker, which must run anyway for the desk's mail to go out, processes it within its polling
interval. `--now` processes in this process instead (a desk without a worker): its endings
mail notices whose templates and links load the web's modules (the template builtins, the
URLconf), and these import the passkeys' models, so that process keeps every model app.
docs/performance.md ("Mail", "One process per message") has the figures.
"""

from __future__ import annotations

import argparse
import os
import sys

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75
MAX_MESSAGE_BYTES = 50 * 1024 * 1024  # as the LMTP listener's limit
_WEB_ONLY_APPS = frozenset({"ninja", "django.contrib.staticfiles", "django.contrib.messages"})
# Passkeys: importing the app loads webauthn, cryptography and OpenSSL (a fifth of the
# start-up's CPU); storing a mail signs nobody in. Processing one does not either, but its
# notices render templates and reverse the web's URLs, whose modules import these models.
_SIGN_IN_ONLY_APPS = frozenset({"django_otp_webauthn"})


def processes_here(now: bool) -> bool:
    """Whether this process brings the mail to its ending (and mails what the ending
    mails), or only stores it and queues the rest for the worker: the same answer as the
    LMTP listener's (lmtp.queues_for_workers), asked of the default backend, which
    `process_mail` uses, since its module cannot be imported before django.setup()."""
    from palier.lib.tasks import uses_database_backend

    return now or not uses_database_backend()


def lean_setup(*, now: bool = False) -> None:
    """django.setup() with the apps ingest needs: every model app, for its relations, but
    the passkeys' when this process only stores the mail (`processes_here`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
    import django
    from django.conf import settings

    on_postgres = any("postgres" in db["ENGINE"] for db in settings.DATABASES.values())
    sign_in_left_out = not processes_here(now)
    apps = []
    for app in settings.INSTALLED_APPS:
        left_out = app in _WEB_ONLY_APPS or (sign_in_left_out and app in _SIGN_IN_ONLY_APPS)
        if left_out or (app == "django.contrib.postgres" and not on_postgres):
            continue
        simple = "django.contrib.admin.apps.SimpleAdminConfig"
        apps.append(simple if app == "django.contrib.admin" else app)
    settings.INSTALLED_APPS = apps
    django.setup()


def check_input(data: bytes) -> str:
    """Why this input can never be taken, or "" when it can."""
    if not data.strip():
        return "No message on standard input: nothing to store."
    if len(data) > MAX_MESSAGE_BYTES:
        return f"The message has {len(data)} bytes; at most {MAX_MESSAGE_BYTES} are taken."
    return ""


def store_and_process(data: bytes, source: str, out, err, *, now: bool = True) -> int:
    """Store, then process here (`now`) or queue the processing for the worker; the exit code
    for the MTA."""
    from palier.mailgateway.actions import ingest, store_and_queue
    from palier.mailgateway.models import RawMessage

    try:
        raw = ingest(data, source) if now else store_and_queue(data, source)
    except Exception as exc:  # noqa: BLE001 - not stored: tell the MTA to keep it and retry
        err.write(f"Could not store the message: {type(exc).__name__}: {exc}\n")
        return EX_TEMPFAIL
    raw = RawMessage.objects.filter(pk=raw.pk).only("state", "outcome", "error_code").first() or raw
    out.write(f"{raw.pk} {raw.state} {raw.outcome or raw.error_code}\n")
    return EX_OK


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="palier mail ingest")
    parser.add_argument("--source", default="stdin")
    parser.add_argument(
        "--now", action="store_true", help="process here instead of in the worker (no worker)"
    )
    # The Django command's --language chooses its help's language; accepted here alike.
    parser.add_argument("--language", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = sys.stdin.buffer.read()
    refused = check_input(data)
    if refused:
        sys.stderr.write(refused + "\n")
        return EX_DATAERR
    try:
        lean_setup(now=args.now)
    except Exception as exc:  # noqa: BLE001 - misconfigured or unreachable: keep the mail queued
        sys.stderr.write(f"Could not start: {type(exc).__name__}: {exc}\n")
        return EX_TEMPFAIL
    return store_and_process(data, args.source, sys.stdout, sys.stderr, now=args.now)
