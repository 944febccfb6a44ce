"""django-csp's middleware, with the header of a plain answer built once.

The policy of an answer that names no nonce and carries no per-view policy (`@csp_update`
and its kind) is the settings' alone: django-csp rebuilt it on every answer (~0.3 ms of an
API request's CPU). It is built once a process, again when the settings change (tests),
and the answer gets the same headers as from django-csp itself.
"""

from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_built: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_built_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


def _policy(report_only: bool) -> str:
    if report_only not in _built:
        _built[report_only] = build_policy(report_only=report_only)
    return _built[report_only]


def _set(request: HttpRequest, response: HttpResponseBase, report_only: bool) -> None:
    policy = _policy(report_only)
    if not policy:
        return
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    header = HEADER_REPORT_ONLY if report_only else HEADER
    exempt = getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False)
    prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
    if (
        header not in response
        and exempt is False
        and not request.path_info.startswith(tuple(prefixes))
    ):
        response[header] = policy


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        exempted = (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)
        if response.status_code in exempted and settings.DEBUG:
            return response
        _set(request, response, report_only=False)
        _set(request, response, report_only=True)
        # As django-csp: once the header is written, asking for a nonce is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
