from __future__ import annotations

import uuid

from sqlmodel import select

from api.models import ApiClient, RefreshToken, User
from api.security.passwords import verify_password
from api.security.scopes import Role
from tests.factories import PASSWORD


def new_user(**kw):
    return {
        "username": f"u{uuid.uuid4().hex[:8]}",
        "password": "a-long-password",
        "full_name": "Ona Onaitė",
        "role": "social_worker",
        **kw,
    }


class TestUsers:
    def test_director_creates_staff_in_own_institution(self, client, world, session):
        body = new_user(department_id=str(world.a.department.id))
        r = client.post("/api/v1/users", json=body, headers=world.headers(Role.director))
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["institution_id"] == str(world.a.institution.id)
        assert "password" not in out and "password_hash" not in out
        stored = session.get(User, uuid.UUID(out["id"]))
        assert stored.password_hash != "a-long-password"
        assert verify_password("a-long-password", stored.password_hash)
        # and the new user can sign in
        r = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": body["username"], "password": "a-long-password"},
        )
        assert r.status_code == 200

    def test_director_cannot_create_admins_or_analysts(self, client, world, session):
        for role in ("platform_admin", "municipality_analyst"):
            r = client.post("/api/v1/users", json=new_user(role=role), headers=world.headers(Role.director))
            assert r.status_code == 403, r.text
        assert session.exec(select(User).where(User.role == "municipality_analyst")).all() == []

    def test_director_cannot_place_users_in_another_institution(self, client, world):
        r = client.post(
            "/api/v1/users",
            json=new_user(institution_id=str(world.b.institution.id)),
            headers=world.headers(Role.director),
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "body.institution_id"

    def test_department_must_belong_to_institution(self, client, world):
        r = client.post(
            "/api/v1/users",
            json=new_user(department_id=str(world.b.department.id)),
            headers=world.headers(Role.director),
        )
        assert r.status_code == 422

    def test_admin_creates_analyst(self, client, world):
        r = client.post(
            "/api/v1/users",
            json=new_user(role="municipality_analyst", municipality_id=str(world.municipality.id)),
            headers=world.headers(Role.platform_admin),
        )
        assert r.status_code == 201, r.text
        assert r.json()["institution_id"] is None

    def test_feedback_device_is_not_a_user_role(self, client, world):
        r = client.post("/api/v1/users", json=new_user(role="feedback_device"), headers=world.headers(Role.director))
        assert r.status_code == 422

    def test_duplicate_username_409(self, client, world):
        body = new_user(username=world.user(Role.staff).username.upper())
        assert client.post("/api/v1/users", json=body, headers=world.headers(Role.director)).status_code == 409

    def test_short_password_422(self, client, world):
        r = client.post("/api/v1/users", json=new_user(password="short"), headers=world.headers(Role.director))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.password"

    def test_password_is_kept_as_typed_and_signs_in(self, client, world, session):
        body = new_user(password="  spaced out pass ", full_name="  Ona Onaitė ")
        r = client.post("/api/v1/users", json=body, headers=world.headers(Role.director))
        assert r.status_code == 201, r.text
        assert r.json()["full_name"] == "Ona Onaitė"  # names are trimmed, passwords are not
        stored = session.get(User, uuid.UUID(r.json()["id"]))
        assert verify_password("  spaced out pass ", stored.password_hash)
        token = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": body["username"], "password": "  spaced out pass "},
        )
        assert token.status_code == 200, token.text

    def test_blank_name_is_refused_as_the_contract_says(self, client, world):
        r = client.post("/api/v1/users", json=new_user(full_name="\x85 \f"), headers=world.headers(Role.director))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.full_name"
        pattern = client.app.openapi()["components"]["schemas"]["UserCreate"]["properties"]["full_name"]["pattern"]
        import re

        assert re.match(pattern, "\x85 \f") is None and re.match(pattern, " Ona ") is not None

    def test_list_filter_sort_and_paginate(self, client, world):
        h = world.headers(Role.director)
        seen, cursor = [], None
        while True:
            params = {"limit": 3, "sort": "-username"}
            if cursor:
                params["cursor"] = cursor
            r = client.get("/api/v1/users", params=params, headers=h)
            assert r.status_code == 200
            page = r.json()
            seen += [u["username"] for u in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        a_users = [u.username for u in world.a.users.values()]
        assert seen == sorted(a_users, reverse=True)
        r = client.get("/api/v1/users", params={"role": "social_worker"}, headers=h)
        assert [u["username"] for u in r.json()["items"]] == [world.user(Role.social_worker).username]
        r = client.get("/api/v1/users", params={"cursor": "not-a-cursor"}, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.cursor"
        r = client.get("/api/v1/users", params={"limit": 101}, headers=h)
        assert r.status_code == 422

    def test_password_change_and_deactivation_end_sign_ins(self, client, world, session):
        user = world.user(Role.staff)
        login = client.post(
            "/api/v1/auth/token", data={"grant_type": "password", "username": user.username, "password": PASSWORD}
        ).json()
        h = world.headers(Role.director)
        etag = client.get(f"/api/v1/users/{user.id}", headers=h).headers["etag"]
        r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers={**h, "If-Match": etag})
        assert r.status_code == 200 and r.json()["is_active"] is False
        assert all(t.revoked_at for t in session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id)))
        r = client.post(
            "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": login["refresh_token"]}
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    def test_cannot_delete_self(self, client, world):
        me = world.user(Role.director)
        r = client.delete(f"/api/v1/users/{me.id}", headers=world.headers(Role.director, **{"If-Match": "*"}))
        assert r.status_code == 403

    def test_delete(self, client, world, session):
        victim = world.user(Role.staff)
        r = client.delete(f"/api/v1/users/{victim.id}", headers=world.headers(Role.director, **{"If-Match": '"1"'}))
        assert r.status_code == 204
        assert session.get(User, victim.id) is None


