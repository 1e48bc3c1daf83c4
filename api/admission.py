"""Admission: a bounded number of requests in flight per worker; the excess waits briefly, then 503.

Why: routes are sync and run in the worker's thread pool, and each one holds at most one pooled
connection at a time (and on SQLite, while writing, the writer queue). When more requests are
admitted than there are threads or connections, a request that holds the writer lock or a
connection can queue for a thread behind requests that wait for that very lock or connection: the
pool and busy timeouts fire, and throughput collapses (issue 16: 2.6 rps at 48 kiosks on SQLite).

So this middleware admits at most ``limit`` requests at once and sizes the thread budget to it:
every admitted request finds a thread at once, so nothing waits for a thread while holding a lock
or a connection. The default limit is twice the pool's capacity: the requests beyond the pool's
capacity wait in their own thread for a connection (bounded by the pool timeout), which the
holders release without needing anything more; with the limit at the pool's capacity, a worker
starved of CPU kept too few requests ready for the SQLite writer (wrk, 48 kiosks: 44 rps at 20 in
flight, 91 at 40, on the same busy machine). Requests beyond the limit
wait in a FIFO queue (at most ``queue_size`` of them, at most ``queue_timeout`` seconds each) and
are then refused with 503 problem+json and ``Retry-After``: early and cheap, instead of queued
into a stall. A client that hangs up while queued gives its place up; once admitted, its request
runs to the end (a thread cannot be interrupted) and is then released.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections import deque

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Threads beyond the admitted requests: the exits of sync dependencies and readiness checks.
THREAD_HEADROOM = 4


class Admission:
    """A FIFO of request slots for one event loop. Not thread-safe: used from the loop only."""

    def __init__(self, limit: int, queue_size: int) -> None:
        self.limit = limit
        self.queue_size = queue_size
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def try_enter(self) -> bool:
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return True
        return False

    def enqueue(self) -> asyncio.Future[None] | None:
        """A future that completes when this request is admitted; None when the queue is full."""
        if len(self._waiters) >= self.queue_size:
            return None
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return waiter

    def give_up(self, waiter: asyncio.Future[None]) -> None:
        """A waiter that stops waiting (timeout, hang-up): if it was admitted meanwhile, pass it on."""
        if waiter.done() and not waiter.cancelled():
            self.leave()
            return
        waiter.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def leave(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to the oldest waiter
                return
        self.in_flight -= 1


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, queue_size: int, queue_timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.queue_size = queue_size
        self.queue_timeout = queue_timeout
        self.thread_budget = limit + THREAD_HEADROOM
        self._admissions: dict[asyncio.AbstractEventLoop, Admission] = {}

    def _admission(self) -> Admission:
        loop = asyncio.get_running_loop()
        admission = self._admissions.get(loop)
        if admission is None:
            # One per event loop (a test client starts a loop per session); the thread limiter
            # is per loop too, so it is sized here, once.
            self._admissions = {k: v for k, v in self._admissions.items() if not k.is_closed()}
            admission = self._admissions[loop] = Admission(self.limit, self.queue_size)
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.thread_budget
        return admission

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admission = self._admission()
        if admission.try_enter():
            try:
                await self.app(scope, receive, send)
            finally:
                admission.leave()
            return
        waiter = admission.enqueue()
        if waiter is None:
            await _refuse(scope, send, admission, "The server is at capacity and its queue is full; retry.")
            return
        admitted, receive = await _wait(waiter, receive, self.queue_timeout)
        if not admitted:
            admission.give_up(waiter)
            if receive is not None:  # timed out; None: the client hung up, nobody to answer
                await _refuse(scope, send, admission, "The server is at capacity; retry shortly.")
            return
        try:
            await self.app(scope, receive, send)
        finally:
            admission.leave()


async def _wait(waiter: asyncio.Future[None], receive: Receive, timeout: float) -> tuple[bool, Receive | None]:
    """Waits for the slot while watching the client: the body it sends meanwhile is kept and
    replayed to the app. Returns (admitted, receive to use); receive is None if the client left."""
    buffered: list[Message] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    reader: asyncio.Task[Message] | None = None
    while not waiter.done() and loop.time() < deadline:
        if reader is None:
            reader = asyncio.ensure_future(receive())
        await asyncio.wait({waiter, reader}, timeout=deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED)
        if reader.done():
            message, reader = reader.result(), None
            if message["type"] == "http.disconnect":
                return False, None
            buffered.append(message)
    if reader is not None:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            buffered.append(await reader)  # it had a message already: keep it
        if buffered and buffered[-1]["type"] == "http.disconnect":
            return False, None
    if not waiter.done():
        return False, receive

    async def replay() -> Message:
        if buffered:
            return buffered.pop(0)
        return await receive()

    return True, replay


async def _refuse(scope: Scope, send: Send, admission: Admission, detail: str) -> None:
    # Retry-After: about how long the queue ahead takes to drain, at least a second.
    retry_after = max(1, math.ceil(admission.queued / max(admission.limit, 1)))
    body = json.dumps(
        {
            "type": "urn:ciklas:problem:service-unavailable",
            "title": "Service temporarily unavailable",
            "status": 503,
            "detail": detail,
            "instance": scope["path"],
            **({"request_id": scope["state"]["request_id"]} if "request_id" in scope.get("state", {}) else {}),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
