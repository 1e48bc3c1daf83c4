from api.security.scopes import Role
from tests.factories import auth


def test_me_as_director(client, world):
    r = client.get("/api/v1/auth/me", headers=world.headers(Role.director))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == "director"
    assert body["institution_id"] == str(world.a.institution.id)
    assert "plans:approve" in body["scopes"]
    assert r.headers["x-request-id"]


def test_no_token_is_401_problem(client, world):
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "urn:ciklas:problem:unauthorized"
    r = client.get("/api/v1/auth/me", headers=auth("garbage"))
    assert r.status_code == 401
