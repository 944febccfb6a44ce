"""Django's SQLite backend, with write transactions queued on a file lock.

Write transactions start with BEGIN IMMEDIATE (settings: `transaction_mode`) so that two
writers queue instead of failing halfway. SQLite makes the second one wait in its busy
handler, which sleeps 1, 2, 5, 10, 15... ms between tries: behind a ticket creation's ~2 ms
transaction a waiting web worker slept longer than the write it waited for, and two
workers created a fifth fewer tickets than their CPU allowed (docs/performance.md). Here a
write transaction first takes an exclusive `flock` on a file beside the database, which the
next writer takes within a quarter of a millisecond of the holder's commit or rollback;
SQLite's own lock is then free when BEGIN IMMEDIATE asks for it. Writes outside a transaction
(autocommit) and other programs still meet SQLite's lock and its busy timeout, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation


def lock_path(database_name: str) -> str:
    return f"{database_name}.writer-lock"


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        super()._destroy_test_db(test_database_name, verbosity)
        if test_database_name and not self.is_in_memory_db(test_database_name):
            with contextlib.suppress(FileNotFoundError):
                os.remove(lock_path(test_database_name))


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    _lock_fd: int | None = None
    _holds_lock = False

    def get_new_connection(self, conn_params):
        # The database's folder (PALIER_DATA_DIR) is made when it is first needed, not when
        # the settings load, so that `palier --help` creates nothing.
        if not self.is_in_memory_db():
            name = str(conn_params.get("database", ""))
            if name and not name.startswith("file:"):
                os.makedirs(os.path.dirname(os.path.abspath(name)), exist_ok=True)
        return super().get_new_connection(conn_params)

    def _take_writer_lock(self) -> None:
        if self.is_in_memory_db():
            return
        if self._lock_fd is None:
            path = lock_path(self.settings_dict["NAME"])
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # umask applies
        # Ask without blocking, a quarter of a millisecond apart (then 5 ms apart once the
        # wait is long), so that a stuck transaction fails the others after the connection's
        # `timeout`, as SQLite's own lock does, instead of hanging them for ever.
        waited, timeout = 0.0, float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited >= timeout:
                    raise OperationalError("database is locked") from None
                pause = 0.00025 if waited < 0.05 else 0.005
                time.sleep(pause)
                waited += pause
        self._holds_lock = True

    def _release_writer_lock(self) -> None:
        if self._holds_lock:
            self._holds_lock = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_writer_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
