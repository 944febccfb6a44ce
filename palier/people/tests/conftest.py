"""A real SMTP server (aiosmtpd) on loopback for the invitation mails."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from palier.mailgateway.tests.conftest import Sink, free_port


@pytest.fixture
def smtp_sink(settings):
    """Django's mail goes over SMTP to a server on loopback, as in production."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "support@palier.localhost"
    yield sink
    controller.stop()
