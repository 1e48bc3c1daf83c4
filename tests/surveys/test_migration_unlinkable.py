"""Migration 0016 on data stored before it: anonymous responses lose their time-ordered ids and exact
times, second responses of an identified person go, and an account shared by recipients is unlinked."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from api.db import open_session
from api.migrations import downgrade, upgrade
from api.models import Recipient, SurveyAnswer, SurveyResponse
from api.security.scopes import Role
from api.types import uuid7
from tests.care.factories import make_recipient
from tests.surveys.factories import make_campaign, make_questionnaire

BEFORE = "0012_pull_changes"


def _response(campaign, moment: datetime, *, user=None) -> SurveyResponse:
    return SurveyResponse(
        id=uuid7(),
        institution_id=campaign.institution_id,
        campaign_id=campaign.id,
        version_id=campaign.version_id,
        client_response_id=uuid.uuid4(),
        answers_digest="0" * 64,
        channel="recipient",
        answered_at=moment,
        submitted_at=moment,
        submitted_on=moment.date(),
        respondent_user_id=user.id if user else None,
    )


def _answer(response: SurveyResponse, value: float) -> SurveyAnswer:
    return SurveyAnswer(
        response_id=response.id,
        campaign_id=response.campaign_id,
        institution_id=response.institution_id,
        concept_code="Q_SAT",
        question_type="likert_5",
        value_num=value,
        submitted_on=response.submitted_on,
    )


def test_stored_data_is_made_unlinkable(database_url, world, session):
    engine = world.app.state.engine
    recipient_user, guardian = world.user(Role.recipient), world.user(Role.guardian)
    version = make_questionnaire(session, world.a.institution)
    anonymous = make_campaign(session, version, world.a.institution)
    identified = make_campaign(session, version, world.a.institution, anonymous=False)
    kept = make_recipient(session, world, personal_code="1")
    downgrade(database_url, BEFORE)
    start = datetime(2026, 5, 4, 9, 15, 30, 123456, tzinfo=UTC)
    with open_session(engine, write=True) as s:
        # Two more records linked to one account (possible before), and one to another account.
        shared = [
            Recipient(
                institution_id=world.a.institution.id,
                first_name="A",
                admission_date=date(2026, 1, 1),
                user_id=guardian.id,
            )
            for _ in range(2)
        ]
        s.add_all(shared)
        old = [_response(anonymous, start + timedelta(seconds=i)) for i in range(6)]
        first = _response(identified, start, user=recipient_user)
        second = _response(identified, start + timedelta(hours=1), user=recipient_user)
        s.add_all([*old, first, second])
        s.flush()
        s.add_all([_answer(r, 1 + i % 5) for i, r in enumerate([*old, first, second])])
        s.commit()
        old_ids = {r.id: r.client_response_id for r in old}
        shared_ids = [r.id for r in shared]
    upgrade(database_url)

    by_client = {
        r.client_response_id: r
        for r in session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == anonymous.id)).all()
    }
    assert set(by_client) == set(old_ids.values())  # every response kept, the client's id too
    for row in by_client.values():
        assert row.id not in old_ids and row.id.version == 4
        assert row.answered_at == row.submitted_at == datetime(2026, 5, 4, tzinfo=UTC)
        assert row.respondent_user_id is None
    answers = session.exec(select(SurveyAnswer).where(SurveyAnswer.campaign_id == anonymous.id)).all()
    assert len(answers) == 6 and {a.response_id for a in answers} == {r.id for r in by_client.values()}

    identified_rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == identified.id)).all()
    assert [r.id for r in identified_rows] == [first.id]
    assert session.exec(select(SurveyAnswer.response_id).where(SurveyAnswer.campaign_id == identified.id)).all() == [
        first.id
    ]

    links = dict(session.exec(select(Recipient.id, Recipient.user_id)).all())
    assert links[kept.id] == recipient_user.id
    assert [links[i] for i in shared_ids] == [None, None]
    unique = {i["name"]: i["unique"] for i in sa.inspect(engine).get_indexes("recipients")}
    assert unique["ix_recipients_user_id"] in (True, 1)
