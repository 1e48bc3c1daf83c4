"""Survey scores for the indicators (`api.indicators.sources.compute_survey` calls these).

Both run as one aggregate query over the narrow `survey_answers` table, on the index
(institution_id, concept_code | dimension_code, submitted_on).

* `mean`: the mean of the numeric answers (likert_5 1-5, scale_0_10 0-10, yes_no 1/0, number);
* `top_box`: the share, in percent, of answers in the top box (4-5 of likert_5, 9-10 of
  scale_0_10, yes of yes_no); questions without a top box do not count.

`respondents` is the number of responses behind the value (the suppression threshold uses it).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import ValidationFailed
from api.models import SurveyAnswer

AGGREGATIONS = ("mean", "top_box")


def score_columns(aggregation: str) -> tuple[Any, Any, Any]:
    """(value expression, respondents expression, row condition) of an aggregation."""
    if aggregation == "mean":
        return (
            sa.func.avg(SurveyAnswer.value_num),
            sa.func.count(sa.distinct(SurveyAnswer.response_id)),
            SurveyAnswer.value_num.is_not(None),
        )
    if aggregation == "top_box":
        share = 100.0 * sa.func.avg(sa.case((SurveyAnswer.top_box.is_(True), 1.0), else_=0.0))
        return share, sa.func.count(sa.distinct(SurveyAnswer.response_id)), SurveyAnswer.top_box.is_not(None)
    raise ValidationFailed.for_field(
        "source.aggregation",
        "unknown aggregation",
        detail=f"Unknown survey aggregation {aggregation!r}; use one of {', '.join(AGGREGATIONS)}.",
    )


def _score(
    session: Session,
    column: Any,
    institution_id: uuid.UUID,
    code: str,
    period_start: date,
    period_end: date,
    aggregation: str,
) -> tuple[float | None, int]:
    value, respondents, condition = score_columns(aggregation)
    stmt = select(value, respondents).where(
        SurveyAnswer.institution_id == institution_id,
        column == code,
        SurveyAnswer.submitted_on >= period_start,
        SurveyAnswer.submitted_on <= period_end,
        condition,
    )
    row = session.execute(stmt).one()
    n = int(row[1] or 0)
    return (None if row[0] is None or n == 0 else round(float(row[0]), 4)), n


def concept_score(
    session: Session,
    institution_id: uuid.UUID,
    code: str,
    period_start: date,
    period_end: date,
    aggregation: str = "mean",
) -> tuple[float | None, int]:
    """(value, respondents) of one question concept over the responses submitted in the period."""
    return _score(session, SurveyAnswer.concept_code, institution_id, code, period_start, period_end, aggregation)


def dimension_score(
    session: Session,
    institution_id: uuid.UUID,
    code: str,
    period_start: date,
    period_end: date,
    aggregation: str = "mean",
) -> tuple[float | None, int]:
    """(value, respondents) over every answer of the questions that make up the dimension."""
    return _score(session, SurveyAnswer.dimension_code, institution_id, code, period_start, period_end, aggregation)
