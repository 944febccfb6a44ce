"""Outbound mail: build it safely, record it, and let the worker send it with retries.

Every header goes through `email.policy.SMTP`, which refuses a value with a line break, so
no subject, name or user text can add a header. Our notifications carry
`Auto-Submitted: auto-replied` (RFC 3834) so that well-behaved robots do not answer them.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import idna
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from palier.lib.tasks import backoff, enqueue_with_transaction
from palier.mailgateway import config, mime
from palier.mailgateway.models import DeliveryAttempt, OutboundMessage, OutboundState

logger = logging.getLogger(__name__)

# Kinds a machine sends on its own: these count against the per-sender hourly cap.
AUTOMATIC_KINDS = frozenset({"created", "refused", "unknown_sender"})


@dataclass
class Mail:
    kind: str
    to_address: str
    to_name: str
    language: str
    subject: str
    paragraphs: list[str]
    quote: str = ""
    reference: str = ""
    link: str = ""
    ticket: object | None = None
    event: object | None = None
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)


def one_line(text: str, limit: int = 250) -> str:
    """User text made fit for a header: line breaks and control characters become spaces."""
    cleaned = "".join(" " if (ord(ch) < 32 or ch == "\x7f") else ch for ch in str(text))
    return " ".join(cleaned.split())[:limit]


def reply_to_for(reference: str) -> str:
    local, _, domain = config.reply_address().partition("@")
    return f"{local}+{reference}@{domain}" if reference else config.reply_address()


def _bodies(mail: Mail) -> tuple[str, str]:
    """The text and the HTML of a notification, in its language."""
    context = {"mail": mail, "paragraphs": mail.paragraphs}
    with translation.override(mail.language):
        return (
            render_to_string("mailgateway/notification.txt", context),
            render_to_string("mailgateway/notification.html", context),
        )


def build(mail: Mail, message_id: str, date: str = "") -> EmailMessage:
    """The notification as an `EmailMessage` (the reference for `build_bytes`, which
    `queue` uses: the same bytes, `tests/test_mime.py`)."""
    msg = EmailMessage(policy=mime.policy_for(mail.to_address))
    msg["From"] = Address(
        display_name=one_line(config.vendor_name()), addr_spec=config.from_address()
    )
    msg["To"] = mime.to_value(one_line(mail.to_name), mail.to_address)
    msg["Subject"] = mail.subject
    msg["Message-ID"] = message_id
    msg["Date"] = date or format_datetime(timezone.now())
    msg["Reply-To"] = reply_to_for(mail.reference)
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = " ".join(mail.references[-10:])
    text, html = _bodies(mail)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def build_bytes(mail: Mail, message_id: str, date: str = "") -> bytes:
    """`build(mail, message_id, date).as_bytes()`, written out without the `email`
    package's header objects (palier/mailgateway/mime.py): the same bytes."""
    if mime.policy_for(mail.to_address) is not mime.POLICY:
        return build(mail, message_id, date).as_bytes()  # RFC 6532 headers: rare, as it was
    headers = [
        mime.address_header("From", one_line(config.vendor_name()), config.from_address()),
        mime.address_header("To", one_line(mail.to_name), mime.header_address(mail.to_address)),
        mime.text_header("Subject", mail.subject),
        mime.text_header("Message-ID", message_id),
        mime.text_header("Date", date or format_datetime(timezone.now())),
        mime.address_text_header("Reply-To", reply_to_for(mail.reference)),
        b"Auto-Submitted: auto-replied\r\n",
        b"X-Auto-Response-Suppress: All\r\n",
    ]
    if mail.in_reply_to:
        headers.append(mime.text_header("In-Reply-To", mail.in_reply_to))
    if mail.references:
        headers.append(mime.text_header("References", " ".join(mail.references[-10:])))
    text, html = _bodies(mail)
    return mime.alternative(headers, text, html)


_KINDS = sorted(AUTOMATIC_KINDS)


