import pytest

from palier.accounts.permissions import TABLE, Permission, allowed, check_allowed
from palier.lib.errors import NotAllowed


@pytest.mark.django_db
def test_only_managers_change_contracts(world):
    assert allowed(world.manager, Permission.CONTRACT_WRITE)
    for user in (world.agent, world.consultant, world.rnd, world.contact_a, world.admin_a):
        assert not allowed(user, Permission.CONTRACT_WRITE)
    with pytest.raises(NotAllowed) as refused:
        check_allowed(world.agent, Permission.CONTRACT_WRITE)
    assert refused.value.details == {"permission": "contract.write"}


@pytest.mark.django_db
def test_a_deactivated_manager_may_do_nothing(world):
    world.manager.is_active = False
    assert not any(allowed(world.manager, p) for p in TABLE)


def test_every_permission_has_a_row():
    assert set(TABLE) == set(Permission)
