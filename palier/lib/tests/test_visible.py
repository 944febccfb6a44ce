"""Visible text: invisible-only lines are empty, open bidi controls go, balanced ones stay."""

from __future__ import annotations

import pytest

from palier.lib.visible import has_visible, visible_line, without_open_bidi


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b\u200e\u202e", "\u2066\u2069", "\u3164\u3164", "\u0301", "\ufeff\u00a0"],
)
def test_a_line_of_only_invisible_characters_is_empty(text):
    assert not has_visible(text.strip()) and visible_line(text) == ""


def test_bidi_controls_left_open_are_dropped():
    assert visible_line("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert visible_line("\u202cdone") == "done"
    assert without_open_bidi("\u2067a\u202eb\u2069\u202c") == "ab"  # closed out of order


def test_balanced_bidi_controls_stay_for_right_to_left_names():
    assert visible_line(" \u2067שלום\u2069 order ") == "\u2067שלום\u2069 order"
    assert visible_line("a\u202bb\u202c") == "a\u202bb\u202c"


def test_overrides_never_stay_even_closed():
    # Shown as "exe.png" with the override kept: the attack the rule is for.
    assert visible_line("\u202egnp.exe\u202c") == "gnp.exe"
    assert visible_line("a\u202db\u202c c") == "ab c"
    # An embedding inside an override keeps its own close; the override's goes.
    assert without_open_bidi("\u202ex\u202by\u202cz\u202c") == "x\u202by\u202cz"
    assert without_open_bidi("\u2067\u202eab\u202c\u2069") == "\u2067ab\u2069"


def test_accents_and_marks_in_a_word_are_visible():
    assert visible_line("Cafe\u0301") == "Cafe\u0301"
    assert visible_line("\u200eHé") == "\u200eHé"


def test_an_empty_bidi_pair_is_dropped_as_it_shows_nothing():
    assert visible_line("\u2066\u2069Text") == "Text"
    assert visible_line("\u202e\u202c \u2067\u200b\u2069Text\u2068\u2069") == "\u200bText"
    assert visible_line("a\u2066\u2069b") == "ab"
    # A pair around something visible stays, and so does one around an empty pair.
    assert visible_line("\u2067\u2066\u2069שלום\u2069") == "\u2067שלום\u2069"
