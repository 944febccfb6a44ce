"""SQLite writers queue on a file lock (palier.lib.sqlite_writer): a second write transaction
waits for the first to end, however it ends, and then proceeds at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction

from palier.customers.models import Product


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the file lock is the SQLite backend's")


def _in_thread(target) -> tuple[threading.Thread, list]:
    result: list = []

    def run() -> None:
        try:
            result.append(target())
        except BaseException as exc:  # noqa: BLE001 (reported to the test)
            result.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


# available_apps makes Django's flush TRUNCATE ... CASCADE, which the raw search table needs.
@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_second_writer_waits_for_the_first_transaction_to_end(
    sqlite_only, transactional_db_with_search, ending
):
    assert type(connections["default"]).__module__ == "palier.lib.sqlite_writer.base"
    entered = threading.Event()

    def second() -> float:
        entered.set()
        with transaction.atomic():
            began = time.monotonic()
            Product.objects.create(code="second", name="Second")
        return began

    expect = pytest.raises(RuntimeError) if ending == "rollback" else contextlib.nullcontext()
    with expect, transaction.atomic():
        Product.objects.create(code="first", name="First")
        thread, result = _in_thread(second)
        entered.wait(5)
        time.sleep(0.3)  # the second writer is at BEGIN by now, and must still wait
        released_at = time.monotonic()
        if ending == "rollback":
            raise RuntimeError("abandon the first transaction")
    thread.join(10)
    assert not thread.is_alive()
    began = result[0]
    assert not isinstance(began, BaseException), began
    assert began >= released_at  # it began only once the first had ended
    expected = {"First", "Second"} if ending == "commit" else {"Second"}
    assert set(Product.objects.values_list("name", flat=True)) >= expected
    assert Product.objects.filter(code="first").exists() == (ending == "commit")
    assert not connections["default"]._holds_lock


@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
def test_a_writer_behind_a_stuck_transaction_fails_after_the_timeout_instead_of_hanging(
    sqlite_only, transactional_db_with_search, monkeypatch
):
    wrapper = connections["default"]
    monkeypatch.setitem(wrapper.settings_dict["OPTIONS"], "timeout", 0.3)
    stuck = os.open(f"{wrapper.settings_dict['NAME']}.writer-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(stuck, fcntl.LOCK_EX)  # another process's transaction that never ends
        began = time.monotonic()
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            Product.objects.create(code="late", name="Late")
        assert 0.3 <= time.monotonic() - began < 5
        assert not wrapper._holds_lock
    finally:
        os.close(stuck)
    with transaction.atomic():  # the lock is free again: writes go through
        Product.objects.create(code="late", name="Late")
    assert Product.objects.filter(code="late").exists()
