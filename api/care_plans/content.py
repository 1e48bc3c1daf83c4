"""What a care plan holds: needs, goals, planned services, reviews and the recipient's comments."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.care_plans.schemas import (
    CommentCreate,
    CommentPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    NeedCreate,
    NeedPublic,
    ReviewCreate,
    ReviewGoalPublic,
    ReviewPublic,
    ServiceCreate,
    ServicePublic,
)
from api.care_plans.service import load_plan, require_editable, touch
from api.care_plans.trail import audit_care
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import InvalidTransition, NotFound, ValidationFailed
from api.models import CareGoal, CareNeed, CarePlanComment, CarePlanStatus, CareReview, CareReviewGoal, CareService
from api.pagination import paginate
from api.security.principal import Principal


def add_need(session: Session, principal: Principal, care_plan_id: uuid.UUID, data: NeedCreate) -> NeedPublic:
    plan = load_plan(session, principal, care_plan_id, action="add_need")
    require_editable(plan)
    need = CareNeed(institution_id=plan.institution_id, care_plan_id=plan.id, **data.model_dump())
    session.add(need)
    touch(session, plan)
    flush_or_conflict(session, "The need could not be stored.")
    return NeedPublic.model_validate(need)


def add_goal(session: Session, principal: Principal, care_plan_id: uuid.UUID, data: GoalCreate) -> GoalPublic:
    plan = load_plan(session, principal, care_plan_id, action="add_goal")
    require_editable(plan)
    need = session.get(CareNeed, data.need_id)
    if need is None or need.care_plan_id != plan.id:
        raise ValidationFailed.for_field("body.need_id", "no need with this id in this care plan")
    goal = CareGoal(institution_id=plan.institution_id, care_plan_id=plan.id, **data.model_dump())
    session.add(goal)
    touch(session, plan)
    flush_or_conflict(session, "The goal could not be stored.")
    return GoalPublic.model_validate(goal)


def update_goal(
    session: Session,
    principal: Principal,
    care_plan_id: uuid.UUID,
    care_goal_id: uuid.UUID,
    data: GoalUpdate,
    if_match: str,
) -> tuple[GoalPublic, int]:
    """Goals carry no version of their own: the plan's ETag guards them (a goal change moves it on)."""
    plan = load_plan(
        session, principal, care_plan_id, action="update_goal", resource_type="care_goal", resource_id=care_goal_id
    )
    goal = session.get(CareGoal, care_goal_id)
    if goal is None or goal.care_plan_id != plan.id:
        raise NotFound("No goal with this id in this care plan.")
    check_if_match(if_match, plan.version)
    require_editable(plan)
    changes = patched_fields(data, not_null=("measure", "baseline", "target", "due_date"))
    for key, value in changes.items():
        setattr(goal, key, value)
    session.add(goal)
    touch(session, plan)
    session.flush()
    return GoalPublic.model_validate(goal), plan.version


def add_service(session: Session, principal: Principal, care_plan_id: uuid.UUID, data: ServiceCreate) -> ServicePublic:
    plan = load_plan(session, principal, care_plan_id, action="add_service")
    require_editable(plan)
    service = CareService(institution_id=plan.institution_id, care_plan_id=plan.id, **data.model_dump())
    session.add(service)
    touch(session, plan)
    flush_or_conflict(session, "The service could not be stored.")
    return ServicePublic.model_validate(service)


def _review_public(review: CareReview, goals: list[CareReviewGoal]) -> ReviewPublic:
    on_time = None if review.due_date is None else review.review_date <= review.due_date
    return ReviewPublic.model_validate(review).model_copy(
        update={"on_time": on_time, "goals": [ReviewGoalPublic.model_validate(g) for g in goals]}
    )


