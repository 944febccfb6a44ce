"""Optional error reporting to Sentry (PALIER_SENTRY_DSN): unhandled exceptions of requests,
commands and background tasks, without personal data (no user, no request body)."""

from __future__ import annotations


def init_error_reporting(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), LoggingIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
    )
