"""Suggest a request type from a mailed request's text (fr, de, it, en), by weighted rules.

A suggestion only: the ticket stays "to be qualified" until an agent confirms the type, and
only then does the policy decide (POLICY.md section 3).
"""

from __future__ import annotations

import re

from palier.lib.text import fold
from palier.policy import RequestType

# Folded (lower-case, no accents) stems per type. Weights: 2 for words that rarely mean
# anything else, 1 for softer hints.
RULES: dict[RequestType, list[tuple[str, int]]] = {
    RequestType.MALFUNCTION: [
        (r"\berr(or|eur|ore|ors|eurs|ori)\b", 2),
        (r"\bfehler", 2),
        (r"\bbug", 2),
        (r"\bcrash", 2),
        (r"\babsturz", 2),
        (r"\bplant", 1),
        (r"\bexception", 2),
        (r"\bfails?\b|\bfailed\b|\bfailing\b", 2),
        (r"\bdoes ?n.?t work|\bnot working", 2),
        (r"\bfonctionne (pas|plus)|\bmarche (pas|plus)", 2),
        (r"\bfunktioniert nicht", 2),
        (r"\bnon funziona", 2),
        (r"\bwrong\b|\bfalsch|\bincorrect|\bsbagliat|\berrone", 1),
        (r"\bblocked|\bbloque|\bblockiert|\bbloccat", 1),
        (r"\bstorung|\bpanne|\bguasto", 2),
        (r"\bmessage d.erreur|\bfehlermeldung|\bmessaggio di errore", 2),
    ],
    RequestType.FEATURE: [
        (r"\bnew (feature|column|field|report)", 2),
        (r"\bplease add\b|\badd a (column|field)", 2),
        (r"\bnouvelle? (fonction|colonne|champ)", 2),
        (r"\bajouter (une|un) ", 2),
        (r"\bneue (funktion|spalte|feld)", 2),
        (r"\bhinzufugen|\berganzen|\berweitern", 2),
        (r"\bnuov[ao] (funzion|colonn|camp)", 2),
        (r"\baggiungere\b", 2),
        (r"\bfeature request|\benhancement|\bwishlist", 2),
        (r"\bwould like to have", 1),
        (r"\bchange request|\bdemande d.evolution|\banderungswunsch", 2),
    ],
    RequestType.TRAINING: [
        (r"\btrain(ing)?\b", 2),
        (r"\bformation\b|\bformer\b", 2),
        (r"\bschulung", 2),
        (r"\beinfuhrung|\bkurs\b", 1),
        (r"\bcorso\b|\bformazione\b", 2),
        (r"\bworkshop", 2),
        (r"\bwebinar", 1),
        (r"\bintroduce|\bonboard", 1),
        (r"\bnew (employees?|colleagues?)", 1),
        (r"\bnouveaux? (collaborateurs?|collegues?)|\bneue (mitarbeiter|kollegen)", 1),
    ],
    RequestType.USAGE: [
        (r"\bhow (do|can|to)\b", 2),
        (r"\bcomment (faire|puis|peut|on)\b", 2),
        (r"\bwie (kann|muss|mache|geht|konnen)", 2),
        (r"\bcome (posso|si|faccio)\b", 2),
        (r"\bwhere (do|can|is)\b|\bou (se trouve|puis)|\bwo (finde|kann|ist)|\bdove\b", 1),
        (r"\bquestion\b|\bfrage\b|\bdomanda\b", 1),
        (r"\bcomment\b|\bwie\b|\bhow\b", 1),
        (r"\bannuler|\bstornieren|\breverse|\bannullare", 1),
        (r"\bsetting|\bparametr|\beinstell", 1),
    ],
}
_COMPILED = {t: [(re.compile(p), w) for p, w in rules] for t, rules in RULES.items()}


def scores(text: str) -> dict[str, int]:
    folded = fold(text)
    return {
        kind.value: sum(w * len(pattern.findall(folded)) for pattern, w in patterns)
        for kind, patterns in _COMPILED.items()
    }


def suggest_type(subject: str, body: str = "") -> str:
    """The most likely request type, or "" when no rule speaks. The subject counts double."""
    total = scores(body[:20000])
    for kind, value in scores(subject).items():
        total[kind] += 2 * value
    best = max(total.items(), key=lambda item: item[1])
    return best[0] if best[1] > 0 else ""
