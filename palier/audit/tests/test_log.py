import pytest

from palier.audit.log import origin, record_change, snapshot
from palier.audit.models import AppendOnly, AuditEntry


@pytest.mark.django_db
def test_a_change_keeps_only_the_fields_that_differ_with_who_and_where(world):
    customer = world.customer_a
    before = snapshot(customer, ["name", "language"])
    customer.name = "Alpenkäse Holding AG"
    with origin("api", "192.0.2.7"):
        entry = record_change(
            "customer.update",
            customer,
            acting_user=world.manager,
            before=before,
            after=snapshot(customer, ["name", "language"]),
        )
    assert entry.before == {"name": "Alpenkäse AG"}
    assert entry.after == {"name": "Alpenkäse Holding AG"}
    assert (entry.actor, entry.channel, entry.address) == (world.manager, "api", "192.0.2.7")
    assert entry.object_type == "customers.customer"
    assert entry.object_id == str(customer.pk)


@pytest.mark.django_db
def test_a_change_that_changes_nothing_writes_no_row(world):
    same = snapshot(world.customer_a, ["name"])
    assert (
        record_change(
            "customer.update", world.customer_a, acting_user=world.manager, before=same, after=same
        )
        is None
    )
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_audit_entry_cannot_be_changed_or_deleted(world):
    entry = record_change(
        "customer.create",
        world.customer_a,
        acting_user=world.manager,
        after=snapshot(world.customer_a, ["name"]),
    )
    entry.action = "customer.delete"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    assert AuditEntry.objects.get().action == "customer.create"
