"""Neither the ORM nor plain SQL changes or deletes an audit entry: the database refuses."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from palier.audit.db import purge_allowed
from palier.audit.log import record_change, snapshot
from palier.audit.models import AppendOnly, AuditEntry


@pytest.fixture
def entry(world):
    return record_change(
        "customer.update",
        world.customer_a,
        acting_user=world.manager,
        before={"name": "Alpenkäse"},
        after=snapshot(world.customer_a, ["name"]),
    )


def test_querysets_refuse_to_update_or_delete_entries(entry):
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="customer.delete")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.bulk_update([entry], ["action"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'customer.delete'",
        "UPDATE audit_auditentry SET after = NULL WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(entry, sql):
    params = [entry.pk] if "%s" in sql else []
    with (
        purge_allowed(False),
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert "append-only" in str(refused.value)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.after) == ("customer.update", {"name": "Alpenkäse AG"})


def test_new_entries_are_still_appended(entry, world):
    with purge_allowed(False):
        record_change("customer.create", world.customer_b, acting_user=world.manager, after={})
    assert AuditEntry.objects.count() == 2
