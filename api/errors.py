"""Errors are classes; one handler renders them all as RFC 9457 problem details."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("ciklas.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ciklas:problem:"


class FieldError(BaseModel):
    field: str = Field(description="Where the error is: `body.answers.0.value`, `query.limit`, ...")
    message: str
    code: str = Field(description="A machine-readable error code, such as `missing` or `too_long`.")


class Problem(BaseModel):
    """RFC 9457 problem details. `type` is stable and machine-readable; `title` is for people."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:ciklas:problem:not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "No plan with this id.",
                    "instance": "/api/v1/plans/0192f3b0-0000-7000-8000-000000000000",
                    "request_id": "6f1c3c9e8a1e4b52b1d1b7c1e5f0a9d2",
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ApiError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class BadRequest(ApiError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ApiError):
    status, slug, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, **extra)


class InvalidGrant(ApiError):
    """OAuth2 `invalid_grant` (RFC 6749 §5.2): a wrong username or password, a dead refresh token."""

    status, slug, title = 400, "invalid-grant", "Invalid credentials"


class InvalidClient(ApiError):
    """OAuth2 `invalid_client` (RFC 6749 §5.2): client authentication failed. 401 with a challenge for
    HTTP Basic, the one HTTP authentication scheme the token endpoint accepts."""

    status, slug, title = 401, "invalid-client", "Client authentication failed"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": 'Basic realm="ciklas", charset="UTF-8"'}, **extra)


class Forbidden(ApiError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(ApiError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ApiError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Transition not allowed"


class PreconditionFailed(ApiError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PayloadTooLarge(ApiError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(ApiError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(ApiError):
    """The request matches the schema but cannot be processed: an unknown referenced id, a forged
    cursor, a value that contradicts another. Its `type` differs from schema validation errors
    (`validation-error`), so clients and the contract tests can tell the two apart."""

    status, slug, title = 422, "unprocessable", "The request cannot be processed"

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.errors = errors or []

    @classmethod
    def for_field(
        cls, field: str, message: str, code: str = "invalid", *, detail: str | None = None
    ) -> ValidationFailed:
        """The one field at fault (`body.period`, `header.Idempotency-Key`) and why; the problem's
        `detail` repeats the message unless given."""
        return cls(message if detail is None else detail, errors=[{"field": field, "message": message, "code": code}])


class PreconditionRequired(ApiError):
    status, slug, title = 428, "precondition-required", "If-Match header required"


class TooManyRequests(ApiError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(ApiError):
    status, slug, title = 503, "service-unavailable", "Service temporarily unavailable"


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.url.path,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"field": ".".join(loc), "message": err.get("msg", "invalid"), "code": err.get("type", "invalid")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        errors = getattr(exc, "errors", None) if isinstance(exc, ValidationFailed) else None
        return problem_response(
            request,
            status=exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=exc.headers,
            errors=errors,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        if any(e["field"].lower() == "header.if-match" and e["code"] == "missing" for e in errors):
            return problem_response(
                request,
                status=428,
                slug="precondition-required",
                title="If-Match header required",
                detail="Send the ETag you read as If-Match, so that you do not overwrite a newer change.",
            )
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail=detail,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            request,
            status=exc.status_code,
            slug=slug,
            title=title,
            detail=detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem_response(
            request,
            status=412,
            slug="precondition-failed",
            title="The resource has changed",
            detail="The resource was changed by another request; read it again and retry.",
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _db_unavailable(request: Request, exc: Exception) -> JSONResponse:
        logger.warning("database unavailable: %s", exc)
        return problem_response(
            request,
            status=503,
            slug="service-unavailable",
            title="Service temporarily unavailable",
            detail="The database is not reachable; retry shortly.",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services turn the constraint violations they expect into precise 409s; this is the net.
        logger.warning("integrity error: %s", exc.orig)
        return problem_response(
            request, status=409, slug="conflict", title="Conflict", detail="The change conflicts with existing data."
        )

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        logger.warning("database refused a value: %s", exc.orig)
        return problem_response(
            request,
            status=422,
            slug="unprocessable",
            title="The request cannot be processed",
            detail="A value could not be stored (out of range or not representable).",
        )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        from api.middleware import PERSONAL_DATA_PATHS, secure_headers

        logger.exception("unhandled error", exc_info=exc)
        response = problem_response(request, status=500, slug="internal-error", title="Internal error")
        # Rendered outside every middleware (by the framework's outermost one): the headers here.
        secure_headers(
            response.headers,
            personal=PERSONAL_DATA_PATHS.match(request.url.path) is not None,
            hsts=request.app.state.settings.environment == "production",
        )
        return response


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries that document problem bodies for the given statuses."""
    descriptions = {
        400: "Bad request",
        401: "Missing, invalid or expired token",
        403: "The token's role lacks the required scope",
        404: "No such resource in your institution",
        409: "Conflict with the resource's current state",
        412: "The If-Match version is stale",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Validation error",
        428: "If-Match header required",
        429: "Too many requests",
        503: "Service temporarily unavailable",
    }
    return {
        s: {"model": Problem, "description": descriptions.get(s, "Error"), "content": {PROBLEM_MEDIA_TYPE: {}}}
        for s in statuses
    }
