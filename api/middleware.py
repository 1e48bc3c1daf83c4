"""Pure ASGI middleware: request ids, the request body limit and a JSON access log line."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("ciklas.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _problem(status: int, slug: str, title: str, detail: str, request_id: str, path: str) -> bytes:
    return json.dumps({
        "type": f"urn:ciklas:problem:{slug}", "title": title, "status": status, "detail": detail,
        "instance": path, "request_id": request_id,
    }).encode()


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
                await self._reject(scope, send_with_id, request_id, 422, "validation-error",
                                   "The request is not valid",
                                   "The query string must be UTF-8 without NUL characters.")
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
                    "method": scope["method"], "path": scope["path"], "status": status_holder["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2), "request_id": request_id,
                },
            )

    async def _too_large(self, scope: Scope, send: Send, request_id: str) -> None:
        await self._reject(scope, send, request_id, 413, "payload-too-large", "Request body too large",
                           f"The body exceeds {self.max_body_bytes} bytes.")

    async def _reject(self, scope: Scope, send: Send, request_id: str, status: int, slug: str, title: str,
                      detail: str) -> None:
        body = _problem(status, slug, title, detail, request_id, scope["path"])
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
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
