"""The demo's R&D defects and patches, and its billing: estimates, consent and time.

Built through the engineering and billing apps' actions, like the tickets themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from palier.accounts.models import User
from palier.billing.actions import do_decide_estimate, do_log_time, do_propose_estimate
from palier.billing.models import Activity as WorkActivity
from palier.billing.models import DecidedVia, Estimate, EstimateStatus
from palier.customers.models import Module, Product, ProductVersion
from palier.engineering.actions import (
    DefectDraft,
    do_create_defect,
    do_create_patch,
    do_escalate_to_rnd,
    do_release_patch,
)
from palier.engineering.models import Defect, Patch
from palier.tickets.models import Ticket


@dataclass
class DemoRnd:
    fixed: Defect  # fixed in the released patch 11.3.2
    planned: Defect  # to be fixed in 11.4.0, not released yet
    open: Defect  # R&D still investigates
    patch: Patch  # 11.3.2
    next_patch: Patch  # 11.4.0


def make_defects(rnd: User, product: Product) -> DemoRnd:
    v1131 = ProductVersion.objects.get(product=product, number="11.3.1")
    modules = {m.name: m for m in Module.objects.filter(product=product)}

    def defect(title: str, module: str, severity: str, translations: dict[str, str]) -> Defect:
        draft = DefectDraft(
            title=title,
            description=f"Reproduced on {v1131.number}.",
            severity=severity,
            module=modules[module],
            affected_versions=[v1131],
            title_translations=translations,
        )
        return do_create_defect(draft, acting_user=rnd)

    fixed = defect(
        "VAT report rounds each line instead of the total",
        "Finance",
        "high",
        {
            "fr": "Le décompte TVA arrondit chaque ligne au lieu du total",
            "de": "MWST-Abrechnung rundet jede Zeile statt des Totals",
            "it": "Il rendiconto IVA arrotonda ogni riga invece del totale",
        },
    )
    planned = defect(
        "Partial deliveries reduce the stock twice",
        "Logistics",
        "critical",
        {
            "fr": "Les livraisons partielles réduisent le stock deux fois",
            "de": "Teillieferungen buchen den Bestand doppelt ab",
            "it": "Le consegne parziali scalano due volte la giacenza",
        },
    )
    still_open = defect(
        "Timeline loses activities after a merge",
        "CRM",
        "medium",
        {
            "fr": "L'historique perd des activités après une fusion",
            "de": "Zeitachse verliert Aktivitäten nach dem Zusammenführen",
            "it": "La cronologia perde attività dopo un'unione",
        },
    )
    patch = do_create_patch(
        acting_user=rnd,
        product=product,
        number="11.3.2",
        defects=[fixed],
        notes="Fixes the rounding of the VAT report.",
        notes_translations={
            "fr": "Corrige l’arrondi du décompte TVA.",
            "de": "Behebt die Rundung der MWST-Abrechnung.",
            "it": "Corregge l’arrotondamento del rendiconto IVA.",
        },
    )
    next_patch = do_create_patch(
        acting_user=rnd,
        product=product,
        number="11.4.0",
        defects=[planned],
        notes="Stock bookings of partial deliveries.",
        notes_translations={
            "fr": "Écritures de stock des livraisons partielles.",
            "de": "Lagerbuchungen von Teillieferungen.",
            "it": "Registrazioni di magazzino delle consegne parziali.",
        },
    )
    return DemoRnd(fixed, planned, still_open, patch, next_patch)


def escalate(ticket: Ticket, rnd: DemoRnd, final: str, *, acting_user: User, note: str) -> Ticket:
    """Diagnosis D4 with the defect that leads to the ticket's final status."""
    defect = {"with_rnd": rnd.open, "waiting_patch": rnd.planned}.get(final, rnd.fixed)
    do_escalate_to_rnd(ticket, acting_user=acting_user, defect=defect, note=note)
    return Ticket.objects.get(pk=ticket.pk)


def release(rnd: DemoRnd, *, acting_user: User, at: dt.datetime) -> None:
    do_release_patch(rnd.patch, acting_user=acting_user, now=at)


def propose(
    ticket: Ticket, *, consultant: User, hours: int, text: str, now: dt.datetime
) -> Estimate:
    activity = WorkActivity.TRAINING if ticket.type == "training" else WorkActivity.CONSULTING
    return do_propose_estimate(
        ticket, acting_user=consultant, hours=Decimal(hours), text=text, activity=activity, now=now
    )


def covered_by_prepaid(estimate: Estimate) -> bool:
    return estimate.status == EstimateStatus.ACCEPTED


def answer(
    estimate: Estimate, *, contact: User, accept: bool, reason: str, now: dt.datetime
) -> None:
    do_decide_estimate(
        estimate, accept=accept, acting_user=contact, via=DecidedVia.PORTAL, reason=reason, now=now
    )


def log_work(ticket: Ticket, *, user: User, minutes: int, now: dt.datetime) -> None:
    """Time on the ticket: billable on level 2 (within the consent), recorded on level 1."""
    billable = ticket.billable and ticket.level == 2
    activity = (
        WorkActivity.TRAINING
        if billable and ticket.type == "training"
        else WorkActivity.CONSULTING
        if billable
        else WorkActivity.SUPPORT
    )
    do_log_time(
        ticket,
        acting_user=user,
        date=timezone.localdate(now),
        minutes=minutes,
        activity=activity,
        note="Analysis and answer.",
        now=now,
    )
