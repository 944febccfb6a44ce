"""Full-text GIN indexes without a pending list (PostgreSQL only).

With GIN's default `fastupdate`, new rows wait in an unsorted pending list (up to 4 MB) that
every search scans until a vacuum merges it: a rare word took 22 ms instead of 0.1 ms at 10k
tickets (docs/performance.md). Each ticket write updates the index directly instead.
"""

from django.db import migrations

INDEXES = ["ticket_search_public", "ticket_search_internal"]


def fast_update(on: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {'on' if on else 'off'})")
            if not on:  # merge what already waits in the list
                schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_full_text_search")]
    operations = [migrations.RunPython(fast_update(False), fast_update(True))]
