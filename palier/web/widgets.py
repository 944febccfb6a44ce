"""Form widgets shared by the web screens."""

from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """`<input type=date>` with its value in ISO 8601 (2026-11-01) in every language.

    A browser's date input accepts nothing else: Django's DateInput writes the active
    language's format (01.11.2026 in German), which the browser drops, leaving the field
    empty and the form unsubmittable."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
