"""One-time links: anonymous respondents submit without a token, each code once."""

from __future__ import annotations

import uuid

from sqlmodel import func, select

from api.models import SurveyInvitation, SurveyResponse
from api.security.scopes import Role
from tests.surveys.factories import make_campaign, make_questionnaire, response_body

PUBLIC = "/api/v1/surveys/invitation"


def invite(client, world, campaign, count=2, role=Role.quality_lead):
    return client.post(
        f"/api/v1/surveys/campaigns/{campaign.id}/invitations", json={"count": count}, headers=world.headers(role)
    )


def test_one_time_link_submits_once_and_keeps_no_identity(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    r = invite(client, world, c)
    assert r.status_code == 201, r.text
    first, second = r.json()["codes"]
    stored = session.exec(select(SurveyInvitation.code_hash)).all()
    assert first not in stored and len(stored) == 2
    form = client.get(f"{PUBLIC}/form", headers={"X-Invitation-Code": first})
    assert form.status_code == 200 and form.json()["campaign"]["id"] == str(c.id)
    body = response_body()
    r = client.post(f"{PUBLIC}/responses", json=body, headers={"X-Invitation-Code": first})
    assert r.status_code == 201, r.text
    again = client.post(f"{PUBLIC}/responses", json=body, headers={"X-Invitation-Code": first})
    assert again.status_code == 200 and again.json() == r.json()
    other = client.post(f"{PUBLIC}/responses", json=response_body(), headers={"X-Invitation-Code": first})
    assert other.status_code == 409 and other.json()["type"] == "urn:ciklas:problem:invitation-used"
    changed = client.post(
        f"{PUBLIC}/responses",
        json=response_body(uuid.UUID(body["client_response_id"]), sat=1),
        headers={"X-Invitation-Code": first},
    )
    assert changed.status_code == 409
    assert (
        client.post(f"{PUBLIC}/responses", json=response_body(), headers={"X-Invitation-Code": second}).status_code
        == 201
    )
    rows = session.exec(select(SurveyResponse)).all()
    assert [(x.channel, x.respondent_user_id, x.device_client_id) for x in rows] == [("invitation", None, None)] * 2
    assert all(session.exec(select(SurveyInvitation.used)).all())


def test_invalid_response_does_not_use_up_the_code(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    code = invite(client, world, c, count=1).json()["codes"][0]
    bad = client.post(f"{PUBLIC}/responses", json=response_body(sat=9), headers={"X-Invitation-Code": code})
    assert bad.status_code == 422
    assert session.exec(select(SurveyInvitation.used)).one() is False
    assert (
        client.post(f"{PUBLIC}/responses", json=response_body(), headers={"X-Invitation-Code": code}).status_code == 201
    )


def test_unknown_code_identified_campaign_and_permissions(client, world, session):
    r = client.post(f"{PUBLIC}/responses", json=response_body(), headers={"X-Invitation-Code": "not-a-real-code"})
    assert r.status_code == 404
    assert client.post(f"{PUBLIC}/responses", json=response_body()).status_code == 422
    identified = make_campaign(
        session, make_questionnaire(session, world.a.institution), world.a.institution, anonymous=False
    )
    assert invite(client, world, identified).status_code == 409
    assert invite(client, world, identified, role=Role.staff).status_code == 403
    assert session.exec(select(func.count()).select_from(SurveyInvitation)).one() == 0
