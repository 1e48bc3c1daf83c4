"""POST .../responses/batch: offline apps sync up to 500 responses, answered per item."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from api.models import SurveyAnswer, SurveyResponse
from api.security.scopes import Role
from tests.surveys.factories import make_campaign, make_questionnaire, response_body


def url(campaign) -> str:
    return f"/api/v1/surveys/campaigns/{campaign.id}/responses/batch"


def count(session, model=SurveyResponse) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_mixed_valid_and_invalid_items(client, world, session):
    now = datetime.now(UTC)
    c = make_campaign(
        session,
        make_questionnaire(session, world.a.institution),
        world.a.institution,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(hours=1),
    )
    already = response_body(answered_at=now - timedelta(days=2))
    assert (
        client.post(
            f"/api/v1/surveys/campaigns/{c.id}/responses", json=already, headers=world.headers(Role.feedback_device)
        ).status_code
        == 201
    )
    reused = uuid.uuid4()
    items = [
        response_body(answered_at=now - timedelta(days=1)),  # 0 stored, late
        response_body(sat=7, answered_at=now - timedelta(days=1)),  # 1 out of range
        already,  # 2 replay
        response_body(answered_at=now - timedelta(minutes=30)),  # 3 answered after closing
        response_body(reused, answered_at=now - timedelta(days=3)),  # 4 stored
        response_body(reused, sat=1, answered_at=now - timedelta(days=3)),  # 5 same id, other answers
        {"client_response_id": str(uuid.uuid4()), "answers": [{"concept_code": "Q_X", "value": 1}]},  # 6
    ]
    r = client.post(url(c), json={"responses": items}, headers=world.headers(Role.feedback_device))
    assert r.status_code == 200, r.text
    out = r.json()
    assert [i["status"] for i in out["items"]] == [201, 422, 200, 409, 201, 409, 422]
    assert (out["stored"], out["replayed"], out["failed"]) == (2, 1, 4)
    assert [i["index"] for i in out["items"]] == list(range(7))
    assert out["items"][0]["receipt"]["late"] is True
    assert out["items"][1]["problem"]["errors"][0]["field"] == "body.responses.1.answers.0.value"
    assert out["items"][3]["problem"]["type"] == "urn:ciklas:problem:campaign-closed"
    assert out["items"][5]["problem"]["type"] == "urn:ciklas:problem:response-id-reused"
    assert {e["code"] for e in out["items"][6]["problem"]["errors"]} == {"unknown_question", "missing"}
    assert out["items"][2]["receipt"]["client_response_id"] == already["client_response_id"]
    assert count(session) == 3 and count(session, SurveyAnswer) == 9


def test_batch_retry_stores_nothing_new(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    body = {"responses": [response_body() for _ in range(20)]}
    first = client.post(url(c), json=body, headers=world.headers(Role.feedback_device)).json()
    again = client.post(url(c), json=body, headers=world.headers(Role.feedback_device)).json()
    assert (first["stored"], again["stored"], again["replayed"]) == (20, 0, 20)
    assert [i["receipt"] for i in again["items"]] == [i["receipt"] for i in first["items"]]
    assert count(session) == 20


def test_batch_limit_and_tenancy(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    item = response_body()
    r = client.post(url(c), json={"responses": [item] * 501}, headers=world.headers(Role.feedback_device))
    assert r.status_code == 422 and r.json()["type"] == "urn:ciklas:problem:validation-error"
    r = client.post(
        url(c), json={"responses": [response_body() for _ in range(500)]}, headers=world.headers(Role.feedback_device)
    )
    assert r.status_code == 200 and r.json()["stored"] == 500
    assert (
        client.post(url(c), json={"responses": [item]}, headers=world.headers(Role.feedback_device, "b")).status_code
        == 404
    )
    assert count(session) == 500


def test_the_same_response_twice_in_one_batch_is_stored_once(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    same = response_body()
    r = client.post(
        url(c), json={"responses": [same, response_body(), same]}, headers=world.headers(Role.feedback_device)
    )
    out = r.json()
    assert [i["status"] for i in out["items"]] == [201, 201, 200]
    assert out["items"][2]["receipt"] == out["items"][0]["receipt"]
    assert count(session) == 2 and count(session, SurveyAnswer) == 6
