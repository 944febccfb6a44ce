"""Poll IMAP mailboxes. A message is marked (or moved) only after it is safely stored, so a
crash between fetching and storing means it is fetched again — and deduplicated."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient

from palier.mailgateway.actions import ingest, store_raw

logger = logging.getLogger(__name__)
SEEN = b"\\Seen"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    done_folder: str = ""  # move here when set; otherwise mark \Seen and fetch only unseen
    tls: bool = True

    @classmethod
    def from_url(cls, url: str, *, done_folder: str = "") -> Mailbox:
        """imaps://user:password@host:993/INBOX (imap:// for plain, loopback tests only)."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ValueError("An IMAP mailbox URL looks like imaps://user:password@host/INBOX")
        tls = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if tls else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            done_folder=done_folder,
            tls=tls,
        )

    @property
    def source(self) -> str:
        return f"imap:{self.user}@{self.host}/{self.folder}"[:40]


def fetch(mailbox: Mailbox, *, limit: int = 500, process: bool = True) -> int:
    """Store (and process) new messages; return how many were stored or found stored."""
    context = ssl.create_default_context() if mailbox.tls else None
    done = 0
    with IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.tls, ssl_context=context, timeout=60
    ) as client:
        client.login(mailbox.user, mailbox.password)
        client.select_folder(mailbox.folder)
        if mailbox.done_folder and not client.folder_exists(mailbox.done_folder):
            client.create_folder(mailbox.done_folder)
        uids = client.search(["ALL"] if mailbox.done_folder else ["UNSEEN"])[:limit]
        for uid in uids:
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
            if not fetched:
                continue
            data = fetched[b"BODY[]"]
            if process:
                ingest(data, mailbox.source)
            else:
                store_raw(data, mailbox.source)
            # Stored (committed): only now may the server forget it.
            if mailbox.done_folder and client.has_capability("MOVE"):
                client.move([uid], mailbox.done_folder)
            elif mailbox.done_folder:
                client.copy([uid], mailbox.done_folder)
                client.delete_messages([uid])
                client.expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()
            else:
                client.add_flags([uid], [SEEN])
            done += 1
        client.logout()
    return done
