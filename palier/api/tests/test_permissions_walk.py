"""Every write of the API, tried as every role, answers as the permission table says.

The walk is built from the OpenAPI document: each write names its row of the table
(`x-palier-permission`). A role the row leaves out gets 403 `not_allowed` naming the row (a
contact may get 404 for a staff object they cannot see) and nothing is written; a role the
row allows is never refused by the table (the answer may still be a 409 or a 422 for the
walk's plain body). Each call runs in a savepoint rolled back afterwards, so that every role
meets the same objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from palier.accounts.models import Role
from palier.accounts.permissions import TABLE, Permission, column_of
from palier.api.doors import SIGNED_LINK
from palier.api.main import api as ninja_api
from palier.api.tests.test_access import _resolve, sample
from palier.audit.models import AuditEntry
from palier.billing.actions import do_propose_estimate
from palier.billing.invoicing import do_run_billing
from palier.billing.models import Estimate, Invoice, TimeEntry
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket
from palier.customers.models import Contract, Customer, Customization, Product, ProductVersion
from palier.engineering.models import Defect, Patch
from palier.engineering.tests.helpers import escalated, malfunction, plan_patch
from palier.mailgateway.actions import ingest
from palier.testing.factories import make_customization, make_ticket, make_user, module
from palier.tickets.models import Message, Ticket, TicketEvent
from palier.webhooks.models import Webhook, WebhookDelivery

WRITES = ("post", "put", "patch", "delete")
PERSONAS = ("contact_a", "admin_a", "agent", "consultant", "rnd", "manager", "admin")
# Tables whose row count shows that a refused call wrote nothing.
WATCHED = (
    AuditEntry,
    Ticket,
    TicketEvent,
    Message,
    Estimate,
    TimeEntry,
    Invoice,
    Defect,
    Patch,
    Customer,
    Contract,
    Customization,
)


def write_operations() -> list[tuple[str, str, dict, dict]]:
    """(method, path, operation, components) of every write in the OpenAPI document."""
    schema = ninja_api.get_openapi_schema(path_prefix="")
    components = schema.get("components", {}).get("schemas", {})
    return [
        (method, path, op, components)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if method in WRITES
    ]


def object_url(path: str, ids: dict[str, Any]) -> str:
    """The address of the object a write names: `/invoices/{invoice_id}/approve` -> its GET."""
    head = path[: path.rindex("}") + 1] if "}" in path else path
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), head)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


# Values for fields whose schema has a pattern or a rule the plain sample does not meet.
FIELDS = {
    "code": "walk-co",
    "reference": "MC-WALK",
    "number": "11.3.9",
    "minutes": 15,
    "email": "walk.person@example.com",
    "url": "https://hooks.example.com/walk",
}


def body_for(op: dict, components: dict, ids: dict[str, Any]) -> Any:
    if "requestBody" not in op:
        return None
    content = op["requestBody"]["content"]
    media = content.get("application/json") or next(iter(content.values()))
    body = sample(media["schema"], components)
    if isinstance(body, dict):
        schema = _resolve(media["schema"], components)
        for key in schema.get("properties", {}):
            if key in ids:
                body[key] = ids[key]
            elif key in FIELDS:
                body[key] = FIELDS[key]
    return body


@pytest.fixture
def objects(world):
    """One object of customer A for every id a write names, reachable by A's contacts."""
    admin = make_user("ada.admin", Role.ADMIN)
    world.admin = admin
    feature = open_ticket(world.customer_a, world.contact_a)
    estimate = accepted_estimate(feature, world.consultant, world.contact_a, hours="20")
    entry = log(feature, world.consultant, 60)
    proposed = do_propose_estimate(
        open_ticket(world.customer_a, world.contact_a, subject="Another column"),
        acting_user=world.consultant,
        hours=Decimal("2"),
        text="Another column.",
    )
    log(feature, world.consultant, 30, date=dt.date.today() - dt.timedelta(days=40))
    today = dt.date.today()
    [invoice] = do_run_billing(
        acting_user=world.manager,
        period_start=today - dt.timedelta(days=60),
        period_end=today - dt.timedelta(days=30),
    )
    broken = malfunction(world.contact_a, "Delivery note print fails")
    defect = escalated(broken, world.agent)
    patch = plan_patch(world, defect)
    raw = ingest(
        b"From: walker@unknown.example\r\nSubject: Hi\r\nMessage-ID: <walk@x.example>"
        b"\r\nAuto-Submitted: auto-generated\r\n\r\nHello\r\n",
        "test",
    )
    ticket = make_ticket(world.contact_a, "usage", "Walk", visibility="shared")
    hook = Webhook.objects.create(url="https://hooks.example.com/walk", created_by=world.manager)
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event_kind="created", payload={}, state="failed"
    )
    a = world.customer_a
    ids = {
        "ticket_id": ticket.pk,
        "customer_id": a.pk,
        "contract_id": a.contracts.first().pk,
        "customization_id": make_customization(a, "Sales", "Angebot: Zone", "vendor").pk,
        "estimate_id": proposed.pk,
        "entry_id": entry.pk,
        "invoice_id": invoice.pk,
        "defect_id": defect.pk,
        "patch_id": patch.pk,
        "raw_id": raw.pk,
        "module_id": module("Sales").pk,
        "product_id": Product.objects.get(code="erp").pk,
        "defect_ids": [defect.pk],
        "contact_id": world.contact_a.pk,
        # People, catalogue and webhooks (movein): objects their writes name.
        "person_id": world.contact_a2.pk,
        "version_id": ProductVersion.objects.get(number="11.2.0").pk,
        "installation_id": a.installations.first().pk,
        "webhook_id": hook.pk,
        "delivery_id": delivery.pk,
    }
    assert estimate.status == "accepted" and proposed.status == "proposed"
    assert raw.state == "quarantined"
    return ids


