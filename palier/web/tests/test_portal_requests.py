"""The requests list and the request page: scope, filters, paging, reply, close, reopen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from palier.tickets.actions import do_add_message, do_diagnose, do_transition
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Message
from palier.web.tests.helpers import open_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _list(client, **params):
    return client.get(reverse("web:portal:requests"), params).content.decode()


def test_plain_contact_sees_own_and_shared_requests_only(client, world):
    open_request(world.contact_a, "Mine")
    open_request(world.contact_a2, "Colleague private", visibility="private")
    open_request(world.contact_a2, "Colleague shared", visibility="shared")
    open_request(world.contact_b, "Other customer", visibility="shared")
    client.force_login(world.contact_a)
    html = _list(client)
    assert "Mine" in html and "Colleague shared" in html
    assert "Colleague private" not in html and "Other customer" not in html


def test_customer_admin_sees_every_request_of_the_customer(client, world):
    open_request(world.contact_a2, "Colleague private", visibility="private")
    open_request(world.contact_b, "Other customer")
    client.force_login(world.admin_a)
    html = _list(client)
    assert "Colleague private" in html and "Other customer" not in html


def test_list_filters_by_status_with_friendly_names(client, world):
    solved = open_request(world.contact_a, "Solved one")
    do_transition(solved, "resolved", acting_user=world.agent)
    open_request(world.contact_a, "Still open")
    client.force_login(world.contact_a)
    html = _list(client, status="resolved")
    assert "Solved one" in html and "Still open" not in html
    assert ">Solved<" in html
    assert "Still open" in _list(client, status="open")


def test_list_searches_by_text_and_by_reference(client, world):
    wanted = open_request(world.contact_a, "Delivery note crash")
    open_request(world.contact_a, "VAT question", description="Where is the VAT code?")
    client.force_login(world.contact_a)
    found = _list(client, q="delivery")
    assert "Delivery note crash" in found and "VAT question" not in found
    html = _list(client, q=wanted.reference)
    assert "Delivery note crash" in html and "VAT question" not in html


def test_list_pages_by_cursor_and_survives_a_bad_cursor(client, world):
    for n in range(27):
        open_request(world.contact_a, f"Request number {n:02d}")
    client.force_login(world.contact_a)
    first = client.get(reverse("web:portal:requests"))
    assert first.context["page"].next_cursor
    assert len(first.context["page"].items) == 25
    second = client.get(
        reverse("web:portal:requests"), {"cursor": first.context["page"].next_cursor}
    )
    subjects = [row["subject"] for row in second.context["page"].items]
    assert subjects == ["Request number 01", "Request number 00"]
    broken = client.get(reverse("web:portal:requests"), {"cursor": "garbage", "sort": "nope"})
    assert broken.status_code == 200


def test_list_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(30):
        open_request(world.contact_a, f"Request {n}")
    client.force_login(world.contact_a)
    with django_assert_max_num_queries(8):
        client.get(reverse("web:portal:requests"))


def test_home_shows_contract_end_and_requests_awaiting_the_customer(client, world):
    waiting = open_request(world.contact_a, "Need your logs")
    do_transition(waiting, "waiting_customer", acting_user=world.agent)
    open_request(world.contact_a, "Being handled")
    client.force_login(world.contact_a)
    response = client.get(reverse("web:portal:home"))
    html = response.content.decode()
    assert response.context["contract"].reference in html
    assert "Need your logs" in html and "Being handled" in html
    assert "Waiting for your reply" in html


def test_home_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(12):
        open_request(world.contact_a, f"Request {n}")
    client.force_login(world.contact_a)
    with django_assert_max_num_queries(10):
        client.get(reverse("web:portal:home"))


def test_request_page_shows_public_messages_only(client, world):
    ticket = open_request(world.contact_a)
    do_add_message(ticket, acting_user=world.agent, body="Please send the log file.")
    do_add_message(ticket, acting_user=world.agent, body="Customer is grumpy", internal=True)
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "Please send the log file." in html
    assert "Customer is grumpy" not in html


def test_request_page_escapes_user_text(client, world):
    ticket = open_request(
        world.contact_a, "<img src=x onerror=alert(1)>", description="<script>alert('x')</script>"
    )
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_request_page_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    ticket = open_request(world.contact_a)
    for n in range(10):
        do_add_message(ticket, acting_user=world.agent, body=f"Answer {n}")
    client.force_login(world.contact_a)
    client.get(reverse("web:portal:detail", args=[ticket.pk]))  # the session's first read
    # session, user, ticket, messages, files (read once, from the access-checked list, not
    # prefetched again with the messages), history, estimate, survey; the header's customer
    # is the ticket's. The SLA clock is read while the first answer is awaited (not here:
    # the agent answered).
    with django_assert_num_queries(8):
        assert client.get(reverse("web:portal:detail", args=[ticket.pk])).status_code == 200


def test_contact_of_another_customer_gets_404_on_the_request_page(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_b)
    assert client.get(reverse("web:portal:detail", args=[ticket.pk])).status_code == 404
    assert (
        client.post(reverse("web:portal:reply", args=[ticket.pk]), {"body": "hi"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("web:portal:status", args=[ticket.pk]), {"target": "closed"}
        ).status_code
        == 404
    )


def test_colleague_cannot_open_a_private_request(client, world):
    ticket = open_request(world.contact_a, visibility="private")
    client.force_login(world.contact_a2)
    assert client.get(reverse("web:portal:detail", args=[ticket.pk])).status_code == 404


def test_why_panel_explains_level_two_after_a_diagnosis(client, world):
    ticket = open_request(world.contact_a)
    do_diagnose(ticket, "customer_manipulation", acting_user=world.agent, note="wrong posting")
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "Why level 2?" in html and "manipulation made on your side" in html
    assert "Why billable?" in html
    assert "wrong posting" not in html  # the agent's note stays internal to the team


def test_included_request_says_so(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "Included in your maintenance" in html and "Why a ticket?" in html


def test_reply_with_an_attachment(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_request(world.contact_a)
    do_transition(ticket, "waiting_customer", acting_user=world.agent)
    client.force_login(world.contact_a)
    upload = SimpleUploadedFile("trace.log", b"stack trace")
    response = client.post(
        reverse("web:portal:reply", args=[ticket.pk]),
        {"body": "Here is the log.", "attachments": [upload]},
    )
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket)
    assert message.from_customer and message.attachments.get().filename == "trace.log"
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    page = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "trace.log" in page


def test_empty_reply_is_refused_next_to_the_field(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:reply", args=[ticket.pk]), {"body": "  "})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


def test_contact_closes_a_request(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:status", args=[ticket.pk]), {"target": "closed"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_contact_cannot_take_a_staff_only_transition(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_a)
    client.post(reverse("web:portal:status", args=[ticket.pk]), {"target": "resolved"})
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_reopen_is_offered_within_the_window_only(client, world, settings):
    settings.PALIER_REOPEN_DAYS = 14
    ticket = open_request(world.contact_a)
    do_transition(ticket, "resolved", acting_user=world.agent)
    client.force_login(world.contact_a)
    url = reverse("web:portal:detail", args=[ticket.pk])
    assert "Reopen the request" in client.get(url).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client.force_login(world.contact_a)
        assert "Reopen the request" not in client.get(url).content.decode()
        client.post(reverse("web:portal:status", args=[ticket.pk]), {"target": "in_progress"})
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    client.post(reverse("web:portal:status", args=[ticket.pk]), {"target": "in_progress"})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_attachment_download_is_a_safe_attachment(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_request(world.contact_a)
    upload = SimpleUploadedFile("evil.txt", b"<html><script>alert(1)</script>")
    attachment = do_attach_file(ticket, upload, acting_user=world.contact_a)
    client.force_login(world.contact_a)
    response = client.get(reverse("web:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<html><script>alert(1)</script>"


def test_attachment_download_is_404_for_another_customer(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_request(world.contact_a)
    attachment = do_attach_file(
        ticket, SimpleUploadedFile("a.txt", b"a"), acting_user=world.contact_a
    )
    client.force_login(world.contact_b)
    assert client.get(reverse("web:attachment", args=[attachment.pk])).status_code == 404


def test_internal_attachment_is_hidden_from_contacts(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_request(world.contact_a)
    attachment = do_attach_file(
        ticket, SimpleUploadedFile("notes.txt", b"n"), acting_user=world.agent, internal=True
    )
    client.force_login(world.contact_a)
    assert client.get(reverse("web:attachment", args=[attachment.pk])).status_code == 404
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "notes.txt" not in html


def test_request_page_says_when_to_expect_a_first_answer_until_answered(client, world):
    ticket = open_request(world.contact_a)
    client.force_login(world.contact_a)
    url = reverse("web:portal:detail", args=[ticket.pk])
    assert "We aim to send you a first answer by" in client.get(url).content.decode()
    do_add_message(ticket, acting_user=world.agent, body="Looking into it.")
    assert "We aim to send you a first answer by" not in client.get(url).content.decode()


def test_request_page_carries_the_estimate_waiting_for_approval(client, world):
    from decimal import Decimal

    from palier.billing.actions import do_propose_estimate

    ticket = open_request(world.contact_a, "Add a zone column", request_type="feature")
    do_propose_estimate(
        ticket, acting_user=world.consultant, hours=Decimal("3"), text="Add the column."
    )
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert 'id="consent-accept"' in html and "555.00" in html
    assert "Waiting for your approval" in html


def test_timeline_tells_the_customer_about_the_estimate(client, world):
    from decimal import Decimal

    from palier.billing.actions import do_propose_estimate

    ticket = open_request(world.contact_a, "Add a zone column", request_type="feature")
    do_propose_estimate(ticket, acting_user=world.consultant, hours=Decimal("2"), text="Work.")
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "Estimate sent for your approval" in html


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"sort": "'; DROP TABLE x"},
        {"cursor": "eyJzIjoiLXVwZGF0ZWQiLCJ2Ijoibm90LWEtZGF0ZSIsImlkIjoxfQ"},
        {"q": "x" * 5000},
        {"q": "PAL-2026-999999"},
        {"q": "\x00\ufffd"},
    ],
)
def test_odd_list_parameters_never_fail(client, world, params):
    open_request(world.contact_a)
    client.force_login(world.contact_a)
    assert client.get(reverse("web:portal:requests"), params).status_code == 200


def test_the_privacy_wording_says_that_the_organizations_administrators_see_a_private_request(
    client, world
):
    """A customer admin sees every request of the customer (above), so "private to the
    contact who opened it" was untrue, on the form and on the request."""
    client.force_login(world.contact_a)
    form = client.get(reverse("web:portal:new")).content.decode()
    assert "Private: you and your organization&#x27;s administrators" in form
    assert "Private to the contact who opened it" not in form
    ticket = open_request(world.contact_a, visibility="private")
    page = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    assert "Private: you and your organization&#x27;s administrators" in page
    client.force_login(world.admin_a)
    assert client.get(reverse("web:portal:detail", args=[ticket.pk])).status_code == 200


