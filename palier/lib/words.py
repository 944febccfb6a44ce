"""Sentences that can be said again in another language.

A message stored once and read later by someone else (an import's problems, kept with its
run) must be shown in the reader's language, not the writer's. `words("...")` translates
like `gettext` and is a `str` like it, but remembers its source text and its parameters, so
that `as_stored()` keeps both and `say_again()` translates them anew for each reader.

    from palier.lib.words import words as _
    message = _("No module is called “%(name)s”.") % {"name": "Fnance"}
    row = as_stored(message)          # {"message": "...", "msgid": "...", "params": {...}}
    say_again(row)                    # in the language active now
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class Words(str):
    msgid: str
    params: dict[str, str]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Words:
        params = {k: str(v) for k, v in (params or {}).items()}
        text = gettext(msgid)
        obj = super().__new__(cls, text % params if params else text)
        obj.msgid, obj.params = msgid, params
        return obj

    def __mod__(self, params: Any) -> Words:  # type: ignore[override]
        return Words(self.msgid, params)


def words(msgid: str) -> Words:
    return Words(msgid)


def as_stored(message: Any) -> dict[str, Any]:
    """A message as a JSON value: its text now, and its source when it has one."""
    if isinstance(message, Words):
        return {"message": str(message), "msgid": message.msgid, "params": message.params}
    return {"message": str(message)}


def say_again(stored: Any) -> str:
    """A stored message in the language active now (a plain string is said as it is)."""
    if isinstance(stored, str):
        return stored
    text = str(stored.get("message", ""))
    msgid = stored.get("msgid")
    if not msgid:
        return text
    params = stored.get("params") or {}
    try:
        return gettext(msgid) % params if params else gettext(msgid)
    except (KeyError, TypeError, ValueError):
        return text  # a catalogue that no longer fits: the words as they were written
