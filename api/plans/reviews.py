"""Reviews of approved plans: the annual plan monthly, the competence plan at least twice a year
(the cadence per kind is the institution's). A review keeps every item's status and progress as they
stood, and schedules the next one."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.errors import InvalidTransition, ValidationFailed
from api.models import Plan, PlanItem, PlanKind, PlanReview, PlanReviewItem, PlanStatus
from api.pagination import paginate
from api.plans.access import get_plan_or_404, require_plan_drafter
from api.plans.deadlines import next_review, review_interval
from api.plans.schemas import ReviewCreate, ReviewDue, ReviewItemPublic, ReviewPublic
from api.security.principal import Principal
from api.tenancy import scoped
from api.types import today


def publish_reviews(session: Session, reviews: list[PlanReview]) -> list[ReviewPublic]:
    items: dict[uuid.UUID, list[ReviewItemPublic]] = defaultdict(list)
    if reviews:
        rows = session.exec(
            select(PlanReviewItem, PlanItem.title)
            .join(PlanItem, PlanItem.id == PlanReviewItem.plan_item_id)
            .where(PlanReviewItem.review_id.in_([r.id for r in reviews]))
            .order_by(PlanItem.due_date, PlanItem.id)
        ).all()
        for snapshot, title in rows:
            items[snapshot.review_id].append(
                ReviewItemPublic(
                    plan_item_id=snapshot.plan_item_id, title=title, status=snapshot.status, progress=snapshot.progress
                )
            )
    return [
        ReviewPublic.model_validate(r).model_copy(
            update={"items": items[r.id], "on_time": None if r.due_date is None else r.review_date <= r.due_date}
        )
        for r in reviews
    ]


def add_review(session: Session, principal: Principal, plan_id: uuid.UUID, data: ReviewCreate) -> ReviewPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    if plan.status != PlanStatus.approved:
        raise InvalidTransition(f"An approved plan is reviewed; this one is {plan.status}.")
    if data.review_date > today():
        raise ValidationFailed.for_field("body.review_date", "review_date cannot be in the future")
    if plan.approved_at is not None and data.review_date < plan.approved_at.date():
        raise ValidationFailed.for_field("body.review_date", "review_date cannot precede the plan's approval")
    review = PlanReview(
        institution_id=plan.institution_id,
        plan_id=plan.id,
        review_date=data.review_date,
        due_date=plan.next_review_due,
        reviewer_id=principal.subject_id,
        notes=data.notes,
    )
    session.add(review)
    session.flush()
    snapshot = select(
        sa.literal(plan.institution_id, PlanItem.institution_id.type),
        sa.literal(review.id, PlanReviewItem.review_id.type),
        PlanItem.id,
        PlanItem.status,
        PlanItem.progress,
    ).where(PlanItem.plan_id == plan.id)
    session.exec(
        sa.insert(PlanReviewItem).from_select(
            ["institution_id", "review_id", "plan_item_id", "status", "progress"], snapshot
        )
    )
    interval = review_interval(session, plan.institution_id, PlanKind(plan.kind))
    plan.next_review_due = next_review(data.review_date, interval, plan.period_end)
    session.add(plan)
    session.flush()
    audit(session, principal, action="review", resource_type="plan", resource_id=plan.id)
    return publish_reviews(session, [review])[0]


def list_reviews(
    session: Session, principal: Principal, plan_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[ReviewPublic], str | None]:
    """The reviews of every revision of the plan."""
    plan = get_plan_or_404(session, principal, plan_id)
    stmt = select(PlanReview).where(PlanReview.plan_id.in_(select(Plan.id).where(Plan.series_id == plan.series_id)))
    rows, next_cursor = paginate(session, stmt, model=PlanReview, sort=sort, limit=limit, cursor=cursor)
    return publish_reviews(session, rows), next_cursor


def list_reviews_due(
    session: Session,
    principal: Principal,
    *,
    as_of: date,
    within_days: int,
    overdue_only: bool,
    kind: PlanKind | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ReviewDue], str | None]:
    """Approved plans whose next review is overdue (before `as_of`) or due within `within_days`."""
    due_by = (
        Plan.next_review_due < as_of if overdue_only else Plan.next_review_due <= as_of + timedelta(days=within_days)
    )
    stmt = scoped(select(Plan), Plan, principal).where(
        Plan.status == PlanStatus.approved, Plan.next_review_due.is_not(None), due_by
    )
    if kind:
        stmt = stmt.where(Plan.kind == kind)
    rows, next_cursor = paginate(session, stmt, model=Plan, sort=sort, limit=limit, cursor=cursor)
    return [
        ReviewDue(
            plan_id=p.id,
            kind=p.kind,
            title=p.title,
            period=p.period_label,
            department_id=p.department_id,
            next_review_due=p.next_review_due,
            overdue=p.next_review_due < as_of,
            days_overdue=max(0, (as_of - p.next_review_due).days),
        )
        for p in rows
    ], next_cursor
