"""The first suggestion of a desk without a model file learns one (seconds on a busy machine):
never while a transaction is open, for on SQLite every transaction holds the desk's one write
lock (IMMEDIATE) and all other writes would wait for the fit."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection, transaction

from palier.mailgateway.actions import ingest
from palier.mailgateway.tests.mails import mail
from palier.mailgateway.tests.servers import committing
from palier.triage import suggest as triage
from palier.triage.suggest import forget_model, in_a_transaction, suggest_type

REQUEST = ("Fehler beim Drucken", "Der Druck des Lieferscheins bricht mit Fehler 4711 ab.")


def _another_writer_gets_the_lock() -> bool:
    """On SQLite: can a second connection start a write transaction right now?"""
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        probe.close()


@pytest.fixture
def no_model_file(settings, tmp_path, monkeypatch):
    """A desk without a model file; each fit notes whether a transaction (or SQLite's write
    lock) was held at that moment, then runs as shipped."""
    settings.PALIER_TRIAGE_MODEL = tmp_path / "model.joblib"
    forget_model()
    fits: list[dict] = []
    shipped_train = triage.train

    def observed_train(*args, **kwargs):
        fits.append(
            {
                "in_a_transaction": connection.in_atomic_block,
                "others_can_write": (
                    _another_writer_gets_the_lock() if connection.vendor == "sqlite" else True
                ),
            }
        )
        return shipped_train(*args, **kwargs)

    monkeypatch.setattr(triage, "train", observed_train)
    yield fits
    forget_model()


@committing
@pytest.mark.parametrize(
    "headers",
    [
        "",  # a new request
        # Looks like a reply, but its thread is unknown: it opens a ticket all the same.
        "In-Reply-To: <unknown-thread@example.com>\r\nReferences: <unknown-thread@example.com>\r\n",
    ],
)
def test_a_mailed_request_learns_the_first_model_outside_the_write_lock(
    world, no_model_file, settings, headers
):
    raw = ingest(mail(*REQUEST, msgid="first-triage@example.com", headers=headers), "test")
    raw.refresh_from_db()
    assert raw.outcome == "new_ticket", raw.error
    assert no_model_file == [{"in_a_transaction": False, "others_can_write": True}]
    assert settings.PALIER_TRIAGE_MODEL.exists()
    assert raw.ticket.suggested_type == "malfunction"


@committing
def test_asked_inside_a_transaction_without_a_model_it_says_nothing_and_learns_later(
    no_model_file, settings
):
    with transaction.atomic():
        assert in_a_transaction()
        assert suggest_type(*REQUEST) == ""
    assert no_model_file == [] and not settings.PALIER_TRIAGE_MODEL.exists()
    assert suggest_type(*REQUEST) == "malfunction"
    assert no_model_file == [{"in_a_transaction": False, "others_can_write": True}]


def test_a_test_cases_own_transaction_does_not_count(db):
    assert connection.in_atomic_block and not in_a_transaction()
