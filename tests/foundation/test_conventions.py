"""Cross-cutting conventions: problem bodies, request ids, the body limit, health, CORS."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from api.main import create_app
from api.security.scopes import Role
from tests.conftest import make_settings


def test_unknown_route_and_method_are_problems(client, world):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:ciklas:problem:not-found"
    r = client.put("/api/v1/municipalities", headers=world.headers(Role.platform_admin))
    assert r.status_code == 405
    assert r.json()["type"] == "urn:ciklas:problem:method-not-allowed"


def test_request_id_is_echoed_or_generated(client, world):
    r = client.get("/healthz", headers={"X-Request-ID": "client-chosen-id-123"})
    assert r.headers["x-request-id"] == "client-chosen-id-123"
    r = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces" and len(r.headers["x-request-id"]) == 32
    r = client.get(
        f"/api/v1/institutions/{uuid.uuid4()}",
        headers={**world.headers(Role.director), "X-Request-ID": "trace-404-abcdef"},
    )
    assert r.status_code == 404 and r.json()["request_id"] == "trace-404-abcdef"


def test_body_over_the_limit_is_413_and_writes_nothing(client, world, session):
    from api.models import Municipality

    before = len(session.exec(__import__("sqlmodel").select(Municipality)).all())
    huge = {"name": "x" * (client.app.state.settings.max_body_bytes + 10)}
    r = client.post("/api/v1/municipalities", json=huge, headers=world.headers(Role.platform_admin))
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:ciklas:problem:payload-too-large"
    assert len(session.exec(__import__("sqlmodel").select(Municipality)).all()) == before


def test_body_over_the_limit_without_content_length_is_413(client, world):
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000

    r = client.post(
        "/api/v1/municipalities",
        content=chunks(),
        headers={**world.headers(Role.platform_admin), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_malformed_json_is_422(client, world):
    r = client.post(
        "/api/v1/municipalities",
        content=b"{not json",
        headers={**world.headers(Role.platform_admin), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["errors"]


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_readiness_reports_503_when_the_database_is_gone(signing_key_pem, tmp_path):
    app = create_app(
        make_settings("postgresql+psycopg://postgres@127.0.0.1:1/none", signing_key_pem, database_connect_timeout=1)
    )
    with TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["type"] == "urn:ciklas:problem:service-unavailable"
        assert r.headers["retry-after"] == "1"


def test_cors_origins_from_settings(database_url, signing_key_pem):
    app = create_app(make_settings(database_url, signing_key_pem, cors_origins=["https://app.example.lt"]))
    with TestClient(app) as c:
        r = c.options(
            "/api/v1/auth/me", headers={"Origin": "https://app.example.lt", "Access-Control-Request-Method": "GET"}
        )
        assert r.headers["access-control-allow-origin"] == "https://app.example.lt"
        r = c.options(
            "/api/v1/auth/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in r.headers
    app.state.engine.dispose()


def test_failed_request_writes_nothing(client, world, session):
    """One unit of work: a request that fails after writing leaves no trace (not even its audit)."""
    from sqlmodel import select

    from api.models import AuditEvent, Municipality

    h = world.headers(Role.platform_admin)
    # duplicate code: the insert fails at flush, after nothing else; then a valid one succeeds
    r = client.post("/api/v1/municipalities", json={"name": "Nauja", "code": world.municipality.code}, headers=h)
    assert r.status_code == 409
    assert session.exec(select(Municipality).where(Municipality.name == "Nauja")).first() is None
    assert session.exec(select(AuditEvent).where(AuditEvent.resource_type == "municipality")).all() == []
