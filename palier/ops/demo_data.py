"""The demo desk's data: a vendor, its Swiss customers and a few hundred tickets.

Everything is built through the apps' actions, so that decisions, events and the search
index are what real use would produce. Deterministic: a seeded random generator, dates
relative to `today`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from palier.accounts.models import Role, User
from palier.customers.actions import (
    do_create_contract,
    do_create_customer,
    do_create_customization,
    do_update_contract,
)
from palier.customers.models import (
    Contract,
    Customer,
    Customization,
    Installation,
    Module,
    ProductVersion,
)
from palier.ops.demo_rnd_billing import make_defects
from palier.ops.demo_tickets import TicketBuilder
from palier.ops.demo_workspace import make_workspace
from palier.testing.factories import make_product, make_user
from palier.tickets.models import Ticket

DEMO_PASSWORD = "palier-demo"
# The demo product's modules in French, German and Italian (their `name` is English).
MODULE_NAMES = {
    "Finance": ("Finances", "Finanzen", "Finanza"),
    "Sales": ("Ventes", "Verkauf", "Vendite"),
    "Logistics": ("Logistique", "Logistik", "Logistica"),
    "Production": ("Production", "Produktion", "Produzione"),
    "HR": ("Ressources humaines", "Personal", "Risorse umane"),
    "CRM": ("CRM", "CRM", "CRM"),
}
SEED = 2026


@dataclass(frozen=True)
class CustomerSpec:
    code: str
    name: str
    language: str
    domain: str  # reserved .example domains: the demo's mail can never reach anyone
    contract: str  # active | expired | suspended | terminated | not_started | none
    rate: str = "185.00"
    prepaid: str = "0"
    contacts: tuple[tuple[str, str, str], ...] = ()  # username, first name, last name
    customizations: tuple[tuple[str, str, str, str], ...] = ()  # module, object, built_by, author
    tickets: int = 0


# Postal addresses (invoices and QR-bills), by customer code.
ADDRESS_FIELDS = ("street", "house_number", "postcode", "city")
ADDRESSES = {
    "horlogerie-lemanique": ("Rue du Rhône", "48", "1204", "Genève"),
    "berner-praezision": ("Effingerstrasse", "17", "3008", "Bern"),
    "zuercher-logistik": ("Hardturmstrasse", "130", "8005", "Zürich"),
    "ticino-tessuti": ("Via Cantonale", "3", "6900", "Lugano"),
    "alpine-analytics": ("Avenue de la Gare", "10", "1003", "Lausanne"),
    "boulangerie-vaudoise": ("Rue de Bourg", "22", "1003", "Lausanne"),
    "bergbahnen-graubuenden": ("Poststrasse", "9", "7000", "Chur"),
    "cantina-mendrisio": ("Via Lavizzari", "2", "6850", "Mendrisio"),
    "helvetic-biolabs": ("Hochbergerstrasse", "60", "4057", "Basel"),
    "menuiserie-jura": ("Rue de la Préfecture", "5", "2800", "Delémont"),
}


CUSTOMERS = (
    CustomerSpec(
        "horlogerie-lemanique",
        "Horlogerie Lémanique SA",
        "fr",
        "horlogerie-lemanique.example",
        "active",
        "185.00",
        "0",  # the forced scenarios land here: consent must be asked, not prepaid
        (
            ("anne.dubois", "Anne", "Dubois"),
            ("pierre.favre", "Pierre", "Favre"),
            ("julie.rochat", "Julie", "Rochat"),
        ),
        (
            ("Sales", 'Order line: column "Delivery zone"', "vendor", "Palier Consulting"),
            (
                "Finance",
                "Report: monthly margin by collection",
                "customer_authorized",
                "IT Lémanique",
            ),
            ("Logistics", "Label: watch case serial", "customer_unauthorized", "IT Lémanique"),
        ),
        52,
    ),
    CustomerSpec(
        "berner-praezision",
        "Berner Präzisionsteile AG",
        "de",
        "praezision-bern.example",
        "active",
        "210.00",
        "0",
        (("hans.mueller", "Hans", "Müller"), ("petra.schneider", "Petra", "Schneider")),
        (
            ("Production", 'Routing: field "Tool wear"', "vendor", "Palier Consulting"),
            ("Finance", "Cost centre allocation script", "customer_unauthorized", "Berner IT"),
        ),
        52,
    ),
    CustomerSpec(
        "zuercher-logistik",
        "Zürcher Logistik AG",
        "de",
        "zh-logistik.example",
        "active",
        "195.00",
        "40",
        (
            ("markus.weber", "Markus", "Weber"),
            ("sabine.keller", "Sabine", "Keller"),
            ("reto.frei", "Reto", "Frei"),
        ),
        (
            ("Logistics", "Picking list: sort by route", "vendor", "Palier Consulting"),
            ("Sales", "Order entry: customs tariff check", "customer_authorized", "ZL Informatik"),
        ),
        52,
    ),
    CustomerSpec(
        "ticino-tessuti",
        "Ticino Tessuti SA",
        "it",
        "ticinotessuti.example",
        "active",
        "185.00",
        "10",
        (("luca.bernasconi", "Luca", "Bernasconi"), ("chiara.fontana", "Chiara", "Fontana")),
        (
            ("Production", "Dye batch: colour recipe screen", "vendor", "Palier Consulting"),
            ("Sales", 'Invoice: field "Fabric roll"', "customer_unauthorized", "Ufficio IT"),
        ),
        48,
    ),
    CustomerSpec(
        "alpine-analytics",
        "Alpine Analytics Ltd",
        "en",
        "alpine-analytics.example",
        "active",
        "210.00",
        "0",
        (("emma.clarke", "Emma", "Clarke"), ("james.walker", "James", "Walker")),
        (
            ("CRM", "Account: renewal dashboard", "customer_authorized", "Alpine data team"),
            ("Finance", "Export: consolidated ledger for Zug", "vendor", "Palier Consulting"),
        ),
        46,
    ),
    CustomerSpec(
        "boulangerie-vaudoise",
        "Boulangerie Vaudoise Sàrl",
        "fr",
        "boulangerie-vaudoise.example",
        "expired",
        "185.00",
        "0",
        (("marc.girard", "Marc", "Girard"), ("sophie.blanc", "Sophie", "Blanc")),
        (("Logistics", "Delivery rounds planner", "vendor", "Palier Consulting"),),
        20,
    ),
    CustomerSpec(
        "bergbahnen-graubuenden",
        "Bergbahnen Graubünden AG",
        "de",
        "bergbahnen-gr.example",
        "suspended",
        "195.00",
        "0",
        (("urs.caflisch", "Urs", "Caflisch"), ("anna.casutt", "Anna", "Casutt")),
        (("Sales", "Season pass price matrix", "customer_authorized", "BBG IT"),),
        14,
    ),
    CustomerSpec(
        "cantina-mendrisio",
        "Cantina Mendrisio SA",
        "it",
        "cantinamendrisio.example",
        "terminated",
        "185.00",
        "0",
        (("paolo.ferrari", "Paolo", "Ferrari"), ("elena.conti", "Elena", "Conti")),
        (("Logistics", "Cellar stock by barrel", "customer_unauthorized", "Cantina IT"),),
        10,
    ),
    CustomerSpec(
        "helvetic-biolabs",
        "Helvetic BioLabs AG",
        "en",
        "helvetic-biolabs.example",
        "not_started",
        "210.00",
        "25",
        (("olivia.brown", "Olivia", "Brown"), ("daniel.meier", "Daniel", "Meier")),
        (),
        3,
    ),
    CustomerSpec(
        "menuiserie-jura",
        "Menuiserie du Jura Sàrl",
        "fr",
        "menuiserie-jura.example",
        "none",
        contacts=(("luc.chapatte", "Luc", "Chapatte"), ("nadia.voirol", "Nadia", "Voirol")),
        tickets=3,
    ),
)

# username, role, language, first name, last name
STAFF = (
    ("sophie.martin", Role.AGENT, "fr", "Sophie", "Martin"),
    ("lukas.baumann", Role.AGENT, "de", "Lukas", "Baumann"),
    ("giulia.rossi", Role.CONSULTANT, "it", "Giulia", "Rossi"),
    ("thomas.keller", Role.CONSULTANT, "de", "Thomas", "Keller"),
    ("ravi.nair", Role.RND, "en", "Ravi", "Nair"),
    ("claire.dubois", Role.MANAGER, "fr", "Claire", "Dubois"),
    ("admin", Role.ADMIN, "en", "Ada", "Admin"),
)


@dataclass
class DemoSummary:
    logins: list[tuple[str, str]] = field(default_factory=list)  # (who, username)
    tickets: int = 0
    customers: int = 0


def database_is_empty() -> bool:
    """True on a fresh database: the demo never adds to data someone already has."""
    return not (Customer.objects.exists() or Ticket.objects.exists())


def demo_logins() -> list[tuple[str, str]]:
    return [
        ("Contact (Horlogerie Lémanique, fr)", "anne.dubois"),
        ("Customer admin (Horlogerie Lémanique)", "pierre.favre"),
        ("Contact (Berner Präzisionsteile, de)", "hans.mueller"),
        ("Level-1 agent", "sophie.martin"),
        ("Consultant", "giulia.rossi"),
        ("R&D engineer", "ravi.nair"),
        ("Manager", "claire.dubois"),
        ("Administrator (Django admin)", "admin"),
    ]


def load_demo(*, today: dt.date | None = None, scale: float = 1.0) -> DemoSummary:
    """Fill an empty database with the demo desk. `scale` multiplies the ticket counts."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        make_product()
        for english, (fr, de, it) in MODULE_NAMES.items():
            Module.objects.filter(name=english).update(name_fr=fr, name_de=de, name_it=it)
        staff = {
            u: make_user(u, role, language=lang, password=None, first_name=f, last_name=last)
            for u, role, lang, f, last in STAFF
        }
        manager = staff["claire.dubois"]
        make_workspace(staff)
        rnd = make_defects(staff["ravi.nair"], make_product())
        builder = TicketBuilder(rng=rng, today=today, staff=staff, rnd=rnd)
        milestones = []
        for spec in CUSTOMERS:
            customer, contract, change = _make_customer(spec, manager, today)
            contacts = _make_contacts(spec, customer)
            customizations = [
                _make_customization(spec, customer, manager, row, today, i)
                for i, row in enumerate(spec.customizations)
            ]
            builder.add_customer(
                customer,
                contacts,
                customizations,
                spec.contract,
                contract_end=contract.end if contract else None,
                change_day=change[0] if change else None,
                count=max(1, round(spec.tickets * scale)),
            )
            if change:
                milestones.append((change[0], contract, change[1]))
        builder.build(
            milestones,
            lambda contract, state: do_update_contract(contract, acting_user=manager, state=state),
        )
        builder.release_patch()
        builder.backdate()
        # One hash for every demo user: each costs ~0.3 s (PBKDF2), the whole load < 30 s.
        demo_users = [u for u, *_ in STAFF] + [c[0] for spec in CUSTOMERS for c in spec.contacts]
        User.objects.filter(username__in=demo_users).update(password=make_password(DEMO_PASSWORD))
    summary = DemoSummary(
        logins=demo_logins(), tickets=Ticket.objects.count(), customers=Customer.objects.count()
    )
    return summary


