"""create_app(): routers, middleware, error handlers, operation ids and the OpenAPI contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.admission import AdmissionMiddleware
from api.config import Settings, get_settings
from api.db import create_db_engine
from api.errors import PROBLEM_MEDIA_TYPE, Problem, install_error_handlers
from api.logs import configure_logging
from api.middleware import HeadAsGetMiddleware, RequestContextMiddleware, SecurityHeadersMiddleware
from api.protocol import install_protocol_handlers, require_body_media_type
from api.schemas import NO_NUL_PATTERN, NON_BLANK_PATTERN
from api.security.tokens import TokenService
from api.types import describe_ranges

API_DESCRIPTION = """
**Ciklas** runs the continuous improvement and learning system (*nuolatinio tobulinimosi ir
mokymosi sistema*) of social-service institutions: plan → deliver → evaluate → improve.

* Sign in at `POST /api/v1/auth/token` (OAuth2, form-encoded) and send `Authorization: Bearer <token>`.
  A token stops working (401) the moment its account is deactivated, deleted, changes password (or
  secret) or changes role, institution or department: sign in again.
* At capacity a worker answers 503 with `Retry-After`; retry after that many seconds.
* Every institution is a tenant: a resource of another institution answers 404, as if it did not exist.
* Errors are `application/problem+json` (RFC 9457) with a stable `type` such as `urn:ciklas:problem:not-found`.
* Lists take `limit` (at most 100), an opaque `cursor` and `sort`; follow `next_cursor`.
* Days and instants run from 1900-01-01 to 2999-12-31 (instants once converted to UTC; RFC 3339,
  without an offset read as UTC); years from 1900 to 2999. Outside: 422 naming the field.
* Reads carry an `ETag`; updates and deletes require `If-Match` (428 without, 412 when stale).
* Every response carries `X-Request-ID`; send your own to correlate logs.
* `HEAD` works wherever `GET` does; a 405 lists the path's methods in `Allow`; a body in another media
  type than the operation's is 415.
* Every response carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy with
  `frame-ancestors 'none'`; responses without a caching policy of their own, and every response
  about people, are `Cache-Control: no-store`.
* Privacy (threshold k, `CIKLAS_PRIVACY_K`, default 5): outside the institution's own staff, a figure
  derived from fewer than k persons is `null` with `suppressed: true` and the reason, never a number.
  Peer groups (same institution kind, the municipality or the platform) give figures only from k
  peers, and only their size and the institution's percentile rank: no peer's value, minimum,
  maximum, median or quartile. See the README's "Privacy" section.
"""

ROUTER_MODULES = (
    "api.health",
    "api.auth.router",
    "api.municipalities.router",
    "api.institutions.router",
    "api.users.router",
    "api.clients.router",
    "api.audit.router",
    "api.indicators.router",
    "api.indicators.values_router",
    "api.recipients.router",
    "api.care_plans.router",
    "api.cycles.router",
    "api.reports.router",
    "api.surveys.router",
    "api.surveys.campaigns_router",
    "api.surveys.public_router",
    # The fixed paths under /api/v1/plans come before /api/v1/plans/{plan_id}.
    "api.plans.settings_router",
    "api.competence.router",
    "api.plans.router",
    "api.proposals.router",
    "api.measures.router",
    "api.assessments.router",
    "api.swot.router",
    "api.webhooks.router",
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Starts the webhook delivery worker (not in tests, which deliver synchronously)."""
    from api.webhooks.delivery import DeliveryPolicy, DeliveryWorker

    settings: Settings = app.state.settings
    worker = None
    if settings.webhook_worker_interval_seconds > 0 and settings.environment != "test":
        worker = DeliveryWorker(
            app.state.engine, DeliveryPolicy.from_settings(settings), settings.webhook_worker_interval_seconds
        )
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None, *, tokens: TokenService | None = None) -> FastAPI:
    import importlib

    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    app = FastAPI(
        title="Ciklas API",
        version="1.0.0",
        description=API_DESCRIPTION,
        generate_unique_id_function=_operation_id,
        swagger_ui_parameters={"persistAuthorization": True},
        lifespan=_lifespan,
        # Interactive docs are off in production unless asked for; /openapi.json stays: it is the
        # public contract, the same as openapi/openapi.json in the repository.
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        dependencies=[Depends(require_body_media_type)],
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings)
    app.state.tokens = tokens or TokenService(settings)

    install_error_handlers(app)
    install_protocol_handlers(app)
    for module_name in ROUTER_MODULES:
        app.include_router(importlib.import_module(module_name).router)

    names = [r.name for r in app.routes if isinstance(r, APIRoute)]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise RuntimeError(f"operation ids must be unique: {sorted(duplicates)}")

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "X-Request-ID",
                "X-Invitation-Code",
            ],
            expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
        )
    # Admission sits inside the request context, so its 503s carry a request id and are logged.
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.requests_in_flight,
        queue_size=settings.admission_queue_size,
        queue_timeout=settings.admission_queue_timeout_seconds,
    )
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    docs_paths = frozenset(p for p in (app.docs_url, app.redoc_url) if p)
    if app.docs_url and app.swagger_ui_oauth2_redirect_url:
        docs_paths |= {app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production", docs_paths=docs_paths)
    app.add_middleware(HeadAsGetMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


_STANDARD = {
    "401": "Missing, invalid, expired or revoked token",
    "403": "The token's role lacks the scope this operation requires",
    "404": "No such resource (or it belongs to another institution)",
    "413": "Request body too large",
    "415": "The body is not in the operation's media type (JSON; a form for the token endpoints)",
    "422": "Validation error; `errors` names each field",
    "503": "The database is not reachable; retry",
}


def _forbid_nul_in_strings(node: Any) -> None:
    """Every free-form string in the contract carries the no-NUL pattern the app enforces; a required
    one (`minLength`) also says it must not be blank, since request bodies strip whitespace first."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NON_BLANK_PATTERN if node.get("minLength", 0) >= 1 else NO_NUL_PATTERN
        for value in node.values():
            _forbid_nul_in_strings(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_nul_in_strings(value)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The contract, with every error response documented as application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for defs_name, defs in components["Problem"].pop("$defs", {}).items():
        components.setdefault(defs_name, defs)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for _method, op in item.items():
            responses = op.setdefault("responses", {})
            wanted = {"422", "503"}
            if op.get("security"):
                wanted |= {"401", "403"}
            if "{" in path:
                wanted.add("404")
            if "requestBody" in op:
                wanted |= {"413", "415"}
            for status in sorted(wanted):
                responses.setdefault(status, {"description": _STANDARD[status]})
            op["responses"] = responses = dict(sorted(responses.items()))
            for status, response in responses.items():
                if not status.startswith(("4", "5")):
                    continue
                if status == "422":
                    response["description"] = _STANDARD["422"]
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem_ref}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    _forbid_nul_in_strings(schema)
    describe_ranges(schema)
    app.openapi_schema = schema
    return schema
