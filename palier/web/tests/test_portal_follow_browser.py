"""Following a colleague's shared request, and the language switch remembered, in Chromium."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.accounts.models import User
from palier.tickets.actions import do_add_message
from palier.tickets.models import TicketFollower
from palier.web.tests.helpers import open_request

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]


def test_a_colleague_follows_a_shared_request_and_finds_it_under_followed(
    portal_page, world, shoot, csp_violations
):
    world.contact_a.language = "fr"
    world.contact_a.save(update_fields=["language"])
    shared = open_request(
        world.contact_a2,
        "Le bon de livraison ne s'imprime plus",
        module_name="Logistics",
        visibility="shared",
    )
    do_add_message(shared, acting_user=world.agent, body="Pourriez-vous nous envoyer le journal ?")
    open_request(world.contact_a2, "Autre demande partagée", visibility="shared")
    page = portal_page(world.contact_a)
    page.goto(f"/portal/requests/{shared.pk}/")
    page.click("#follow-button")
    page.wait_for_selector("#unfollow-button")
    assert page.locator("html").get_attribute("lang") == "fr"
    shoot(page, "portal-request-followed-fr")
    assert TicketFollower.objects.filter(ticket=shared, user=world.contact_a).exists()

    page.goto("/portal/requests/")
    page.select_option("#id_show", "followed")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**show=followed**")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1 and "Le bon de livraison" in rows.first.inner_text()
    shoot(page, "portal-requests-followed-fr")
    assert csp_violations == []


def test_the_language_switch_is_remembered_for_mails(portal_page, world):
    page = portal_page(world.contact_b)  # French in the profile
    page.select_option("#lang-select", "de")  # submits itself (palier.js)
    page.wait_for_selector("html[lang=de]")
    assert User.objects.get(pk=world.contact_b.pk).language == "de"
