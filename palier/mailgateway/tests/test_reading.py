"""How a mail is read: raw UTF-8 headers, NUL characters, thousands of parts, long names,
text parts of every kind — with a staff note whenever a limit is reached."""

from __future__ import annotations

from palier.mailgateway.actions import finish_attachments, ingest
from palier.mailgateway.invariant import violations
from palier.mailgateway.models import RawMessage
from palier.mailgateway.parsing import parse, shorten_filename
from palier.mailgateway.tests.mails import mail, multipart
from palier.tickets.models import Attachment, Ticket


def _file(name: str, data: str = "%PDF-1.4 test", ctype: str = "application/pdf"):
    return (f'Content-Type: {ctype}\r\nContent-Disposition: attachment; filename="{name}"', data)


def test_a_known_contact_with_a_raw_utf8_display_name_gets_a_ticket(world, smtp):
    data = (
        "From: Anna Dübois <anna.a@example.com>\r\nSubject: Grüße aus Zürich – Frage\r\n"
        "Message-ID: <utf8-name@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nWie buche ich?\r\n"
    ).encode()
    raw = ingest(data, "test")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert raw.ticket.subject == "Grüße aus Zürich – Frage"
    assert raw.ticket.contact == world.contact_a


def test_a_raw_latin1_header_is_read_as_latin1():
    data = "From: anna.a@example.com\r\nSubject: Problème de clôture\r\n\r\nx\r\n"
    assert parse(data.encode("latin-1")).subject == "Problème de clôture"


def test_nul_characters_leave_the_parsed_fields_and_stay_in_the_raw_bytes(world, smtp):
    data = mail(
        "Export\x00 kaputt",
        "Zeile\x00eins",
        sender="Anna\x00 Keller <anna.a@example.com>",
        msgid="nul\x00-1@example.com",
    )
    raw = ingest(data, "test")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert raw.message_id == "<nul-1@example.com>"
    ticket = Ticket.objects.get(pk=raw.ticket_id)
    assert (ticket.subject, ticket.description) == ("Export kaputt", "Zeileeins")
    assert bytes(RawMessage.objects.get(pk=raw.pk).raw) == data
    assert violations() == []


def test_a_mail_with_thousands_of_parts_attaches_the_first_200_and_tells_staff(world, smtp):
    parts = [("Content-Type: text/plain; charset=utf-8", "Siehe Dateien.")]
    parts += [_file(f"scan-{i}.pdf", f"%PDF-1.4 {i}") for i in range(5000)]
    raw = ingest(multipart(parts, msgid="many@example.com"), "test")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert Attachment.objects.filter(ticket=raw.ticket).count() == 200
    note = raw.ticket.events.get(kind="mail_files_capped")
    assert note.internal and "5000" in note.reason and "200" in note.reason


def test_reading_stops_at_the_time_budget_and_staff_are_told(world, smtp, settings):
    settings.PALIER_MAIL_PARSE_SECONDS = 0
    parts = [("Content-Type: text/plain", "Eins."), ("Content-Type: text/plain", "Zwei.")]
    raw = ingest(multipart(parts, msgid="budget@example.com"), "test")
    assert (raw.state, raw.outcome) == ("processed", "new_ticket")
    assert raw.ticket.events.get(kind="mail_parse_budget").data["parts_left"] == 2


def test_a_long_text_is_cut_for_the_desk_and_kept_whole_for_staff(world, smtp):
    body = "Fehlerprotokoll " + "x" * 80_000
    raw = ingest(mail("Langer Text", body, msgid="long@example.com"), "test")
    ticket = Ticket.objects.get(pk=raw.ticket_id)
    assert len(ticket.description) < 50_100 and ticket.description.endswith("[…]")
    assert ticket.events.get(kind="mail_text_cut").internal
    assert len(RawMessage.objects.get(pk=raw.pk).full_text) > 80_000


def test_a_long_file_name_is_shortened_keeping_its_extension(world, smtp):
    name = "Rechnung " + "sehr lang " * 30 + ".pdf"
    parts = [("Content-Type: text/plain", "Anbei."), _file(name)]
    raw = ingest(multipart(parts, msgid="longname@example.com"), "test")
    [attachment] = Attachment.objects.filter(ticket=raw.ticket)
    assert attachment.filename.endswith(".pdf") and len(attachment.filename) <= 200
    assert shorten_filename("a" * 300 + ".xlsx").endswith("a.xlsx")


def test_text_x_parts_are_shown_as_text_not_refused_as_files(world, smtp):
    parts = [
        ("Content-Type: text/x-log; charset=utf-8", "ERROR 4711 at line 3"),
        ("Content-Type: text/x-diff", "-old\r\n+new"),
    ]
    raw = ingest(multipart(parts, msgid="xlog@example.com"), "test")
    description = Ticket.objects.get(pk=raw.ticket_id).description
    assert "ERROR 4711 at line 3" in description and "+new" in description
    assert "attachments" not in description
    assert not raw.ticket.events.filter(kind="mail_attachment_refused").exists()


def test_a_text_file_of_a_refused_type_is_shown_as_text(world, smtp):
    parts = [_file("export.py", "print('hallo')", "text/x-python")]
    raw = ingest(multipart(parts, msgid="pyfile@example.com"), "test")
    description = Ticket.objects.get(pk=raw.ticket_id).description
    assert "[export.py]" in description and "print('hallo')" in description


def test_a_mail_whose_only_file_is_refused_does_not_point_to_attachments(world, smtp):
    parts = [_file("tool.exe", "MZ", "application/octet-stream")]
    raw = ingest(multipart(parts, msgid="exe@example.com"), "test")
    ticket = Ticket.objects.get(pk=raw.ticket_id)
    assert ticket.description == "(Leere Nachricht.)"  # in the German contact's language
    assert "tool.exe" in ticket.events.get(kind="mail_attachment_refused").reason


def test_files_attached_after_an_interruption_resume_where_they_stopped(world, smtp):
    parts = [("Content-Type: text/plain", "Anbei 25 Dateien.")]
    parts += [_file(f"beleg-{i}.pdf", f"%PDF-1.4 {i}") for i in range(25)]
    raw = ingest(multipart(parts, msgid="resume@example.com"), "test")
    assert (raw.files_total, raw.files_done) == (25, 25)
    # As if the process died after the ticket's transaction and one batch of files:
    kept = Attachment.objects.filter(ticket=raw.ticket).order_by("id")
    Attachment.objects.filter(pk__in=[a.pk for a in kept[10:]]).delete()
    RawMessage.objects.filter(pk=raw.pk).update(files_done=10)
    assert violations() != []  # files not attached yet: the sweep has work
    assert finish_attachments() == 1
    names = sorted(Attachment.objects.filter(ticket=raw.ticket).values_list("filename", flat=True))
    assert names == sorted(f"beleg-{i}.pdf" for i in range(25))
    assert violations() == []


def test_a_file_the_storage_refuses_is_noted_and_the_mail_still_ends(
    world, smtp, settings, tmp_path
):
    (tmp_path / "not-a-folder").write_text("x")
    settings.MEDIA_ROOT = str(tmp_path / "not-a-folder" / "media")  # a real OSError on save
    parts = [("Content-Type: text/plain", "Anbei."), _file("scan.pdf")]
    raw = ingest(multipart(parts, msgid="storage-fails@example.com"), "test")
    assert (raw.state, raw.outcome, raw.files_done) == ("processed", "new_ticket", 1)
    note = raw.ticket.events.get(kind="mail_attachment_failed")
    assert note.internal and "scan.pdf" in note.reason
    assert violations() == []
