import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from palier.billing.tests.helpers import open_ticket
from palier.tickets.models import Ticket

TODAY = timezone.localdate


def propose(api, world, ticket, hours="4"):
    return api(world.consultant).post(
        f"/tickets/{ticket.pk}/estimates",
        {"hours": hours, "activity": "consulting", "text": "Add the column"},
    )


@pytest.mark.django_db
def test_consent_flow_through_the_api(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a)
    response = propose(api, world, ticket)
    assert response.status_code == 201, response.content
    estimate = response.json()
    assert estimate["status"] == "proposed"
    assert estimate["amount_display"] == "CHF 740.00"

    contact = api(world.contact_a)
    listed = contact.get(f"/tickets/{ticket.pk}/estimates").json()
    assert [e["id"] for e in listed] == [estimate["id"]]
    accepted = contact.post(f"/estimates/{estimate['id']}/accept")
    assert accepted.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    again = contact.post(f"/estimates/{estimate['id']}/decline", {"reason": "no"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "estimate_not_pending"


@pytest.mark.django_db
def test_hours_and_amounts_come_back_as_stored_whatever_their_spelling(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(api, world, ticket, hours="1E+1").json()
    assert estimate["hours"] == "10.00"
    assert api(world.contact_a).get(f"/tickets/{ticket.pk}/estimates").json()[0]["hours"] == "10.00"
    contract = world.customer_a.contracts.get()
    patched = api(world.manager).patch(f"/contracts/{contract.pk}", {"prepaid_hours": "2.5"})
    assert patched.json()["prepaid_hours"] == "2.50", patched.content


@pytest.mark.django_db
def test_another_customers_estimate_is_not_found(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(api, world, ticket).json()
    outsider = api(world.contact_b)
    assert outsider.get(f"/estimates/{estimate['id']}").status_code == 404
    assert outsider.post(f"/estimates/{estimate['id']}/accept").status_code == 404
    assert outsider.get(f"/tickets/{ticket.pk}/estimates").status_code == 404


@pytest.mark.django_db
def test_bad_input_answers_422_never_500(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a)
    consultant = api(world.consultant)
    for payload in (
        {"hours": "-1", "text": "x"},
        {"hours": "abc", "text": "x"},
        {"hours": "2", "text": "x", "activity": "golf"},
        {"hours": "2"},
    ):
        response = consultant.post(f"/tickets/{ticket.pk}/estimates", payload)
        assert response.status_code == 422, (payload, response.content)
    response = consultant.post(f"/tickets/{ticket.pk}/time-entries", {"minutes": 99999})
    assert response.status_code == 422


@pytest.mark.django_db
def test_time_past_consent_and_invoiced_time_answer_409_with_codes(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a)
    consultant = api(world.consultant)
    refused = consultant.post(f"/tickets/{ticket.pk}/time-entries", {"minutes": 30})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "consent_required"
    estimate = propose(api, world, ticket).json()
    api(world.contact_a).post(f"/estimates/{estimate['id']}/accept")
    entry = consultant.post(
        f"/tickets/{ticket.pk}/time-entries", {"minutes": 90, "note": "Built it"}
    ).json()
    assert entry["billable"] is True and entry["rate"] == "185.00"
    manager = api(world.manager)
    run = manager.post("/billing-runs", {"period_start": str(TODAY()), "period_end": str(TODAY())})
    assert run.status_code == 201
    locked = consultant.client.patch(
        f"/api/v1/time-entries/{entry['id']}", {"minutes": 10}, content_type="application/json"
    )
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "time_entry_invoiced"


@pytest.mark.django_db
def test_contacts_see_no_time_and_run_no_billing(world, api):
    contact = api(world.admin_a)
    assert contact.get("/time-entries").json()["items"] == []
    assert (
        contact.post(
            "/billing-runs", {"period_start": "2026-01-01", "period_end": "2026-01-31"}
        ).status_code
        == 403
    )
    assert (
        contact.get(
            "/reports/billing", period_start="2026-01-01", period_end="2026-01-31"
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_timer_through_the_api(world, api):
    ticket = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    agent = api(world.agent)
    assert (
        agent.post("/timer/start", {"ticket_id": ticket.pk, "activity": "support"}).status_code
        == 201
    )
    assert agent.get("/timer").json()["running"] is True
    busy = agent.post("/timer/start", {"ticket_id": ticket.pk})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "timer_running"
    stopped = agent.post("/timer/stop")
    assert stopped.status_code == 201 and stopped.json()["minutes"] == 1
    assert agent.get("/timer").json()["running"] is False


def billed_invoice(world, api, hours="2"):
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(api, world, ticket, hours=hours).json()
    api(world.contact_a).post(f"/estimates/{estimate['id']}/accept")
    api(world.consultant).post(f"/tickets/{ticket.pk}/time-entries", {"minutes": 60})
    manager = api(world.manager)
    [draft] = manager.post(
        "/billing-runs", {"period_start": str(TODAY()), "period_end": str(TODAY())}
    ).json()
    return manager, manager.post(f"/invoices/{draft['id']}/approve").json()


@pytest.mark.django_db
def test_invoices_are_numbered_exported_and_read_by_the_customer_admin_only(world, api):
    manager, invoice = billed_invoice(world, api)
    assert invoice["number"] == f"INV-{TODAY().year}-0001"
    assert invoice["total"] == "200.00"  # 185 + 14.985 VAT -> 15.00
    admin = api(world.admin_a)
    assert admin.get(f"/invoices/{invoice['id']}").status_code == 200
    assert api(world.contact_a).get(f"/invoices/{invoice['id']}").status_code == 404
    assert api(world.contact_b).get(f"/invoices/{invoice['id']}").status_code == 404

    pdf = admin.get(f"/invoices/{invoice['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    period = {"period_start": str(TODAY() - dt.timedelta(days=1)), "period_end": str(TODAY())}
    csv = manager.get("/exports/invoices.csv", **period)
    assert invoice["number"] in csv.content.decode()
    xlsx = manager.get("/exports/invoices.xlsx", **period)
    assert xlsx.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header, line = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    row = dict(zip(header, line, strict=True))
    assert row["number"] == invoice["number"] and row["invoice_total"] == 200
    assert isinstance(row["line_amount"], float | int)  # a number a spreadsheet sums
    assert manager.get("/exports/invoices.pdf", **period).status_code == 404
    erp = manager.get("/erp/invoices").json()
    assert [d["number"] for d in erp["items"]] == [invoice["number"]]
    assert manager.get("/erp/invoices", after=erp["last"]).json()["items"] == []


@pytest.mark.django_db
def test_invoice_list_costs_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    manager, _invoice = billed_invoice(world, api)
    billed_invoice(world, api)
    with django_assert_max_num_queries(6):
        response = manager.get("/invoices")
    assert len(response.json()["items"]) == 2


@pytest.mark.django_db
def test_the_report_shows_hours_revenue_and_level_one_cost(world, api):
    billed_invoice(world, api)
    included = open_ticket(world.customer_a, world.contact_a, request_type="usage")
    api(world.agent).post(
        f"/tickets/{included.pk}/time-entries", {"minutes": 45, "activity": "support"}
    )
    report = (
        api(world.manager)
        .get("/reports/billing", period_start=str(TODAY()), period_end=str(TODAY()))
        .json()
    )
    assert report["by_customer"] == [
        {
            "customer": "Alpenkäse AG",
            "billable_hours": "1.00",
            "prepaid_hours": "0.00",
            "revenue": "185.00",
        }
    ]
    assert report["unbilled_level1"][0]["hours"] == "0.75"
    assert report["estimates"]["accepted"] == 1
    assert report["by_month"][0]["level1_hours"] == "0.75"


@pytest.mark.django_db
def test_odd_ids_and_cursors_answer_4xx(world, api):
    manager = api(world.manager)
    for path in (
        "/estimates/99999999999999999999",
        "/invoices/99999999999999999999",
        "/invoices/-1",
        "/time-entries/0",
    ):
        assert manager.get(path).status_code in (404, 405, 422), path
    assert manager.get("/time-entries", cursor="zzz").status_code == 400
    assert manager.get("/invoices", limit=0).status_code == 422
    assert (
        manager.get(
            "/reports/billing", period_start="2026-13-01", period_end="2026-01-01"
        ).status_code
        == 422
    )
    assert api(world.agent).get("/invoices").json()["items"] == []


@pytest.mark.django_db
def test_the_billing_endpoints_are_in_the_openapi_document(world, api):
    response = api(world.manager).get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/tickets/{ticket_id}/estimates" in paths
    assert "/api/v1/consent-links/{token}/accept" in paths


@pytest.mark.django_db
def test_every_row_of_the_erp_export_multiplies_out(world, api):
    import csv as csv_module
    import io
    from decimal import Decimal

    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(api, world, ticket, hours="2").json()
    api(world.contact_a).post(f"/estimates/{estimate['id']}/accept")
    api(world.consultant).post(f"/tickets/{ticket.pk}/time-entries", {"minutes": 40})
    manager = api(world.manager)
    [draft] = manager.post(
        "/billing-runs", {"period_start": str(TODAY()), "period_end": str(TODAY())}
    ).json()
    manager.post(f"/invoices/{draft['id']}/approve")
    period = {"period_start": str(TODAY()), "period_end": str(TODAY())}
    text = manager.get("/exports/invoices.csv", **period).content.decode("utf-8-sig")
    [row] = list(csv_module.DictReader(io.StringIO(text)))
    assert row["line_hours"] == "0.67"  # worked: 40 minutes
    assert row["line_unit"] == "h" and row["line_quantity"] == "0.70"  # billed in 0.05 h
    amount = Decimal(row["line_quantity"]) * Decimal(row["line_rate"])
    assert amount == Decimal(row["line_amount"])


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", {}, {"reason": "too dear"}])  # "": no body at all
def test_a_decline_by_a_role_that_may_not_answer_is_403_before_its_body_as_accept(world, api, body):
    """Without a body a manager's decline answered 422 (the body was read first) while the
    same manager's accept answered 403; a contact declines without a body, no reason."""
    ticket = open_ticket(world.customer_a, world.contact_a)
    estimate = propose(api, world, ticket).json()
    manager = api(world.manager)
    for verb in ("accept", "decline"):
        r = manager.post(f"/estimates/{estimate['id']}/{verb}", body)
        assert r.status_code == 403, (verb, r.content)
        assert r.json()["error"]["code"] == "not_allowed"
    declined = api(world.contact_a).post(f"/estimates/{estimate['id']}/decline", body)
    assert declined.status_code == 200, declined.content
    assert declined.json()["status"] == "declined"
