"""The backup drill: fill, back up while writes go on, wipe, restore, compare row counts and
file checksums. On SQLite (the backup API) and on PostgreSQL (pg_dump in an exported
snapshot), whichever the suite runs on."""

from __future__ import annotations

import hashlib
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from palier.ops.backup import backup, read_manifest, restore, verify
from palier.testing.factories import make_ticket
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Attachment, Ticket

# available_apps makes the flushes TRUNCATE ... CASCADE: on PostgreSQL the tickets' raw
# search table references tickets_ticket and blocks a plain TRUNCATE.
ALL_APPS = list(settings.INSTALLED_APPS)


class Writer(threading.Thread):
    """Opens tickets one after another on its own connection until told to stop."""

    def __init__(self, contact):
        super().__init__(daemon=True)
        self.contact, self.opened, self.stop = contact, 0, threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                make_ticket(self.contact, subject=f"Written during the backup {self.opened}")
                self.opened += 1
        finally:
            connection.close()


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_backup_while_writing_then_wipe_and_restore_gives_back_rows_and_files(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for i in range(20):
        ticket = make_ticket(world.contact_a, subject=f"Before the backup {i}")
        if i % 4 == 0:
            do_attach_file(
                ticket,
                SimpleUploadedFile(f"log-{i}.txt", f"line {i}\n".encode() * (i + 1) * 100),
                acting_user=world.contact_a,
            )
    writer = Writer(world.contact_a2)
    writer.start()
    try:
        while writer.opened < 3:  # the writer is under way before the snapshot
            threading.Event().wait(0.01)
        result = backup(tmp_path / "backups")
        during = writer.opened
        while writer.opened < during + 3:  # ...and goes on after it
            threading.Event().wait(0.01)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    manifest = read_manifest(result.path)
    backed_up = manifest["rows"]["tickets_ticket"]
    assert 20 + 3 <= backed_up < Ticket.objects.count()
    assert manifest["rows"]["tickets_attachment"] == 5 == len(manifest["files"]["default"])
    digests = {
        a.file.name: hashlib.sha256(a.file.open("rb").read()).hexdigest()
        for a in Attachment.objects.all()
    }
    assert manifest["files"]["default"] == digests

    # Wipe: every row and every file gone.
    call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
    for name in digests:
        (settings.MEDIA_ROOT / name).unlink()
    assert Ticket.objects.count() == 0

    restored = restore(result.path)
    assert verify(restored) == []
    assert Ticket.objects.count() == backed_up
    assert {
        a.file.name: hashlib.sha256(a.file.open("rb").read()).hexdigest()
        for a in Attachment.objects.all()
    } == digests
    assert Ticket.objects.filter(subject="Before the backup 19").exists()


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_backup_command_keeps_the_newest_archives_and_restore_asks_first(
    world, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_ticket(world.contact_a)
    folder = tmp_path / "backups"
    names = []
    for second in range(3):
        import datetime as dt

        names.append(backup(folder, now=dt.datetime(2026, 12, 1, 2, 0, second, tzinfo=dt.UTC)))
    out = StringIO()
    call_command("backup", "--output", str(folder), "--keep", "2", stdout=out)
    assert "Deleted the older palier-backup-20261201T020000Z.tar" in out.getvalue()
    assert len(list(folder.glob("palier-backup-*.tar"))) == 2
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore", str(names[-1].path))
    assert Ticket.objects.count() == 1
