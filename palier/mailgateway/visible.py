"""The new part of a mail: quoted history and signatures are hidden (the raw keeps all)."""

from __future__ import annotations

from functools import lru_cache

from mailparser_reply import EmailReplyParser

# The reply parser's regexes run over every line (8 MB of quoted history: seconds). The new
# part of a reply is at its top: the parser reads this much of it, which holds any reply a
# person writes, and a desk page shows at most a ticket body's length anyway.
SCAN_CHARS = 100_000


@lru_cache(maxsize=1)
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=["en", "de", "fr", "it"])


def visible_text(text: str) -> str:
    if not text.strip():
        return ""
    head = text[:SCAN_CHARS]
    try:
        replies = _parser().read(text=head).replies
    except Exception:  # noqa: BLE001 - the parser's regexes are heuristics; fall back to all
        return text.strip()
    if not replies:
        return text.strip()
    # `body` is the newest reply without its signature; `content` keeps the signature.
    shown = (replies[0].body or replies[0].content or head).strip()
    if len(text) > SCAN_CHARS and len(shown) >= len(head.strip()) - 1:
        return text.strip()  # nothing was hidden in the part read: nothing hidden at all
    return shown
