"""The queue's rows written in Python (web/agent/rows.py) print what a template loop prints,
and their service clocks read as values say what the clocks read as models say."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone
from django.utils.translation import gettext, override

from palier.sla.actions import do_recompute
from palier.sla.models import TicketClock
from palier.sla.queries import time_left_of
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_assign, do_transition
from palier.tickets.models import Criticality
from palier.tickets.states import Status
from palier.web.agent.rows import render_rows
from palier.workspace.queue import ROW_FIELDS, page_clocks, queue_rows

NASTY = "a <b> & \"c\" 'd' </td><script>x</script>"

# web/agent/queue.html's loop before rows.py, written without the whitespace between tags
# that rows.py leaves out.
ROW_LOOP = Template(
    "{% load i18n %}{% for t in rows %}"
    '<tr data-row><td class="col-check"><input type="checkbox" name="ticket" value="{{ t.pk }}"'
    ' aria-label="{{ t.reference }}"></td>'
    '<td><a href="{{ t.url }}" class="ticket-link"><span class="ref">{{ t.reference }}</span>'
    " {{ t.subject }}</a></td>"
    '<td>{{ t.customer }}{% if t.contact %}<div class="muted small">{{ t.contact }}</div>'
    "{% endif %}</td>"
    '<td class="hide-sm">{{ t.module|default:"—" }}</td>'
    '<td class="hide-sm">{{ t.type|default:to_qualify }}</td>'
    '<td><span class="crit crit--{{ t.criticality }}">{{ t.criticality_label }}</span></td>'
    '<td><span class="badge badge--status">{{ t.status }}</span>{% if t.level %} <span'
    ' class="badge {% if t.billable %}badge--billable{% else %}badge--included{% endif %}">'
    "L{{ t.level }}</span>{% endif %}</td>"
    '<td class="sla {{ t.sla.css }}">{% if t.sla.text %}{{ t.sla.text }}'
    '<div class="muted small">{{ t.sla.target }}</div>{% else %}<span class="muted">—</span>'
    "{% endif %}</td>"
    '<td class="hide-sm">{{ t.assignee|default:"—" }}</td>'
    '<td class="hide-sm"><time datetime="{{ t.created_iso }}" title="{{ t.created }}">'
    "{{ t.age }}</time></td></tr>"
    '{% empty %}<tr><td colspan="10" class="empty">{% translate "No ticket matches." %}</td>'
    "</tr>{% endfor %}"
)


def _loop(rows: list[dict]) -> str:
    return ROW_LOOP.render(Context({"rows": rows, "to_qualify": gettext("to qualify")}))


def _written(rows: list[dict]) -> str:
    return render_rows(rows, to_qualify=gettext("to qualify"), empty=gettext("No ticket matches."))


def _items(tickets) -> list[dict]:
    """The tickets as the queue's page reads them (dicts of ROW_FIELDS), newest first."""
    from palier.tickets.models import Ticket

    rows = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values(*ROW_FIELDS)
    return sorted(rows, key=lambda r: -r["id"])


@pytest.fixture
def desk(world):
    """Tickets in varied states: a running first-response clock, one paused while waiting
    for the customer, one overdue, one closed (no clock shown), one assigned, one of a
    hostile subject and one of a long one, one without a module or contact's name."""
    zurich = ZoneInfo("Europe/Zurich")
    with time_machine.travel(dt.datetime(2026, 11, 30, 16, tzinfo=zurich), tick=False):
        running = make_ticket(world.contact_a, subject="Running clock")
        waiting = make_ticket(world.contact_a, subject=NASTY, request_type="malfunction")
        waiting = do_transition(waiting, "in_progress", acting_user=world.agent)
        waiting = do_transition(waiting, "waiting_customer", acting_user=world.agent)
        closed = make_ticket(world.contact_b, subject="x" * 200, module_name=None)
        closed = do_transition(closed, "closed", acting_user=world.agent, reason="Done")
        assigned = make_ticket(world.contact_b, subject="Feature", request_type="feature")
        do_assign(assigned, world.agent, acting_user=world.agent)
        untyped = make_ticket(world.contact_a2, subject="<i>untyped</i>", request_type=None)
        tickets = [running, waiting, closed, assigned, untyped]
        for ticket in tickets:
            do_recompute(ticket)
    return tickets


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("hour", [(12, 0), (13, 50), (16, 35)])  # left, left, overdue
def test_queue_rows_print_what_the_template_loop_prints(desk, language, hour):
    zurich = ZoneInfo("Europe/Zurich")
    with (
        time_machine.travel(dt.datetime(2026, 12, 1, *hour, tzinfo=zurich), tick=False),
        override(language),
    ):
        rows = queue_rows(_items(desk))
        written = _written(rows)
        assert written == _loop(rows)
        assert _written([]) == _loop([])
    assert "&lt;script&gt;" in written and "<script>" not in written
    assert {r["sla"]["css"] for r in rows} >= {"", "sla--paused"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_status_criticality_level_and_sla_prints_what_the_loop_prints(world, language):
    with override(language):
        from palier.tickets import labels

        rows = []
        states = itertools.product(
            Status.values,
            Criticality.values,
            [None, 1, 2],
            [False, True],
            [
                {"text": "", "css": "", "target": ""},
                {"text": "paused", "css": "sla--paused", "target": "resolution"},
                {"text": "overdue 2 h", "css": "sla--overdue", "target": "first response"},
                {"text": "3 h 05 left", "css": "", "target": NASTY},
            ],
        )
        for i, (status, crit, level, billable, sla) in enumerate(states):
            rows.append(
                {
                    "pk": i + 1,
                    "url": f"/desk/tickets/{i + 1}/",
                    "reference": f"PAL-2026-{i + 1:06d}",
                    "subject": NASTY if i % 3 else "Ordinary & plain",
                    "customer": "Alpenkäse <AG>",
                    "contact": "" if i % 2 else f"Anna {NASTY}",
                    "module": "" if i % 5 == 0 else "Finance",
                    "type": "" if i % 7 == 0 else str(labels.request_type("usage")),
                    "criticality": crit,
                    "criticality_label": str(labels.criticality(crit)),
                    "status": str(labels.status(status)),
                    "level": level,
                    "billable": billable,
                    "sla": sla,
                    "assignee": "" if i % 4 else "Bea O'Neil",
                    "age": "3 days",
                    "created": "2026-12-01 10:00",
                    "created_iso": "2026-12-01T09:00:00+00:00",
                }
            )
        assert _written(rows) == _loop(rows)


@pytest.mark.django_db
def test_the_page_clocks_read_as_values_tell_the_time_left_the_models_tell(desk):
    zurich = ZoneInfo("Europe/Zurich")
    clocks = page_clocks([t.pk for t in desk])
    assert set(clocks) == set(TicketClock.objects.values_list("pk", flat=True))
    for hour in ((12, 0), (13, 50), (16, 35), (18, 0)):
        now = dt.datetime(2026, 12, 1, *hour, tzinfo=zurich)
        for model in TicketClock.objects.all():
            assert time_left_of(clocks[model.pk], now) == time_left_of(model, now)
    assert page_clocks([]) == {}
    assert timezone.is_aware(next(iter(clocks.values())).first_response_due)
