"""The notifications and macros screens of the workspace."""

from __future__ import annotations

import pytest

from palier.ops.outbox import drain
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_assign
from palier.workspace.actions import do_save_macro, do_save_team
from palier.workspace.models import Macro, Notification, NotificationSettings


def assigned(world, count: int) -> None:
    for i in range(count):
        do_assign(
            make_ticket(world.contact_a, subject=f"T{i}"), world.agent, acting_user=world.manager
        )
    drain()


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_costs_a_fixed_number_of_queries(
    client, world, count, django_assert_max_num_queries
):
    assigned(world, count)
    client.force_login(world.agent)
    client.get("/desk/notifications/")
    with django_assert_max_num_queries(6):  # session, user, unread badge, list, settings
        response = client.get("/desk/notifications/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 50)
    assert "Maria assigned" in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_ticket(client, world):
    assigned(world, 2)
    client.force_login(world.agent)
    badge = client.get("/desk/").content.decode()
    assert 'class="nav-count"' in badge and ">2</span>" in badge
    first = Notification.objects.filter(recipient=world.agent).order_by("id").first()
    response = client.post("/desk/notifications/read/", {"notification": first.pk})
    assert response["Location"] == f"/desk/tickets/{first.ticket_id}/"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/desk/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'class="nav-count"' not in client.get("/desk/").content.decode()


def test_someone_elses_notification_is_not_marked(client, world):
    assigned(world, 1)
    theirs = Notification.objects.get()
    client.force_login(world.consultant)
    response = client.post("/desk/notifications/read/", {"notification": theirs.pk})
    assert response["Location"] == "/desk/notifications/"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_daily_digest_is_chosen_on_the_page(client, world):
    client.force_login(world.agent)
    client.post("/desk/notifications/digest/", {"daily_digest": "on"})
    assert NotificationSettings.objects.get(user=world.agent).daily_digest
    assert "checked" in client.get("/desk/notifications/").content.decode()
    client.post("/desk/notifications/digest/", {})
    assert not NotificationSettings.objects.get(user=world.agent).daily_digest


def test_a_lead_writes_a_team_macro_in_four_languages(client, world):
    team = do_save_team(acting_user=world.manager, name="L1", lead=world.agent)
    client.force_login(world.agent)
    assert client.get("/desk/macros/new/").status_code == 200
    response = client.post(
        "/desk/macros/new/",
        {
            "name": "Log please",
            "scope": "team",
            "team": team.pk,
            "text_en": "Hello {{ contact_first_name }}",
            "text_fr": "Bonjour {{ contact_first_name }}",
            "text_de": "",
            "text_it": "Buongiorno {{ contact_first_name }}",
            "set_status": "waiting_customer",
            "set_assignee": "me",
            "tag": "Needs log",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.texts == {
        "en": "Hello {{ contact_first_name }}",
        "fr": "Bonjour {{ contact_first_name }}",
        "it": "Buongiorno {{ contact_first_name }}",
    }
    assert macro.add_tag.name == "needs-log"
    page = client.get("/desk/macros/").content.decode()
    assert "Log please" in page and "Waiting for customer" in page


def test_a_macro_with_an_unknown_variable_is_refused_next_to_the_form(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/macros/new/",
        {"name": "Bad", "scope": "personal", "text_en": "{{ settings.SECRET_KEY }}"},
    )
    assert response.status_code == 400
    assert "Unknown variable" in response.content.decode()
    assert not Macro.objects.exists()


def test_someone_elses_personal_macro_is_not_found(client, world):
    mine = do_save_macro(acting_user=world.agent, name="Mine", texts={"en": "x"})
    client.force_login(world.consultant)
    assert client.get(f"/desk/macros/{mine.pk}/").status_code == 404
    assert client.post(f"/desk/macros/{mine.pk}/delete/").status_code == 404
    assert Macro.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("count", [2, 40])
def test_the_macro_list_costs_a_fixed_number_of_queries(
    client, world, count, django_assert_max_num_queries
):
    for i in range(count):
        do_save_macro(acting_user=world.agent, name=f"M{i}", texts={"en": "x"}, tag="t")
    client.force_login(world.agent)
    client.get("/desk/macros/")
    with django_assert_max_num_queries(4):  # session, user, unread badge, macros
        assert client.get("/desk/macros/").status_code == 200
