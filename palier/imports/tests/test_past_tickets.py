"""Past tickets from Jira Service Management, Zendesk and the generic CSV, on both
databases: matched to customers and contacts, original keys kept and searchable, comments
as messages with their dates and authors, the decision marked imported, nothing sent."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from palier.imports.files import UnreadableFile
from palier.imports.models import ImportedTicket, TypeMapping
from palier.imports.past.actions import do_map_types, process
from palier.mailgateway.models import OutboundMessage
from palier.tickets.models import Decision, Message, Ticket, TicketEvent
from palier.tickets.notifications import dispatch_pending_events

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"


def _import(kind: str, *names: str, write: bool = True, user=None, **options):
    files = [(name, (SAMPLES / name).open("rb")) for name in names]
    try:
        return process(kind, files, options, write=write, acting_user=user)
    finally:
        for _name, f in files:
            f.close()


def _problems(report) -> set[tuple[int, str, str]]:
    return {(p.line, p.column, p.message) for p in report.problems}


@pytest.fixture
def nothing_sent():
    events, outbound = TicketEvent.objects.count(), OutboundMessage.objects.count()
    yield
    assert TicketEvent.objects.count() == events
    assert dispatch_pending_events() == 0
    assert OutboundMessage.objects.count() == outbound and mail.outbox == []


def test_the_jira_check_lists_every_problem_and_writes_nothing(numbered):
    report = _import("jira", "jira_service_management.csv", write=False)
    assert report.counts == {
        "tickets_new": 3,
        "tickets_known": 0,
        "tickets_refused": 3,
        "comments": 5,
    }
    problems = _problems(report)
    assert any(line == 4 and col == "Created" and "31/Sep/25" in m for line, col, m in problems)
    # Each problem names a column of the file, not a field of Palier's
    assert any(
        line == 5 and col == "Custom field (Organizations)" and "Zürcher Druck" in m
        for line, col, m in problems
    )
    assert any(line == 5 and col == "Comment" for line, col, _m in problems)
    assert any(line == 6 and col == "Issue key" and "Line 2" in m for line, col, m in problems)
    assert report.types == {"Report a bug": 3, "Get help": 2, "Ask for training": 1}
    assert Ticket.objects.count() == 0 and ImportedTicket.objects.count() == 0


def test_jira_issues_become_tickets_with_their_comments_dates_and_authors(numbered, nothing_sent):
    do_map_types(
        acting_user=numbered.manager,
        source="jira",
        mapping={"Report a bug": "malfunction", "Get help": "usage"},
    )
    report = _import("jira", "jira_service_management.csv", user=numbered.manager)
    assert report.counts["tickets_new"] == 3 and report.counts["comments"] == 5
    first = ImportedTicket.objects.get(source="jira", key="SD-101").ticket
    assert first.customer == numbered.customer_a and first.contact == numbered.contact_a
    assert first.type == "malfunction" and first.status == "closed" and first.criticality == "high"
    assert first.assignee == numbered.agent
    assert first.created_at == dt.datetime(2025, 7, 14, 13, 42, tzinfo=dt.UTC)  # 15:42 in Zurich
    assert first.reference.startswith("PAL-2025-")
    messages = list(Message.objects.filter(ticket=first).order_by("created_at"))
    assert [m.body for m in messages] == [
        "Could you send us the log of the run? Thanks",
        "Here it is; the run stopped at 02:13.",
        "Fixed by correcting the VAT code of customer 17.",
    ]
    assert [m.author for m in messages] == [numbered.agent, numbered.contact_a, numbered.agent]
    assert messages[1].from_customer  # the reporter's own comment
    assert all(m.internal for m in messages)  # Jira's CSV does not say: kept from customers
    decision = Decision.objects.get(ticket=first)
    assert first.decision == decision and decision.kind == "imported"
    assert decision.facts["key"] == "SD-101" and decision.facts["type"] == "Report a bug"
    by_number = ImportedTicket.objects.get(key="SD-105").ticket
    assert by_number.customer == numbered.customer_a and by_number.criticality == "critical"
    waiting = ImportedTicket.objects.get(key="SD-102").ticket
    assert waiting.status == "waiting_customer" and waiting.type == "usage"


def test_importing_the_same_export_twice_adds_nothing(numbered, nothing_sent):
    _import("jira", "jira_service_management.csv", user=numbered.manager)
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    report = _import("jira", "jira_service_management.csv", user=numbered.manager)
    assert report.counts["tickets_known"] == 3 and report.counts["tickets_new"] == 0
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)


def test_original_keys_are_searchable_through_the_api(numbered, api):
    _import("jira", "jira_service_management.csv", user=numbered.manager, public_comments=True)
    ticket = ImportedTicket.objects.get(key="SD-102").ticket
    found = api(numbered.agent).get("/tickets", q="SD-102").json()
    assert [t["id"] for t in found["items"]] == [ticket.pk]
    mine = api(numbered.contact_a).get("/tickets", q="SD-102").json()
    assert [t["id"] for t in mine["items"]] == [ticket.pk]
    comment = api(numbered.contact_a).get("/tickets", q="Which of the two invoices").json()
    assert [t["id"] for t in comment["items"]] == [ticket.pk]


def test_an_imported_ticket_reads_as_imported_not_as_decided_by_the_policy(numbered):
    _import("jira", "jira_service_management.csv", user=numbered.manager)
    ticket = ImportedTicket.objects.get(key="SD-101").ticket
    client = Client()
    client.force_login(numbered.contact_a)
    detail = client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["decision"]["kind"] == "imported"
    assert detail["explanation"]["language"] == "de"  # the ticket's, Anna's
    assert detail["explanation"]["headline"] == "Aus einem früheren Support-Werkzeug importiert"
    assert "Jira Service Management SD-101" in detail["explanation"]["why_level"]
    page = client.get(f"/portal/requests/{ticket.pk}/")
    assert page.status_code == 200 and "Support-Werkzeug" in page.content.decode()
    agent = Client()
    agent.force_login(numbered.agent)
    desk = agent.get(f"/desk/tickets/{ticket.pk}/")
    assert desk.status_code == 200 and "Invoice run stops with error 4711" in desk.content.decode()


def test_zendesk_incremental_export_pages_with_comment_events(numbered, nothing_sent):
    names = ("zendesk_incremental_tickets.json", "zendesk_incremental_ticket_events.json")
    check = _import("zendesk", *names, write=False)
    assert check.counts == {
        "tickets_new": 2,
        "tickets_known": 0,
        "tickets_refused": 2,
        "comments": 3,  # the first comment of each is its description
    }
    assert any("not a date" in m for _l, _c, m in _problems(check))
    assert any(c == "organization_id" for _l, c, _m in _problems(check))  # the unknown caller
    _import("zendesk", *names, user=numbered.manager)
    solved = ImportedTicket.objects.get(source="zendesk", key="4711").ticket
    assert solved.customer == numbered.customer_a  # the organization's external id: 10042
    assert solved.status == "resolved" and solved.criticality == "critical"
    assert solved.description == "Since this morning every delivery note prints blank."
    messages = list(solved.messages.order_by("created_at"))
    assert [(m.author, m.internal) for m in messages] == [
        (numbered.agent, True),
        (numbered.agent, False),
    ]
    pending = ImportedTicket.objects.get(source="zendesk", key="4712").ticket
    assert pending.customer == numbered.customer_b and pending.contact == numbered.contact_b
    assert pending.status == "waiting_customer" and pending.channel == "portal"
    assert pending.first_response_at == dt.datetime(2025, 4, 10, 12, 30, tzinfo=dt.UTC)


def test_the_generic_csv(numbered, nothing_sent):
    missing = BytesIO(b"key,subject\nK-1,x\n")
    with pytest.raises(UnreadableFile) as refused:
        process("tickets", [("m.csv", missing)], {}, write=False)
    assert "docs/moving-in.md" in refused.value.message
    report = _import("tickets", "generic_tickets.csv", user=numbered.manager)
    assert report.counts["tickets_new"] == 2 and report.counts["tickets_refused"] == 1
    problems = _problems(report)
    assert any(col == "created_at" and "01/12/2024" in m for _l, col, m in problems)
    assert any(col == "status" for _l, col, _m in problems)
    assert any(col == "key" and "follow each other" in m for _l, col, m in problems)
    old = ImportedTicket.objects.get(source="csv", key="OLD-1").ticket
    assert old.channel == "phone" and old.type == "usage" and old.contact == numbered.contact_a
    assert [(m.internal, m.author) for m in old.messages.order_by("id")] == [
        (False, numbered.contact_a),
        (True, numbered.agent),
        (False, numbered.agent),
    ]
    export = ImportedTicket.objects.get(source="csv", key="OLD-2").ticket
    assert export.type is None  # "Export" is mapped to nothing yet
    assert TypeMapping.objects.count() == 0


def _zendesk_bytes(comments: list[dict]) -> bytes:
    import json

    ticket = {
        "id": 9100,
        "subject": "Visibility",
        "description": "First words",
        "status": "solved",
        "requester_id": 1,
        "organization_id": 10,
        "created_at": "2025-05-01T10:00:00Z",
        "updated_at": "2025-05-02T10:00:00Z",
        "comments": [{"author_id": 1, "body": "First words", "public": True,
                      "created_at": "2025-05-01T10:00:00Z"}] + comments,
    }  # fmt: skip
    return json.dumps({"tickets": [ticket]}).encode()


@pytest.mark.parametrize("flag", ["false", "true", "False", 0, 1, None, "yes", [True]])
def test_a_zendesk_comment_is_public_only_when_its_public_flag_is_the_json_true(flag):
    from io import BytesIO

    from palier.imports.past.zendesk import read_zendesk

    comment = {"author_id": 2, "body": "A note", "created_at": "2025-05-01T11:00:00Z"}
    if flag is not None:
        comment["public"] = flag
    [ticket] = read_zendesk([("p.json", BytesIO(_zendesk_bytes([comment])))])
    assert [c.public for c in ticket.comments] == [False]
    [ticket] = read_zendesk([("p.json", BytesIO(_zendesk_bytes([{**comment, "public": True}])))])
    assert [c.public for c in ticket.comments] == [True]


@pytest.mark.parametrize("flag", [False, "false", None])
def test_a_zendesk_ticket_opened_with_an_internal_note_shows_the_customer_no_description(flag):
    """Zendesk's description is its first comment's text: an internal first comment stays a
    note for staff, and the description the customer reads stays empty."""
    import json
    from io import BytesIO

    from palier.imports.past.zendesk import read_zendesk

    data = json.loads(_zendesk_bytes([]))
    first = data["tickets"][0]["comments"][0]
    if flag is None:
        del first["public"]
    else:
        first["public"] = flag
    [ticket] = read_zendesk([("p.json", BytesIO(json.dumps(data).encode()))])
    assert ticket.description == ""
    assert [(c.body, c.public) for c in ticket.comments] == [("First words", False)]
    [ticket] = read_zendesk([("p.json", BytesIO(_zendesk_bytes([])))])
    assert ticket.description == "First words" and ticket.comments == []


def test_jira_comments_are_public_only_when_asked_with_a_true_option():
    from palier.imports.past.actions import read

    with (SAMPLES / "jira_service_management.csv").open("rb") as binary:
        tickets = [t for t in read("jira", [("j.csv", binary)], {"public_comments": "false"})
                   if hasattr(t, "comments")]  # fmt: skip
    assert tickets and all(c.public is False for t in tickets for c in t.comments)


@pytest.mark.parametrize(
    "head,row",
    [
        ("key;created_at;subject;customer;message;message_internal",
         "G-1;2025-01-02 10:00;Hello;10042;A note;"),
        ("key;created_at;subject;customer;message", "G-1;2025-01-02 10:00;Hello;10042;A note"),
    ],
)  # fmt: skip
def test_a_generic_message_is_public_only_when_its_internal_cell_says_no(head, row):
    from io import BytesIO

    from palier.imports.past.generic import read_generic

    [ticket] = read_generic(BytesIO(f"{head}\n{row}\n".encode()))
    assert [c.public for c in ticket.comments] == [False]
    said = "key;created_at;subject;customer;message;message_internal\nG-1;2025-01-02;Hi;1;A;no\n"
    [ticket] = read_generic(BytesIO(said.encode()))
    assert [c.public for c in ticket.comments] == [True]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("tickets", b'key,created_at,subject,customer\nK-1,2025-01-02,Fine,10042\n'
                    b'K-2,2025-01-02,"Open quote,10042\nK-3,2025-01-02,Swallowed,10042\n'),
        ("jira", b'Issue key,Summary,Created\nSD-1,Fine,14/Jul/25 3:42 PM\n'
                 b'SD-2,"Open quote,14/Jul/25 3:42 PM\nSD-3,Swallowed,14/Jul/25 3:42 PM\n'),
    ],
)  # fmt: skip
def test_a_past_tickets_file_ending_inside_a_quote_is_refused_with_its_line(kind, data):
    from io import BytesIO

    from palier.imports.files import UnreadableFile

    with pytest.raises(UnreadableFile) as refused:
        process(kind, [("f.csv", BytesIO(data))], {}, write=False)
    assert "line 3" in refused.value.message and "quote" in refused.value.message


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "1989-12-31"])
def test_a_past_ticket_dated_outside_1990_to_tomorrow_is_a_problem_on_its_row(numbered, when):
    from io import BytesIO

    data = (
        "key,created_at,subject,customer,message_date,message\n"
        "D-1,2025-01-02 10:00,Fine,10042,,Hello\n"
        f"D-2,{when},Far,10042,,Hello\n"
        f"D-3,2025-01-02 10:00,Far message,10042,{when},Hello\n"
    ).encode()
    report = process("tickets", [("d.csv", BytesIO(data))], {}, write=True,
                     acting_user=numbered.manager)  # fmt: skip
    assert report.counts["tickets_new"] == 1 and report.counts["tickets_refused"] == 2
    problems = _problems(report)
    assert any(line == 3 and col == "created_at" and "1990" in m for line, col, m in problems)
    assert any(line == 4 and "1990" in m for line, _col, m in problems)


@pytest.mark.parametrize(
    "data",
    [
        b'{"tickets": "oops", "users": {"a": 1}}',
        b'{"tickets": [{"id": 1, "subject": "caf\xe9"}]}',
        b'{"tickets": [{"id": 7, "subject": "x", "via": "email", "created_at": "2025-01-01"}]}',
        b'{"tickets": [3, {"id": [1], "subject": "x", "requester_id": {}, "comments": [1],'
        b' "organization_id": [], "created_at": "2025-01-01"}], "users": [1, {"id": []}],'
        b' "ticket_events": [1, {"ticket_id": [], "child_events": [2]}], "organizations": "x"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_hostile_zendesk_file_is_a_clear_problem_not_a_crash(numbered, data):
    from io import BytesIO

    from palier.imports.files import UnreadableFile

    try:
        report = process("zendesk", [("z.json", BytesIO(data))], {}, write=False)
    except UnreadableFile as refused:
        assert "z.json" in refused.message
        return
    assert report.problems and report.counts["tickets_new"] == 0


def test_a_zendesk_zip_is_read_only_up_to_its_decompressed_limit(numbered, monkeypatch):
    import io
    import zipfile

    from palier.imports.files import UnreadableFile
    from palier.imports.past import zendesk

    monkeypatch.setattr(zendesk, "ZIP_LIMIT", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("p1.json", '{"tickets": [], "users": []}' + " " * 5000)
    buffer.seek(0)
    with pytest.raises(UnreadableFile) as refused:
        process("zendesk", [("z.zip", buffer)], {}, write=False)
    assert "ZIP" in refused.value.message


def test_a_ticket_repeated_across_zendesk_pages_is_read_once_in_its_newest_copy():
    import json

    from palier.imports.past.zendesk import read_zendesk

    def page(status: str, updated: str) -> BytesIO:
        ticket = {"id": 5001, "subject": "Repeated", "status": status, "created_at":
                  "2025-05-01T10:00:00Z", "updated_at": updated}  # fmt: skip
        return BytesIO(json.dumps({"tickets": [ticket]}).encode())

    pages = [
        ("p1.json", page("open", "2025-05-02T10:00:00Z")),
        ("p2.json", page("closed", "2025-05-03T10:00:00Z")),
        ("p3.json", page("pending", "2025-05-01T12:00:00Z")),  # an older copy, paged late
    ]
    [ticket] = read_zendesk(pages)
    assert ticket.status == "closed" and not ticket.problems


def test_a_customer_reference_that_names_two_customers_is_a_problem_not_a_guess(numbered):
    numbered.customer_b.code = numbered.customer_a.name
    numbered.customer_b.save()
    data = (
        "key,created_at,subject,customer\n"
        f"A-1,2025-01-02 10:00,Which one,{numbered.customer_a.name.upper()}\n"
        "A-2,2025-01-02 10:00,This one,10043\n"
    ).encode()
    report = process("tickets", [("a.csv", BytesIO(data))], {}, write=False)
    assert report.counts["tickets_new"] == 1 and report.counts["tickets_refused"] == 1
    [(line, column, message)] = _problems(report)
    assert (line, column) == (2, "customer")
    assert "10042" in message and "10043" in message


def test_a_problem_of_a_zendesk_page_names_its_file(numbered):
    import json

    def page(ticket_id: int) -> BytesIO:
        ticket = {"id": ticket_id, "subject": "No customer", "created_at": "2025-05-01T10:00:00Z"}
        return BytesIO(json.dumps({"tickets": [ticket]}).encode())

    report = process("zendesk", [("p1.json", page(1)), ("p2.json", page(2))], {}, write=False)
    assert {(p.file, p.line) for p in report.problems} == {("p1.json", 1), ("p2.json", 1)}
    assert {p.as_dict()["file"] for p in report.problems} == {"p1.json", "p2.json"}
    import io
    import zipfile

    from palier.imports.past.actions import do_check_past_import

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("p1.json", page(1).getvalue())
        archive.writestr("p2.json", page(2).getvalue())
    run = do_check_past_import(
        acting_user=numbered.manager, kind="zendesk", data=buffer.getvalue(), filename="z.zip"
    )
    client = Client()
    client.force_login(numbered.manager)
    screen = client.get(f"/manage/imports/{run.pk}/").content.decode()
    assert "p1.json, 1" in screen and "p2.json, 1" in screen
    rows = client.get(f"/manage/imports/{run.pk}/problems.csv").content.decode()
    assert "p2.json, 1;" in rows


# The same ticket in each reader's columns, its accented cells as Windows-1252 writes them.
WINDOWS_1252 = {
    "tickets": "key,created_at,subject,customer\nK-1,2025-01-02 10:00,{subject},10042\n",
    "jira": "Issue key,Summary,Created\nSD-1,{subject},14/Jul/25 3:42 PM\n",
}


@pytest.mark.parametrize("kind", ["tickets", "jira"])
def test_a_windows_1252_file_is_read_with_its_accents(kind):
    subject = "Käserei Zürich – Fälligkeit « déjà » reçue"
    data = WINDOWS_1252[kind].format(subject=subject).encode("cp1252")
    assert data.decode("latin-1") != data.decode("cp1252")  # the dash tells them apart
    report = process(kind, [("x.csv", BytesIO(data))], {}, write=False)
    assert report.counts["tickets_new"] + report.counts["tickets_refused"] == 1
    from palier.imports.past.actions import read

    [ticket] = read(kind, [("x.csv", BytesIO(data))], {})
    assert ticket.subject == subject


@pytest.mark.parametrize("kind", ["tickets", "jira"])
def test_a_file_that_is_no_text_is_refused_in_words(kind):
    # Its header is whole: only the byte Windows-1252 leaves undefined (0x81) refuses it.
    data = WINDOWS_1252[kind].format(subject="Käserei \x81 AG").encode("latin-1")
    with pytest.raises(UnreadableFile) as refused:
        process(kind, [("x.csv", BytesIO(data))], {}, write=False)
    assert refused.value.message == (
        "The file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8."
    )


def test_the_date_bounds_are_the_desks_days_as_the_message_says(db):
    """'From 1990-01-01 to tomorrow' in the desk's time zone: its first minute of 1990 and
    its last of tomorrow are imported, a minute outside either is not."""
    import datetime as dt

    from django.utils import timezone

    from palier.imports.past.dates import InstantOutOfRange, parse_instant

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert parse_instant("1990-01-01 00:01") == timezone.make_aware(dt.datetime(1990, 1, 1, 0, 1))
    assert parse_instant(f"{tomorrow} 23:59") is not None
    for outside in ("1989-12-31 23:59", f"{tomorrow + dt.timedelta(days=1)} 00:00"):
        with pytest.raises(InstantOutOfRange):
            parse_instant(outside)


def test_a_past_ticket_over_several_lines_is_named_by_the_line_it_starts_on(numbered):
    from io import BytesIO

    data = (
        b"key,created_at,subject,customer,message_date,message\n"
        b"D-1,2025-01-02 10:00,Fine,10042,,Hello\n"
        b'D-2,1989-12-31,Far,10042,,"Hello\nover\nlines"\n'
    )
    report = process("tickets", [("d.csv", BytesIO(data))], {}, write=False,
                     acting_user=numbered.manager)  # fmt: skip
    assert any(line == 3 and col == "created_at" for line, col, _m in _problems(report))


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("jira", ["jira_service_management.csv"]),
        ("tickets", ["generic_tickets.csv"]),
        ("zendesk", ["zendesk_incremental_tickets.json", "zendesk_incremental_ticket_events.json"]),
    ],
)
def test_the_progress_at_the_end_of_a_run_reads_all_done(numbered, kind, names):
    calls: list[tuple[int, int]] = []
    files = [(name, (SAMPLES / name).open("rb")) for name in names]
    try:
        process(kind, files, {}, write=False, acting_user=numbered.manager,
                progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    finally:
        for _name, f in files:
            f.close()
    done, total = calls[-1]
    assert total > 0 and done == total
    if kind != "zendesk":  # read by position: the last batch already counts every byte
        assert len(calls) >= 2 and calls[-2] == calls[-1]


def test_a_zendesk_voice_comment_is_imported_as_an_internal_phone_note():
    import json
    from io import BytesIO

    from palier.imports.past.zendesk import read_zendesk

    page = json.loads(_zendesk_bytes([]))
    del page["tickets"][0]["comments"]
    events = {"ticket_events": [
        {"ticket_id": 9100, "created_at": "2025-05-01T11:00:00Z", "child_events": [
            {"event_type": "VoiceComment", "author_id": 2, "public": True,
             "body": "Inbound call", "formatted_from": "+41 22 123 45 67",
             "data": {"transcription_text": "The invoice run stops.", "call_duration": 95}},
        ]},
        {"ticket_id": 9100, "created_at": "2025-05-01T12:00:00Z", "child_events": [
            {"event_type": "FacebookComment", "author_id": 2, "body": "Hi"},
        ]},
    ]}  # fmt: skip
    items = list(read_zendesk([
        ("t.json", BytesIO(json.dumps(page).encode())),
        ("e.json", BytesIO(json.dumps(events).encode())),
    ]))  # fmt: skip
    [ticket] = items  # another channel's comment is no problem: it is imported (below)
    call, facebook = ticket.comments
    assert (call.public, call.channel, call.activity) == (False, "phone", "phone_call")
    assert "Inbound call" in call.body and "The invoice run stops." in call.body
    assert "+41 22 123 45 67" in call.body and "95" in call.body
    assert facebook.public is False and facebook.body == "Zendesk channel: FacebookComment\n\nHi"


def test_a_zendesk_comment_made_private_later_comes_in_internal():
    """The events export keeps the flag a comment was written with; a later
    CommentPrivacyChange made it internal, and the customer must not read it. The last change
    of a comment wins (private, then public again, is public)."""
    import json

    from palier.imports.past.zendesk import read_zendesk

    page = json.loads(_zendesk_bytes([]))
    del page["tickets"][0]["comments"]

    def comment(number: int, at: str, body: str) -> dict:
        return {"ticket_id": 9100, "created_at": at, "child_events": [
            {"id": number, "event_type": "Comment", "author_id": 2, "public": True, "body": body},
        ]}  # fmt: skip

    def privacy(number: int, at: str, public: bool) -> dict:
        return {"ticket_id": 9100, "created_at": at, "child_events": [
            {"id": 900 + number, "event_type": "CommentPrivacyChange", "comment_id": number,
             "public": public},
        ]}  # fmt: skip

    events = [
        comment(501, "2025-05-01T10:00:00Z", "Opening words"),
        comment(502, "2025-05-01T11:00:00Z", "Our margin on this customer is 40 %"),
        comment(503, "2025-05-01T12:00:00Z", "Shown again later"),
        privacy(502, "2025-05-01T11:05:00Z", False),
        privacy(503, "2025-05-01T12:05:00Z", False),
        privacy(503, "2025-05-01T12:10:00Z", True),
    ]
    files = [
        ("t.json", BytesIO(json.dumps(page).encode())),
        ("e.json", BytesIO(json.dumps({"ticket_events": events}).encode())),
    ]
    [ticket] = read_zendesk(files)
    got = {c.body: c.public for c in ticket.comments}
    assert got["Our margin on this customer is 40 %"] is False
    assert got["Shown again later"] is True


@pytest.mark.parametrize("where", ["comments", "ticket_events"])
def test_another_channels_zendesk_comment_is_named_and_public_only_when_public(where):
    """In a ticket's own comments as in the events export: a call is an internal phone
    note, another channel's comment a message naming its kind, public only when public."""
    import json

    from palier.imports.past.zendesk import read_zendesk

    comments = [
        {"type": "FacebookComment", "author_id": 1, "public": True, "body": "Seen on Facebook",
         "created_at": "2025-05-01T11:00:00Z"},
        {"type": "TwitterComment", "author_id": 1, "public": "true", "body": "A tweet",
         "created_at": "2025-05-01T12:00:00Z"},
        {"type": "VoiceComment", "author_id": 2, "public": True, "body": "A call",
         "created_at": "2025-05-01T13:00:00Z", "data": {"call_duration": 30}},
    ]  # fmt: skip
    page = json.loads(_zendesk_bytes([] if where == "ticket_events" else comments))
    files = [("t.json", BytesIO(json.dumps(page).encode()))]
    if where == "ticket_events":
        del page["tickets"][0]["comments"]
        files = [("t.json", BytesIO(json.dumps(page).encode()))]
        events = [{"ticket_id": 9100, "created_at": c["created_at"],
                   "child_events": [{**c, "event_type": c["type"]}]} for c in comments]  # fmt: skip
        files.append(("e.json", BytesIO(json.dumps({"ticket_events": events}).encode())))
    [ticket] = read_zendesk(files)
    got = [(c.public, c.channel, c.activity, c.body.split("\n")[0]) for c in ticket.comments]
    assert got == [
        (True, "", "message", "Zendesk channel: FacebookComment"),
        (False, "", "message", "Zendesk channel: TwitterComment"),
        (False, "phone", "phone_call", "A call"),
    ]
    assert "Seen on Facebook" in ticket.comments[0].body