def test_one_bad_filter_is_left_out_alone_and_the_page_says_which(client, world):
    open_request(world.contact_a, "Delivery note crash")
    solved = open_request(world.contact_a, "Delivery slip solved")
    do_transition(solved, "resolved", acting_user=world.agent)
    open_request(world.contact_a, "VAT question")
    client.force_login(world.contact_a)
    html = _list(client, q="delivery", status="resolved", sort="by-mood")
    # The search and the status still apply; the sort is named as left out.
    assert "Delivery slip solved" in html
    assert "Delivery note crash" not in html and "VAT question" not in html
    assert "The filter “Sort” was left out: Select a valid choice." in html
    assert "by-mood" in html and "The other filters apply." in html


def test_a_search_given_twice_is_left_out_and_said_not_the_last_one_searched(client, world):
    open_request(world.contact_a, "Delivery note crash")
    open_request(world.contact_a, "VAT question")
    client.force_login(world.contact_a)
    html = client.get(f"{reverse('web:portal:requests')}?q=vat&q=delivery").content.decode()
    assert "Delivery note crash" in html and "VAT question" in html
    assert "The filter “Search” was left out: This filter is given 2 times; give it once." in html


def test_the_left_out_filter_is_named_in_the_contacts_language(client, world, settings):
    client.force_login(world.contact_b)  # reads French
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = _list(client, status="lost")
    assert "Le filtre « Statut » n’a pas été appliqué" in html
    assert "Les autres filtres s’appliquent." in html


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_timeline_names_criticality_and_type_in_the_readers_language(
    client, world, settings, language
):
    """Not their codes («high», «malfunction»): an outside try read them in German."""
    from django.utils.translation import override

    from palier.tickets.actions import do_change_criticality, do_change_request
    from palier.tickets.labels import criticality, request_type

    ticket = open_request(world.contact_a, "Payroll export", request_type="usage")
    ticket = do_change_criticality(ticket, "high", acting_user=world.agent, reason="Payday")
    ticket = do_change_criticality(ticket, "low", acting_user=world.agent, reason="Workaround")
    do_change_request(ticket, acting_user=world.agent, request_type="malfunction")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    world.contact_a.language = language
    world.contact_a.save(update_fields=["language"])
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    with override(language):
        high, low = str(criticality("high")), str(criticality("low"))
        malfunction = str(request_type("malfunction"))
    assert "high" not in (high, low) and malfunction != "malfunction"  # translated at all
    timeline = html[html.index('class="timeline') :] if 'class="timeline' in html else html
    for code in ("high", "low", "usage", "malfunction"):
        assert f"«{code}»" not in timeline and f"“{code}”" not in timeline, code
    for word in (high, low, malfunction):
        assert word in timeline, word


