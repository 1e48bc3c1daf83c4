"""Recomputing one computed indicator for a period across institutions, as a platform job.

Survey sources run ONE grouped aggregate over the answers of every institution (instead of one
query per institution); other sources compute institution by institution. Published values are
left alone (they change only through corrections); drafts are refreshed and missing ones created.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.crud import flush_or_conflict
from api.indicators import catalogue, sources
from api.indicators.periods import Period
from api.indicators.schemas import BulkRecomputeResult, RecomputeRequest
from api.indicators.sources import ComputedValue, SourceNotAvailable
from api.indicators.targets import parse_period
from api.models import Indicator, IndicatorValue, Institution, SourceKind, ValueOrigin, ValueStatus
from api.security.principal import Principal
from api.types import utcnow


@dataclass(frozen=True)
class BulkOutcome:
    created: int
    refreshed: int
    published_kept: int


def _survey_values(
    session: Session, indicator: Indicator, institution_ids: list[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, ComputedValue]:
    try:
        from api.models import SurveyAnswer
        from api.surveys.aggregates import score_columns
    except ImportError as exc:  # the surveys domain is not installed
        raise SourceNotAvailable("The surveys domain is not available in this installation.") from exc
    source = indicator.source
    aggregation = source.get("aggregation", "mean")
    if source.get("concept_code"):
        key, code, column = "concept_code", source["concept_code"], SurveyAnswer.concept_code
    else:
        key, code, column = "dimension_code", source["dimension_code"], SurveyAnswer.dimension_code
    value, respondents, condition = score_columns(aggregation)
    rows = session.execute(
        select(SurveyAnswer.institution_id, value, respondents)
        .where(
            SurveyAnswer.institution_id.in_(institution_ids),
            column == code,
            SurveyAnswer.submitted_on >= start,
            SurveyAnswer.submitted_on <= end,
            condition,
        )
        .group_by(SurveyAnswer.institution_id)
    ).all()
    found = {r[0]: (r[1], int(r[2] or 0)) for r in rows}
    out = {}
    for inst in institution_ids:
        v, n = found.get(inst, (None, 0))
        out[inst] = ComputedValue(
            value=None if v is None or n == 0 else round(float(v), 4),
            records=n,
            inputs={key: code, "aggregation": aggregation, "respondents": n},
            persons=n,
        )
    return out


def computed_values(
    session: Session, indicator: Indicator, institution_ids: list[uuid.UUID], period: Period
) -> dict[uuid.UUID, ComputedValue]:
    if indicator.source_kind == SourceKind.survey:
        return _survey_values(session, indicator, institution_ids, period.start, period.end)
    return {inst: sources.compute(session, inst, indicator, period.start, period.end) for inst in institution_ids}


def recompute_all(
    session: Session,
    principal: Principal,
    indicator: Indicator,
    period: Period,
    institution_ids: Iterable[uuid.UUID] | None = None,
) -> BulkOutcome:
    """Refresh the period's draft values of `indicator` for every institution that may use it."""
    if indicator.source_kind == SourceKind.manual:
        raise SourceNotAvailable("A manual indicator is entered by hand, not computed.")
    if institution_ids is None:
        stmt = select(Institution.id)
        if indicator.institution_id is not None:
            stmt = stmt.where(Institution.id == indicator.institution_id)
        institution_ids = session.exec(stmt).all()
    ids = list(institution_ids)
    computed = computed_values(session, indicator, ids, period)
    existing = {
        row.institution_id: row
        for row in session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator.id,
                IndicatorValue.period_start == period.start,
                IndicatorValue.institution_id.in_(ids),
            )
        )
    }
    now, created, refreshed, kept = utcnow(), 0, 0, 0
    for inst in ids:
        result = computed[inst]
        row = existing.get(inst)
        if row is not None and row.status == ValueStatus.published:
            kept += 1
            continue
        if row is None:
            row = IndicatorValue(
                institution_id=inst,
                indicator_id=indicator.id,
                periodicity=period.periodicity,
                period_start=period.start,
                period_end=period.end,
                period_label=period.label,
                origin=ValueOrigin.computed,
            )
            created += 1
        else:
            refreshed += 1
        row.value, row.records, row.persons = result.value, result.records, result.persons
        row.inputs, row.computed_at, row.origin = result.inputs, now, ValueOrigin.computed
        row.entered_by = principal.subject_id
        session.add(row)
    flush_or_conflict(session, f"Values for {period.label} changed meanwhile; retry.")
    audit(
        session,
        principal,
        action="recompute_all",
        resource_type="indicator",
        resource_id=indicator.id,
        institution_id=indicator.institution_id,
        detail=f"{period.label}: {created} created, {refreshed} refreshed, {kept} published kept",
    )
    return BulkOutcome(created=created, refreshed=refreshed, published_kept=kept)


def recompute_platform_indicator(
    session: Session, principal: Principal, indicator_id: uuid.UUID, data: RecomputeRequest
) -> BulkRecomputeResult:
    indicator = catalogue.get_platform(session, principal, indicator_id)
    period = parse_period(indicator, data.period)
    outcome = recompute_all(session, principal, indicator, period)
    return BulkRecomputeResult(
        indicator_id=indicator.id,
        period=period.label,
        created=outcome.created,
        refreshed=outcome.refreshed,
        published_kept=outcome.published_kept,
    )
