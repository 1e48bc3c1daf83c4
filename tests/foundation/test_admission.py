"""The admission queue (api/admission.py) in front of a stand-in app whose requests wait for a signal:
in order, bounded in length and in time, 503 problem+json with Retry-After, and a client that hangs
up while queued gives its place up. tests/foundation/test_overload.py drives the real app."""

from __future__ import annotations

import asyncio
import json

import anyio.to_thread
import httpx

from api.admission import THREAD_HEADROOM, AdmissionMiddleware


class Held:
    """An ASGI app: each request answers 200 with its body once `release` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[bytes] = []

    async def __call__(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.started.append(body)
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def _run(coro):
    return asyncio.run(coro)


def test_excess_waits_in_order_then_is_refused_with_retry_after():
    async def scenario():
        inner = Held()
        app = AdmissionMiddleware(inner, limit=1, queue_size=1, queue_timeout=0.3)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            first = asyncio.ensure_future(http.post("/", content=b"first"))
            await asyncio.sleep(0.05)
            queued = asyncio.ensure_future(http.post("/", content=b"queued"))
            await asyncio.sleep(0.05)
            full = await http.post("/x", content=b"full")  # the queue holds one: refused at once
            timed_out = await queued  # waited its 0.3 s, the slot stayed taken
            inner.release.set()
            done = await first
        return inner, full, timed_out, done

    inner, full, timed_out, done = _run(scenario())
    assert done.status_code == 200 and done.content == b"first"
    for r in (full, timed_out):
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) >= 1
        assert json.loads(r.content)["type"] == "urn:ciklas:problem:service-unavailable"
    assert json.loads(full.content)["instance"] == "/x"
    assert inner.started == [b"first"]  # neither refused request reached the app


def test_a_queued_request_gets_the_next_free_slot_with_its_body():
    async def scenario():
        inner = Held()
        app = AdmissionMiddleware(inner, limit=1, queue_size=4, queue_timeout=5)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            first = asyncio.ensure_future(http.post("/", content=b"one"))
            await asyncio.sleep(0.05)
            second = asyncio.ensure_future(http.post("/", content=b"two"))
            third = asyncio.ensure_future(http.post("/", content=b"three"))
            await asyncio.sleep(0.05)
            assert inner.started == [b"one"]
            inner.release.set()
            results = await asyncio.gather(first, second, third)
        return inner, results

    inner, results = _run(scenario())
    assert [r.status_code for r in results] == [200, 200, 200]
    assert [r.content for r in results] == [b"one", b"two", b"three"]
    assert inner.started == [b"one", b"two", b"three"]  # first come, first served


def test_a_client_that_hangs_up_while_queued_gives_its_place_up():
    async def scenario():
        inner = Held()
        app = AdmissionMiddleware(inner, limit=1, queue_size=1, queue_timeout=5)
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        async def gone():
            return {"type": "http.disconnect"}

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            first = asyncio.ensure_future(http.post("/", content=b"first"))
            await asyncio.sleep(0.05)
            scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
            await asyncio.wait_for(app(scope, gone, send), timeout=2)  # hung up: leaves the queue
            admission = app._admission()
            queued_after_hang_up = admission.queued
            inner.release.set()
            await first
            after = await http.post("/", content=b"next")  # its place was given up: served
        return inner, sent, queued_after_hang_up, after, admission

    inner, sent, queued, after, admission = _run(scenario())
    assert sent == []  # nobody to answer
    assert queued == 0
    assert after.status_code == 200
    assert inner.started == [b"first", b"next"]
    assert admission.in_flight == 0


def test_the_thread_budget_follows_the_admission_limit():
    async def scenario():
        app = AdmissionMiddleware(Held(), limit=7, queue_size=1, queue_timeout=1)
        app._admission()
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert _run(scenario()) == 7 + THREAD_HEADROOM
