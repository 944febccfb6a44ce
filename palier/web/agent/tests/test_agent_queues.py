"""The queue pages: who may enter, counts, filters, search, keyset pages, saved views."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import time_machine
from django.urls import reverse
from hypothesis import strategies as st

from palier.customers.models import Customer
from palier.sla.actions import do_recompute
from palier.testing.factories import make_ticket
from palier.tickets.actions import do_assign, do_transition
from palier.workspace.menus import word_order
from palier.workspace.models import SavedView

HOME = "/desk/"


def test_a_contact_gets_not_found_on_the_queues(client, world):
    client.force_login(world.contact_a)
    assert client.get(HOME).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_level_one_queue_lists_new_usage_questions_with_their_customer(client, world):
    ticket = make_ticket(world.contact_a, subject="Where is the VAT code set?")
    client.force_login(world.agent)
    response = client.get(HOME, {"queue": "level1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert ticket.reference in body
    assert "Where is the VAT code set?" in body
    assert "Alpenkäse AG" in body


def test_counts_per_queue_are_shown_and_refused_attempts_only_to_managers(client, world):
    make_ticket(world.contact_a)
    make_ticket(world.contact_a, "feature", "Add a column")
    make_ticket(world.contact_expired, subject="Our contract ended")
    client.force_login(world.agent)
    response = client.get(HOME)
    counts = {name: n for name, _label, n in response.context["counts"]}
    assert counts["level1"] == "1"
    assert counts["level2"] == "1"
    assert counts["unassigned"] == "2"
    assert "refused" not in counts
    assert client.get(HOME, {"queue": "refused"}).context["queue"] == "level1"

    client.force_login(world.manager)
    response = client.get(HOME, {"queue": "refused"})
    counts = {name: n for name, _label, n in response.context["counts"]}
    assert counts["refused"] == "1"
    assert "Our contract ended" in response.content.decode()


def test_mine_lists_only_the_tickets_assigned_to_me(client, world):
    mine = make_ticket(world.contact_a, subject="Mine to solve")
    make_ticket(world.contact_a, subject="Someone else's")
    done = make_ticket(world.contact_a, subject="Mine but closed")
    do_assign(mine, world.agent, acting_user=world.agent)
    done = do_assign(done, world.agent, acting_user=world.agent)
    do_transition(done, "closed", acting_user=world.agent)
    client.force_login(world.agent)
    body = client.get(HOME, {"queue": "mine"}).content.decode()
    assert "Mine to solve" in body
    assert "Mine but closed" not in body
    assert "Someone else&#x27;s" not in body and "Someone else's" not in body


def test_filters_by_customer_type_and_search_by_text_or_reference(client, world):
    a = make_ticket(world.contact_a, "malfunction", "Delivery note fails with 4711")
    b = make_ticket(world.contact_b, "usage", "Comment annuler une facture")
    client.force_login(world.agent)
    by_customer = client.get(HOME, {"queue": "open", "customer": world.customer_b.pk})
    assert [t["id"] for t in by_customer.context["page"].items] == [b.pk]
    by_type = client.get(HOME, {"queue": "open", "type": "malfunction"})
    assert [t["id"] for t in by_type.context["page"].items] == [a.pk]
    by_text = client.get(HOME, {"queue": "open", "q": "4711"})
    assert [t["id"] for t in by_text.context["page"].items] == [a.pk]
    by_ref = client.get(HOME, {"queue": "open", "q": b.reference})
    assert [t["id"] for t in by_ref.context["page"].items] == [b.pk]
    by_customer_name = client.get(HOME, {"queue": "open", "q": "bellevue"})
    assert [t["id"] for t in by_customer_name.context["page"].items] == [b.pk]


def test_bad_filter_values_and_a_forged_cursor_never_break_the_page(client, world):
    make_ticket(world.contact_a)
    client.force_login(world.agent)
    response = client.get(
        HOME, {"queue": "nope", "customer": "x", "age": "-5", "sort": "drop", "cursor": "!!"}
    )
    assert response.status_code == 200
    assert len(response.context["page"].items) == 1


def test_the_next_page_continues_where_the_first_ended(client, world):
    tickets = [make_ticket(world.contact_a, subject=f"Question {i}") for i in range(55)]
    client.force_login(world.agent)
    first = client.get(HOME, {"queue": "open"})
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get(
        HOME,
        {"queue": "open", "cursor": cursor},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ticket-list",
    )
    assert second.status_code == 200
    html = second.content.decode()
    on_second = [t for t in tickets if f"{t.reference}<" in html]
    shown = [t["id"] for t in first.context["page"].items] + [t.pk for t in on_second]
    assert len(on_second) == 5
    assert sorted(shown) == sorted(t.pk for t in tickets)
    # The htmx answer is the list region only, not a whole page.
    assert b"<html" not in second.content
    assert b'id="ticket-list"' in second.content


@pytest.mark.parametrize("count", [10, 60])
def test_a_queue_page_costs_the_same_queries_whatever_the_number_of_tickets(
    client, world, django_assert_num_queries, count
):
    for i in range(count):
        make_ticket(world.contact_a if i % 2 else world.contact_b, subject=f"Question {i}")
    client.force_login(world.agent)
    client.get(HOME)  # warm the session, and the menus this process keeps (workspace.menus)
    # session, user; the search: the newest matches, the page's ids and rows, their service
    # clocks; the queues' counts with the unread notifications and the menu stamp (the saved
    # views, colleagues, filter menus and the customers a search names are kept for it)
    with django_assert_num_queries(7):
        response = client.get(HOME, {"queue": "open", "q": "question"})
    assert response.status_code == 200
    # A queue: its page's ids and rows instead of the search's four statements.
    with django_assert_num_queries(6):
        response = client.get(HOME, {"queue": "level1"})
    assert response.status_code == 200
    # The menus changed (a customer more): read again, once, in one statement.
    Customer.objects.create(name="Neukunde AG")
    with django_assert_num_queries(7):
        response = client.get(HOME, {"queue": "level1"})
    assert "Neukunde AG" in response.content.decode()
    # The list region htmx asks for: no counts nor menus, but the menu stamp (the bulk
    # bar's colleagues and the customers a search names are kept for it).
    with django_assert_num_queries(7):
        response = client.get(
            HOME,
            {"queue": "open", "q": "question"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="ticket-list",
        )
    assert response.status_code == 200


def test_an_agent_saves_a_team_view_that_a_colleague_sees(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/views/",
        {
            "name": "Alpenkäse malfunctions",
            "shared": "on",
            "query": f"queue=open&type=malfunction&customer={world.customer_a.pk}&cursor=abc",
        },
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert view.shared and view.owner == world.agent
    assert "cursor" not in view.query and "type=malfunction" in view.query
    client.force_login(world.consultant)
    body = client.get(HOME).content.decode()
    assert "Alpenkäse malfunctions" in body


def test_a_personal_view_stays_personal_and_only_its_owner_deletes_it(client, world):
    view = SavedView.objects.create(owner=world.agent, name="Mine only", query="queue=mine")
    client.force_login(world.consultant)
    assert "Mine only" not in client.get(HOME).content.decode()
    assert client.post(f"/desk/views/{view.pk}/delete/").status_code == 404
    client.force_login(world.agent)
    assert client.post(f"/desk/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("sort", ["criticality", "customer", "module", "type", "status"])
def test_every_sort_walks_all_pages_without_a_gap_or_a_repeat(client, world, sort, language):
    from palier.tickets.actions import do_change_criticality

    tickets = []
    for i in range(56):
        contact = [world.contact_a, world.contact_b][i % 2]
        kind = ["usage", "malfunction", "feature", None][i % 4]
        ticket = make_ticket(
            contact, kind, f"Question {i}", module_name=[None, "Finance", "Sales"][i % 3]
        )
        if i % 5 == 0:
            ticket = do_change_criticality(
                ticket, "critical", acting_user=world.agent, reason="stopped"
            )
        tickets.append(ticket)
    from palier.customers.models import Module

    Module.objects.filter(name="Sales").update(name_fr="Commerce")  # after Finance in English
    Module.objects.filter(name="Finance").update(name_fr="Trésorerie")  # after Commerce in French
    world.agent.language = language
    world.agent.save(update_fields=["language"])
    client.force_login(world.agent)
    first = client.get(HOME, {"queue": "open", "sort": sort})
    items = list(first.context["page"].items)
    second = client.get(
        HOME, {"queue": "open", "sort": sort, "cursor": first.context["page"].next_cursor}
    )
    items += list(second.context["page"].items)
    assert sorted(t["id"] for t in items) == sorted(t.pk for t in tickets)
    if sort == "criticality":
        assert {t["criticality"] for t in items[:12]} == {"critical"}
    if sort == "customer":
        names = [t["customer__name"] for t in items]
        assert names == sorted(names)
    if sort in ("module", "type", "status"):  # by the words the reader reads, not codes
        page = first.content.decode() + second.content.decode()
        cells = {"module": 4, "type": 5, "status": 7}[sort]
        shown = [
            re.sub(r"<[^>]+>", "", row.split("<td")[cells].split(">", 1)[1]).strip()
            for row in page.split("<tr data-row>")[1:]
        ]
        assert len(shown) == len(tickets)
        shown = [re.sub(r" L\d$", "", word) for word in shown]  # the level's badge
        unknown = ("—", "to qualify", "à qualifier", "zu qualifizieren")  # none: first
        shown = [word for word in shown if word not in unknown]
        assert shown == sorted(shown, key=word_order), shown


def test_a_status_sort_orders_the_words_as_a_reader_does_not_by_their_bytes(client, world):
    from palier.tickets.models import Ticket

    waiting_patch = make_ticket(world.contact_a, "malfunction", "Patch please")
    waiting_you = make_ticket(world.contact_a, "usage", "Answer please")
    Ticket.objects.filter(pk=waiting_patch.pk).update(status="waiting_patch")
    Ticket.objects.filter(pk=waiting_you.pk).update(status="waiting_customer")
    world.agent.language = "de"
    world.agent.save(update_fields=["language"])
    client.force_login(world.agent)
    items = client.get(HOME, {"queue": "open", "sort": "status"}).context["page"].items
    ids = [t["id"] for t in items]
    # "Wartet auf den Kunden" before "Wartet auf Patch" (bytes put "P" before "d")
    assert ids.index(waiting_you.pk) < ids.index(waiting_patch.pk)


def test_a_cursor_of_a_worded_sort_kept_across_a_change_of_language_shows_the_first_page(
    client, world
):
    for i in range(55):
        make_ticket(world.contact_a, "usage", f"Question {i}", module_name="Finance")
    client.force_login(world.agent)
    cursor = client.get(HOME, {"queue": "open", "sort": "module"}).context["page"].next_cursor
    world.agent.language = "fr"
    world.agent.save(update_fields=["language"])
    response = client.get(HOME, {"queue": "open", "sort": "module", "cursor": cursor})
    assert response.context["error"]
    first = client.get(HOME, {"queue": "open", "sort": "module"}).context["page"].items
    assert [t["id"] for t in response.context["page"].items] == [t["id"] for t in first]


def _opened_monday_at_four(world, subject: str):
    """Standard tier, medium criticality: a first answer within 8 business hours, so by
    Tuesday 16:00 (office hours 8-12 and 13-17, Europe/Zurich)."""
    ticket = make_ticket(world.contact_a, subject=subject)
    do_recompute(ticket)
    return ticket


def _row(body: str, subject: str) -> str:
    return body.split(subject, 1)[1].split("</tr>", 1)[0]


def test_each_row_shows_the_business_time_left_overdue_or_paused(client, world):
    zurich = ZoneInfo("Europe/Zurich")
    with time_machine.travel(dt.datetime(2026, 11, 30, 16, tzinfo=zurich), tick=False):
        _opened_monday_at_four(world, "Running clock")
        waiting = _opened_monday_at_four(world, "Waiting for the customer")
        waiting = do_transition(waiting, "in_progress", acting_user=world.agent)
        waiting = do_transition(waiting, "waiting_customer", acting_user=world.agent)
        do_recompute(waiting)  # the worker's event handler, run here by hand
    client.force_login(world.agent)
    with time_machine.travel(dt.datetime(2026, 12, 1, 13, 50, tzinfo=zurich), tick=False):
        body = client.get(HOME, {"queue": "open"}).content.decode()
    assert "2 h 10 left" in _row(body, "Running clock")
    assert "first response" in _row(body, "Running clock")
    assert "paused" in _row(body, "Waiting for the customer")
    with time_machine.travel(dt.datetime(2026, 12, 1, 16, 35, tzinfo=zurich), tick=False):
        body = client.get(HOME, {"queue": "open"}).content.decode()
    assert "overdue 35 min" in _row(body, "Running clock")
    assert "sla--overdue" in _row(body, "Running clock")


def _bulk(client, tickets, **data):
    return client.post(
        "/desk/bulk/",
        {"ticket": [t.pk for t in tickets], "next": "/desk/?queue=open", **data},
    )


def test_bulk_assign_status_and_criticality_go_through_the_same_checks(client, world):
    tickets = [make_ticket(world.contact_a, subject=f"Bulk {i}") for i in range(3)]
    client.force_login(world.agent)
    response = _bulk(client, tickets, action="assign", assignee="me")
    assert response.status_code == 302 and response["Location"] == "/desk/?queue=open"
    assert all(t.assignee == world.agent for t in _fresh(tickets))
    _bulk(client, tickets, action="assign", assignee=str(world.consultant.pk))
    assert all(t.assignee == world.consultant for t in _fresh(tickets))
    # Criticality needs its reason, as one by one: nothing changes without it.
    refused = client.post(
        "/desk/bulk/",
        {"ticket": [t.pk for t in tickets], "action": "criticality", "criticality": "high"},
        follow=True,
    )
    assert "Say why the criticality changes." in refused.content.decode()
    assert all(t.criticality == "medium" for t in _fresh(tickets))
    _bulk(client, tickets, action="criticality", criticality="high", reason="Month-end")
    assert all(t.criticality == "high" for t in _fresh(tickets))
    # An edge the lifecycle refuses is refused for that ticket; the others move.
    do_transition(tickets[0], "resolved", acting_user=world.agent)
    moved = client.post(
        "/desk/bulk/",
        {"ticket": [t.pk for t in tickets], "action": "status", "status": "waiting_customer"},
        follow=True,
    )
    body = moved.content.decode()
    assert "2 tickets changed." in body
    assert f"{tickets[0].reference}: A ticket cannot go from resolved to waiting_customer" in body
    assert [t.status for t in _fresh(tickets)] == [
        "resolved",
        "waiting_customer",
        "waiting_customer",
    ]


def _fresh(tickets):
    from palier.tickets.models import Ticket

    return [Ticket.objects.get(pk=t.pk) for t in tickets]


def test_bulk_close_and_merge(client, world):
    keep, dup1, dup2 = [make_ticket(world.contact_a, subject=f"Same {i}") for i in range(3)]
    other = make_ticket(world.contact_b, subject="Other customer")
    client.force_login(world.agent)
    merged = client.post(
        "/desk/bulk/",
        {"ticket": [keep.pk, dup1.pk, dup2.pk, other.pk], "action": "merge"},
        follow=True,
    )
    body = merged.content.decode()
    assert "2 tickets changed." in body  # the oldest carries on; the other customer's stays
    assert f"{other.reference}: Only requests of the same customer can be merged." in body
    assert [t.status for t in _fresh([keep, dup1, dup2, other])] == [
        "new",
        "closed",
        "closed",
        "new",
    ]
    _bulk(client, [keep, other], action="close")
    assert [t.status for t in _fresh([keep, other])] == ["closed", "closed"]


def test_bulk_actions_reach_only_what_the_user_may_and_return_home(client, world):
    ticket = make_ticket(world.contact_a)
    client.force_login(world.contact_a)
    assert _bulk(client, [ticket], action="close").status_code == 404
    client.force_login(world.agent)
    response = client.post(
        "/desk/bulk/", {"ticket": [ticket.pk], "action": "close", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/desk/"
    nothing = client.post("/desk/bulk/", {"action": "close"}, follow=True)
    assert "Select at least one ticket." in nothing.content.decode()


def test_a_search_that_names_a_customer_lists_its_tickets_without_an_or(
    client, world, django_assert_max_num_queries
):
    theirs = make_ticket(world.contact_b, subject="Rechnung storniert")
    worded = make_ticket(world.contact_a, subject="Bellevue hotel printer")
    make_ticket(world.contact_a, subject="Nothing to do with it")
    client.force_login(world.agent)
    client.get(HOME)
    with django_assert_max_num_queries(15):
        response = client.get(HOME, {"queue": "open", "q": "bellevue"})
    ids = [t["id"] for t in response.context["page"].items]
    assert ids == [worded.pk, theirs.pk]  # newest first, from both index walks
    assert [c.name for c in response.context["customers"]] == ["Bellevue SA"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(HOME, {"queue": "open", "q": "bellevue"})
    assert not any(
        "ticket_search" in q["sql"] and " OR " in q["sql"] and "customer" in q["sql"]
        for q in ctx.captured_queries
    )


def test_the_keys_are_written_on_the_queue_page(client, world):
    client.force_login(world.agent)
    body = client.get(HOME).content.decode()
    assert 'id="queue-keys"' in body and "<kbd>j</kbd>/<kbd>k</kbd> move" in body


def _forged(payload) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "value", "pk"),
    [
        ("criticality", "x", 1),  # a rank compared with text: was a 500
        ("criticality", "", 1),
        ("criticality", True, 1),
        ("criticality", 2**40, 1),
        ("criticality", 1.5, 1),
        ("customer", 3, 1),
        ("customer", "a\u0000b", 1),  # PostgreSQL refuses NUL in text
        ("customer", "\ud800", 1),  # a lone surrogate: no database stores it
        ("module", "x" * 5000, 1),  # longer than the form takes: dropped, first page
        ("status", "new", 2**70),
        ("type", "usage", "1"),
        ("status", None, 1),
        ("status", ["new"], 1),
    ],
)
def test_a_forged_cursor_of_an_expression_sort_shows_the_first_page(client, world, sort, value, pk):
    ticket = make_ticket(world.contact_a)
    client.force_login(world.agent)
    cursor = _forged({"s": sort, "v": value, "id": pk})
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        response = client.get(HOME, {"queue": "open", "sort": sort, "cursor": cursor}, **headers)
        assert response.status_code == 200
        assert ticket.reference in response.content.decode()
    if len(cursor) <= 400:  # a longer one the form drops, like any field it cannot take
        assert (
            "This cursor is not valid for this list."
            in client.get(HOME, {"queue": "open", "sort": sort, "cursor": cursor}).content.decode()
        )


@pytest.mark.parametrize(
    ("params", "label", "error"),
    [
        ({"status": "limbo"}, "Status", "Select a valid choice."),
        ({"sort": "by-mood"}, "Sort", "Select a valid choice."),
        ({"customer": "x"}, "Customer", "Select a valid choice."),
        ({"customer": "999999"}, "Customer", "Select a valid choice."),
        # Python's int() reads each of these as an id: a form takes ASCII digits alone.
        ({"customer": "{a}_{b}"}, "Customer", "Select a valid choice."),
        ({"customer": " {id}"}, "Customer", "Select a valid choice."),
        ({"customer": "+{id}"}, "Customer", "Select a valid choice."),
        ({"customer": "{wide}"}, "Customer", "Select a valid choice."),
        ({"q": "delivery " * 30}, "Search", "Ensure this value has at most 200 characters"),
    ],
)
def test_a_bad_queue_filter_is_left_out_alone_and_the_page_says_which(
    client, world, params, label, error
):
    ticket = make_ticket(world.contact_a, subject="Delivery note crash")
    client.force_login(world.agent)
    other = str(world.customer_b.pk)  # a real id, written as int() reads it but a form must not
    digits = {"a": other[:-1] or "0", "b": other[-1], "id": other}
    digits["wide"] = other.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    params = {k: v.format(**digits) if k == "customer" else v for k, v in params.items()}
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        response = client.get(HOME, {"queue": "open", **params}, **headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert ticket.reference in html  # the other filters (none here) still apply
        assert f"The filter “{label}” was left out: {error}" in html, headers
        assert "The other filters apply." in html
    if "q" in params:  # what was typed stays in the search box
        assert 'value="delivery delivery' in client.get(HOME, params).content.decode()


def test_a_left_out_queue_filter_is_named_in_the_agents_language(client, world, settings):
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(HOME, {"status": "limbo"}).content.decode()
    assert "Le filtre « Statut » n’a pas été appliqué" in html


@pytest.mark.parametrize("sort", ["-created", "created", "-updated", "updated"])
@pytest.mark.parametrize("pk", [2**70, 2**63, "12", "abc", -5, 0, 1.5, True, None])
def test_a_forged_cursor_of_an_id_or_instant_sort_is_said_and_the_first_page_shows(
    client, world, sort, pk
):
    """The id sorts go through the validation of the expression sorts (web/agent/sorting):
    an id out of range or of another kind is 'not valid for this list', not page 1 said
    nothing of (2**70, a string) nor an empty list (-5)."""
    ticket = make_ticket(world.contact_a)
    client.force_login(world.agent)
    value = pk if sort.endswith("created") else ticket.updated_at.isoformat()
    cursor = _forged({"s": sort, "v": value, "id": pk})
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        for q in ("", "invoice"):
            params = {"queue": "open", "sort": sort, "cursor": cursor, "q": q}
            response = client.get(HOME, params, **headers)
            html = response.content.decode()
            assert response.status_code == 200
            assert ticket.reference in html, (headers, q)
            assert "This cursor is not valid for this list." in html


@pytest.mark.parametrize("value", ["7", 7.5, None, "2026-01-01T00:00:00+00:00"])
def test_an_id_sort_cursor_whose_value_is_not_its_id_is_not_valid(client, world, value):
    ticket = make_ticket(world.contact_a)
    client.force_login(world.agent)
    cursor = _forged({"s": "-created", "v": value, "id": 7})
    html = client.get(HOME, {"queue": "open", "cursor": cursor}).content.decode()
    assert ticket.reference in html and "This cursor is not valid for this list." in html


def test_the_filter_menus_mark_the_chosen_values_in_the_readers_language(client, world):
    """The menus' markup is kept per language (forms.FastSelect.static_key, workspace.menus):
    each page still marks its own choice, and a page in German reads German."""
    client.force_login(world.agent)
    page = client.get(HOME, {"status": "new", "sort": "created"}).content.decode()
    assert '<option value="new" selected>' in page
    assert '<option value="created" selected>' in page
    assert '<option value="" selected>All types</option>' in page
    page = client.get(HOME, {"status": "bogus", "customer": world.customer_b.pk}).content
    page = page.decode()
    assert '<option value="" selected>All statuses</option>' not in page
    assert 'value="bogus"' not in page
    assert f'<option value="{world.customer_b.pk}" selected>Bellevue SA</option>' in page
    world.agent.language = "de"
    world.agent.save(update_fields=["language"])
    page = client.get(HOME, {"criticality": "high"}).content.decode()
    assert '<option value="" selected>Alle Typen</option>' in page
    assert '<option value="status" selected>' not in page
    assert "Most critical first" not in page


def test_a_view_of_a_filter_too_long_to_save_says_so_not_that_it_lacks_a_name(client, world):
    client.force_login(world.agent)
    response = client.post(
        "/desk/views/", {"name": "Long", "query": "q=" + "%C3%A9" * 170}, follow=True
    )
    page = response.content.decode()
    assert "This filter is too long to save as a view." in page
    assert "Give the view a name." not in page
    assert not SavedView.objects.exists()
    response = client.post("/desk/views/", {"name": "x" * 81, "query": "queue=open"}, follow=True)
    assert (
        "Name of the view: Ensure this value has at most 80 characters" in response.content.decode()
    )
    response = client.post("/desk/views/", {"name": " ", "query": "queue=open"}, follow=True)
    assert "Give the view a name." in response.content.decode()


def test_a_search_names_customers_by_code_or_by_part_of_their_name_in_any_case(client, world):
    """Read from the menus the page keeps (workspace.menus): the code exactly, the name in
    part, case ignored in every alphabet (SQLite's LIKE ignored it for ASCII only)."""
    Customer.objects.create(name="ÖKO Zürich AG", code="oeko")
    client.force_login(world.agent)

    def named(text: str) -> list[str]:
        response = client.get(HOME, {"queue": "open", "q": text})
        return [c.name for c in response.context["customers"]]

    assert named("öko zür") == ["ÖKO Zürich AG"]
    assert named("OEKO") == ["ÖKO Zürich AG"]
    assert named("oek") == []  # a code is named whole
    assert named("ALPENKÄSE") == ["Alpenkäse AG"]
    assert named("PAL-2026-000001") == []  # a reference, not a name
    Customer.objects.filter(code="oeko").update(name="Grün AG")
    assert named("öko zür") == [] and named("grün") == ["Grün AG"]


def test_a_reference_finds_its_request_in_any_queue_and_filter_as_the_api_does(client, world, api):
    """A reference names one request: the queue shown (level 1 by default), its status and
    the other filters do not hide it, as the API's search with no filter finds it."""
    resolved = make_ticket(world.contact_a, "usage", "Resolved already")
    do_assign(resolved, world.agent, acting_user=world.agent)
    do_transition(resolved, "resolved", acting_user=world.agent)
    feature = make_ticket(world.contact_b, "feature", "Add a column")  # level 2
    client.force_login(world.agent)
    for ticket in (resolved, feature):
        found = api(world.agent).get("/tickets", q=ticket.reference).json()["items"]
        assert [t["id"] for t in found] == [ticket.pk]
        for params in (
            {},
            {"queue": "waiting"},
            {"queue": "open", "customer": world.customer_expired.pk, "status": "new"},
            {"queue": "level1", "sort": "criticality"},  # an expression sort
        ):
            for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
                response = client.get(HOME, {**params, "q": ticket.reference.lower()}, **headers)
                assert response.status_code == 200
                assert [t["id"] for t in response.context["page"].items] == [ticket.pk], params
                assert "No request has the reference" not in response.content.decode()


@pytest.mark.parametrize(
    "q", ["PAL-9999-000001", "PAL-9999-00000000001", "PAL-2026-{missing}", "PAL-2025-{id}"]
)
def test_a_reference_of_no_request_is_said_not_listed_empty(client, world, settings, q):
    ticket = make_ticket(world.contact_a)
    q = q.format(missing=f"{ticket.pk + 100:06d}", id=f"{ticket.pk:06d}")
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        response = client.get(HOME, {"queue": "open", "q": q}, **headers)
        assert response.status_code == 200
        assert response.context["page"].items == []
        assert f"Aucune demande n’a la référence {q}." in response.content.decode()


@pytest.mark.parametrize(
    "q", ["PAL-2026-00001", "PAL-26-000001", "PAL-2026-0000000000000000001", "PAL-２０２６-{id}"]
)
def test_a_malformed_reference_is_said_with_the_form_of_one(client, world, settings, q):
    """Six to eighteen digits after a four-digit year, in ASCII digits (as an id from a
    link): Python's \\d also read '２０２６' as 2026 and found the ticket by its reference."""
    ticket = make_ticket(world.contact_a)
    q = q.format(id=f"{ticket.pk:06d}")
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(HOME, {"queue": "open", "q": q})
    assert response.status_code == 200  # its words are still searched as text
    assert "n’est pas une référence : une référence s’écrit comme PAL-2026-000123." in (
        response.content.decode()
    )


@hypothesis.settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    q=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
    | st.from_regex(r"\A\s?[pP][aA][lL]-[0-9０-９٠-٩]{0,6}-?[0-9０-９]{0,22}\s?\Z")
    | st.sampled_from(['"', "*", "AND", "NEAR(", "'", "()", "-", "PAL-", "%", "_", "\\"])
)
def test_no_search_text_makes_the_desk_or_the_api_fail(client, world, api, q):
    client.force_login(world.agent)
    for params in ({"q": q}, {"q": q, "queue": "open", "sort": "criticality"}):
        assert client.get(HOME, params).status_code == 200, q
    assert api(world.agent).get("/tickets", q=q).status_code in (200, 400, 422), q


