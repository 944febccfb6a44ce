"""Ticket events become the outbox of their side effects (palier.tickets.notifications).

Events written before are marked dispatched (their task ran, or ran and failed), except
those whose task is still queued: the outbox dispatches them, and the old task row, if it
runs first, goes through the same idempotent path.
"""

import json

from django.db import migrations, models
from django.utils import timezone

OLD_TASK = "palier.tickets.notifications.dispatch_ticket_event"


def mark_past_events(apps, schema_editor):
    connection = schema_editor.connection
    waiting: set[int] = set()
    if "django_tasks_database_dbtaskresult" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT args_kwargs FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = %s AND status IN ('READY', 'NEW', 'RUNNING')",
                [OLD_TASK],
            )
            for (raw,) in cursor.fetchall():
                args = (json.loads(raw) if isinstance(raw, str) else raw).get("args") or []
                if args:
                    waiting.add(int(args[0]))
    events = apps.get_model("tickets", "TicketEvent").objects.filter(dispatched_at__isnull=True)
    events.exclude(pk__in=waiting).update(dispatched_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_search_staff_column")]

    operations = [
        migrations.AddField(
            model_name="ticketevent",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("dispatched_at__isnull", True)),
                fields=["id"],
                name="event_undispatched",
            ),
        ),
        migrations.RunPython(mark_past_events, migrations.RunPython.noop),
    ]
