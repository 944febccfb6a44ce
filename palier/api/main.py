"""The REST API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

from palier.api.auth import AUTH
from palier.api.customers import router as customers_router
from palier.api.errors import install_error_handlers
from palier.api.meta import router as meta_router
from palier.api.tickets import router as tickets_router

api = NinjaAPI(
    title="Palier API",
    version="1",
    description=(
        "Support desk API. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `palier token create USERNAME`). Errors are JSON: "
        '`{"error": {"code": ..., "message": ..., "details": ...}}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", meta_router)
api.add_router("", customers_router)
api.add_router("", tickets_router)