def _over_cap(kind: str, recipient: str) -> bool:
    """Did the recipient have `max_auto_replies_per_hour` automatic mails this hour? Counted
    up to the cap only (a LIMIT in the count), in a statement written once."""
    if kind not in AUTOMATIC_KINDS:
        return False
    cap = config.max_auto_replies_per_hour()
    since = timezone.now() - dt.timedelta(hours=1)
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {OutboundMessage._meta.db_table}"
        f" WHERE recipient = %s AND kind IN ({', '.join(['%s'] * len(_KINDS))})"
        " AND created_at >= %s LIMIT %s) AS recent"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [recipient, *_KINDS, connection.ops.adapt_datetimefield_value(since), cap]
        )
        sent = cursor.fetchone()[0]
    return sent >= cap


def queue(mail: Mail) -> OutboundMessage | None:
    """Record the mail and queue its sending with the current transaction. None when the
    recipient already had this event's mail, or too many automatic mails this hour."""
    recipient = mail.to_address.lower()
    if not recipient or config.is_own_address(recipient) or _over_cap(mail.kind, recipient):
        return None
    message_id = make_msgid(domain=config.mail_domain())
    with translation.override(mail.language):
        mail.subject = one_line(mail.subject, 200)
        raw = build_bytes(mail, message_id)
    try:
        with transaction.atomic():
            out = OutboundMessage.objects.create(
                ticket=mail.ticket,
                event=mail.event,
                kind=mail.kind,
                message_id=message_id,
                in_reply_to=mail.in_reply_to,
                recipient=recipient,
                subject=mail.subject[:300],
                raw=raw,
            )
    except IntegrityError:
        return None  # the same event was handled before (a retried task)
    enqueue_with_transaction(send_outbound, out.pk)
    return out


def queue_unknown_sender_notice(parsed) -> OutboundMessage | None:
    """One reply per unknown address per day explaining how to get access."""
    since = timezone.now() - dt.timedelta(days=1)
    if OutboundMessage.objects.filter(
        recipient=parsed.sender, kind="unknown_sender", created_at__gte=since
    ).exists():
        return None
    # The sender is no one we know: the language their mail says it is in, else the desk's.
    offered = {code for code, _name in settings.LANGUAGES}
    hint = parsed.language_hint
    language = hint if hint in offered else settings.LANGUAGE_CODE
    with translation.override(language):
        mail = Mail(
            kind="unknown_sender",
            to_address=parsed.sender,
            to_name=parsed.sender_name,
            language=language,
            subject=_("Your message to our support: %(subject)s")
            % {"subject": parsed.subject or _("(no subject)")},
            paragraphs=[
                _(
                    "We received your message, but your address is not registered with a "
                    "customer holding a maintenance contract, so we could not open a request."
                ),
                _(
                    "Please ask the administrator of your organization's support account to add "
                    "you as a contact, or write to us from your registered address. Your message "
                    "has been kept and can be processed once you are registered."
                ),
            ],
            in_reply_to=parsed.message_id,
            references=[parsed.message_id] if parsed.message_id else [],
        )
    return queue(mail)


