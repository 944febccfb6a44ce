"""Tabular imports, on both databases: the dry run lists every error by line and column and
writes nothing; the same file imported twice changes nothing the second time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from palier.accounts.models import User
from palier.audit.models import AuditEntry
from palier.customers.models import Contract, Customer, Customization, Installation
from palier.imports import engine
from palier.imports.actions import check, tabular_kind
from palier.imports.tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _run(kind: str, data: bytes, user, **options):
    plan = check(kind, data, f"{kind}.csv", options)
    counts = engine.apply(tabular_kind(kind, options), plan, acting_user=user)
    return plan, counts


CUSTOMERS = csv_bytes(
    "Numéro de client;Nom;Langue;NPA;Localité;Pays",
    "20001;Horlogerie du Jura SA;français;2300;La Chaux-de-Fonds;CH",
    "20002;Ticino Logistica SA;it;6900;Lugano;CH",
    encoding="cp1252",
)


def test_customers_import_creates_then_the_same_file_changes_nothing(numbered):
    plan, counts = _run("customers", CUSTOMERS, numbered.manager)
    assert counts == {"create": 2, "update": 0, "unchanged": 0, "refused": 0}
    jura = Customer.objects.get(reference="20001")
    assert (jura.name, jura.language, jura.city) == (
        "Horlogerie du Jura SA",
        "fr",
        "La Chaux-de-Fonds",
    )
    audit_rows = AuditEntry.objects.count()
    plan, counts = _run("customers", CUSTOMERS, numbered.manager)
    assert counts == {"create": 0, "update": 0, "unchanged": 2, "refused": 0}
    assert AuditEntry.objects.count() == audit_rows
    assert Customer.objects.filter(reference__in=["20001", "20002"]).count() == 2


def test_a_changed_row_updates_only_that_customer(numbered):
    _run("customers", CUSTOMERS, numbered.manager)
    changed = CUSTOMERS.replace(b"6900;Lugano", b"6600;Locarno")
    plan, counts = _run("customers", changed, numbered.manager)
    assert counts == {"create": 0, "update": 1, "unchanged": 1, "refused": 0}
    assert Customer.objects.get(reference="20002").city == "Locarno"


def test_the_dry_run_lists_every_error_by_line_and_column_and_writes_nothing(numbered):
    data = csv_bytes(
        "Contract number,Customer number,Start,End,Hourly rate (CHF),Modules",
        "MC-1,10042,2026-01-01,2026-12-31,185,Finance",
        "MC-2,99999,2026-01-01,2026-12-31,185,",
        "MC-3,10043,03/04/2026,2026-12-31,abc,Finance;Payroll",
        "MC-1,10042,2026-01-01,2026-12-31,185,",
        "MC-4,10043,2026-06-01,2026-01-01,185,",
        ",10043,2026-01-01,2026-12-31,185,",
    )
    before = Contract.objects.count()
    plan = check("contracts", data, "contracts.csv")
    problems = [(p.line, p.column, p.message) for p in plan.all_problems]
    assert (3, "Customer number", "No customer has this number.") in problems
    assert any(line == 4 and col == "Start" and "2026-03-31" in msg for line, col, msg in problems)
    assert any(line == 4 and col == "Hourly rate (CHF)" for line, col, _m in problems)
    assert any(
        line == 5 and col == "Contract number" and "Line 2" in msg for line, col, msg in problems
    )
    assert (6, "End", "A contract cannot end before it starts.") in problems
    assert (7, "Contract number", "This cell is empty.") in problems
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "refused": 5}
    assert Contract.objects.count() == before


def test_a_row_with_an_unknown_module_names_it(numbered):
    data = csv_bytes(
        "Contract number,Customer number,Start,End,Modules",
        "MC-9,10042,2026-01-01,2026-12-31,Finance|Payroll",
    )
    [problem] = check("contracts", data, "c.csv").all_problems
    assert (problem.line, problem.column) == (2, "Modules") and "Payroll" in problem.message


def test_contracts_import_by_their_number_and_update_modules_and_rates(numbered):
    data = csv_bytes(
        "Vertragsnummer;Kundennummer;Status;Beginn;Ende;Stundenansatz (CHF);Module",
        "MC-ALPEN-2027;10042;aktiv;01.01.2027;31.12.2027;1'250.50;Finance, Sales",
    )
    _plan, counts = _run("contracts", data, numbered.manager)
    assert counts["create"] == 1
    contract = Contract.objects.get(reference="MC-ALPEN-2027")
    assert contract.hourly_rate == Decimal("1250.50") and contract.start == dt.date(2027, 1, 1)
    assert sorted(m.name for m in contract.modules.all()) == ["Finance", "Sales"]
    _plan, counts = _run("contracts", data, numbered.manager)
    assert counts["unchanged"] == 1
    _plan, counts = _run("contracts", data.replace(b"Finance, Sales", b"Sales"), numbered.manager)
    assert counts["update"] == 1
    assert [m.name for m in contract.modules.all()] == ["Sales"]


def test_a_contract_of_another_customer_is_refused(numbered):
    data = csv_bytes(
        "Contract number,Customer number,Start,End", "MC-ALPENKAESE,10043,2026-01-01,2026-12-31"
    )
    [problem] = check("contracts", data, "c.csv").all_problems
    assert problem.message == "This contract belongs to another customer."


def test_contacts_import_matches_by_email_and_refuses_another_customers_contact(numbered):
    data = csv_bytes(
        "E-Mail;Kundennummer;Vorname;Nachname;Sprache;Kundenadministrator",
        "urs.meier@alpenkaese.ch;10042;Urs;Meier;de;ja",
        "ANNA.A@example.com;10042;Anna;Aebi;;nein",
        "bruno.b@example.com;10042;Bruno;;;",
        "lena.agent@example.com;10042;Lena;;;",
        "kein-mail;10042;X;;;",
    )
    plan, counts = _run("contacts", data, numbered.manager)
    assert counts == {"create": 1, "update": 1, "unchanged": 0, "refused": 3}
    urs = User.objects.get(email="urs.meier@alpenkaese.ch")
    assert urs.customer == numbered.customer_a and urs.is_customer_admin and urs.language == "de"
    assert not urs.has_usable_password()
    messages = {p.line: p.message for p in plan.all_problems}
    assert messages[4] == "This contact belongs to Bellevue SA."
    assert messages[5] == "This address is a staff member's."
    assert messages[6] == "Enter a valid email address."
    _plan, counts = _run("contacts", data, numbered.manager)
    assert counts["unchanged"] == 2 and counts["create"] == 0


def test_customizations_and_installations_import_idempotently(numbered):
    customizations = csv_bytes(
        "Customer number,Module,Object,Built by,Author,Built on,Authorization reference",
        '10042,Sales,"Order line: column ""Delivery zone""",vendor,Consulting,2025-05-01,',
        "10042,sales,Stock list: export,customer_authorized,Customer IT,,AUTH-7",
        "10042,Finance,Ledger,customer_authorized,,,",
    )
    plan, counts = _run("customizations", customizations, numbered.manager)
    assert counts == {"create": 2, "update": 0, "unchanged": 0, "refused": 1}
    assert plan.all_problems[0].column == "Authorization reference"
    assert Customization.objects.filter(customer=numbered.customer_a).count() == 2
    _plan, counts = _run("customizations", customizations, numbered.manager)
    assert counts["unchanged"] == 2

    installations = csv_bytes(
        "Customer number,Product,Version,Environment,Installed on",
        "10042,erp,11.2.0,test,2025-01-15",
        "10042,Palier ERP,11.3.1,,",
        "10043,erp,9.9,,",
    )
    plan, counts = _run("installations", installations, numbered.manager)
    assert counts == {"create": 1, "update": 0, "unchanged": 1, "refused": 1}
    assert plan.all_problems[0].message == "This product has no version 9.9."
    assert Installation.objects.filter(customer=numbered.customer_a, environment="test").exists()