def test_a_zendesk_call_is_written_as_an_internal_phone_note(numbered):
    import json
    from io import BytesIO

    from palier.tickets.models import Message

    page = json.loads(_zendesk_bytes([
        {"type": "VoiceComment", "author_id": 2, "public": True, "body": "Outbound call",
         "created_at": "2025-05-01T11:00:00Z", "data": {"transcription_text": "Fixed."}},
    ]))  # fmt: skip
    page["organizations"] = [{"id": 10, "external_id": "10042"}]
    report = process("zendesk", [("t.json", BytesIO(json.dumps(page).encode()))], {},
                     write=True, acting_user=numbered.manager)  # fmt: skip
    assert report.counts["tickets_new"] == 1, report.problems
    call = Message.objects.get(body__startswith="Outbound call")
    assert (call.internal, call.channel, call.activity) == (True, "phone", "phone_call")
    assert "Fixed." in call.body


def test_a_calls_facts_are_written_even_when_the_body_holds_their_digits():
    from palier.imports.past.zendesk import _call_note

    note = _call_note(
        {"data": {"call_duration": 5, "from": "+41 44 555 00 00"}}, "Call about invoice 5"
    )
    assert "Call about invoice 5" in note and ": 5" in note and "+41 44 555 00 00" in note


def test_a_zendesk_ticket_opened_by_a_call_shows_the_customer_no_description():
    import json
    from io import BytesIO

    from palier.imports.past.zendesk import read_zendesk

    data = json.loads(_zendesk_bytes([]))
    first = data["tickets"][0]["comments"][0]
    first.update(type="VoiceComment", body="First words")  # public: True, as Zendesk may say
    [ticket] = read_zendesk([("p.json", BytesIO(json.dumps(data).encode()))])
    assert ticket.description == ""
    assert [c.public for c in ticket.comments] == [False]


