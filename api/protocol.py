"""HTTP details the framework leaves open: the `Allow` header of a 405 and 415 for a body in the
wrong media type (HEAD is api.middleware.HeadAsGetMiddleware)."""

from __future__ import annotations

import email.message
import re

from fastapi import FastAPI, Request
from fastapi.params import Form
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from api.errors import UnsupportedMediaType, problem_response

JSON_TYPE = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _path_methods(request: Request) -> list[tuple[re.Pattern[str], set[str]]]:
    """Each path of the contract, in routing order, with its methods (computed once per app)."""
    app = request.app
    table = getattr(app.state, "path_methods", None)
    if table is None:
        table = [
            (compile_path(path)[0], {m.upper() for m in item}) for path, item in app.openapi().get("paths", {}).items()
        ]
        app.state.path_methods = table
    return table


def allowed_methods(request: Request, fallback: str = "") -> str:
    """Every method of the path `request` addressed, with HEAD wherever GET is: the `Allow` header
    of a 405. The framework names only the methods of the first route that matched the path, one
    of several routes sharing it. `fallback` serves paths outside the contract (the docs pages)."""
    path = request.scope["path"]
    methods = next((m for regex, m in _path_methods(request) if regex.match(path)), None)
    if methods is None:
        methods = {m.strip() for m in fallback.split(",") if m.strip()}
    methods = set(methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install_protocol_handlers(app: FastAPI) -> None:
    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        given = (getattr(exc, "headers", None) or {}).get("Allow", "") if isinstance(exc, HTTPException) else ""
        allow = allowed_methods(request, given)
        return problem_response(
            request,
            status=405,
            slug="method-not-allowed",
            title="Method not allowed",
            detail=f"{request.method} is not allowed here; use {allow}.",
            headers={"Allow": allow},
        )


def _media_type(value: str) -> str:
    message = email.message.Message()
    message["content-type"] = value
    return message.get_content_type()


def _is_json(value: str) -> bool:
    media_type = _media_type(value)
    return media_type == JSON_TYPE or (media_type.startswith("application/") and media_type.endswith("+json"))


def require_body_media_type(request: Request) -> None:
    """An app-wide dependency: an operation that reads a body accepts it only in its own media
    type, JSON or (the token endpoints) a form encoding; anything else is 415 instead of the
    framework's 422 for a body it did not parse. Runs before the operation's own dependencies."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None:
        return
    content_type = request.headers.get("content-type", "")
    has_body = request.headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in request.headers
    if not (content_type or has_body):
        return  # no body at all: validation says what is missing
    form = isinstance(body_field.field_info, Form)
    if (_media_type(content_type) in FORM_TYPES) if form else _is_json(content_type):
        return
    wanted = " or ".join(FORM_TYPES) if form else JSON_TYPE
    raise UnsupportedMediaType(
        f"Send the body as {wanted}; Content-Type {content_type or '(none)'!r} is not accepted here."
    )
