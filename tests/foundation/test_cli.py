"""`python -m api` commands against both databases, and demo credentials that really sign in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from api import __main__ as cli
from api.config import get_settings
from api.demo import DEMO_CLIENTS, DEMO_PASSWORD, PEOPLE
from api.models import ApiClient, Institution, Municipality, User
from api.security.scopes import Role
from api.types import today


@pytest.fixture
def cli_env(database_url, db_engine, monkeypatch, signing_key_pem):
    monkeypatch.setenv("CIKLAS_DATABASE_URL", database_url)
    monkeypatch.setenv("CIKLAS_ENVIRONMENT", "test")
    monkeypatch.setenv("CIKLAS_JWT_PRIVATE_KEY", signing_key_pem)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_is_idempotent(cli_env, capsys):
    assert cli.main(["migrate"]) == 0
    assert "migrated" in capsys.readouterr().out


def test_demo_loads_once_and_its_users_sign_in(cli_env, client, session, capsys):
    assert cli.main(["demo"]) == 0
    assert "demo data loaded" in capsys.readouterr().out
    assert len(session.exec(select(Institution)).all()) == 3
    kinds = {i.kind for i in session.exec(select(Institution))}
    assert len(kinds) == 3
    assert len(session.exec(select(Municipality)).all()) == 1
    roles = {u.role for u in session.exec(select(User))}
    assert roles == {r.value for r in Role} - {Role.feedback_device.value}
    assert {c.role for c in session.exec(select(ApiClient))} == {"municipality_analyst", "feedback_device"}
    # not loaded twice
    assert cli.main(["demo"]) == 0
    assert "not loaded" in capsys.readouterr().out
    assert len(session.exec(select(User)).all()) == len(PEOPLE)
    # the README's credentials work
    r = client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": "director", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text
    secret = DEMO_CLIENTS["demo-kiosk"][0]
    r = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "demo-kiosk", "client_secret": secret},
    )
    assert r.status_code == 200
    # The demo year: the kiosk answers the open satisfaction survey, the director sees the cycle.
    kiosk = {"Authorization": f"Bearer {r.json()['access_token']}"}
    campaigns = client.get("/api/v1/surveys/campaigns", headers=kiosk)
    assert campaigns.status_code == 200, campaigns.text
    [campaign] = campaigns.json()["items"]
    form = client.get(f"/api/v1/surveys/campaigns/{campaign['id']}/form", headers=kiosk).json()
    answers = [{"concept_code": q["concept_code"], "value": 5} for q in form["questionnaire"]["questions"]]
    r = client.post(
        f"/api/v1/surveys/campaigns/{campaign['id']}/responses",
        headers=kiosk,
        json={"client_response_id": "0192f3b0-0000-7000-8000-00000000d3e0", "answers": answers},
    )
    assert r.status_code == 201, r.text
    token = client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": "director", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    director = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/auth/me", headers=director).json()
    view = client.get(f"/api/v1/cycles/{me['institution_id']}/{today().year}", headers=director).json()
    assert view["sections"]["plans"]["figures"]["annual_plan_approved"] is True
    assert view["sections"]["surveys"]["figures"]["responses"] == 1
    report = client.get(
        "/api/v1/reports/annual",
        params={"institution_id": me["institution_id"], "year": today().year},
        headers=director,
    ).json()
    assert report["swot"]["strength"] and report["measures"][0]["status"] == "in_progress"


def test_create_admin(cli_env, client, session, capsys):
    assert cli.main(["create-admin", "--username", "root-admin", "--password", "a-very-long-password"]) == 0
    user = session.exec(select(User).where(User.username == "root-admin")).one()
    assert user.role == "platform_admin" and user.institution_id is None
    assert cli.main(["create-admin", "--username", "root-admin", "--password", "a-very-long-password"]) == 1
    assert cli.main(["create-admin", "--username", "x-admin", "--password", "short"]) == 2
    r = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "root-admin", "password": "a-very-long-password"},
    )
    assert r.status_code == 200


def test_openapi_check(tmp_path, capsys):
    out = tmp_path / "openapi.json"
    assert cli.main(["openapi", "--output", str(out)]) == 0
    assert cli.main(["openapi", "--check", "--output", str(out)]) == 0
    out.write_text("{}")
    assert cli.main(["openapi", "--check", "--output", str(out)]) == 1
