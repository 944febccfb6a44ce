"""Suggest a request's type, module and criticality from its text (fr, de, it, en).

A suggestion only: a mailed ticket stays "to be qualified" until an agent confirms the
type, and only then does the policy decide (POLICY.md section 3). Below the confidence
threshold the desk says nothing, and the ticket waits for a person as before.

The model is the file `triage/model.joblib` in the data directory, written by `palier triage
train` and the worker's daily job; until one exists, the shipped cold-start requests are
learnt once per process (a few seconds) and written there. Never inside a transaction: on
SQLite every transaction holds the one write lock (IMMEDIATE), and seconds of fitting would
stop every other write of the desk. Asked there without a model, the triage says nothing.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections

from palier.triage.corpus import coldstart_digest, coldstart_examples
from palier.triage.model import Suggestion, TriageModel, load, save, train

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, tuple[float, TriageModel]] = {}


def model_path() -> Path:
    return Path(settings.PALIER_TRIAGE_MODEL)


def min_confidence() -> float:
    return settings.PALIER_TRIAGE_MIN_CONFIDENCE


class NoModelYet(Exception):
    """The model would have to be learnt, and a transaction is open: not now."""


def in_a_transaction() -> bool:
    """A transaction of ours is open (not counting the one a test case wraps itself in)."""
    return any(
        not getattr(block, "_from_testcase", False)
        for conn in connections.all(initialized_only=True)
        for block in conn.atomic_blocks
    )


def current_model() -> TriageModel:
    """The desk's model, re-read when the file changed (a retrain by another process).

    Raises NoModelYet when it must be learnt and a transaction is open."""
    path = model_path()
    key = str(path)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        mtime = -1.0
    cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        model = load(path) if mtime >= 0 else None
        if model is not None and _stale(model):
            model = None
        if model is None:
            if in_a_transaction():
                raise NoModelYet
            model = train(coldstart_examples(), counts={"coldstart": len(coldstart_examples())})
            try:
                save(model, path)
                mtime = path.stat().st_mtime
            except OSError:
                logger.warning("Could not write the triage model to %s", path)
        _cache[key] = (mtime, model)
        return model


def _stale(model: TriageModel) -> bool:
    """A model learnt from the shipped requests alone, older than the ones shipped now (an
    upgrade): learn them again. A desk's own model waits for its next retraining."""
    return not model.counts.get("desk") and model.coldstart_digest != coldstart_digest()


def forget_model() -> None:
    """Drop the cached model (tests, and after a retrain in this process)."""
    _cache.clear()


def suggest(subject: str, body: str = "") -> Suggestion:
    return current_model().suggest(subject, body, threshold=min_confidence())


def suggest_type(subject: str, body: str = "") -> str:
    """The most likely request type, or "" when the model is not confident enough (or when
    there is no model yet and a transaction is open: the ticket then waits for a person)."""
    if not (subject or body).strip():
        return ""
    try:
        # The type alone: the module, criticality and weighing words would be thrown away.
        found = current_model().suggest_type(subject, body)
    except NoModelYet:
        logger.warning("No triage model yet, and a transaction is open: no suggestion")
        return ""
    return found.value if found.confidence >= min_confidence() else ""
