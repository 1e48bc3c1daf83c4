"""Webhooks against a real local HTTP receiver: signature, retry after a 500, failure recording."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from api.models import DeliveryStatus, MeasureStatus, WebhookAttempt, WebhookDelivery
from api.security.scopes import Role
from api.types import utcnow
from api.webhooks.delivery import DeliveryPolicy, DeliveryWorker, deliver_pending
from tests.evaluation.helpers import MEASURES, empty_catalogue, make_measure
from tests.indicators.helpers import make_indicator, make_value

URL = "/api/v1/webhooks"
POLICY = DeliveryPolicy(max_attempts=3, backoff_seconds=10, timeout_seconds=2)


class Receiver:
    """An http.server on 127.0.0.1 with a random port that answers the statuses it is told to."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                code = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ciklas"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _no_seeded_catalogue(db_engine):
    empty_catalogue(db_engine)


def subscribe(client, world, url, events=("measure.completed",), role=Role.director, tenant="a"):
    r = client.post(URL, headers=world.headers(role, tenant), json={"url": url, "events": list(events)})
    assert r.status_code == 201, r.text
    return r.json()


def complete_a_measure(client, world, session):
    measure = make_measure(session, world.a.institution, status=MeasureStatus.in_progress)
    r = client.post(f"{MEASURES}/{measure.id}/complete", headers=world.headers(Role.quality_lead, **{"If-Match": "*"}))
    assert r.status_code == 200, r.text
    return measure


def deliveries(client, world, hook, role=Role.director, tenant="a"):
    r = client.get(f"{URL}/{hook['id']}/deliveries", headers=world.headers(role, tenant))
    assert r.status_code == 200, r.text
    return r.json()["items"]


class TestSubscriptions:
    def test_secret_shown_once_and_tenancy(self, client, world):
        hook = subscribe(client, world, "https://example.org/hook", ["measure.completed", "plan.approved"])
        assert len(hook["secret"]) == 64 and hook["institution_id"] == str(world.a.institution.id)
        assert hook["events"] == ["measure.completed", "plan.approved"]
        r = client.get(f"{URL}/{hook['id']}", headers=world.headers(Role.director))
        assert r.status_code == 200 and "secret" not in r.json()
        assert client.get(f"{URL}/{hook['id']}", headers=world.headers(Role.director, "b")).status_code == 404
        assert client.get(f"{URL}/{hook['id']}", headers=world.headers(Role.municipality_analyst)).status_code == 404
        muni = subscribe(
            client, world, "https://example.org/muni", ["indicator.published"], role=Role.municipality_analyst
        )
        assert muni["municipality_id"] == str(world.municipality.id) and muni["institution_id"] is None
        r = client.get(URL, headers=world.headers(Role.municipality_analyst))
        assert [h["id"] for h in r.json()["items"]] == [muni["id"]]
        r = client.post(URL, headers=world.headers(Role.director), json={"url": "ftp://x", "events": ["plan.approved"]})
        assert r.status_code == 422
        r = client.post(URL, headers=world.headers(Role.director), json={"url": "https://x.org", "events": ["nope"]})
        assert r.status_code == 422
        assert (
            client.post(
                URL,
                headers=world.headers(Role.quality_lead),
                json={"url": "https://x.org", "events": ["plan.approved"]},
            ).status_code
            == 403
        )
        r = client.patch(
            f"{URL}/{hook['id']}", headers=world.headers(Role.director, **{"If-Match": '"1"'}), json={"active": False}
        )
        assert r.status_code == 200 and r.json()["active"] is False
        r = client.delete(f"{URL}/{hook['id']}", headers=world.headers(Role.director, **{"If-Match": '"1"'}))
        assert r.status_code == 412
        r = client.delete(f"{URL}/{hook['id']}", headers=world.headers(Role.director, **{"If-Match": '"2"'}))
        assert r.status_code == 204
        r = client.get(f"{URL}/events", headers=world.headers(Role.director))
        assert {e["value"] for e in r.json()} >= {"measure.completed", "indicator.published", "proposal.answered"}


