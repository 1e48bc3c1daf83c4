"""POST /api/v1/surveys/campaigns/{campaign_id}/responses: exactly once, validated, anonymous."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from api.models import AuditEvent, SurveyAnswer, SurveyResponse
from api.security.scopes import Role
from tests.surveys.factories import answers, make_campaign, make_questionnaire, response_body


def url(campaign) -> str:
    return f"/api/v1/surveys/campaigns/{campaign.id}/responses"


def count(session, model=SurveyResponse) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def campaign(world, session):
    return make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)


class TestSubmit:
    def test_device_submits_and_answers_are_stored_narrow(self, client, world, session, campaign):
        body = response_body(Q_AGE=81, Q_CONTACT="weekly", Q_ACTIVITIES=["music", "garden"], Q_COMMENT="Ačiū")
        r = client.post(url(campaign), json=body, headers=world.headers(Role.feedback_device))
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["client_response_id"] == body["client_response_id"] and out["late"] is False
        stored = session.get(SurveyResponse, uuid.UUID(out["id"]))
        assert (stored.channel, stored.institution_id) == ("device", world.a.institution.id)
        rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.response_id == stored.id)).all()
        by = {}
        for row in rows:
            by.setdefault(row.concept_code, []).append(row)
        assert by["Q_SAT"][0].value_num == 4.0 and by["Q_SAT"][0].top_box is True
        assert by["Q_SAT"][0].dimension_code == "SATISFACTION"
        assert by["Q_RECOMMEND"][0].value_num == 9.0 and by["Q_RECOMMEND"][0].top_box is True
        assert by["Q_SAFE"][0].value_num == 1.0 and by["Q_SAFE"][0].top_box is True
        assert by["Q_AGE"][0].value_num == 81.0 and by["Q_AGE"][0].top_box is None
        assert by["Q_CONTACT"][0].value_text == "weekly"
        assert sorted(r.value_text for r in by["Q_ACTIVITIES"]) == ["garden", "music"]
        assert by["Q_COMMENT"][0].value_text == "Ačiū"

    def test_retry_returns_the_original_and_stores_nothing(self, client, world, session, campaign):
        body = response_body()
        first = client.post(url(campaign), json=body, headers=world.headers(Role.feedback_device))
        again = client.post(url(campaign), json=body, headers=world.headers(Role.feedback_device))
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert count(session) == 1 and count(session, SurveyAnswer) == 3

    def test_same_id_with_other_answers_is_409(self, client, world, session, campaign):
        cid = uuid.uuid4()
        assert (
            client.post(url(campaign), json=response_body(cid), headers=world.headers(Role.feedback_device)).status_code
            == 201
        )
        r = client.post(url(campaign), json=response_body(cid, sat=1), headers=world.headers(Role.feedback_device))
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:response-id-reused"
        assert count(session) == 1
        assert session.exec(select(SurveyAnswer.value_num).where(SurveyAnswer.concept_code == "Q_SAT")).one() == 4.0

    def test_same_client_id_in_another_campaign_is_another_response(self, client, world, session, campaign):
        other = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
        cid = uuid.uuid4()
        assert (
            client.post(url(campaign), json=response_body(cid), headers=world.headers(Role.feedback_device)).status_code
            == 201
        )
        assert (
            client.post(url(other), json=response_body(cid), headers=world.headers(Role.feedback_device)).status_code
            == 201
        )

    def test_concurrent_retries_store_exactly_one(self, client, world, session, campaign):
        body = response_body()
        headers = world.headers(Role.feedback_device)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: client.post(url(campaign), json=body, headers=headers), range(16)))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] * 15 + [201], [r.text for r in results if r.status_code >= 300]
        assert len({r.json()["id"] for r in results}) == 1
        assert count(session) == 1 and count(session, SurveyAnswer) == 3


class TestValidation:
    CASES = [
        (
            "unknown question",
            [*answers(), {"concept_code": "Q_NOPE", "value": 1}],
            "body.answers.3.concept_code",
            "unknown_question",
        ),
        ("likert not a number", answers(sat="good"), "body.answers.0.value", "wrong_type"),
        ("likert fraction", answers(sat=3.5), "body.answers.0.value", "wrong_type"),
        ("likert out of range", answers(sat=6), "body.answers.0.value", "out_of_range"),
        ("likert zero", answers(sat=0), "body.answers.0.value", "out_of_range"),
        ("scale out of range", answers(recommend=11), "body.answers.1.value", "out_of_range"),
        ("scale negative", answers(recommend=-1), "body.answers.1.value", "out_of_range"),
        ("yes_no not a bool", answers(safe=1), "body.answers.2.value", "wrong_type"),
        ("number as text", answers(Q_AGE="81"), "body.answers.3.value", "wrong_type"),
        ("number out of range", answers(Q_AGE=130), "body.answers.3.value", "out_of_range"),
        ("number beyond float", answers(Q_AGE=10**400), "body.answers.3.value", "wrong_type"),
        ("likert beyond float", answers(sat=10**400), "body.answers.0.value", "wrong_type"),
        ("unknown option", answers(Q_CONTACT="hourly"), "body.answers.3.value", "out_of_range"),
        ("single choice as list", answers(Q_CONTACT=["daily"]), "body.answers.3.value", "wrong_type"),
        ("multi choice as text", answers(Q_ACTIVITIES="music"), "body.answers.3.value", "wrong_type"),
        ("multi choice unknown", answers(Q_ACTIVITIES=["music", "chess"]), "body.answers.3.value", "out_of_range"),
        ("multi choice twice", answers(Q_ACTIVITIES=["music", "music"]), "body.answers.3.value", "duplicate"),
        ("text as number", answers(Q_COMMENT=5), "body.answers.3.value", "wrong_type"),
        (
            "answered twice",
            [*answers(), {"concept_code": "Q_SAT", "value": 2}],
            "body.answers.3.concept_code",
            "duplicate",
        ),
        ("missing required", answers()[:2], "body.answers", "missing"),
    ]

    @pytest.mark.parametrize(("case", "given", "field", "code"), CASES, ids=[c[0] for c in CASES])
    def test_invalid_answer_is_422_naming_the_field_and_stores_nothing(
        self, client, world, session, campaign, case, given, field, code
    ):
        body = {"client_response_id": str(uuid.uuid4()), "answers": given}
        r = client.post(url(campaign), json=body, headers=world.headers(Role.feedback_device))
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["type"] == "urn:ciklas:problem:unprocessable"
        assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in problem["errors"]]
        assert count(session) == 0 and count(session, SurveyAnswer) == 0

    def test_missing_required_names_the_question(self, client, world, campaign):
        r = client.post(
            url(campaign),
            json={"client_response_id": str(uuid.uuid4()), "answers": []},
            headers=world.headers(Role.feedback_device),
        )
        assert r.status_code == 422
        assert {e["message"].split()[3] for e in r.json()["errors"]} == {"Q_SAT", "Q_RECOMMEND", "Q_SAFE"}

    def test_optional_questions_may_be_left_out(self, client, world, campaign):
        r = client.post(
            url(campaign),
            json=response_body(Q_ACTIVITIES=[], Q_COMMENT=""),
            headers=world.headers(Role.feedback_device),
        )
        assert r.status_code == 201, r.text


class TestWindow:
    def test_not_yet_open_is_409(self, client, world, session):
        now = datetime.now(UTC)
        c = make_campaign(
            session,
            make_questionnaire(session, world.a.institution),
            world.a.institution,
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=10),
        )
        r = client.post(url(c), json=response_body(), headers=world.headers(Role.feedback_device))
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:campaign-closed"

    def test_late_sync_within_grace_is_accepted(self, client, world, session):
        now = datetime.now(UTC)
        c = make_campaign(
            session,
            make_questionnaire(session, world.a.institution),
            world.a.institution,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(hours=5),
        )
        body = response_body(answered_at=now - timedelta(days=1))
        r = client.post(url(c), json=body, headers=world.headers(Role.feedback_device))
        assert r.status_code == 201, r.text
        assert r.json()["late"] is True
        # answered after closing: refused even within the grace period
        r = client.post(url(c), json=response_body(), headers=world.headers(Role.feedback_device))
        assert r.status_code == 409
        r = client.post(
            url(c),
            json=response_body(answered_at=now - timedelta(hours=4)),
            headers=world.headers(Role.feedback_device),
        )
        assert r.status_code == 409
        assert count(session) == 1

    def test_late_sync_after_grace_is_409_but_a_retry_still_answers(self, client, world, session):
        now = datetime.now(UTC)
        c = make_campaign(
            session,
            make_questionnaire(session, world.a.institution),
            world.a.institution,
            opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(hours=73),
        )
        r = client.post(
            url(c), json=response_body(answered_at=now - timedelta(days=4)), headers=world.headers(Role.feedback_device)
        )
        assert r.status_code == 409 and "grace" in r.json()["detail"]
        assert count(session) == 0

    def test_answered_before_opening_or_in_the_future(self, client, world, session, campaign):
        before = response_body(answered_at=campaign.opens_at - timedelta(hours=1))
        assert client.post(url(campaign), json=before, headers=world.headers(Role.feedback_device)).status_code == 409
        future = response_body(answered_at=datetime.now(UTC) + timedelta(hours=1))
        r = client.post(url(campaign), json=future, headers=world.headers(Role.feedback_device))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.answered_at"

    def test_answered_at_without_time_zone_is_utc(self, client, world, session):
        # An identified campaign: an anonymous one keeps the day only (tests/surveys/test_unlinkable.py).
        campaign = make_campaign(
            session, make_questionnaire(session, world.a.institution), world.a.institution, anonymous=False
        )
        naive = (datetime.now(UTC) - timedelta(minutes=10)).replace(tzinfo=None)
        body = {**response_body(), "answered_at": naive.isoformat()}
        r = client.post(url(campaign), json=body, headers=world.headers(Role.feedback_device))
        assert r.status_code == 201, r.text
        assert r.json()["answered_at"].startswith(naive.isoformat()[:19])

    def test_retry_after_closing_returns_the_original(self, client, world, session):
        now = datetime.now(UTC)
        c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
        body = response_body()
        first = client.post(url(c), json=body, headers=world.headers(Role.feedback_device))
        assert first.status_code == 201
        c.opens_at, c.closes_at = now - timedelta(days=30), now - timedelta(days=20)
        session.add(c)
        session.commit()
        again = client.post(url(c), json=body, headers=world.headers(Role.feedback_device))
        assert again.status_code == 200 and again.json() == first.json()


class TestIdentity:
    def test_anonymous_response_keeps_no_identity(self, client, world, session, campaign):
        for role in (Role.feedback_device, Role.recipient, Role.guardian):
            r = client.post(url(campaign), json=response_body(), headers=world.headers(role))
            assert r.status_code == 201, r.text
        rows = session.exec(select(SurveyResponse)).all()
        assert [(r.respondent_user_id, r.device_client_id) for r in rows] == [(None, None)] * 3
        assert sorted(r.channel for r in rows) == ["device", "guardian", "recipient"]
        assert session.exec(select(AuditEvent).where(AuditEvent.resource_type == "survey_response")).first() is None

    def test_identified_response_keeps_the_respondent(self, client, world, session):
        c = make_campaign(
            session, make_questionnaire(session, world.a.institution), world.a.institution, anonymous=False
        )
        assert client.post(url(c), json=response_body(), headers=world.headers(Role.recipient)).status_code == 201
        assert client.post(url(c), json=response_body(), headers=world.headers(Role.feedback_device)).status_code == 201
        rows = {r.channel: r for r in session.exec(select(SurveyResponse)).all()}
        assert rows["recipient"].respondent_user_id == world.user(Role.recipient).id
        assert rows["device"].device_client_id == world.a.device.id

    def test_audience_limits_recipients_and_guardians(self, client, world, session):
        c = make_campaign(
            session, make_questionnaire(session, world.a.institution), world.a.institution, audience="guardians"
        )
        assert client.post(url(c), json=response_body(), headers=world.headers(Role.recipient)).status_code == 403
        assert client.post(url(c), json=response_body(), headers=world.headers(Role.guardian)).status_code == 201

    def test_other_institution_cannot_submit(self, client, world, session, campaign):
        for role in (Role.feedback_device, Role.recipient):
            r = client.post(url(campaign), json=response_body(), headers=world.headers(role, "b"))
            assert r.status_code == 404
        assert client.post(url(campaign), json=response_body(), headers=world.headers(Role.director)).status_code == 403
        assert count(session) == 0


def test_answers_are_indexed_for_the_aggregates(session, world):
    inspector = sa.inspect(session.get_bind())
    indexes = {tuple(i["column_names"]) for i in inspector.get_indexes("survey_answers")}
    assert ("institution_id", "concept_code", "submitted_on") in indexes
    assert ("institution_id", "dimension_code", "submitted_on") in indexes
