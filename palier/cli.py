"""The `palier` command: Palier's own commands, and every Django management command."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "Create, fill and serve a demo desk on SQLite (--port, --host).",
    "serve": "Serve the desk with gunicorn; refuses a configuration with errors.",
    "worker": "Run background tasks (mail, notifications) and periodic jobs.",
    "mail": "Receive mail: mail ingest (stdin), mail fetch (IMAP), mail lmtp (listener).",
    "sla": "Service levels: sla scan (warnings, breaches), sla recompute (open clocks; new "
    "clocks' deadlines already past are marked breached without events unless --tell-past).",
    "token": "API tokens: create USERNAME [--name N], list USERNAME, revoke PREFIX.",
    "triage": "The learned triage: triage train (on the desk's qualified tickets), triage "
    "evaluate (on the held-out set), triage suggest SUBJECT [BODY].",
    "import": "import KIND FILE --user MANAGER [--dry-run]: customers, contracts, "
    "customizations, contacts, installations (CSV, XLSX), past tickets (jira, zendesk, "
    "tickets); import desk FILE restores an export into an empty desk.",
    "export": "The whole desk as JSON Lines (--format jsonl) or CSV in a ZIP (--format csv).",
    "migrate": "Create or update the database tables.",
    "createsuperuser": "Create an administrator.",
    "collectstatic": "Copy static files into PALIER_DATA_DIR/static (serve does it).",
    "check": "Check the configuration (add --deploy for production).",
}

HELP = (
    "usage: palier COMMAND [options]\n\nCommands:\n"
    + "\n".join(f"  {name:<16}{text}" for name, text in COMMANDS.items())
    + (
        "\n\nEvery Django management command works too (palier help lists them all);"
        "\n'palier COMMAND --help' describes one.\n"
    )
)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stdout.write(HELP)
        return
    if argv[1] == "demo":
        os.environ.setdefault("PALIER_ENV", "demo")
        # The demo is an SQLite desk in its data folder; never fill a configured database.
        if os.environ.pop("DATABASE_URL", None):
            sys.stderr.write("palier demo: ignoring DATABASE_URL; the demo runs on SQLite.\n")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["palier", *argv[1:]])


if __name__ == "__main__":
    main()
