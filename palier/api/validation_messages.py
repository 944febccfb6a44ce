"""pydantic's validation messages in the caller's language.

pydantic writes its messages in English only. Each error carries a stable `type` and the
values of its message (`ctx`): the message is rebuilt here from a translatable sentence of
that type. English keeps pydantic's own text, word for word; a type not in the table keeps
it in every language (better English than nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _expected(ctx: dict) -> str:
    # pydantic joins the allowed values as "'a', 'b' or 'c'": the English "or" goes.
    return str(ctx.get("expected", "")).replace(" or ", ", ")


def _count(ctx: dict, key: str) -> int:
    try:
        return int(ctx.get(key, 0))
    except (TypeError, ValueError):
        return 0


def _number(ctx: dict, key: str) -> str:
    return str(ctx.get(key, ""))


_SIMPLE: dict[str, Callable[[], str]] = {
    "missing": lambda: _("Field required"),
    "extra_forbidden": lambda: _("Extra inputs are not permitted"),
    "int_type": lambda: _("Input should be a valid integer"),
    "int_parsing": lambda: _("Input should be a valid integer"),
    "int_from_float": lambda: _("Input should be a whole number"),
    "float_type": lambda: _("Input should be a valid number"),
    "float_parsing": lambda: _("Input should be a valid number"),
    "finite_number": lambda: _("Input should be a finite number"),
    "decimal_type": lambda: _("Input should be a valid decimal number"),
    "decimal_parsing": lambda: _("Input should be a valid decimal number"),
    "string_type": lambda: _("Input should be a valid string"),
    # A lone surrogate (\ud800), which no text can hold: to the caller, not a string.
    "string_unicode": lambda: _("Input should be a valid string"),
    "bool_type": lambda: _("Input should be a valid boolean"),
    "bool_parsing": lambda: _("Input should be a valid boolean"),
    "list_type": lambda: _("Input should be a valid list"),
    "dict_type": lambda: _("Input should be a JSON object."),
    "model_type": lambda: _("Input should be a JSON object."),
    "model_attributes_type": lambda: _("Input should be a JSON object."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "date_type": lambda: _("Input should be a day, YYYY-MM-DD"),
    "date_parsing": lambda: _("Input should be a day, YYYY-MM-DD"),
    "date_from_datetime_parsing": lambda: _("Input should be a day, YYYY-MM-DD"),
    "date_from_datetime_inexact": lambda: _("Input should be a day, YYYY-MM-DD"),
    "datetime_type": lambda: _("Input should be a date and time (ISO 8601)"),
    "datetime_parsing": lambda: _("Input should be a date and time (ISO 8601)"),
    "datetime_from_date_parsing": lambda: _("Input should be a date and time (ISO 8601)"),
    "uuid_type": lambda: _("Input should be a valid UUID"),
    "uuid_parsing": lambda: _("Input should be a valid UUID"),
}

_WITH_CTX: dict[str, Callable[[dict], str]] = {
    "string_too_short": lambda ctx: (
        ngettext(
            "Text should have at least %(count)d character",
            "Text should have at least %(count)d characters",
            _count(ctx, "min_length"),
        )
        % {"count": _count(ctx, "min_length")}
    ),
    "string_too_long": lambda ctx: (
        ngettext(
            "Text should have at most %(count)d character",
            "Text should have at most %(count)d characters",
            _count(ctx, "max_length"),
        )
        % {"count": _count(ctx, "max_length")}
    ),
    "too_short": lambda ctx: (
        ngettext(
            "The list should have at least %(count)d item",
            "The list should have at least %(count)d items",
            _count(ctx, "min_length"),
        )
        % {"count": _count(ctx, "min_length")}
    ),
    "too_long": lambda ctx: (
        ngettext(
            "The list should have at most %(count)d item",
            "The list should have at most %(count)d items",
            _count(ctx, "max_length"),
        )
        % {"count": _count(ctx, "max_length")}
    ),
    "string_pattern_mismatch": lambda ctx: (
        _("Text should match the pattern %(pattern)s") % {"pattern": ctx.get("pattern", "")}
    ),
    "greater_than_equal": lambda ctx: (
        _("Input should be greater than or equal to %(limit)s") % {"limit": _number(ctx, "ge")}
    ),
    "greater_than": lambda ctx: (
        _("Input should be greater than %(limit)s") % {"limit": _number(ctx, "gt")}
    ),
    "less_than_equal": lambda ctx: (
        _("Input should be less than or equal to %(limit)s") % {"limit": _number(ctx, "le")}
    ),
    "less_than": lambda ctx: (
        _("Input should be less than %(limit)s") % {"limit": _number(ctx, "lt")}
    ),
    "literal_error": lambda ctx: (
        _("Input should be one of: %(expected)s") % {"expected": _expected(ctx)}
    ),
    "enum": lambda ctx: _("Input should be one of: %(expected)s") % {"expected": _expected(ctx)},
    "decimal_max_digits": lambda ctx: (
        ngettext(
            "A number should have at most %(count)d digit",
            "A number should have at most %(count)d digits",
            _count(ctx, "max_digits"),
        )
        % {"count": _count(ctx, "max_digits")}
    ),
    "decimal_max_places": lambda ctx: (
        ngettext(
            "A number should have at most %(count)d decimal place",
            "A number should have at most %(count)d decimal places",
            _count(ctx, "decimal_places"),
        )
        % {"count": _count(ctx, "decimal_places")}
    ),
    "decimal_whole_digits": lambda ctx: (
        ngettext(
            "A number should have at most %(count)d digit before the decimal point",
            "A number should have at most %(count)d digits before the decimal point",
            _count(ctx, "whole_digits"),
        )
        % {"count": _count(ctx, "whole_digits")}
    ),
    # Our own validators raise their message already translated (palier/api/schemas.py):
    # only pydantic's "Value error, " before it is English.
    "value_error": lambda ctx: str(ctx.get("error", "")),
}


def validation_message(error: dict[str, Any]) -> str:
    """The message of one pydantic error, in the active language."""
    english = str(error.get("msg", ""))
    if (translation.get_language() or "en").startswith("en"):
        return english
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind in _WITH_CTX and isinstance(ctx, dict):
        return _WITH_CTX[kind](ctx) or english
    return english
