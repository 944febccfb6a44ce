"""Tell the audit log where a request's changes come from (channel and caller's address)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from palier.audit.log import origin
from palier.audit.models import Channel
from palier.web.ratelimit import client_address


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/"):
            channel = Channel.API
        elif path.startswith("/admin/"):
            channel = Channel.ADMIN
        else:
            channel = Channel.WEB
        address: str | None = client_address(request)
        try:
            ipaddress.ip_address(address or "")
        except ValueError:
            address = None
        with origin(channel, address):
            return self.get_response(request)