@pytest.mark.parametrize(
    ("kind", "head", "row", "bad"),
    [
        ("tickets", "key,created_at,subject,customer", "K-{n},2025-01-02 10:00,Fine,10042",
         'K-X,2025-01-02 10:00,"Stray"quote,10042'),
        ("jira", "Issue key,Summary,Created,Custom field (Organizations)",
         "SD-{n},Fine,14/Jul/25 3:42 PM,10042", 'SD-X,"Stray"quote,14/Jul/25 3:42 PM,10042'),
    ],
)  # fmt: skip
def test_a_file_broken_after_the_first_batch_is_refused_before_anything_is_written(
    numbered, kind, head, row, bad
):
    from palier.imports.past.actions import BATCH

    rows = [row.format(n=n) for n in range(BATCH + 5)]
    data = "\n".join([head, *rows, bad, row.format(n="last")]).encode() + b"\n"
    before = Ticket.objects.count()
    with pytest.raises(UnreadableFile) as refused:
        process(kind, [("f.csv", BytesIO(data))], {}, write=True, acting_user=numbered.manager)
    assert f"Line {BATCH + 7} is not valid CSV" in refused.value.message
    assert Ticket.objects.count() == before
    good = BytesIO("\n".join([head, *rows[:3]]).encode())
    report = process(kind, [("f.csv", good)], {}, write=True, acting_user=numbered.manager)
    assert report.counts["tickets_new"] == 3 and Ticket.objects.count() == before + 3


