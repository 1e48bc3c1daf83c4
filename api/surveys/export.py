"""A campaign's responses as CSV, one row per response and one column per concept code.

The columns are every concept any version of the questionnaire asks, sorted, so exports of
campaigns run on different versions line up column by column.

Rows come in the order of the response ids, which carries no time for an anonymous campaign (its
ids are random), and an anonymous campaign's `submitted_at` and `answered_at` are the day only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from api.csv_export import csv_text, number
from api.models import QuestionType, SurveyAnswer, SurveyResponse
from api.security.principal import Principal
from api.surveys.access import get_campaign
from api.surveys.questionnaires import concepts_of_questionnaire

FIXED = ["response_id", "submitted_at", "answered_at", "late", "channel"]


def _cell(kind: str, value_num: float | None, value_text: str | None) -> str:
    if kind == QuestionType.yes_no.value:
        return "yes" if value_num else "no"
    if value_num is not None:
        return number(value_num)
    # A respondent's text that would start a formula is neutralised by the one CSV writer.
    return value_text or ""


def _when(anonymous: bool, moment: datetime) -> str:
    return moment.date().isoformat() if anonymous else moment.isoformat()


def export_campaign_csv(session: Session, principal: Principal, campaign_id: uuid.UUID) -> tuple[str, str]:
    """(file name, CSV text)."""
    campaign = get_campaign(session, principal, campaign_id)
    concepts = concepts_of_questionnaire(session, campaign.questionnaire_id)
    responses = session.exec(
        select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id).order_by(SurveyResponse.id)
    ).all()
    cells: dict[uuid.UUID, dict[str, list[str]]] = {}
    answers = session.exec(
        select(
            SurveyAnswer.response_id,
            SurveyAnswer.concept_code,
            SurveyAnswer.question_type,
            SurveyAnswer.value_num,
            SurveyAnswer.value_text,
        )
        .where(SurveyAnswer.campaign_id == campaign.id)
        .order_by(SurveyAnswer.id)
    ).all()
    for response_id, concept, kind, num, text in answers:
        cells.setdefault(response_id, {}).setdefault(concept, []).append(_cell(kind, num, text))
    rows = []
    for r in responses:
        row = cells.get(r.id, {})
        fixed = [
            str(r.id),
            _when(campaign.anonymous, r.submitted_at),
            _when(campaign.anonymous, r.answered_at),
            "true" if r.late else "false",
            r.channel,
        ]
        rows.append(fixed + [_joined(row[c]) if c in row else "" for c in concepts])
    return f"survey-{campaign.id}.csv", csv_text(FIXED + concepts, rows)


def _joined(values: list[str]) -> str:
    """One answer as it is (a number stays a number); several (multi-choice) joined with `;`."""
    return values[0] if len(values) == 1 else ";".join(sorted(values))
