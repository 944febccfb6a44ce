"""`palier --help` lists Palier's commands, and each of them exists."""

from __future__ import annotations

from django.core.management import get_commands

from palier import cli


def test_help_lists_palier_commands_that_all_exist(capsys):
    cli.main(["palier", "--help"])
    out = capsys.readouterr().out
    for name in ("demo", "serve", "worker", "token", "migrate", "check"):
        assert f"  {name} " in out
    assert set(cli.COMMANDS) <= set(get_commands())
