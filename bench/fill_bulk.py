"""The bulk fill: the rows `do_open_ticket` and bench/fill.py's conversations write, built in
Python and written with COPY (PostgreSQL) or executemany (SQLite).

    .venv/bin/python bench/fill.py --db postgres --tickets 1000000 --bulk --set 1m-ops

The requests come from the same seeded plan as the actions' fill (`plan_batch`,
`plan_conversations`, each batch drawn from its own stream, `batch_rng`); each ticket,
decision and event is built here as the action builds it (the policy decides with the same
`request_facts` and `decide`; the contract's facts are read once per customer instead of
once per ticket) and written as Django would insert it (each field's `pre_save` and
`get_db_prep_save`). Ids come from the tables' sequences, as
`lib.rows.next_id` takes them. `palier/ops/tests/test_fill_bulk.py` fills a small set both
ways and compares every row of the tables, timestamps aside.

Building the rows is Python's work (~0.55 ms a ticket; PostgreSQL's side is lighter), so
`jobs` processes write batches side by side: they are forked once the world is made, each
batch drawn from its own stream, so the rows are those of one process, ids aside (each
batch takes its ids from the sequences when it is written, so the processes' ids
interleave).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from bench.env import process_cpu_ms
from bench.fill import batch_rng, plan_batch, plan_conversations, progress


def allocate_ids(model, count: int) -> list[int]:
    """Take `count` ids of `model`'s table, as `lib.rows.next_id` takes one."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)", [table]
        )
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + 1 + count))


def write_rows(model, objects: list) -> None:
    """Insert model instances (ids set) as Django's INSERT would store them."""
    if not objects:
        return
    fields = model._meta.concrete_fields
    columns = [f.column for f in fields]
    # The connection itself, not django.db.connection: each field's preparation reads its
    # attributes several times, and through the proxy that was a fifth of the fill's time.
    conn = connections[DEFAULT_DB_ALIAS]
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, add=True), conn) for f in fields)
        for obj in objects
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def write_search_rows(texts: dict[int, tuple[list[str], list[str]]]) -> None:
    """The final search row of each ticket, as `search.index_ticket` writes it."""
    from palier.lib.text import fold

    ids = list(texts)
    public = [fold(" ".join(texts[i][0])) for i in ids]
    internal = [fold(" ".join(texts[i][1])) for i in ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from palier.tickets.search import pg_words

            public, internal = [pg_words(t) for t in public], [pg_words(t) for t in internal]
            cursor.execute(
                "INSERT INTO ticket_search (ticket_id, public, internal) "
                "SELECT id, to_tsvector('simple', p), to_tsvector('simple', i) "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, p, i)",
                [ids, public, internal],
            )
        else:
            cursor.executemany(
                "INSERT INTO ticket_search (rowid, public, internal) VALUES (%s, %s, %s)",
                list(zip(ids, public, internal, strict=True)),
            )


class Opener:
    """Builds what `do_open_ticket` stores, for requests of the fill's plan."""

    def __init__(self) -> None:
        self.contracts: dict[tuple[int, object], object] = {}
        self.decisions: dict[tuple, tuple] = {}

    def decide(self, plan: dict, today) -> tuple:
        """The policy's decision and its facts as stored. `decide` is a pure function of the
        request's facts, the contract's and the day: one run per distinct request (a few
        thousand at any size) instead of one per ticket."""
        from palier.policy import decide
        from palier.tickets.facts import contract_facts, request_facts

        customer, module, custom = plan["customer"], plan["module"], plan["customization"]
        key = (customer.pk, today, plan["request_type"], module.pk if module else None)
        key += (custom.pk if custom else None,)
        if key not in self.decisions:
            if key[:2] not in self.contracts:
                self.contracts[key[:2]] = contract_facts(customer, today)[1]
            facts = request_facts(plan["request_type"], module.name if module else "", custom)
            decision = decide(facts, self.contracts[key[:2]], today)
            self.decisions[key] = (decision, decision.as_dict()["facts"])
        return self.decisions[key]

    def build(self, plans: list[dict], now) -> tuple[list, list, list]:
        """(tickets, decisions, events), ids taken from the sequences in the actions' order."""
        from palier.tickets.actions import _check_request_fields
        from palier.tickets.models import Decision, Ticket, TicketEvent
        from palier.tickets.states import Status

        today = timezone.localdate(now)
        ticket_ids = allocate_ids(Ticket, len(plans))
        decision_ids = allocate_ids(Decision, len(plans))
        event_ids = allocate_ids(TicketEvent, len(plans))
        tickets, decisions, events = [], [], []
        for plan, tid, did, eid in zip(plans, ticket_ids, decision_ids, event_ids, strict=True):
            customer, contact = plan["customer"], plan["contact"]
            module = _check_request_fields(customer, plan["module"], plan["customization"], None)
            decision, facts = self.decide({**plan, "module": module}, today)
            ticket = Ticket(
                pk=tid,
                customer=customer,
                contact=contact,
                created_by=plan["acting_user"],
                channel=plan["channel"],
                language=plan["language"] or (contact.language if contact else customer.language),
                type=plan["request_type"],
                suggested_type="",
                module=module,
                customization=plan["customization"],
                product_version=None,
                criticality=plan["criticality"],
                subject=plan["subject"],
                description=plan["description"],
                visibility=customer.default_visibility,
                status=Status.NEW if decision.accepted else Status.REFUSED,
            )
            stored = Decision(
                pk=did,
                ticket=ticket,
                kind="intake",
                accepted=decision.accepted,
                level=decision.level,
                billable=decision.billable,
                rnd=decision.rnd,
                reason=decision.reason.value if decision.reason else "",
                refusal=decision.refusal.value if decision.refusal else "",
                refusal_date=decision.refusal_date,
                finding="",
                rules=list(decision.rules),
                facts=facts,
                note="",
                decided_by=None,
            )
            ticket.decision = stored
            ticket.level, ticket.billable, ticket.reason = (
                decision.level,
                decision.billable,
                stored.reason,
            )
            ticket.created_at = ticket.updated_at = now
            if ticket.status == Status.REFUSED:
                event = TicketEvent(
                    pk=eid,
                    ticket=ticket,
                    kind="refused",
                    actor=plan["acting_user"],
                    to_value=Status.REFUSED,
                    reason=decision.refusal.value if decision.refusal else "",
                )
            else:
                event = TicketEvent(
                    pk=eid,
                    ticket=ticket,
                    kind="created",
                    actor=plan["acting_user"],
                    to_value=Status.NEW,
                    data={
                        "channel": plan["channel"],
                        "reason": ticket.reason,
                        "level": ticket.level,
                    },
                )
            tickets.append(ticket)
            decisions.append(stored)
            events.append(event)
        return tickets, decisions, events