def test_every_write_names_its_row_of_the_permission_table():
    for method, path, op, _components in write_operations():
        row = op.get("x-palier-permission")
        assert row == SIGNED_LINK or row in set(Permission), (method, path, row)


def test_every_write_as_every_role_answers_as_the_table_says(world, api, objects):
    clients = {name: api(getattr(world, name)) for name in PERSONAS}
    walked: set[tuple[str, str]] = set()
    refused = 0
    for method, path, op, components in write_operations():
        row = op.get("x-palier-permission")
        if row == SIGNED_LINK or row not in set(Permission):
            continue  # the test above names the operation that does not say its row
        permission = Permission(row)
        url = re.sub(r"{(\w+)}", lambda m: str(objects[m.group(1)]), path)
        body = body_for(op, components, objects)
        for name, client in clients.items():
            user = client.user
            with rolled_back():
                before = counts()
                c = client.client
                kwargs = {"content_type": "application/json"} if body is not None else {}
                args = (body,) if body is not None else ()
                r = getattr(c, method)(f"/api/v1{url}", *args, **kwargs)
                after = counts()
            where = (method.upper(), path, name, r.status_code, r.content[:300])
            assert r.status_code < 500, where
            error = r.json().get("error", {}) if r.content and r.status_code >= 400 else {}
            if column_of(user) in TABLE[permission]:
                assert error.get("code") != "not_allowed", where
            else:
                refused += 1
                if r.status_code == 404 or (r.status_code == 403 and "details" not in error):
                    # Refused before the action: the object is not theirs to see (a contact and
                    # staff data, a level-1 agent and invoices), which a read of it says too.
                    seen = c.get(f"/api/v1{object_url(path, objects)}").status_code
                    assert (user.is_contact and r.status_code == 404) or seen in (403, 404), where
                else:
                    assert r.status_code == 403, where
                    assert error["code"] == "not_allowed", where
                    assert error.get("details") == {"permission": row}, where
                assert before == after, where
        walked.add((method.upper(), path))
    must = {
        ("PATCH", "/contracts/{contract_id}"),
        ("PATCH", "/customers/{customer_id}"),
        ("POST", "/customizations"),
        ("POST", "/tickets/{ticket_id}/accept"),
        ("POST", "/time-entries/{entry_id}/billable"),
        ("POST", "/billing-runs"),
        ("POST", "/patches/{patch_id}/release"),
        ("POST", "/tickets/{ticket_id}/notes"),
        ("PATCH", "/tickets/{ticket_id}"),
        ("POST", "/estimates/{estimate_id}/accept"),
    }
    assert must <= walked, must - walked
    assert refused > 100


def test_a_customer_admin_and_the_requester_answer_estimates_but_not_staff(world, api, objects):
    estimate_id = objects["estimate_id"]
    r = api(world.agent).post(f"/estimates/{estimate_id}/accept")
    assert r.status_code == 403 and r.json()["error"]["details"] == {
        "permission": "estimate.answer"
    }
    r = api(world.admin_a).post(f"/estimates/{estimate_id}/accept")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
