"""An LMTP (or SMTP) listener a mail server delivers to. It answers 250 only once the message
is stored; when it cannot be stored it answers 451 so that the sender's server retries.

LMTP (RFC 2033) answers DATA once per accepted recipient, in the order of the RCPT commands:
the message is stored once, so every recipient gets the same answer. SMTPUTF8 and 8BITMIME
are offered, so mail with raw UTF-8 headers (RFC 6531/6532) is accepted as it is.
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


def store_then_process(data: bytes, source: str) -> None:
    """Raise only when the message could not be stored: once stored, its processing is the
    desk's business (quarantined, or left stored for the worker's sweep)."""
    from palier.mailgateway.actions import ingest

    close_old_connections()
    ingest(data, source)


class IngestHandler:
    def __init__(self, source: str, *, lmtp: bool = True) -> None:
        self.source = source
        self.lmtp = lmtp
        # One writer thread: the database sees one transaction at a time from this listener.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="palier-lmtp")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.executor, store_then_process, data, self.source)
            status = STORED
        except Exception:  # noqa: BLE001 - any failure to store is temporary for the sender
            logger.exception("Could not store a delivered message")
            status = NOT_STORED
        if not self.lmtp:
            return status
        # One reply line per accepted recipient (aiosmtpd ends the last one).
        return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))


class ListenerController(Controller):
    def __init__(self, handler: IngestHandler, *, lmtp: bool, **kwargs) -> None:
        self.lmtp = lmtp
        super().__init__(handler, data_size_limit=MAX_MESSAGE_BYTES, **kwargs)

    def stop(self, *args, **kwargs) -> None:
        super().stop(*args, **kwargs)
        # The writer thread's database connection goes with it.
        self.handler.executor.submit(connections.close_all).result(timeout=30)
        self.handler.executor.shutdown(wait=True)

    def factory(self) -> SMTP:
        cls = LMTP if self.lmtp else SMTP
        return cls(
            self.handler,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.hostname,
        )


def start(host: str, port: int, *, lmtp: bool = True) -> ListenerController:
    controller = ListenerController(
        IngestHandler("lmtp" if lmtp else "smtp", lmtp=lmtp), lmtp=lmtp, hostname=host, port=port
    )
    controller.start()
    return controller