def write_batch(rng: random.Random, world: dict, count: int, opener: Opener) -> int:
    """One batch of the bulk fill, in one transaction; return the messages written."""
    from palier.tickets.models import Decision, Message, Ticket, TicketEvent

    plans = plan_batch(rng, world, count)
    now = timezone.now()
    with transaction.atomic():
        tickets, decisions, events = opener.build(plans, now)
        opened = [(t, p["language"]) for t, p in zip(tickets, plans, strict=True)]
        messages, texts, by_status = plan_conversations(rng, world, opened)
        status_of = {pk: status for status, pks in by_status.items() for pk in pks}
        for ticket in tickets:
            ticket.status = status_of.get(ticket.pk, ticket.status)
        for message, pk in zip(messages, allocate_ids(Message, len(messages)), strict=True):
            message.pk = message.id = pk
        # Decisions and tickets point at each other: both links are checked at commit.
        write_rows(Decision, decisions)
        write_rows(Ticket, tickets)
        write_rows(TicketEvent, events)
        write_rows(Message, messages)
        write_search_rows(texts)
    return len(messages)


def fill_bulk(seed: int, world: dict, tickets: int, batch: int, *, jobs: int = 1) -> int:
    """Write `tickets` in batches of `batch`, with `jobs` processes; return the messages."""
    starts = range(0, tickets, batch)
    tasks = [(seed, i, min(batch, tickets - start)) for i, start in enumerate(starts)]
    done, messages, started = 0, 0, time.monotonic()
    cpu: dict[int, tuple[float, float]] = {}  # a writer's pid: (its CPU ms, its backend's)
    if jobs == 1:
        _start_job(world)
        before = (time.process_time() * 1000, _backend_cpu_ms())
        results = map(_write_task, tasks)
    else:
        # The children open their own connections: none may be shared across the fork.
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(jobs, _start_job, (world,))
        results = pool.imap_unordered(_write_task, tasks)
        before = (0.0, 0.0)
    for written, count, pid, python_ms, backend_ms in results:
        messages += written
        done += count
        cpu[pid] = (python_ms - before[0], backend_ms - before[1])
        progress(done, tickets, messages, started)
    if jobs > 1:
        pool.close()
        pool.join()
    python, backend = (sum(c[i] for c in cpu.values()) / 1000 for i in (0, 1))
    print(f"\nCPU of the writers ({len(cpu)}): Python {python:.1f} s, PostgreSQL {backend:.1f} s")
    return messages


_JOB: dict = {}


def _start_job(world: dict) -> None:
    """A writer's state: the world (inherited by the fork, never pickled) and its Opener."""
    _JOB.update(world=world, opener=Opener())


def _write_task(task: tuple[int, int, int]) -> tuple[int, int, int, float, float]:
    """Write one batch; return its messages and count and the writer's CPU so far."""
    seed, index, count = task
    written = write_batch(batch_rng(seed, index), _JOB["world"], count, _JOB["opener"])
    return written, count, os.getpid(), time.process_time() * 1000, _backend_cpu_ms()


def _backend_cpu_ms() -> float:
    """CPU ms of this process's PostgreSQL backend (the server runs on this machine)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return process_cpu_ms(cursor.fetchone()[0])


def table_rows(model, exclude: Iterable[str] = ()) -> list[tuple]:
    """Every row of a table (ordered by id), without the named columns: for comparisons."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in set(exclude)]
    return list(model.objects.order_by("pk").values_list(*fields))