class TestClients:
    def test_director_registers_a_kiosk_and_it_signs_in(self, client, world, session):
        r = client.post(
            "/api/v1/clients", json={"name": "Kiosk", "role": "feedback_device"}, headers=world.headers(Role.director)
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["institution_id"] == str(world.a.institution.id) and body["client_secret"]
        assert r.headers["cache-control"] == "no-store"
        stored = session.get(ApiClient, uuid.UUID(body["id"]))
        assert stored.secret_hash != body["client_secret"]
        tok = client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": body["client_id"],
                "client_secret": body["client_secret"],
            },
        )
        assert tok.status_code == 200
        # the secret is not shown again
        assert (
            "client_secret"
            not in client.get(f"/api/v1/clients/{body['id']}", headers=world.headers(Role.director)).json()
        )

    def test_rotation_invalidates_old_secret(self, client, world):
        h = world.headers(Role.director)
        created = client.post("/api/v1/clients", json={"name": "App", "role": "feedback_device"}, headers=h).json()
        r = client.post(f"/api/v1/clients/{created['id']}/secret", headers={**h, "If-Match": '"1"'})
        assert r.status_code == 200 and r.json()["client_secret"] != created["client_secret"]
        old = client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        )
        assert old.status_code == 401

    def test_only_admin_registers_municipality_clients(self, client, world):
        body = {"name": "Savivaldybė", "role": "municipality_analyst", "municipality_id": str(world.municipality.id)}
        assert client.post("/api/v1/clients", json=body, headers=world.headers(Role.director)).status_code == 403
        r = client.post("/api/v1/clients", json=body, headers=world.headers(Role.platform_admin))
        assert r.status_code == 201 and r.json()["municipality_id"] == str(world.municipality.id)

    def test_deactivated_client_cannot_sign_in(self, client, world):
        device = world.a.device
        r = client.patch(
            f"/api/v1/clients/{device.id}",
            json={"is_active": False},
            headers=world.headers(Role.director, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200
        r = client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": device.client_id,
                "client_secret": "client-secret-123",
            },
        )
        assert r.status_code == 401
