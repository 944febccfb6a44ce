import datetime as dt

import pytest
from django.utils import timezone, translation

from palier.billing.reports import billing_report, month_chart_svg
from palier.billing.tests.helpers import accepted_estimate, log, open_ticket


def test_the_chart_escapes_labels_and_scales_to_the_peak():
    svg = month_chart_svg(
        [
            {"month": "<script>", "billable_hours": "10.00", "level1_hours": "5.00"},
            {"month": "2026-02", "billable_hours": "0.00", "level1_hours": "0.00"},
        ]
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'height="180.0"' in svg  # the peak fills the plot (220 - 28 - 12)
    assert month_chart_svg([]) == ""


@pytest.mark.django_db
def test_the_report_costs_the_same_few_queries_for_many_rows(world, django_assert_max_num_queries):
    today = timezone.localdate()
    for n in range(6):
        ticket = open_ticket(world.customer_a, world.contact_a, subject=f"Feature {n}")
        accepted_estimate(ticket, world.consultant, world.contact_a, hours="5")
        log(ticket, world.consultant, 30)
        log(open_ticket(world.customer_b, world.contact_b, request_type="usage"), world.agent, 20)
    with django_assert_max_num_queries(9):
        report = billing_report(today - dt.timedelta(days=31), today)
    assert report.by_customer[0]["billable_hours"] == "3.00"
    assert report.by_customer[0]["revenue"] == "555.00"
    assert report.unbilled_level1 == [{"customer": "Bellevue SA", "hours": "2.00", "tickets": 6}]
    assert report.estimates["accepted"] == 6


@pytest.mark.django_db
def test_time_entry_list_costs_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    client = api(world.agent)
    for n in range(5):
        ticket = open_ticket(
            world.customer_a, world.contact_a, request_type="usage", subject=f"Q{n}"
        )
        log(ticket, world.agent, 10)
    with django_assert_max_num_queries(4):
        response = client.get("/time-entries")
    assert len(response.json()["items"]) == 5


def test_the_chart_speaks_the_readers_language():
    with translation.override("de"):
        svg = month_chart_svg(
            [{"month": "2026-02", "billable_hours": "3.00", "level1_hours": "1.00"}]
        )
    assert 'aria-label="Kostenpflichtige und Level-1-Stunden pro Monat"' in svg
    assert "h kostenpflichtig</title>" in svg and "h Level 1</title>" in svg
    assert "billable" not in svg and "level 1" not in svg
