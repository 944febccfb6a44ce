"""An LMTP (or SMTP) listener a mail server delivers to. It answers 250 once the message is
stored, and 451 when it cannot be stored so that the sender's server retries.

LMTP (RFC 2033) answers DATA once per accepted recipient, in the order of the RCPT commands:
the message is stored once, so every recipient gets the same answer. SMTPUTF8 and 8BITMIME
are offered, so mail with raw UTF-8 headers (RFC 6531/6532) is accepted as it is.

The listener only stores: the raw bytes and a `process_mail` task commit together (as
`palier mail ingest` does), and `palier worker` processes bring each to its ending, as many
at once as there are workers. The sender's server waits for that one commit, never for our
ticket logic, and the listener's one interpreter is not shared with the parsing, triage and
routing (docs/performance.md, "LMTP listener"). A crash after the commit leaves the task; a
row stored without one (an older listener, `--now` stopped mid-way) is the worker's sweep's.

`--now` (or a task backend that is not the database's: the tests') processes in a thread of
the listener instead, in the order mail came: a desk without a worker.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
STORED = "250 2.0.0 Message stored"
NOT_STORED = "451 4.3.0 The message could not be stored; please try again later"


def store(data: bytes, source: str) -> int | None:
    """The stored row's id when it still needs processing; raise when it could not be stored."""
    from palier.mailgateway.actions import store_raw
    from palier.mailgateway.models import RawState

    close_old_connections()
    raw, _created = store_raw(data, source)
    return raw.pk if raw.state == RawState.STORED else None


def store_and_queue(data: bytes, source: str) -> None:
    """Store, and queue the processing for a worker in the same commit; raise when not stored."""
    from palier.mailgateway.actions import store_and_queue as stored_and_queued

    close_old_connections()
    stored_and_queued(data, source)


def process(raw_id: int) -> None:
    """Stored: its processing is the desk's business (quarantined, or left for the sweep)."""
    from palier.mailgateway.actions import do_process_raw

    close_old_connections()
    try:
        do_process_raw(raw_id)
    except Exception:  # noqa: BLE001 - stored: the worker's sweep retries it
        logger.exception("Mail %s stored, processing deferred", raw_id)


def queues_for_workers() -> bool:
    """Whether a stored message's processing can be queued for `palier worker` (the database
    task backend: the task commits with the bytes)."""
    from palier.lib.tasks import uses_database_backend
    from palier.mailgateway.tasks import process_mail

    return uses_database_backend(process_mail)


class IngestHandler:
    def __init__(self, source: str, *, lmtp: bool = True, now: bool = False) -> None:
        self.source = source
        self.lmtp = lmtp
        self.now = now or not queues_for_workers()
        # One thread stores (what the sender waits for), on its own connection: the database
        # sees one short transaction at a time from this listener (two with `now`).
        self.storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="palier-lmtp-store")
        self.processor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="palier-lmtp-work")
            if self.now
            else None
        )

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        keep = store if self.now else store_and_queue
        try:
            raw_id = await loop.run_in_executor(self.storer, keep, data, self.source)
        except Exception:  # noqa: BLE001 - any failure to store is temporary for the sender
            logger.exception("Could not store a delivered message")
            status = NOT_STORED
        else:
            status = STORED
            if raw_id is not None and self.processor is not None:
                self.processor.submit(process, raw_id)
        if not self.lmtp:
            return status
        # One reply line per accepted recipient (aiosmtpd ends the last one).
        return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))

    def drain(self, timeout: float = 120) -> None:
        """Wait until every message stored so far was stored and, with `now`, processed."""
        self.storer.submit(lambda: None).result(timeout=timeout)
        if self.processor is not None:
            self.processor.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        for executor in (self.storer, self.processor):
            if executor is None:
                continue
            executor.submit(connections.close_all)  # after what is queued: processed first
            executor.shutdown(wait=True)


class _LongLines:
    """RFC 5321 caps a line at 1,000 characters, and aiosmtpd answers a longer one with a
    permanent 500: the sender's server returns the customer's mail to them. Mailers do send
    longer lines (unwrapped 8-bit HTML, a base64 file on one line, a header of hundreds of
    recipients), and `mail ingest` takes them: the listener takes what the message size
    allows, on one line or many."""

    line_length_limit = MAX_MESSAGE_BYTES


class _LMTP(_LongLines, LMTP):
    pass


class _SMTP(_LongLines, SMTP):
    pass


class ListenerController(Controller):
    def __init__(self, handler: IngestHandler, *, lmtp: bool, **kwargs) -> None:
        self.lmtp = lmtp
        super().__init__(handler, data_size_limit=MAX_MESSAGE_BYTES, **kwargs)

    def stop(self, *args, **kwargs) -> None:
        super().stop(*args, **kwargs)
        # What was stored is processed, then the threads' database connections go with them.
        self.handler.close()

    def factory(self) -> SMTP:
        cls = _LMTP if self.lmtp else _SMTP
        return cls(
            self.handler,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.hostname,
        )


def start(host: str, port: int, *, lmtp: bool = True, now: bool = False) -> ListenerController:
    """`now`: process in the listener rather than in `palier worker` (a desk without one)."""
    handler = IngestHandler("lmtp" if lmtp else "smtp", lmtp=lmtp, now=now)
    controller = ListenerController(handler, lmtp=lmtp, hostname=host, port=port)
    controller.start()
    return controller
