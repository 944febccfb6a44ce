"""The time list's rows written in Python (web/billing/rows.py) print what the template loop
of web/billing/time.html printed, byte for byte."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.template import Context, Template
from django.utils.translation import override

from palier.billing.models import Activity, TimeEntry
from palier.tickets.models import Ticket
from palier.web.billing.rows import render_time_rows

NASTY = "a <b> & \"c\" 'd' </td><script>x</script>"

ROW_LOOP = Template(
    """{% load i18n %}{% for e in entries %}<tr><td>{{ e.date|date:"SHORT_DATE_FORMAT" }}</td><td>{{ e.ticket.reference }}</td><td>{{ e.minutes }}</td><td>{{ e.activity_label }}</td><td>{% if e.billable %}{% translate "yes" %}{% if e.prepaid_minutes %} ({% blocktranslate with m=e.prepaid_minutes %}{{ m }} min prepaid{% endblocktranslate %}){% endif %}{% else %}{% translate "no" %}{% endif %}{% if e.invoice_id %} · {% translate "invoiced" %}{% endif %}</td><td>{{ e.note }}</td></tr>
    {% empty %}<tr><td colspan="6" class="muted">{% translate "No time logged yet." %}</td></tr>{% endfor %}"""  # noqa: E501 - web/billing/time.html's loop before rows.py
)


def _entries() -> tuple[list[TimeEntry], list[dict]]:
    """Entries of every activity, billable or not, prepaid or not, invoiced or not, with
    plain and hostile notes, over dates of both halves of the year; as the template read
    them (instances) and as rows.py reads them (dicts)."""
    utc = dt.UTC
    instances, rows = [], []
    kinds = itertools.product(Activity.values, [False, True], [0, 45, 1500], [None, 7])
    for i, (activity, billable, prepaid, invoice) in enumerate(kinds):
        created = dt.datetime(2025 + i % 2, 12, 31, 23, 30, tzinfo=utc)
        ticket = Ticket(pk=1000 + i, created_at=created)
        entry = TimeEntry(
            pk=i + 1,
            ticket=ticket,
            date=dt.date(2026, 1 + i % 12, 1 + i % 28),
            minutes=[5, 90, 12345][i % 3],
            activity=activity,
            billable=billable,
            prepaid_minutes=prepaid,
            invoice_id=invoice,
            note=[NASTY, "", "Call with Anna & Bea"][i % 3],
        )
        entry.activity_label = dict(Activity.choices).get(activity, activity)
        instances.append(entry)
        rows.append(
            {
                "id": entry.pk,
                "date": entry.date,
                "ticket_id": ticket.pk,
                "ticket__created_at": created,
                "minutes": entry.minutes,
                "activity": activity,
                "billable": billable,
                "prepaid_minutes": prepaid,
                "invoice_id": invoice,
                "note": entry.note,
            }
        )
    return instances, rows


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_time_rows_print_what_the_template_loop_printed(language):
    instances, rows = _entries()
    with override(language):
        written = render_time_rows(rows)
        assert written == ROW_LOOP.render(Context({"entries": instances}))
        assert render_time_rows([]) == ROW_LOOP.render(Context({"entries": []}))
    assert "&lt;script&gt;" in written and "<script>" not in written


@pytest.mark.django_db
def test_the_time_list_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    from palier.billing.actions import do_log_time
    from palier.testing.factories import make_ticket

    ticket = make_ticket(world.contact_a)
    for day in range(3):
        do_log_time(
            ticket,
            acting_user=world.agent,
            date=dt.date(2026, 11, 1 + day),
            minutes=30,
            activity="support",
        )
    client.force_login(world.agent)
    client.get("/billing/time/")
    # session, user, the entries with their tickets' dates, the running timer, the unread
    # notifications
    with django_assert_num_queries(5):
        body = client.get("/billing/time/").content.decode()
    assert body.count(ticket.reference) == 3


@pytest.mark.django_db
def test_a_running_timer_shows_its_ticket_and_start(client, world, django_assert_num_queries):
    from django.utils import timezone

    from palier.billing.actions import do_start_timer
    from palier.testing.factories import make_ticket

    ticket = make_ticket(world.contact_a)
    do_start_timer(ticket, acting_user=world.agent, activity="support")
    client.force_login(world.agent)
    client.get("/billing/time/")
    with django_assert_num_queries(5):
        body = client.get("/billing/time/").content.decode()
    started = timezone.localtime(world.agent.timer.started_at).strftime("%H:%M")
    assert f"Running on {ticket.reference} since {started}." in body
    assert "Stop and log" in body and 'value="start"' not in body
