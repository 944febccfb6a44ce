"""The language a command's `--help` speaks: the one `--language CODE` asks for, English
otherwise (the texts' own), as `palier import` first did.

argparse writes the help while it parses the arguments, before `handle` runs: the language
is read from the raw arguments and made active around the whole run."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def language_asked(args: list[str]) -> str | None:
    """The language `--language CODE` (or `--language=CODE`) asks for, if the desk has it;
    None (the messages' own English) otherwise, which the parser then refuses."""
    codes = {code for code, _name in settings.LANGUAGES}
    for index, arg in enumerate(args):
        if arg == "--language" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--language="):
            value = arg.partition("=")[2]
        else:
            continue
        return value if value in codes else None
    return None


def add_help_language(parser: ArgumentParser) -> None:
    """`--language CODE` for a command whose messages stay English: it chooses the help's."""
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=None,
        help=_("language of this help (default: English)"),
    )


class HelpInLanguageAsked:
    """A management command's mixin: parse and run in the language --language asks for.
    The command's description is `help_text`, a lazy translation."""

    help_text: Any = ""

    @property
    def help(self) -> str:
        # Read when the parser is made, inside run_from_argv's language; argparse wants a str.
        return str(self.help_text)

    def run_from_argv(self, argv: list[str]) -> Any:
        with translation.override(language_asked(argv[2:])):
            return super().run_from_argv(argv)  # type: ignore[misc]