@pytest.mark.parametrize(
    ("language", "finance", "sales"),
    [("de", "Finanzen", "Verkauf"), ("fr", "Finances", "Ventes"), ("it", "Finanza", "Vendite")],
)
def test_timeline_names_a_changed_module_in_the_readers_language(
    client, world, settings, language, finance, sales
):
    """Not by the English name the event stores («Finance», «Sales»)."""
    from palier.customers.models import Module
    from palier.testing.factories import module
    from palier.tickets.actions import do_change_request

    Module.objects.filter(name="Finance").update(
        name_fr="Finances", name_de="Finanzen", name_it="Finanza"
    )
    Module.objects.filter(name="Sales").update(
        name_fr="Ventes", name_de="Verkauf", name_it="Vendite"
    )
    ticket = open_request(world.contact_a, "Payroll export", request_type="usage")
    ticket = do_change_request(ticket, acting_user=world.agent, module=module("Finance"))
    do_change_request(ticket, acting_user=world.agent, module=module("Sales"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    world.contact_a.language = language
    world.contact_a.save(update_fields=["language"])
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:detail", args=[ticket.pk])).content.decode()
    timeline = html[html.index('class="timeline') :]
    assert finance in timeline and sales in timeline
    assert not re.search(r"\b(Finance|Sales)\b", timeline)
