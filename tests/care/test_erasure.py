"""Erasure is total: a marker planted in every text field of a recipient's data, through the API,
is found after anonymisation in no answer of any GET route (as any caller) and in no row of the
database, while the indicators stay true."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from sqlmodel import func, select

from api.auth import throttle
from api.care_plans.aggregates import goals_achieved, plans_reviewed_on_time, plans_with_participation
from api.models import AuditEvent, CareReview, LoginThrottle, Recipient, User, WebhookDelivery
from api.security.scopes import Role
from api.types import today
from tests.care.walk import texts_in_database, walk
from tests.surveys.factories import make_campaign, make_questionnaire, response_body

PASSWORD = "a-long-password"


def _ok(r, status=(200, 201)):
    assert r.status_code in (status if isinstance(status, tuple) else (status,)), r.text
    return r.json()


def _account(client, world, marker, role, name):
    return _ok(
        client.post(
            "/api/v1/users",
            headers=world.headers(Role.director),
            json={
                "username": f"{marker}.{name}",
                "password": PASSWORD,
                "full_name": f"{name.title()} {marker}",
                "email": f"{name}.{marker}@example.lt",
                "role": role,
            },
        )
    )


def _sign_in(client, username):
    """A sign-in (refresh token, last sign-in time) and then a mistyped password (a throttle row
    keyed by the username)."""
    token = _ok(
        client.post("/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": PASSWORD})
    )
    assert (
        client.post(
            "/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": "wrong-password"}
        ).status_code
        == 400
    )
    return {"Authorization": f"Bearer {token['access_token']}"}


def _etag(client, world, url, role=Role.social_worker):
    return client.get(url, headers=world.headers(role)).headers["ETag"]


def _plan(client, world, recipient_id, marker, *, kind, period_start, participation, next_review_date, **extra):
    h = world.headers(Role.social_worker)
    plan = _ok(
        client.post(
            "/api/v1/care-plans",
            headers=h,
            json={"recipient_id": recipient_id, "kind": kind, "period_start": period_start, **extra},
        )
    )
    url = f"/api/v1/care-plans/{plan['id']}"
    need = _ok(
        client.post(
            f"{url}/needs",
            headers=h,
            json={"domain": "daily_living", "level": "high", "description": f"Ona {marker} needs help walking"},
        )
    )
    goal = _ok(
        client.post(
            f"{url}/goals",
            headers=h,
            json={
                "need_id": need["id"],
                "description": f"{marker} walks to her daughter",
                "measure": f"Metres {marker}",
                "baseline": f"10 {marker}",
                "target": f"50 {marker}",
                "due_date": "2026-06-30",
            },
        )
    )
    _ok(
        client.post(
            f"{url}/services",
            headers=h,
            json={
                "description": f"Walks with {marker}",
                "provider": f"{marker}'s daughter",
                "frequency": f"{marker} daily",
            },
        )
    )
    _ok(
        client.post(
            f"{url}/activate",
            headers={**h, "If-Match": _etag(client, world, url)},
            json={"participation": participation, "next_review_date": next_review_date},
        )
    )
    return plan["id"], goal["id"]


def _stats(session, institution_id):
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    return (
        goals_achieved(session, institution_id, start, end),
        plans_reviewed_on_time(session, institution_id, start, end, as_of=date(2027, 1, 1)),
        plans_with_participation(session, institution_id, start, end),
    )


def test_a_marker_in_every_text_field_is_gone_after_erasure(client, world, session, monkeypatch):
    monkeypatch.setattr(client.app.state.settings, "recipient_retention_days", 0)
    marker = f"mrk{uuid.uuid4().hex[:12]}"
    director, worker = world.headers(Role.director), world.headers(Role.social_worker)
    _ok(
        client.post(
            "/api/v1/webhooks",
            headers=director,
            json={"url": "https://hooks.example.org/ciklas", "events": ["proposal.answered", "report.published"]},
        )
    )

    # The person's and their guardian's accounts, used to sign in (tokens, throttle, last sign-in).
    account = _account(client, world, marker, "recipient", "ona")
    guardian = _account(client, world, marker, "guardian", "ruta")
    person_h, guardian_h = _sign_in(client, account["username"]), _sign_in(client, guardian["username"])
    recipient = _ok(
        client.post(
            "/api/v1/recipients",
            headers=director,
            json={
                "first_name": f"Ona{marker}",
                "last_name": marker,
                "personal_code": marker,
                "birth_date": "1940-05-01",
                "admission_date": "2025-01-10",
                "department_id": str(world.a.department.id),
                "key_worker_id": str(world.user(Role.social_worker).id),
                "team_member_ids": [str(world.user(Role.staff).id)],
                "user_id": account["id"],
                "guardian_ids": [guardian["id"]],
            },
        )
    )
    rid = recipient["id"]

    # Care plans: every free-text field, a late review, a plan drawn up without the person.
    plan_id, goal_id = _plan(
        client,
        world,
        rid,
        marker,
        kind="isgp",
        period_start="2026-01-05",
        period_end="2026-12-20",
        next_review_date="2026-03-02",
        participation={
            "participated": True,
            "participated_on": "2026-01-05",
            "participants": [marker],
            "recipient_wishes": f"Aš, {marker}, noriu namo",
        },
    )
    _ok(
        client.post(
            f"/api/v1/care-plans/{plan_id}/reviews",
            headers=worker,
            json={
                "review_date": "2026-03-09",
                "participants": [marker, "social worker"],
                "notes": f"Discussed with {marker}",
                "goals": [{"goal_id": goal_id, "attainment": "achieved", "measured_value": f"55 {marker}"}],
                "next_review_date": "2026-06-15",
            },
        )
    )
    _plan(
        client,
        world,
        rid,
        marker,
        kind="ispp",
        period_start="2026-11-01",
        next_review_date="2026-11-20",
        participation={"participated": False, "non_participation_reason": f"{marker} was in hospital"},
    )
    for h in (person_h, guardian_h):
        _ok(client.post(f"/api/v1/care-plans/{plan_id}/comments", headers=h, json={"body": f"Mano {marker}"}))

    # Proposals by the person and the guardian, answered (proposal.answered) with words naming them.
    for h in (person_h, guardian_h):
        proposal = _ok(
            client.post("/api/v1/proposals", headers=h, json={"text": f"{marker}: daugiau pasivaikščiojimų"})
        )
        url = f"/api/v1/proposals/{proposal['id']}"
        _ok(client.post(f"{url}/consider", headers={**director, "If-Match": '"1"'}))
        _ok(
            client.post(
                f"{url}/reject", headers={**director, "If-Match": '"2"'}, json={"reason": f"Gerb. {marker}, nėra lėšų"}
            )
        )

    # An identified survey both answered with free text.
    campaign = make_campaign(
        session, make_questionnaire(session, world.a.institution), world.a.institution, anonymous=False
    )
    for h in (person_h, guardian_h):
        _ok(
            client.post(
                f"/api/v1/surveys/campaigns/{campaign.id}/responses",
                headers=h,
                json=response_body(Q_COMMENT=f"Ačiū, {marker}"),
            )
        )

    # A published report (report.published) from before the erasure.
    _ok(
        client.post(
            "/api/v1/reports/annual/publish",
            headers=director,
            json={"institution_id": str(world.a.institution.id), "year": 2026},
        )
    )

    # Discharge, then erase.
    _ok(
        client.patch(
            f"/api/v1/recipients/{rid}",
            json={"discharge_date": (today() - timedelta(days=1)).isoformat()},
            headers={**worker, "If-Match": _etag(client, world, f"/api/v1/recipients/{rid}")},
        )
    )
    before = _stats(session, world.a.institution.id)
    assert before == ((1, 2), (0, 1), (1, 2))  # one goal of two achieved, the review late, one of two with the person
    throttled = [throttle.account_key(f"user:{who['username'].lower()}", "testclient") for who in (account, guardian)]
    assert len(session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(throttled))).all()) == 2
    etag = _etag(client, world, f"/api/v1/recipients/{rid}", Role.director)
    out = _ok(client.post(f"/api/v1/recipients/{rid}/anonymise", headers={**director, "If-Match": etag}))
    assert (out["status"], out["user_id"], out["guardian_ids"], out["team_member_ids"], out["key_worker_id"]) == (
        "anonymised",
        None,
        [],
        [],
        None,
    )
    assert (out["admission_date"], out["discharge_date"]) == (
        "2025-01-01",
        (today() - timedelta(days=1)).replace(day=1).isoformat(),
    )

    # What the indicators need stays true; the late review is still late.
    assert _stats(session, world.a.institution.id) == before
    review = session.exec(select(CareReview)).one()
    assert (review.due_date, review.review_date) == (date(2026, 3, 1), date(2026, 3, 2))
    # The accounts are deactivated and anonymised.
    for who in (account, guardian):
        stored = session.get(User, uuid.UUID(who["id"]))
        assert (stored.is_active, stored.email, stored.last_login_at) == (False, None, None)
        assert stored.username.startswith("erased-") and stored.full_name == "[ištrinta / erased]"
    # Their sign-in counts are forgotten, from every address.
    assert session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(throttled))).all() == []
    # Webhook payloads and the published report never carried the person.
    deliveries = session.exec(select(WebhookDelivery)).all()
    assert {d.event for d in deliveries} == {"proposal.answered", "report.published"}
    assert all("tracking_code" not in json.loads(d.body)["data"] for d in deliveries)

    # (1) No GET route shows the marker, to any caller, in JSON, CSV or HTML.
    years = sorted({2025, 2026, today().year})
    leaks, failures, calls = [], [], 0
    for caller, url, r in walk(client, world, years=years):
        calls += 1
        if marker in r.text.lower():
            leaks.append((caller, url))
        if r.status_code >= 500:
            failures.append((caller, url, r.status_code))
    assert (leaks, failures) == ([], [])
    assert calls > 500

    # (2) No row of the database holds it, the audit trail included (it never held names).
    assert [(t, c) for t, c, text in texts_in_database(client.app.state.engine) if marker in text.lower()] == []
    # The audit trail keeps its rows: who read and changed the record, and when.
    kept = session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.recipient_id == uuid.UUID(rid))
    ).one()
    assert kept > 5
    assert session.get(Recipient, uuid.UUID(rid)).first_name is None
    # The old usernames sign in no more.
    for who in (account, guardian):
        assert (
            client.post(
                "/api/v1/auth/token", data={"grant_type": "password", "username": who["username"], "password": PASSWORD}
            ).status_code
            == 400
        )
