"""Version numbers as people read them: 11.10 comes after 11.9, 11.4.0 after 11.2.0."""

from __future__ import annotations

import re

# What a version number may hold: letters, digits, dots, dashes, plus and underscore (the
# engineering app's patches follow the same rule).
VERSION_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,39}")

_RELEASE = re.compile(r"[vV]?([0-9]{1,18}(?:\.[0-9]{1,18})*)")
_WORD_OR_NUMBER = re.compile(r"[0-9]{1,18}|[^0-9.+_\-\s]+")  # "²" is a word, not a digit
# Words that mark a version before its release (semantic versioning's "-rc.1", PEP 440's
# "a1", "b2", "rc1"), in their order; any other suffix ("-hotfix1", ".1", "-sp2") comes after.
_PRE_RELEASE = {"dev": 0, "snapshot": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "m": 2,
                "pre": 3, "preview": 3, "c": 3, "rc": 3}  # fmt: skip


def _parts(text: str) -> tuple:
    return tuple(
        (0, int(part), "") if part[0] in "0123456789" else (1, 0, part)
        for part in _WORD_OR_NUMBER.findall(text.lower())
    )


def version_key(number: str) -> tuple:
    """Sort key of a version number: its numbers compared as numbers (11.10 after 11.9,
    v11.5 between them), a pre-release before its release (11.4.0-rc1 before 11.4.0), any
    other suffix after it (11.4.0-hotfix1), build metadata (+build7) last."""
    text = number.strip()
    text, _plus, build = text.partition("+")
    match = _RELEASE.match(text)
    release = tuple(int(n) for n in match.group(1).split(".")) if match else ()
    while release and release[-1] == 0:  # 11.4 and 11.4.0 are one release
        release = release[:-1]
    suffix = _parts(text[match.end() :] if match else text)
    phase = 0 if not suffix else 1
    if suffix and suffix[0][0] == 1 and suffix[0][2] in _PRE_RELEASE:
        phase, suffix = -1, ((0, _PRE_RELEASE[suffix[0][2]], ""), *suffix[1:])
    return (release, phase, suffix, _parts(build), text.lower())


def is_version_number(number: str) -> bool:
    return bool(VERSION_NUMBER.fullmatch(number))
