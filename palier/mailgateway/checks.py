"""Mail misconfiguration stops at start-up (`palier check`), not at the first mail."""

from __future__ import annotations

from email.headerregistry import Address

from django.core.checks import Error, register

from palier.lib.env import ConfigError
from palier.mailgateway import config


def _valid(address: str) -> bool:
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError):
        return False
    return bool(parsed.username and "." in parsed.domain)


@register()
def check_mail_addresses(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name, value in (
        ("PALIER_FROM_EMAIL", config.from_address()),
        ("PALIER_MAIL_REPLY_ADDRESS", config.reply_address()),
        ("PALIER_MAIL_BOUNCE_ADDRESS", config.bounce_address()),
    ):
        if not _valid(value):
            errors.append(
                Error(
                    f"{name} is not a single valid mail address: {value!r}.",
                    hint="Set it to an address such as support@vendor.example.",
                    id="palier.E040",
                )
            )
    return errors


@register()
def check_send_lease(app_configs=None, **kwargs) -> list[Error]:
    """PALIER_MAIL_SEND_LEASE_SECONDS is read when a mail is sent: a bad value stops at
    start-up instead, as one no longer than the SMTP timeout (a conversation still waiting
    on the server would be taken for one that died)."""
    hint = (
        "Set PALIER_MAIL_SEND_LEASE_SECONDS to a number of seconds well above the SMTP "
        "timeout (default 600)."
    )
    try:
        lease = config.send_lease().total_seconds()
    except ConfigError as exc:
        return [Error(str(exc), hint=hint, id="palier.E041")]
    timeout = config.smtp()["timeout"]
    if lease <= timeout:
        return [
            Error(
                f"PALIER_MAIL_SEND_LEASE_SECONDS ({lease:.0f}) is not above the SMTP timeout "
                f"({timeout} seconds).",
                hint=hint,
                id="palier.E041",
            )
        ]
    return []
