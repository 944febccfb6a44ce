"""`palier token create|list|revoke`: API tokens for the REST API."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.accounts.actions import do_create_token, do_revoke_token
from palier.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage API tokens: create USERNAME [--name N], list USERNAME, revoke PREFIX."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        create = sub.add_parser("create", help="Create a token; its value is printed once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="A label, e.g. the script that uses it.")
        listing = sub.add_parser("list", help="List a user's tokens (never their values).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token whose value starts with PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = _user(options["username"])
            token, raw = do_create_token(user, name=options["name"])
            self.stderr.write(f"Token {token.prefix}… for {user.username}; it is shown once:")
            self.stdout.write(raw)
        elif action == "list":
            user = _user(options["username"])
            for token in ApiToken.objects.filter(user=user).order_by("id"):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix}  {state:<18}  created {token.created_at:%Y-%m-%d}"
                    f"  last used {used}  {token.name}"
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
