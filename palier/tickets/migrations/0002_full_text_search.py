"""The full-text index: an FTS5 table on SQLite, a GIN-indexed tsvector table on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_search USING fts5("
    "public, internal, tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS ticket_search ("
    " ticket_id bigint PRIMARY KEY REFERENCES tickets_ticket(id) ON DELETE CASCADE"
    " DEFERRABLE INITIALLY DEFERRED,"
    " public tsvector NOT NULL DEFAULT ''::tsvector,"
    " internal tsvector NOT NULL DEFAULT ''::tsvector)",
    "CREATE INDEX IF NOT EXISTS ticket_search_public ON ticket_search USING gin (public)",
    "CREATE INDEX IF NOT EXISTS ticket_search_internal ON ticket_search USING gin (internal)",
]


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS ticket_search")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
