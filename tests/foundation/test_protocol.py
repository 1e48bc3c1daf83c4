"""405 with the path's every method in `Allow`, 415 for a body in the wrong media type, both as
problem+json; HEAD where GET is (the walk over every GET is in test_response_headers.py)."""

from __future__ import annotations

from sqlmodel import select

from api.models import Municipality
from api.security.scopes import Role

PROBLEM = "application/problem+json"


def test_405_lists_every_method_of_the_path(client, world):
    spec = client.app.openapi()
    assert not any("put" in item for item in spec["paths"].values())  # PUT is a method no path has
    checked = 0
    for template, item in spec["paths"].items():
        path = template
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + "01a236df-cd30-790b-9a7e-81586ed6aa2a" + path[end + 1 :]
        methods = {m.upper() for m in item} | ({"HEAD"} if "get" in item else set())
        r = client.put(path, headers=world.headers(Role.director))
        assert r.status_code == 405, f"PUT {path}: {r.status_code}"
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["type"] == "urn:ciklas:problem:method-not-allowed"
        assert r.headers["allow"] == ", ".join(sorted(methods)), template
        checked += 1
    assert checked == len(spec["paths"])


def test_405_for_get_on_a_path_without_it(client, world):
    # The literal path shares its prefix with /api/v1/plans/{plan_id}; only its own methods count.
    r = client.get(
        "/api/v1/plans/review-cadences/01a236df-cd30-790b-9a7e-81586ed6aa2a", headers=world.headers(Role.director)
    )
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, PATCH"
    r = client.put("/api/v1/plans/approval-rules", headers=world.headers(Role.director))
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"
    r = client.head("/api/v1/auth/token")  # HEAD only where GET is
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.content == b""


def test_head_answers_like_get(client, world):
    r = client.head("/api/v1/users", headers=world.headers(Role.director))
    get = client.get("/api/v1/users", headers=world.headers(Role.director))
    assert r.status_code == get.status_code == 200 and r.content == b""
    assert r.headers["content-type"] == get.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == get.headers["content-length"]
    assert client.head("/api/v1/users").status_code == 401


def test_415_for_a_json_body_sent_as_text(client, world, session):
    admin = world.headers(Role.platform_admin)
    before = len(session.exec(select(Municipality)).all())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", None):
        headers = {**admin, **({"Content-Type": content_type} if content_type else {})}
        r = client.post("/api/v1/municipalities", content=b'{"name": "Alytaus", "code": "11"}', headers=headers)
        assert r.status_code == 415, f"{content_type}: {r.status_code} {r.text}"
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["type"] == "urn:ciklas:problem:unsupported-media-type"
    assert len(session.exec(select(Municipality)).all()) == before
    r = client.patch(
        f"/api/v1/municipalities/{world.municipality.id}",
        content=b'{"name": "X"}',
        headers={**admin, "Content-Type": "text/plain", "If-Match": "*"},
    )
    assert r.status_code == 415
    # JSON, with parameters or a +json suffix, is read as JSON.
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        r = client.post(
            "/api/v1/municipalities",
            content=b'{"name": "Alytaus %s", "code": "1%d"}' % (content_type[-4:].encode(), len(content_type) % 10),
            headers={**admin, "Content-Type": content_type},
        )
        assert r.status_code == 201, r.text


def test_415_before_authentication_and_for_the_form_endpoints(client, world):
    r = client.post("/api/v1/municipalities", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/api/v1/auth/token", json={"grant_type": "password", "username": "x", "password": "y"})
    assert r.status_code == 415  # the token endpoint reads a form (OAuth2)
    r = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": "x", "password": "y"})
    assert r.status_code in (400, 401), r.text


def test_415_is_in_the_contract_of_every_operation_with_a_body(client):
    spec = client.app.openapi()
    with_body = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items() if "requestBody" in op
    ]
    assert len(with_body) > 50
    for path, method, op in with_body:
        assert op["responses"]["415"]["content"][PROBLEM], f"{method} {path}"
