"""Notifications reach a real SMTP server (aiosmtpd on loopback), threaded and safe."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage

import pytest

from palier.mailgateway.actions import ingest
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage
from palier.mailgateway.outbound import Mail, build, one_line, queue
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message, do_assign, do_transition


def _open_by_mail(world, smtp) -> tuple:
    data = (
        b"From: Anna Keller <anna.a@example.com>\r\nTo: support@palier.localhost\r\n"
        b"Subject: Fehler beim Buchen\r\nMessage-ID: <first-mail-1@example.com>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nDie Buchung bricht mit Fehler 12 ab.\r\n"
    )
    raw = ingest(data, "test")
    return raw.ticket, raw


def test_a_mailed_request_is_acknowledged_in_the_contacts_language_with_thread_headers(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _raw = _open_by_mail(world, smtp)
    [mail] = smtp.to("anna.a@example.com")
    assert mail["Subject"] == f"[{ticket.reference}] Fehler beim Buchen"
    assert mail["In-Reply-To"] == "<first-mail-1@example.com>"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Reply-To"] == f"support+{ticket.reference}@palier.localhost"
    assert mail["Message-ID"].endswith("@palier.localhost>")
    assert OutboundMessage.objects.get(message_id=mail["Message-ID"]).ticket == ticket
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert ticket.reference in plain and ticket.reference in html
    assert f"http://localhost:8000/portal/requests/{ticket.pk}/" in plain
    # Rendered in the contact's language (the fr/de/it catalogues are filled at the end).
    assert '<html lang="de">' in html


def test_agent_reply_is_mailed_and_the_answer_to_it_joins_the_same_ticket(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _raw = _open_by_mail(world, smtp)
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(ticket, acting_user=world.agent, body="Bitte Version 11.3.1 installieren.")
    [mail] = smtp.to("anna.a@example.com")
    assert "Bitte Version 11.3.1 installieren." in mail.get_body(("plain",)).get_content()
    assert "<first-mail-1@example.com>" in mail["References"]
    answer = (
        f"From: anna.a@example.com\r\nTo: {mail['Reply-To']}\r\nSubject: Re: hello\r\n"
        f"Message-ID: <answer-1@example.com>\r\nIn-Reply-To: {mail['Message-ID']}\r\n\r\n"
        "Danke, erledigt.\r\n"
    ).encode()
    raw = ingest(answer, "test")
    assert (raw.outcome, raw.ticket_id) == ("reply", ticket.pk)
    assert ticket.messages.filter(from_customer=True, body="Danke, erledigt.").exists()


def test_internal_notes_are_never_mailed_to_the_contact(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _raw = _open_by_mail(world, smtp)
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(ticket, acting_user=world.agent, body="Kunde ist schwierig", internal=True)
    assert smtp.to("anna.a@example.com") == []


def test_status_change_and_assignment_are_mailed_to_contact_and_agent(
    world, smtp, django_capture_on_commit_callbacks
):
    world.agent.email = "lena@vendor.example"
    world.agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _raw = _open_by_mail(world, smtp)
        do_assign(ticket, world.agent, acting_user=world.manager)
        do_transition(ticket, "in_progress", acting_user=world.agent)
        do_transition(ticket, "resolved", acting_user=world.agent)
    kinds = sorted(OutboundMessage.objects.values_list("kind", "recipient"))
    assert ("assigned", "lena@vendor.example") in kinds
    assert ("status", "anna.a@example.com") in kinds
    solved = [
        m for m in smtp.to("anna.a@example.com") if "14" in m.get_body(("plain",)).get_content()
    ]
    assert solved, "the resolution mail says how long the customer may reopen"


def test_refusal_is_explained_by_mail_once_per_thread(
    world, smtp, django_capture_on_commit_callbacks
):
    data = (
        b"From: otto.old@example.com\r\nSubject: Help\r\nMessage-ID: <old-1@example.com>\r\n\r\n"
        b"Printing fails.\r\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        raw = ingest(data, "test")
    assert raw.ticket.status == "refused"
    [mail] = smtp.to("otto.old@example.com")
    assert "ended on" in mail.get_body(("plain",)).get_content()
    follow = (
        f"From: otto.old@example.com\r\nSubject: Re: [{raw.ticket.reference}] Help\r\n"
        f"Message-ID: <old-2@example.com>\r\nIn-Reply-To: {mail['Message-ID']}\r\n\r\n"
        "Any news?\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        again = ingest(follow, "test")
    assert (again.outcome, again.ticket_id) == ("refused", raw.ticket_id)
    assert len(smtp.to("otto.old@example.com")) == 1


@pytest.mark.parametrize("evil", ["Hello\r\nBcc: victim@example.com", "Hi\nX-Evil: 1", "A\rB"])
def test_no_header_can_be_injected_through_a_subject_or_a_name(world, evil):
    mail = Mail(
        kind="reply",
        to_address="anna.a@example.com",
        to_name=evil,
        language="en",
        subject=one_line(evil),
        paragraphs=["x"],
    )
    msg = build(mail, "<x@palier.localhost>")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    raw = EmailMessage(policy=email.policy.SMTP)
    with pytest.raises(ValueError):
        raw["Subject"] = evil  # the policy itself refuses a line break


def test_a_ticket_subject_with_line_breaks_cannot_add_headers(
    world, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(
            world.contact_a,
            "usage",
            "Hallo\r\nBcc: victim@example.com",
            module_name=None,
            channel="email",
        )
        do_add_message(ticket, acting_user=world.agent, body="Antwort")
    assert smtp.to("victim@example.com") == []
    for mail in smtp.to("anna.a@example.com"):
        assert mail["Bcc"] is None


def test_failed_sending_is_recorded_and_retried_until_it_succeeds(world, smtp):
    smtp.refuse = True
    out = queue(
        Mail(
            kind="reply",
            to_address="anna.a@example.com",
            to_name="Anna",
            language="de",
            subject="Test",
            paragraphs=["x"],
        )
    )
    from palier.mailgateway.outbound import send_outbound

    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "failed"
    smtp.refuse = False
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert out.state == "sent" and out.attempts == 2
    assert list(DeliveryAttempt.objects.filter(outbound=out).values_list("ok", flat=True)) == [
        False,
        True,
    ]
    assert len(smtp.to("anna.a@example.com")) == 1


def test_automatic_replies_to_one_address_are_capped_per_hour(world, smtp, settings):
    settings.PALIER_MAIL_MAX_REPLIES_PER_HOUR = 3
    sent = [
        queue(
            Mail(
                kind="created",
                to_address="anna.a@example.com",
                to_name="",
                language="en",
                subject=f"n{i}",
                paragraphs=["x"],
            )
        )
        for i in range(5)
    ]
    assert sum(1 for s in sent if s) == 3
    assert (
        queue(
            Mail(
                kind="reply",
                to_address="anna.a@example.com",
                to_name="",
                language="en",
                subject="human",
                paragraphs=["x"],
            )
        )
        is not None
    )


def test_an_unknown_sender_gets_one_access_notice_a_day(world, smtp):
    for i in range(3):
        ingest(
            f"From: new.person@unknown.example\r\nSubject: Hi {i}\r\nMessage-ID: <u{i}@x.example>"
            "\r\n\r\nHow do I print?\r\n".encode(),
            "test",
        )
    assert OutboundMessage.objects.filter(kind="unknown_sender").count() == 1


def test_a_permanent_refusal_is_not_retried(world, smtp):
    from palier.mailgateway.outbound import send_outbound

    out = queue(
        Mail(
            kind="reply",
            to_address="anna.a@example.com",
            to_name="Anna",
            language="de",
            subject="Test",
            paragraphs=["x"],
        )
    )
    smtp.refuse = "550 5.1.1 No such user"
    send_outbound.call(out.pk)
    out.refresh_from_db()
    assert (out.state, out.attempts) == ("gave_up", 1)


def test_a_consent_request_mails_the_estimate_and_its_link_without_a_second_status_mail(
    world, smtp, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from palier.billing.actions import do_propose_estimate

    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(
            world.contact_a,
            "feature",
            "Neue Spalte",
            module_name=None,
        )
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_propose_estimate(
            ticket, acting_user=world.consultant, hours=Decimal("2"), text="Spalte hinzufügen"
        )
    [mail] = smtp.to("anna.a@example.com")
    plain = mail.get_body(("plain",)).get_content()
    assert "CHF 370.00" in plain and "http://localhost:8000/" in plain and "/consent/" in plain


def test_a_follower_of_a_shared_request_is_mailed_our_replies_but_not_internal_notes(
    world, smtp, django_capture_on_commit_callbacks
):
    from palier.tickets.followers import do_follow_ticket

    ticket = make_ticket(
        world.contact_a,
        "usage",
        "Geteilte Frage",
        module_name=None,
        visibility="shared",
    )
    do_follow_ticket(ticket, acting_user=world.contact_a2)
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(ticket, acting_user=world.agent, body="Hier ist die Antwort.")
        do_add_message(ticket, acting_user=world.agent, body="Nur intern.", internal=True)
    for address in ("anna.a@example.com", "armin.a@example.com"):
        [mail] = smtp.to(address)
        assert "Hier ist die Antwort." in mail.get_body(("plain",)).get_content()
    assert not smtp.to("bruno.b@example.com")


def test_links_in_mail_are_the_web_screens_addresses(world):
    """notices reverses through the web URLconf alone (cheap); it must give the same path as
    the site's URLconf, where the web screens are mounted."""
    from django.urls import reverse

    from palier.mailgateway.notices import WEB_URLCONF
    from palier.testing.factories import make_ticket

    ticket = make_ticket(world.contact_a)
    for name in ("portal:detail", "agent:ticket"):
        assert reverse(name, args=[ticket.pk], urlconf=WEB_URLCONF) == reverse(
            f"web:{name}", args=[ticket.pk]
        )


