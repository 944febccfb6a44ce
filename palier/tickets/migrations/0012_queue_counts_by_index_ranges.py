# The bounded queue counts read each queue's own index range: the "to qualify" queue gets a
# partial index of unqualified tickets, and the covering index the old aggregate over every
# open ticket needed goes. Built concurrently on PostgreSQL (the desk keeps writing tickets
# while it builds); SQLite has no such thing and builds it as usual.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


def _plain(operation_class, ordinary):
    """`operation_class` (concurrent) on PostgreSQL, `ordinary` elsewhere."""

    class Portable(operation_class):
        def database_forwards(self, app_label, schema_editor, from_state, to_state):
            if schema_editor.connection.vendor == "postgresql":
                return super().database_forwards(app_label, schema_editor, from_state, to_state)
            return ordinary.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

        def database_backwards(self, app_label, schema_editor, from_state, to_state):
            if schema_editor.connection.vendor == "postgresql":
                return super().database_backwards(app_label, schema_editor, from_state, to_state)
            return ordinary.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )

    Portable.__name__ = operation_class.__name__
    return Portable


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0011_merge_dashboards_and_imports"),
    ]

    operations = [
        _plain(RemoveIndexConcurrently, migrations.RemoveIndex)(
            model_name="ticket",
            name="ticket_queue_counts",
        ),
        _plain(AddIndexConcurrently, migrations.AddIndex)(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("type__isnull", True)),
                fields=["status", "-id"],
                name="ticket_unqualified",
            ),
        ),
    ]
