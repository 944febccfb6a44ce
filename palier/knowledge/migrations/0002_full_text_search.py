"""The articles' full-text index: an FTS5 table on SQLite, a GIN-indexed tsvector on
PostgreSQL (as tickets/migrations/0002 does for tickets)."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_search USING fts5("
    "document, tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS knowledge_search ("
    " translation_id bigint PRIMARY KEY REFERENCES knowledge_articletranslation(id)"
    " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " document tsvector NOT NULL DEFAULT ''::tsvector)",
    "CREATE INDEX IF NOT EXISTS knowledge_search_document ON knowledge_search"
    " USING gin (document) WITH (fastupdate = off)",
]


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS knowledge_search")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles_versions_deflections")]
    operations = [migrations.RunPython(create, drop)]
