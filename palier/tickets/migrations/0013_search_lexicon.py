"""The lexemes of the search index, for searches of several words (PostgreSQL only).

A search matches each word as a prefix (`facture:*`). For a prefix, GIN reads every
matching lexeme's posting list into a bitmap before it intersects them, so two words seldom
found together cost in proportion to the more frequent one: 9 ms at 100k tickets, 70 ms at
1M for `facture lieferschein`. With the prefixes spelled out as the lexemes they match
(`facture & (lieferschein | lieferscheins)`), GIN intersects the posting lists themselves,
skipping through the larger one: 0.4 ms and 3 ms (tickets/search.py).

`ticket_search_lexeme` holds every lexeme that any search row has held (never fewer: a
lexeme left by a deleted ticket only lengthens a query). Statement-level triggers on
`ticket_search` add the lexemes of the rows each statement writes, bulk fills and imports
included, in one ordered insert (the order keeps two concurrent writers from deadlocking
on new lexemes).

# palier: lock-reviewed. Non-atomic: the table and triggers are created in one short
# transaction (the triggers take ticket_search's SHARE ROW EXCLUSIVE lock for it, a
# moment); the existing rows' lexemes are then copied in batches of ticket ids, each its
# own transaction, reading ticket_search without blocking its writers. Rows written during
# the copy are caught by the triggers. 1M tickets: see docs/performance.md.
"""

from django.db import migrations, transaction

BATCH = 50_000

CREATE = [
    'CREATE TABLE ticket_search_lexeme (lexeme text COLLATE "C" PRIMARY KEY)',
    """
    CREATE FUNCTION ticket_search_add_lexemes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_search_lexeme (lexeme)
        SELECT DISTINCT lexeme FROM new_rows, unnest(tsvector_to_array(new_rows.staff)) AS lexeme
        ORDER BY lexeme
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER ticket_search_lexemes_insert AFTER INSERT ON ticket_search"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION ticket_search_add_lexemes()",
    "CREATE TRIGGER ticket_search_lexemes_update AFTER UPDATE ON ticket_search"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION ticket_search_add_lexemes()",
]
DROP = [
    "DROP TRIGGER ticket_search_lexemes_update ON ticket_search",
    "DROP TRIGGER ticket_search_lexemes_insert ON ticket_search",
    "DROP FUNCTION ticket_search_add_lexemes()",
    "DROP TABLE ticket_search_lexeme",
]


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with transaction.atomic():
        for sql in CREATE:
            schema_editor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(ticket_id), 0) FROM ticket_search")
        last = cursor.fetchone()[0]
    for start in range(0, last + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ticket_search_lexeme (lexeme) SELECT DISTINCT lexeme"
                " FROM ticket_search, unnest(tsvector_to_array(staff)) AS lexeme"
                " WHERE ticket_id > %s AND ticket_id <= %s ORDER BY lexeme"
                " ON CONFLICT DO NOTHING",
                [start, start + BATCH],
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0012_queue_counts_by_index_ranges")]
    operations = [migrations.RunPython(forward, backward)]
