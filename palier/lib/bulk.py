"""Bulk inserts that keep every value as given (dates included) and take ids beforehand.

For imports of many rows: `Model.objects.bulk_create` would stamp `auto_now_add` fields with
the time of the import, and returns no ids on every backend before the rows exist; a row
that points at another inserted in the same batch (a ticket and its decision) needs the id
first. Call these inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models import Model


def take_ids(model: type[Model], count: int) -> list[int]:
    """`count` ids that rows of `model` inserted now may take (see lib.rows.next_id)."""
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("take_ids() runs inside the transaction that inserts the rows.")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite holds the write lock since BEGIN IMMEDIATE: nobody else takes these.
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f" COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


# Values of these fields go to the database as Python gives them (str, int, bool): calling
# each field's get_db_prep_save for them was a third of a bulk import's time.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.AutoField,
    models.ForeignKey,
)


def _converter(field):
    if isinstance(field, _AS_IS) and not isinstance(field, models.DecimalField):
        return None
    return field.get_db_prep_save


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (values in the order of `fields`, attribute names such as
    `customer_id`) as they are; returns how many."""
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    converters = [_converter(f) for f in columns]
    prepared = [
        [value if convert is None or value is None else convert(value, connection)
         for convert, value in zip(converters, row, strict=True)]
        for row in rows
    ]  # fmt: skip
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERTs, one row after the other.
            names = ", ".join(qn(f.column) for f in columns)
            with cursor.copy(f"COPY {qn(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, prepared)
    return len(prepared)
