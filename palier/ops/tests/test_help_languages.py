"""`palier token|sla|mail|backup --help` speak the language --language asks for, as
`palier import --help` does; English (the texts' own) otherwise."""

from __future__ import annotations

import importlib

import pytest

COMMANDS = {
    "token": "palier.ops.management.commands.token",
    "sla": "palier.sla.management.commands.sla",
    "mail": "palier.mailgateway.management.commands.mail",
    "backup": "palier.ops.management.commands.backup",
}


def _help(capsys, name: str, *args: str) -> str:
    command = importlib.import_module(COMMANDS[name]).Command()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["palier", name, *args])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("argv", "said", "not_said"),
    [
        (["token", "--help", "--language", "fr"],
         ["Gérer les jetons d’API", "langue de cette aide"], "Manage API tokens"),
        (["token", "create", "--help", "--language=de"],
         ["TAGE|JJJJ-MM-TT", "BENUTZERNAME", "Eine Bezeichnung"], "A label"),
        (["token", "revoke", "--help", "--language", "it"], ["PREFISSO"], "PREFIX"),
        (["sla", "--help", "--language", "de"],
         ["Service-Levels: «scan»", "Sprache dieser Hilfe"], "flags warnings"),
        (["mail", "--help", "--language", "it"], ["Ricevere la posta"], "Receive mail"),
        (["mail", "fetch", "--help", "--language", "fr"],
         ["relever toutes les N secondes"], "poll every"),
        (["backup", "--help", "--language", "it"],
         ["Salvare il database", "CARTELLA", "N più recenti"], "Back up the database"),
        (["backup", "--help"], ["Back up the database", "FOLDER", "default: English"],
         "Salvare"),
        (["token", "--help"], ["List a user's tokens", "USERNAME", "PREFIX"], "Lister"),
    ],
)  # fmt: skip
def test_the_help_speaks_the_language_asked(capsys, argv, said, not_said):
    help_text = _help(capsys, *argv)
    for words in said:
        assert words in help_text
    assert not_said not in help_text


@pytest.mark.parametrize(
    ("language", "first"),
    [("en", "Receive mail"), ("fr", "Recevoir"), ("de", "E-Mails empfangen"), ("it", "Ricevere")],
)
def test_the_mail_description_names_every_subcommand_in_every_language(capsys, language, first):
    """The French, German and Italian descriptions named ingest, fetch and lmtp only."""
    help_text = _help(capsys, "mail", "--help", "--language", language)
    description = help_text[help_text.index(first) :].split("positional arguments")[0]
    for subcommand in ("ingest", "fetch", "lmtp", "process", "retry", "verify"):
        assert f"{subcommand} (" in description, (language, subcommand)


def test_language_is_accepted_after_a_subcommand_too(world, capsys):
    from django.core.management import call_command

    call_command("token", "list", "anna.a", "--language", "fr")
    assert "anna.a has no API token" in capsys.readouterr().err


def test_an_unknown_language_is_refused_in_english(capsys):
    command = importlib.import_module(COMMANDS["sla"]).Command()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["palier", "sla", "scan", "--language", "es"])
    assert exited.value.code == 2
    assert "invalid choice: 'es'" in capsys.readouterr().err


def test_the_lean_mail_ingest_takes_language_as_the_command_does(tmp_path):
    """`palier mail ingest` without --help skips Django (palier.cli): the option the help
    offers must not turn the MTA's pipe into a usage error there."""
    import subprocess
    import sys

    from palier.ops.tests.helpers import palier_env

    done = subprocess.run(
        [sys.executable, "-m", "palier.cli", "mail", "ingest", "--language", "fr"],
        env=palier_env(tmp_path, PALIER_ENV="test"),
        input=b"",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 65, done.stderr  # EX_DATAERR: no message, not a usage error
    assert b"No message on standard input" in done.stderr
