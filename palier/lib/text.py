"""Text folding shared by indexing and querying, so both sides match alike."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, without diacritics: 'Größe', 'GROESSE' stay apart, 'Élément' = 'element'."""
    if text.isascii():  # nothing to decompose: the same result, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str, *, limit: int | None = 12) -> list[str]:
    """The search words of a user's query, folded, at most `limit` of them (None: all)."""
    return [w for w in _WORD.findall(fold(text)) if w.strip("_")][:limit]


# Function words of the desk's four languages, folded, three letters or more: shared by any
# two texts, they say nothing about whether both describe the same thing.
STOPWORDS = frozenset(
    """
    the and for with from that this not are was were has have had but all any can when after
    before into our your you they them their there what which who will would should could
    does did been being also only than then its out more some such each very same other
    since because about again still how why where here please hello thanks thank regards dear
    les des une est pas que qui pour dans par sur avec sans sont ont aux ces ses son mais plus
    nous vous ils elle elles leur leurs cette cet tout tous toute toutes comme apres avant
    depuis encore bien fait faire etre avoir quand lors entre aussi donc alors meme deja tres
    bonjour merci cordialement madame monsieur votre notre nos vos
    der die das den dem und ist nicht ein eine einen einem einer eines mit von auf fur bei aus
    nach seit wie wenn dass sind wird werden wurde hat haben auch noch aber oder sich sie wir
    ihr ihre ihnen uns unser unsere kein keine beim zum zur vom ins immer bereits schon sehr
    hallo danke gruss grusse freundliche freundlichen bitte guten
    gli che non per con del della delle dei degli dal dalla nel nella nei sul sulla una uno
    sono come anche piu dopo prima quando questo questa questi quello quella nostro nostra
    vostro vostra loro tutto tutti sempre gia ancora molto buongiorno grazie saluti cordiali
    distinti prego essere avere viene stato stata
    """.split()  # noqa: SIM905 (one readable block per language)
)


def content_words(text: str, *, min_length: int = 3, limit: int = 12) -> list[str]:
    """The distinct words of `text` that can tell two texts apart: folded, at least
    `min_length` letters, no function words; at most `limit`, in order of appearance."""
    found = dict.fromkeys(
        w[:40] for w in words(text, limit=None) if len(w) >= min_length and w not in STOPWORDS
    )
    return list(found)[:limit]