def add_review(session: Session, principal: Principal, care_plan_id: uuid.UUID, data: ReviewCreate) -> ReviewPublic:
    """Records attainment per goal, moves each goal's current state, and schedules the next review."""
    plan = load_plan(session, principal, care_plan_id, action="review")
    if plan.status != CarePlanStatus.active:
        raise InvalidTransition(f"Only an active care plan is reviewed; this one is {plan.status}.")
    if data.review_date < plan.period_start:
        raise ValidationFailed.for_field("body.review_date", "review_date must not be before the plan's period_start")
    if data.next_review_date is not None and data.next_review_date <= data.review_date:
        raise ValidationFailed.for_field("body.next_review_date", "next_review_date must be after review_date")
    goal_ids = [g.goal_id for g in data.goals]
    if len(set(goal_ids)) != len(goal_ids):
        raise ValidationFailed.for_field("body.goals", "each goal may be assessed once per review")
    goals = (
        {
            g.id: g
            for g in session.exec(
                select(CareGoal).where(CareGoal.care_plan_id == plan.id, CareGoal.id.in_(goal_ids))
            ).all()
        }
        if goal_ids
        else {}
    )
    for i, assessment in enumerate(data.goals):
        if assessment.goal_id not in goals:
            raise ValidationFailed.for_field(f"body.goals.{i}.goal_id", "no goal with this id in this care plan")
    review = CareReview(
        institution_id=plan.institution_id,
        care_plan_id=plan.id,
        review_date=data.review_date,
        due_date=plan.next_review_date,
        participants=data.participants,
        notes=data.notes,
        next_review_date=data.next_review_date,
        reviewed_by_id=principal.subject_id,
    )
    session.add(review)
    session.flush()
    rows = []
    for assessment in data.goals:
        rows.append(
            CareReviewGoal(
                institution_id=plan.institution_id,
                review_id=review.id,
                goal_id=assessment.goal_id,
                attainment=assessment.attainment,
                measured_value=assessment.measured_value,
            )
        )
        goal = goals[assessment.goal_id]
        goal.attainment = assessment.attainment
        goal.measured_value = assessment.measured_value
        session.add(goal)
    session.add_all(rows)
    plan.next_review_date = data.next_review_date
    touch(session, plan)
    flush_or_conflict(session, "The review could not be stored.")
    return _review_public(review, rows)


def list_reviews(
    session: Session, principal: Principal, care_plan_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[ReviewPublic], str | None]:
    plan = load_plan(session, principal, care_plan_id, action="list", resource_type="care_review")
    stmt = select(CareReview).where(CareReview.care_plan_id == plan.id)
    reviews, next_cursor = paginate(session, stmt, model=CareReview, sort=sort, limit=limit, cursor=cursor)
    by_review: dict[uuid.UUID, list[CareReviewGoal]] = {r.id: [] for r in reviews}
    if reviews:
        for row in session.exec(
            select(CareReviewGoal).where(CareReviewGoal.review_id.in_(list(by_review))).order_by(CareReviewGoal.goal_id)
        ).all():
            by_review[row.review_id].append(row)
    return [_review_public(r, by_review[r.id]) for r in reviews], next_cursor


def add_comment(session: Session, principal: Principal, care_plan_id: uuid.UUID, data: CommentCreate) -> CommentPublic:
    plan = load_plan(session, principal, care_plan_id, action="comment")
    comment = CarePlanComment(
        institution_id=plan.institution_id,
        care_plan_id=plan.id,
        author_id=principal.subject_id,
        author_role=principal.role.value,
        body=data.body,
    )
    session.add(comment)
    session.flush()
    audit_care(
        session,
        principal,
        action="create",
        resource_type="care_plan_comment",
        resource_id=comment.id,
        recipient_id=plan.recipient_id,
        institution_id=plan.institution_id,
    )
    return CommentPublic.model_validate(comment)


def list_comments(
    session: Session, principal: Principal, care_plan_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[CommentPublic], str | None]:
    plan = load_plan(session, principal, care_plan_id, action="list", resource_type="care_plan_comment")
    stmt = select(CarePlanComment).where(CarePlanComment.care_plan_id == plan.id)
    rows, next_cursor = paginate(session, stmt, model=CarePlanComment, sort=sort, limit=limit, cursor=cursor)
    return [CommentPublic.model_validate(r) for r in rows], next_cursor
