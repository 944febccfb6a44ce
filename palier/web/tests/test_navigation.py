"""The main navigation: each role sees the screens it works in, and only those."""

from __future__ import annotations

import pytest


def nav_hrefs(client) -> list[str]:
    body = client.get("/desk/").content.decode()
    nav = body.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return [part.split('"', 1)[0] for part in nav.split('href="')[1:]]


@pytest.mark.parametrize("persona", ["agent", "consultant", "rnd"])
def test_staff_see_time_and_defects_but_not_invoices(client, world, persona):
    client.force_login(getattr(world, persona))
    hrefs = nav_hrefs(client)
    assert "/billing/time/" in hrefs and "/rnd/" in hrefs
    assert "/billing/" not in hrefs


def test_a_manager_also_sees_the_billing_dashboard(client, world):
    client.force_login(world.manager)
    hrefs = nav_hrefs(client)
    assert {"/desk/", "/billing/time/", "/rnd/", "/billing/"} <= set(hrefs)
    assert client.get("/billing/").status_code == 200


def test_a_contact_sees_only_the_portal(client, world):
    client.force_login(world.contact_a)
    body = client.get("/portal/").content.decode()
    nav = body.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "/portal/requests/" in nav
    assert "/billing/" not in nav and "/rnd/" not in nav and "/desk/" not in nav


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("agent", "/desk/"), ("consultant", "/desk/"), ("manager", "/desk/"), ("rnd", "/rnd/")],
)
def test_each_role_lands_on_the_screen_it_works_in(client, world, persona, landing):
    client.force_login(getattr(world, persona))
    assert client.get("/").url == landing


def test_rnd_lands_on_the_defects_after_signing_in(client, world):
    world.rnd.set_password("pw-of-rnd-123")
    world.rnd.save()
    response = client.post("/login/", {"username": world.rnd.username, "password": "pw-of-rnd-123"})
    assert response.status_code == 302
    assert client.get(response.url).url == "/rnd/"


def test_the_manage_section_address_leads_to_its_first_page_for_who_may_see_it(client, world):
    client.force_login(world.manager)
    response = client.get("/manage/", follow=True)
    assert response.redirect_chain == [("/manage/people/", 302)]
    assert response.status_code == 200
    client.force_login(world.contact_a)
    assert client.get("/manage/", follow=True).status_code == 404
