"""The operations endpoints, answered first: `/healthz`, `/readyz`, `/metrics`.

Placed before SecurityMiddleware, so that a load balancer probing an instance by its
address over plain HTTP is neither redirected to HTTPS nor refused for its Host header;
every other request is timed for the metrics, by route."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from palier.ops import health, metrics


class OpsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == "/healthz":
            return health.healthz(request)
        if path == "/readyz":
            return health.readyz(request)
        if path == "/metrics":
            if not metrics.may_scrape(request):
                # As for any address that is not there (no page: no Host check has run).
                return HttpResponse("Not found\n", status=404, content_type="text/plain")
            return metrics.metrics_response(request)
        return metrics.observe_request(request, self.get_response)
