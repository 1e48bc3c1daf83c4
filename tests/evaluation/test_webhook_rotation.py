"""Rotating a webhook secret: a new secret shown once, the old one still signing during the overlap,
then retired; `overlap_hours: 0` retires it at once."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlmodel import select

from api.models import AuditEvent, WebhookSubscription
from api.security.scopes import Role
from api.types import utcnow
from api.webhooks.delivery import DeliveryPolicy, deliver_pending
from tests.evaluation.test_webhooks import URL, Receiver, complete_a_measure, subscribe

POLICY = DeliveryPolicy(max_attempts=3, backoff_seconds=10, timeout_seconds=2)


def _sig(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def rotate(client, world, hook_id, version, body=None, role=Role.director, tenant="a"):
    return client.post(
        f"{URL}/{hook_id}/rotate-secret",
        json=body if body is not None else {},
        headers=world.headers(role, tenant, **{"If-Match": f'"{version}"'}),
    )


def test_rotation_with_overlap_signs_with_both_then_only_the_new(client, world, session):
    engine = client.app.state.engine
    with Receiver([200]) as receiver:
        hook = subscribe(client, world, receiver.url)
        old = hook["secret"]
        r = rotate(client, world, hook["id"], 1, {"overlap_hours": 2})
        assert r.status_code == 200, r.text
        rotated = r.json()
        new = rotated["secret"]
        assert new != old and len(new) == 64 and rotated["version"] == 2 and r.headers["ETag"] == '"2"'
        assert rotated["previous_secret_expires_at"] is not None
        r = client.get(f"{URL}/{hook['id']}", headers=world.headers(Role.director))
        assert (
            "secret" not in r.json() and r.json()["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
        )

        complete_a_measure(client, world, session)
        assert deliver_pending(engine, policy=POLICY) == 1
        headers, body = receiver.requests[-1]
        assert headers["x-ciklas-signature"] == f"{_sig(new, body)},{_sig(old, body)}"

        complete_a_measure(client, world, session)
        assert deliver_pending(engine, policy=POLICY, now=utcnow() + timedelta(hours=3)) == 1
        headers, body = receiver.requests[-1]
        assert headers["x-ciklas-signature"] == _sig(new, body)  # the overlap is over

    row = session.exec(select(WebhookSubscription)).one()
    assert row.secret == new and row.previous_secret == old
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "rotate_secret")).one().resource_id == row.id


def test_rotation_without_overlap_retires_the_old_secret_at_once(client, world, session):
    with Receiver([200]) as receiver:
        hook = subscribe(client, world, receiver.url)
        first = rotate(client, world, hook["id"], 1).json()  # default overlap: 24 hours
        r = rotate(client, world, hook["id"], 2, {"overlap_hours": 0})
        assert r.status_code == 200, r.text
        newest = r.json()["secret"]
        assert newest not in (hook["secret"], first["secret"]) and r.json()["previous_secret_expires_at"] is None
        complete_a_measure(client, world, session)
        assert deliver_pending(client.app.state.engine, policy=POLICY) == 1
    headers, body = receiver.requests[0]
    assert headers["x-ciklas-signature"] == _sig(newest, body)
    row = session.exec(select(WebhookSubscription)).one()
    assert row.previous_secret is None and row.previous_secret_expires_at is None


def test_rotation_checks_version_owner_and_body(client, world, session):
    hook = subscribe(client, world, "https://example.org/hook")
    assert rotate(client, world, hook["id"], 7).status_code == 412
    r = client.post(f"{URL}/{hook['id']}/rotate-secret", json={}, headers=world.headers(Role.director))
    assert r.status_code == 428
    assert rotate(client, world, hook["id"], 1, tenant="b").status_code == 404
    assert rotate(client, world, hook["id"], 1, role=Role.municipality_analyst).status_code == 404
    assert rotate(client, world, hook["id"], 1, role=Role.quality_lead).status_code == 403
    assert rotate(client, world, hook["id"], 1, {"overlap_hours": 169}).status_code == 422
    assert rotate(client, world, hook["id"], 1, {"overlap_hours": -1}).status_code == 422
    assert rotate(client, world, hook["id"], 1, {"grace": 3}).status_code == 422
    row = session.exec(select(WebhookSubscription)).one()
    assert row.secret == hook["secret"] and row.version == 1 and row.previous_secret is None
