"""What a command prints stays one record a line, its instants with their zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from palier.lib.terminal import cell, instant


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("plain Zoë 😀", "plain Zoë 😀"),
        ("a\tb", "a\\tb"),
        ("a\nb\r", "a\\nb\\r"),
        ("line\u2028separator\u2029paragraph", "line\\u2028separator\\u2029paragraph"),
        ("\x1b[2J\x00\x7f\x85", "\\x1b[2J\\x00\\x7f\\x85"),
        ("\u202eexe.png", "\\u202eexe.png"),
        ("C:\\temp\\n", "C:\\\\temp\\\\n"),
    ],
)
def test_a_cell_escapes_what_would_break_its_line_or_column(text, printed):
    assert cell(text) == printed
    assert len(cell(text).splitlines()) == 1 and "\t" not in cell(text)


def test_an_instant_is_printed_with_its_zone():
    at = dt.datetime(2026, 7, 1, 8, 30, 15, 999999, tzinfo=dt.UTC)
    with override_settings(TIME_ZONE="Europe/Zurich"):
        assert instant(at) == "2026-07-01T10:30:15+02:00"
    with override_settings(TIME_ZONE="UTC"):
        assert instant(at) == "2026-07-01T08:30:15Z"
