"""Mail in and out of the desk.

Inbound, one pipeline for three ways in; each stores the raw bytes first and acknowledges
only then (actions.py, where the steps are; invariant.py, what must hold after):

- `palier mail ingest` reads one message on stdin (an MTA pipe; sysexits: 65 never takeable,
  75 retry later), stores it and queues its processing for the worker (`--now`: here), or
  `--dir FOLDER` for a batch;
- `palier mail lmtp --host 127.0.0.1 --port 2424` (add `--smtp` for SMTP) answers 250 once
  per recipient once stored and queued for the worker (`--now`: processed in the listener),
  451 when it cannot store;
- `palier mail fetch --url imaps://user:password@host/INBOX [--done-folder Stored] [--every 60]`
  (or PALIER_IMAP_MAILBOXES, comma-separated URLs) marks \\Seen or moves only after storing.

identity.py says what a message is (its bytes without trace headers); parsing.py,
reports.py and autoreply.py read it (pure); inbound.py routes it to its one ending. `palier
mail process` and the worker's sweep (tasks.py) finish stored messages left by an
interruption; `palier mail verify` checks the invariant; `palier mail retry` queues failed
outbound mail again. Staff see the quarantine and the unmatched records in the admin and at
/api/v1/mail/quarantine and /api/v1/mail/unmatched, and reprocess or release from either.

Settings (environment): PALIER_FROM_EMAIL (From), PALIER_MAIL_REPLY_ADDRESS (Reply-To base:
replies come to support+PAL-YYYY-NNNNNN@domain), PALIER_MAIL_BOUNCE_ADDRESS (envelope sender),
PALIER_MAIL_OWN_ADDRESSES (more addresses that are the desk's own),
PALIER_MAIL_MAX_REPLIES_PER_HOUR (automatic mails per address, default 5),
PALIER_MAIL_SEND_ATTEMPTS (default 6), PALIER_SMTP_HOST/PORT/USER/PASSWORD/STARTTLS,
PALIER_MAX_ATTACHMENT_BYTES, PALIER_MAIL_MAX_FILES (200), PALIER_MAIL_PARSE_SECONDS (10).
"""
