"""Mail in and out of the desk.

Inbound, one pipeline (`actions.ingest`) for three ways in; each stores the raw message first:

- `palier mail ingest` reads one message on stdin (an MTA pipe; exit 75 = retry later), or
  `--dir FOLDER` for a batch;
- `palier mail lmtp --host 127.0.0.1 --port 2424` (add `--smtp` for SMTP) answers 250 once
  stored, 451 when it cannot store;
- `palier mail fetch --url imaps://user:password@host/INBOX [--done-folder Stored] [--every 60]`
  (or PALIER_IMAP_MAILBOXES, comma-separated URLs) marks \\Seen or moves only after storing.

`palier mail process` finishes messages left stored by an interruption; `palier mail retry`
queues failed outbound mail again. Staff see the quarantine in the admin and at
/api/v1/mail/quarantine, and reprocess from either.

Settings (environment): PALIER_FROM_EMAIL (From), PALIER_MAIL_REPLY_ADDRESS (Reply-To base:
replies come to support+PAL-YYYY-NNNNNN@domain), PALIER_MAIL_BOUNCE_ADDRESS (envelope sender),
PALIER_MAIL_OWN_ADDRESSES (more addresses whose mail is dropped as a loop),
PALIER_MAIL_MAX_REPLIES_PER_HOUR (automatic mails per address, default 5),
PALIER_MAIL_SEND_ATTEMPTS (default 6), PALIER_SMTP_HOST/PORT/USER/PASSWORD/STARTTLS,
PALIER_MAX_ATTACHMENT_BYTES.
"""
