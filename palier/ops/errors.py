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
        # No personal data: sentry_sdk's default, left unset (its `send_default_pii` is
        # deprecated in 2.x for `data_collection`, which older 2.x releases lack);
        # ops/tests/test_errors.py checks that no user nor request body is sent.
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
    )
