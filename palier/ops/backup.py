"""`palier backup` and `palier restore`: one archive with a consistent snapshot of the
database and the files it refers to.

The database is copied first, in one consistent snapshot while the desk keeps working:
SQLite's online backup API, or `pg_dump` inside an exported snapshot on PostgreSQL (the row
counts in the manifest are read in that same snapshot). Files are copied second, through
Django's storage API (local disk or S3): an attachment's file is stored before the row
that names it commits, so every file the snapshot refers to is there when the files are
copied (files added meanwhile come along unreferenced, and harm nothing).

The archive is a tar: `manifest.json` (when, engine, row counts, each file's sha256),
`database.sqlite3` or `database.pgdump` (pg_dump's custom format), and `files/<storage>/...`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import connection, connections

FORMAT = 1
FILE_STORAGES = ("default", "exports")
NAME_PREFIX = "palier-backup-"


@dataclass
class BackupResult:
    path: Path
    rows: dict[str, int]
    files: int
    bytes: int


def table_names() -> list[str]:
    """Every table of an installed model (Django's own included), sorted."""
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def count_rows(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_tool(name: str) -> str:
    """PostgreSQL's client program (Debian: postgresql-client, of the server's version)."""
    found = shutil.which(name)
    if not found:
        raise ValueError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def _snapshot_database(work: Path) -> tuple[str, dict[str, int]]:
    """Copy the database into `work`; return its file name and the row counts it holds."""
    tables = table_names()
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one pass under a read lock: a consistent copy
        finally:
            source.close()
        try:
            counts = count_rows(copy.cursor(), tables)
        finally:
            copy.close()
        return target.name, counts
    target = work / "database.pgdump"
    env, args = _pg_env_and_args()
    # A REPEATABLE READ transaction exports its snapshot; pg_dump reads the same one and the
    # counts are taken in it, so the manifest describes exactly the dump.
    conn = connections.create_connection("default")
    try:
        conn.set_autocommit(False)
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = count_rows(cursor, tables)
            subprocess.run(  # noqa: S603
                [
                    _pg_tool("pg_dump"),
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    connection.settings_dict["NAME"],
                ],
                env=env,
                check=True,
            )
        conn.rollback()
    finally:
        conn.close()
    return target.name, counts


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def backup(output_dir: Path, *, now: dt.datetime | None = None) -> BackupResult:
    now = now or dt.datetime.now(dt.UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / f"{NAME_PREFIX}{now:%Y%m%dT%H%M%SZ}.tar"
    partial = final.with_suffix(".tar.partial")
    with tempfile.TemporaryDirectory(dir=output_dir) as tmp:
        db_file, rows = _snapshot_database(Path(tmp))
        manifest: dict = {
            "format": FORMAT,
            "created": now.isoformat(),
            "engine": connection.vendor,
            "database": db_file,
            "rows": rows,
            "files": {},
        }
        size = 0
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(tmp) / db_file, arcname=db_file)
            for alias in FILE_STORAGES:
                storage = storages[alias]
                listed = manifest["files"].setdefault(alias, {})
                for name in _walk(storage):
                    with storage.open(name, "rb") as handle:
                        data = handle.read()
                    listed[name] = hashlib.sha256(data).hexdigest()
                    size += len(data)
                    info = tarfile.TarInfo(f"files/{alias}/{name}")
                    info.size, info.mtime = len(data), int(now.timestamp())
                    tar.addfile(info, io.BytesIO(data))
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(now.timestamp())
            tar.addfile(info, io.BytesIO(body))
    partial.rename(final)  # a backup is there whole, or not at all
    files = sum(len(v) for v in manifest["files"].values())
    return BackupResult(final, rows, files, size)


def prune(output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups of the folder; return the deleted ones."""
    found = sorted(output_dir.glob(f"{NAME_PREFIX}*.tar"))
    gone = found[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def restore(archive: Path) -> dict:
    """Replace the database and the files by the archive's; return the manifest. The
    caller makes sure that no web or worker process runs."""
    with tarfile.open(archive) as tar, tempfile.TemporaryDirectory() as tmp:
        manifest = json.load(tar.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ValueError("This archive was made by another version of palier backup.")
        if manifest["engine"] != connection.vendor:
            raise ValueError(
                f"This archive holds a {manifest['engine']} database; this desk runs on "
                f"{connection.vendor}."
            )
        db_file = Path(tmp) / manifest["database"]
        with tar.extractfile(manifest["database"]) as src, open(db_file, "wb") as dst:
            shutil.copyfileobj(src, dst)
        _restore_database(db_file)
        for alias, listed in manifest["files"].items():
            storage = storages[alias]
            for name in _walk(storage):
                storage.delete(name)
            for name in listed:
                with tar.extractfile(f"files/{alias}/{name}") as handle:
                    saved = storage.save(name, File(handle, name=name))
                if saved != name:
                    raise RuntimeError(f"{alias}: {name} was stored as {saved}")
    return manifest


def _restore_database(db_file: Path) -> None:
    connections.close_all()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(db_file)
        target = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
        try:
            source.backup(target)  # page by page into the live file, WAL included
        finally:
            source.close()
            target.close()
        return
    env, args = _pg_env_and_args()
    subprocess.run(  # noqa: S603
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(db_file),
        ],
        env=env,
        check=True,
    )


def verify(manifest: dict) -> list[str]:
    """Differences between the database and files now and the manifest (none: restored)."""
    problems = []
    with connection.cursor() as cursor:
        counts = count_rows(cursor, sorted(manifest["rows"]))
    for table, expected in manifest["rows"].items():
        if counts.get(table) != expected:
            problems.append(f"{table}: {counts.get(table)} rows, {expected} backed up")
    for alias, listed in manifest["files"].items():
        storage = storages[alias]
        for name, digest in listed.items():
            try:
                with storage.open(name, "rb") as handle:
                    actual = hashlib.sha256(handle.read()).hexdigest()
            except FileNotFoundError:
                actual = "missing"
            if actual != digest:
                problems.append(f"{alias}/{name}: {actual}, {digest} backed up")
    return problems
