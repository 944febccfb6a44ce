"""`palier import KIND FILE`: a dry run, a progress bar, a summary, and errors by line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from palier.customers.models import Customer
from palier.imports.models import TypeMapping
from palier.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"


def _call(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _call_refused(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), refused.value.returncode


def test_a_dry_run_then_the_import_with_a_progress_bar_and_a_summary(numbered, tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes(
        "Kundennummer;Name;Sprache\r\n50001;Berg AG;de\r\n50002;Tal AG;xx\r\n".encode("cp1252")
    )
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert code == 3
    assert "Dry run, nothing written: to create 1, to update 0, unchanged 0, refused 1" in out
    assert "line 3, column “Sprache”: A language: en, fr, de or it." in err
    assert not Customer.objects.filter(reference="50001").exists()
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager")
    assert "created 1, updated 0, unchanged 0, refused 1" in out
    assert "Importing [####" in err and "100%" in err
    out, _err, code = _call_refused("customers", str(path), "--user", "maria.manager")
    assert "created 0, updated 0, unchanged 1, refused 1" in out


def test_the_command_needs_a_manager(numbered, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Customer number,Name\n1,A\n")
    with pytest.raises(CommandError):
        _call("customers", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="Your role may not import data"):
        _call("customers", str(path), "--user", "lena.agent")


def test_past_tickets_from_the_command_with_a_type_map(numbered):
    out, err, _code = _call_refused(
        "jira",
        str(SAMPLES / "jira_service_management.csv"),
        "--user",
        "maria.manager",
        "--map",
        "Report a bug=malfunction",
        "--comments",
        "public",
    )
    assert "tickets imported 3" in out and "tickets refused 3" in out
    assert "Report a bug (3)" in out
    assert "line 4, Created" in err
    assert (
        TypeMapping.objects.get(source="jira", value="Report a bug").request_type == "malfunction"
    )
    assert Ticket.objects.filter(type="malfunction").count() == 2


def test_a_dry_run_that_refuses_rows_exits_with_code_3_so_scripts_notice(numbered, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Customer number,Name,Language\n50001,Berg AG,de\n50002,Tal AG,xx\n")
    with pytest.raises(CommandError) as refused:
        _call("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert refused.value.returncode == 3
    path.write_text("Customer number,Name,Language\n50001,Berg AG,de\n")
    out, _err = _call("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert "to create 1" in out


def test_a_dry_run_of_past_tickets_with_problems_exits_with_code_3(numbered):
    before = Ticket.objects.count()
    with pytest.raises(CommandError) as refused:
        _call(
            "jira",
            str(SAMPLES / "jira_service_management.csv"),
            "--user",
            "maria.manager",
            "--dry-run",
        )
    assert refused.value.returncode == 3
    assert Ticket.objects.count() == before


def test_the_exit_code_of_problems_comes_from_one_place_both_kinds_of_import_share():
    import importlib

    from palier.imports import exit_codes
    from palier.imports.past import command as past_command

    tabular = importlib.import_module("palier.imports.management.commands.import")
    assert tabular.check_found_problems is exit_codes.check_found_problems
    assert not hasattr(past_command, "check_found_problems")  # no copy of its own
    assert exit_codes.check_found_problems(2).returncode == exit_codes.PROBLEMS_FOUND == 3


def test_an_import_that_refused_rows_writes_the_others_and_exits_with_code_3(numbered, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Customer number,Name,Language\n50001,Berg AG,de\n50002,Tal AG,xx\n")
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager")
    assert code == 3
    assert Customer.objects.filter(reference="50001").exists()
    assert "created 1, updated 0, unchanged 0, refused 1" in out
    assert "line 3, column “Language”" in err
    with pytest.raises(CommandError, match="listed above, on the error output"):
        _call("customers", str(path), "--user", "maria.manager")
    path.write_text("Customer number,Name,Language\n50001,Berg AG,de\n")
    out, _err = _call("customers", str(path), "--user", "maria.manager")
    assert "unchanged 1, refused 0" in out


def test_a_past_tickets_import_that_refused_tickets_imports_the_others_and_exits_with_3(numbered):
    before = Ticket.objects.count()
    out, _err, code = _call_refused(
        "jira", str(SAMPLES / "jira_service_management.csv"), "--user", "maria.manager"
    )
    assert code == 3
    assert "tickets imported 3" in out and "tickets refused 3" in out
    assert "Dashboards' roll-up" in out  # rebuilt before the exit
    assert Ticket.objects.count() == before + 3


def test_the_command_speaks_the_desks_language_or_the_one_asked(numbered, tmp_path, settings):
    path = tmp_path / "c.csv"
    path.write_text("Customer number,Name,Language\n50001,Berg AG,de\n50002,Tal AG,xx\n")
    settings.LANGUAGE_CODE = "de"
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert "Nur geprüft, nichts geschrieben: zu erfassen 1" in out and "abgelehnt 1" in out
    assert "Zeile 3, Spalte «Language»: Eine Sprache: en, fr, de oder it." in err
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager",
                                   "--language", "fr")  # fmt: skip
    assert code == 3 and "Importation en cours [####" in err
    assert "ligne 3, colonne «\xa0Language\xa0»\xa0: Une langue\xa0: en, fr, de ou it." in err
    out, err, code = _call_refused(
        "jira", str(SAMPLES / "jira_service_management.csv"), "--user", "maria.manager",
        "--dry-run", "--language", "it",
    )  # fmt: skip
    assert "Verifica [####" in err and "riga 4, Created" in err
    assert "Tipi di richiesta nel file: " in out and "ticket rifiutati" in out
    with pytest.raises(CommandError, match="Aucun utilisateur actif «\xa0nobody\xa0»"):
        _call("customers", str(path), "--user", "nobody", "--language", "fr")


def test_an_import_refused_whole_does_not_call_itself_a_dry_run(numbered, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Name,Language\nBerg AG,de\n")  # no customer number: refused whole
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager")
    assert code == 1 and "Dry run" not in out
    assert out.startswith("Nothing written: to create 0, ")
    out, err, code = _call_refused(
        "customers", str(path), "--user", "maria.manager", "--language", "fr"
    )
    assert "Vérification seule" not in out and out.startswith("Rien d’écrit\xa0: ")
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert out.startswith("Dry run, nothing written: ")


def test_the_last_line_counts_the_problems_on_the_rows_the_summary_refuses(numbered, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Customer number,Name,Language,Country\n"
        "50001,Berg AG,xx,Atlantis\n50002,Tal AG,yy,CH\n50003,See AG,de,CH\n"
    )
    out, err, code = _call_refused("customers", str(path), "--user", "maria.manager", "--dry-run")
    assert code == 3 and "refused 2" in out and err.count("\n") == 3
    with pytest.raises(CommandError, match="^The check found 3 problems on 2 rows; nothing was"):
        _call("customers", str(path), "--user", "maria.manager", "--dry-run")
    with pytest.raises(CommandError, match="found 3 problems on 2 rows") as refused:
        _call("customers", str(path), "--user", "maria.manager")
    assert refused.value.returncode == 3
    with pytest.raises(CommandError, match="found 4 problems on 3 tickets"):
        _call("jira", str(SAMPLES / "jira_service_management.csv"), "--user", "maria.manager",
              "--dry-run")  # fmt: skip


def test_the_help_and_the_docs_say_every_exit_code_and_the_default_language():
    """Exit code 2 (a wrong call: an unknown kind or --language) was documented nowhere,
    and both said the command speaks the desk's LANGUAGE_CODE, which is English always."""
    import importlib

    command = importlib.import_module("palier.imports.management.commands.import").Command()
    help_text = " ".join(command.create_parser("palier", "import").format_help().split())
    docs = " ".join((Path(__file__).parents[3] / "docs" / "moving-in.md").read_text().split())
    for text in (help_text, docs):
        assert "LANGUAGE_CODE" not in text
        assert "2: called wrongly" in text or "code 2 when it is called wrongly" in text
    assert "default: English" in help_text
    assert "speaks English unless `--language" in docs
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", "customers", "x.csv", "--language", "es")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("tickets", b"key,subject\nK-1,No date nor customer\n"),  # columns missing
        ("jira", b"Issue key,Summary,Created\nSD-1,\"never closed,1/Jan/25\n"),
        ("zendesk", b'{\n  "tickets": [\n'),
        ("tickets", "key,created_at,subject,customer\nK-1,2025-01-02,Zürich,1\n".encode("cp1252")
         + "K-2,2025-01-02,Genève,1\n".encode()),  # two encodings
    ],
)  # fmt: skip
def test_a_type_map_given_with_a_refused_file_is_not_saved(numbered, tmp_path, kind, data, dry_run):
    path = tmp_path / "export.dat"
    path.write_bytes(data)
    _out, _err, code = _call_refused(
        kind, str(path), "--user", "maria.manager", "--map", "Report a bug=malfunction", *dry_run
    )
    assert code == 1
    assert not TypeMapping.objects.exists()


