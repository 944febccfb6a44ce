"""Drop the single-column indexes of foreign keys that a composite index already starts with
(e.g. tickets_ticket.customer_id is served by ticket_customer_id (customer_id, id DESC)).

Every insert writes each index of its table: tickets_ticket had 19. Only the indexes go;
Django would rebuild whole tables on SQLite and re-validate every foreign key on PostgreSQL
for an AlterField, so the database side is a plain DROP INDEX of each one found.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SERVED = [
    ("tickets_ticket", "customer_id"),
    ("tickets_ticket", "contact_id"),
    ("tickets_ticket", "module_id"),
    ("tickets_ticket", "assignee_id"),
    ("tickets_decision", "ticket_id"),
    ("tickets_message", "ticket_id"),
    ("tickets_attachment", "ticket_id"),
    ("tickets_ticketevent", "ticket_id"),
    ("tickets_ticketfollower", "ticket_id"),
]


def _single_column_indexes(schema_editor, table, column):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    ]


def drop_indexes(apps, schema_editor):
    for table, column in SERVED:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    for table, column in SERVED:
        if not _single_column_indexes(schema_editor, table, column):
            name = schema_editor._create_index_name(table, [column])
            q = schema_editor.quote_name
            schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)})")


def _without_index(model_name, name, to, on_delete, **options):
    return migrations.AlterField(
        model_name=model_name,
        name=name,
        field=models.ForeignKey(db_index=False, on_delete=on_delete, to=to, **options),
    )


CASCADE, PROTECT, SET_NULL = (
    django.db.models.deletion.CASCADE,
    django.db.models.deletion.PROTECT,
    django.db.models.deletion.SET_NULL,
)
USER = settings.AUTH_USER_MODEL
OPTIONAL = {"blank": True, "null": True}


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("tickets", "0008_events_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                *[
                    _without_index(model, "ticket", "tickets.ticket", CASCADE, related_name=name)
                    for model, name in [
                        ("attachment", "attachments"),
                        ("decision", "decisions"),
                        ("message", "messages"),
                        ("ticketevent", "events"),
                        ("ticketfollower", "followers"),
                    ]
                ],
                _without_index(
                    "ticket",
                    "assignee",
                    USER,
                    SET_NULL,
                    related_name="assigned_tickets",
                    **OPTIONAL,
                ),
                _without_index(
                    "ticket", "contact", USER, PROTECT, related_name="requested_tickets", **OPTIONAL
                ),
                _without_index(
                    "ticket", "customer", "customers.customer", PROTECT, related_name="tickets"
                ),
                _without_index(
                    "ticket", "module", "customers.module", PROTECT, related_name="+", **OPTIONAL
                ),
            ],
        ),
    ]
