"""Issue 12: a token stops working the moment its account is deactivated, deleted, changes password
(or secret), role, institution or department; for users and machine clients; reads and writes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from api.models import ApiClient, RefreshToken, User
from api.security.scopes import Role
from tests.factories import PASSWORD, auth, make_department, make_institution, token_for

TOKEN = "/api/v1/auth/token"


def probe(client, token: str) -> tuple[int, int]:
    """(a read, a write) with the token: GET /auth/me and POST /auth/revoke of a foreign token."""
    read = client.get("/api/v1/auth/me", headers=auth(token))
    write = client.post("/api/v1/auth/revoke", data={"token": "not-a-token"}, headers=auth(token))
    return read.status_code, write.status_code


def assert_dead(client, token: str) -> None:
    for r in (
        client.get("/api/v1/auth/me", headers=auth(token)),
        client.post("/api/v1/auth/revoke", data={"token": "not-a-token"}, headers=auth(token)),
    ):
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["type"] == "urn:ciklas:problem:unauthorized"


def sign_in(client, user: User) -> dict:
    r = client.post(TOKEN, data={"grant_type": "password", "username": user.username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()


def patch_user(client, world, user: User, body: dict, role: Role = Role.director):
    h = world.headers(role)
    etag = client.get(f"/api/v1/users/{user.id}", headers=h).headers["etag"]
    r = client.patch(f"/api/v1/users/{user.id}", json=body, headers={**h, "If-Match": etag})
    assert r.status_code == 200, r.text
    return r.json()


def refresh(client, refresh_token: str):
    return client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def refused(response) -> bool:
    """RFC 6749 §5.2: a revoked refresh token is 400 `invalid_grant`."""
    return response.status_code == 400 and response.json()["error"] == "invalid_grant"


class TestUsers:
    def test_a_live_token_works_and_an_unrelated_change_keeps_it(self, client, world):
        user = world.user(Role.staff)
        token = sign_in(client, user)["access_token"]
        assert probe(client, token) == (200, 200)
        patch_user(client, world, user, {"full_name": "Kitas Vardas", "email": "kitas@example.lt"})
        assert probe(client, token) == (200, 200)

    def test_deactivated(self, client, world, session):
        user = world.user(Role.staff)
        signed = sign_in(client, user)
        patch_user(client, world, user, {"is_active": False})
        assert_dead(client, signed["access_token"])
        assert refused(refresh(client, signed["refresh_token"]))
        # Reactivation does not bring the old token back: it was issued for an account since changed.
        patch_user(client, world, user, {"is_active": True})
        assert_dead(client, signed["access_token"])
        assert probe(client, sign_in(client, user)["access_token"]) == (200, 200)

    def test_deleted(self, client, world, session):
        director = world.user(Role.director)
        token = token_for(world.app, director)
        r = client.delete(
            f"/api/v1/users/{director.id}", headers=world.headers(Role.platform_admin, **{"If-Match": '"1"'})
        )
        assert r.status_code == 204, r.text
        assert_dead(client, token)
        # A write of the deleted user answers 401, not a conflict nor a success.
        r = client.post(
            "/api/v1/users",
            headers=auth(token),
            json={
                "username": "naujas.vartotojas",
                "password": "a-long-password",
                "full_name": "Naujas",
                "role": "staff",
            },
        )
        assert r.status_code == 401 and r.json()["detail"] == "the token's account no longer exists"
        assert session.exec(select(User).where(User.username == "naujas.vartotojas")).first() is None

    def test_demoted(self, client, world, session):
        user = world.user(Role.quality_lead)
        signed = sign_in(client, user)
        assert client.get("/api/v1/users", headers=auth(signed["access_token"])).status_code == 200
        patch_user(client, world, user, {"role": "staff"})
        assert_dead(client, signed["access_token"])
        # Its scopes would allow this read, the demoted account's would not: 401 all the same.
        r = client.get("/api/v1/users", headers=auth(signed["access_token"]))
        assert r.status_code == 401
        assert refused(refresh(client, signed["refresh_token"]))
        fresh = sign_in(client, user)
        assert fresh["scope"] != signed["scope"] and probe(client, fresh["access_token"]) == (200, 200)

    def test_role_changed_and_changed_back(self, client, world):
        user = world.user(Role.staff)
        token = sign_in(client, user)["access_token"]
        patch_user(client, world, user, {"role": "social_worker"})
        patch_user(client, world, user, {"role": "staff"})
        assert_dead(client, token)

    def test_moved_to_another_department(self, client, world, session):
        user = world.user(Role.social_worker)
        signed = sign_in(client, user)
        other = make_department(session, world.a.institution, name="Kitas skyrius")
        session.commit()
        patch_user(client, world, user, {"department_id": str(other.id)})
        assert_dead(client, signed["access_token"])
        assert refused(refresh(client, signed["refresh_token"]))
        me = client.get("/api/v1/auth/me", headers=auth(sign_in(client, user)["access_token"]))
        assert me.status_code == 200 and me.json()["department_id"] == str(other.id)

    def test_moved_to_another_institution(self, client, world, session):
        # No route moves an account between institutions; whatever does (an operator, a future
        # route) is caught by comparing the token's claims with the row.
        user = world.user(Role.staff)
        token = token_for(world.app, user)
        assert probe(client, token) == (200, 200)
        elsewhere = make_institution(session, world.municipality, name="Kita įstaiga")
        session.commit()
        session.exec(sa.update(User).where(User.id == user.id).values(institution_id=elsewhere.id))
        session.commit()
        assert_dead(client, token)

    def test_password_changed(self, client, world, session):
        user = world.user(Role.staff)
        signed = sign_in(client, user)
        second = sign_in(client, user)
        patch_user(client, world, user, {"password": "another-long-password"})
        assert_dead(client, signed["access_token"])
        assert_dead(client, second["access_token"])
        assert all(t.revoked_at for t in session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id)))
        assert refused(refresh(client, second["refresh_token"]))
        r = client.post(
            TOKEN, data={"grant_type": "password", "username": user.username, "password": "another-long-password"}
        )
        assert r.status_code == 200 and probe(client, r.json()["access_token"]) == (200, 200)

    def test_a_dead_token_is_401_even_where_its_role_lacks_the_scope(self, client, world):
        user = world.user(Role.staff)
        token = sign_in(client, user)["access_token"]
        assert client.get("/api/v1/audit-events", headers=auth(token)).status_code == 403
        patch_user(client, world, user, {"is_active": False})
        r = client.get("/api/v1/audit-events", headers=auth(token))
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")

    def test_revoked_access_token_in_the_same_look_up(self, client, world):
        user = world.user(Role.staff)
        token = sign_in(client, user)["access_token"]
        r = client.post("/api/v1/auth/revoke", data={"token": token}, headers=auth(token))
        assert r.status_code == 200
        r = client.get("/api/v1/auth/me", headers=auth(token))
        assert r.status_code == 401 and r.json()["detail"] == "token has been revoked"


def patch_client(client, world, row: ApiClient, body: dict, role: Role = Role.director):
    h = world.headers(role)
    etag = client.get(f"/api/v1/clients/{row.id}", headers=h).headers["etag"]
    r = client.patch(f"/api/v1/clients/{row.id}", json=body, headers={**h, "If-Match": etag})
    assert r.status_code == 200, r.text


def client_token(client, row: ApiClient, secret: str = "client-secret-123") -> str:
    r = client.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": row.client_id, "client_secret": secret}
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


class TestClients:
    def test_a_live_token_works_and_a_rename_keeps_it(self, client, world):
        device = world.a.device
        token = client_token(client, device)
        assert probe(client, token) == (200, 200)
        patch_client(client, world, device, {"name": "Kioskas prie įėjimo"})
        assert probe(client, token) == (200, 200)

    def test_deactivated(self, client, world):
        device = world.a.device
        token = client_token(client, device)
        patch_client(client, world, device, {"is_active": False})
        assert_dead(client, token)
        patch_client(client, world, device, {"is_active": True})
        assert_dead(client, token)
        assert probe(client, client_token(client, device)) == (200, 200)

    def test_deleted(self, client, world, session):
        device = world.a.device
        token = client_token(client, device)
        r = client.delete(f"/api/v1/clients/{device.id}", headers=world.headers(Role.director, **{"If-Match": '"1"'}))
        assert r.status_code == 204, r.text
        assert_dead(client, token)

    def test_role_changed(self, client, world, session):
        # Client roles change by no route; an operator's change is caught by the claims comparison.
        analyst = world.analyst_client
        token = client_token(client, analyst)
        session.exec(
            sa.update(ApiClient)
            .where(ApiClient.id == analyst.id)
            .values(role=Role.feedback_device.value, municipality_id=None, institution_id=world.a.institution.id)
        )
        session.commit()
        assert_dead(client, token)

    def test_moved_to_another_institution(self, client, world, session):
        device = world.a.device
        token = client_token(client, device)
        session.exec(
            sa.update(ApiClient).where(ApiClient.id == device.id).values(institution_id=world.b.institution.id)
        )
        session.commit()
        assert_dead(client, token)

    def test_secret_rotated(self, client, world, session):
        device = world.a.device
        token = client_token(client, device)
        r = client.post(
            f"/api/v1/clients/{device.id}/secret", headers=world.headers(Role.director, **{"If-Match": '"1"'})
        )
        assert r.status_code == 200, r.text
        assert_dead(client, token)
        assert probe(client, client_token(client, device, r.json()["client_secret"])) == (200, 200)
        assert session.get(ApiClient, device.id).token_generation == 1
