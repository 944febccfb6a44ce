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


def test_help_and_a_command_s_help_leave_no_file_behind(tmp_path):
    # `palier demo --help` once wrote ./var/secret_key: settings wrote the demo's secret
    # and made the data folder as they loaded.
    import subprocess
    import sys

    from palier.ops.tests.helpers import REPO, palier_env

    env = palier_env(tmp_path / "var", PALIER_ENV="demo")
    env["PYTHONPATH"] = str(REPO)
    for args in (["--help"], ["demo", "--help"], ["serve", "--help"], ["worker", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "palier.cli", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
