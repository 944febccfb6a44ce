"""Version numbers sort as people and release tools read them."""

from __future__ import annotations

from palier.lib.versions import version_key


def _sorted(*numbers: str) -> list[str]:
    return sorted(numbers, key=version_key)


def test_parts_compare_as_numbers():
    assert _sorted("11.10", "11.9", "11.10.0", "2.0", "11.2.1") == [
        "2.0", "11.2.1", "11.9", "11.10", "11.10.0",
    ]  # fmt: skip


def test_a_pre_release_comes_before_its_release_and_a_hotfix_after():
    assert _sorted("11.4.0", "11.4.0-rc1", "11.4.0.1", "11.4.0-beta", "11.4.0-rc10",
                   "11.4.0-alpha.2", "11.4.0-hotfix1", "11.3.9") == [  # fmt: skip
        "11.3.9", "11.4.0-alpha.2", "11.4.0-beta", "11.4.0-rc1", "11.4.0-rc10", "11.4.0",
        "11.4.0-hotfix1", "11.4.0.1",
    ]  # fmt: skip
    assert version_key("11.4.0-rc1") < version_key("11.4")


def test_a_leading_v_and_build_metadata_do_not_move_a_version():
    assert _sorted("v11.5", "11.10", "11.4.0", "11.9") == ["11.4.0", "v11.5", "11.9", "11.10"]
    assert version_key("11.4.0") < version_key("11.4.0+build7") < version_key("11.4.1")


def test_text_and_odd_digits_sort_without_crashing():
    assert version_key("11") < version_key("11.\u00b2") < version_key("11.1")
    assert _sorted("1.0", "beta") == ["beta", "1.0"]  # no number: first
