"""Self-assessments: an institution rates each criterion of a template for a period, with evidence
and a comment, and records its findings (strengths, areas to improve) that measures link to."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.assessments.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    AssessmentSummary,
    AssessmentUpdate,
    CriterionPublic,
    FindingCreate,
    FindingPublic,
    RatingPublic,
    RatingPut,
    TemplateCreate,
    TemplatePublic,
)
from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import InvalidTransition, NotFound, ValidationFailed
from api.indicators.periods import Period
from api.models import (
    Assessment,
    AssessmentCriterion,
    AssessmentFinding,
    AssessmentRating,
    AssessmentStatus,
    AssessmentTemplate,
    FindingKind,
    TemplateKind,
)
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import get_or_404, institution_filter, scoped
from api.types import utcnow

RESOURCE = "assessment"


def _institution(principal: Principal) -> uuid.UUID:
    if principal.institution_id is None:
        raise NotFound("Self-assessments belong to an institution.")
    return principal.institution_id


# ---- templates -----------------------------------------------------------------------------------


def _templates_readable(principal: Principal) -> sa.ColumnElement[bool]:
    return sa.or_(
        AssessmentTemplate.institution_id.is_(None), institution_filter(AssessmentTemplate.institution_id, principal)
    )


def _criteria(session: Session, template_id: uuid.UUID) -> list[AssessmentCriterion]:
    return list(
        session.exec(
            select(AssessmentCriterion)
            .where(AssessmentCriterion.template_id == template_id)
            .order_by(AssessmentCriterion.position)
        ).all()
    )


def template_public(session: Session, template: AssessmentTemplate) -> TemplatePublic:
    return TemplatePublic.model_validate(template).model_copy(
        update={"criteria": [CriterionPublic.model_validate(c) for c in _criteria(session, template.id)]}
    )


def get_template(session: Session, principal: Principal, template_id: uuid.UUID) -> AssessmentTemplate:
    row = session.exec(
        select(AssessmentTemplate).where(AssessmentTemplate.id == template_id, _templates_readable(principal))
    ).first()
    if row is None:
        raise NotFound("No assessment template with this id.")
    return row


def list_templates(
    session: Session, principal: Principal, *, kind: TemplateKind | None, sort: str, limit: int, cursor: str | None
) -> tuple[list[AssessmentTemplate], str | None]:
    stmt = select(AssessmentTemplate).where(_templates_readable(principal))
    if kind:
        stmt = stmt.where(AssessmentTemplate.kind == kind)
    return paginate(session, stmt, model=AssessmentTemplate, sort=sort, limit=limit, cursor=cursor)


def create_template(session: Session, principal: Principal, data: TemplateCreate) -> TemplatePublic:
    institution_id = _institution(principal)
    if data.scale_max <= data.scale_min:
        raise ValidationFailed.for_field("body.scale_max", "scale_max must be above scale_min")
    codes = [c.code for c in data.criteria]
    if len(set(codes)) != len(codes):
        raise ValidationFailed.for_field("body.criteria", "criterion codes must be unique")
    template = AssessmentTemplate(
        institution_id=institution_id, kind=TemplateKind.custom, **data.model_dump(exclude={"criteria"})
    )
    session.add(template)
    flush_or_conflict(session, f"Your institution already has a template {data.code}.")
    for position, criterion in enumerate(data.criteria, start=1):
        session.add(AssessmentCriterion(template_id=template.id, position=position, **criterion.model_dump()))
    session.flush()
    audit(session, principal, action="create", resource_type="assessment_template", resource_id=template.id)
    return template_public(session, template)


# ---- assessments ---------------------------------------------------------------------------------


def get_assessment(session: Session, principal: Principal, assessment_id: uuid.UUID) -> Assessment:
    return get_or_404(session, Assessment, assessment_id, principal, what="assessment")


def to_public(session: Session, assessment: Assessment) -> AssessmentPublic:
    ratings = session.exec(
        select(AssessmentRating).where(AssessmentRating.assessment_id == assessment.id).order_by(AssessmentRating.id)
    ).all()
    findings = session.exec(
        select(AssessmentFinding)
        .where(AssessmentFinding.assessment_id == assessment.id)
        .order_by(AssessmentFinding.created_at, AssessmentFinding.id)
    ).all()
    criteria = session.exec(
        select(sa.func.count())
        .select_from(AssessmentCriterion)
        .where(AssessmentCriterion.template_id == assessment.template_id)
    ).one()
    scores = [r.score for r in ratings]
    return AssessmentPublic(
        **AssessmentSummary.model_validate(assessment).model_dump(),
        ratings=[RatingPublic.model_validate(r) for r in ratings],
        findings=[FindingPublic.model_validate(f) for f in findings],
        rated=len(ratings),
        criteria=criteria,
        average_score=round(sum(scores) / len(scores), 2) if scores else None,
    )


def list_assessments(
    session: Session,
    principal: Principal,
    *,
    template_id: uuid.UUID | None,
    period: str | None,
    status: AssessmentStatus | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[AssessmentSummary], str | None]:
    stmt = scoped(select(Assessment), Assessment, principal)
    if template_id:
        stmt = stmt.where(Assessment.template_id == template_id)
    if period:
        stmt = stmt.where(Assessment.period == period)
    if status:
        stmt = stmt.where(Assessment.status == status)
    rows, next_cursor = paginate(session, stmt, model=Assessment, sort=sort, limit=limit, cursor=cursor)
    return [AssessmentSummary.model_validate(r) for r in rows], next_cursor


def create_assessment(session: Session, principal: Principal, data: AssessmentCreate) -> AssessmentPublic:
    institution_id = _institution(principal)
    try:
        template = get_template(session, principal, data.template_id)
    except NotFound as exc:
        raise ValidationFailed.for_field(
            "body.template_id", "No assessment template with this id.", "unknown_id"
        ) from exc
    try:
        period = Period.parse(data.period)
    except ValueError as exc:
        raise ValidationFailed.for_field("body.period", str(exc), "invalid_period") from exc
    assessment = Assessment(
        institution_id=institution_id,
        template_id=template.id,
        period=period.label,
        period_start=period.start,
        summary=data.summary,
        created_by_id=principal.subject_id,
    )
    session.add(assessment)
    flush_or_conflict(session, f"Your institution already has a {template.code} self-assessment for {period.label}.")
    audit(session, principal, action="create", resource_type=RESOURCE, resource_id=assessment.id)
    return to_public(session, assessment)


def read_assessment(session: Session, principal: Principal, assessment_id: uuid.UUID) -> AssessmentPublic:
    return to_public(session, get_assessment(session, principal, assessment_id))


def _editable(session: Session, principal: Principal, assessment_id: uuid.UUID) -> Assessment:
    assessment = get_assessment(session, principal, assessment_id)
    if assessment.status != AssessmentStatus.draft:
        raise InvalidTransition("A completed self-assessment cannot be changed.")
    return assessment


def _touch(session: Session, assessment: Assessment) -> None:
    assessment.updated_at = utcnow()
    session.add(assessment)


def update_assessment(
    session: Session, principal: Principal, assessment_id: uuid.UUID, data: AssessmentUpdate, if_match: str
) -> AssessmentPublic:
    assessment = get_assessment(session, principal, assessment_id)
    check_if_match(if_match, assessment.version)
    if assessment.status != AssessmentStatus.draft:
        raise InvalidTransition("A completed self-assessment cannot be changed.")
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(assessment, key, value)
    _touch(session, assessment)
    flush_or_conflict(session, "The assessment could not be stored.")
    audit(session, principal, action="update", resource_type=RESOURCE, resource_id=assessment.id)
    return to_public(session, assessment)


def rate_criterion(
    session: Session, principal: Principal, assessment_id: uuid.UUID, data: RatingPut
) -> AssessmentPublic:
    """Rate one criterion (again): the score within the template's scale, evidence and comment."""
    assessment = _editable(session, principal, assessment_id)
    criterion = session.exec(
        select(AssessmentCriterion).where(
            AssessmentCriterion.id == data.criterion_id, AssessmentCriterion.template_id == assessment.template_id
        )
    ).first()
    if criterion is None:
        raise ValidationFailed.for_field(
            "body.criterion_id", "The criterion is not one of this assessment's template.", "unknown_id"
        )
    template = session.get(AssessmentTemplate, assessment.template_id)
    if not template.scale_min <= data.score <= template.scale_max:
        raise ValidationFailed.for_field(
            "body.score", f"score must be between {template.scale_min} and {template.scale_max}", "out_of_scale"
        )
    rating = session.exec(
        select(AssessmentRating).where(
            AssessmentRating.assessment_id == assessment.id, AssessmentRating.criterion_id == criterion.id
        )
    ).first()
    if rating is None:
        rating = AssessmentRating(
            institution_id=assessment.institution_id,
            assessment_id=assessment.id,
            criterion_id=criterion.id,
            score=data.score,
        )
    rating.score, rating.evidence, rating.comment = data.score, data.evidence, data.comment
    rating.rated_by_id, rating.updated_at = principal.subject_id, utcnow()
    session.add(rating)
    _touch(session, assessment)
    flush_or_conflict(session, "The rating could not be stored.")
    audit(session, principal, action="rate", resource_type=RESOURCE, resource_id=assessment.id, detail=criterion.code)
    return to_public(session, assessment)


