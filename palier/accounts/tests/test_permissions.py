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


def test_docs_security_shows_the_table_as_it_is():
    from pathlib import Path

    from palier.accounts.permissions import markdown_table

    doc = (Path(__file__).resolve().parents[3] / "docs" / "security.md").read_text()
    start = doc.index("<!-- permission-table")
    start = doc.index("-->", start) + len("-->\n")
    end = doc.index("<!-- /permission-table -->")
    assert doc[start:end] == markdown_table(), (
        "docs/security.md's table differs from accounts/permissions.py: paste "
        "markdown_table()'s output between the permission-table markers"
    )


def test_a_customer_admin_is_a_column_of_its_own(world):
    from palier.accounts.permissions import CUSTOMER_ADMIN, column_of

    assert column_of(world.admin_a) == CUSTOMER_ADMIN
    assert column_of(world.contact_a) == "contact"
    assert allowed(world.admin_a, Permission.ESTIMATE_ANSWER)
    assert not allowed(world.admin_a, Permission.CUSTOMER_WRITE)


@pytest.mark.parametrize("permission", list(Permission))
def test_the_french_refusal_reads_right_before_every_action(world, permission):
    """ "ne permet pas de importer": French elides "de" before a vowel, so the sentence
    takes a preposition that never changes."""
    from django.utils import translation

    user = world.manager
    user.is_active = False  # may do nothing: every action's refusal
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        check_allowed(user, permission)
    message = refused.value.message
    assert message.startswith("Votre rôle ne vous autorise pas à ")
    assert " de i" not in message and " de o" not in message and " de é" not in message
