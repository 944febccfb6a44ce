"""How `palier import` ends when it found problems: a script that imports a file must
notice.

1 is a file refused whole (CommandError's own), 2 a wrong call (the argument parser's).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import ngettext

# The check found problems (refused rows or tickets).
PROBLEMS_FOUND = 3


def check_found_problems(count: int) -> CommandError:
    """A dry run that found `count` problems: nothing was written."""
    return CommandError(
        ngettext(
            "The check found %(count)s problem; nothing was written.",
            "The check found %(count)s problems; nothing was written.",
            count,
        )
        % {"count": count},
        returncode=PROBLEMS_FOUND,
    )

