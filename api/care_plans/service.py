"""Care plans: draft → active → closed, or replaced (by a newer plan, or by next month's ISPP)."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from api.care_plans.access import (
    assigned_recipient_ids,
    get_care_plan_or_404,
    get_recipient_or_404,
    readable_care_plans,
)
from api.care_plans.schemas import (
    CarePlanActivate,
    CarePlanCreate,
    CarePlanPublic,
    CarePlanSummary,
    CarePlanUpdate,
    GoalPublic,
    NeedPublic,
    ReviewDue,
    ServicePublic,
)
from api.care_plans.trail import audit_care, audit_listed
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import Conflict, InvalidTransition, ValidationFailed
from api.models import (
    Attainment,
    CareGoal,
    CareNeed,
    CarePlan,
    CarePlanKind,
    CarePlanStatus,
    CareService,
    Recipient,
    RecipientStatus,
)
from api.pagination import paginate
from api.security.principal import Principal
from api.types import utcnow

RESOURCE = "care_plan"
OPEN_ATTAINMENTS = (Attainment.not_started, Attainment.progressing, Attainment.not_achieved)
EDITABLE = (CarePlanStatus.draft, CarePlanStatus.active)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def load_plan(
    session: Session,
    principal: Principal,
    care_plan_id: uuid.UUID,
    *,
    action: str,
    resource_type: str = RESOURCE,
    resource_id: uuid.UUID | None = None,
) -> CarePlan:
    """The readable plan (404 otherwise), with the access recorded before anything else happens."""
    plan = get_care_plan_or_404(session, principal, care_plan_id)
    audit_care(
        session,
        principal,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id or plan.id,
        recipient_id=plan.recipient_id,
        institution_id=plan.institution_id,
    )
    return plan


def touch(session: Session, plan: CarePlan) -> None:
    """A change to a plan's content is a change of the plan: its version (ETag) moves on."""
    plan.updated_at = utcnow()
    session.add(plan)


def require_editable(plan: CarePlan) -> None:
    if plan.status not in EDITABLE:
        raise InvalidTransition(f"A {plan.status} care plan cannot be changed.")


def to_public(session: Session, plan: CarePlan) -> CarePlanPublic:
    needs = session.exec(select(CareNeed).where(CareNeed.care_plan_id == plan.id).order_by(CareNeed.id)).all()
    goals = session.exec(select(CareGoal).where(CareGoal.care_plan_id == plan.id).order_by(CareGoal.id)).all()
    services = session.exec(
        select(CareService).where(CareService.care_plan_id == plan.id).order_by(CareService.id)
    ).all()
    return CarePlanPublic.model_validate(plan).model_copy(
        update={
            "needs": [NeedPublic.model_validate(n) for n in needs],
            "goals": [GoalPublic.model_validate(g) for g in goals],
            "services": [ServicePublic.model_validate(s) for s in services],
        }
    )


def list_care_plans(
    session: Session,
    principal: Principal,
    *,
    recipient_id: uuid.UUID | None,
    status: CarePlanStatus | None,
    kind: CarePlanKind | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[CarePlanSummary], str | None]:
    stmt = readable_care_plans(principal)
    if recipient_id:
        stmt = stmt.where(CarePlan.recipient_id == recipient_id)
    if status:
        stmt = stmt.where(CarePlan.status == status)
    if kind:
        stmt = stmt.where(CarePlan.kind == kind)
    rows, next_cursor = paginate(session, stmt, model=CarePlan, sort=sort, limit=limit, cursor=cursor)
    audit_listed(session, principal, rows, resource_type=RESOURCE)
    return [CarePlanSummary.model_validate(r) for r in rows], next_cursor


def read_care_plan(session: Session, principal: Principal, care_plan_id: uuid.UUID) -> CarePlanPublic:
    return to_public(session, load_plan(session, principal, care_plan_id, action="read"))


