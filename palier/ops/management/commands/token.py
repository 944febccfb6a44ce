"""`palier token create|list|revoke`: API tokens for the REST API."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.actions import do_create_token, do_revoke_token
from palier.accounts.models import ApiToken, User
from palier.lib.command_language import HelpInLanguageAsked, add_help_language
from palier.lib.terminal import cell, instant

# "expired " and an instant with its offset: the columns after it stay aligned.
STATE_WIDTH = 33


class Command(HelpInLanguageAsked, BaseCommand):
    help_text = gettext_lazy(
        "Manage API tokens: create USERNAME [--name N] [--read-only] [--expires DAYS|DATE],"
        " list USERNAME, revoke PREFIX. Messages are in English; --language chooses the "
        "language of this help."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_help_language(parser)
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        create = sub.add_parser("create", help=_("Create a token; its value is printed once."))
        create.add_argument("username", metavar=_("USERNAME"))
        create.add_argument(
            "--name", type=_name, default="", help=_("A label, e.g. the script that uses it.")
        )
        create.add_argument(
            "--read-only",
            action="store_true",
            help=_("Reads only: any write with it is refused."),
        )
        create.add_argument(
            "--expires",
            type=_expiry,
            default=None,
            metavar=_("DAYS|YYYY-MM-DD"),
            help=_(
                "Stop working after DAYS days, or at the start of that day (UTC); default never."
            ),
        )
        listing = sub.add_parser("list", help=_("List a user's tokens (never their values)."))
        listing.add_argument("username", metavar=_("USERNAME"))
        revoke = sub.add_parser(
            "revoke", help=_("Revoke the token whose value starts with PREFIX.")
        )
        revoke.add_argument("prefix", metavar=_("PREFIX"))
        for subcommand in (create, listing, revoke):
            add_help_language(subcommand)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = _user(options["username"])
            token, raw = do_create_token(
                user,
                name=options["name"],
                read_only=options["read_only"],
                expires_at=options["expires"],
            )
            self.stderr.write(f"Token {token.prefix}… for {user.username}{_terms(token)};")
            self.stderr.write("it is shown once:")
            self.stdout.write(raw)
        elif action == "list":
            user = _user(options["username"])
            now = timezone.now()
            tokens = list(ApiToken.objects.filter(user=user).order_by("id"))
            if not tokens:
                self.stderr.write(f"{user.username} has no API token.")
            for token in tokens:
                state = _state(token, now)
                used = instant(token.last_used_at) if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix}  {state:<{STATE_WIDTH}}  created {instant(token.created_at)}"
                    f"  last used {used}{_terms(token)}  {cell(token.name)}"
                )
        else:
            self._revoke(options["prefix"])

    def _revoke(self, prefix: str) -> None:
        # Prefixes are 12 characters of a random value; demand enough of one to be unambiguous.
        if len(prefix) < 8:
            raise CommandError("Give at least 8 characters of the token (see 'palier token list').")
        active = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
        matches = list(active.filter(prefix__startswith=prefix[:12]))
        if not matches:
            raise CommandError(f"No active token starts with {prefix!r}.")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} active tokens start with {prefix!r}; give more.")
        do_revoke_token(matches[0])
        self.stdout.write(f"Revoked {matches[0].prefix}… of {matches[0].user.username}.")


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


MAX_DAYS = 3650
NAME_LENGTH = ApiToken._meta.get_field("name").max_length


def _name(text: str) -> str:
    text = text.strip()
    if len(text) > NAME_LENGTH:
        raise ArgumentTypeError(f"a name has at most {NAME_LENGTH} characters")
    return text


def _expiry(text: str) -> dt.datetime:
    """--expires: a number of days from now, or an ISO date (the token ends as it begins),
    at most ten years ahead. Digits are ASCII: str.isdigit() also takes other scripts'."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        days = int(text)
        if not 1 <= days <= MAX_DAYS:
            raise ArgumentTypeError(f"give between 1 and {MAX_DAYS} days")
        return timezone.now() + dt.timedelta(days=days)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        message = f"{text!r} is neither a number of days nor a YYYY-MM-DD date"
        raise ArgumentTypeError(message) from None
    when = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    now = timezone.now()
    if when <= now:
        raise ArgumentTypeError(f"{text} is not in the future")
    if when > now + dt.timedelta(days=MAX_DAYS):
        raise ArgumentTypeError(f"{text} is more than {MAX_DAYS} days ahead")
    return when


def _state(token: ApiToken, now: dt.datetime) -> str:
    if token.revoked_at:
        return f"revoked {instant(token.revoked_at)}"
    if token.expires_at and token.expires_at <= now:
        return f"expired {instant(token.expires_at)}"
    return "active"


def _terms(token: ApiToken) -> str:
    terms = ["read-only"] if token.read_only else []
    if token.expires_at:
        terms.append(f"until {instant(token.expires_at)}")
    return f" ({', '.join(terms)})" if terms else ""
