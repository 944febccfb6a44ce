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
    if argv[1:3] == ["mail", "ingest"] and not {"--dir", "-h", "--help"} & set(argv[3:]):
        # One process per mail (an MTA pipe): a start-up that imports only what ingest needs.
        from palier.mailgateway.pipe import main as ingest

        sys.exit(ingest(argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["palier", *argv[1:]])


if __name__ == "__main__":
    main()
