"""A resolved request's contact is asked once, answers once; a low score opens a follow-up."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from palier.mailgateway.models import OutboundMessage
from palier.satisfaction.models import FollowUp, Survey
from palier.satisfaction.surveys import do_answer_survey, make_token, survey_from_token
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_transition
from palier.tickets.models import TicketEvent


def resolve(ticket, agent, capture):
    with capture(execute=True):  # the outbox handler runs when the change commits
        do_transition(ticket, "resolved", acting_user=agent)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_resolving_asks_the_contact_once_by_mail_in_their_language(
    world, django_capture_on_commit_callbacks
):
    ticket = make_ticket(world.contact_b, "usage", "Question TVA")
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    assert survey.language == "fr" and not survey.is_answered
    [mail] = OutboundMessage.objects.filter(kind="survey")
    parsed = message_from_bytes(bytes(mail.raw), policy=policy.default)
    assert mail.recipient == world.contact_b.email
    text = parsed.get_body(("plain",)).get_content()
    # The link's token carries the second it was signed: read it back, do not sign it again.
    link = re.search(r"/satisfaction/s/([^/\s]+)/\?score=5", text)
    assert link and survey_from_token(link[1]) == survey
    # Reopened and resolved again: still one survey. Another request within the quiet
    # period: none.
    do_transition(ticket, "in_progress", acting_user=world.agent)
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    other = make_ticket(world.contact_b, "usage", "Autre question")
    resolve(other, world.agent, django_capture_on_commit_callbacks)
    assert Survey.objects.count() == 1
    assert TicketEvent.objects.filter(kind="survey_sent").count() == 1


@pytest.mark.django_db
def test_after_the_quiet_period_the_contact_is_asked_again(
    world, django_capture_on_commit_callbacks, settings
):
    settings.PALIER_SATISFACTION_QUIET_DAYS = 10
    first = make_ticket(world.contact_a, "usage", "One")
    resolve(first, world.agent, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        second = make_ticket(world.contact_a, "usage", "Two")
        resolve(second, world.agent, django_capture_on_commit_callbacks)
    assert Survey.objects.filter(contact=world.contact_a).count() == 2


@pytest.mark.django_db
def test_the_link_shows_the_form_answers_once_and_refuses_forgeries_and_late_answers(
    world, django_capture_on_commit_callbacks
):
    ticket = make_ticket(world.contact_a, "usage", "Export")
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    url = f"/satisfaction/s/{make_token(survey)}/"
    client = Client()
    page = client.get(f"{url}?score=4")
    assert page.status_code == 200 and 'lang="de"' in page.content.decode()
    assert re.search(r'value="4"[^>]*checked', page.content.decode())
    survey.refresh_from_db()
    assert not survey.is_answered  # opening the link answers nothing
    done = client.post(url, {"score": "4", "comment": "Gut"})
    assert done.status_code == 200
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_via) == (4, "Gut", "link")
    assert client.post(url, {"score": "1"}).status_code == 409
    survey.refresh_from_db()
    assert survey.score == 4
    assert client.get(url[:-5] + "xxxx/").status_code == 404
    event = TicketEvent.objects.get(kind="survey_answered")
    assert event.internal and event.data["score"] == 4


@pytest.mark.django_db
def test_an_expired_link_says_so(world, django_capture_on_commit_callbacks):
    ticket = make_ticket(world.contact_a, "usage", "Export")
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    url = f"/satisfaction/s/{make_token(survey)}/"
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert Client().get(url).status_code == 410


@pytest.mark.django_db
def test_the_contact_answers_on_the_portal_and_nobody_else_can(
    world, django_capture_on_commit_callbacks
):
    ticket = make_ticket(world.contact_a, "usage", "Export")
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    page = signed_in(world.contact_a).get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert 'id="satisfaction"' in page
    answer = f"/satisfaction/surveys/{survey.pk}/answer/"
    assert signed_in(world.admin_a).post(answer, {"score": "1"}).status_code == 404
    assert signed_in(world.contact_b).post(answer, {"score": "1"}).status_code == 404
    signed_in(world.contact_a).post(answer, {"score": "5", "comment": ""})
    survey.refresh_from_db()
    assert (survey.score, survey.answered_via) == (5, "portal")
    page = signed_in(world.contact_a).get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert 'id="satisfaction"' in page and "5 von 5" in page  # in the contact's German


@pytest.mark.django_db
def test_a_low_score_opens_a_follow_up_for_the_managers_until_closed(
    world, django_capture_on_commit_callbacks
):
    ticket = make_ticket(world.contact_a, "usage", "Export")
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_survey(survey, score=2, comment="Too slow", via="link")
    follow_up = FollowUp.objects.get(survey=survey)
    assert follow_up.assigned_to is None  # no team yet: the managers
    [mail] = OutboundMessage.objects.filter(kind="satisfaction_follow_up")
    assert mail.recipient == world.manager.email
    manager = signed_in(world.manager)
    listing = manager.get("/dashboards/follow-ups/").content.decode()
    assert "Too slow" in listing
    assert (
        signed_in(world.agent)
        .post(f"/dashboards/follow-ups/{follow_up.pk}/close/", {"note": "x"})
        .status_code
        == 404
    )
    manager.post(f"/dashboards/follow-ups/{follow_up.pk}/close/", {"note": "Called back"})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.note, follow_up.done_by) == (
        "done",
        "Called back",
        world.manager,
    )


@pytest.mark.django_db
def test_a_low_score_goes_to_the_lead_of_the_assignees_team(
    world, django_capture_on_commit_callbacks
):
    from palier.tickets.actions import do_assign
    from palier.workspace.models import Team

    lead = world.consultant
    team = Team.objects.create(name="Level 1", lead=lead)
    team.members.add(world.agent, lead)
    ticket = make_ticket(world.contact_a, "usage", "Export")
    do_assign(ticket, world.agent, acting_user=world.agent)
    resolve(ticket, world.agent, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(ticket=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_survey(survey, score=1, comment="", via="link")
    follow_up = FollowUp.objects.get(survey=survey)
    assert follow_up.assigned_to == lead
    [mail] = OutboundMessage.objects.filter(kind="satisfaction_follow_up")
    assert mail.recipient == lead.email
    # The lead sees it on their desk and closes it; another agent does not reach it.
    assert (
        "1 unhappy customer to call back" in signed_in(lead).get("/dashboards/me/").content.decode()
    )
    assert (
        signed_in(world.agent)
        .post(f"/dashboards/follow-ups/{follow_up.pk}/close/", {"note": "x"})
        .status_code
        == 404
    )
    signed_in(lead).post(f"/dashboards/follow-ups/{follow_up.pk}/close/", {"note": "Done"})
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
