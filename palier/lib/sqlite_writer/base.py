"""Django's SQLite backend, with write transactions queued on a file lock.

Write transactions start with BEGIN IMMEDIATE (settings: `transaction_mode`) so that two
writers queue instead of failing halfway. SQLite makes the second one wait in its busy
handler, which sleeps 1, 2, 5, 10, 15... ms between tries: behind a ticket creation's ~2 ms
transaction a waiting web worker slept longer than the write it waited for, and two
workers created a fifth fewer tickets than their CPU allowed (docs/performance.md). Here a
write transaction first takes an exclusive `flock` on a file beside the database, which the
kernel hands to the next writer the moment the holder commits or rolls back; SQLite's own
lock is then free when BEGIN IMMEDIATE asks for it. Writes outside a transaction
(autocommit) and other programs still meet SQLite's lock and its busy timeout, as before.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _holds_lock = False

    def _take_writer_lock(self) -> None:
        if self.is_in_memory_db():
            return
        if self._lock_fd is None:
            path = f"{self.settings_dict['NAME']}.writer-lock"
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
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
