"""The token endpoint speaks OAuth 2.0 (RFC 6749): client authentication by HTTP Basic or the form
(§2.3.1), and the error statuses and members of §5.2, inside problem details."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

from sqlmodel import select

from api.db import open_session
from api.models import RefreshToken
from api.security.scopes import Role
from tests.factories import PASSWORD, auth, make_client

TOKEN = "/api/v1/auth/token"
SECRET = "client-secret-123"


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def assert_oauth_error(r, status: int, error: str, problem_type: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["error"] == error and body["type"] == f"urn:ciklas:problem:{problem_type}"
    assert body["error_description"] == body["detail"] and body["status"] == status
    return body


class TestInvalidGrantIs400:
    def test_wrong_password(self, client, world):
        r = client.post(
            TOKEN,
            data={
                "grant_type": "password",
                "username": world.user(Role.staff).username,
                "password": "not-the-password",
            },
        )
        assert_oauth_error(r, 400, "invalid_grant", "invalid-grant")
        assert "www-authenticate" not in r.headers

    def test_unknown_refresh_token(self, client, world, session):
        r = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": "never-issued"})
        assert_oauth_error(r, 400, "invalid_grant", "invalid-grant")
        assert session.exec(select(RefreshToken)).all() == []

    def test_missing_and_unknown_grant_type(self, client, world):
        assert_oauth_error(client.post(TOKEN, data={"username": "x"}), 400, "invalid_request", "bad-request")
        r = client.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"})
        assert_oauth_error(r, 400, "unsupported_grant_type", "bad-request")


class TestClientSecretBasic:
    def test_basic_credentials_issue_a_client_token(self, client, world):
        device = world.a.device
        r = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=basic(device.client_id, SECRET))
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store" and r.json()["refresh_token"] is None
        me = client.get("/api/v1/auth/me", headers=auth(r.json()["access_token"])).json()
        assert me["kind"] == "client" and me["subject_id"] == str(device.id)

    def test_both_parts_are_form_urlencoded(self, client, world, app):
        secret = "p:ss wörd+%/="  # a colon, a space, a plus, a percent and non-ASCII
        with open_session(app.state.engine, write=True) as s:
            kiosk = make_client(s, Role.feedback_device, institution=world.a.institution, secret=secret)
            s.commit()
        r = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=basic(kiosk.client_id, secret))
        assert r.status_code == 200, r.text
        # not encoded, the colon in the secret still splits at the first colon, but '+' means space
        raw = base64.b64encode(f"{kiosk.client_id}:{secret}".encode()).decode()
        r = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {raw}"})
        assert_oauth_error(r, 401, "invalid_client", "invalid-client")

    def test_wrong_secret_by_basic_is_401_with_a_basic_challenge(self, client, world):
        r = client.post(
            TOKEN, data={"grant_type": "client_credentials"}, headers=basic(world.a.device.client_id, "wrong-secret")
        )
        assert_oauth_error(r, 401, "invalid_client", "invalid-client")
        assert r.headers["www-authenticate"].startswith("Basic ")

    def test_wrong_secret_in_the_form_is_401_too(self, client, world):
        r = client.post(
            TOKEN,
            data={
                "grant_type": "client_credentials",
                "client_id": world.a.device.client_id,
                "client_secret": "wrong-secret",
            },
        )
        assert_oauth_error(r, 401, "invalid_client", "invalid-client")
        assert r.headers["www-authenticate"].startswith("Basic ")

    def test_basic_and_form_secret_together_are_refused(self, client, world):
        device = world.a.device
        r = client.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": SECRET},
            headers=basic(device.client_id, SECRET),
        )
        assert_oauth_error(r, 400, "invalid_request", "bad-request")
        # a form client_id naming another client is a second authentication too
        r = client.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": world.b.device.client_id},
            headers=basic(device.client_id, SECRET),
        )
        assert_oauth_error(r, 400, "invalid_request", "bad-request")

    def test_basic_with_its_own_client_id_repeated_in_the_form(self, client, world):
        device = world.a.device
        r = client.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": device.client_id},
            headers=basic(device.client_id, SECRET),
        )
        assert r.status_code == 200, r.text

    def test_malformed_basic_credentials(self, client, world):
        for value in (
            "Basic !!!",
            "Basic " + base64.b64encode(b"no-colon").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
            "Basic " + base64.b64encode(b"id:%ff").decode(),
            "Basic " + base64.b64encode(b":secret").decode(),
        ):
            r = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": value})
            assert_oauth_error(r, 400, "invalid_request", "bad-request")

    def test_no_client_authentication_is_invalid_client(self, client, world):
        r = client.post(TOKEN, data={"grant_type": "client_credentials"})
        assert_oauth_error(r, 401, "invalid_client", "invalid-client")
        r = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": world.a.device.client_id})
        assert_oauth_error(r, 401, "invalid_client", "invalid-client")

    def test_basic_is_client_authentication_only(self, client, world):
        """People sign in with their own credentials; a library's Basic header is not read then."""
        r = client.post(
            TOKEN,
            data={"grant_type": "password", "username": world.user(Role.staff).username, "password": PASSWORD},
            headers=basic("some-web-app", "x"),
        )
        assert r.status_code == 200, r.text


def test_the_contract_documents_basic_and_the_oauth_statuses(client):
    op = client.get("/openapi.json").json()["paths"][TOKEN]["post"]
    assert "client_secret_basic" in op["description"] and "RFC 6749 §5.2" in op["description"]
    assert "invalid_grant" in op["responses"]["400"]["description"]
    assert "invalid_client" in op["responses"]["401"]["description"]
    assert [p["name"] for p in op["parameters"]] == ["authorization"]
