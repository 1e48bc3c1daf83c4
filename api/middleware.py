"""Pure ASGI middleware: request ids, the request body limit and a JSON access log line; the
security headers of every response; HEAD as GET without a body."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_SCOPE_KEY = "ciklas.head"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("ciklas.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _problem(status: int, slug: str, title: str, detail: str, request_id: str, path: str) -> bytes:
    return json.dumps(
        {
            "type": f"urn:ciklas:problem:{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,
            "request_id": request_id,
        }
    ).encode()


class RequestContextMiddleware:
    """Gives every request an id (the client's `X-Request-ID` when well-formed), echoes it on the
    response, refuses bodies over `max_body_bytes` with 413, and logs one line per request."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500}
        rid = request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid)]
            await send(message)

        try:
            if not _query_is_clean(scope.get("query_string", b"")):
                await self._reject(
                    scope,
                    send_with_id,
                    request_id,
                    422,
                    "validation-error",
                    "The request is not valid",
                    "The query string must be UTF-8 without NUL characters.",
                )
                return
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                await self._too_large(scope, send_with_id, request_id)
                return
            received = 0
            too_large = False

            async def limited_receive() -> Message:
                nonlocal received, too_large
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        too_large = True
                        raise _BodyTooLarge
                return message

            try:
                await self.app(scope, limited_receive, send_with_id)
            except _BodyTooLarge:
                await self._too_large(scope, send_with_id, request_id)
        finally:
            request_id_var.reset(token)
            access_log.info(
                "request",
                extra={
                    "method": "HEAD" if scope.get(HEAD_SCOPE_KEY) else scope["method"],
                    "path": scope["path"],
                    "status": status_holder["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                },
            )

    async def _too_large(self, scope: Scope, send: Send, request_id: str) -> None:
        await self._reject(
            scope,
            send,
            request_id,
            413,
            "payload-too-large",
            "Request body too large",
            f"The body exceeds {self.max_body_bytes} bytes.",
        )

    async def _reject(
        self, scope: Scope, send: Send, request_id: str, status: int, slug: str, title: str, detail: str
    ) -> None:
        body = _problem(status, slug, title, detail, request_id, scope["path"])
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _query_is_clean(raw: bytes) -> bool:
    if not raw:
        return True
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


class _BodyTooLarge(BaseException):
    """A BaseException so that the framework's `except Exception` around body parsing (which would
    answer 400) lets it through to this middleware."""


# --- Response headers -------------------------------------------------------------------------

#: Responses of these paths carry personal data (people, care, answers, credentials): `no-store`
#: even when the route set another Cache-Control. Every other response without its own
#: Cache-Control gets `no-store` as well; only a route that chose a policy (the JWKS, the
#: indicator-values pull) keeps it.
PERSONAL_DATA_PATHS = re.compile(
    r"^/api/v1/(recipients|care-plans|users|audit-events|proposals|auth|clients|webhooks)(/|$)"
    r"|^/api/v1/surveys/campaigns/[^/]+/export$"
    r"|^/api/v1/surveys/invitation/"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The printable plan and the annual report pages: their own inline style, nothing that runs.
HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
#: Swagger UI and ReDoc load from their CDN; their inline scripts are allowed by hash.
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net {hashes}; "
    "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=63072000; includeSubDomains"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_csp(html: bytes) -> str:
    """The docs pages' policy, allowing exactly the inline scripts in `html`."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in _INLINE_SCRIPT.findall(html)
    )
    return DOCS_CSP.format(hashes=hashes).replace(" ;", ";")


def secure_headers(headers: MutableHeaders, *, personal: bool, hsts: bool, csp: str | None = None) -> None:
    """The rules, for the middleware and for the one response it cannot see (a 500, rendered by the
    framework's outermost error middleware)."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    is_html = headers.get("content-type", "").startswith("text/html")
    headers["Content-Security-Policy"] = csp or (HTML_CSP if is_html else API_CSP)
    if personal or "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    if hsts:
        headers["Strict-Transport-Security"] = HSTS


class SecurityHeadersMiddleware:
    """Sets the security headers of every response in one place: `X-Content-Type-Options: nosniff`,
    a Content-Security-Policy with `frame-ancestors 'none'` (strict for HTML pages, `default-src
    'none'` for the rest), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, `Cache-Control:
    no-store` (see `PERSONAL_DATA_PATHS`), and HSTS in production."""

    def __init__(self, app: ASGIApp, *, hsts: bool, docs_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.hsts = hsts
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        personal = PERSONAL_DATA_PATHS.match(path) is not None
        if path in self.docs_paths:
            await self._docs_page(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._secure(MutableHeaders(scope=message), personal=personal)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _secure(self, headers: MutableHeaders, *, personal: bool, csp: str | None = None) -> None:
        secure_headers(headers, personal=personal, hsts=self.hsts, csp=csp)

    async def _docs_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffers the (small) page to hash its inline scripts into the policy."""
        start: Message | None = None
        body = bytearray()

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body", False):
                    return
                assert start is not None
                self._secure(MutableHeaders(scope=start), personal=False, csp=docs_csp(bytes(body)))
                await send(start)
                await send({"type": "http.response.body", "body": bytes(body)})
                return
            await send(message)

        await self.app(scope, receive, buffer)


class HeadAsGetMiddleware:
    """HEAD works wherever GET does (RFC 9110): the request runs as GET, the same status and
    headers go out, the body does not. A path without GET answers 405 as for GET. Outermost, so
    that every other middleware sees the response as GET makes it; the access log still says HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_SCOPE_KEY: True}, receive, send_headers_only)
