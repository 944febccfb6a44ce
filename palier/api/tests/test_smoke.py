def test_contact_opens_a_feature_request_and_reads_why_it_is_billable(world, api):
    client = api(world.contact_a)
    r = client.post("/tickets", {"type": "feature", "subject": "Birthday field", "module_id": None})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == 2 and body["billable"] is True and body["reason"] == "feature_request"
    assert body["reference"].startswith("PAL-")
    assert "CHF 185.00" in body["explanation"]["why_billable"]


def test_expired_contract_is_refused_with_its_end_date(world, api):
    r = api(world.contact_expired).post("/tickets", {"type": "usage", "subject": "Help"})
    assert r.status_code == 403
    err = r.json()["error"]
    assert err["code"] == "expired"
    assert err["details"]["date"]