def create_care_plan(session: Session, principal: Principal, data: CarePlanCreate) -> CarePlanPublic:
    recipient = get_recipient_or_404(session, principal, data.recipient_id)
    if recipient.status != RecipientStatus.active:
        raise Conflict(f"A {recipient.status} recipient cannot get a new care plan.")
    period_end = data.period_end
    if period_end is None:
        if data.kind is not CarePlanKind.ispp:
            raise ValidationFailed.for_field("body.period_end", "period_end is required for isgp and ipp plans")
        period_end = month_end(data.period_start)
    if period_end < data.period_start:
        raise ValidationFailed.for_field("body.period_end", "period_end must not be before period_start")
    plan = CarePlan(
        institution_id=recipient.institution_id,
        recipient_id=recipient.id,
        kind=data.kind,
        period_start=data.period_start,
        period_end=period_end,
        created_by_id=principal.subject_id,
    )
    session.add(plan)
    flush_or_conflict(session, "The care plan could not be stored.")
    audit_care(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=plan.id,
        recipient_id=plan.recipient_id,
        institution_id=plan.institution_id,
    )
    return to_public(session, plan)


def update_care_plan(
    session: Session, principal: Principal, care_plan_id: uuid.UUID, patch: CarePlanUpdate, if_match: str
) -> CarePlanPublic:
    plan = load_plan(session, principal, care_plan_id, action="update")
    check_if_match(if_match, plan.version)
    require_editable(plan)
    data = patched_fields(patch, not_null=("period_start", "period_end"))
    for key, value in data.items():
        setattr(plan, key, value)
    if plan.period_end < plan.period_start:
        raise ValidationFailed.for_field("body.period_end", "period_end must not be before period_start")
    touch(session, plan)
    session.flush()
    return to_public(session, plan)


def activate_care_plan(
    session: Session, principal: Principal, care_plan_id: uuid.UUID, data: CarePlanActivate, if_match: str
) -> CarePlanPublic:
    """Records the recipient's participation; an earlier active plan of the same kind is replaced."""
    plan = load_plan(session, principal, care_plan_id, action="activate")
    check_if_match(if_match, plan.version)
    if plan.status != CarePlanStatus.draft:
        raise InvalidTransition(f"Only a draft care plan can be activated; this one is {plan.status}.")
    recipient = session.get(Recipient, plan.recipient_id)
    if recipient is None or recipient.status != RecipientStatus.active:
        raise InvalidTransition("The plan of a discharged or anonymised recipient cannot be activated.")
    if session.exec(select(CareGoal.id).where(CareGoal.care_plan_id == plan.id)).first() is None:
        raise InvalidTransition("A care plan needs at least one goal with a measurable result before activation.")
    if data.next_review_date < plan.period_start:
        raise ValidationFailed.for_field(
            "body.next_review_date", "next_review_date must not be before the plan's period_start"
        )
    part = data.participation
    if part.participated and part.participated_on is None:
        raise ValidationFailed.for_field(
            "body.participation.participated_on", "participated_on is required when the recipient participated"
        )
    if not part.participated and not (part.non_participation_reason or "").strip():
        raise ValidationFailed.for_field(
            "body.participation.non_participation_reason",
            "non_participation_reason is required when the recipient did not participate",
        )
    session.exec(
        sa.update(CarePlan)
        .where(
            CarePlan.recipient_id == plan.recipient_id,
            CarePlan.kind == plan.kind,
            CarePlan.id != plan.id,
            CarePlan.status == CarePlanStatus.active,
        )
        .values(status=CarePlanStatus.replaced, closed_at=utcnow(), version=CarePlan.version + 1)
    )
    plan.status = CarePlanStatus.active
    plan.activated_at = utcnow()
    plan.next_review_date = data.next_review_date
    plan.participated = part.participated
    plan.participated_on = part.participated_on
    plan.participants = part.participants
    plan.recipient_wishes = part.recipient_wishes
    plan.non_participation_reason = None if part.participated else part.non_participation_reason
    session.add(plan)
    session.flush()
    return to_public(session, plan)


def close_care_plan(session: Session, principal: Principal, care_plan_id: uuid.UUID, if_match: str) -> CarePlanPublic:
    plan = load_plan(session, principal, care_plan_id, action="close")
    check_if_match(if_match, plan.version)
    if plan.status != CarePlanStatus.active:
        raise InvalidTransition(f"Only an active care plan can be closed; this one is {plan.status}.")
    plan.status = CarePlanStatus.closed
    plan.closed_at = utcnow()
    plan.next_review_date = None
    session.add(plan)
    session.flush()
    return to_public(session, plan)


