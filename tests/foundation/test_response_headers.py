"""The response-header contract, walked over every GET of the contract with a token that may call
it: nosniff everywhere, a CSP with frame-ancestors 'none' (strict on HTML pages), no-store on
personal data and wherever a route chose no caching policy, HSTS in production; and HEAD answers
what GET answers, without the body."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.main import create_app
from api.middleware import PERSONAL_DATA_PATHS
from api.security.scopes import ROLE_SCOPES, Role
from tests.conftest import make_settings
from tests.routes import foreign_id_makers, operations

CALLERS = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.recipient,
    Role.guardian,
    Role.feedback_device,
    Role.municipality_analyst,
    Role.platform_admin,
]
#: Routes that chose their own caching policy for data that is not about people.
OWN_CACHE_POLICY = {
    "read_jwks": "public, max-age=300",
    "pull_indicator_values": "private, no-cache",
    "read_municipality_summary": "private, no-cache",
}
#: The resources the issue names as personal data, each matched by PERSONAL_DATA_PATHS.
PERSONAL = [
    "/api/v1/recipients",
    "/api/v1/recipients/{recipient_id}",
    "/api/v1/care-plans",
    "/api/v1/care-plans/{care_plan_id}",
    "/api/v1/users",
    "/api/v1/users/{user_id}",
    "/api/v1/audit-events",
    "/api/v1/surveys/campaigns/{campaign_id}/export",
    "/api/v1/proposals",
    "/api/v1/proposals/{proposal_id}",
    "/api/v1/auth/me",
    "/api/v1/clients",
    "/api/v1/webhooks",
]
VOLATILE = {"date", "x-request-id", "content-length"}


def caller_for(scopes: tuple[str, ...]) -> Role:
    return next(r for r in CALLERS if set(scopes) <= {s.value for s in ROLE_SCOPES[r]})


def check_security_headers(r, path: str, *, html: bool) -> None:
    where = f"{path}: {r.status_code}"
    assert r.headers["x-content-type-options"] == "nosniff", where
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and csp.startswith("default-src 'none'"), where
    assert r.headers["x-frame-options"] == "DENY", where
    if html:
        assert r.headers["content-type"].startswith("text/html"), where
        assert "script-src" not in csp and "form-action 'none'" in csp, where
    if PERSONAL_DATA_PATHS.match(path):
        assert r.headers["cache-control"] == "no-store", where
    assert "strict-transport-security" not in r.headers, where  # not in production


def test_every_get_carries_the_security_headers_and_answers_head(client, world, session):
    makers = foreign_id_makers()
    # A real published report (the generic maker stores an empty one, which has no page to render).
    r = client.post(
        "/api/v1/reports/annual/publish",
        headers=world.headers(Role.director),
        json={"institution_id": str(world.a.institution.id), "year": 2025},
    )
    assert r.status_code == 201, r.text
    query = {"institution_id": str(world.a.institution.id), "year": "2026"}
    walked = html_pages = ok = 0
    for op in operations(client.app):
        if op.method != "GET":
            continue
        path = op.path
        for name in op.path_params:
            path = path.replace("{" + name + "}", str(makers[name](world, session)))
        spec = client.app.openapi()["paths"][op.path]["get"]
        params = {
            p["name"]: query[p["name"]] for p in spec.get("parameters", []) if p["in"] == "query" and p.get("required")
        }
        headers = {} if op.scopes is None else world.headers(caller_for(op.scopes))
        variants = [(params, False)]
        if "text/html" in spec["responses"]["200"].get("content", {}):
            variants.append(({**params, "format": "html"}, True))
        for variant, html in variants:
            r = client.get(path, params=variant, headers=headers)
            assert r.status_code < 500, f"GET {path}: {r.status_code} {r.text}"
            check_security_headers(r, path, html=html)
            if html:
                assert r.status_code == 200, f"GET {path} as HTML: {r.status_code} {r.text}"
                html_pages += 1
            if r.status_code == 200:
                ok += 1
                own = OWN_CACHE_POLICY.get(op.operation_id)
                assert r.headers["cache-control"] == (own or "no-store"), f"{path}: {r.headers['cache-control']}"
            head = client.head(path, params=variant, headers=headers)
            assert head.status_code == r.status_code, f"HEAD {path}: {head.status_code} {head.text}"
            assert head.content == b"", f"HEAD {path} sent a body"
            same = {k: v for k, v in head.headers.items() if k not in VOLATILE}
            assert same == {k: v for k, v in r.headers.items() if k not in VOLATILE}, f"HEAD {path}"
            walked += 1
    assert walked >= 70 and ok >= 60 and html_pages == 3, (walked, ok, html_pages)


def test_personal_data_is_never_stored(client, world):
    for path in PERSONAL:
        assert PERSONAL_DATA_PATHS.match(path.replace("{", "").replace("}", "")), path
    for path in (
        "/api/v1/users",
        "/api/v1/audit-events",
        "/api/v1/recipients",
        "/api/v1/care-plans",
        "/api/v1/proposals",
        "/api/v1/auth/me",
    ):
        r = client.get(path, headers=world.headers(Role.director))
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
    r = client.get("/api/v1/users", headers=world.headers(Role.staff))  # an error about people, too
    assert r.status_code == 403 and r.headers["cache-control"] == "no-store"


def test_errors_and_rejections_carry_the_headers(client, world):
    checks = [
        client.get("/api/v1/nowhere"),
        client.get("/api/v1/users"),  # 401
        client.put("/healthz"),  # 405
        client.get("/api/v1/users?q=%00", headers=world.headers(Role.director)),  # refused by the middleware
    ]
    for r in checks:
        assert r.status_code in (401, 404, 405, 422), r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert r.headers["cache-control"] == "no-store"


def test_hsts_and_docs_in_production(database_url, signing_key_pem):
    production = make_settings(database_url, signing_key_pem).model_copy(update={"environment": "production"})
    app = create_app(production)
    try:
        with TestClient(app) as c:
            r = c.get("/healthz")
            assert r.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
            for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
                assert c.get(path).status_code == 404, path
            assert c.get("/openapi.json").status_code == 200  # the public contract stays readable
    finally:
        app.state.engine.dispose()
    app = create_app(production.model_copy(update={"docs_in_production": True}))
    try:
        with TestClient(app) as c:
            check_docs_pages(c)
    finally:
        app.state.engine.dispose()


def check_docs_pages(c: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        r = c.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and r.headers["x-content-type-options"] == "nosniff"
        assert "'unsafe-inline'" not in re.search(r"script-src([^;]*)", csp).group(1)
        inline = re.findall(r"<script>", r.text)
        assert csp.count("'sha256-") == len(inline)


def test_docs_outside_production(client):
    check_docs_pages(client)