def _late_accents(kind: str) -> bytes:
    """Over a megabyte of plain ASCII tickets, then accented ones in Windows-1252."""
    filler = "x" * 400
    if kind == "tickets":
        head = "key,created_at,subject,customer\n"
        row = "K-{n},2025-01-02 10:00,{subject},10042\n"
    else:
        head = "Issue key,Summary,Created\n"
        row = "SD-{n},{subject},14/Jul/25 3:42 PM\n"
    rows = [row.format(n=n, subject=f"Plain {n} {filler}") for n in range(3000)]
    rows += [row.format(n=n, subject=f"Prix {n} 12 € – déjà") for n in range(3000, 3100)]
    data = (head + "".join(rows)).encode("cp1252")
    assert len(data.split("€".encode("cp1252"))[0]) > 1 << 20
    return data


@pytest.mark.parametrize("kind", ["tickets", "jira"])
def test_a_windows_1252_file_whose_accents_come_after_its_first_megabyte_is_read_whole(kind):
    from palier.imports.past.actions import read

    data = _late_accents(kind)
    tickets = list(read(kind, [("x.csv", BytesIO(data))], {}))
    assert len(tickets) == 3100
    assert tickets[-1].subject == "Prix 3099 12 € – déjà"


@pytest.mark.parametrize("kind", ["tickets", "jira"])
def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_line_that_changes(kind):
    data = _late_accents(kind).replace(
        "Prix 3050 12 € – déjà".encode("cp1252"), "Prix 3050 12 € – déjà".encode()
    )
    line = 2 + 3050  # the header, then one line a ticket
    with pytest.raises(UnreadableFile) as refused:
        process(kind, [("x.csv", BytesIO(data))], {}, write=False)
    assert f"Line {line} " in refused.value.message


