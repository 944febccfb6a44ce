"""A filter that leaves nothing to count (a team without members, a customer without
requests, a period without data) answers with zeros and empty tables, never an error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from palier.dashboards.combine import with_rollup
from palier.dashboards.drilldown import KNOWN_PANELS, tickets_behind
from palier.dashboards.filters import Filters
from palier.dashboards.panels import PANELS, TABLES
from palier.dashboards.rollup import rebuild
from palier.workspace.models import Team

# The row a figure of these panels names (drilldown.names_a_figure): one of each.
ROWS = {
    "lapsed": {"row_customer": "1"},
    "l2custom": {"customization": "none"},
    "l2customer": {"row_customer": "1"},
    "defect": {"defect": "1"},
    "prepaid": {"row_customer": "1"},
    "satisfaction": {"score": "5"},
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def empty_team_filters() -> Filters:
    team = Team.objects.create(name="Nobody")
    default = Filters.default()
    return Filters(start=default.start, end=default.end, team_id=team.pk, team_members=())


@pytest.mark.django_db
@pytest.mark.parametrize("rolled", [False, True], ids=["live", "rolled-up"])
def test_every_panel_of_a_team_without_members_counts_nothing(desk, rolled):
    if rolled:
        rebuild()
    f = with_rollup(empty_team_filters())
    for key, build in PANELS.items():
        panel = build(f)
        for table in panel.tables:
            for row in table.rows:
                assert all(not v or v == "–" or isinstance(v, str) for v in row.values), (
                    key,
                    table.key,
                    row.label,
                    row.values,
                )
    for panel in KNOWN_PANELS:
        assert not tickets_behind(f, {"panel": panel, **ROWS.get(panel, {})}).exists(), panel


@pytest.mark.django_db
def test_every_export_of_a_team_without_members_is_a_file_of_zeros(world, desk):
    team = Team.objects.create(name="Nobody")
    manager = signed_in(world.manager)
    for key in TABLES:
        for fmt in ("csv", "xlsx"):
            response = manager.get(f"/dashboards/export/{key}.{fmt}?team={team.pk}")
            assert response.status_code == 200, (key, fmt)
            assert "Content-Disposition" in response
    page = manager.get(f"/dashboards/?team={team.pk}")
    assert page.status_code == 200
    for panel in KNOWN_PANELS:
        drill = manager.get(
            "/dashboards/tickets/", {"panel": panel, "team": team.pk, **ROWS.get(panel, {})}
        )
        assert drill.status_code == 200, panel
        assert "PAL-" not in drill.content.decode()


@pytest.mark.django_db
def test_a_team_whose_members_all_left_counts_nothing(world, desk):
    team = Team.objects.create(name="Gone")
    team.members.add(world.agent)
    team.members.remove(world.agent)
    manager = signed_in(world.manager)
    assert manager.get(f"/dashboards/export/sla.csv?team={team.pk}").status_code == 200
    assert manager.get(f"/dashboards/?team={team.pk}").status_code == 200


@pytest.mark.django_db
def test_a_customer_without_requests_and_a_period_without_data_answer_normally(world, desk):
    from palier.customers.models import Customer

    quiet = Customer.objects.create(code="quiet", name="Quiet SA")
    manager = signed_in(world.manager)
    for query in (f"customer={quiet.pk}", "start=2001-01-01&end=2001-01-31"):
        assert manager.get(f"/dashboards/?{query}").status_code == 200, query
        for key in TABLES:
            assert manager.get(f"/dashboards/export/{key}.csv?{query}").status_code == 200, key
    day = dt.date(2001, 1, 1)
    f = with_rollup(Filters(start=day, end=day))
    for build in PANELS.values():
        build(f)
