"""Fill a bench database with N tickets and their conversations.

    .venv/bin/python bench/fill.py --db sqlite --tickets 100000      # data set "100k"
    .venv/bin/python bench/fill.py --db postgres --tickets 10000     # data set "10k"

The database is dropped and migrated first (/tmp/palier-bench/<set>/palier.sqlite3, or the
PostgreSQL database palier_bench_<set>; <set> is --set, by default the size, e.g. 100k).
~200 customers with contracts (a few expired or
suspended, so some requests are refused), customizations of every kind, one or two contacts
each, staff of every role.

Tickets go through the real action, `palier.tickets.actions.do_open_ticket` (policy decision,
events, search row). Conversations are bulk-inserted (2-5 messages, about a quarter with an
internal note) and the search row of each ticket is then rewritten with
`palier.tickets.search.index_ticket`, with the same text the actions would have put there,
so the index stays consistent. Statuses are then spread over the lifecycle with one UPDATE
per batch (a desk at 100k tickets has most of them closed); this bypasses the transition
table on purpose, it only shapes the data the reads are measured on.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

# bench/http.py would shadow the standard library's `http`: run from the project root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.env import dataset_name, reset_database, settle_tables, setup_django  # noqa: E402

LANGS = ["fr", "de", "it", "en"]
SUBJECTS = {
    "fr": [
        "Erreur à l'impression du bon de livraison",
        "Comment extourner une facture comptabilisée ?",
        "La clôture mensuelle reste bloquée",
        "Ajouter une colonne zone de livraison dans la liste des commandes",
        "Formation des nouveaux comptables à la clôture",
        "Le calcul de la TVA est faux sur les avoirs",
        "Impossible de valider la commande fournisseur",
        "Le stock disponible ne correspond pas à l'inventaire",
    ],
    "de": [
        "Fehler beim Drucken des Lieferscheins",
        "Wie storniere ich eine gebuchte Rechnung?",
        "Der Monatsabschluss bleibt hängen",
        "Spalte Lieferzone in der Auftragsliste hinzufügen",
        "Schulung der neuen Buchhalter für den Jahresabschluss",
        "Die Mehrwertsteuer ist bei Gutschriften falsch berechnet",
        "Bestellung beim Lieferanten kann nicht freigegeben werden",
        "Lagerbestand stimmt nicht mit der Inventur überein",
    ],
    "it": [
        "Errore nella stampa della bolla di consegna",
        "Come stornare una fattura contabilizzata?",
        "La chiusura mensile rimane bloccata",
        "Aggiungere una colonna zona di consegna all'elenco ordini",
        "Formazione dei nuovi contabili sulla chiusura",
        "L'IVA è calcolata male sulle note di credito",
        "Impossibile confermare l'ordine al fornitore",
        "La giacenza non corrisponde all'inventario",
    ],
    "en": [
        "Printing the delivery note fails",
        "How do I reverse a posted invoice?",
        "Month-end closing hangs",
        "Add a delivery zone column to the order list",
        "Train our new accountants on year-end closing",
        "VAT is computed wrongly on credit notes",
        "Cannot release the purchase order",
        "Stock on hand does not match the inventory count",
    ],
}
SENTENCES = {
    "fr": [
        "Depuis la mise à jour, l'écran affiche le message d'erreur {code}.",
        "Nous avons essayé de relancer le traitement sans succès.",
        "Le problème concerne environ {n} documents du client {word}.",
        "Pouvez-vous nous rappeler rapidement, la production attend.",
        "Merci de votre aide, cordialement.",
        "La facture {code} ne peut plus être modifiée.",
    ],
    "de": [
        "Seit dem Update erscheint die Fehlermeldung {code}.",
        "Wir haben die Verarbeitung erneut gestartet, leider ohne Erfolg.",
        "Betroffen sind etwa {n} Belege des Kunden {word}.",
        "Bitte rufen Sie uns zurück, die Produktion wartet.",
        "Vielen Dank für Ihre Hilfe, freundliche Grüsse.",
        "Die Rechnung {code} lässt sich nicht mehr ändern.",
    ],
    "it": [
        "Dopo l'aggiornamento appare il messaggio di errore {code}.",
        "Abbiamo riavviato l'elaborazione senza successo.",
        "Il problema riguarda circa {n} documenti del cliente {word}.",
        "Potete richiamarci presto, la produzione è ferma.",
        "Grazie per l'aiuto, cordiali saluti.",
        "La fattura {code} non si può più modificare.",
    ],
    "en": [
        "Since the update the screen shows error {code}.",
        "We restarted the job without success.",
        "About {n} documents of customer {word} are affected.",
        "Please call us back soon, production is waiting.",
        "Thanks for your help, kind regards.",
        "Invoice {code} can no longer be changed.",
    ],
}
NOTES = [
    "Reproduced on 11.3.1; looks like the custom report of this customer.",
    "Customer IT changed the posting template themselves, see remote session.",
    "Known issue in the standard, R&D ticket to be linked.",
    "Called back, waiting for the log files.",
]
RARE = ["Zollamt", "Ticino", "Lavaux", "Matterhorn", "Rheinfall", "Gruyère", "Engadin", "Léman"]
# The shape of a desk with history: most tickets are closed.
STATUS_MIX = [
    ("closed", 55),
    ("resolved", 10),
    ("new", 12),
    ("in_progress", 10),
    ("waiting_customer", 6),
    ("with_rnd", 3),
    ("waiting_patch", 2),
    ("awaiting_consent", 2),
]


def sentence(rng: random.Random, lang: str) -> str:
    return rng.choice(SENTENCES[lang]).format(
        code=f"E{rng.randint(1000, 9999)}", n=rng.randint(2, 400), word=rng.choice(RARE)
    )


def make_world(rng: random.Random, customers: int) -> dict:
    """Customers, contracts, customizations, contacts and staff, through the factories."""
    from palier.accounts.models import Role
    from palier.testing.factories import make_customer, make_customization, make_user

    staff = {
        role: make_user(f"bench.{role}", role)
        for role in (Role.AGENT, Role.CONSULTANT, Role.RND, Role.MANAGER, Role.ADMIN)
    }
    world: list[dict] = []
    for i in range(customers):
        lang = LANGS[i % 4]
        state, end_days = "active", 165
        if i % 25 == 7:
            end_days = -10  # expired
        elif i % 25 == 13:
            state = "suspended"
        customer = make_customer(f"cust-{i:03d}", language=lang, state=state, end_days=end_days)
        contacts = [
            make_user(
                f"contact.{i:03d}.{k}", customer=customer, language=lang, customer_admin=k == 0
            )
            for k in range(2)
        ]
        customs = [
            make_customization(customer, module, f"Object {module} {j}", built_by)
            for j, (module, built_by) in enumerate(
                [
                    ("Sales", "vendor"),
                    ("Finance", "customer_authorized"),
                    ("Logistics", "customer_unauthorized"),
                ]
            )
            if rng.random() < 0.6
        ]
        world.append({"customer": customer, "contacts": contacts, "customs": customs, "lang": lang})
    return {"staff": staff, "customers": world}


def batch_rng(seed: int, index: int) -> random.Random:
    """Batch `index`'s own random stream: both fills draw a batch's requests, conversations
    and statuses from it, so a batch's rows do not depend on which process writes it, nor on
    how many do (bench/fill_bulk.py's --jobs)."""
    return random.Random(f"{seed}-{index}")


def plan_batch(rng: random.Random, world: dict, count: int) -> list[dict]:
    """The next `count` requests, as keyword arguments of `do_open_ticket`. Both fills (the
    actions here, COPY in bench/fill_bulk.py) draw them from the same stream (`batch_rng`)."""
    from palier.customers.models import Module

    modules = list(Module.objects.all())  # ordered by name
    plans = []
    for _ in range(count):
        entry = rng.choice(world["customers"])
        lang = entry["lang"]
        custom = rng.choice(entry["customs"]) if entry["customs"] and rng.random() < 0.3 else None
        phone = rng.random() < 0.1
        plans.append(
            {
                "acting_user": world["staff"]["agent"] if phone else entry["contacts"][0],
                "customer": entry["customer"],
                "contact": rng.choice(entry["contacts"]),
                "request_type": rng.choice(["usage", "malfunction", "feature", "training"]),
                "subject": rng.choice(SUBJECTS[lang]),
                "description": " ".join(sentence(rng, lang) for _ in range(rng.randint(2, 4))),
                "module": custom.module if custom else rng.choice(modules),
                "customization": custom,
                "criticality": rng.choice(["low", "medium", "medium", "high", "critical"]),
                "channel": "phone" if phone else "portal",
                "language": lang,
            }
        )
    return plans


def open_batch(rng: random.Random, world: dict, count: int) -> list[tuple]:
    """Open `count` tickets through the action; return (ticket, lang) pairs."""
    from palier.tickets.actions import do_open_ticket

    return [(do_open_ticket(**plan), plan["language"]) for plan in plan_batch(rng, world, count)]


def plan_conversations(rng: random.Random, world: dict, opened: list[tuple]) -> tuple:
    """Messages (unsaved), each ticket's search text (public, internal) and the status each
    ticket ends in, drawn from `rng` in the same order by both fills."""
    from palier.tickets.models import Message

    agent = world["staff"]["agent"]
    messages: list[Message] = []
    texts: dict[int, tuple[list[str], list[str]]] = {}
    for ticket, lang in opened:
        public = [f"{ticket.subject}\n{ticket.description}\n{ticket.reference}"]
        internal: list[str] = []
        for k in range(rng.randint(2, 5)):
            note = k > 0 and rng.random() < 0.12
            body = rng.choice(NOTES) if note else sentence(rng, lang)
            from_customer = not note and k % 2 == 0
            messages.append(
                Message(
                    ticket=ticket,
                    author=ticket.contact if from_customer else agent,
                    body=body,
                    internal=note,
                    from_customer=from_customer,
                    channel="portal",
                )
            )
            (internal if note else public).append(body)
        texts[ticket.pk] = (public, internal)
    statuses = [s for s, _ in STATUS_MIX]
    weights = [w for _, w in STATUS_MIX]
    by_status: dict[str, list[int]] = {}
    for ticket, _lang in opened:
        if ticket.status != "refused":
            by_status.setdefault(rng.choices(statuses, weights)[0], []).append(ticket.pk)
    return messages, texts, by_status


def converse_batch(rng: random.Random, world: dict, opened: list[tuple]) -> int:
    """Bulk-insert conversations, rewrite the search rows, spread the statuses."""
    from palier.tickets.models import Message, Ticket
    from palier.tickets.search import index_ticket

    messages, texts, by_status = plan_conversations(rng, world, opened)
    Message.objects.bulk_create(messages, batch_size=500)
    for pk, (public, internal) in texts.items():
        index_ticket(pk, " ".join(public), " ".join(internal))
    for status, pks in by_status.items():
        Ticket.objects.filter(pk__in=pks).update(status=status)
    return len(messages)


def fill_with_actions(seed: int, world: dict, tickets: int, batch: int) -> int:
    """Open `tickets` through the actions, `batch` to a transaction; return the messages."""
    from django.db import transaction

    done, messages, started = 0, 0, time.monotonic()
    while done < tickets:
        count = min(batch, tickets - done)
        rng = batch_rng(seed, done // batch)
        # One transaction per batch: the actions nest in it (savepoints), commits stay few.
        with transaction.atomic():
            opened = open_batch(rng, world, count)
            messages += converse_batch(rng, world, opened)
        done += count
        progress(done, tickets, messages, started)
    return messages


def progress(done: int, total: int, messages: int, started: float) -> None:
    rate = done / max(time.monotonic() - started, 1e-9)
    print(f"\r{done}/{total} tickets, {messages} messages, {rate:.0f}/s", end="", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument(
        "--batch",
        type=int,
        help="tickets a transaction (default 500; with --bulk, a batch: default 5000)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--set", dest="dataset", help="data set name (default: 10k, 100k, ...)")
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="write the same rows as the actions with COPY (bench/fill_bulk.py): ~20x faster",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="processes writing batches with --bulk (default: 2 on PostgreSQL, 1 on SQLite)",
    )
    args = parser.parse_args()
    dataset = args.dataset or dataset_name(args.tickets)
    jobs = args.jobs or (2 if args.bulk and args.db == "postgres" else 1)
    if jobs < 1 or (jobs > 1 and (not args.bulk or args.db != "postgres")):
        parser.error("--jobs above 1 needs --bulk and --db postgres")

    reset_database(args.db, dataset)
    setup_django(args.db, dataset)
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    # Bench users sign in with API tokens only: a fast hasher spares minutes of PBKDF2.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with transaction.atomic(), fast:
        world = make_world(rng, args.customers)
    started = time.monotonic()
    if args.bulk:
        from bench.fill_bulk import fill_bulk

        messages = fill_bulk(args.seed, world, args.tickets, args.batch or 5000, jobs=jobs)
    else:
        messages = fill_with_actions(args.seed, world, args.tickets, args.batch or 500)
    print()
    # A filled desk's events are history: a worker started on the set must not mail them.
    from django.utils import timezone

    from palier.tickets.models import TicketEvent

    TicketEvent.objects.filter(dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    settle_tables()
    print(f"filled {args.db} {dataset} ({messages} messages) in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
