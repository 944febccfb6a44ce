"""Inbound mail: store the raw bytes first, then bring each stored row to an ending.

1. `store_raw` keeps the bytes in one short transaction, before anything is parsed. Only
   then does a way in acknowledge the message (ingest exit 0, LMTP 250, IMAP \\Seen or move).
2. `do_process_raw` parses outside any transaction (`inbound.prepare`), then routes and writes
   in one short transaction (`inbound.route`): a ticket, a message on a ticket, a record of
   machine mail, or the quarantine with a reason a person can act on.
3. Any failure while processing a row quarantines that row with the exception's class and
   message; the rows after it flow on. Only a database that is unwell (connection lost,
   locked) leaves the row stored for `palier mail process` and the worker's sweep, and after
   `MAX_ATTEMPTS` such failures it is quarantined too. No row stays stored for ever.

`invariant.py` states what must then hold over the whole inbound table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.lib.compiled import first_row
from palier.lib.errors import Conflict
from palier.mailgateway.identity import content_key, header_value, id_hash, message_ids, storable
from palier.mailgateway.models import (
    Outcome,
    QuarantineReason,
    RawBytes,
    RawMessage,
    RawState,
)
from palier.tickets.queries import ticket_customer_language

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
ATTACH_BATCH = 10  # files per transaction: a few hundredths of a second of the lock
BATCH_PAUSE = 0.01
TRANSIENT = (OperationalError, InterfaceError)
# Endings staff may turn into a customer's message: the suspicion was wrong, or the headers.
RELEASABLE_REASONS = frozenset({QuarantineReason.SUSPECTED_AUTO_REPLY})
RELEASABLE_OUTCOMES = frozenset({Outcome.AUTO_REPLY})


class StillStored(Exception):
    """The database failed while processing: the message is stored and will be retried."""


def store_raw(raw: bytes, source: str) -> tuple[RawMessage, bool]:
    """Keep the bytes durably. (row, created): the same message again returns the first row;
    a different message reusing a stored Message-ID is a new row, marked."""
    key = content_key(raw)
    existing = RawMessage.objects.filter(dedup_key=key).defer("full_text").first()
    if existing is not None:  # the common redelivery: one read, no failed insert
        return existing, False
    message_id = (message_ids(header_value(raw, "Message-ID")) or [""])[0]
    digest = id_hash(message_id)
    reused = bool(digest) and RawMessage.objects.filter(message_id_hash=digest).exists()
    try:
        with transaction.atomic():
            row = RawMessage.objects.create(
                dedup_key=key,
                message_id=message_id,
                message_id_hash=digest,
                reused_message_id=reused,
                sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                source=storable(source, 40),
            )
            RawBytes.objects.create(raw_message=row, data=raw)
    except IntegrityError:  # the same message, stored by another process a moment ago
        return RawMessage.objects.defer("full_text").get(dedup_key=key), False
    return row, True


def ingest(raw: bytes, source: str) -> RawMessage:
    """The one pipeline of every way in (IMAP, LMTP/SMTP, stdin). Raises only when the
    message could not be stored; once stored, a failure to process it is the desk's business
    (the row is quarantined, or left stored for a retry), not the sender's."""
    stored, _created = store_raw(raw, source)
    if stored.state != RawState.STORED:
        return stored
    try:
        return do_process_raw(stored.pk, data=raw)
    except Exception:  # noqa: BLE001 - stored: the worker's sweep and `mail process` retry it
        logger.exception("Mail %s stored, processing deferred", stored.pk)
        return stored


def _bytes(raw_id: int) -> bytes:
    return bytes(RawBytes.objects.values_list("data", flat=True).get(raw_message_id=raw_id))


def store_and_queue(raw: bytes, source: str) -> RawMessage:
    """Store the bytes and queue their processing for the worker, in one transaction (with the
    database task backend both rows commit together; the sweep is the net for the rest)."""
    from palier.lib.tasks import enqueue_with_transaction
    from palier.mailgateway.tasks import process_mail

    with transaction.atomic():
        stored, created = store_raw(raw, source)
        if created:
            enqueue_with_transaction(process_mail, stored.pk)
    return stored


