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
