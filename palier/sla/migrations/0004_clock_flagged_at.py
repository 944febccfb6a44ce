from django.db import migrations, models

from palier.lib.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    # A nullable column (no rewrite) and its index, built without the write lock on PostgreSQL.
    atomic = False

    dependencies = [
        ("sla", "0003_clock_next_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketclock",
            name="flagged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="ticketclock",
            index=models.Index(fields=["flagged_at"], name="clock_flagged"),
        ),
    ]
