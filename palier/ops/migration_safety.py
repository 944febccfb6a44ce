"""Which migration operations would lock or rewrite a big table on PostgreSQL.

Upgrades run `palier migrate` while the desk keeps serving (or with a short pause): an
operation that rewrites a table of a million tickets, or holds its write lock while an index
is built, stops the desk for minutes. `findings()` lists such operations; the test
`ops/tests/test_migration_safety.py` fails on any in a migration newer than those reviewed
(docs/configuration.md, "Upgrades").

Safe on big tables: a nullable column, or one with a constant default (PostgreSQL 11+ stores
the default, no rewrite); dropping a column; an index built with `AddIndexConcurrently` in a
non-atomic migration; a constraint added `NOT VALID` then validated separately (RunSQL marked
as reviewed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations, models
from django.db.migrations.migration import Migration

# Tables that grow with the desk (a row per ticket or more).
BIG_TABLES = frozenset(
    {
        "tickets_ticket",
        "tickets_message",
        "tickets_ticketevent",
        "tickets_decision",
        "tickets_attachment",
        "tickets_ticketfollower",
        "ticket_search",
        "sla_ticketclock",
        "mailgateway_rawmessage",
        "mailgateway_outboundmessage",
        "mailgateway_deliveryattempt",
        "billing_timeentry",
        "audit_auditentry",
        "django_tasks_db_dbtaskresult",
    }
)
# A RunSQL or RunPython on a big table whose migration says this was reviewed for locks.
REVIEWED = "palier: lock-reviewed"


@dataclass(frozen=True)
class Finding:
    migration: str
    operation: str
    table: str
    why: str

    def __str__(self) -> str:
        return f"{self.migration}: {self.operation} on {self.table}: {self.why}"


def _table(app_label: str, model_name: str, apps) -> str | None:
    try:
        return apps.get_model(app_label, model_name)._meta.db_table
    except LookupError:
        return None


def findings(migration: Migration, apps, source: str = "") -> list[Finding]:
    """The risky operations of one migration (`apps`: the project state before it)."""
    from django.contrib.postgres.operations import AddIndexConcurrently

    found = []
    name = f"{migration.app_label}.{migration.name}"
    for op in migration.operations:
        model = getattr(op, "model_name", None)
        table = _table(migration.app_label, model, apps) if model else None
        raw = getattr(op, "sql", "") or ""
        sql = raw if isinstance(raw, str) else " ".join(str(s) for s in raw)
        label = type(op).__name__
        if isinstance(op, migrations.RunSQL | migrations.RunPython):
            text = sql if isinstance(op, migrations.RunSQL) else ""
            touched = [t for t in BIG_TABLES if t in text or t in source]
            if touched and REVIEWED not in source:
                found.append(Finding(name, label, touched[0], f"say '# {REVIEWED}' once checked"))
            continue
        if table not in BIG_TABLES:
            continue
        if isinstance(op, AddIndexConcurrently):
            continue
        if isinstance(op, migrations.AddIndex | migrations.AddConstraint):
            found.append(
                Finding(
                    name,
                    label,
                    table,
                    "holds the table's write lock while it builds (AddIndexConcurrently in a "
                    "migration with atomic = False)",
                )
            )
        elif isinstance(op, migrations.AlterField) and not _alters_the_column(op, migration, apps):
            continue
        elif isinstance(op, migrations.AlterField | migrations.AlterUniqueTogether):
            found.append(Finding(name, label, table, "may rewrite or re-validate the whole table"))
        elif isinstance(op, migrations.AddField):
            field = op.field
            if isinstance(field, models.ForeignKey):
                found.append(
                    Finding(name, label, table, "a foreign key validates every row and indexes")
                )
            elif field.unique or field.db_index:
                found.append(Finding(name, label, table, "builds an index under the write lock"))
            elif not field.null and field.has_default() and callable(field.default):
                found.append(
                    Finding(name, label, table, "a callable default is written into every row")
                )
    return found


def _alters_the_column(op: migrations.AlterField, migration: Migration, apps) -> bool:
    """Whether an AlterField changes the database at all: choices, labels, help texts and
    validators live in Python only, and Django's schema editor emits no SQL for them."""
    from django.db import connection

    try:
        old = apps.get_model(migration.app_label, op.model_name)._meta.get_field(op.name)
    except LookupError:
        return True
    new = op.field.clone()
    new.set_attributes_from_name(op.name)
    new.model = old.model
    return connection.schema_editor()._field_should_be_altered(old, new)


def project_findings(reviewed: set[str]) -> list[Finding]:
    """Findings of every migration on disk that is not in `reviewed` ("app.name")."""
    import inspect

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    out = []
    for key in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(key):
            label = f"{node[0]}.{node[1]}"
            if label in reviewed or node[0] not in _own_apps():
                continue
            migration = loader.graph.nodes[node]
            state = loader.project_state(node, at_end=False)
            source = inspect.getsource(inspect.getmodule(migration))
            out.extend(findings(migration, state.apps, source))
    return sorted(set(out), key=str)


def _own_apps() -> set[str]:
    from django.apps import apps

    return {c.label for c in apps.get_app_configs() if c.name.startswith("palier.")}
