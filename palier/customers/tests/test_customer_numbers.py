"""A customer's number in the vendor's ERP: set through the API, unique when given."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_customer_number_is_set_read_and_unique(world, api):
    manager = api(world.manager)
    r = manager.post("/customers", {"code": "jura", "name": "Jura SA", "reference": "20001"})
    assert r.status_code == 201 and r.json()["reference"] == "20001"
    again = manager.post("/customers", {"code": "jura-2", "name": "Jura 2", "reference": "20001"})
    assert again.status_code == 409
    blank = manager.post("/customers", {"code": "nonum", "name": "No number"})
    blank2 = manager.post("/customers", {"code": "nonum-2", "name": "No number either"})
    assert blank.status_code == blank2.status_code == 201  # many customers have none
    r = manager.patch(f"/customers/{blank.json()['id']}", {"reference": "20002"})
    assert r.status_code == 200 and r.json()["reference"] == "20002"
