"""Plans and their workflow: draft → submitted → approved → closed, submitted → returned (with the
director's comment) → submitted again. An approved plan is amended by a new revision (a draft copy
of its goals and items); when that revision is approved, the one before it becomes `superseded`
and the new one takes over the items' progress. Every step is kept in `plan_events`.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import Conflict, InvalidTransition, ValidationFailed
from api.models import Department, Plan, PlanEvent, PlanGoal, PlanItem, PlanKind, PlanStatus
from api.pagination import paginate
from api.plans import deadlines
from api.plans.access import get_plan_or_404, require_drafter, require_plan_drafter
from api.plans.periods import ONE_PER_PERIOD, PARENT_KINDS, PlanPeriod, plan_period
from api.plans.schemas import GoalPublic, PlanCreate, PlanEventPublic, PlanPublic, PlanUpdate
from api.security.principal import Principal
from api.tenancy import exists, scoped
from api.types import today, utcnow, uuid7
from api.webhooks.outbox import emit

RESOURCE = "plan"
EDITABLE = (PlanStatus.draft, PlanStatus.returned)
OPEN = (PlanStatus.draft, PlanStatus.submitted, PlanStatus.returned)
#: Kinds that may name a department besides the department plan itself.
DEPARTMENT_OPTIONAL = frozenset({PlanKind.half_year, PlanKind.quarterly, PlanKind.monthly})
#: Progress an approved revision hands over to the revision that supersedes it.
EXECUTION_FIELDS = ("status", "progress", "actual_value", "completed_on", "status_note")


def require_editable(plan: Plan) -> None:
    if plan.status not in EDITABLE:
        raise InvalidTransition(
            f"A {plan.status} plan is not edited in place; amend it instead."
            if plan.status == PlanStatus.approved
            else f"A {plan.status} plan cannot be changed."
        )


# --- reading ---------------------------------------------------------------------------------------


def publish(session: Session, plans: list[Plan], *, as_of: date | None = None) -> list[PlanPublic]:
    """Plans with their goals and approval deadlines, in a fixed number of queries."""
    if not plans:
        return []
    goals: dict[uuid.UUID, list[GoalPublic]] = {p.id: [] for p in plans}
    for goal in session.exec(
        select(PlanGoal).where(PlanGoal.plan_id.in_(list(goals))).order_by(PlanGoal.created_at, PlanGoal.id)
    ).all():
        goals[goal.plan_id].append(GoalPublic.model_validate(goal))
    due = deadlines.approval_deadlines(session, plans, as_of or today())
    return [
        PlanPublic.model_validate(p).model_copy(update={"goals": goals[p.id], "approval": due.get(p.id)}) for p in plans
    ]


def to_public(session: Session, plan: Plan) -> PlanPublic:
    return publish(session, [plan])[0]


def list_plans(
    session: Session,
    principal: Principal,
    *,
    kind: PlanKind | None,
    status: PlanStatus | None,
    year: int | None,
    parent_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    include_superseded: bool,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[PlanPublic], str | None]:
    stmt = scoped(select(Plan), Plan, principal)
    if kind:
        stmt = stmt.where(Plan.kind == kind)
    if status:
        stmt = stmt.where(Plan.status == status)
    elif not include_superseded:
        stmt = stmt.where(Plan.status != PlanStatus.superseded)
    if year is not None:
        stmt = stmt.where(Plan.period_start <= date(year, 12, 31), Plan.period_end >= date(year, 1, 1))
    if parent_id:
        # Children of any revision of the parent: they follow the plan, not one of its revisions.
        parent, revision = aliased(Plan), aliased(Plan)
        series = select(parent.series_id).where(parent.id == parent_id).scalar_subquery()
        stmt = stmt.where(Plan.parent_id.in_(select(revision.id).where(revision.series_id == series)))
    if department_id:
        stmt = stmt.where(Plan.department_id == department_id)
    rows, next_cursor = paginate(session, stmt, model=Plan, sort=sort, limit=limit, cursor=cursor)
    return publish(session, rows), next_cursor


def read_plan(session: Session, principal: Principal, plan_id: uuid.UUID) -> PlanPublic:
    return to_public(session, get_plan_or_404(session, principal, plan_id))


def list_revisions(session: Session, principal: Principal, plan_id: uuid.UUID) -> list[PlanPublic]:
    plan = get_plan_or_404(session, principal, plan_id)
    rows = session.exec(select(Plan).where(Plan.series_id == plan.series_id).order_by(Plan.revision)).all()
    return publish(session, list(rows))


def list_history(
    session: Session, principal: Principal, plan_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[PlanEventPublic], str | None]:
    """Every workflow step of every revision of the plan."""
    plan = get_plan_or_404(session, principal, plan_id)
    stmt = select(PlanEvent).where(PlanEvent.series_id == plan.series_id)
    rows, next_cursor = paginate(session, stmt, model=PlanEvent, sort=sort, limit=limit, cursor=cursor)
    return [PlanEventPublic.model_validate(r) for r in rows], next_cursor


# --- validation ------------------------------------------------------------------------------------


def _period(kind: PlanKind, label: str) -> PlanPeriod:
    try:
        return plan_period(kind, label)
    except ValueError as exc:
        raise ValidationFailed.for_field("body.period", str(exc)) from exc


def _check_parent(
    session: Session,
    principal: Principal,
    kind: PlanKind,
    period: PlanPeriod,
    parent_id: uuid.UUID | None,
    *,
    series_id: uuid.UUID | None = None,
) -> None:
    if parent_id is None:
        return
    parent = session.exec(scoped(select(Plan).where(Plan.id == parent_id), Plan, principal)).first()
    if parent is None:
        raise ValidationFailed.for_field("body.parent_id", "No plan with this id in your institution.")
    if series_id is not None and parent.series_id == series_id:
        raise ValidationFailed.for_field("body.parent_id", "A plan cannot be its own parent.")
    allowed = PARENT_KINDS[kind]
    if parent.kind not in allowed:
        names = ", ".join(sorted(k.value for k in allowed)) or "no plan"
        raise ValidationFailed.for_field(
            "body.parent_id", f"A {kind.value} plan hangs under {names}, not under a {parent.kind} plan."
        )
    if parent.status == PlanStatus.superseded:
        raise ValidationFailed.for_field(
            "body.parent_id", "That revision is superseded; name the plan's current revision."
        )
    if not PlanPeriod(parent.period_label, parent.period_start, parent.period_end).contains(period):
        raise ValidationFailed.for_field(
            "body.parent_id", f"The parent plan's period {parent.period_label} does not cover {period.label}."
        )


def _check_department(session: Session, principal: Principal, kind: PlanKind, department_id: uuid.UUID | None) -> None:
    if kind is PlanKind.department and department_id is None:
        raise ValidationFailed.for_field("body.department_id", "A department plan names its department.")
    if department_id is None:
        return
    if kind is not PlanKind.department and kind not in DEPARTMENT_OPTIONAL:
        raise ValidationFailed.for_field(
            "body.department_id", f"A {kind.value} plan is the whole institution's; omit department_id."
        )
    if not exists(session, Department, department_id, principal):
        raise ValidationFailed.for_field("body.department_id", "No department with this id in your institution.")


def _check_unique(
    session: Session,
    institution_id: uuid.UUID,
    kind: PlanKind,
    period: PlanPeriod,
    department_id: uuid.UUID | None,
    *,
    series_id: uuid.UUID | None = None,
) -> None:
    """One strategic, annual and competence plan per period; one plan per department and year."""
    if kind not in ONE_PER_PERIOD:
        return
    stmt = select(Plan.id).where(
        Plan.institution_id == institution_id,
        Plan.kind == kind,
        Plan.period_start == period.start,
        Plan.period_end == period.end,
    )
    if kind is PlanKind.department:
        stmt = stmt.where(Plan.department_id == department_id)
    if series_id is not None:
        stmt = stmt.where(Plan.series_id != series_id)
    if session.exec(stmt.limit(1)).first() is not None:
        raise Conflict(f"The institution already has a {kind.value} plan for {period.label}; amend that one.")


# --- writing ---------------------------------------------------------------------------------------


def log_event(
    session: Session,
    principal: Principal,
    plan: Plan,
    *,
    action: str,
    from_status: PlanStatus | None,
    comment: str | None = None,
) -> None:
    session.add(
        PlanEvent(
            institution_id=plan.institution_id,
            plan_id=plan.id,
            series_id=plan.series_id,
            revision=plan.revision,
            action=action,
            from_status=from_status,
            to_status=plan.status,
            comment=comment,
            actor_id=principal.subject_id if principal.kind == "user" else None,
            actor_role=principal.role.value,
        )
    )
    audit(
        session,
        principal,
        action=action,
        resource_type=RESOURCE,
        resource_id=plan.id,
        institution_id=plan.institution_id,
    )


def create_plan(session: Session, principal: Principal, data: PlanCreate) -> PlanPublic:
    require_drafter(principal, data.kind, data.department_id)
    period = _period(data.kind, data.period)
    _check_department(session, principal, data.kind, data.department_id)
    _check_parent(session, principal, data.kind, period, data.parent_id)
    institution_id = principal.institution_id
    assert institution_id is not None  # plans:write is held by institution staff only
    _check_unique(session, institution_id, data.kind, period, data.department_id)
    plan_id = uuid7()
    plan = Plan(
        id=plan_id,
        series_id=plan_id,
        institution_id=institution_id,
        kind=data.kind,
        title=data.title,
        description=data.description,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        parent_id=data.parent_id,
        department_id=data.department_id,
        created_by_id=principal.subject_id,
    )
    session.add(plan)
    flush_or_conflict(session, "The plan could not be stored.")
    log_event(session, principal, plan, action="create", from_status=None)
    return to_public(session, plan)


def update_plan(
    session: Session, principal: Principal, plan_id: uuid.UUID, patch: PlanUpdate, if_match: str
) -> PlanPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, plan.version)
    require_editable(plan)
    data = patched_fields(patch, not_null=("title", "period"))
    kind = PlanKind(plan.kind)
    period = (
        _period(kind, data["period"])
        if "period" in data
        else PlanPeriod(plan.period_label, plan.period_start, plan.period_end)
    )
    parent_id = data.get("parent_id", plan.parent_id)
    if "period" in data or "parent_id" in data:
        _check_parent(session, principal, kind, period, parent_id, series_id=plan.series_id)
    if "period" in data:
        _check_unique(session, plan.institution_id, kind, period, plan.department_id, series_id=plan.series_id)
        outside = session.exec(
            select(PlanItem.id)
            .where(
                PlanItem.plan_id == plan.id, sa.or_(PlanItem.due_date < period.start, PlanItem.due_date > period.end)
            )
            .limit(1)
        ).first()
        if outside is not None:
            raise ValidationFailed.for_field(
                "body.period", "Some items fall due outside the new period; move them first."
            )
        children = session.exec(select(Plan.period_start, Plan.period_end).where(Plan.parent_id == plan.id)).all()
        if any(not (period.start <= start and end <= period.end) for start, end in children):
            raise ValidationFailed.for_field("body.period", "Plans under this one fall outside the new period.")
        plan.period_label, plan.period_start, plan.period_end = period.label, period.start, period.end
    for key in ("title", "description", "parent_id"):
        if key in data:
            setattr(plan, key, data[key])
    session.add(plan)
    session.flush()
    audit(session, principal, action="update", resource_type=RESOURCE, resource_id=plan.id)
    return to_public(session, plan)


def delete_plan(session: Session, principal: Principal, plan_id: uuid.UUID, if_match: str) -> None:
    """A draft (or returned) revision that was never approved may be discarded."""
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, plan.version)
    require_editable(plan)
    if session.exec(select(Plan.id).where(Plan.parent_id == plan.id).limit(1)).first() is not None:
        raise Conflict("Other plans hang under this one; detach them first.")
    session.delete(plan)
    flush_or_conflict(
        session, "Items of this plan carry proposals or competence needs, or goals of other plans serve its goals."
    )
    audit(session, principal, action="delete", resource_type=RESOURCE, resource_id=plan_id)


def _move(
    session: Session, principal: Principal, plan: Plan, to: PlanStatus, *, action: str, comment: str | None
) -> None:
    before = PlanStatus(plan.status)
    plan.status = to
    session.add(plan)
    session.flush()
    log_event(session, principal, plan, action=action, from_status=before, comment=comment)


def _expect(plan: Plan, allowed: tuple[PlanStatus, ...], action: str) -> None:
    if plan.status not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise InvalidTransition(f"Only a {names} plan can be {action}; this one is {plan.status}.")


def submit_plan(
    session: Session, principal: Principal, plan_id: uuid.UUID, comment: str | None, if_match: str
) -> PlanPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, plan.version)
    _expect(plan, EDITABLE, "submitted")
    has_content = session.scalar(
        select(sa.or_(sa.exists().where(PlanItem.plan_id == plan.id), sa.exists().where(PlanGoal.plan_id == plan.id)))
    )
    if not has_content:
        raise InvalidTransition("A plan needs at least one goal or item before it is submitted.")
    plan.submitted_at = utcnow()
    _move(session, principal, plan, PlanStatus.submitted, action="submit", comment=comment)
    return to_public(session, plan)


def return_plan(session: Session, principal: Principal, plan_id: uuid.UUID, comment: str, if_match: str) -> PlanPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    check_if_match(if_match, plan.version)
    _expect(plan, (PlanStatus.submitted,), "returned for changes")
    plan.return_comment = comment
    _move(session, principal, plan, PlanStatus.returned, action="return", comment=comment)
    return to_public(session, plan)


def approve_plan(
    session: Session, principal: Principal, plan_id: uuid.UUID, comment: str | None, if_match: str
) -> PlanPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    check_if_match(if_match, plan.version)
    _expect(plan, (PlanStatus.submitted,), "approved")
    now = utcnow()
    previous = session.get(Plan, plan.previous_revision_id) if plan.previous_revision_id else None
    if previous is not None and previous.status == PlanStatus.approved:
        _take_over_progress(session, previous, plan)
        plan.next_review_due = previous.next_review_due
        previous.next_review_due = None
        _move(
            session,
            principal,
            previous,
            PlanStatus.superseded,
            action="supersede",
            comment=f"superseded by revision {plan.revision}",
        )
    else:
        interval = deadlines.review_interval(session, plan.institution_id, PlanKind(plan.kind))
        plan.next_review_due = deadlines.next_review(now.date(), interval, plan.period_end)
    plan.approved_at, plan.approved_by_id = now, principal.subject_id
    _move(session, principal, plan, PlanStatus.approved, action="approve", comment=comment)
    emit(
        session,
        "plan.approved",
        plan.institution_id,
        {
            "plan_id": str(plan.id),
            "series_id": str(plan.series_id),
            "revision": plan.revision,
            "kind": str(plan.kind),
            "period": plan.period_label,
            "approved_at": now.isoformat(),
        },
    )
    return to_public(session, plan)


def _take_over_progress(session: Session, old: Plan, new: Plan) -> None:
    """Items reported on while the amendment was being prepared keep that progress."""
    old_items = {i.series_id: i for i in session.exec(select(PlanItem).where(PlanItem.plan_id == old.id)).all()}
    for item in session.exec(select(PlanItem).where(PlanItem.plan_id == new.id)).all():
        source = old_items.get(item.series_id)
        if source is None:
            continue
        for field in EXECUTION_FIELDS:
            setattr(item, field, getattr(source, field))
        session.add(item)


def _refuse_while_amended(session: Session, plan: Plan) -> None:
    pending = session.exec(select(Plan.id).where(Plan.series_id == plan.series_id, Plan.status.in_(OPEN))).first()
    if pending is not None:
        raise InvalidTransition(
            f"An amendment of this plan is being prepared ({pending}); approve or discard it first."
        )


def close_plan(
    session: Session, principal: Principal, plan_id: uuid.UUID, comment: str | None, if_match: str
) -> PlanPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, plan.version)
    _expect(plan, (PlanStatus.approved,), "closed")
    _refuse_while_amended(session, plan)
    plan.closed_at = utcnow()
    plan.next_review_due = None
    _move(session, principal, plan, PlanStatus.closed, action="close", comment=comment)
    return to_public(session, plan)


def amend_plan(
    session: Session, principal: Principal, plan_id: uuid.UUID, comment: str | None, if_match: str
) -> PlanPublic:
    """A new draft revision with copies of the goals and items; the approved one stays in force
    until the new one is approved."""
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, plan.version)
    _expect(plan, (PlanStatus.approved,), "amended")
    _refuse_while_amended(session, plan)
    new = Plan(
        institution_id=plan.institution_id,
        series_id=plan.series_id,
        revision=plan.revision + 1,
        previous_revision_id=plan.id,
        kind=plan.kind,
        title=plan.title,
        description=plan.description,
        period_label=plan.period_label,
        period_start=plan.period_start,
        period_end=plan.period_end,
        parent_id=plan.parent_id,
        department_id=plan.department_id,
        created_by_id=principal.subject_id,
    )
    session.add(new)
    flush_or_conflict(session, "An amendment of this plan is already being prepared.")
    goal_map: dict[uuid.UUID, uuid.UUID] = {}
    for goal in session.exec(
        select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.created_at, PlanGoal.id)
    ).all():
        copy = PlanGoal(
            institution_id=goal.institution_id,
            plan_id=new.id,
            series_id=goal.series_id,
            title=goal.title,
            description=goal.description,
            quality_policy_objective=goal.quality_policy_objective,
            strategic_goal_id=goal.strategic_goal_id,
        )
        session.add(copy)
        goal_map[goal.id] = copy.id
    session.flush()  # the item copies refer to the goal copies
    skip = {"id", "plan_id", "goal_id", "version", "created_at", "updated_at"}
    for item in session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.id)).all():
        values = {c.name: getattr(item, c.name) for c in PlanItem.__table__.columns if c.name not in skip}
        session.add(PlanItem(**values, plan_id=new.id, goal_id=goal_map.get(item.goal_id) if item.goal_id else None))
    session.flush()
    log_event(session, principal, new, action="amend", from_status=None, comment=comment)
    return to_public(session, new)
