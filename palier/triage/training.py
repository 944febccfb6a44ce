"""Retrain the triage on the desk's own qualified tickets, plus the shipped cold-start set.

A ticket counts once an agent has qualified it: its type is set (picked in the portal or
confirmed by an agent for a mail) and the desk has taken it up (not new, not refused), so a
wrong type has had its chance to be corrected (D3 requalifies). The newest
PALIER_TRIAGE_MAX_TICKETS are read, in chunks, as plain tuples: memory stays bounded by
that count times the text kept per ticket (features.BODY_CHARS).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from palier.customers.models import Module
from palier.tickets.models import Ticket
from palier.tickets.states import Status
from palier.triage.corpus import Example, coldstart_examples
from palier.triage.features import BODY_CHARS
from palier.triage.model import TriageModel, save, train
from palier.triage.suggest import forget_model, model_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingRun:
    model: TriageModel
    desk_tickets: int
    coldstart: int
    seconds: float


def qualified_tickets():
    return Ticket.objects.filter(type__isnull=False).exclude(
        status__in=[Status.NEW, Status.REFUSED]
    )


def desk_examples(limit: int) -> Iterator[Example]:
    """The newest `limit` qualified tickets as examples (module as its id)."""
    rows = (
        qualified_tickets()
        .order_by("-id")
        .values_list("subject", "description", "type", "module_id", "criticality", "language")
    )[:limit]
    for subject, description, kind, module_id, criticality, language in rows.iterator(
        chunk_size=2000
    ):
        yield Example(
            subject,
            (description or "")[:BODY_CHARS],
            kind,
            str(module_id) if module_id else "",
            criticality or "",
            language,
        )


def coldstart_for_desk() -> list[Example]:
    """The cold-start examples, their module names mapped to this desk's modules (by name or
    code; a module the desk does not have is left unknown)."""
    modules: dict[str, str] = {}
    for pk, code, name in Module.objects.order_by("-pk").values_list("pk", "code", "name"):
        modules[code.lower()] = modules[name.lower()] = str(pk)
    return [
        Example(
            e.subject, e.body, e.type, modules.get(e.module.lower(), ""), e.criticality, e.language
        )
        for e in coldstart_examples()
    ]


def train_from_desk(*, limit: int | None = None, write: bool = True) -> TrainingRun:
    """Train on the desk's qualified tickets and the cold-start set; write the model file."""
    started = time.perf_counter()
    limit = settings.PALIER_TRIAGE_MAX_TICKETS if limit is None else limit
    desk = list(desk_examples(limit))
    cold = coldstart_for_desk()
    model = train(desk + cold, counts={"desk": len(desk), "coldstart": len(cold)})
    if write:
        save(model, model_path())
        forget_model()
    run = TrainingRun(model, len(desk), len(cold), time.perf_counter() - started)
    logger.info(
        "Triage trained on %d qualified tickets and %d cold-start requests in %.1f s",
        run.desk_tickets,
        run.coldstart,
        run.seconds,
    )
    return run
