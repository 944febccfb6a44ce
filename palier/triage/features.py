"""How a request's text becomes the words a model weighs (picklable, module-level).

Text is folded as the search folds it (lower case, no diacritics). Words after a negation
("not a bug", "kein Fehler", "pas une erreur", "non è un errore") also count as `not_<word>`,
so that a sentence denying an error can weigh against the error it names.
"""

from __future__ import annotations

import re

from palier.lib.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
NEGATIONS = frozenset(
    "not no never isn doesn don didn wasn aren cannot nothing "  # noqa: SIM905 (a line a language)
    "pas ni jamais aucun aucune sans "
    "nicht kein keine keinen keinem keiner nie ohne "
    "non nessun nessuno nessuna mai senza".split()
)
NEGATION_REACH = 3
# The subject says in a few words what the body says at length.
SUBJECT_WEIGHT = 2
BODY_CHARS = 1000


# "Re:", "Fwd:", "WG:", "AW:", "TR:", "R:", "I:" ... say how a mail travelled, not what it asks.
_MAIL_PREFIX = re.compile(r"^(\s*(re|fw|fwd|wg|aw|tr|r|i|rif|sv|antw)\s*:\s*)+", re.IGNORECASE)


def request_text(subject: str, body: str) -> str:
    subject = _MAIL_PREFIX.sub("", subject)
    return " . ".join([subject] * SUBJECT_WEIGHT + [body[:BODY_CHARS]])


def tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def word_features(text: str) -> list[str]:
    """Words, pairs of neighbouring words, and negated words of `text`."""
    return token_features(tokens(text))


def folded_features(folded: str) -> list[str]:
    """word_features of a text already folded."""
    return token_features(_WORD.findall(folded))


def token_features(found: list[str]) -> list[str]:
    """Words, pairs of neighbouring words, and negated words of a text's tokens."""
    out = list(found)
    out += [f"{a} {b}" for a, b in zip(found, found[1:], strict=False)]
    reach = 0
    for word in found:
        if word in NEGATIONS:
            reach = NEGATION_REACH
            continue
        if reach:
            out.append(f"not_{word}")
            reach -= 1
    return out


def fold_text(text: str) -> str:
    return fold(text)