def renew_care_plan(session: Session, principal: Principal, care_plan_id: uuid.UUID, if_match: str) -> CarePlanPublic:
    """Next month's ISPP as a draft: the needs, the open goals and the services are copied; the old
    plan is replaced and its open goals are marked carried forward (statistics count the copies)."""
    plan = load_plan(session, principal, care_plan_id, action="renew")
    check_if_match(if_match, plan.version)
    if plan.kind != CarePlanKind.ispp:
        raise InvalidTransition("Only an ISPP is renewed monthly.")
    if plan.status != CarePlanStatus.active:
        raise InvalidTransition(f"Only an active ISPP can be renewed; this one is {plan.status}.")
    start = plan.period_end + timedelta(days=1)
    new = CarePlan(
        institution_id=plan.institution_id,
        recipient_id=plan.recipient_id,
        kind=plan.kind,
        period_start=start,
        period_end=month_end(start),
        previous_plan_id=plan.id,
        created_by_id=principal.subject_id,
    )
    session.add(new)
    session.flush()
    open_goals = session.exec(
        select(CareGoal)
        .where(CareGoal.care_plan_id == plan.id, CareGoal.attainment.in_(OPEN_ATTAINMENTS))
        .order_by(CareGoal.id)
    ).all()
    needs = session.exec(select(CareNeed).where(CareNeed.care_plan_id == plan.id).order_by(CareNeed.id)).all()
    need_map: dict[uuid.UUID, uuid.UUID] = {}
    for need in needs:
        copy = CareNeed(
            institution_id=need.institution_id,
            care_plan_id=new.id,
            domain=need.domain,
            level=need.level,
            description=need.description,
        )
        session.add(copy)
        need_map[need.id] = copy.id
    session.flush()  # the goals refer to the copied needs
    for goal in open_goals:
        session.add(
            CareGoal(
                institution_id=goal.institution_id,
                care_plan_id=new.id,
                need_id=need_map[goal.need_id],
                description=goal.description,
                measure=goal.measure,
                baseline=goal.measured_value or goal.baseline,
                target=goal.target,
                due_date=goal.due_date if goal.due_date >= start else new.period_end,
                attainment=Attainment.progressing
                if goal.attainment == Attainment.progressing
                else Attainment.not_started,
                measured_value=goal.measured_value,
                carried_from_id=goal.id,
            )
        )
        goal.carried_forward = True
        session.add(goal)
    for service in session.exec(select(CareService).where(CareService.care_plan_id == plan.id)).all():
        session.add(
            CareService(
                institution_id=service.institution_id,
                care_plan_id=new.id,
                description=service.description,
                provider=service.provider,
                frequency=service.frequency,
            )
        )
    plan.status = CarePlanStatus.replaced
    plan.closed_at = utcnow()
    plan.next_review_date = None
    session.add(plan)
    session.flush()
    audit_care(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=new.id,
        recipient_id=new.recipient_id,
        institution_id=new.institution_id,
        detail=f"renewal of {plan.id}",
    )
    return to_public(session, new)


def list_reviews_due(
    session: Session,
    principal: Principal,
    *,
    as_of: date,
    within_days: int,
    overdue_only: bool,
    assigned_to_me: bool,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ReviewDue], str | None]:
    """Active plans the caller may read whose review falls due by `as_of + within_days`."""
    horizon = as_of if overdue_only else as_of + timedelta(days=within_days)
    stmt = readable_care_plans(principal).where(
        CarePlan.status == CarePlanStatus.active,
        CarePlan.next_review_date.is_not(None),
        CarePlan.next_review_date < horizon if overdue_only else CarePlan.next_review_date <= horizon,
    )
    if assigned_to_me:
        stmt = stmt.where(CarePlan.recipient_id.in_(assigned_recipient_ids(principal)))
    rows, next_cursor = paginate(session, stmt, model=CarePlan, sort=sort, limit=limit, cursor=cursor)
    audit_listed(session, principal, rows, resource_type=RESOURCE)
    items = [
        ReviewDue(
            care_plan_id=r.id,
            recipient_id=r.recipient_id,
            kind=r.kind,
            next_review_date=r.next_review_date,
            overdue=r.next_review_date < as_of,
            days_overdue=max(0, (as_of - r.next_review_date).days),
        )
        for r in rows
    ]
    return items, next_cursor