class TestDelivery:
    def test_signed_delivery_of_measure_completed(self, client, world, session):
        with Receiver([204]) as receiver:
            hook = subscribe(client, world, receiver.url)
            other = subscribe(client, world, receiver.url, ["plan.approved"])  # not interested
            subscribe(client, world, receiver.url, role=Role.director, tenant="b")  # another institution
            measure = complete_a_measure(client, world, session)
            assert deliver_pending(client.app.state.engine, policy=POLICY) == 1
        assert len(receiver.requests) == 1
        headers, body = receiver.requests[0]
        expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-ciklas-signature"] == f"sha256={expected}"
        assert headers["x-ciklas-event"] == "measure.completed"
        payload = json.loads(body)
        assert payload["event"] == "measure.completed"
        assert payload["institution_id"] == str(world.a.institution.id)
        assert payload["data"]["measure_id"] == str(measure.id)
        [delivery] = deliveries(client, world, hook)
        assert delivery["status"] == "delivered" and delivery["attempts"] == 1
        assert delivery["attempt_log"][0]["status_code"] == 204
        assert deliveries(client, world, other) == []
        assert deliver_pending(client.app.state.engine, policy=POLICY) == 0  # nothing left

    def test_retry_after_500_with_backoff(self, client, world, session):
        engine = client.app.state.engine
        with Receiver([500, 200]) as receiver:
            hook = subscribe(client, world, receiver.url)
            complete_a_measure(client, world, session)
            now = utcnow()
            assert deliver_pending(engine, policy=POLICY, now=now) == 1
            [delivery] = deliveries(client, world, hook)
            assert delivery["status"] == "pending" and delivery["last_status_code"] == 500
            assert deliver_pending(engine, policy=POLICY, now=now + timedelta(seconds=5)) == 0  # backing off
            assert deliver_pending(engine, policy=POLICY, now=now + timedelta(seconds=11)) == 1
        assert len(receiver.requests) == 2
        assert receiver.requests[0][1] == receiver.requests[1][1]  # the same signed body again
        [delivery] = deliveries(client, world, hook)
        assert delivery["status"] == "delivered"
        assert [(a["number"], a["status_code"]) for a in delivery["attempt_log"]] == [(1, 500), (2, 200)]

    def test_failure_is_recorded_after_the_last_attempt(self, client, world, session):
        engine = client.app.state.engine
        with Receiver([503]) as receiver:
            hook = subscribe(client, world, receiver.url)
            complete_a_measure(client, world, session)
            now = utcnow()
            for step in (0, 11, 32):  # backoff 10 s, then 20 s
                assert deliver_pending(engine, policy=POLICY, now=now + timedelta(seconds=step)) == 1
            assert deliver_pending(engine, policy=POLICY, now=now + timedelta(days=1)) == 0
        [delivery] = deliveries(client, world, hook)
        assert delivery["status"] == "failed" and delivery["attempts"] == 3
        assert delivery["last_error"] == "HTTP 503" and delivery["next_attempt_at"] is None
        assert len(session.exec(select(WebhookAttempt)).all()) == 3

    def test_unreachable_receiver_is_an_error_not_a_crash(self, client, world, session):
        with Receiver([200]) as receiver:
            url = receiver.url
        hook = subscribe(client, world, url)  # the port is closed now
        complete_a_measure(client, world, session)
        assert deliver_pending(client.app.state.engine, policy=POLICY) == 1
        [delivery] = deliveries(client, world, hook)
        assert delivery["status"] == "pending" and delivery["last_status_code"] is None
        assert "ConnectError" in delivery["last_error"]

    def test_failed_request_queues_nothing(self, client, world, session):
        hook = subscribe(client, world, "https://example.org/hook")
        measure = make_measure(session, world.a.institution, status=MeasureStatus.approved)
        r = client.post(f"{MEASURES}/{measure.id}/complete", headers=world.headers(Role.director, **{"If-Match": "*"}))
        assert r.status_code == 409
        assert session.exec(select(WebhookDelivery)).all() == []
        assert deliveries(client, world, hook) == []

    def test_indicator_published_reaches_the_municipality(self, client, world, session):
        with Receiver([200]) as receiver:
            hook = subscribe(client, world, receiver.url, ["indicator.published"], role=Role.municipality_analyst)
            other = subscribe(
                client, world, receiver.url, ["indicator.published"], role=Role.municipality_analyst, tenant="c"
            )
            indicator = make_indicator(session, world.a.institution, code="OWN_RATE")
            value = make_value(session, indicator, world.a.institution, "2026", 71.0, published=False)
            session.commit()
            r = client.post(
                f"/api/v1/indicator-values/{value.id}/publish",
                headers=world.headers(Role.director, **{"If-Match": '"1"'}),
            )
            assert r.status_code == 200, r.text
            deliver_pending(client.app.state.engine, policy=POLICY)
        [delivery] = deliveries(client, world, hook, Role.municipality_analyst)
        assert delivery["event"] == "indicator.published" and delivery["status"] == "delivered"
        assert json.loads(receiver.requests[0][1])["data"]["value"] == 71.0
        assert deliveries(client, world, other, Role.municipality_analyst, "c") == []

    def test_worker_thread_delivers(self, client, world, session):
        with Receiver([200]) as receiver:
            hook = subscribe(client, world, receiver.url)
            complete_a_measure(client, world, session)
            worker = DeliveryWorker(client.app.state.engine, POLICY, interval=0.05)
            worker.start()
            try:
                for _ in range(100):
                    if receiver.requests:
                        break
                    threading.Event().wait(0.05)
            finally:
                worker.stop()
        assert len(receiver.requests) == 1
        for _ in range(20):
            if session.exec(select(WebhookDelivery)).one().status == DeliveryStatus.delivered:
                break
            threading.Event().wait(0.05)
        assert deliveries(client, world, hook)[0]["status"] == "delivered"
        assert uuid.UUID(receiver.requests[0][0]["x-ciklas-delivery"])


def test_the_app_starts_and_stops_the_worker_outside_tests(database_url, signing_key_pem):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from tests.conftest import make_settings

    settings = make_settings(database_url, signing_key_pem).model_copy(update={"environment": "development"})
    app = create_app(settings)
    try:
        with TestClient(app):
            assert any(t.name == "ciklas-webhooks" and t.is_alive() for t in threading.enumerate())
        assert not any(t.name == "ciklas-webhooks" and t.is_alive() for t in threading.enumerate())
    finally:
        app.state.engine.dispose()


def test_private_addresses_are_refused_when_so_configured(client, world, session):
    from api.config import Settings

    with Receiver([200]) as receiver:
        hook = subscribe(client, world, receiver.url)
        complete_a_measure(client, world, session)
        production = DeliveryPolicy.from_settings(Settings(environment="production", jwt_private_key="x"))
        assert production.allow_private_addresses is False
        guarded = DeliveryPolicy(max_attempts=1, allow_private_addresses=False)
        assert deliver_pending(client.app.state.engine, policy=guarded) == 1
    assert receiver.requests == []
    [delivery] = deliveries(client, world, hook)
    assert delivery["status"] == "failed" and "non-public address" in delivery["last_error"]