def complete_assessment(
    session: Session, principal: Principal, assessment_id: uuid.UUID, if_match: str
) -> AssessmentPublic:
    assessment = get_assessment(session, principal, assessment_id)
    check_if_match(if_match, assessment.version)
    if assessment.status != AssessmentStatus.draft:
        raise InvalidTransition("The self-assessment is already completed.")
    public = to_public(session, assessment)
    if public.rated < public.criteria:
        raise InvalidTransition(f"Rate every criterion first ({public.rated} of {public.criteria} rated).")
    assessment.status = AssessmentStatus.completed
    assessment.completed_at, assessment.completed_by_id = utcnow(), principal.subject_id
    session.add(assessment)
    flush_or_conflict(session, "The assessment could not be stored.")
    audit(session, principal, action="complete", resource_type=RESOURCE, resource_id=assessment.id)
    return to_public(session, assessment)


def add_finding(session: Session, principal: Principal, assessment_id: uuid.UUID, data: FindingCreate) -> FindingPublic:
    """Findings may be recorded after completion too: they are the conclusions drawn from it."""
    assessment = get_assessment(session, principal, assessment_id)
    if (
        data.criterion_id is not None
        and session.exec(
            select(AssessmentCriterion.id).where(
                AssessmentCriterion.id == data.criterion_id, AssessmentCriterion.template_id == assessment.template_id
            )
        ).first()
        is None
    ):
        raise ValidationFailed.for_field(
            "body.criterion_id", "The criterion is not one of this assessment's template.", "unknown_id"
        )
    finding = AssessmentFinding(
        institution_id=assessment.institution_id,
        assessment_id=assessment.id,
        criterion_id=data.criterion_id,
        kind=data.kind,
        text=data.text,
        created_by_id=principal.subject_id,
    )
    session.add(finding)
    flush_or_conflict(session, "The finding could not be stored.")
    audit(session, principal, action="add_finding", resource_type=RESOURCE, resource_id=assessment.id)
    return FindingPublic.model_validate(finding)


def list_findings(
    session: Session,
    principal: Principal,
    *,
    assessment_id: uuid.UUID | None,
    kind: FindingKind | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[FindingPublic], str | None]:
    """The institution's findings across its self-assessments: what measures can cite."""
    stmt = scoped(select(AssessmentFinding), AssessmentFinding, principal)
    if assessment_id:
        stmt = stmt.where(AssessmentFinding.assessment_id == assessment_id)
    if kind:
        stmt = stmt.where(AssessmentFinding.kind == kind)
    rows, next_cursor = paginate(session, stmt, model=AssessmentFinding, sort=sort, limit=limit, cursor=cursor)
    return [FindingPublic.model_validate(r) for r in rows], next_cursor
