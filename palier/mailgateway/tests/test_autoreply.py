"""Words never drop a message: only headers make an automatic reply a record; a subject that
reads like one goes to the quarantine, and staff turn it into a ticket in one click."""

from __future__ import annotations

import pytest

from palier.lib.errors import Conflict, NotAllowed
from palier.mailgateway.actions import do_release, ingest
from palier.mailgateway.invariant import violations
from palier.mailgateway.tests.mails import mail
from palier.tickets.models import Ticket


@pytest.mark.parametrize(
    "subject",
    [
        "Out of office hours outage: payroll export fails",
        "Absence de données dans le rapport mensuel",
        "Auto-reply settings in the CRM module",
        "Abwesenheitszeiten werden falsch berechnet",
        "Risposta automatica del modulo ordini non funziona",
    ],
)
def test_a_known_contacts_request_that_starts_like_an_auto_reply_becomes_a_ticket(
    world, smtp, subject
):
    raw = ingest(mail(subject, msgid=f"{hash(subject)}@example.com"), "test")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert Ticket.objects.get(pk=raw.ticket_id).subject == subject
    assert violations() == []


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-replied (vacation)",
        "X-Autoreply: yes",
        "X-Autorespond: Abwesenheit",
        "Precedence: auto_reply",
        "Precedence: bulk",
        "Precedence: junk",
    ],
)
def test_an_auto_reply_identified_by_its_headers_is_noted_on_the_ticket_it_answers(
    world, threads, header
):
    raw = ingest(
        mail(
            f"Re: [{threads.a.reference}] Fehler beim Export",
            "Ich bin bis Montag abwesend.",
            msgid="ooo-1@example.com",
            headers=f"{header}\r\nIn-Reply-To: <out-a.1@palier.localhost>\r\n",
        ),
        "test",
    )
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "auto_reply", threads.a.pk)
    noted = threads.a.events.get(kind="mail_auto_reply")
    assert noted.internal and noted.data["raw_message_id"] == raw.pk
    assert not threads.a.messages.exists()
    assert violations() == []


def test_an_auto_reply_naming_no_ticket_is_kept_unmatched_with_its_bytes(world, smtp, api):
    data = mail("Abwesenheitsnotiz", "Nicht im Büro.", headers="X-Autoreply: yes\r\n")
    raw = ingest(data, "test")
    assert (raw.state, raw.outcome, raw.ticket_id) == ("processed", "auto_reply", None)
    listed = api(world.agent).get("/mail/unmatched").json()["items"]
    assert [(item["id"], item["can_release"]) for item in listed] == [(raw.pk, True)]
    assert bytes(type(raw).objects.get(pk=raw.pk).raw) == data


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: [PAL-2026-000001] Fehler",
        "Out of Office: Re: invoice",
        "Abwesenheitsnotiz: Ihre Anfrage",
        "Réponse automatique : votre demande",
        "Risposta automatica: richiesta",
        "Absence",
    ],
)
def test_a_subject_that_only_reads_like_an_auto_reply_is_quarantined_for_a_person(
    world, smtp, subject
):
    raw = ingest(mail(subject, "Ich bin nicht da.", msgid="sus-1@example.com"), "test")
    assert (raw.state, raw.error_code) == ("quarantined", "suspected_auto_reply")
    assert "release" in raw.error
    assert not smtp.messages  # no notice to what may be a robot
    assert violations() == []


def test_staff_release_a_suspected_auto_reply_into_a_ticket_in_one_call(world, smtp):
    raw = ingest(mail("Out of office: export fails", "Der Export bricht ab."), "test")
    done = do_release(raw, acting_user=world.agent)
    assert (done.state, done.outcome, done.released_by) == ("processed", "new_ticket", world.agent)
    ticket = Ticket.objects.get(pk=done.ticket_id)
    assert ticket.description == "Der Export bricht ab."
    assert ticket.events.get(kind="mail_released").actor == world.agent
    with pytest.raises(Conflict):
        do_release(done, acting_user=world.agent)
    assert violations() == []


def test_a_recognised_auto_reply_can_be_released_as_a_message_on_its_ticket(world, threads):
    raw = ingest(
        mail(
            f"Re: [{threads.a.reference}] Fehler beim Export",
            "Es geht wieder, danke.",
            headers="Auto-Submitted: auto-replied\r\n",
        ),
        "test",
    )
    assert raw.outcome == "auto_reply"
    done = do_release(raw, acting_user=world.agent)
    assert (done.outcome, done.ticket_id) == ("reply", threads.a.pk)
    assert done.ticket_message.body == "Es geht wieder, danke."
    assert violations() == []


def test_contacts_cannot_release_mail(world, smtp):
    raw = ingest(mail("Out of office: export fails"), "test")
    with pytest.raises(NotAllowed):
        do_release(raw, acting_user=world.contact_a)


def test_staff_release_through_the_api_and_contacts_cannot(world, smtp, api):
    raw = ingest(mail("Abwesenheitsnotiz: Export", "Bitte Export prüfen."), "test")
    page = api(world.agent).get("/mail/quarantine").json()["items"]
    assert page[0]["reason"] == "Looks like an automatic reply" and page[0]["can_release"]
    assert api(world.contact_a).post(f"/mail/messages/{raw.pk}/release").status_code == 404
    done = api(world.agent).post(f"/mail/messages/{raw.pk}/release").json()
    assert (done["state"], done["outcome"]) == ("processed", "new_ticket")
    again = api(world.agent).post(f"/mail/messages/{raw.pk}/release")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_releasable"


def test_staff_release_from_the_admin_list_in_one_click(world, smtp, client):
    raw = ingest(mail("Out of office: Mahnlauf", "Mahnlauf stoppt."), "test")
    world.agent.is_staff = True
    world.agent.is_superuser = True
    world.agent.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(world.agent)
    response = client.post(
        "/admin/mailgateway/rawmessage/",
        {"action": "release", "_selected_action": [raw.pk]},
        follow=True,
    )
    assert response.status_code == 200
    raw.refresh_from_db()
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
