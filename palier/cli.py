"""The `palier` command: Palier's own commands, and every Django management command."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "Create, fill and serve a demo desk on SQLite (--port, --host).",
    "serve": "Serve the desk with gunicorn; refuses a configuration with errors.",
    "worker": "Run background tasks (mail, notifications) and periodic jobs.",
    "mail": "Receive mail: mail ingest (stdin), mail fetch (IMAP), mail lmtp (listener); "
    "mail process, mail retry, mail verify look after it.",
    "sla": "Service levels: sla scan (warnings, breaches), sla recompute (open clocks; new "
    "clocks' deadlines already past are marked breached without events unless --tell-past).",
    "token": "API tokens: create USERNAME [--name N], list USERNAME, revoke PREFIX.",
    "triage": "The learned triage: triage train (on the desk's qualified tickets), triage "
    "evaluate (on the held-out set), triage suggest SUBJECT [BODY].",
    "import": "import KIND FILE --user MANAGER [--dry-run]: customers, contracts, "
    "customizations, contacts, installations (CSV, XLSX), past tickets (jira, zendesk, "
    "tickets); import desk FILE restores an export into an empty desk.",
    "export": "The whole desk as JSON Lines (--format jsonl) or CSV in a ZIP (--format csv).",
    "backup": "Back up the database and the files into one archive, online (--keep N).",
    "restore": "Put back a backup archive (stop the desk first), then check it.",
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


# Processes whose counters /metrics sums (prometheus-client's multiprocess mode).
LONG_RUNNING = ("serve", "worker", "demo", "mail")


def _prepare_metrics(*, wipe: bool) -> None:
    """Make PALIER_DATA_DIR/run/metrics before the settings load (they point
    prometheus-client there when it exists); a web server starting wipes what processes
    that are gone left."""
    from pathlib import Path

    from palier.lib.env import env_path
    from palier.ops.metrics_dir import prepare_metrics_dir

    prepare_metrics_dir(env_path("PALIER_DATA_DIR", Path.cwd() / "var"), wipe=wipe)


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
    if argv[1] in LONG_RUNNING and not {"-h", "--help"} & set(argv[2:]):
        _prepare_metrics(wipe=argv[1] in ("serve", "demo"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["palier", *argv[1:]])


if __name__ == "__main__":
    main()
