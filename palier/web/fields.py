"""Form fields shared by the portal and the desk."""

from __future__ import annotations

from typing import Any

from django import forms

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
