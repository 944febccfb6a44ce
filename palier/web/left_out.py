"""What a list page says of the filters it could not apply.

A list's filters are a GET form whose bad values are dropped one by one (never a 500): each
leaves out its own filter, the others still apply, and the page names what it left out and
why (web/partials/filters_left_out.html), in the reader's language.
"""

from __future__ import annotations

from django import forms


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
