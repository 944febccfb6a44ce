"""How `palier import` ends when it found problems: a script that imports a file must
notice, whether it only checked it or imported what it could.

1 is a file refused whole (CommandError's own), 2 a wrong call (the argument parser's).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The check found problems, or the import left refused rows or tickets out.
PROBLEMS_FOUND = 3


def _problems_on(count: int, rows: int, unit: str) -> dict[str, str]:
    """`count` problems and the `rows` (or tickets) they refuse, as the summary counts them."""
    on = (
        ngettext("%(count)s ticket", "%(count)s tickets", rows)
        if unit == "tickets"
        else ngettext("%(count)s row", "%(count)s rows", rows)
    )
    return {
        "problems": ngettext("%(count)s problem", "%(count)s problems", count) % {"count": count},
        "rows": on % {"count": rows},
    }


def check_found_problems(count: int, rows: int = 0, *, unit: str = "rows") -> CommandError:
    """A dry run that found `count` problems on `rows` rows or tickets (the summary's
    refused ones; 0 when none is: the problems are the file's): nothing was written."""
    if rows:
        message = _("The check found %(problems)s on %(rows)s; nothing was written.") % (
            _problems_on(count, rows, unit)
        )
    else:
        message = ngettext(
            "The check found %(count)s problem; nothing was written.",
            "The check found %(count)s problems; nothing was written.",
            count,
        ) % {"count": count}
    return CommandError(message, returncode=PROBLEMS_FOUND)


def import_left_out(count: int, rows: int = 0, *, unit: str = "rows") -> CommandError:
    """An import that wrote what passed and left out the `rows` rows or tickets `count`
    problems concern."""
    if rows:
        message = _(
            "The import found %(problems)s on %(rows)s, which it leaves out. Each problem is "
            "listed above, on the error output, with its line; correct the file and import it "
            "again (what was imported is left as it is)."
        ) % _problems_on(count, rows, unit)
    else:
        message = ngettext(
            "The import found %(count)s problem: what it concerns was not imported. The "
            "problem is listed above, on the error output; correct it in the file and import "
            "the file again (what was imported is left as it is).",
            "The import found %(count)s problems: what they concern was not imported. The "
            "problems are listed above, on the error output; correct them in the file and "
            "import the file again (what was imported is left as it is).",
            count,
        ) % {"count": count}
    return CommandError(message, returncode=PROBLEMS_FOUND)
