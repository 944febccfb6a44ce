"""Data out: export a desk, restore it into an empty one, export again: the same file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from palier.billing.invoicing import do_run_billing
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.customers.models import Contract, Module
from palier.exports.desk import write_csv_zip, write_jsonl
from palier.exports.restore import NotEmpty, restore
from palier.imports.past.actions import process
from palier.testing.factories import make_customization, make_ticket
from palier.tickets.actions import do_add_message, do_diagnose
from palier.tickets.models import Ticket

SAMPLES = Path(__file__).parents[2] / "imports" / "tests" / "samples"


def _desk(world) -> None:
    world.customer_a.reference = "10042"
    world.customer_a.save()
    Contract.objects.get(customer=world.customer_a).modules.set(Module.objects.all()[:2])
    make_customization(world.customer_a, "Sales", 'Order line: column "Zone"', "vendor")
    ticket = make_ticket(world.contact_a, "malfunction", "Invoice run stops: error 4711")
    do_add_message(ticket, acting_user=world.agent, body="Please send the log.", internal=False)
    do_add_message(ticket, acting_user=world.agent, body="=cmd|' /C calc'!A0", internal=True)
    do_diagnose(ticket, "customer_manipulation", acting_user=world.agent, note="Manual edit.")
    billed = open_ticket(world.customer_a, world.contact_a)
    accepted_estimate(billed, world.consultant, world.contact_a)
    log(billed, world.consultant, 90)
    from django.utils import timezone

    today = timezone.localdate()
    do_run_billing(acting_user=world.manager, period_start=today, period_end=today)
    with (SAMPLES / "jira_service_management.csv").open("rb") as f:
        process("jira", [("jira.csv", f)], {}, write=True, acting_user=world.manager)
    from palier.satisfaction.surveys import do_answer_survey, send_survey

    survey = send_survey(ticket, event=None, now=timezone.now())
    do_answer_survey(survey, score=1, comment="Too slow.", via="link")


def _export() -> str:
    out = io.StringIO()
    write_jsonl(out)
    return out.getvalue()


def _empty_the_desk() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticket_search")
    call_command("flush", interactive=False, verbosity=0, allow_cascade=True)


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
@pytest.mark.usefixtures("transactional_db_with_search")
def test_a_desk_exported_and_restored_into_an_empty_one_exports_the_same(world):
    _desk(world)
    first = _export()
    counts = {}
    for line in first.splitlines()[1:]:
        label = json.loads(line)["model"]
        counts[label] = counts.get(label, 0) + 1
    for label in ("customers.customer", "customers.contract", "tickets.ticket",
                  "tickets.message", "tickets.decision", "billing.timeentry",
                  "billing.invoice", "billing.invoiceline", "imports.importedticket",
                  "satisfaction.survey", "satisfaction.followup"):  # fmt: skip
        assert counts.get(label), label
    assert '"password"' not in first
    with pytest.raises(NotEmpty):
        restore(io.StringIO(first))

    _empty_the_desk()
    assert Ticket.objects.count() == 0
    restored = restore(io.StringIO(first))
    assert restored["tickets.ticket"] == counts["tickets.ticket"]
    second = _export()
    assert second == first

    agent = Client()
    from palier.accounts.models import User

    user = User.objects.get(username="lena.agent")
    assert not user.has_usable_password()  # passwords never leave a desk
    agent.force_login(user)
    found = agent.get("/api/v1/tickets", {"q": "4711"}).json()["items"]
    assert {t["subject"] for t in found} >= {"Invoice run stops: error 4711"}
    assert [
        t["subject"] for t in agent.get("/api/v1/tickets", {"q": "SD-102"}).json()["items"]
    ] == ["How do I reverse a posted invoice?"]
    new = make_ticket(User.objects.get(username="anna.a"), "usage", "After the restore")
    assert new.pk > max(json.loads(line)["pk"] for line in first.splitlines()[1:]
                        if json.loads(line)["model"] == "tickets.ticket")  # fmt: skip


@pytest.mark.django_db
def test_the_csv_export_is_one_file_per_kind_and_safe_against_formulas(world):
    ticket = make_ticket(world.contact_a, "usage", "@SUM(A1:A9) looks odd")
    do_add_message(ticket, acting_user=world.agent, body='=HYPERLINK("http://x")', internal=True)
    buffer = io.BytesIO()
    write_csv_zip(buffer)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    assert {"tickets.ticket.csv", "tickets.message.csv", "customers.customer.csv",
            "billing.invoice.csv"} <= set(archive.namelist())  # fmt: skip
    tickets = archive.read("tickets.ticket.csv").decode("utf-8-sig")
    messages = archive.read("tickets.message.csv").decode("utf-8-sig")
    assert "'@SUM(A1:A9) looks odd" in tickets
    assert "'=HYPERLINK" in messages and "\n=HYPERLINK" not in messages
    assert "password" not in archive.read("accounts.user.csv").decode("utf-8-sig").splitlines()[0]


@pytest.mark.django_db
def test_the_export_endpoint_and_screen_are_for_managers_and_audited(world, api):
    from palier.audit.models import AuditEntry

    assert api(world.agent).get("/export").status_code == 403
    r = api(world.manager).get("/export")
    assert r.status_code == 200 and r["Content-Type"] == "application/x-ndjson"
    lines = b"".join(r.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["palier_export"] == 1
    r = api(world.manager).get("/export", format="csv")
    assert r["Content-Type"] == "application/zip"
    assert AuditEntry.objects.filter(action="desk.exported").count() == 2
    client = Client()
    client.force_login(world.manager)
    assert client.get("/manage/export/").status_code == 200
    download = client.post("/manage/export/csv/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    agent = Client()
    agent.force_login(world.agent)
    assert agent.post("/manage/export/jsonl/").status_code == 404


def test_every_model_of_palier_is_exported_unless_left_out_with_a_reason():
    from django.apps import apps

    from palier.exports.models_list import EXCLUDED, EXCLUDED_APPS, desk_models

    exported = {m._meta.label_lower for m in desk_models()}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("palier.") or model._meta.proxy:
            continue
        assert label in exported or label in EXCLUDED or model._meta.app_label in EXCLUDED_APPS, (
            label
        )
    assert {"satisfaction.survey", "satisfaction.followup"} <= exported