def test_an_installation_of_an_unknown_product_names_the_product_not_the_version(numbered):
    data = csv_bytes(
        "Customer number,Product,Version",
        "10042,Palier CRM,11.2.0",
    )
    [problem] = check("installations", data, "i.csv").all_problems
    assert (problem.line, problem.column) == (2, "Product")
    assert problem.message == "No product has this code or name: Palier CRM."


def test_a_missing_column_stops_the_file_before_any_row(numbered):
    plan = check(
        "contracts", csv_bytes("Contract number,Start,End", "MC-1,2026-01-01,2026-12-31"), "c"
    )
    assert [(p.line, p.column) for p in plan.problems] == [(1, "Customer number")]
    assert not plan.can_apply


def test_unknown_columns_are_noted_not_lost_silently(numbered):
    plan = check("customers", csv_bytes("Customer number,Name,Fax", "1,A,022"), "c")
    assert plan.notes == ["The column “Fax” is not one of this import's and is ignored."]


def test_only_managers_import(numbered):
    from palier.imports.actions import do_check_import
    from palier.lib.errors import NotAllowed

    with pytest.raises(NotAllowed):
        do_check_import(
            acting_user=numbered.agent, kind="customers", data=CUSTOMERS, filename="c.csv"
        )


def test_the_worker_writes_the_problems_in_the_language_of_the_manager_who_imports(numbered):
    from django.utils import translation

    from palier.imports.actions import do_check_import
    from palier.imports.models import ImportRun, RunState
    from palier.imports.tasks import run_import

    numbered.manager.language = "fr"
    numbered.manager.save(update_fields=["language"])
    data = csv_bytes("Customer number,Name", "30001,Neukunde AG", "30002,")
    with translation.override("fr"):  # the screen, in the manager's language
        run = do_check_import(
            acting_user=numbered.manager, kind="customers", data=data, filename="k.csv"
        )
    assert run.problems[0]["message"] == "Cette cellule est vide."
    ImportRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED)
    with translation.override("en"):  # the worker's own language
        run_import.call(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.PARTIAL and run.result["create"] == 1  # a row refused
    assert run.problems[0]["message"] == "Cette cellule est vide."


def test_a_formula_without_a_saved_value_is_a_problem_on_its_row_not_an_empty_cell(numbered):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Customer number", "Name", "City"])
    sheet.append(["C-9102", "Formula AG", '=PROPER("bern")'])
    sheet.append(["C-9103", "Error AG", "#N/A"])
    sheet.append(["C-9104", "Good AG", "Bern"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = check("customers", buffer.getvalue(), "customers.xlsx")
    problems = {(p.line, p.column): p.message for p in plan.all_problems}
    assert "formula without a value" in problems[(2, "City")]
    assert "#N/A" in problems[(3, "City")]
    assert plan.counts["refused"] == 2 and plan.counts["create"] == 1
    from django.utils import translation

    from palier.lib.words import say_again

    stored = next(p.as_dict() for p in plan.all_problems if p.line == 2)
    with translation.override("fr"):
        assert "formule" in say_again(stored)


def test_a_service_tier_is_read_by_its_code_or_label_and_anything_else_names_the_tiers(numbered):
    data = csv_bytes(
        "Vertragsnummer;Kundennummer;Beginn;Ende;Service-Stufe",
        "MC-T-1;10042;01.01.2027;31.12.2027;PREMIUM",
        "MC-T-2;10042;01.01.2027;31.12.2027;standard",
        "MC-T-3;10042;01.01.2027;31.12.2027;Gold",
    )
    plan, counts = _run("contracts", data, numbered.manager)
    assert counts["create"] == 2 and counts["refused"] == 1
    [problem] = plan.all_problems
    assert (problem.line, problem.column) == (4, "Service-Stufe")
    assert "Gold" in problem.message and "premium" in problem.message
    assert "standard" in problem.message
    assert Contract.objects.get(reference="MC-T-1").tier == "premium"
    assert Contract.objects.get(reference="MC-T-2").tier == "standard"


def test_a_run_that_fails_on_an_unexpected_error_says_so_in_words_not_in_python_s(
    numbered, monkeypatch
):
    from palier.imports import runner
    from palier.imports.actions import do_check_import
    from palier.imports.models import ImportRun, RunState
    from palier.imports.tasks import run_import

    run = do_check_import(
        acting_user=numbered.manager, kind="customers", data=CUSTOMERS, filename="k.csv"
    )
    ImportRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED)

    def overflow(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(runner, "run_any", overflow)
    run_import.call(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "out of range" not in run.error and str(run.pk) in run.error


def test_a_rate_with_three_decimals_or_in_scientific_notation_is_refused_by_column(numbered):
    data = csv_bytes(
        "Contract number,Customer number,Start,End,Hourly rate (CHF),Prepaid hours",
        "K-1,10042,2026-01-01,2026-12-31,180.129,10",
        "K-2,10042,2026-01-01,2026-12-31,180,1e3",
    )
    plan = check("contracts", data, "contracts.csv")
    assert plan.counts["refused"] == 2
    problems = [(p.line, p.column, p.message) for p in plan.all_problems]
    assert (2, "Hourly rate (CHF)", "At most 2 decimals (this one has 3).") in problems
    assert (3, "Prepaid hours", "“1e3” is not a number: write 185.00.") in problems


def test_a_date_excel_made_of_a_text_cell_is_a_problem_not_stored_as_that_text(numbered):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Email", "Customer number", "Phone"])
    sheet.append(["d1@example.com", "10042", dt.datetime(2025, 1, 2, 3, 4)])
    sheet.append(["d2@example.com", "10042", dt.date(2025, 1, 2)])
    sheet.append(["d3@example.com", "10042", "+41 22 123 45 67"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = check("contacts", buffer.getvalue(), "contacts.xlsx")
    problems = {(p.line, p.column): p.message for p in plan.all_problems}
    assert "Excel made a date" in problems[(2, "Phone")]
    assert "Excel made a date" in problems[(3, "Phone")]
    assert plan.counts["refused"] == 2 and plan.counts["create"] == 1


def test_every_problem_of_a_row_is_listed_not_only_the_first(numbered):
    data = csv_bytes(
        "Contract number,Customer number,Start,End,Modules",
        "K-1,99999,31/12/2026,2026-12-31,Nomodule",
        "K-1,10042,2026-01-01,2025-12-31,",
    )
    plan = check("contracts", data, "contracts.csv")
    problems = [(p.line, p.column) for p in plan.all_problems]
    assert (2, "Start") in problems
    assert (2, "Customer number") in problems
    assert (2, "Modules") in problems
    assert (3, "End") in problems  # ends before it starts
    assert (3, "Contract number") in problems  # the same number as line 2
    contacts = csv_bytes(
        "Email,Customer number,Language",
        "new@example.com,99999,xx",
    )
    plan = check("contacts", contacts, "contacts.csv")
    assert [(p.line, p.column) for p in plan.all_problems] == [
        (2, "Language"),
        (2, "Customer number"),
    ]
    customers = csv_bytes("Customer number,Name,Short code,Language", "C-1,Berg AG,Not A Code,xx")
    plan = check("customers", customers, "customers.csv")
    assert [(p.line, p.column) for p in plan.all_problems] == [
        (2, "Language"),
        (2, "Short code"),
    ]


def test_a_column_given_twice_is_said_to_be_twice_not_unknown(numbered):
    data = csv_bytes("Customer number,Name,Nom", "C-9409,First,First")
    plan = check("customers", data, "customers.csv")
    assert plan.notes == [
        "The column “Nom” (column 3) is “Name” again, already read from column 2: a row where "
        "the two differ is refused."
    ]
    assert plan.rows[0].values["name"] == "First" and plan.counts["create"] == 1


def test_a_row_whose_repeated_column_says_something_else_is_refused_naming_it(numbered):
    data = csv_bytes(
        "Customer number,Name,Nom", "C-1,Same AG,Same AG", "C-2,First AG,Second AG",
        "C-3,Only AG,", "C-4,,Late AG",
    )  # fmt: skip
    plan = check("customers", data, "customers.csv")
    assert [row.outcome for row in plan.rows] == ["create", "refused", "create", "refused"]
    assert [(p.line, p.column, p.message) for p in plan.all_problems] == [
        (3, "Nom", "The column “Nom” (column 3) holds “Second AG”, but “Name” (column 2) "
                   "holds “First AG”: write one value, or the same in both."),
        (5, "Name", "This cell is empty."),
        (5, "Nom", "The column “Nom” (column 3) holds “Late AG”, but “Name” (column 2), "
                   "read first, is empty: write the value there, or in both."),
    ]  # fmt: skip


def test_a_repeated_column_is_compared_by_its_values_not_its_text(numbered):
    """180 and 180.00, 1'250.50 and 1250.50, 2026-01-01 and 01.01.2026 are one value each,
    written in formats the import reads; only a value that differs refuses its row."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Contract number", "Customer number", "Start", "End",
                  "Hourly rate (CHF)", "Tarif horaire (CHF)", "Début"])  # fmt: skip
    sheet.append(["K-1", "10042", dt.date(2026, 1, 1), "31.12.2026", 180, "180.00", "01.01.2026"])
    sheet.append(["K-2", "10042", "2026-01-01", "31.12.2026", 180.5, "180.50", "1.1.2026"])
    sheet.append(["K-3", "10042", "2026-01-01", "31.12.2026", "1'250.50", "1250,50", "2026-01-01"])
    sheet.append(["K-4", "10042", "2026-01-01", "31.12.2026", "180", "190", "2026-01-02"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = check("contracts", buffer.getvalue(), "contracts.xlsx")
    assert [row.outcome for row in plan.rows] == ["create", "create", "create", "refused"]
    assert [(p.line, p.column) for p in plan.all_problems] == [
        (5, "Tarif horaire (CHF)"), (5, "Début")
    ]  # fmt: skip