def test_the_thread_headers_name_the_first_inbound_id_then_our_last_eight(world):
    """notices._thread's one statement gives what its two ORM look-ups gave."""
    from palier.mailgateway.models import RawMessage
    from palier.mailgateway.notices import _thread

    ticket = make_ticket(world.contact_a, channel="email")
    other = make_ticket(world.contact_a, channel="email")
    assert _thread(ticket) == ("", [])
    for i, message_id in enumerate(["", "<in-1@example.com>", "<in-2@example.com>"]):
        RawMessage.objects.create(
            source="test",
            ticket=ticket,
            message_id=message_id,
            message_id_hash=f"h{i}",
            dedup_key=f"d{i}",
            sha256="0" * 64,
            size=1,
        )
    for i in range(11):
        for t in (ticket, other):
            OutboundMessage.objects.create(
                ticket=t,
                kind="reply",
                message_id=f"<out-{t.pk}-{i}@palier.localhost>",
                recipient="anna.a@example.com",
                raw=b"",
            )
    expected = ["<in-1@example.com>"] + [
        f"<out-{ticket.pk}-{i}@palier.localhost>" for i in range(3, 11)
    ]
    assert _thread(ticket) == (expected[-1], expected)
    assert _thread(other)[1] == [f"<out-{other.pk}-{i}@palier.localhost>" for i in range(3, 11)]


