from django.db import migrations, models

from palier.lib.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    # An index of a big table, built without its write lock on PostgreSQL.
    atomic = False

    dependencies = [
        ("tickets", "0013_search_lexicon"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "awaiting_consent",
                            "in_progress",
                            "new",
                            "patch_available",
                            "waiting_customer",
                            "waiting_patch",
                            "with_rnd",
                        ],
                    )
                ),
                fields=["status", "created_at"],
                include=["customer", "module", "assignee", "level"],
                name="ticket_open",
            ),
        ),
    ]
