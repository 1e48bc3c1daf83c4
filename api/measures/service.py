"""Improvement measures: proposed → approved → in_progress → completed → effective | not_effective.

A measure rests on evidence (an indicator comparison snapshotted when linked, a survey result, a
self-assessment finding, a SWOT item, a proposal) and names its expected effect. Whether it was
effective is never typed in: it is computed from the evaluation period's published indicator value
against the snapshot.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import InvalidTransition, NotFound, ValidationFailed
from api.indicators import catalogue, comparison
from api.indicators.targets import parse_period
from api.measures.schemas import (
    ComparisonSnapshot,
    EvidenceCreate,
    EvidencePublic,
    ExpectedEffect,
    ExpectedEffectPublic,
    MeasureCreate,
    MeasuredEffect,
    MeasurePublic,
    MeasureSummary,
    MeasureUpdate,
)
from api.models import (
    AssessmentFinding,
    EvidenceKind,
    ImprovementMeasure,
    Indicator,
    IndicatorDirection,
    IndicatorValue,
    MeasureArea,
    MeasureEvidence,
    MeasureStatus,
    SwotItem,
    User,
    ValueStatus,
)
from api.pagination import paginate
from api.privacy import Privacy
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped
from api.types import today, utcnow
from api.webhooks.outbox import emit

RESOURCE = "improvement_measure"
#: Where each action may start from, and where it leads.
TRANSITIONS: dict[str, tuple[MeasureStatus, MeasureStatus]] = {
    "approve": (MeasureStatus.proposed, MeasureStatus.approved),
    "start": (MeasureStatus.approved, MeasureStatus.in_progress),
    "complete": (MeasureStatus.in_progress, MeasureStatus.completed),
}
EDITABLE = (MeasureStatus.proposed, MeasureStatus.approved, MeasureStatus.in_progress)
#: Measures that go on into next year's plan: not yet completed, or completed without effect.
CARRYABLE = (MeasureStatus.proposed, MeasureStatus.approved, MeasureStatus.in_progress, MeasureStatus.not_effective)


def get_measure(session: Session, principal: Principal, measure_id: uuid.UUID) -> ImprovementMeasure:
    return get_or_404(session, ImprovementMeasure, measure_id, principal, what="improvement measure")


# ---- reading -------------------------------------------------------------------------------------


def _evidence(session: Session, measure_id: uuid.UUID) -> list[MeasureEvidence]:
    return list(
        session.exec(
            select(MeasureEvidence)
            .where(MeasureEvidence.measure_id == measure_id)
            .order_by(MeasureEvidence.created_at, MeasureEvidence.id)
        ).all()
    )


def _baseline(evidence: list[MeasureEvidence], code: str) -> MeasureEvidence | None:
    """The latest comparison snapshot of the effect's indicator that holds a value."""
    candidates = [
        e
        for e in evidence
        if e.kind == EvidenceKind.indicator_comparison
        and e.indicator_code == code
        and e.snapshot
        and e.snapshot.get("value") is not None
    ]
    return candidates[-1] if candidates else None


def compute_effect(
    session: Session, measure: ImprovementMeasure, evidence: list[MeasureEvidence] | None = None
) -> MeasuredEffect:
    """The effect from the evaluation period's published value against the evidence snapshot."""
    if measure.effect_indicator_id is None or measure.effect_period is None:
        return MeasuredEffect(state="not_set")
    indicator = session.get(Indicator, measure.effect_indicator_id)
    effect = MeasuredEffect(
        state="awaiting_value",
        indicator_code=measure.effect_indicator_code,
        evaluation_period=measure.effect_period,
        target=measure.effect_target,
    )
    baseline = _baseline(
        evidence if evidence is not None else _evidence(session, measure.id), measure.effect_indicator_code or ""
    )
    if baseline is not None:
        effect.baseline_period = baseline.snapshot["period"]
        effect.baseline_value = baseline.snapshot["value"]
    if indicator is None:
        return effect
    try:
        period = parse_period(indicator, measure.effect_period)
    except ValidationFailed:  # the indicator's periodicity changed since: no value can be matched
        return effect
    value = session.exec(
        select(IndicatorValue.value).where(
            IndicatorValue.institution_id == measure.institution_id,
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.period_start == period.start,
            IndicatorValue.status == ValueStatus.published,
        )
    ).first()
    if value is None:
        return effect
    higher = indicator.direction == IndicatorDirection.higher_is_better
    effect.state = "measured"
    effect.measured_value = value
    if effect.baseline_value is not None:
        effect.change = value - effect.baseline_value
        effect.improved = effect.change > 0 if higher else effect.change < 0
    if measure.effect_target is not None:
        effect.target_reached = value >= measure.effect_target if higher else value <= measure.effect_target
    return effect


