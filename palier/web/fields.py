"""Form fields shared by the portal and the desk."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.lib.rows import parse_id
from palier.lib.visible import NOTHING_VISIBLE, visible_line


class LineField(forms.CharField):
    """A one-line text that must show something (a subject, a name): bidi controls left
    open are dropped, and a line of only invisible characters is refused."""

    default_error_messages = {"invisible": NOTHING_VISIBLE}

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return text
        cleaned = visible_line(text)
        if not cleaned:
            raise forms.ValidationError(self.error_messages["invisible"], code="invisible")
        return cleaned


def _id_text(value: Any, field: forms.Field) -> Any:
    """An id as a form sends it is its ASCII digits alone (lib.rows.parse_id, unstripped).
    Python's int() reads "1_0" as 10, " 7" as 7 and "١٠" as 10, so Django's choice fields
    took those for other objects' ids."""
    if isinstance(value, str) and value and (value != value.strip() or parse_id(value) is None):
        raise forms.ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )
    return value


class IdChoiceField(forms.ModelChoiceField):
    """A menu of objects whose submitted key must be an id written in ASCII digits."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(_id_text(value, self))


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several objects, each key an id written in ASCII digits."""

    def _check_values(self, value: Any) -> Any:
        for key in value or ():
            _id_text(key, self)
        return super()._check_values(value)


class StrictCheckboxInput(forms.CheckboxInput):
    """A tick box whose submitted value reaches the field as sent (Django's own widget turns
    any text but "false" into True)."""

    def __init__(self, attrs: dict | None = None, check_test: Any = None) -> None:
        # Shown again after a refusal, a box is ticked only by a tick, and sends what a tick
        # sends ("on"): a refused "no" kept as its value and ticked was refused again.
        super().__init__(attrs, check_test=check_test or _ticked)

    def format_value(self, value: Any) -> None:
        return None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) if name in data else False


def _ticked(value: Any) -> bool:
    return value is True or value == "on"


class CheckboxField(forms.BooleanField):
    """A yes or no from a tick box: ticked is the value a browser sends for it ("on"),
    absent is no; anything else ("no", "0", "false") is refused rather than read as a yes."""

    widget = StrictCheckboxInput
    default_error_messages = {"checkbox": _("Tick the box or leave it empty.")}

    def to_python(self, value: Any) -> bool:
        if value is None or value is False or value == "":
            return False
        if value is True or value == "on":
            return True
        raise forms.ValidationError(self.error_messages["checkbox"], code="checkbox")
