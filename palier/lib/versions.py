"""Version numbers as people read them: 11.10 comes after 11.9, 11.4.0 after 11.2.0."""

from __future__ import annotations

import re

# What a version number may hold: letters, digits, dots, dashes, plus and underscore (the
# engineering app's patches follow the same rule).
VERSION_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,39}")

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # str.isdigit() also takes "²", which int() refuses
_PARTS = re.compile(r"[.\-+_]")


def version_key(number: str) -> tuple:
    """Sort key of a version number: its parts compared as numbers where they are ASCII
    digits, as text otherwise (a number sorts before a word: 11.0 before 11.beta)."""
    return tuple(
        (0, int(part), "") if _ASCII_DIGITS.fullmatch(part) else (1, 0, part.lower())
        for part in _PARTS.split(number.strip())
    )


def is_version_number(number: str) -> bool:
    return bool(VERSION_NUMBER.fullmatch(number))