def test_the_zendesk_notes_stored_in_a_ticket_are_in_the_customers_language(numbered):
    """A German-speaking manager imports a French customer's tickets: the words the import
    writes into them (a channel's name, a call's facts) are the customer's, not the
    manager's."""
    import json

    from django.utils import translation

    page = json.loads(_zendesk_bytes([
        {"type": "FacebookComment", "author_id": 1, "public": True, "body": "Vu",
         "created_at": "2025-05-01T11:00:00Z"},
        {"type": "VoiceComment", "author_id": 2, "body": "Appel",
         "created_at": "2025-05-01T12:00:00Z", "data": {"call_duration": 42}},
    ]))  # fmt: skip
    page["organizations"] = [{"id": 10, "external_id": "10043"}]  # Bellevue SA, French
    with translation.override("de"):
        report = process("zendesk", [("t.json", BytesIO(json.dumps(page).encode()))], {},
                         write=True, acting_user=numbered.manager)  # fmt: skip
    assert report.counts["tickets_new"] == 1, report.problems
    ticket = Ticket.objects.get(customer=numbered.customer_b)
    assert ticket.language == "fr"
    bodies = list(ticket.messages.order_by("created_at").values_list("body", flat=True))
    assert bodies[0].startswith("Canal Zendesk\xa0: FacebookComment")
    # French typography: a (non-breaking) space before the colon, as in the catalogue.
    assert "Durée (secondes)\xa0: 42" in bodies[1] and "Dauer" not in bodies[1]


