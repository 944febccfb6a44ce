"""The staff quarantine API: list, read, reprocess; contacts see none of it."""

from __future__ import annotations

from palier.mailgateway.actions import ingest
from palier.testing.factories import make_user


def _quarantine(n: int) -> list:
    return [
        ingest(
            f"From: s{i}@unknown.example\r\nSubject: Hi {i}\r\nMessage-ID: <q{i}@x.example>"
            f"\r\nAuto-Submitted: auto-generated\r\n\r\nHello {i}\r\n".encode(),
            "test",
        )
        for i in range(n)
    ]


def test_staff_page_through_the_quarantine_newest_first_in_fixed_queries(
    world, smtp, api, django_assert_max_num_queries
):
    raws = _quarantine(5)
    client = api(world.agent)
    with django_assert_max_num_queries(6):
        page = client.get("/mail/quarantine", limit=3).json()
    assert [item["id"] for item in page["items"]] == [r.pk for r in raws[::-1][:3]]
    assert page["items"][0]["error_code"] == "unknown_sender"
    rest = client.get("/mail/quarantine", limit=3, cursor=page["next_cursor"]).json()
    assert [item["id"] for item in rest["items"]] == [r.pk for r in raws[::-1][3:]]
    assert rest["next_cursor"] is None


def test_staff_read_a_quarantined_message_with_its_headers_and_reprocess_it(world, smtp, api):
    [raw] = _quarantine(1)
    client = api(world.agent)
    detail = client.get(f"/mail/messages/{raw.pk}").json()
    assert ["Subject", "Hi 0"] in detail["headers"]
    make_user("s0", customer=world.customer_a).__class__.objects.filter(username="s0").update(
        email="s0@unknown.example"
    )
    done = client.post(f"/mail/messages/{raw.pk}/reprocess").json()
    assert (done["state"], done["outcome"]) == ("processed", "new_ticket")
    again = client.post(f"/mail/messages/{raw.pk}/reprocess")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_quarantined"


def test_contacts_cannot_see_or_reprocess_the_quarantine(world, smtp, api):
    [raw] = _quarantine(1)
    client = api(world.contact_a)
    assert client.get("/mail/quarantine").status_code == 403
    assert client.get(f"/mail/messages/{raw.pk}").status_code == 404
    assert client.post(f"/mail/messages/{raw.pk}/reprocess").status_code == 404


def test_an_unknown_message_id_is_a_json_404(world, api):
    response = api(world.agent).get("/mail/messages/999999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_quarantine_says_what_to_do_in_the_readers_language(world, smtp, api):
    from django.utils import translation

    world.agent.language = "fr"
    world.agent.save(update_fields=["language"])
    # English: the language of the process that read the mail; the override also ends the
    # French the requests activate, for the tests after this one.
    with translation.override("en"):
        [raw] = _quarantine(1)
        item = api(world.agent).get("/mail/quarantine").json()["items"][0]
        detail = api(world.agent).get(f"/mail/messages/{raw.pk}").json()
    assert raw.error.startswith("No contact has the address")
    assert item["error"].startswith("Aucun contact n’a l’adresse s0@unknown.example")
    assert detail["error"] == item["error"]


def test_a_processing_failure_keeps_its_technical_detail_in_any_language(world):
    from django.utils import translation

    from palier.mailgateway.labels import advice
    from palier.mailgateway.models import RawMessage

    with translation.override("en"):
        from palier.mailgateway.actions import _failure_text

        stored = _failure_text(ValueError("bad (nested) thing"))
    raw = RawMessage(state="quarantined", error_code="processing_error", error=stored)
    with translation.override("de"):
        text = advice(raw)
    assert "ValueError: bad (nested) thing" in text and not text.startswith("Processing")
