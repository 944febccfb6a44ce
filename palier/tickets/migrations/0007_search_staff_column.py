"""One tsvector column for staff search (PostgreSQL only).

Staff matched `public @@ q OR internal @@ q`. The planner's estimate for a prefix on
`internal` is off (a constant 2% of rows at 100k tickets), so for a rare word it walked the
primary key backwards over every ticket instead of reading the GIN index: 47 ms instead of
0.2 ms. `staff` holds public || internal, and one column has one estimate. It is a
generated column: PostgreSQL keeps it equal to public || internal whoever writes the row
(also code of the release before, between `migrate` and the restart). No query reads
`internal` alone any more, so its index goes.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE ticket_search ADD COLUMN staff tsvector"
    " GENERATED ALWAYS AS (public || internal) STORED",
    "CREATE INDEX ticket_search_staff ON ticket_search USING gin (staff) WITH (fastupdate = off)",
    "DROP INDEX ticket_search_internal",
]
BACKWARD = [
    "CREATE INDEX ticket_search_internal ON ticket_search USING gin (internal)"
    " WITH (fastupdate = off)",
    "DROP INDEX ticket_search_staff",
    "ALTER TABLE ticket_search DROP COLUMN staff",
]


def run(statements: list[str]):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_reason_codes_of_the_policy_only")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
