"""The dashboard's screens: who sees them, what the charts carry, exports, query counts."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from palier.dashboards.panels import QUERY_BUDGET


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def manager_in_french(world) -> Client:
    """The manager, reading the desk in French, signed in: the refusals below are read in
    French, so an untranslated one shows."""
    world.manager.language = "fr"
    world.manager.save(update_fields=["language"])
    return signed_in(world.manager)


@pytest.mark.django_db
def test_managers_see_the_dashboard_in_a_bounded_number_of_queries(
    world, desk, django_assert_num_queries
):
    from django.db import connection

    manager = signed_in(world.manager)
    manager.get("/dashboards/")  # warm the session
    # The panels' own budget, the filter form's four lists, the session, the user, the
    # header's count of unread notifications, where the daily roll-up stands, and on
    # PostgreSQL the statement that asks for custom plans (dashboards.plans).
    custom_plans = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(sum(QUERY_BUDGET.values()) + 8 + custom_plans):
        page = manager.get("/dashboards/")
    html = page.content.decode()
    assert page.status_code == 200
    for key in (
        "intake",
        "refusals",
        "moves",
        "level2",
        "sla",
        "backlog",
        "rnd",
        "billing",
        "satisfaction",
    ):
        assert f'id="panel-{key}"' in html


@pytest.mark.django_db
def test_charts_are_accessible_svg_without_script_or_inline_style(world, desk):
    html = signed_in(world.manager).get("/dashboards/").content.decode()
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert charts
    for svg in charts:
        assert re.search(r'aria-labelledby="[\w-]+-title"', svg)
        assert "<title id=" in svg and "<desc id=" in svg
        assert "<script" not in svg and "style=" not in svg and " on" not in svg.lower()
    intake = next(svg for svg in charts if 'id="chart-intake"' in svg)
    assert '<a href="/dashboards/tickets/?' in intake and 'aria-label="Email, Level 1: 1"' in intake
    assert 'id="table-intake"' in html  # the same figures as a table


@pytest.mark.django_db
def test_a_figure_leads_to_its_tickets(world, desk):
    manager = signed_in(world.manager)
    html = manager.get("/dashboards/").content.decode()
    link = re.search(r'href="(/dashboards/tickets/\?[^"]*panel=refusals[^"]*)"', html).group(1)
    listing = manager.get(link.replace("&amp;", "&")).content.decode()
    assert desk.refused.reference in listing and desk.usage.reference not in listing


@pytest.mark.django_db
def test_an_intake_cells_link_keeps_the_dashboards_filters(world, desk):
    """The intake cell's own key is not the dashboard's level filter: a refused cell's link
    once made the filter form invalid, and the list fell back to 30 days and no filter."""
    manager = signed_in(world.manager)
    theirs = f"customer={world.customer_expired.pk}"
    html = manager.get(f"/dashboards/?{theirs}").content.decode()
    links = re.findall(r'href="(/dashboards/tickets/\?[^"]*panel=intake[^"]*)"', html)
    refused = [link.replace("&amp;", "&") for link in links if "decided=refused" in link]
    assert refused and all(theirs in link for link in refused)
    assert desk.refused.reference in manager.get(refused[0]).content.decode()
    # Another customer's filter holds on the same cell: the refused request is not theirs.
    other = refused[0].replace(theirs, f"customer={world.customer_b.pk}")
    assert desk.refused.reference not in manager.get(other).content.decode()


@pytest.mark.django_db
def test_only_managers_reach_the_dashboard_and_every_agent_has_their_own(world, desk):
    assert signed_in(world.agent).get("/dashboards/").status_code == 404
    assert signed_in(world.contact_a).get("/dashboards/").status_code == 404
    assert signed_in(world.agent).get("/dashboards/tickets/?panel=intake").status_code == 404
    assert Client().get("/dashboards/").status_code == 302
    mine = signed_in(world.agent).get("/dashboards/me/")
    assert mine.status_code == 200
    html = mine.content.decode()
    assert "2 open requests assigned to me" in html


@pytest.mark.django_db
def test_exports_are_safe_against_formula_injection(world, desk):
    world.customer_a.name = '=HYPERLINK("http://evil.example","x")'
    world.customer_a.save()
    manager = signed_in(world.manager)
    response = manager.get("/dashboards/export/l2customer.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Customer", "Requests", "Hours"]
    assert rows[1][0].startswith("'=HYPERLINK")
    xlsx = manager.get("/dashboards/export/l2customer.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    # Stored as text, which no spreadsheet runs, and read as written (no apostrophe shown).
    assert sheet["A2"].value == world.customer_a.name and sheet["A2"].data_type == "s"
    assert sheet["C2"].value == 1.5
    assert manager.get("/dashboards/export/nothing.csv").status_code == 404
    assert manager.get("/dashboards/export/intake.pdf").status_code == 404


BAD_FILTERS = (
    "start=2026-13-01",
    "start=2026-05-01&end=2020-01-01",
    "customer=abc",
    "level=7",
    "start=1900-01-01&end=2100-01-01",
    # Dates at Python's ends: a day added, or midnight taken to UTC, leaves its range.
    "start=9999-12-31",
    "start=9999-12-30&end=9999-12-31",
    "start=0001-01-01&end=0001-01-05",
)


BAD_TEAM = ("team=999999",)


@pytest.mark.django_db
def test_a_bad_filter_is_named_beside_its_field_with_a_400_as_exports_do(world, desk):
    """The screen shows the form and why, no figure (a bad filter never breaks it, dates at
    Python's ends included), and answers 400 as an export and a filter given twice do; the
    tickets behind a figure list none."""
    manager = manager_in_french(world)
    for query in (*BAD_FILTERS, *BAD_TEAM):
        page = manager.get(f"/dashboards/?{query}")
        assert page.status_code == 400, query
        html = page.content.decode()
        assert 'id="dashboard-filters"' in html and 'id="panel-intake"' not in html, query
        assert "Aucun chiffre n’a été affiché : un filtre n’a pas pu être lu" in html, query
        drill = manager.get(f"/dashboards/tickets/?panel=intake&{query}")
        assert drill.status_code == 400, query
        html = drill.content.decode()
        assert "Les demandes derrière ce chiffre n’ont pas été listées" in html, query
        assert 'id="dashboard-filters"' in html, query
    html = manager.get(f"/dashboards/?{BAD_TEAM[0]}").content.decode()
    assert 'id="id_team_error"' in html
    html = manager.get("/dashboards/?start=2026-13-01").content.decode()
    assert 'id="id_start_error"' in html
    world.manager.language = "de"
    world.manager.save()
    today = timezone.localdate().isoformat()
    fresh = manager.get("/dashboards/")
    assert fresh.status_code == 200
    assert f'type="date" name="end" value="{today}"' in fresh.content.decode()


@pytest.mark.django_db
def test_an_export_with_a_bad_filter_makes_no_file_and_names_the_filter(world, desk):
    manager = manager_in_french(world)
    for query in (*BAD_FILTERS, *BAD_TEAM):
        response = manager.get(f"/dashboards/export/sla.xlsx?{query}")
        assert response.status_code == 400, query
        assert "Content-Disposition" not in response
        html = response.content.decode()
        assert "Aucun fichier n’a été créé" in html, query
        assert 'id="dashboard-filters"' in html
    html = manager.get("/dashboards/export/sla.csv?customer=abc").content.decode()
    assert 'id="id_customer_error"' in html
    ok = manager.get("/dashboards/export/sla.csv?start=2026-01-01&end=2026-01-31")
    assert ok.status_code == 200 and "Content-Disposition" in ok
    assert manager.get("/dashboards/export/nothing.csv?level=7").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ["²", "１", " 1", "1_0", "-1"])
def test_a_drilldown_reads_ids_and_scores_as_ascii_digits_alone(world, desk, odd):
    manager = signed_in(world.manager)
    for name, panel in (
        ("defect", "defect"),
        ("row_customer", "prepaid"),
        ("score", "satisfaction"),
    ):
        odd_page = manager.get("/dashboards/tickets/", {"panel": panel, name: odd})
        plain = manager.get("/dashboards/tickets/", {"panel": panel})
        # Not a number: no row named, refused as a link naming none is (not defect 1 for
        # "１", nor the requests of no defect).
        assert odd_page.status_code == plain.status_code == 400, (name, odd)
        html = odd_page.content.decode()
        assert desk.usage.reference not in html and desk.diagnosed.reference not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "team={a}&team={b}",
        "customer={c}&customer={c}",
        "start=2026-01-01&start=2026-02-01",
        "level=1&level=2",
    ],
)
def test_a_filter_given_twice_is_refused_and_named_not_taken_at_its_last_value(world, desk, query):
    from palier.workspace.models import Team

    a, b = Team.objects.create(name="Alpha"), Team.objects.create(name="Beta")
    a.members.add(world.agent)
    b.members.add(world.consultant)
    query = query.format(a=a.pk, b=b.pk, c=world.customer_a.pk)
    manager = manager_in_french(world)
    export = manager.get(f"/dashboards/export/sla.csv?{query}")
    assert export.status_code == 400 and "Content-Disposition" not in export
    html = export.content.decode()
    assert "Aucun fichier n’a été créé" in html
    assert "Ce filtre est donné 2 fois" in html
    page = manager.get(f"/dashboards/?{query}")
    assert page.status_code == 400
    assert "Ce filtre est donné 2 fois" in page.content.decode()
    # The tickets behind a figure are read with the same filters.
    drill = manager.get(f"/dashboards/tickets/?panel=intake&{query}")
    assert drill.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "panel=intake&panel=refusals",
        "panel=intake&channel=portal&channel=email",
        "panel=satisfaction&score=5&score=1",
        "panel=defect&defect=1&defect=2",
        "panel=intake&cursor=a&cursor=b",
    ],
)
def test_a_drilldown_key_given_twice_is_refused_not_taken_at_its_last_value(world, desk, query):
    manager = manager_in_french(world)
    response = manager.get(f"/dashboards/tickets/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Les demandes derrière ce chiffre n’ont pas été listées" in html
    assert desk.usage.reference not in html
    assert 'id="dashboard-filters"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["panel=nope", "", "panel=", "panel=INTAKE", "panel=intake%00", "panel=sla+"]
)
def test_a_drilldown_of_an_unknown_figure_is_refused_and_named_not_listed_empty(world, desk, query):
    manager = manager_in_french(world)
    response = manager.get(f"/dashboards/tickets/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "le lien ne désigne aucun chiffre du tableau de bord" in html
    assert 'id="dashboard-filters"' in html and 'id="drilldown"' not in html


@pytest.mark.django_db
def test_a_refused_filter_shows_no_figures_only_the_form_and_why(world, desk):
    """Figures under a refusal would be the last 30 days' unfiltered, read as the ones
    asked for: the screen, an export and the tickets behind a figure show none."""
    manager = manager_in_french(world)
    for url in (
        "/dashboards/?customer=abc",
        "/dashboards/export/sla.csv?customer=abc",
        "/dashboards/tickets/?panel=intake&customer=abc",
        "/dashboards/tickets/?panel=nope",
    ):
        response = manager.get(url)
        assert response.status_code == 400, url
        html = response.content.decode()
        assert 'id="dashboard-filters"' in html, url
        assert 'id="panel-' not in html and "<svg" not in html and 'id="table-' not in html, url
        assert "Chaque chiffre mène aux demandes" not in html, url
    html = manager.get("/dashboards/?customer=abc").content.decode()
    assert "Aucun chiffre n’a été affiché : un filtre n’a pas pu être lu" in html
    assert 'id="id_customer_error"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "panel=defect",
        "panel=defect&defect=",
        "panel=defect&defect=abc",
        "panel=defect&defect=99999999999999999999999",
        "panel=defect&defect=%EF%BC%91",
        "panel=l2custom",
        "panel=l2custom&customization=other",
        "panel=l2customer",
        "panel=lapsed&row_customer=-1",
        "panel=prepaid",
        "panel=satisfaction",
        "panel=satisfaction&score=five",
    ],
)
def test_a_drilldown_without_the_row_its_figure_names_is_refused_not_listed_as_another(
    world, desk, query
):
    """Each figure of these panels names its row (a defect, a customer, a customization, a
    score): without it, or with no number, the link named none, and read as 'no row' it
    listed requests no figure counts (every request linked to no defect)."""
    manager = manager_in_french(world)
    response = manager.get(f"/dashboards/tickets/?{query}")
    assert response.status_code == 400, query
    html = response.content.decode()
    assert "le lien ne désigne aucun chiffre du tableau de bord" in html, query
    assert desk.usage.reference not in html, query
    assert 'id="dashboard-filters"' in html and 'id="drilldown"' not in html, query


@pytest.mark.django_db
def test_a_drilldown_naming_its_row_lists_that_rows_requests(world, desk):
    manager = signed_in(world.manager)
    defect = manager.get(f"/dashboards/tickets/?panel=defect&defect={desk.defect.pk}")
    assert defect.status_code == 200
    assert desk.diagnosed.reference in defect.content.decode()
    assert desk.usage.reference not in defect.content.decode()
    score = manager.get("/dashboards/tickets/?panel=satisfaction&score=5")
    assert score.status_code == 200 and desk.usage.reference in score.content.decode()
    assert manager.get("/dashboards/tickets/?panel=l2custom&customization=none").status_code == 200
