"""Articles of every visibility for the knowledge tests, built through the actions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from palier.knowledge.actions import do_create_article
from palier.knowledge.models import Article
from palier.knowledge.tests.helpers import publish
from palier.testing.factories import module


@dataclass
class Shelf:
    everyone: Article
    customers: Article
    staff: Article
    draft: Article
    english_only: Article


@pytest.fixture
def shelf(world) -> Shelf:
    m = world.manager
    everyone = publish(
        m,
        "reverse-invoice",
        "everyone",
        {
            "en": ("Reversing a posted invoice", "Open the invoice and choose Reverse posting."),
            "fr": (
                "Extourner une facture comptabilisée",
                "Ouvrez la facture et choisissez Extourner.",
            ),
            "de": (
                "Eine verbuchte Rechnung stornieren",
                "Öffnen Sie die Rechnung und wählen Sie Stornieren.",
            ),
        },
        module=module("Finance"),
    )
    customers = publish(
        m,
        "closing-checklist",
        "customers",
        {"en": ("Year-end closing checklist", "Close the periods, then carry forward balances.")},
        module=module("Finance"),
    )
    staff = publish(
        m,
        "known-workaround-4711",
        "staff",
        {
            "en": (
                "Workaround for error 4711",
                "Clear the printer cache; invoice printing recovers.",
            )
        },
        module=module("Sales"),
    )
    draft = do_create_article(
        acting_user=m,
        language="en",
        title="Invoice drafts not yet reviewed",
        body="An invoice text still in draft.",
        key="draft-invoice",
    ).article
    english_only = publish(
        m,
        "stock-transfer",
        "everyone",
        {"en": ("Moving stock between warehouses", "Use a transfer order between warehouses.")},
        module=module("Logistics"),
    )
    return Shelf(everyone, customers, staff, draft, english_only)
