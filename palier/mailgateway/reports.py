"""What a `multipart/report` (RFC 6522) says: the message it is about, and for a delivery
status notification (RFC 3464) what happened to it. Reading a report decides nothing: a DSN
counts as a bounce only when the message it names is one the desk sent (`inbound.py`); a read
receipt (RFC 8098) is a person's mail with its text; any other report is ordinary mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from palier.mailgateway.identity import message_ids, storable

DSN = "delivery-status"
MDN = "disposition-notification"
_ORIGINAL_PARTS = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


@dataclass
class Report:
    kind: str  # the report-type: "delivery-status", "disposition-notification", or another
    original_message_id: str = ""
    action: str = ""  # DSN: failed, delayed, delivered, relayed, expanded
    status: str = ""  # DSN: 5.1.1 …
    recipient: str = ""
    # MDN (RFC 8098 §3.2.6): the disposition mode. "automatic-action/MDN-sent-automatically"
    # means a program sent the receipt; a person wrote none of it.
    disposition_mode: str = ""

    @property
    def sent_automatically(self) -> bool:
        return self.kind == MDN and self.disposition_mode.endswith("mdn-sent-automatically")

    def __post_init__(self) -> None:
        for name in (
            "kind",
            "original_message_id",
            "action",
            "status",
            "recipient",
            "disposition_mode",
        ):
            setattr(self, name, storable(getattr(self, name), 250))


def _field(block: Message, name: str) -> str:
    return " ".join(str(block.get(name, "") or "").split())


def _headers_of(part: Message) -> Message | None:
    """The original message's headers in a report part, as a Message."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload[0] if payload and isinstance(payload[0], Message) else None
    from email import message_from_string

    try:
        return message_from_string(str(payload or "").lstrip())
    except Exception:  # noqa: BLE001 - unreadable headers name no message
        return None


def read_report(msg: Message) -> Report | None:
    """The report in this message, or None when it is not a `multipart/report`."""
    if msg.get_content_type() != "multipart/report":
        return None
    report = Report(kind=msg.get_param("report-type", "") or "")
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            blocks = part.get_payload() if part.is_multipart() else []
            # The first block is per message; the next ones are per recipient.
            for block in blocks[1:] or blocks:
                if _field(block, "Action") or _field(block, "Status"):
                    report.action = report.action or _field(block, "Action").lower()
                    report.status = report.status or _field(block, "Status")
                    report.recipient = report.recipient or _field(block, "Final-Recipient")
        elif ctype == "message/disposition-notification":
            fields = _headers_of(part)
            ids = message_ids(fields.get("Original-Message-ID")) if fields is not None else []
            report.original_message_id = report.original_message_id or (ids[0] if ids else "")
            if fields is not None and not report.disposition_mode:
                # "automatic-action/MDN-sent-automatically; displayed": the mode before ";".
                mode = _field(fields, "Disposition").split(";", 1)[0]
                report.disposition_mode = "".join(mode.split()).lower()
        elif ctype in _ORIGINAL_PARTS:
            headers = _headers_of(part)
            ids = message_ids(headers.get("Message-ID")) if headers is not None else []
            report.original_message_id = report.original_message_id or (ids[0] if ids else "")
    report.__post_init__()
    return report
