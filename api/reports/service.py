"""The annual report of an institution: the cycle, indicator trends against target and peers, plan
execution, survey results, improvement measures and their effects, SWOT. Aggregates only, so a
municipality may read it: for every reader outside the institution's staff (and in what is
published) a figure resting on fewer than k persons (api/privacy.py) is withheld — indicator
values, a campaign's responses, response rate and dimension means, the cycle's care-plan and
survey figures, a measure's effect measured on such a value — and peers give only the group and
the institution's rank."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from api.cycles.service import cycle_view
from api.indicators.comparison import peer_statistics_many
from api.indicators.periods import Period
from api.measures.schemas import MeasuredEffect
from api.measures.service import compute_effect
from api.models import (
    Campaign,
    ImprovementMeasure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Institution,
    ItemStatus,
    Plan,
    PlanItem,
    Questionnaire,
    QuestionnaireVersion,
    SurveyResponse,
    SwotItem,
    SwotQuadrant,
    ValueStatus,
)
from api.plans.aggregates import items_done_on_time
from api.privacy import Privacy, View
from api.reports.schemas import (
    AnnualReport,
    IndicatorTrend,
    MeasureLine,
    PlanExecution,
    SurveyResult,
    TrendPoint,
)
from api.security.principal import Principal
from api.surveys.aggregates import dimension_score
from api.tenancy import get_or_404
from api.types import start_of_day_utc, today, utcnow


def _indicators(
    session: Session, institution: Institution, year: int, privacy: Privacy, view: View
) -> list[IndicatorTrend]:
    first, last = date(year - 4, 1, 1), date(year, 12, 31)
    rows = session.exec(
        select(IndicatorValue, Indicator)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(
            IndicatorValue.institution_id == institution.id,
            IndicatorValue.status == ValueStatus.published,
            IndicatorValue.period_start >= first,
            IndicatorValue.period_start <= last,
        )
        .order_by(Indicator.code, IndicatorValue.period_start)
    ).all()
    targets = {
        (t.indicator_id, t.period_start): t.target
        for t in session.exec(
            select(IndicatorTarget).where(
                IndicatorTarget.institution_id == institution.id,
                IndicatorTarget.period_start >= first,
                IndicatorTarget.period_start <= last,
            )
        )
    }
    by_indicator: dict[uuid.UUID, tuple[Indicator, list[IndicatorValue]]] = {}
    for value, indicator in rows:
        if indicator.periodicity != "year" and value.period_start.year != year:
            continue  # sub-yearly indicators: the report year's periods only
        by_indicator.setdefault(indicator.id, (indicator, []))[1].append(value)
    # Peers for each indicator's latest period, all in one grouped query.
    latest = {
        indicator_id: (Period.parse(points[-1].period_label).start, points[-1])
        for indicator_id, (_, points) in by_indicator.items()
    }
    # The institution is ranked by its value as the reader sees it (a suppressed value is not ranked).
    peer_stats = peer_statistics_many(
        session,
        institution,
        [
            (indicator_id, start, None if view.hides(value.persons) else value.value, True)
            for indicator_id, (start, value) in latest.items()
        ],
        "municipality",
        privacy,
        period_label="the latest period",
    )
    out = []
    for indicator, points in by_indicator.values():
        peers = peer_stats[(indicator.id, latest[indicator.id][0])]
        out.append(
            IndicatorTrend(
                code=indicator.code,
                name_lt=indicator.name_lt,
                name_en=indicator.name_en,
                unit=str(indicator.unit),
                direction=str(indicator.direction),
                peers=peers.peers,
                peer_statistics=peers,
                points=[
                    TrendPoint(
                        period=p.period_label,
                        value=None if view.hides(p.persons) else p.value,
                        suppressed=view.hides(p.persons),
                        target=targets.get((indicator.id, p.period_start)),
                    )
                    for p in points
                ],
            )
        )
    return out


def _plan_execution(session: Session, institution: Institution, year: int) -> PlanExecution:
    start, end = date(year, 1, 1), date(year, 12, 31)
    plans = session.exec(
        select(Plan)
        .where(Plan.institution_id == institution.id, Plan.period_start >= start, Plan.period_start <= end)
        .order_by(Plan.kind, Plan.revision)
    ).all()
    latest = {}
    for plan in plans:
        latest[(plan.kind, plan.period_label, plan.department_id)] = plan
    by_status = dict(
        session.execute(
            sa.select(PlanItem.status, sa.func.count(PlanItem.id))
            .where(PlanItem.plan_id.in_([p.id for p in latest.values()]))
            .group_by(PlanItem.status)
        ).all()
    )
    on_time, counted = items_done_on_time(session, institution.id, start, end)
    return PlanExecution(
        plans={
            f"{p.kind} {p.period_label}" + (" (department)" if p.department_id else ""): str(p.status)
            for p in latest.values()
        },
        items_by_status={s.value: int(by_status.get(s.value, 0)) for s in ItemStatus},
        items_done_on_time=on_time,
        items_counted_for_on_time=counted,
    )


def _surveys(session: Session, institution: Institution, year: int, view: View) -> list[SurveyResult]:
    counts = (
        sa.select(SurveyResponse.campaign_id, sa.func.count(SurveyResponse.id).label("n"))
        .where(SurveyResponse.institution_id == institution.id)
        .group_by(SurveyResponse.campaign_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Campaign, Questionnaire.kind, QuestionnaireVersion.dimensions, counts.c.n)
        .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Campaign.version_id)
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(
            Campaign.institution_id == institution.id,
            Campaign.opens_at < start_of_day_utc(date(year + 1, 1, 1)),
            Campaign.closes_at >= start_of_day_utc(date(year, 1, 1)),
        )
        .order_by(Campaign.opens_at)
    ).all()
    out = []
    for campaign, kind, dimensions, n in rows:
        n = int(n or 0)
        scores = {}
        for dim in dimensions or []:
            value, respondents = dimension_score(
                session, institution.id, dim["code"], date(year, 1, 1), date(year, 12, 31)
            )
            scores[dim["code"]] = None if view.hides(respondents) else value
        hidden = view.hides(n)  # a campaign's responses and response rate rest on its respondents
        out.append(
            SurveyResult(
                campaign_id=campaign.id,
                name=campaign.name,
                questionnaire_kind=str(kind),
                responses=None if hidden else n,
                dimensions={code: None for code in scores} if hidden else scores,
                response_rate_percent=round(100.0 * n / campaign.population, 1)
                if campaign.population and not hidden
                else None,
                suppressed=hidden,
                suppression_reason=view.reason() if hidden else None,
            )
        )
    return out


def effect_hidden(session: Session, measure: ImprovementMeasure, effect: MeasuredEffect, view: View) -> bool:
    """Whether the effect's values (the evaluation period's and the baseline's) rest on fewer than k
    persons for this reader."""
    if not view.outside or measure.effect_indicator_id is None or effect.state == "not_set":
        return False
    periods = {p for p in (effect.evaluation_period, effect.baseline_period) if p}
    persons = session.exec(
        select(IndicatorValue.persons).where(
            IndicatorValue.institution_id == measure.institution_id,
            IndicatorValue.indicator_id == measure.effect_indicator_id,
            IndicatorValue.period_label.in_(periods),
        )
    ).all()
    return any(view.hides(p) for p in persons)


def _measures(session: Session, institution: Institution, year: int, view: View) -> list[MeasureLine]:
    rows = session.exec(
        select(ImprovementMeasure)
        .where(ImprovementMeasure.institution_id == institution.id, ImprovementMeasure.year == year)
        .order_by(ImprovementMeasure.created_at, ImprovementMeasure.id)
    ).all()
    out = []
    for m in rows:
        effect = compute_effect(session, m)
        hidden = effect_hidden(session, m, effect, view)
        if hidden:
            effect = effect.model_copy(
                update={
                    "baseline_value": None,
                    "measured_value": None,
                    "change": None,
                    "improved": None,
                    "target_reached": None,
                }
            )
        out.append(
            MeasureLine(
                id=m.id,
                title=m.title,
                area=str(m.area),
                status=str(m.status),
                due_date=m.due_date,
                effect=effect,
                effect_suppressed=hidden,
                carried_into_plan_item_id=m.carried_into_plan_item_id,
            )
        )
    return out


def _swot(session: Session, institution: Institution, year: int) -> dict[str, list[str]]:
    rows = session.exec(
        select(SwotItem)
        .where(SwotItem.institution_id == institution.id, SwotItem.year == year)
        .order_by(SwotItem.quadrant, SwotItem.position, SwotItem.created_at)
    ).all()
    out: dict[str, list[str]] = {q.value: [] for q in SwotQuadrant}
    for item in rows:
        out[str(item.quadrant)].append(item.text)
    return out


def annual_report(
    session: Session,
    principal: Principal,
    institution_id: uuid.UUID,
    year: int,
    privacy: Privacy,
    *,
    outside: bool | None = None,
) -> AnnualReport:
    """The report as `principal` may read it: the institution's staff the real figures, everyone
    else the suppressed ones; `outside=True` makes the outside view whoever asks (publishing)."""
    institution = get_or_404(session, Institution, institution_id, principal)
    view = privacy.outside_view() if outside else privacy.view(principal, institution.id)
    as_of = min(today(), date(year, 12, 31))
    return AnnualReport(
        institution_id=institution.id,
        institution_name=institution.name,
        year=year,
        generated_at=utcnow(),
        cycle=cycle_view(session, principal, institution.id, year, as_of, privacy, outside=view.outside),
        indicators=_indicators(session, institution, year, privacy, view),
        plan_execution=_plan_execution(session, institution, year),
        surveys=_surveys(session, institution, year, view),
        measures=_measures(session, institution, year, view),
        swot=_swot(session, institution, year),
        view="outside" if view.outside else "staff",
        suppression_threshold=privacy.k,
    )
