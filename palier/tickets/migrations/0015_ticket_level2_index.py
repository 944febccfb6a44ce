from django.db import migrations, models

from palier.lib.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    # An index of a big table, built without its write lock on PostgreSQL.
    atomic = False

    dependencies = [
        ("tickets", "0014_ticket_open_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("level", 2)),
                fields=["id"],
                include=["customization", "customer", "module", "assignee"],
                name="ticket_level2",
            ),
        ),
    ]
