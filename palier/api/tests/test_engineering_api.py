"""The R&D endpoints: staff only, contacts of another customer get 404, bounded queries."""

from __future__ import annotations

from palier.customers.models import Product, ProductVersion
from palier.engineering.models import Defect
from palier.engineering.tests.helpers import escalated, malfunction
from palier.testing.factories import module


def test_an_agent_escalates_a_malfunction_with_a_new_defect_over_the_api(world, api):
    ticket = malfunction(world.contact_a, "Error 4711 on delivery notes")
    response = api(world.agent).post(
        f"/tickets/{ticket.pk}/escalation",
        {
            "new_defect": {"title": "Delivery note fails with 4711", "severity": "high"},
            "note": "Reproduced",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["module"] == "Finance" and body["affected_versions"] == ["11.3.1"]
    assert [t["id"] for t in body["tickets"]] == [ticket.pk]
    assert api(world.agent).get(f"/tickets/{ticket.pk}").json()["status"] == "with_rnd"


def test_escalating_needs_a_defect_or_a_new_one(world, api):
    ticket = malfunction(world.contact_a, "Error 4711")
    response = api(world.agent).post(f"/tickets/{ticket.pk}/escalation", {"note": "?"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "defect_required"


def test_contacts_never_see_defects_or_patches(world, api):
    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    client = api(world.contact_a)
    assert client.get(f"/defects/{defect.pk}").status_code == 404
    assert client.get("/defects").status_code == 404
    assert client.get("/defects/similar", text="4711").status_code == 404
    ticket = malfunction(world.contact_a, "Error 4711 again")
    response = client.post(f"/tickets/{ticket.pk}/escalation", {"defect_id": defect.pk})
    assert response.status_code == 403


def test_the_defect_list_pages_with_a_fixed_number_of_queries(
    world, api, django_assert_max_num_queries
):
    for index in range(12):
        escalated(
            malfunction(world.contact_a, f"Error {index}"),
            world.agent,
            title=f"Defect number {index}",
        )
    client = api(world.rnd)
    with django_assert_max_num_queries(6):
        first = client.get("/defects", limit=5, open="true").json()
    assert len(first["items"]) == 5 and first["items"][0]["ticket_count"] == 1
    second = client.get("/defects", limit=5, open="true", cursor=first["next_cursor"]).json()
    assert {d["id"] for d in first["items"]}.isdisjoint({d["id"] for d in second["items"]})


def test_similar_defects_endpoint_ranks_the_known_issue_first(world, api):
    known = escalated(
        malfunction(world.contact_a, "x"),
        world.agent,
        title="Delivery note printing fails with error 4711",
    )
    version = ProductVersion.objects.get(number="11.3.1")
    response = api(world.agent).get(
        "/defects/similar",
        text="error 4711 when printing",
        module_id=module("Finance").pk,
        version_id=version.pk,
    )
    assert response.status_code == 200
    assert [d["id"] for d in response.json()] == [known.pk]


def test_release_over_the_api_then_the_contact_asks_for_deployment(
    world, api, django_capture_on_commit_callbacks
):
    ticket = malfunction(world.contact_a, "Error 4711")
    defect = escalated(ticket, world.agent)
    rnd = api(world.rnd)
    created = rnd.post(
        "/patches",
        {
            "product_id": Product.objects.get(code="erp").pk,
            "number": "11.3.2",
            "defect_ids": [defect.pk],
        },
    )
    assert created.status_code == 201, created.content
    patch_id = created.json()["id"]
    assert api(world.agent).post(f"/patches/{patch_id}/release").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        released = rnd.post(f"/patches/{patch_id}/release")
    assert released.status_code == 200
    body = released.json()
    assert body["notified_ticket_ids"] == [ticket.pk]
    assert {c["customer"] for c in body["customers_on_older_versions"]} >= {"Alpenkäse AG"}
    assert rnd.post(f"/patches/{patch_id}/release").json()["notified_ticket_ids"] == []
    notes = rnd.get(f"/patches/{patch_id}/release-notes", lang="de").json()
    assert defect.title in notes["text"]

    assert (
        api(world.contact_b).post(f"/tickets/{ticket.pk}/patch-deployment", {}).status_code == 404
    )
    asked = api(world.contact_a).post(
        f"/tickets/{ticket.pk}/patch-deployment", {"note": "This weekend please"}
    )
    assert asked.status_code == 201, asked.content
    new_id = asked.json()["ticket_id"]
    mine = api(world.contact_a).get(f"/tickets/{new_id}").json()
    assert "11.3.2" in mine["subject"]


def test_unknown_ids_answer_404_not_500(world, api):
    client = api(world.rnd)
    assert client.get("/defects/999999").status_code == 404
    assert client.get("/patches/999999").status_code == 404
    assert (
        client.post(
            "/patches", {"product_id": 1, "number": "9.9", "defect_ids": [424242]}
        ).status_code
        == 404
    )
    assert not Defect.objects.exists()


def test_release_notes_without_lang_are_in_the_readers_language_else_the_desks(
    world, api, settings
):
    """`lang` defaulted to a literal English whatever the reader's profile or the desk's."""
    from palier.accounts.models import User

    defect = escalated(malfunction(world.contact_a, "Error 4711"), world.agent)
    rnd = api(world.rnd)
    erp = Product.objects.get(code="erp").pk
    created = rnd.post(
        "/patches", {"product_id": erp, "number": "11.3.2", "defect_ids": [defect.pk]}
    )
    patch_id = created.json()["id"]
    User.objects.filter(pk=world.rnd.pk).update(language="fr")
    assert rnd.get(f"/patches/{patch_id}/release-notes").json()["language"] == "fr"
    assert rnd.get(f"/patches/{patch_id}/release-notes", lang="it").json()["language"] == "it"
    said = rnd.get(f"/patches/{patch_id}/release-notes", lang="xx").json()
    assert said["language"] == "fr" and "Corrigé dans cette version" in said["text"]
    settings.LANGUAGE_CODE = "de"
    User.objects.filter(pk=world.rnd.pk).update(language="")
    assert rnd.get(f"/patches/{patch_id}/release-notes").json()["language"] == "de"