def to_public(session: Session, measure: ImprovementMeasure) -> MeasurePublic:
    evidence = _evidence(session, measure.id)
    expected = None
    if measure.effect_indicator_code and measure.effect_period and measure.effect_target is not None:
        expected = ExpectedEffectPublic(
            indicator_code=measure.effect_indicator_code,
            target=measure.effect_target,
            evaluation_period=measure.effect_period,
        )
    overdue = bool(measure.due_date and measure.due_date < today() and measure.status in EDITABLE)
    return MeasurePublic(
        **MeasureSummary.model_validate(measure).model_dump(),
        description=measure.description,
        expected_effect=expected,
        evidence=[EvidencePublic.model_validate(e) for e in evidence],
        effect=compute_effect(session, measure, evidence),
        approved_by_id=measure.approved_by_id,
        approved_at=measure.approved_at,
        started_at=measure.started_at,
        completed_at=measure.completed_at,
        evaluated_at=measure.evaluated_at,
        overdue=overdue,
    )


def list_measures(
    session: Session,
    principal: Principal,
    *,
    year: int | None,
    status: MeasureStatus | None,
    area: MeasureArea | None,
    owner_id: uuid.UUID | None,
    carryable: bool | None,
    overdue: bool | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[MeasureSummary], str | None]:
    stmt = scoped(select(ImprovementMeasure), ImprovementMeasure, principal)
    if year is not None:
        stmt = stmt.where(ImprovementMeasure.year == year)
    if status:
        stmt = stmt.where(ImprovementMeasure.status == status)
    if area:
        stmt = stmt.where(ImprovementMeasure.area == area)
    if owner_id:
        stmt = stmt.where(ImprovementMeasure.owner_id == owner_id)
    if carryable is True:
        stmt = stmt.where(ImprovementMeasure.status.in_(CARRYABLE))
    elif carryable is False:
        stmt = stmt.where(ImprovementMeasure.status.not_in(CARRYABLE))
    if overdue is not None:
        late = sa.and_(ImprovementMeasure.due_date < today(), ImprovementMeasure.status.in_(EDITABLE))
        stmt = stmt.where(late if overdue else sa.not_(late) | ImprovementMeasure.due_date.is_(None))
    rows, next_cursor = paginate(session, stmt, model=ImprovementMeasure, sort=sort, limit=limit, cursor=cursor)
    return [MeasureSummary.model_validate(r) for r in rows], next_cursor


def read_measure(session: Session, principal: Principal, measure_id: uuid.UUID) -> MeasurePublic:
    return to_public(session, get_measure(session, principal, measure_id))


def read_effect(session: Session, principal: Principal, measure_id: uuid.UUID) -> MeasuredEffect:
    return compute_effect(session, get_measure(session, principal, measure_id))


# ---- writing -------------------------------------------------------------------------------------


def _check_owner(session: Session, principal: Principal, owner_id: uuid.UUID | None) -> None:
    if owner_id is None:
        return
    user = session.get(User, owner_id)
    if user is None or user.institution_id != principal.institution_id or not user.is_active:
        raise ValidationFailed.for_field(
            "body.owner_id", "owner_id is not an active user of your institution", "unknown_id"
        )


def _writer_institution(principal: Principal) -> uuid.UUID:
    if principal.institution_id is None:
        raise NotFound("Measures belong to an institution.")
    return principal.institution_id


def _set_expected_effect(
    session: Session, principal: Principal, measure: ImprovementMeasure, effect: ExpectedEffect | None
) -> None:
    if effect is None:
        measure.effect_indicator_id = measure.effect_indicator_code = None
        measure.effect_target = None
        measure.effect_period = None
        return
    try:
        indicator = catalogue.find_by_code(session, principal, effect.indicator_code, measure.institution_id)
    except NotFound as exc:
        raise ValidationFailed.for_field(
            "body.expected_effect.indicator_code",
            f"No indicator with the code {effect.indicator_code}.",
            "unknown_code",
        ) from exc
    period = parse_period(indicator, effect.evaluation_period, "body.expected_effect.evaluation_period")
    measure.effect_indicator_id = indicator.id
    measure.effect_indicator_code = indicator.code
    measure.effect_target = effect.target
    measure.effect_period = period.label


def create_measure(session: Session, principal: Principal, data: MeasureCreate) -> MeasurePublic:
    institution_id = _writer_institution(principal)
    _check_owner(session, principal, data.owner_id)
    measure = ImprovementMeasure(
        institution_id=institution_id,
        year=data.year,
        title=data.title,
        description=data.description,
        area=data.area,
        owner_id=data.owner_id,
        due_date=data.due_date,
        created_by_id=principal.subject_id,
    )
    _set_expected_effect(session, principal, measure, data.expected_effect)
    session.add(measure)
    flush_or_conflict(session, "The measure could not be stored.")
    audit(session, principal, action="create", resource_type=RESOURCE, resource_id=measure.id)
    return to_public(session, measure)


