"""What a list page says of the filters it could not apply.

A list's filters are a GET form whose bad values are dropped one by one (never a 500): each
leaves out its own filter, the others still apply, and the page names what it left out and
why (web/partials/filters_left_out.html), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import ngettext


def left_out_filters(form: forms.Form) -> list[tuple[str, str]]:
    """(label, why) of each filter of a bound `form` whose value was dropped. Hidden fields
    (a page's cursor) are the page's own business and say nothing here."""
    if not form.is_bound:
        return []
    return [
        (str(form.fields[name].label), " ".join(errors))
        for name, errors in form.errors.items()
        if name in form.fields and not form.fields[name].widget.is_hidden
    ]


def refuse_repeated(form: forms.Form, names: Iterable[str]) -> None:
    """Refuse beside its field each of `names` the query string gives more than once
    (?q=a&q=b): a field reads its last value and would filter by it without a word."""
    getlist = getattr(form.data, "getlist", None)
    for name in names if getlist else ():
        given = len(getlist(name))
        if given > 1:
            form.add_error(
                name,
                ngettext(
                    "This filter is given %(count)d time; give it once.",
                    "This filter is given %(count)d times; give it once.",
                    given,
                )
                % {"count": given},
            )
