"""R&D screens: the defect list and detail, planning and releasing a patch."""

from __future__ import annotations

from django.test import Client

from palier.customers.models import Product
from palier.engineering.models import Patch
from palier.engineering.tests.helpers import escalated, malfunction
from palier.tickets.models import TicketEvent


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_rnd_sees_the_defect_list_with_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    for index in range(8):
        escalated(
            malfunction(world.contact_a, f"Error {index}"),
            world.agent,
            title=f"Broken <b>thing</b> {index}",
        )
    client = signed_in(world.rnd)
    client.get("/rnd/")  # the session and language middleware warm up once
    with django_assert_max_num_queries(8):
        response = client.get("/rnd/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Broken &lt;b&gt;thing&lt;/b&gt; 7" in html  # escaped, never raw HTML
    assert "11.3.1" in html


def test_contacts_get_404_on_rnd_screens(world):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    client = signed_in(world.contact_a)
    assert client.get("/rnd/").status_code == 404
    assert client.get(f"/rnd/{defect.pk}/").status_code == 404


def test_rnd_plans_and_releases_a_patch_from_the_screens(world):
    ticket = malfunction(world.contact_b, "Erreur 4711")
    defect = escalated(ticket, world.agent)
    client = signed_in(world.rnd)
    page = client.get(f"/rnd/{defect.pk}/").content.decode()
    assert ticket.reference in page
    response = client.post(
        "/rnd/patches/new/",
        {
            "product": Product.objects.get(code="erp").pk,
            "number": "11.3.2",
            "defects": [defect.pk],
            "notes": "",
        },
    )
    patch = Patch.objects.get(version__number="11.3.2")
    assert response.status_code == 302
    assert client.get(f"/rnd/patches/{patch.pk}/?lang=fr").status_code == 200
    client.post(f"/rnd/patches/{patch.pk}/release/", {"confirmed": "1"})
    client.post(f"/rnd/patches/{patch.pk}/release/", {"confirmed": "1"})
    assert TicketEvent.objects.filter(ticket=ticket, kind="patch_available").count() == 1
    ticket.refresh_from_db()
    assert ticket.status == "patch_available"


def test_an_agent_reads_defects_but_cannot_release(world):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    client = signed_in(world.agent)
    assert client.get(f"/rnd/{defect.pk}/").status_code == 200
    rnd = signed_in(world.rnd)
    rnd.post(
        "/rnd/patches/new/",
        {"product": Product.objects.get(code="erp").pk, "number": "11.3.2", "defects": [defect.pk]},
    )
    patch = Patch.objects.get()
    client.post(f"/rnd/patches/{patch.pk}/release/", {"confirmed": "1"})
    patch.refresh_from_db()
    assert patch.released_at is None


def test_releasing_a_patch_first_says_how_many_customers_it_tells(world):
    """Irreversible: the first press only says what will happen; nothing is released."""
    first = malfunction(world.contact_a, "Error 4711")
    defect = escalated(first, world.agent)
    second = malfunction(world.contact_b, "Erreur 4711")
    other = malfunction(world.contact_b, "Erreur 4712")
    escalated(second, world.agent, defect=defect)
    escalated(other, world.agent, defect=defect)
    client = signed_in(world.rnd)
    client.post(
        "/rnd/patches/new/",
        {"product": Product.objects.get(code="erp").pk, "number": "11.3.2", "defects": [defect.pk]},
    )
    patch = Patch.objects.get()
    page = client.get(f"/rnd/patches/{patch.pk}/").content.decode()
    assert "tells 2 customers (3 requests)" in page

    response = client.post(f"/rnd/patches/{patch.pk}/release/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "tells 2 customers (3 requests)" in html and 'name="confirmed"' in html
    patch.refresh_from_db()
    assert patch.released_at is None
    assert not TicketEvent.objects.filter(kind="patch_available").exists()

    client.post(f"/rnd/patches/{patch.pk}/release/", {"confirmed": "1"})
    patch.refresh_from_db()
    assert patch.released_at is not None
    assert TicketEvent.objects.filter(kind="patch_available").count() == 3


def test_planning_a_patch_is_offered_only_to_those_who_may(world):
    """A level-1 agent is not shown a form that refuses them on submit."""
    agent = signed_in(world.agent)
    assert "/rnd/patches/new/" not in agent.get("/rnd/").content.decode()
    assert agent.get("/rnd/patches/new/").status_code == 403
    for person in (world.rnd, world.manager):
        client = signed_in(person)
        assert "/rnd/patches/new/" in client.get("/rnd/").content.decode()
        assert client.get("/rnd/patches/new/").status_code == 200


def test_a_patchs_notes_first_show_in_the_readers_language(world):
    """The page opened on the English notes whatever the R&D engineer reads the desk in."""
    from palier.accounts.models import User

    defect = escalated(malfunction(world.contact_b, "Erreur 4711"), world.agent)
    client = signed_in(world.rnd)
    client.post(
        "/rnd/patches/new/",
        {"product": Product.objects.get(code="erp").pk, "number": "11.3.2", "defects": [defect.pk]},
    )
    patch = Patch.objects.get(version__number="11.3.2")
    User.objects.filter(pk=world.rnd.pk).update(language="it")
    page = client.get(f"/rnd/patches/{patch.pk}/").content.decode()
    assert '<a href="?lang=it" aria-current="page">' in page
    page = client.get(f"/rnd/patches/{patch.pk}/?lang=de").content.decode()
    assert '<a href="?lang=de" aria-current="page">' in page
