"""The route table: every route declares its scope, and every role gets exactly what the
role-to-scope table grants (403 otherwise)."""

from __future__ import annotations

import uuid

import pytest

from api.security.scopes import ROLE_SCOPES, Role, Scope
from tests.routes import AUTHENTICATED_OPERATIONS, PUBLIC_OPERATIONS, operations


def _app():
    from api.__main__ import openapi_document  # noqa: F401  (import check only)
    from api.config import Settings
    from api.main import create_app
    from api.security.tokens import generate_private_key_pem

    return create_app(
        Settings(environment="test", database_url="sqlite://", jwt_private_key=generate_private_key_pem())
    )


def test_every_route_declares_a_scope_or_is_listed_public():
    app = _app()
    known_scopes = {s.value for s in Scope}
    for op in operations(app):
        if op.operation_id in PUBLIC_OPERATIONS:
            assert op.scopes is None, f"{op.operation_id} is listed public but requires a token"
            continue
        assert op.scopes is not None, f"{op.method} {op.path} declares no security: add Authorized[Scope.x]"
        if op.operation_id in AUTHENTICATED_OPERATIONS:
            continue
        assert op.scopes, f"{op.method} {op.path} declares no scope: add Authorized[Scope.x]"
        assert set(op.scopes) <= known_scopes, f"{op.operation_id}: unknown scope {op.scopes}"


def test_every_scope_is_granted_to_some_role_and_used_by_some_route():
    app = _app()
    used = {s for op in operations(app) for s in (op.scopes or ())}
    granted = {s.value for scopes in ROLE_SCOPES.values() for s in scopes}
    assert used <= granted, f"scopes no role holds: {used - granted}"


def _fill(path: str) -> str:
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        out = out[:start] + str(uuid.uuid4()) + out[end + 1 :]
    return out


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(client, world, role):
    """Every route with every role: 403 exactly when the role lacks a scope the route declares."""
    checked = 0
    for op in operations(client.app):
        if op.operation_id in PUBLIC_OPERATIONS:
            continue
        headers = world.headers(role, **{"If-Match": '"999"'})
        kwargs = {"headers": headers}
        if op.has_body:
            if op.body_media_type == "application/x-www-form-urlencoded":
                kwargs["data"] = {}
            else:
                kwargs["json"] = {}
        r = client.request(op.method, _fill(op.path), **kwargs)
        granted = {s.value for s in ROLE_SCOPES[role]}
        missing = set(op.scopes or ()) - granted
        where = f"{role.value} {op.method} {op.path} -> {r.status_code} {r.text[:200]}"
        if missing:
            assert r.status_code == 403, where
            assert r.json()["type"] == "urn:ciklas:problem:forbidden", where
        else:
            assert r.status_code not in (401, 403), where
            assert r.status_code < 500, where
        checked += 1
    assert checked > 10