def test_the_hourly_cap_counts_this_hours_automatic_mails_to_that_recipient(world, settings):
    import datetime as dt

    from django.utils import timezone

    from palier.mailgateway.outbound import _over_cap

    settings.PALIER_MAIL_MAX_REPLIES_PER_HOUR = 2

    def sent(kind, recipient="anna.a@example.com", age_minutes=0):
        out = OutboundMessage.objects.create(
            kind=kind,
            message_id=f"<{OutboundMessage.objects.count()}@palier.localhost>",
            recipient=recipient,
            raw=b"",
        )
        created = timezone.now() - dt.timedelta(minutes=age_minutes)
        OutboundMessage.objects.filter(pk=out.pk).update(created_at=created)

    assert not _over_cap("created", "anna.a@example.com")
    sent("created")
    sent("reply")  # not automatic
    sent("created", age_minutes=61)  # an hour ago
    sent("refused", recipient="other@example.com")
    assert not _over_cap("created", "anna.a@example.com")
    sent("unknown_sender")
    assert _over_cap("created", "anna.a@example.com")
    assert _over_cap("refused", "anna.a@example.com")
    assert not _over_cap("reply", "anna.a@example.com")  # people's mail is never capped
    assert not _over_cap("created", "other@example.com")
    settings.PALIER_MAIL_MAX_REPLIES_PER_HOUR = 0
    assert _over_cap("created", "nobody@example.com")


def test_the_access_notice_is_in_the_mails_language_else_the_desks(world, smtp, settings):
    """A mail without Content-Language (or in English) got a notice in a literal English."""
    settings.LANGUAGE_CODE = "de"
    heads = {"a": "", "b": "Content-Language: fr\r\n", "c": "Content-Language: en\r\n"}
    for who, head in heads.items():
        ingest(
            f"From: {who}@unknown.example\r\nSubject: Hi\r\nMessage-ID: <{who}@x.example>\r\n"
            f"{head}\r\nHow do I print?\r\n".encode(),
            "test",
        )
    subjects = {
        o.recipient: o.subject for o in OutboundMessage.objects.filter(kind="unknown_sender")
    }
    assert subjects == {
        "a@unknown.example": "Ihre Nachricht an unseren Support: Hi",
        "b@unknown.example": "Votre message à notre support : Hi",
        "c@unknown.example": "Your message to our support: Hi",
    }
