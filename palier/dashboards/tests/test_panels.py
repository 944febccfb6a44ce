"""Each panel's figures, its query budget, and the tickets behind every figure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from palier.dashboards.drilldown import tickets_behind
from palier.dashboards.filters import Filters
from palier.dashboards.panels import PANELS, QUERY_BUDGET

COUNTING = {"Requests", "Refused requests", "Linked requests", "Answers", "Total"}


def filters(**kw) -> Filters:
    return Filters.default(timezone.localdate()).__class__(
        **{**Filters.default(timezone.localdate()).__dict__, **kw}
    )


def rows(panel, table_key):
    return {row.label: row.values for row in panel.table(table_key).rows}


@pytest.mark.django_db
def test_every_panel_stays_within_its_query_budget(desk, django_assert_max_num_queries):
    f = filters()
    for key, build in PANELS.items():
        with django_assert_max_num_queries(QUERY_BUDGET[key]):
            build(f)


@pytest.mark.django_db
def test_intake_counts_requests_by_channel_and_level_at_intake(desk):
    panel = PANELS["intake"](filters())
    assert rows(panel, "intake") == {"Portal": [1, 1, 1, 3], "Email": [1, 0, 0, 1]}
    # The diagnosed request came in at level 1: intake keeps that, after its move to level 2.
    assert dict(panel.facts)["Requests in"] == 4


@pytest.mark.django_db
def test_refusals_name_the_lapsed_customers_with_their_contract_end(world, desk):
    panel = PANELS["refusals"](filters())
    assert rows(panel, "refusals") == {"Contract expired": [1, 1]}
    [(name, values)] = rows(panel, "lapsed").items()
    end = world.customer_expired.contracts.get().end.isoformat()
    assert name == "OldCo Ltd" and values[:2] == [1, end]


@pytest.mark.django_db
def test_moves_level2_work_sla_backlog_rnd_funnel_and_satisfaction(desk):
    f = filters()
    assert rows(PANELS["moves"](f), "moves") == {"In a customization after all": [1, 1]}
    level2 = PANELS["level2"](f)
    assert rows(level2, "l2custom") == {'Sales / Order line: "Zone"': [1, Decimal("1.50")]}
    assert rows(level2, "l2customer") == {"Alpenkäse AG": [1, Decimal("1.50")]}
    sla = PANELS["sla"](f)
    breaches = sum(row.values[3] for row in sla.table("sla").rows)
    assert breaches == 1 and dict(sla.facts)["Requests with a clock"] == 3
    backlog = rows(PANELS["backlog"](f), "backlog")
    assert sum(values[-1] for values in backlog.values()) == 2  # usage is resolved
    assert rows(PANELS["rnd"](f), "defects") == {f"DEF-{desk.defect.pk} Export crashes": [1, 1]}
    funnel = rows(PANELS["billing"](f), "funnel")
    assert funnel == {
        "Estimated": [Decimal("3.00")],
        "Consented": [Decimal("3.00")],
        "Logged (billable)": [Decimal("1.50")],
        "Invoiced": [Decimal("0.00")],
    }
    satisfaction = PANELS["satisfaction"](f)
    assert rows(satisfaction, "satisfaction")["5/5"] == [1]
    assert dict(satisfaction.facts)["Average score"] == Decimal("5.0")


@pytest.mark.django_db
def test_every_counting_figure_links_to_exactly_the_tickets_it_counts(world, desk):
    from palier.testing.factories import make_ticket

    # A mailed request not yet qualified (no type, so no intake decision): in no intake cell,
    # and once listed behind its channel's total anyway.
    make_ticket(world.contact_b, None, "Something is odd", channel="email")
    f = filters()
    checked = 0
    for build in PANELS.values():
        for table in build(f).tables:
            counting = [i for i, c in enumerate(table.columns[1:]) if str(c) in COUNTING]
            for row in table.rows:
                for i in counting:
                    link = row.link(i)
                    if link is None:
                        continue
                    assert tickets_behind(f, link).count() == row.values[i], (table.key, row)
                    checked += 1
    assert checked >= 12


@pytest.mark.django_db
def test_filters_narrow_every_panel(world, desk):
    only_b = filters(customer_id=world.customer_b.pk)
    assert rows(PANELS["intake"](only_b), "intake") == {"Email": [1, 0, 0, 1]}
    assert rows(PANELS["level2"](only_b), "l2custom") == {}
    sales = filters(module_id=desk.feature.module_id)
    assert rows(PANELS["intake"](sales), "intake") == {"Portal": [0, 1, 0, 1]}
    level2 = filters(level=2)
    backlog = rows(PANELS["backlog"](level2), "backlog")
    assert sum(values[-1] for values in backlog.values()) == 2
    before = filters(
        start=timezone.localdate().replace(year=2020), end=timezone.localdate().replace(year=2020)
    )
    assert rows(PANELS["intake"](before), "intake") == {}


@pytest.mark.django_db
def test_a_team_filter_counts_the_requests_of_its_members(world, desk):
    from palier.workspace.models import Team

    team = Team.objects.create(name="Customer Services", lead=world.manager)
    team.members.add(world.consultant)
    nobody = filters(team_id=team.pk, team_members=(world.consultant.pk,))
    assert rows(PANELS["intake"](nobody), "intake") == {}
    team.members.add(world.agent)
    agents = filters(team_id=team.pk, team_members=(world.consultant.pk, world.agent.pk))
    assert rows(PANELS["intake"](agents), "intake") == {
        "Portal": [1, 1, 0, 2],
        "Email": [1, 0, 0, 1],
    }


@pytest.mark.django_db
def test_a_defect_recorded_after_its_patch_took_no_days_not_negative_ones(desk):
    import datetime as dt

    from palier.customers.models import ProductVersion
    from palier.engineering.models import Defect, Patch

    now = timezone.now()
    product = desk.defect.product
    patch = Patch.objects.create(
        version=ProductVersion.objects.create(product=product, number="11.9.1"),
        released_at=now - dt.timedelta(days=3),
    )
    Defect.objects.filter(pk=desk.defect.pk).update(fixed_in=patch)  # created today
    facts = dict(PANELS["rnd"](filters()).facts)
    assert facts["Defects patched in the period"] == 1
    assert facts["Median days from report to patch"] == 0
