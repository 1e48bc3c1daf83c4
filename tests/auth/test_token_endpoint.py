"""The OAuth2 token endpoint, revocation, /me and the JWKS."""

from __future__ import annotations

import base64

import sqlalchemy as sa
from sqlmodel import select

from api.auth import throttle
from api.models import LoginThrottle, RefreshToken
from api.security.scopes import ROLE_SCOPES, Role
from tests.factories import PASSWORD, auth

TOKEN = "/api/v1/auth/token"


def login(client, username, password=PASSWORD):
    return client.post(TOKEN, data={"grant_type": "password", "username": username, "password": password})


def test_password_grant_issues_a_verifiable_token(client, world, session):
    user = world.user(Role.social_worker)
    r = login(client, user.username)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert set(body["scope"].split()) == {s.value for s in ROLE_SCOPES[Role.social_worker]}
    # the refresh token is stored hashed, never in clear
    stored = session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id)).all()
    assert len(stored) == 1 and stored[0].token_hash != body["refresh_token"]
    me = client.get("/api/v1/auth/me", headers=auth(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["department_id"] == str(world.a.department.id)
    # claims as documented: header kid matches the JWKS
    head = body["access_token"].split(".")[0]
    import json

    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    jwks = client.get("/.well-known/jwks.json").json()
    assert header["alg"] == "RS256" and header["kid"] == jwks["keys"][0]["kid"]
    assert jwks["keys"][0]["kty"] == "RSA" and "d" not in jwks["keys"][0]


def test_username_is_case_insensitive(client, world):
    assert login(client, world.user(Role.staff).username.upper()).status_code == 200


def test_wrong_password_and_unknown_user_are_the_same_400(client, world):
    a = login(client, world.user(Role.staff).username, "wrong-password")
    b = login(client, "nobody-at-all", "wrong-password")
    assert a.status_code == b.status_code == 400  # invalid_grant, RFC 6749 §5.2
    assert a.json()["error"] == b.json()["error"] == "invalid_grant"
    assert a.json()["type"] == b.json()["type"] == "urn:ciklas:problem:invalid-grant"
    assert a.json()["detail"] == b.json()["detail"]


def test_failed_logins_are_throttled(client, world, session):
    user = world.user(Role.staff)
    for _ in range(5):
        assert login(client, user.username, "wrong-password").status_code == 400
    r = login(client, user.username)  # even the right password now waits
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["type"] == "urn:ciklas:problem:too-many-requests"
    # counted for this account from this client address (the test client's peer)
    row = session.get(LoginThrottle, throttle.account_key(f"user:{user.username.lower()}", "testclient"))
    assert row is not None and row.failures == 5
    # another user is not affected
    assert login(client, world.user(Role.director).username).status_code == 200


def test_successful_login_clears_failures(client, world, session):
    user = world.user(Role.staff)
    for _ in range(3):
        login(client, user.username, "nope-nope-nope")
    assert login(client, user.username).status_code == 200
    assert session.get(LoginThrottle, throttle.account_key(f"user:{user.username.lower()}", "testclient")) is None


def test_inactive_user_cannot_sign_in(client, world, app):
    user = world.user(Role.staff)
    with app.state.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE users SET is_active = false WHERE id = :id"),
            {"id": user.id.hex if app.state.engine.dialect.name == "sqlite" else user.id},
        )
    assert login(client, user.username).status_code == 400  # invalid_grant


def test_client_credentials(client, world):
    device = world.a.device
    r = client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": "client-secret-123"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None
    me = client.get("/api/v1/auth/me", headers=auth(r.json()["access_token"])).json()
    assert me["kind"] == "client" and me["role"] == "feedback_device"
    assert me["institution_id"] == str(world.a.institution.id)
    bad = client.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": "wrong"}
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_grant_parameters_are_validated(client, world):
    r = client.post(TOKEN, data={"grant_type": "password", "username": "x"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = client.post(TOKEN, data={"grant_type": "implicit"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": "never-issued"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_revoking_a_refresh_token_ends_the_sign_in(client, world, session):
    user = world.user(Role.staff)
    body = login(client, user.username).json()
    r = client.post("/api/v1/auth/revoke", data={"token": body["refresh_token"]}, headers=auth(body["access_token"]))
    assert r.status_code == 200
    rows = session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id)).all()
    assert rows and all(row.revoked_at is not None for row in rows)
    r = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_cannot_revoke_someone_elses_token(client, world):
    victim = world.token(Role.director)
    attacker = world.token(Role.staff)
    assert client.post("/api/v1/auth/revoke", data={"token": victim}, headers=auth(attacker)).status_code == 200
    assert client.get("/api/v1/auth/me", headers=auth(victim)).status_code == 200


def test_login_is_audited(client, world, session):
    from api.models import AuditEvent

    user = world.user(Role.director)
    login(client, user.username)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert [(e.actor_id, e.institution_id) for e in events] == [(user.id, user.institution_id)]
