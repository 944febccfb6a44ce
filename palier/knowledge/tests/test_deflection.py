"""'This answered my question': counted per article, module and month, shown to managers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from palier.knowledge.models import Deflection
from palier.knowledge.queries import deflection_report
from palier.testing.factories import module
from palier.tickets.models import Ticket


def test_a_contact_closes_the_loop_without_a_ticket_and_it_is_counted(client, world, shelf):
    client.force_login(world.contact_a)
    response = client.post(
        reverse("web:knowledge:answered", args=[shelf.everyone.key]),
        {"query": "  How do I\n reverse an invoice? ", "module": str(module("Sales").pk)},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:portal:home")
    d = Deflection.objects.get()
    assert (d.article, d.contact, d.customer, d.module) == (
        shelf.everyone,
        world.contact_a,
        world.customer_a,
        module("Sales"),
    )
    assert d.query == "How do I reverse an invoice?" and d.language == "de"
    assert not Ticket.objects.exists()


def test_without_a_module_on_the_form_the_articles_module_counts(client, world, shelf):
    client.force_login(world.contact_a)
    client.post(reverse("web:knowledge:answered", args=[shelf.everyone.key]), {"module": "x"})
    assert Deflection.objects.get().module == module("Finance")


def test_a_contact_cannot_count_an_article_they_may_not_read(client, world, shelf):
    client.force_login(world.contact_expired)
    response = client.post(reverse("web:knowledge:answered", args=[shelf.customers.key]))
    assert response.status_code == 404
    assert not Deflection.objects.exists()


def test_only_contacts_count_and_only_by_post(client, world, shelf):
    url = reverse("web:knowledge:answered", args=[shelf.everyone.key])
    client.force_login(world.agent)
    client.post(url)
    client.force_login(world.contact_a)
    assert client.get(url).status_code == 405
    assert not Deflection.objects.exists()


def _answer(client, key, when):
    with time_machine.travel(when, tick=False):
        client.post(reverse("web:knowledge:answered", args=[key]))


def test_the_report_counts_per_article_per_module_per_month(client, world, shelf):
    client.force_login(world.contact_a)
    tz = timezone.get_default_timezone()
    now = timezone.now()
    this_month = now.astimezone(tz).replace(day=10, hour=12)
    last_month = (this_month.replace(day=1) - dt.timedelta(days=5)).replace(day=10)
    _answer(client, shelf.everyone.key, this_month)
    _answer(client, shelf.everyone.key, this_month + dt.timedelta(hours=2))
    _answer(client, shelf.everyone.key, last_month)
    _answer(client, shelf.english_only.key, this_month)
    report = deflection_report("en", now=now)
    assert report.total == 4
    months = [m.strftime("%Y-%m") for m in report.months]
    assert months == [last_month.strftime("%Y-%m"), this_month.strftime("%Y-%m")]
    by_article = {key: (per_month, total) for key, _title, per_month, total in report.by_article}
    assert by_article["reverse-invoice"][1] == 3
    assert sorted(by_article["reverse-invoice"][0].values()) == [1, 2]
    by_module = {name: total for name, _per_month, total in report.by_module}
    assert by_module == {"Finance": 3, "Logistics": 1}


@pytest.mark.parametrize(("persona", "status"), [("manager", 200), ("agent", 404)])
def test_the_report_is_for_managers(client, world, shelf, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("web:knowledge:deflection")).status_code == status


def test_the_report_page_costs_a_fixed_number_of_queries(
    client, world, shelf, django_assert_max_num_queries
):
    client.force_login(world.contact_a)
    for article in (shelf.everyone, shelf.customers, shelf.english_only):
        client.post(reverse("web:knowledge:answered", args=[article.key]))
    client.force_login(world.manager)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("web:knowledge:deflection")).content.decode()
    assert "Year-end closing checklist" in html


def test_saying_it_twice_within_an_hour_counts_once(client, world, shelf):
    client.force_login(world.contact_a)
    url = reverse("web:knowledge:answered", args=[shelf.everyone.key])
    now = timezone.now()
    for minutes in (0, 30, 61):
        with time_machine.travel(now + dt.timedelta(minutes=minutes), tick=False):
            client.post(url)
    assert Deflection.objects.count() == 2


def test_the_report_covers_twelve_months_this_one_included(client, world, shelf):
    client.force_login(world.contact_a)
    now = timezone.now()
    tz = timezone.get_default_timezone()
    local = now.astimezone(tz)
    year_ago = local.replace(year=local.year - 1, day=15, hour=12)
    eleven = (local.replace(day=1) - dt.timedelta(days=1)).replace(day=15, hour=12)
    for _ in range(10):  # walk back to the month eleven months ago
        eleven = (eleven.replace(day=1) - dt.timedelta(days=1)).replace(day=15, hour=12)
    _answer(client, shelf.everyone.key, year_ago)
    _answer(client, shelf.english_only.key, eleven)
    report = deflection_report("en", now=now)
    assert report.total == 1 and len(report.months) == 1


def test_a_deflection_in_a_language_not_offered_counts_in_the_contacts(world, shelf):
    """It counted under a literal English, not the language the contact reads the desk in."""
    from palier.accounts.models import User
    from palier.knowledge.actions import do_record_deflection

    User.objects.filter(pk=world.contact_a.pk).update(language="fr")
    world.contact_a.refresh_from_db()
    do_record_deflection(
        shelf.everyone, contact=world.contact_a, language="es", module=None, query="x"
    )
    assert Deflection.objects.get().language == "fr"
