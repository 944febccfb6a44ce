"""Mail misconfiguration stops at start-up (`palier check`), not at the first mail."""

from __future__ import annotations

from email.headerregistry import Address

from django.core.checks import Error, register

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
