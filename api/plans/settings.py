"""An institution's planning settings: the approval rule per budget year and the review cadence per
kind of plan. The director and the quality lead set them; everyone who reads plans reads them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import ValidationFailed
from api.models import Plan, PlanApprovalRule, PlanKind, PlanReview, PlanReviewCadence, PlanStatus
from api.pagination import paginate
from api.plans.access import require_planner
from api.plans.deadlines import DEFAULT_REVIEW_MONTHS, next_review
from api.plans.periods import add_months
from api.plans.schemas import (
    ApprovalRuleCreate,
    ApprovalRulePublic,
    ApprovalRuleUpdate,
    CadenceCreate,
    CadencePublic,
    CadenceUpdate,
)
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped

# --- approval rules --------------------------------------------------------------------------------


def rule_public(rule: PlanApprovalRule) -> ApprovalRulePublic:
    due = add_months(rule.budget_approved_on, rule.approve_within_months) if rule.budget_approved_on else None
    return ApprovalRulePublic.model_validate(rule).model_copy(update={"approval_due_date": due})


def list_rules(
    session: Session, principal: Principal, *, year: int | None, sort: str, limit: int, cursor: str | None
) -> tuple[list[ApprovalRulePublic], str | None]:
    stmt = scoped(select(PlanApprovalRule), PlanApprovalRule, principal)
    if year is not None:
        stmt = stmt.where(PlanApprovalRule.year == year)
    rows, next_cursor = paginate(session, stmt, model=PlanApprovalRule, sort=sort, limit=limit, cursor=cursor)
    return [rule_public(r) for r in rows], next_cursor


def get_rule(session: Session, principal: Principal, rule_id: uuid.UUID) -> PlanApprovalRule:
    return get_or_404(session, PlanApprovalRule, rule_id, principal, what="approval rule")


def create_rule(session: Session, principal: Principal, data: ApprovalRuleCreate) -> PlanApprovalRule:
    require_planner(principal, "approval rules")
    rule = PlanApprovalRule(institution_id=principal.institution_id, **data.model_dump())
    session.add(rule)
    flush_or_conflict(session, f"The institution already has an approval rule for {data.year}; update it.")
    audit(session, principal, action="create", resource_type="plan_approval_rule", resource_id=rule.id)
    return rule


def update_rule(
    session: Session, principal: Principal, rule_id: uuid.UUID, patch: ApprovalRuleUpdate, if_match: str
) -> PlanApprovalRule:
    rule = get_rule(session, principal, rule_id)
    require_planner(principal, "approval rules")
    check_if_match(if_match, rule.version)
    data = patch.model_dump(exclude_unset=True)
    if "approve_within_months" in data and data["approve_within_months"] is None:
        raise ValidationFailed.for_field("body.approve_within_months", "approve_within_months cannot be null")
    for key, value in data.items():
        setattr(rule, key, value)
    session.add(rule)
    session.flush()
    audit(session, principal, action="update", resource_type="plan_approval_rule", resource_id=rule.id)
    return rule


# --- review cadences -------------------------------------------------------------------------------


def list_cadences(session: Session, principal: Principal) -> list[CadencePublic]:
    """Every kind of plan with the cadence that applies: the institution's own or the default."""
    own = {
        PlanKind(r.kind): r for r in session.exec(scoped(select(PlanReviewCadence), PlanReviewCadence, principal)).all()
    }
    out = []
    for kind in PlanKind:
        row = own.get(kind)
        if row is not None:
            out.append(
                CadencePublic(
                    id=row.id, kind=kind, interval_months=row.interval_months, default=False, version=row.version
                )
            )
        else:
            out.append(
                CadencePublic(
                    id=None, kind=kind, interval_months=DEFAULT_REVIEW_MONTHS.get(kind), default=True, version=0
                )
            )
    return out


def cadence_public(row: PlanReviewCadence) -> CadencePublic:
    return CadencePublic(
        id=row.id, kind=row.kind, interval_months=row.interval_months, default=False, version=row.version
    )


def get_cadence(session: Session, principal: Principal, cadence_id: uuid.UUID) -> PlanReviewCadence:
    return get_or_404(session, PlanReviewCadence, cadence_id, principal, what="review cadence")


def _reschedule(session: Session, institution_id: uuid.UUID, kind: PlanKind, interval: int | None) -> None:
    """Approved plans of the kind take the new cadence from their last review (or their approval)."""
    last_review = (
        select(PlanReview.plan_id, sa.func.max(PlanReview.review_date).label("last"))
        .group_by(PlanReview.plan_id)
        .subquery()
    )
    rows = session.exec(
        select(Plan, last_review.c.last)
        .outerjoin(last_review, last_review.c.plan_id == Plan.id)
        .where(Plan.institution_id == institution_id, Plan.kind == kind, Plan.status == PlanStatus.approved)
    ).all()
    for plan, last in rows:
        start = last or plan.approved_at.date()
        due = next_review(start, interval, plan.period_end)
        if due != plan.next_review_due:
            plan.next_review_due = due
            session.add(plan)


def create_cadence(session: Session, principal: Principal, data: CadenceCreate) -> PlanReviewCadence:
    require_planner(principal, "review cadences")
    row = PlanReviewCadence(
        institution_id=principal.institution_id, kind=data.kind, interval_months=data.interval_months
    )
    session.add(row)
    flush_or_conflict(session, f"The institution already has a cadence for {data.kind.value} plans; update it.")
    _reschedule(session, row.institution_id, data.kind, row.interval_months)
    session.flush()
    audit(session, principal, action="create", resource_type="plan_review_cadence", resource_id=row.id)
    return row


def update_cadence(
    session: Session, principal: Principal, cadence_id: uuid.UUID, patch: CadenceUpdate, if_match: str
) -> PlanReviewCadence:
    row = get_cadence(session, principal, cadence_id)
    require_planner(principal, "review cadences")
    check_if_match(if_match, row.version)
    row.interval_months = patch.interval_months
    session.add(row)
    _reschedule(session, row.institution_id, PlanKind(row.kind), row.interval_months)
    session.flush()
    audit(session, principal, action="update", resource_type="plan_review_cadence", resource_id=row.id)
    return row


def delete_cadence(session: Session, principal: Principal, cadence_id: uuid.UUID, if_match: str) -> None:
    """Back to the default cadence."""
    row = get_cadence(session, principal, cadence_id)
    require_planner(principal, "review cadences")
    check_if_match(if_match, row.version)
    kind = PlanKind(row.kind)
    session.delete(row)
    _reschedule(session, row.institution_id, kind, DEFAULT_REVIEW_MONTHS.get(kind))
    session.flush()
    audit(session, principal, action="delete", resource_type="plan_review_cadence", resource_id=cadence_id)
