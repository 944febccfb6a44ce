"""The search text `q` of a list endpoint, refused when it cannot be searched as sent.

Cut to its limit, a longer text searched for words the caller did not send alone; given
twice (?q=a&q=b), the last value was searched and the first dropped without a word. The desk
says so beside its search field (web.agent.forms); the API answers 422, as for a field.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import ngettext

from palier.lib.errors import DomainError


class QueryTextRefused(DomainError):
    status = 422


def check_query_text(request: HttpRequest, q: str, *, limit: int) -> str:
    """`q` as sent; 422 `q_repeated` when given more than once, `q_too_long` past `limit`."""
    given = len(request.GET.getlist("q"))
    if given > 1:
        raise QueryTextRefused(
            ngettext(
                "The search text q is given %(count)d time; give it once.",
                "The search text q is given %(count)d times; give it once.",
                given,
            )
            % {"count": given},
            code="q_repeated",
            details={"parameter": "q", "count": given},
        )
    if len(q) > limit:
        raise QueryTextRefused(
            ngettext(
                "The search text q has at most %(limit)d character; this one has %(length)d.",
                "The search text q has at most %(limit)d characters; this one has %(length)d.",
                limit,
            )
            % {"limit": limit, "length": len(q)},
            code="q_too_long",
            details={"parameter": "q", "limit": limit, "length": len(q)},
        )
    return q
