"""How `palier import` ends when it found problems: a script that imports a file must
notice, whether it only checked it or imported what it could.

1 is a file refused whole (CommandError's own), 2 a wrong call (the argument parser's).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import ngettext

# The check found problems, or the import left refused rows or tickets out.
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


def import_left_out(count: int) -> CommandError:
    """An import that wrote what passed and left out what `count` problems concern."""
    return CommandError(
        ngettext(
            "The import found %(count)s problem: what it concerns was not imported. The "
            "problem is listed above, on the error output; correct it in the file and import "
            "the file again (what was imported is left as it is).",
            "The import found %(count)s problems: what they concern was not imported. The "
            "problems are listed above, on the error output; correct them in the file and "
            "import the file again (what was imported is left as it is).",
            count,
        )
        % {"count": count},
        returncode=PROBLEMS_FOUND,
    )
