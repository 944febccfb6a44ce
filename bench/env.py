"""The benchmark's environment: production settings on a separate database.

`--db sqlite` uses PALIER_DATA_DIR=/tmp/palier-bench/<set>; `--db postgres` uses the database
palier_bench_<set> on 127.0.0.1:5432, where <set> names a filled data set (e.g. 10k, 100k) so
that both sizes can stay side by side. Both bench scripts import this before Django starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path("/tmp/palier-bench")
# BENCH_PG_SERVER=postgres://postgres@%2Fvar%2Frun%2Fpostgresql: through the Unix socket.
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "palier_bench"


def bench_environ(db: str, dataset: str) -> dict[str, str]:
    """The environment of the bench process and of the gunicorn it starts."""
    if db not in ("sqlite", "postgres"):
        raise SystemExit(f"--db must be sqlite or postgres, not {db!r}")
    env = dict(os.environ)
    env.update(
        PALIER_ENV="production",
        PALIER_SECRET_KEY="bench-only-" + "k" * 50,
        PALIER_ALLOWED_HOSTS="127.0.0.1,localhost",
        PALIER_INSECURE_HTTP="1",
        PALIER_DATA_DIR=str(DATA_DIR / dataset),
        PALIER_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="palier.settings",
    )
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}_{dataset}"
    return env


def setup_django(db: str, dataset: str) -> None:
    os.environ.update(bench_environ(db, dataset))
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_database(db: str, dataset: str) -> None:
    """Start from an empty database (before Django connects to it)."""
    if db == "sqlite":
        (DATA_DIR / dataset).mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (DATA_DIR / dataset / f"palier.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}_{dataset} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}_{dataset}")


def dataset_name(tickets: int) -> str:
    return f"{tickets // 1000}k" if tickets % 1000 == 0 else str(tickets)


if __name__ == "__main__":
    # `eval "$(.venv/bin/python bench/env.py postgres 1m)"`: the bench's environment in a shell,
    # e.g. to run `palier migrate`, `palier backup` or `palier restore` on a data set.
    import shlex

    names = ("PALIER_ENV", "PALIER_SECRET_KEY", "PALIER_ALLOWED_HOSTS", "PALIER_INSECURE_HTTP")
    names += ("PALIER_DATA_DIR", "PALIER_LOG_LEVEL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    environ = bench_environ(sys.argv[1], sys.argv[2])
    print("\n".join(f"export {k}={shlex.quote(environ[k])}" for k in names if k in environ))


def settle_tables() -> None:
    """After a fill: statistics for the planner and, on PostgreSQL, the visibility map. A live
    desk's tables are kept vacuumed by autovacuum; a fresh fill's are not, and until they are,
    every index-only scan (the queue counts, the backlog) reads the table's rows too (a queue
    count at 1M: 59 ms p50 the first hour, 4 ms once vacuumed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def process_cpu_ms(pid: int) -> float:
    """A process's user + system CPU time in ms, from /proc (Linux); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def backends_cpu_ms() -> dict[int, float]:
    """CPU ms of each PostgreSQL backend of the bench's database but this process's own
    (the server runs on this machine); {} on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid: process_cpu_ms(pid) for (pid,) in cursor.fetchall()}