def _require_editable(measure: ImprovementMeasure) -> None:
    if measure.status not in EDITABLE:
        raise InvalidTransition(f"A {measure.status} measure cannot be changed.")


def update_measure(
    session: Session, principal: Principal, measure_id: uuid.UUID, patch: MeasureUpdate, if_match: str
) -> MeasurePublic:
    measure = get_measure(session, principal, measure_id)
    check_if_match(if_match, measure.version)
    _require_editable(measure)
    data = patched_fields(patch, not_null=("title", "area"))
    if "owner_id" in data:
        _check_owner(session, principal, data["owner_id"])
    if "expected_effect" in data:
        _set_expected_effect(session, principal, measure, patch.expected_effect)
        del data["expected_effect"]
    for key, value in data.items():
        setattr(measure, key, value)
    measure.updated_at = utcnow()
    session.add(measure)
    flush_or_conflict(session, "The measure could not be stored.")
    audit(session, principal, action="update", resource_type=RESOURCE, resource_id=measure.id)
    return to_public(session, measure)


def delete_measure(session: Session, principal: Principal, measure_id: uuid.UUID, if_match: str) -> None:
    measure = get_measure(session, principal, measure_id)
    check_if_match(if_match, measure.version)
    if measure.status != MeasureStatus.proposed:
        raise InvalidTransition("Only a proposed measure can be deleted.")
    for evidence in _evidence(session, measure.id):
        session.delete(evidence)
    session.delete(measure)
    flush_or_conflict(session, "The measure could not be deleted.")
    audit(session, principal, action="delete", resource_type=RESOURCE, resource_id=measure_id)


def transition(
    session: Session, principal: Principal, measure_id: uuid.UUID, action: str, if_match: str
) -> MeasurePublic:
    """approve, start or complete; a measure in any other status answers 409 and stays as it was."""
    measure = get_measure(session, principal, measure_id)
    check_if_match(if_match, measure.version)
    source, target = TRANSITIONS[action]
    if measure.status != source:
        raise InvalidTransition(f"Only a {source} measure can be {target}; this one is {measure.status}.")
    now = utcnow()
    measure.status = target
    if action == "approve":
        measure.approved_at, measure.approved_by_id = now, principal.subject_id
    elif action == "start":
        measure.started_at = now
    else:
        measure.completed_at = now
    session.add(measure)
    flush_or_conflict(session, "The measure could not be stored.")
    audit(session, principal, action=action, resource_type=RESOURCE, resource_id=measure.id)
    public = to_public(session, measure)
    if action == "complete":
        emit(
            session,
            "measure.completed",
            measure.institution_id,
            {
                "measure_id": str(measure.id),
                "year": measure.year,
                "title": measure.title,
                "area": measure.area,
                "completed_at": now.isoformat(),
                "expected_effect": public.expected_effect.model_dump() if public.expected_effect else None,
            },
        )
    return public


def evaluate_measure(session: Session, principal: Principal, measure_id: uuid.UUID, if_match: str) -> MeasurePublic:
    """completed → effective or not_effective, as the computed effect says (target reached or not)."""
    measure = get_measure(session, principal, measure_id)
    check_if_match(if_match, measure.version)
    if measure.status != MeasureStatus.completed:
        raise InvalidTransition(f"Only a completed measure is evaluated; this one is {measure.status}.")
    effect = compute_effect(session, measure)
    if effect.state == "not_set":
        raise InvalidTransition("The measure names no expected effect to evaluate it against.")
    if effect.state != "measured":
        raise InvalidTransition(
            f"No published value of {effect.indicator_code} for {effect.evaluation_period} yet; evaluate it later."
        )
    measure.status = MeasureStatus.effective if effect.target_reached else MeasureStatus.not_effective
    measure.measured_value, measure.measured_baseline = effect.measured_value, effect.baseline_value
    measure.measured_change, measure.target_reached = effect.change, effect.target_reached
    measure.evaluated_at = utcnow()
    session.add(measure)
    flush_or_conflict(session, "The measure could not be stored.")
    audit(
        session,
        principal,
        action="evaluate",
        resource_type=RESOURCE,
        resource_id=measure.id,
        detail=str(measure.status),
    )
    return to_public(session, measure)


# ---- evidence ------------------------------------------------------------------------------------