class _Session:
    """An SMTP connection kept for a batch of mails (`send_outbound` drains the queued ones):
    opened at the first mail, closed after a failure (the next mail opens a new one) and at
    the end. Connecting, EHLO, STARTTLS and login were each mail's cost otherwise."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def send(self, raw: bytes, recipient: str) -> None:
        outbox = config.outbox_dir()
        if outbox:
            _write_to_outbox(Path(outbox), raw, recipient)
            return
        reused = self.smtp is not None
        try:
            self._deliver(raw, recipient)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            if not reused:
                raise
            # The server closed the connection kept since the last mail (an idle timeout):
            # a new one, once; this mail has not failed.
            try:
                self._deliver(raw, recipient)
            except BaseException:
                self.close()
                raise
        except BaseException:
            self.close()
            raise

    def _deliver(self, raw: bytes, recipient: str) -> None:
        if self.smtp is None:
            self.smtp = _connect()
        self.smtp.ehlo_or_helo_if_needed()  # what the server offers (SMTPUTF8)
        sender, recipient = envelope(config.bounce_address()), envelope(recipient)
        options = []
        if not (sender + recipient).isascii():
            if not self.smtp.has_extn("smtputf8"):
                raise AddressRefused(
                    _(
                        "The mail server does not take addresses with non-ASCII characters "
                        "before the @ (it does not offer SMTPUTF8): %(address)s"
                    )
                    % {"address": recipient}
                )
            options.append("SMTPUTF8")
        self.smtp.sendmail(sender, [recipient], raw, mail_options=options)

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AddressRefused(smtplib.SMTPResponseException):
    """An address this server cannot be given: refused for good, as a 553 answer would."""

    def __init__(self, message: str) -> None:
        super().__init__(553, message)

    def __str__(self) -> str:
        return str(self.smtp_error)


def envelope(address: str) -> str:
    """The address as the SMTP envelope carries it: a non-ASCII domain in its IDNA form
    (xn--…), which every server takes; a non-ASCII local part stays (SMTPUTF8 only)."""
    try:
        return mime.ascii_domain(address)
    except idna.IDNAError as exc:
        raise AddressRefused(
            _("The domain of %(address)s is not a valid internationalized domain name (%(error)s).")
            % {"address": address, "error": exc}
        ) from exc


def _connect() -> smtplib.SMTP:
    opts = config.smtp()
    smtp = smtplib.SMTP(opts["host"], int(opts["port"]), timeout=opts["timeout"])
    try:
        if opts["starttls"]:
            smtp.starttls()
        if opts["user"]:
            smtp.login(opts["user"], opts["password"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _write_to_outbox(folder: Path, raw: bytes, recipient: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    safe = "".join(ch if ch.isalnum() or ch in "@.-_" else "_" for ch in recipient)[:80]
    (folder / f"{stamp}-{safe}.eml").write_bytes(raw)


def _retry_later(out: OutboundMessage) -> None:
    backend = send_outbound.get_backend()
    if not getattr(backend, "supports_defer", False):
        return  # `palier mail retry` re-queues failed mail
    send_outbound.using(run_after=timezone.now() + backoff(out.attempts)).enqueue(out.pk)


def _permanent(exc: Exception) -> bool:
    """A 5xx answer will not change on retry (unknown mailbox, message refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


@task(queue_name="mail")
def send_outbound(outbound_id: int) -> str:
    """Send one mail; every attempt is recorded, failures retry with a growing delay. Then
    the other queued mails, claimed by batches, over the same SMTP connection
    (`queue.drain_tasks`: one claim and one finish a batch)."""
    from palier.mailgateway.queue import drain_tasks

    with _Session() as session:
        state = _send_one(outbound_id, session)
        drain_tasks(send_outbound, lambda pk: _send_one(pk, session))
    return state


# Sending a mail is two writes around one SMTP conversation, and the server's "accepted"
# cannot be taken back: a mail whose outcome was not written must never be sent again on
# its own, or its recipient gets it twice. So the claim writes SENDING (with the instant)
# before the conversation; the outcome (SENT, FAILED, GAVE_UP) replaces it after, that write
# retried on its own (SENT_WRITE_TRIES) while the database hiccups. A mail still SENDING
# past its lease (config.send_lease(), PALIER_MAIL_SEND_LEASE_SECONDS; the process died, or
# the database stayed away) is UNCERTAIN: perhaps delivered; the admin shows it, `/readyz`
# warns, and a person sends it again or marks it sent (docs/configuration.md, "Outgoing
# mail"). A refusal the server answered (SMTPException) or a connection that never carried
# the message is retried as before.
SENT_WRITE_TRIES = 3
SENT_WRITE_PAUSE = 0.5  # seconds, doubled after each failed write
# Stored in English, as the server's own errors are, and translated where an administrator
# reads it (labels.attempt_error).
UNFINISHED_SEND = gettext_noop(
    "The attempt that began at %(at)s wrote no outcome: perhaps delivered."
)


def _send_one(outbound_id: int, session: _Session) -> str:
    now = timezone.now()
    with transaction.atomic():
        out = OutboundMessage.objects.select_for_update().filter(pk=outbound_id).first()
        if out is None or out.state in (
            OutboundState.SENT,
            OutboundState.GAVE_UP,
            OutboundState.UNCERTAIN,
        ):
            return "skipped"
        if out.state == OutboundState.SENDING:
            lease = config.send_lease()
            if out.sending_since is not None and now - out.sending_since < lease:
                return "skipped"  # another worker is in its conversation with the server
            return _unfinished(out)
        out.attempts += 1
        out.state, out.sending_since = OutboundState.SENDING, now
        out.save(update_fields=["attempts", "state", "sending_since"])
    try:
        session.send(bytes(out.raw), out.recipient)
    except (smtplib.SMTPException, OSError) as exc:
        return _failed_attempt(out, exc, permanent=_permanent(exc))
    except Exception as exc:
        # Not an answer of the server (a fault of ours, or of these bytes): the mail is failed
        # with its error and retried as any other, and the task that sent it fails too.
        _failed_attempt(out, exc, permanent=False)
        raise
    _record_sent(out)
    return "sent"


def _record_sent(out: OutboundMessage) -> None:
    """Write that the server accepted the mail, trying the write alone again (never the
    mail); if the database stays away the mail stays SENDING, UNCERTAIN after the lease."""
    pause = SENT_WRITE_PAUSE
    for attempt in range(1, SENT_WRITE_TRIES + 1):
        try:
            with transaction.atomic():
                DeliveryAttempt.objects.create(outbound=out, ok=True)
                out.state, out.sent_at = OutboundState.SENT, timezone.now()
                out.save(update_fields=["state", "sent_at"])
            return
        except DatabaseError:
            if attempt == SENT_WRITE_TRIES:
                logger.exception("Mail %s accepted by the server; its state not written", out.pk)
                raise
            logger.warning("Mail %s sent; writing it failed, trying again", out.pk)
            time.sleep(pause)
            pause *= 2


def _unfinished(out: OutboundMessage) -> str:
    """An attempt that wrote no outcome within its lease: perhaps delivered, for a person."""
    at = out.sending_since.isoformat(timespec="seconds") if out.sending_since else "?"
    error = UNFINISHED_SEND % {"at": at}
    DeliveryAttempt.objects.create(outbound=out, ok=False, error=error)
    out.state = OutboundState.UNCERTAIN
    out.save(update_fields=["state"])
    logger.error("Mail %s: an attempt wrote no outcome; left for a person", out.pk)
    return out.state


def settle_unfinished_sends(now: dt.datetime | None = None) -> int:
    """Mark UNCERTAIN the mails whose attempt wrote no outcome within their lease (the
    worker's periodic job: no task may ever come for them again); how many."""
    since = (now or timezone.now()) - config.send_lease()
    done = 0
    stale = OutboundMessage.objects.filter(state=OutboundState.SENDING, sending_since__lt=since)
    for pk in stale.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            out = (
                OutboundMessage.objects.select_for_update()
                .filter(pk=pk, state=OutboundState.SENDING, sending_since__lt=since)
                .first()
            )
            if out is not None:
                _unfinished(out)
                done += 1
    return done


def send_again(ids: list[int], acting_user=None) -> int:
    """A person checked: these UNCERTAIN (or given-up) mails did not arrive; queue them again,
    each decision kept in the audit log with who took it. How many were."""
    from palier.audit.log import update_recorded

    with transaction.atomic():
        found = update_recorded(
            "mail.sent_again",
            OutboundMessage.objects.filter(
                pk__in=ids, state__in=[OutboundState.UNCERTAIN, OutboundState.GAVE_UP]
            ),
            acting_user=acting_user,
            state=OutboundState.FAILED,
        )
        for out in found:
            enqueue_with_transaction(send_outbound, out.pk)
    return len(found)


def mark_sent(ids: list[int], acting_user=None) -> int:
    """A person checked: these UNCERTAIN mails did arrive. How many were marked; each
    decision is kept in the audit log with who took it."""
    from palier.audit.log import update_recorded

    uncertain = OutboundMessage.objects.filter(pk__in=ids, state=OutboundState.UNCERTAIN)
    return len(
        update_recorded(
            "mail.marked_sent",
            uncertain,
            acting_user=acting_user,
            state=OutboundState.SENT,
            sent_at=timezone.now(),
        )
    )


def _failed_attempt(out: OutboundMessage, exc: Exception, *, permanent: bool) -> str:
    """Record a failed attempt with its error: retried later with a growing delay, or given
    up (a permanent refusal, or the last attempt); the mail's new state."""
    gave_up = permanent or out.attempts >= config.send_attempts()
    with transaction.atomic():
        DeliveryAttempt.objects.create(outbound=out, ok=False, error=str(exc)[:2000])
        out.state = OutboundState.GAVE_UP if gave_up else OutboundState.FAILED
        out.save(update_fields=["state"])
        if not gave_up:
            transaction.on_commit(lambda: _retry_later(out))
    return out.state
