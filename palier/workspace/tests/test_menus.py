"""The workspace's menus are kept per menu stamp, and the stamp changes with what they print,
whatever wrote it (workspace.menus, migration workspace 0003)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from palier.accounts.models import Role, User
from palier.customers.models import Customer, Module
from palier.testing.factories import make_user
from palier.workspace import menus as menus_module
from palier.workspace.menus import STAMP_SQL, current_menus, menu_order, menus_for, selected
from palier.workspace.models import MenuStamp, SavedView

HOME = "/desk/"


def _stamp() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + STAMP_SQL)
        return cursor.fetchone()[0]


def test_every_write_to_what_the_menus_print_changes_the_stamp(world):
    seen = [_stamp()]

    def changed() -> bool:
        seen.append(_stamp())
        return seen[-1] != seen[-2]

    Customer.objects.filter(pk=world.customer_a.pk).update(name="Alpenkäse Holding AG")
    assert changed()  # a bulk update, as the admin's actions and imports write
    Customer.objects.filter(pk=world.customer_a.pk).update(code="alpen-holding")
    assert changed()  # a search names a customer by its code
    Customer.objects.filter(pk=world.customer_a.pk).update(language="fr")
    assert not changed()  # a column no menu prints
    module = Module.objects.create(name="Menus", code="menus-test", product=_product())
    Module.objects.filter(pk=module.pk).update(name_fr="Logistique")
    assert changed()
    make_user("neu.agent", Role.AGENT)
    assert changed()
    User.objects.filter(pk=world.agent.pk).update(is_active=False)
    assert changed()
    User.objects.filter(pk=world.agent.pk).update(last_name="Muster")
    assert changed()
    make_user("neu.kontakt", customer=world.customer_a)
    assert not changed()  # contacts are in no menu
    User.objects.filter(pk=world.contact_a.pk).update(first_name="Anita")
    assert not changed()
    view = SavedView.objects.create(owner=world.agent, name="Mine", query="queue=open")
    assert changed()
    view.delete()
    assert changed()
    Customer.objects.create(name="Gone AG").delete()
    assert changed()
    assert None not in seen[1:]


def test_menus_are_read_again_only_when_their_stamp_changed(world, django_assert_num_queries):
    first = menus_for(_stamp())
    with django_assert_num_queries(0):
        assert menus_for(first.stamp) is first
    Customer.objects.create(name="Zebra GmbH")
    stamp = _stamp()
    with django_assert_num_queries(1):
        again = menus_for(stamp)
    assert again is not first
    assert "Zebra GmbH" in [name for _pk, name in again.customers]


def test_without_a_stamp_row_menus_are_read_every_time_and_kept_for_none(world):
    MenuStamp.objects.all().delete()
    assert _stamp() is None
    first = menus_for(None)
    assert first.stamp is None
    assert menus_for(None) is not first
    assert [name for _pk, name in first.customers] == sorted(
        Customer.objects.values_list("name", flat=True)
    )


def test_menus_print_names_escaped_in_the_readers_language_and_mark_the_chosen_one(world):
    Customer.objects.create(name='Müller & "Söhne" <AG>')
    Module.objects.create(name="Zoning", name_fr="Aménagement", code="zoning", product=_product())
    menus = current_menus()
    options = menus.options("customer", "de")
    assert "Müller &amp; &quot;Söhne&quot; &lt;AG&gt;" in options
    assert "<AG>" not in options
    assert ">Aménagement<" in menus.options("module", "fr")
    assert ">Zoning<" in menus.options("module", "en")
    pk = world.customer_b.pk
    assert f'<option value="{pk}" selected>' in selected(options, str(pk))
    assert selected(options, "999999") == options
    assert selected(options, '"><script>') == options
    assert " selected" not in selected(options, "")


def test_the_queue_page_shows_each_change_at_once(client, world):
    client.force_login(world.agent)
    client.get(HOME)
    Customer.objects.filter(pk=world.customer_b.pk).update(name="Bellevue Renamed SA")
    page = client.get(HOME).content.decode()
    assert "Bellevue Renamed SA" in page
    response = client.post("/desk/views/", {"name": "Urgent ones", "query": "criticality=high"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Urgent ones" in page
    make_user("zora.agent", Role.AGENT, first_name="Zora", last_name="Neu")
    assert "Zora Neu" in client.get(HOME).content.decode()


def test_a_colleagues_private_view_is_not_shown(client, world):
    SavedView.objects.create(owner=world.consultant, name="Marc's own", query="queue=open")
    SavedView.objects.create(owner=world.consultant, name="For all", query="q=x", shared=True)
    client.force_login(world.agent)
    page = client.get(HOME).content.decode()
    assert "For all" in page
    assert "Marc&#x27;s own" not in page and "Marc's own" not in page


def test_the_module_menu_follows_the_readers_language(client, world):
    Module.objects.create(name="Warehouse", name_de="Lager", code="warehouse", product=_product())
    User.objects.filter(pk=world.agent.pk).update(language="de")
    client.force_login(world.agent)
    page = client.get(HOME).content.decode()
    assert '<html lang="de">' in page
    assert ">Lager<" in page


# available_apps: Django's flush then truncates with CASCADE (the raw search tables' keys).
@pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)
@pytest.mark.usefixtures("transactional_db_with_search")
def test_a_change_committed_by_another_connection_is_seen_by_the_next_page(world):
    kept = current_menus()
    assert kept.stamp is not None

    def rename() -> None:
        try:
            Customer.objects.filter(pk=world.customer_a.pk).update(name="Renamed elsewhere")
        finally:
            connections.close_all()

    thread = threading.Thread(target=rename)
    thread.start()
    thread.join()
    fresh = current_menus()
    assert fresh.stamp != kept.stamp
    assert "Renamed elsewhere" in [name for _pk, name in fresh.customers]
    assert menus_module._kept[1] is fresh


def _product():
    from palier.customers.models import Product

    return Product.objects.first() or Product.objects.create(code="erp", name="Palier ERP")


def test_menus_are_in_one_order_in_every_language_whatever_the_case_and_accents(world):
    product = _product()
    Module.objects.create(name="aardvark", code="aardvark", product=product)
    Module.objects.create(name="Zoning", name_fr="Économie", code="zoning2", product=product)
    Customer.objects.create(name="émile SA", code="emile")
    Customer.objects.create(name="Zürich AG", code="zuerich")
    menus = current_menus()
    names = [name for _pk, name in menus.customers]
    assert names.index("émile SA") < names.index("Zürich AG")
    assert names.index("Alpenkäse AG") < names.index("Bellevue SA") < names.index("émile SA")
    english = [name for _pk, name in menus.module_pairs("en")]
    french = [name for _pk, name in menus.module_pairs("fr")]
    assert english[0] == "aardvark" and french[0] == "aardvark"
    assert english.index("Zoning") == len(english) - 1
    assert "Économie" in french and "Zoning" not in french
    assert sorted(french, key=lambda n: menu_order((0, n))) == french
