"""concept_score and dimension_score: the SQL aggregates the survey indicators are computed from."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from api.models import SurveyAnswer
from api.surveys.aggregates import concept_score, dimension_score
from api.types import today
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import submit_known


def _setup(client, world, session):
    version = make_questionnaire(session, world.a.institution)
    submit_known(client, world, make_campaign(session, version, world.a.institution))
    b_version = make_questionnaire(session, world.b.institution)
    submit_known(
        client, world, make_campaign(session, b_version, world.b.institution), tenant="b", rows=[(1, 1, False)] * 2
    )


def test_concept_score_mean_and_top_box(client, world, session):
    _setup(client, world, session)
    a, day = world.a.institution.id, today()
    assert concept_score(session, a, "Q_SAT", day, day) == (3.5, 4)
    assert concept_score(session, a, "Q_SAT", day, day, "top_box") == (50.0, 4)
    assert concept_score(session, a, "Q_RECOMMEND", day, day) == (6.75, 4)
    assert concept_score(session, a, "Q_SAFE", day, day, "top_box") == (75.0, 4)
    assert concept_score(session, a, "Q_SAFE", day, day, "mean") == (0.75, 4)
    assert concept_score(session, world.b.institution.id, "Q_SAT", day, day) == (1.0, 2)
    assert concept_score(session, world.c.institution.id, "Q_SAT", day, day) == (None, 0)
    assert concept_score(session, a, "Q_NONE", day, day) == (None, 0)


def test_dimension_score_counts_respondents_once(client, world, session):
    _setup(client, world, session)
    a, day = world.a.institution.id, today()
    assert dimension_score(session, a, "SATISFACTION", day, day) == (5.125, 4)
    assert dimension_score(session, a, "SATISFACTION", day, day, "top_box") == (50.0, 4)


def test_period_days_are_inclusive(client, world, session):
    _setup(client, world, session)
    a, day = world.a.institution.id, today()
    assert concept_score(session, a, "Q_SAT", day + timedelta(days=1), day + timedelta(days=30)) == (None, 0)
    assert concept_score(session, a, "Q_SAT", day - timedelta(days=30), day - timedelta(days=1)) == (None, 0)
    # move two answers to the first and last day of a past period
    rows = session.exec(
        select(SurveyAnswer)
        .where(SurveyAnswer.institution_id == a, SurveyAnswer.concept_code == "Q_SAT")
        .order_by(SurveyAnswer.value_num)
    ).all()
    rows[0].submitted_on, rows[1].submitted_on = date(2025, 1, 1), date(2025, 12, 31)  # values 2 and 3
    session.add_all(rows[:2])
    session.commit()
    assert concept_score(session, a, "Q_SAT", date(2025, 1, 1), date(2025, 12, 31)) == (2.5, 2)
    assert concept_score(session, a, "Q_SAT", date(2025, 1, 2), date(2025, 12, 30)) == (None, 0)
    assert concept_score(session, a, "Q_SAT", day, day) == (4.5, 2)


def test_unknown_aggregation_is_refused(session, world):
    import pytest

    from api.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        concept_score(session, world.a.institution.id, "Q_SAT", today(), today(), "median")