def test_a_type_map_to_a_type_the_desk_lacks_is_refused_before_anything_is_saved(numbered):
    _out, _err, code = _call_refused(
        "jira", str(SAMPLES / "jira_service_management.csv"), "--user", "maria.manager",
        "--map", "Report a bug=malfunction", "--map", "Get IT help=malfuntcion",
    )  # fmt: skip
    assert code == 1
    assert not TypeMapping.objects.exists() and not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("argv", "said", "not_said"),
    [
        (["--language", "fr"], ["vérifier seulement", "VALEUR=TYPE", "Code de sortie 3"],
         "check only"),
        (["--language=de"], ["nur prüfen", "WERT=TYP", "Exit-Code 3"], "check only"),
        (["--language", "it"], ["solo verificare", "VALORE=TIPO", "Codice di uscita 3"],
         "check only"),
        ([], ["check only", "VALUE=TYPE", "Exit code 3"], "vérifier"),
    ],
)  # fmt: skip
def test_the_help_speaks_the_language_asked_as_the_messages_do(capsys, argv, said, not_said):
    import importlib

    command = importlib.import_module("palier.imports.management.commands.import").Command()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["palier", "import", "--help", *argv])
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for words in said:
        assert words in help_text
    assert not_said not in help_text


def test_the_command_lists_every_problem_past_those_the_screen_keeps(numbered, tmp_path):
    from palier.imports.past.actions import KEPT_PROBLEMS

    count = KEPT_PROBLEMS + 5
    rows = [f"K-{n},2025-01-02 10:00,Subject {n},10042,lost" for n in range(count)]
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(["key,created_at,subject,customer,status", *rows]) + "\n")
    _out, err, code = _call_refused("tickets", str(path), "--user", "maria.manager", "--dry-run")
    assert code == 3
    listed = [line for line in err.splitlines() if ", status: One of: " in line]
    assert len(listed) == count  # the screen keeps 2,000; the command, which says so, all
    assert listed[-1].startswith(f"line {count + 1}, status")
    assert "more" not in err
