"""The patch mail: the version to install, the release notes, and where to ask us to deploy it
(sent to a real SMTP server on loopback)."""

from __future__ import annotations

from palier.engineering.actions import do_release_patch
from palier.engineering.tests.helpers import planned_patch


def _release(world, django_capture_on_commit_callbacks):
    ticket, defect, patch = planned_patch(world, "Lieferschein: Fehler 4711 beim Drucken")
    with django_capture_on_commit_callbacks(execute=True):
        do_release_patch(patch, acting_user=world.rnd)
    return ticket, defect


def test_the_patch_mail_carries_the_release_notes_and_the_link_to_ask_for_the_deployment(
    world, smtp, django_capture_on_commit_callbacks
):
    ticket, defect = _release(world, django_capture_on_commit_callbacks)
    [mail] = smtp.to("anna.a@example.com")
    assert mail["Subject"] == f"[{ticket.reference}] {ticket.subject}"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    page = f"http://localhost:8000/portal/requests/{ticket.pk}/#patch"
    for body in (plain, html):
        assert "11.3.2" in body
        assert f"{defect.reference} Finance: {defect.title}" in body  # the release notes
        assert "Restart the print service after installing." in body
        assert page in body
    assert f'href="{page}"' in html


def test_the_patch_mail_reaches_the_contact_once_and_no_other_customer(
    world, smtp, django_capture_on_commit_callbacks
):
    ticket, _defect = _release(world, django_capture_on_commit_callbacks)
    patch = ticket.defect_link.defect.fixed_in
    with django_capture_on_commit_callbacks(execute=True):
        do_release_patch(patch, acting_user=world.rnd)  # a retried release
    assert len(smtp.to("anna.a@example.com")) == 1
    assert smtp.to("bruno.b@example.com") == []
