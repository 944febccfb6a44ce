"""Django's form renderer, with the common widgets written in Python.

Django renders every widget through its template engine, and a `<select>` includes one
template per `<option>`: the queue's filters (276 options) cost ~4 ms of the page's CPU that
way, the ticket page's panel ~2 ms. Inputs, text areas and selects are written here with the
same markup, byte for byte (tests/test_form_renderer.py compares both renderers), each value
escaped as the templates escape it; any other widget, or a template a project overrides,
goes through the templates as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localized, then escaped unless marked safe."""
    if not isinstance(value, str | Promise):
        value = localize(template_localtime(value))
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: str(), escaped unless the value was marked safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _WIDGETS + "select_option.html":
                raise _NotOurs
            out.append(f"\n  {_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_INPUT_OPTIONS = (_WIDGETS + "radio_option.html", _WIDGETS + "checkbox_option.html")


def _input_option(option: dict) -> str:
    """radio_option.html / checkbox_option.html: input_option.html and two line ends."""
    if not option["wrap_label"]:
        return f"{_input(option)}\n\n\n"
    target = option["attrs"].get("id")
    label_for = f' for="{_text(target)}"' if target else ""
    return f"<label{label_for}>{_input(option)}\n {_text(option['label'])}</label>\n\n"


def _multiple_input(widget: dict) -> str:
    """radio.html and checkbox_select.html (multiple_input.html)."""
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_text(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            if option["template_name"] not in _INPUT_OPTIONS:
                raise _NotOurs
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _file(widget: dict) -> str:
    """clearable_file_input.html without a current file (a form's new upload)."""
    if widget.get("is_initial"):
        raise _NotOurs
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


class _NotOurs(Exception):
    """A widget this module does not write: the templates render it."""


# The templates that only include input.html (the renderer strips what a template writes).
_INPUTS = ("input", "text", "number", "email", "hidden", "password", "search", "tel", "url")
_WRITERS: dict[str, Callable[[dict], str]] = {
    **{f"{_WIDGETS}{kind}.html": _input for kind in (*_INPUTS, "date", "checkbox")},
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}radio.html": _multiple_input,
    # One option on its own: a template's `{% for radio in form.kind %}{{ radio.tag }}`.
    **{name: lambda w: _input_option(w).strip() for name in _INPUT_OPTIONS},
    f"{_WIDGETS}checkbox_select.html": _multiple_input,
    f"{_WIDGETS}clearable_file_input.html": _file,
    f"{_WIDGETS}file.html": _input,
}


class WidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Python for the common widgets, templates for the rest."""

    def render(self, template_name: str, context: dict, request: Any = None) -> str:
        writer = _WRITERS.get(template_name)
        widget = context.get("widget") if writer else None
        if writer and isinstance(widget, dict):
            try:
                return writer(widget)
            except _NotOurs:
                pass
        return super().render(template_name, context, request)