def test_a_zendesk_line_that_is_not_json_is_named_by_line_and_column_in_the_readers_words():
    from django.utils import translation

    from palier.imports.past.zendesk import read_zendesk

    data = b'{"tickets": []}\n{"id": 1, "subject": oops}\n'
    with translation.override("fr"), pytest.raises(UnreadableFile) as refused:
        list(read_zendesk([("p.json", BytesIO(data))]))
    assert refused.value.message == (
        "p.json, ligne 2, colonne 22\xa0: ce n’est pas du JSON valable."
    )
    nested = b"{}\n" + b"[" * 100_000 + b"\n"
    with pytest.raises(UnreadableFile) as refused:
        list(read_zendesk([("p.json", BytesIO(nested))]))
    assert refused.value.message == "p.json, line 2: its JSON is nested too deeply."


@pytest.mark.parametrize("kind", ["tickets", "jira"])
def test_a_windows_1252_line_valid_as_utf8_by_chance_is_read_in_the_files_encoding(kind):
    from palier.imports.past.actions import read

    subjects = ["Käserei Zürich", "NESTLÉ® Suisse"]  # "É®" is also UTF-8's "ɮ"
    head, row = WINDOWS_1252[kind].splitlines()
    lines = [head, *(row.replace("{subject}", s).replace("1,", f"{n},", 1)
                     for n, s in enumerate(subjects))]  # fmt: skip
    data = ("\n".join(lines) + "\n").encode("cp1252")
    assert [t.subject for t in read(kind, [("x.csv", BytesIO(data))], {})] == subjects


