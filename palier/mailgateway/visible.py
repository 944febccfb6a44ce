"""The new part of a reply: quoted history and signatures are hidden (the raw keeps all)."""

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
        visible = _parser().parse_reply(text=text)
    except Exception:  # noqa: BLE001 - the parser's regexes are heuristics; fall back to all
        return text.strip()
    return (visible or text).strip()