def _snapshot(
    session: Session, principal: Principal, measure: ImprovementMeasure, data: EvidenceCreate, privacy: Privacy
) -> ComparisonSnapshot:
    if not data.indicator_code:
        raise ValidationFailed.for_field(
            "body.indicator_code", "an indicator comparison names indicator_code", "missing"
        )
    try:
        indicator = catalogue.find_by_code(session, principal, data.indicator_code, measure.institution_id)
    except NotFound as exc:
        raise ValidationFailed.for_field(
            "body.indicator_code", f"No indicator with the code {data.indicator_code}.", "unknown_code"
        ) from exc
    if data.period:
        parse_period(indicator, data.period, "body.period")
    found = comparison.compare(
        session,
        principal,
        indicator.code,
        institution_id=measure.institution_id,
        period_label=data.period,
        peer_scope="municipality",
        trend_periods=1,
        privacy=privacy,
    )
    return ComparisonSnapshot(
        indicator_code=indicator.code,
        period=found.period,
        value=found.value,
        status=str(found.status) if found.status else None,
        target=found.target,
        previous_period=found.previous_period,
        previous_value=found.previous_value,
        peer_scope=found.peers.scope,
        peers=found.peers.peers,
        peer_median=found.peers.median,
        taken_at=utcnow(),
    )


def add_evidence(
    session: Session, principal: Principal, measure_id: uuid.UUID, data: EvidenceCreate, privacy: Privacy
) -> EvidencePublic:
    measure = get_measure(session, principal, measure_id)
    row = MeasureEvidence(
        institution_id=measure.institution_id,
        measure_id=measure.id,
        kind=data.kind,
        summary=data.summary,
        created_by_id=principal.subject_id,
    )
    if data.kind == EvidenceKind.indicator_comparison:
        snap = _snapshot(session, principal, measure, data, privacy)
        row.indicator_code, row.period = snap.indicator_code, snap.period
        row.snapshot = snap.model_dump(mode="json")
    else:
        if data.ref_id is None:
            raise ValidationFailed.for_field("body.ref_id", f"{data.kind} evidence names ref_id", "missing")
        own = {EvidenceKind.assessment_finding: AssessmentFinding, EvidenceKind.swot_item: SwotItem}.get(data.kind)
        if (
            own is not None
            and session.exec(scoped(select(own.id).where(own.id == data.ref_id), own, principal)).first() is None
        ):
            raise ValidationFailed.for_field(
                "body.ref_id", f"No {data.kind} of your institution with this id.", "unknown_id"
            )
        row.ref_id = data.ref_id
    session.add(row)
    measure.updated_at = utcnow()  # new evidence is a change of the measure: its ETag moves on
    session.add(measure)
    flush_or_conflict(session, "The evidence could not be stored.")
    audit(
        session, principal, action="add_evidence", resource_type=RESOURCE, resource_id=measure.id, detail=str(data.kind)
    )
    return EvidencePublic.model_validate(row)


def remove_evidence(session: Session, principal: Principal, measure_id: uuid.UUID, evidence_id: uuid.UUID) -> None:
    measure = get_measure(session, principal, measure_id)
    row = session.exec(
        select(MeasureEvidence).where(MeasureEvidence.id == evidence_id, MeasureEvidence.measure_id == measure.id)
    ).first()
    if row is None:
        raise NotFound("No evidence with this id on this measure.")
    session.delete(row)
    measure.updated_at = utcnow()
    session.add(measure)
    flush_or_conflict(session, "The evidence could not be removed.")
    audit(session, principal, action="remove_evidence", resource_type=RESOURCE, resource_id=measure.id)


# ---- for planning: carrying measures into next year's plan ----------------------------------------


def carryable_measures(session: Session, institution_id: uuid.UUID, year: int) -> list[ImprovementMeasure]:
    """Measures of `year` that next year's plan should carry: not completed, or completed without
    effect, and not carried yet."""
    return list(
        session.exec(
            select(ImprovementMeasure)
            .where(
                ImprovementMeasure.institution_id == institution_id,
                ImprovementMeasure.year == year,
                ImprovementMeasure.status.in_(CARRYABLE),
                ImprovementMeasure.carried_into_plan_item_id.is_(None),
            )
            .order_by(ImprovementMeasure.created_at, ImprovementMeasure.id)
        ).all()
    )


def mark_carried_into_plan(
    session: Session, principal: Principal, measure_id: uuid.UUID, plan_item_id: uuid.UUID
) -> ImprovementMeasure:
    """Record that `plan_item_id` (an item of next year's plan) carries the measure on. Planning
    calls this in the same transaction that creates the item; 409 for a measure that was
    effective, completed and not yet evaluated, or already carried."""
    measure = get_measure(session, principal, measure_id)
    if measure.status not in CARRYABLE:
        raise InvalidTransition(f"A {measure.status} measure is not carried into next year's plan.")
    if measure.carried_into_plan_item_id is not None:
        raise InvalidTransition("The measure is already carried into a plan.")
    measure.carried_into_plan_item_id = plan_item_id
    session.add(measure)
    flush_or_conflict(session, "The measure could not be stored.")
    audit(
        session,
        principal,
        action="carry_into_plan",
        resource_type=RESOURCE,
        resource_id=measure.id,
        detail=str(plan_item_id),
    )
    return measure