@pytest.mark.parametrize("kind", ["tickets", "jira"])
@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_a_past_tickets_file_is_told_line_by_line_whatever_ends_its_lines(kind, end, monkeypatch):
    from palier.imports.past import streams

    # A megabyte read may end between the CR and the LF of one line end: one line, not two.
    monkeypatch.setattr(streams, "CHUNK", 7)
    head, row = WINDOWS_1252[kind].splitlines()
    lines = [head, row.format(subject="Bäckerei Zürich"), row.format(subject="Berg")]
    data = (end.join(lines) + end).encode("cp1252") + (row.format(subject="Genève") + end).encode()
    with pytest.raises(UnreadableFile) as refused:
        process(kind, [("x.csv", BytesIO(data))], {}, write=False)
    assert refused.value.message.startswith("Line 4 is written in UTF-8, but line 2 in ")


def test_a_zendesk_line_holding_a_unicode_line_separator_is_one_line():
    from palier.imports.past.zendesk import read_zendesk

    # JSON lets U+2028 and U+0085 stand unescaped in a string; no editor breaks the line there.
    data = '{"id": 1, "subject": "a\u2028b\x85c"}\r{"id": 2, "subject": oops}\r'.encode()
    with pytest.raises(UnreadableFile) as refused:
        list(read_zendesk([("p.json", BytesIO(data))]))
    assert refused.value.message == "p.json, line 2, column 22: this is not valid JSON."