def _contract_dates(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    first_of_month = today.replace(day=1)
    if kind == "expired":
        return today - dt.timedelta(days=400), first_of_month - dt.timedelta(days=1)
    if kind == "not_started":
        next_month = (first_of_month + dt.timedelta(days=32)).replace(day=1)
        return next_month, next_month.replace(year=next_month.year + 1) - dt.timedelta(days=1)
    return today - dt.timedelta(days=400), today + dt.timedelta(days=330)


def _make_customer(
    spec: CustomerSpec, manager: User, today: dt.date
) -> tuple[Customer, Contract | None, tuple[dt.date, str] | None]:
    customer = do_create_customer(
        acting_user=manager,
        code=spec.code,
        name=spec.name,
        language=spec.language,
        email_domain=spec.domain,
        account_manager=manager,
        default_visibility="shared" if spec.language == "de" else "private",
        **dict(zip(ADDRESS_FIELDS, ADDRESSES[spec.code], strict=True)),
    )
    version = ProductVersion.objects.get(number="11.3.1" if spec.language != "it" else "11.3.0")
    Installation.objects.create(
        customer=customer, version=version, installed_on=today - dt.timedelta(days=50)
    )
    if spec.contract == "none":
        return customer, None, None
    start, end = _contract_dates(spec.contract, today)
    contract = do_create_contract(
        acting_user=manager,
        customer=customer,
        reference=f"MC-{start.year}-{CUSTOMERS.index(spec) + 101:04d}",
        state="active",
        start=start,
        end=end,
        hourly_rate=Decimal(spec.rate),
        prepaid_hours=Decimal(spec.prepaid),
        tier="premium" if Decimal(spec.rate) > 200 else "standard",
        modules=list(Module.objects.all()),
    )
    # Suspension and termination happen during the demo's history: tickets before that
    # day were accepted, attempts after it are refused.
    change = {
        "suspended": (today - dt.timedelta(days=20), "suspended"),
        "terminated": (today - dt.timedelta(days=45), "terminated"),
    }.get(spec.contract)
    return customer, contract, change


def _make_contacts(spec: CustomerSpec, customer: Customer) -> list[User]:
    contacts = []
    for i, (username, first, last) in enumerate(spec.contacts):
        user = make_user(
            username,
            customer=customer,
            language=spec.language,
            customer_admin=i == 1,
            password=None,
            first_name=first,
            last_name=last,
        )
        user.email = f"{username}@{spec.domain}"
        user.save(update_fields=["email"])
        contacts.append(user)
    return contacts


def _make_customization(
    spec: CustomerSpec,
    customer: Customer,
    manager: User,
    row: tuple[str, str, str, str],
    today: dt.date,
    index: int,
) -> Customization:
    module_name, obj, built_by, author = row
    built_on = today - dt.timedelta(days=300 - 40 * index)
    authorized = built_by == "customer_authorized"
    return do_create_customization(
        acting_user=manager,
        customer=customer,
        module=Module.objects.get(name=module_name),
        object=obj,
        built_by=built_by,
        author=author,
        built_on=built_on,
        authorization_reference=f"AUT-{built_on.year}-{spec.code[:3].upper()}{index}"
        if authorized
        else "",
        authorization_date=built_on - dt.timedelta(days=14) if authorized else None,
        description=f"{obj}, built by {author} for {spec.name}.",
    )