def test_a_lone_surrogate_in_the_search_makes_no_error(client, world):
    client.force_login(world.agent)
    # %ED%A0%80: a lone surrogate encoded, which no database stores.
    assert client.get(f"{HOME}?q=PAL-%ED%A0%80").status_code == 200
    assert client.get(f"{HOME}?q=%ED%A0%80&sort=criticality").status_code == 200


@pytest.mark.parametrize("q", ["%", "_", "\ufffd", "?!…", "  -- "])
def test_a_search_with_no_word_is_said_and_the_queue_listed_unsearched(client, world, settings, q):
    ticket = make_ticket(world.contact_a, subject="Delivery note crash")
    client.force_login(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        response = client.get(HOME, {"queue": "open", "q": q}, **headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert [t["id"] for t in response.context["page"].items] == [ticket.pk]
        said = f"« {q.strip()} » n’a aucun mot à chercher (lettres ou chiffres)"
        assert said in response.context["search_notice"], headers
        assert 'id="search-notice"' in html
    # %EF%BF%BD: U+FFFD, also what a byte that is no UTF-8 is read as.
    assert client.get(f"{HOME}?queue=open&q=%EF%BF%BD").context["search_notice"]
    assert client.get(f"{HOME}?queue=open&q=%FF").context["search_notice"]
    # A word, or a reference, is searched as before and says nothing of the kind.
    for q in ("crash!", ticket.reference):
        assert client.get(HOME, {"queue": "open", "q": q}).context["search_notice"] == ""


def test_a_search_given_twice_is_left_out_and_said_neither_value_searched(client, world, settings):
    """?q=a&q=b searched b alone without a word; as the dashboards refuse a filter given
    twice, the desk names it left out (and searches neither)."""
    crash = make_ticket(world.contact_a, subject="Delivery note crash")
    other = make_ticket(world.contact_a, subject="Invoice layout")
    client.force_login(world.agent)
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}):
        response = client.get(f"{HOME}?queue=open&q=nowhere&q=delivery", **headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert {t["id"] for t in response.context["page"].items} == {crash.pk, other.pk}
        assert (
            "The filter “Search” was left out: This filter is given 2 times; give it once." in html
        )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(f"{HOME}?queue=open&q=a&q=b&q=c").content.decode()
    assert "Ce filtre est donné 3 fois ; donnez-le une seule fois." in html
