"""The managers' screens: people, catalogue and imports, behind the manager door."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from palier.accounts.models import User
from palier.customers.models import Module, Product
from palier.imports.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    client = Client()
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    return client


def test_every_manage_screen_is_not_found_for_anyone_but_managers(world):
    urls = [
        reverse("web:manage:people"),
        reverse("web:manage:person_new"),
        reverse("web:manage:person", args=[world.contact_a.pk]),
        reverse("web:manage:catalogue"),
        reverse("web:manage:installations"),
        reverse("web:manage:imports"),
        reverse("web:manage:import_template", args=["customers", "de", "xlsx"]),
    ]
    for user in (world.agent, world.consultant, world.contact_a, world.admin_a):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code in (302, 404), (user, url)
    assert Client().get(urls[0]).status_code == 302  # to the sign-in page


def test_a_manager_adds_a_contact_and_invites_them(
    world, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("web:manage:person_new"),
            {
                "email": "nina@alpenkaese.ch",
                "first_name": "Nina",
                "role": "contact",
                "customer": world.customer_a.pk,
                "language": "de",
                "invite": "on",
            },
        )
    nina = User.objects.get(email="nina@alpenkaese.ch")
    assert response.status_code == 302 and response["Location"].endswith(f"/{nina.pk}/")
    page = manager.get(response["Location"]).content.decode()
    assert "Sent" in page and "Deactivate" in page


def test_a_contact_without_customer_is_shown_next_to_the_field(world, manager):
    response = manager.post(
        reverse("web:manage:person_new"),
        {"email": "x@alpenkaese.ch", "role": "contact", "language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-field--error" in html and "A contact belongs to a customer" in html


def test_deactivation_from_the_person_page(world, manager):
    response = manager.post(
        reverse("web:manage:person_action", args=[world.contact_a.pk, "deactivate"])
    )
    assert response.status_code == 302
    world.contact_a.refresh_from_db()
    assert not world.contact_a.is_active
    listing = manager.get(reverse("web:manage:people"), {"active": "0"}).content.decode()
    assert "anna.a@example.com" in listing


def test_the_people_list_has_a_fixed_number_of_queries(
    world, manager, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert manager.get(reverse("web:manage:people"), {"active": "all"}).status_code == 200


def test_the_catalogue_screen_sorts_versions_and_adds_a_module(world, manager):
    product = Product.objects.get(code="erp")
    manager.post(
        reverse("web:manage:version_new", args=[product.pk]),
        {"number": "11.10.0", "released_on": "2026-01-15"},
    )
    manager.post(reverse("web:manage:version_new", args=[product.pk]), {"number": "11.9.0"})
    html = manager.get(reverse("web:manage:catalogue")).content.decode()
    positions = [html.index(f">{n}<") for n in ("11.2.0", "11.3.1", "11.9.0", "11.10.0")]
    assert positions == sorted(positions)
    response = manager.post(
        reverse("web:manage:module_new", args=[product.pk]),
        {"code": "payroll", "name": "Payroll", "name_fr": "Salaires", "name_de": "Lohn"},
    )
    assert response.status_code == 302
    assert Module.objects.get(code="payroll").name_in("fr") == "Salaires"


def test_an_installation_is_recorded_and_removed(world, manager):
    version = Product.objects.get(code="erp").versions.get(number="11.2.0")
    response = manager.post(
        reverse("web:manage:installations"),
        {"customer": world.customer_b.pk, "version": version.pk, "environment": "test"},
    )
    assert response.status_code == 302
    installation = world.customer_b.installations.get(environment="test")
    manager.post(reverse("web:manage:installation_remove", args=[installation.pk]))
    assert not world.customer_b.installations.filter(environment="test").exists()


def test_the_import_screen_checks_then_imports(world, manager, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "Kundennummer;Name;Sprache\r\n30001;Neukunde AG;de\r\n30002;;de\r\n".encode("cp1252")
    response = manager.post(
        reverse("web:manage:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("kunden.csv", data)},
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.state == "checked"
    assert run.planned == {"create": 1, "update": 0, "unchanged": 0, "refused": 1}
    page = manager.get(reverse("web:manage:import_run", args=[run.pk])).content.decode()
    assert "This cell is empty." in page and "import-start" in page
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("web:manage:import_start", args=[run.pk]))
    run.refresh_from_db()
    # A row refused: the run ended with refusals, as the command's exit code 3 says.
    assert run.state == "partial" and run.result["create"] == 1
    page = manager.get(reverse("web:manage:import_run", args=[run.pk])).content.decode()
    assert "Ended with refusals" in page and ">Done<" not in page
    assert "1 row was refused and not imported" in page
    problems = manager.get(reverse("web:manage:import_problems", args=[run.pk]))
    assert problems["Content-Type"].startswith("text/csv")


def test_templates_come_in_the_four_languages(world, manager):
    from palier.imports.files import read_table

    for language, header in (("fr", "Numéro de client *"), ("de", "Kundennummer *"),
                             ("it", "Numero cliente *"), ("en", "Customer number *")):  # fmt: skip
        for fmt in ("csv", "xlsx"):
            response = manager.get(
                reverse("web:manage:import_template", args=["customers", language, fmt])
            )
            assert response.status_code == 200
            assert read_table(response.content, f"t.{fmt}").headers[0] == header


def test_the_problems_download_is_safe_against_formulas(world, manager):
    run = ImportRun.objects.create(
        kind="customers",
        filename="x.csv",
        created_by=world.manager,
        problems=[{"line": 2, "column": "=cmd|' /C calc'!A0", "message": "@SUM(1+1)"}],
    )
    body = manager.get(reverse("web:manage:import_problems", args=[run.pk])).content.decode()
    assert "'=cmd" in body and "'@SUM" in body


def test_past_tickets_from_the_screen_with_the_request_types_mapped(
    world, manager, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from palier.imports.models import ImportedTicket, TypeMapping

    world.customer_a.reference = "10042"
    world.customer_a.save()
    sample = Path(__file__).parents[3] / "imports/tests/samples/jira_service_management.csv"
    response = manager.post(
        reverse("web:manage:imports"),
        {"kind": "jira", "file": SimpleUploadedFile("jira.csv", sample.read_bytes())},
    )
    run = ImportRun.objects.get()
    assert run.planned["tickets_new"] == 3 and run.planned["_types"]["Report a bug"] == 3
    page = manager.get(response["Location"]).content.decode()
    assert "type-mappings" in page and "Report a bug" in page and "31/Sep/25" in page
    manager.post(
        reverse("web:manage:type_mappings"),
        {
            "source": "jira",
            "value": ["Report a bug", "Get help", "Ask for training"],
            "type": ["malfunction", "usage", "training"],
            "next": response["Location"],
        },
    )
    assert TypeMapping.objects.get(value="Get help").request_type == "usage"
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("web:manage:import_start", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == "partial" and run.result["tickets_imported"] == 3
    page = manager.get(response["Location"]).content.decode()
    assert "3 tickets were refused and not imported" in page
    assert ImportedTicket.objects.get(key="SD-102").ticket.type == "usage"


@pytest.mark.parametrize("lax", ["no", "0", "false", "off", "yes", "True"])
def test_the_import_screens_tick_boxes_count_only_a_tick(world, manager, lax):
    """Jira's comments are shown to customers only when the box is really ticked: a value
    no browser sends for a tick box is refused, not read as a yes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def check(**ticks):
        data = b"Issue key,Summary,Created\nSD-1,Hello,14/Jul/25 3:42 PM\n"
        return manager.post(
            reverse("web:manage:imports"),
            {"kind": "jira", "file": SimpleUploadedFile("j.csv", data), **ticks},
        )

    response = check(public_comments=lax)
    assert response.status_code == 200 and "Tick the box or leave it empty." in (
        response.content.decode()
    )
    response = check(invite=lax)
    assert response.status_code == 200 and not ImportRun.objects.exists()
    check()
    check(public_comments="on")
    assert [r.options["public_comments"] for r in ImportRun.objects.order_by("id")] == [
        False,
        True,
    ]


def test_the_import_screens_tick_boxes_are_drawn_as_tick_boxes(world, manager):
    html = manager.get(reverse("web:manage:imports")).content.decode()
    assert 'type="checkbox" name="public_comments"' in html
    assert 'type="checkbox" name="invite"' in html


@pytest.mark.parametrize(
    ("rows", "state", "code"),
    [("30001;Berg AG;de\r\n", "done", 0), ("30001;Berg AG;de\r\n30002;;de\r\n", "partial", 3)],
)
def test_the_screens_end_of_an_import_agrees_with_the_commands_exit_code(
    world, manager, django_capture_on_commit_callbacks, tmp_path, rows, state, code
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import CommandError, call_command

    data = ("Kundennummer;Name;Sprache\r\n" + rows).encode()
    manager.post(
        reverse("web:manage:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("kunden.csv", data)},
    )
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("web:manage:import_start", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == state
    path = tmp_path / "kunden.csv"
    path.write_bytes(data)
    try:
        call_command("import", "customers", str(path), "--user", world.manager.username,
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
        returncode = 0
    except CommandError as exc:
        returncode = exc.returncode
    assert returncode == code