@pytest.mark.parametrize(
    ("language", "facts"),
    [
        ("en", ["Caller: +41 22", "Called number: +41 44", "Duration (seconds): 42",
                "Recording: https://r.example/1", "Transcription:"]),
        ("fr", ["Appelant\xa0: +41 22", "Numéro appelé\xa0: +41 44",
                "Durée (secondes)\xa0: 42", "Enregistrement\xa0: https://r.example/1",
                "Transcription\xa0:"]),
        ("de", ["Anrufer: +41 22", "Angerufene Nummer: +41 44", "Dauer (Sekunden): 42",
                "Aufnahme: https://r.example/1", "Transkription:"]),
    ],
)  # fmt: skip
def test_a_calls_facts_are_written_with_the_languages_own_separator(language, facts):
    from django.utils import translation

    from palier.imports.past.zendesk import _call_note

    comment = {"formatted_from": "+41 22", "formatted_to": "+41 44", "data": {
        "call_duration": 42, "recording_url": "https://r.example/1",
        "transcription_text": "Said."}}  # fmt: skip
    with translation.override(language):
        lines = _call_note(comment, "Call").splitlines()
    assert lines == ["Call", *facts[:4], "", facts[4], "Said."]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_broken_pretty_printed_zendesk_page_is_named_by_the_line_and_column_it_breaks(end):
    from palier.imports.past.zendesk import read_zendesk

    page = end.join(['{', '  "tickets": [', '    {"id": 1,', '     "subject": oops}', '  ]',
                     '}', ''])  # fmt: skip
    with pytest.raises(UnreadableFile) as refused:
        list(read_zendesk([("p.json", BytesIO(page.encode()))]))
    assert refused.value.message == "p.json, line 4, column 17: this is not valid JSON."
    # One ticket a line (NDJSON) whose first line breaks: that line, as before.
    lines = b'{"id": 1, "subject": oops}\n{"id": 2, "subject": "b"}\n'
    with pytest.raises(UnreadableFile) as refused:
        list(read_zendesk([("p.json", BytesIO(lines))]))
    assert refused.value.message == "p.json, line 1, column 22: this is not valid JSON."


def test_a_problem_of_a_pretty_printed_zendesk_page_names_the_line_its_ticket_starts_on(numbered):
    import json

    tickets = [{"id": n, "subject": f"S{n}", "created_at": "2025-05-01T10:00:00Z",
                "organization_id": 10 if n != 3 else 99} for n in (1, 2, 3)]  # fmt: skip
    page = {"organizations": [{"id": 10, "external_id": "10042"}], "tickets": tickets}
    text = json.dumps(page, indent=2)
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line == "    {"]
    report = process("zendesk", [("p.json", BytesIO(text.encode()))], {}, write=False)
    # starts[0] is the organization's
    assert [(p.line, p.column) for p in report.problems] == [(starts[3], "organization_id")]
    # Zendesk's other shape, a list of tickets (no organizations: each is refused): the
    # line of each, not its rank.
    text = json.dumps(tickets, indent=1)
    report = process("zendesk", [("p.json", BytesIO(text.encode()))], {}, write=False)
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line == " {"]
    assert [p.line for p in report.problems] == starts == [2, 8, 14]