def do_process_raw(
    raw_id: int, *, data: bytes | None = None, checked: bool = False
) -> RawMessage | None:
    """Bring one stored row to its ending. Raises StillStored only when the database failed
    (the row then stays stored for a retry, up to MAX_ATTEMPTS). `data`: the row's bytes,
    when the caller has just stored them, or `checked` just read them from a stored row (the
    transaction checks its state again under the row's lock)."""
    from palier.mailgateway.inbound import Quarantine, prepare, route

    if data is None:
        # The bytes of a row still to process, in one query (a worker's usual case).
        found = RawBytes.objects.filter(raw_message_id=raw_id, raw_message__state=RawState.STORED)
        data = found.values_list("data", flat=True).first()
        data = bytes(data) if data is not None else None
        to_process = data is not None
    else:
        to_process = checked or RawMessage.objects.filter(pk=raw_id, state=RawState.STORED).exists()
    if not to_process:
        return RawMessage.objects.filter(pk=raw_id).only("state").first()
    try:
        prepared = prepare(data)  # seconds for a heavy mail: no lock held
    except Exception as exc:  # noqa: BLE001 - whatever the bytes do to the parser
        from palier.mailgateway.parsing import UnparseableMail

        code = (
            QuarantineReason.UNPARSEABLE
            if isinstance(exc, UnparseableMail)
            else QuarantineReason.PROCESSING_ERROR
        )
        logger.warning("Mail %s could not be read: %s", raw_id, exc)
        return _quarantine(raw_id, code, _failure_text(exc))
    try:
        with transaction.atomic():
            raw = _locked(raw_id)
            if raw.state != RawState.STORED:
                return raw  # another process took it meanwhile
            raw.attempts += 1
            try:
                # Quarantine is raised before any write but the unknown sender's notice.
                route(raw, prepared, released_by=raw.released_by)
            except Quarantine as stop:
                raw.state, raw.error_code, raw.error = RawState.QUARANTINED, stop.code, stop.message
                raw.outcome = ""
            else:
                raw.state = RawState.PROCESSED
            raw.processed_at = timezone.now()
            raw.save()
    except TRANSIENT as exc:
        return _retry_later(raw_id, exc)
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
        logger.exception("Mail %s quarantined", raw_id)
        return _quarantine(
            raw_id, QuarantineReason.PROCESSING_ERROR, _failure_text(exc), prepared.mail
        )
    if raw.files_done < raw.files_total:
        raw.files_done = attach_files(raw.pk, prepared.files)
    return raw


def _locked(raw_id: int) -> RawMessage:
    """`RawMessage.objects.select_for_update().get(pk=raw_id)`, its statement compiled once
    per connection (it runs under the write lock for every message)."""
    raw = first_row(
        RawMessage.objects.select_for_update().filter(pk=raw_id), "mail.raw_locked", [raw_id]
    )
    if raw is None:
        raise RawMessage.DoesNotExist(f"RawMessage {raw_id} does not exist")
    return raw


def attach_files(raw_id: int, files: list) -> int:
    """Attach a processed mail's files to its ticket, `ATTACH_BATCH` per short transaction,
    from where an interruption left off; how many are done. A batch that fails for good is
    noted on the ticket and passed; a database that is unwell leaves the rest for the sweep."""
    from palier.mailgateway.attachments import note_failed, store_attachments

    pause = False
    uploader, looked_up = None, False  # the sender's account, read once for every batch
    while True:
        if pause and connection.vendor == "sqlite":
            # SQLite has one writer, and this loop would take the lock again within
            # microseconds of its last commit: a pause lets the desk's waiting writes in.
            time.sleep(BATCH_PAUSE)
        try:
            with transaction.atomic():
                raw = (
                    RawMessage.objects.select_for_update(of=("self",))
                    .select_related("ticket", "ticket_message")
                    .defer("full_text")
                    .get(pk=raw_id)
                )
                batch = files[raw.files_done : raw.files_done + ATTACH_BATCH]
                if raw.files_done >= raw.files_total:
                    return raw.files_done
                if raw.ticket is None or not batch:
                    # Its ticket is gone, or reading it again found fewer files: nothing to add.
                    raw.files_done = raw.files_total
                    raw.save(update_fields=["files_done"])
                    return raw.files_done
                if not looked_up:
                    uploader = User.objects.filter(email__iexact=raw.sender, is_active=True).first()
                    looked_up = True
                # Names the desk gives (a forward's without a subject) are the contact's words.
                language = ticket_customer_language(raw.ticket, uploader)
                try:
                    with transaction.atomic(), translation.override(language):
                        store_attachments(raw.ticket, raw.ticket_message, batch, uploader)
                except TRANSIENT:
                    raise
                except Exception as exc:  # noqa: BLE001 - noted; the next files still come
                    logger.exception("Mail %s: files not attached", raw_id)
                    note_failed(raw.ticket, batch, f"{type(exc).__name__}: {exc}")
                raw.files_done += len(batch)
                raw.save(update_fields=["files_done"])
                if raw.files_done >= raw.files_total:
                    return raw.files_done
                pause = True
        except TRANSIENT:
            logger.warning("Mail %s: files left for the sweep", raw_id, exc_info=True)
            return RawMessage.objects.filter(pk=raw_id).values_list("files_done", flat=True)[0]


def _failure_text(exc: BaseException) -> str:
    from palier.mailgateway.advice import failure_sentence

    return storable(failure_sentence(exc), 2000)


