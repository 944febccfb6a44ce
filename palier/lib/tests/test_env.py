"""Settings from the environment: a bad value stops start-up with the variable's name."""

import pytest

from palier.lib.env import ConfigError, env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("Yes", True), ("off", False), ("", False)]
)
def test_booleans_read_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("PALIER_X", raw)
    assert env_bool("PALIER_X") is value


def test_a_bad_boolean_names_its_variable(monkeypatch):
    monkeypatch.setenv("PALIER_X", "maybe")
    with pytest.raises(ConfigError, match="PALIER_X"):
        env_bool("PALIER_X")


def test_numbers_below_their_minimum_or_not_numbers_are_refused(monkeypatch):
    monkeypatch.setenv("PALIER_N", "12")
    assert env_int("PALIER_N", 5, minimum=10) == 12
    monkeypatch.setenv("PALIER_N", "3")
    with pytest.raises(ConfigError, match="at least 10"):
        env_int("PALIER_N", 5, minimum=10)
    monkeypatch.setenv("PALIER_N", "ten")
    with pytest.raises(ConfigError, match="whole number"):
        env_int("PALIER_N", 5)
    monkeypatch.delenv("PALIER_N")
    assert env_int("PALIER_N", 5) == 5


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("PALIER_L", " a, ,b ")
    assert env_list("PALIER_L", []) == ["a", "b"]
