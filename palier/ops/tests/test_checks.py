"""`palier check --deploy` with production settings, in a fresh process as in production."""

from __future__ import annotations

from palier.ops.tests.helpers import production_env, run_palier


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_palier("check", "--deploy", env=production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_in_production_is_error_e001_with_a_hint(tmp_path):
    result = run_palier("check", "--deploy", env=production_env(tmp_path, PALIER_SECRET_KEY=None))
    assert result.returncode != 0
    assert "palier.E001" in result.stderr
    assert "PALIER_SECRET_KEY" in result.stderr
    assert "HINT" in result.stderr


def test_missing_allowed_hosts_in_production_is_error_e002(tmp_path):
    result = run_palier(
        "check", "--deploy", env=production_env(tmp_path, PALIER_ALLOWED_HOSTS=None)
    )
    assert result.returncode != 0
    assert "palier.E002" in result.stderr
    assert "palier.E001" not in result.stderr


def test_sqlite_in_production_is_warning_w001_pointing_to_database_url(tmp_path):
    result = run_palier("check", "--deploy", env=production_env(tmp_path, DATABASE_URL=None))
    assert result.returncode == 0  # a warning: a small desk may choose SQLite
    output = result.stdout + result.stderr
    assert "palier.W001" in output
    assert "DATABASE_URL" in output


def test_the_demo_needs_no_secret_and_raises_no_palier_issue(tmp_path):
    result = run_palier(
        "check",
        env=production_env(
            tmp_path,
            PALIER_ENV="demo",
            PALIER_SECRET_KEY=None,
            PALIER_ALLOWED_HOSTS=None,
            DATABASE_URL=None,
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "palier." not in result.stdout + result.stderr


def test_the_embedded_desk_is_not_told_about_postgresql_only_index_columns(tmp_path):
    """SQLite's note on the covering indexes' INCLUDE columns (models.W040) was printed by
    every command that checks the database (`migrate`, `demo`), for a choice made on purpose."""
    env = production_env(tmp_path, PALIER_ENV="demo", DATABASE_URL=None)
    result = run_palier("check", "--database", "default", env=env)
    assert result.returncode == 0, result.stderr
    assert "W040" not in result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_palier(
        "serve", "--bind", "127.0.0.1:1", env=production_env(tmp_path, PALIER_SECRET_KEY=None)
    )
    assert result.returncode != 0
    assert "palier.E001" in result.stderr
    assert "Listening at" not in result.stdout + result.stderr


def test_a_command_run_on_a_demo_folder_without_palier_env_is_told_how_to_reach_it(tmp_path):
    """`palier token list` on the demo's data folder stopped on E001 and E002 with no word of
    PALIER_ENV=demo: the hint names it, with the folder `palier demo` left its secret in."""
    (tmp_path / "secret_key").write_text("demo-secret\n")  # as `palier demo` leaves it
    env = production_env(
        tmp_path,
        PALIER_ENV=None,
        PALIER_SECRET_KEY=None,
        PALIER_ALLOWED_HOSTS=None,
        DATABASE_URL=None,
    )
    result = run_palier("token", "list", "hans.mueller", env=env)
    assert result.returncode != 0
    assert "palier.E001" in result.stderr and "palier.E002" in result.stderr
    said = " ".join(result.stderr.split())
    assert f"PALIER_ENV=demo PALIER_DATA_DIR={tmp_path}" in said
    assert "PALIER_SECRET_KEY" in said  # production's own way stays said
    assert not (tmp_path / "palier.sqlite3").exists()


def test_without_a_demo_folder_the_hint_still_says_how_to_reach_a_demo_desk(tmp_path):
    result = run_palier("check", env=production_env(tmp_path, PALIER_SECRET_KEY=None))
    assert result.returncode != 0
    said = " ".join(result.stderr.split())
    assert "Set PALIER_SECRET_KEY" in said
    assert "PALIER_ENV=demo" in said and "PALIER_DATA_DIR" in said
    assert f"PALIER_DATA_DIR={tmp_path}" not in said  # no demo desk there to name


def test_hosts_alone_missing_is_told_the_demo_way_too(tmp_path):
    (tmp_path / "secret_key").write_text("demo-secret\n")
    result = run_palier("check", env=production_env(tmp_path, PALIER_ALLOWED_HOSTS=None))
    assert result.returncode != 0
    said = " ".join(result.stderr.split())
    assert "palier.E002" in said and "palier.E001" not in said
    assert f"PALIER_ENV=demo PALIER_DATA_DIR={tmp_path}" in said
