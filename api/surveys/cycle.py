"""The survey part of the yearly cycle (api/cycles): campaigns run in the year, their response
rates, and the obligation of at least one satisfaction survey a year. Aggregates only; the
responses and the response rate rest on the respondents (one response, one person), so outside
the institution's staff they are suppressed under k respondents (`ctx.figure`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from api.cycles.schemas import CycleSection, Obligation
from api.models import Campaign, Questionnaire, QuestionnaireKind, SurveyResponse
from api.types import start_of_day_utc


def cycle_provider(ctx: Any) -> tuple[CycleSection, list[Obligation]]:
    inst = ctx.institution.id
    responses = (
        sa.select(SurveyResponse.campaign_id, sa.func.count(SurveyResponse.id).label("n"))
        .where(SurveyResponse.institution_id == inst)
        .group_by(SurveyResponse.campaign_id)
        .subquery()
    )
    rows = ctx.session.execute(
        sa.select(Campaign.id, Campaign.population, Campaign.closes_at, Questionnaire.kind, responses.c.n)
        .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
        .outerjoin(responses, responses.c.campaign_id == Campaign.id)
        .where(
            Campaign.institution_id == inst,
            Campaign.opens_at < start_of_day_utc(date(ctx.year + 1, 1, 1)),
            Campaign.closes_at >= start_of_day_utc(ctx.start),
        )
    ).all()
    as_of = start_of_day_utc(ctx.as_of)
    rates = [round(100.0 * (r.n or 0) / r.population, 1) for r in rows if r.population]
    kinds = sorted({str(r.kind) for r in rows})
    responses = sum(int(r.n or 0) for r in rows)
    figures = {
        "campaigns": len(rows),
        "campaigns_closed": sum(1 for r in rows if r.closes_at <= as_of),
        "responses": ctx.figure(responses, responses),
        "mean_response_rate_percent": ctx.figure(round(sum(rates) / len(rates), 1) if rates else None, responses),
        "kinds_surveyed": ", ".join(kinds),
    }
    of_satisfaction = [r for r in rows if str(r.kind) == QuestionnaireKind.satisfaction.value and (r.n or 0) > 0]
    satisfaction = len(of_satisfaction)
    due = ctx.end
    return CycleSection(available=True, figures=figures), [
        Obligation(
            code=f"satisfaction_survey_{ctx.year}",
            title_lt="Paslaugų gavėjų pasitenkinimo apklausa",
            title_en="Recipient satisfaction survey run",
            due_date=due,
            status=ctx.status(due, satisfaction > 0),
            evidence={
                "satisfaction_campaigns_with_responses": ctx.figure(
                    satisfaction, sum(int(r.n or 0) for r in of_satisfaction)
                )
            },
        )
    ]
