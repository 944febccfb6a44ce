"""An invitation: a set-password link by mail (sent after commit over real SMTP), expiring
and single-use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from palier.people.actions import do_create_person, do_invite
from palier.people.models import Invitation, InvitationState, hash_key

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/invitation/([\w-]+)/")


def _invite(world, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return do_create_person(
            acting_user=world.manager,
            email=fields.pop("email", "nina@alpenkaese.ch"),
            role="contact",
            customer=world.customer_a,
            first_name="Nina",
            invite=True,
            **fields,
        )


def _key(sink, address: str) -> str:
    body = sink.to(address)[-1].get_body(("plain",)).get_content()
    return LINK.search(body).group(1)


def test_the_invitation_goes_out_after_commit_in_the_persons_language(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    user = _invite(world, django_capture_on_commit_callbacks, language="fr")
    [message] = smtp_sink.to("nina@alpenkaese.ch")
    assert "Votre accès" in message["Subject"]
    key = _key(smtp_sink, "nina@alpenkaese.ch")
    invitation = Invitation.objects.get(user=user)
    assert invitation.state == InvitationState.SENT
    assert invitation.key_hash == hash_key(key)  # the link itself is not stored
    assert key not in str(Invitation.objects.values().get(pk=invitation.pk))


def test_the_link_sets_the_password_once(world, smtp_sink, django_capture_on_commit_callbacks):
    _invite(world, django_capture_on_commit_callbacks)
    key = _key(smtp_sink, "nina@alpenkaese.ch")
    client = Client()
    page = client.get(reverse("web:invitation", args=[key]))
    assert page.status_code == 200 and "Nina" in page.content.decode()
    weak = client.post(
        reverse("web:invitation", args=[key]),
        {"new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200 and "form-field--error" in weak.content.decode()
    good = "Glacier-Fondue-2026"
    done = client.post(
        reverse("web:invitation", args=[key]), {"new_password1": good, "new_password2": good}
    )
    assert done.status_code == 302 and done["Location"] == reverse("web:login")
    assert Client().login(username="nina@alpenkaese.ch", password=good)
    again = Client().get(reverse("web:invitation", args=[key]))
    assert again.status_code == 410


def test_the_link_expires(world, smtp_sink, django_capture_on_commit_callbacks, settings):
    settings.PALIER_INVITATION_DAYS = 2
    _invite(world, django_capture_on_commit_callbacks)
    key = _key(smtp_sink, "nina@alpenkaese.ch")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2, minutes=1)):
        assert Client().get(reverse("web:invitation", args=[key])).status_code == 410


def test_a_new_invitation_voids_the_earlier_link(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    user = _invite(world, django_capture_on_commit_callbacks)
    first = _key(smtp_sink, "nina@alpenkaese.ch")
    with django_capture_on_commit_callbacks(execute=True):
        do_invite(user, acting_user=world.manager)
    second = _key(smtp_sink, "nina@alpenkaese.ch")
    assert first != second
    assert Client().get(reverse("web:invitation", args=[first])).status_code == 410
    assert Client().get(reverse("web:invitation", args=[second])).status_code == 200


def test_no_mail_leaves_before_commit_or_when_the_transaction_rolls_back(world, smtp_sink):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        do_create_person(
            acting_user=world.manager,
            email="ghost@alpenkaese.ch",
            role="contact",
            customer=world.customer_a,
            invite=True,
        )
        raise RuntimeError("rolled back")
    assert smtp_sink.to("ghost@alpenkaese.ch") == []


def test_a_refused_send_marks_the_invitation_failed(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.refuse = "550 5.1.1 No such mailbox"
    user = _invite(world, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user=user)
    assert invitation.state == InvitationState.FAILED and invitation.key_hash is None
    assert "550" in invitation.error


def test_a_deactivated_persons_link_opens_nothing(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    from palier.people.actions import do_deactivate

    user = _invite(world, django_capture_on_commit_callbacks)
    key = _key(smtp_sink, "nina@alpenkaese.ch")
    do_deactivate(user, acting_user=world.manager)
    assert Client().get(reverse("web:invitation", args=[key])).status_code == 410


def test_the_invitation_page_speaks_the_persons_language_unless_they_chose_another(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    _invite(world, django_capture_on_commit_callbacks, language="fr")
    key = _key(smtp_sink, "nina@alpenkaese.ch")
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US").get(reverse("web:invitation", args=[key]))
    assert "Choisissez votre mot de passe" in page.content.decode()
    chosen = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    chosen.cookies["django_language"] = "de"
    assert "Passwort" in chosen.get(reverse("web:invitation", args=[key])).content.decode()
