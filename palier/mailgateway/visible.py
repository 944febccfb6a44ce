"""The new part of a mail: quoted history and signatures are hidden (the raw keeps all)."""

from __future__ import annotations

from functools import lru_cache

from mailparser_reply import EmailReplyParser


@lru_cache(maxsize=1)
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=["en", "de", "fr", "it"])


def visible_text(text: str) -> str:
    if not text.strip():
        return ""
    try:
        replies = _parser().read(text=text).replies
    except Exception:  # noqa: BLE001 - the parser's regexes are heuristics; fall back to all
        return text.strip()
    if not replies:
        return text.strip()
    # `body` is the newest reply without its signature; `content` keeps the signature.
    return (replies[0].body or replies[0].content or text).strip()