def _quarantine(raw_id: int, code: str, message: str, mail=None) -> RawMessage:
    """`mail`: the parsed message, when it could be read, so that staff see who sent what."""
    with transaction.atomic():
        raw = RawMessage.objects.select_for_update().get(pk=raw_id)
        if raw.state != RawState.STORED:
            return raw
        if mail is not None:
            raw.sender, raw.subject = mail.sender[:320], mail.subject[:300]
            raw.full_text = mail.text
        raw.ticket, raw.ticket_message = None, None
        raw.attempts += 1
        raw.state, raw.error_code, raw.error = RawState.QUARANTINED, code, storable(message, 2000)
        raw.outcome = ""
        raw.processed_at = timezone.now()
        raw.save()
        return raw


def _retry_later(raw_id: int, exc: BaseException) -> RawMessage:
    logger.warning("Mail %s stays stored, the database failed: %s", raw_id, exc)
    try:
        RawMessage.objects.filter(pk=raw_id).update(attempts=F("attempts") + 1)
        attempts = RawMessage.objects.filter(pk=raw_id).values_list("attempts", flat=True).first()
        if attempts is not None and attempts >= MAX_ATTEMPTS:
            return _quarantine(raw_id, QuarantineReason.PROCESSING_ERROR, _failure_text(exc))
    except TRANSIENT:
        pass  # still unwell: the row is stored, the next sweep counts the attempt
    raise StillStored(str(exc)) from exc


def process_stored(*, older_than_seconds: float = 0, limit: int = 1000) -> tuple[int, int]:
    """Bring stored rows to their ending, oldest first: (done, left stored after a database
    failure). One row's failure never stops the others."""
    since = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        RawMessage.objects.filter(state=RawState.STORED, received_at__lte=since)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    left = 0
    for pk in ids:
        try:
            do_process_raw(pk)
        except Exception:  # noqa: BLE001 - StillStored, or even the quarantine failed: next row
            logger.exception("Mail %s left stored", pk)
            left += 1
    return len(ids) - left, left


def finish_attachments(*, older_than_seconds: float = 0, limit: int = 100) -> int:
    """Attach the files an interruption left out (the mail is read again from its raw)."""
    from palier.mailgateway.inbound import files_of

    since = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        RawMessage.objects.filter(
            files_done__lt=F("files_total"), state=RawState.PROCESSED, processed_at__lte=since
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        try:
            attach_files(pk, files_of(_bytes(pk)))
        except Exception:  # noqa: BLE001 - the next mail's files still come
            logger.exception("Mail %s: files not attached", pk)
    return len(ids)


def _back_to_stored(raw: RawMessage, *, allowed: bool, code: str, message: str) -> None:
    if not allowed:
        raise Conflict(message, code=code)
    raw.state, raw.error, raw.error_code, raw.outcome = RawState.STORED, "", "", ""
    raw.ticket, raw.ticket_message = None, None
    raw.save(update_fields=["state", "error", "error_code", "outcome", "ticket", "ticket_message"])


def do_reprocess(raw: RawMessage, *, acting_user: User) -> RawMessage:
    """Staff send a quarantined message through the pipeline again (after a fix)."""
    check_allowed(acting_user, Permission.MAIL_REPROCESS)
    with transaction.atomic():
        locked = RawMessage.objects.select_for_update().get(pk=raw.pk)
        _back_to_stored(
            locked,
            allowed=locked.state == RawState.QUARANTINED,
            code="not_quarantined",
            message=_("Only a quarantined message can be reprocessed."),
        )
    return _finish(locked.pk)


def do_release(raw: RawMessage, *, acting_user: User) -> RawMessage:
    """Staff say a person wrote it: a suspected or header-identified automatic reply becomes a
    customer's message (a ticket, or a message on its ticket)."""
    check_allowed(acting_user, Permission.MAIL_REPROCESS)
    with transaction.atomic():
        locked = RawMessage.objects.select_for_update().get(pk=raw.pk)
        releasable = (
            locked.state == RawState.QUARANTINED and locked.error_code in RELEASABLE_REASONS
        ) or (locked.state == RawState.PROCESSED and locked.outcome in RELEASABLE_OUTCOMES)
        _back_to_stored(
            locked,
            allowed=releasable,
            code="not_releasable",
            message=_(
                "Only a suspected or recognised automatic reply can be released as a "
                "customer's message."
            ),
        )
        locked.released_by, locked.released_at = acting_user, timezone.now()
        locked.save(update_fields=["released_by", "released_at"])
    return _finish(locked.pk)


def _finish(raw_id: int) -> RawMessage:
    try:
        return do_process_raw(raw_id)
    except StillStored:
        return RawMessage.objects.get(pk=raw_id)
