"""An LMTP (or SMTP) listener a mail server delivers to. It answers 250 only once the message
is stored; when it cannot be stored it answers 451 so that the sender's server retries."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from palier.mailgateway.models import RawState

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 50 * 1024 * 1024


def store_then_process(data: bytes, source: str) -> None:
    """Raise only when the message could not be stored; a processing failure leaves it stored
    (or quarantined) for a retry, which is not the sender's business."""
    from palier.mailgateway.actions import do_process_raw, store_raw

    close_old_connections()
    raw, _created = store_raw(data, source)
    if raw.state == RawState.STORED:
        try:
            do_process_raw(raw.pk)
        except Exception:  # noqa: BLE001 - stored: `palier mail process` will retry it
            logger.exception("Mail %s stored, processing deferred", raw.pk)


class IngestHandler:
    def __init__(self, source: str) -> None:
        self.source = source
        # One writer thread: the database sees one transaction at a time from this listener.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="palier-lmtp")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.executor, store_then_process, data, self.source)
        except Exception:  # noqa: BLE001 - any failure to store is temporary for the sender
            logger.exception("Could not store a delivered message")
            return "451 4.3.0 The message could not be stored; please try again later"
        return "250 2.0.0 Message stored"


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
            decode_data=False,
            hostname=self.hostname,
        )


def start(host: str, port: int, *, lmtp: bool = True) -> ListenerController:
    controller = ListenerController(
        IngestHandler("lmtp" if lmtp else "smtp"), lmtp=lmtp, hostname=host, port=port
    )
    controller.start()
    return controller
