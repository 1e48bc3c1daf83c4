"""A plan's goals and items. Their content changes while the plan is a draft or returned; once it
is approved, only an item's progress is reported (status, progress, actual value, completion)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from api.models import (
    CompetenceNeed,
    CompetenceNeedStatus,
    Department,
    Indicator,
    ItemStatus,
    Plan,
    PlanGoal,
    PlanItem,
    PlanKind,
    PlanStatus,
    Proposal,
    User,
)
from api.pagination import paginate
from api.plans.access import get_plan_or_404, require_item_reporter, require_plan_drafter
from api.plans.schemas import (
    CarryingItem,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    ItemCreate,
    ItemPublic,
    ItemUpdate,
)
from api.plans.service import require_editable
from api.security.principal import Principal
from api.security.scopes import Scope
from api.tenancy import exists, scoped
from api.types import today, utcnow, uuid7

CONTENT_FIELDS = frozenset(
    {
        "title",
        "description",
        "area",
        "goal_id",
        "responsible_user_id",
        "department_id",
        "due_date",
        "indicator",
        "indicator_id",
        "target_value",
        "improvement_measure_id",
        "competence_need_ids",
    }
)
EXECUTION_FIELDS = frozenset({"status", "progress", "actual_value", "completed_on", "status_note"})
REQUIRED = ("title", "area", "due_date", "status", "progress")


def _editable_plan(session: Session, principal: Principal, plan_id: uuid.UUID) -> Plan:
    plan = get_plan_or_404(session, principal, plan_id)
    require_plan_drafter(principal, plan)
    require_editable(plan)
    return plan


# --- goals -----------------------------------------------------------------------------------------


def _check_strategic_goal(session: Session, principal: Principal, plan: Plan, goal_id: uuid.UUID | None) -> None:
    if goal_id is None:
        return
    row = session.exec(
        scoped(
            select(PlanGoal, Plan).join(Plan, Plan.id == PlanGoal.plan_id).where(PlanGoal.id == goal_id),
            PlanGoal,
            principal,
        )
    ).first()
    if row is None:
        raise ValidationFailed.for_field("body.strategic_goal_id", "No goal with this id in your institution.")
    _, strategic = row
    if strategic.kind != PlanKind.strategic or strategic.id == plan.id:
        raise ValidationFailed.for_field("body.strategic_goal_id", "Name a goal of the strategic plan.")
    if not (strategic.period_start <= plan.period_start and plan.period_end <= strategic.period_end):
        raise ValidationFailed.for_field(
            "body.strategic_goal_id", f"The strategic plan {strategic.period_label} does not cover {plan.period_label}."
        )


def get_goal_or_404(session: Session, plan: Plan, goal_id: uuid.UUID) -> PlanGoal:
    goal = session.exec(select(PlanGoal).where(PlanGoal.id == goal_id, PlanGoal.plan_id == plan.id)).first()
    if goal is None:
        raise NotFound("No goal with this id in this plan.")
    return goal


def add_goal(session: Session, principal: Principal, plan_id: uuid.UUID, data: GoalCreate) -> GoalPublic:
    plan = _editable_plan(session, principal, plan_id)
    _check_strategic_goal(session, principal, plan, data.strategic_goal_id)
    goal_id = uuid7()
    goal = PlanGoal(
        id=goal_id, series_id=goal_id, institution_id=plan.institution_id, plan_id=plan.id, **data.model_dump()
    )
    session.add(goal)
    flush_or_conflict(session, "The goal could not be stored.")
    audit(session, principal, action="create", resource_type="plan_goal", resource_id=goal.id)
    return GoalPublic.model_validate(goal)


def update_goal(
    session: Session, principal: Principal, plan_id: uuid.UUID, goal_id: uuid.UUID, patch: GoalUpdate, if_match: str
) -> GoalPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    goal = get_goal_or_404(session, plan, goal_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, goal.version)
    require_editable(plan)
    data = patch.model_dump(exclude_unset=True)
    if "title" in data and data["title"] is None:
        raise ValidationFailed.for_field("body.title", "title cannot be null")
    if "strategic_goal_id" in data:
        _check_strategic_goal(session, principal, plan, data["strategic_goal_id"])
    for key, value in data.items():
        setattr(goal, key, value)
    session.add(goal)
    session.flush()
    audit(session, principal, action="update", resource_type="plan_goal", resource_id=goal.id)
    return GoalPublic.model_validate(goal)


def delete_goal(session: Session, principal: Principal, plan_id: uuid.UUID, goal_id: uuid.UUID, if_match: str) -> None:
    plan = get_plan_or_404(session, principal, plan_id)
    goal = get_goal_or_404(session, plan, goal_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, goal.version)
    require_editable(plan)
    session.delete(goal)
    flush_or_conflict(session, "Goals of other plans serve this goal.")
    audit(session, principal, action="delete", resource_type="plan_goal", resource_id=goal_id)


# --- items -----------------------------------------------------------------------------------------


def publish_items(session: Session, items: list[PlanItem]) -> list[ItemPublic]:
    """Items with the proposals and competence needs they carry (linked to the item's first version)."""
    series = [i.series_id for i in items]
    proposals: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    needs: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if series:
        for item_id, proposal_id in session.exec(
            select(Proposal.plan_item_id, Proposal.id).where(Proposal.plan_item_id.in_(series)).order_by(Proposal.id)
        ).all():
            proposals[item_id].append(proposal_id)
        for item_id, need_id in session.exec(
            select(CompetenceNeed.plan_item_id, CompetenceNeed.id)
            .where(CompetenceNeed.plan_item_id.in_(series))
            .order_by(CompetenceNeed.id)
        ).all():
            needs[item_id].append(need_id)
    return [
        ItemPublic.model_validate(i).model_copy(
            update={"proposal_ids": proposals[i.series_id], "competence_need_ids": needs[i.series_id]}
        )
        for i in items
    ]


def carrying_items(session: Session, series: set[uuid.UUID]) -> dict[uuid.UUID, CarryingItem]:
    """For each item series, the version in the plan's current revision: the approved (or closed) one
    while an amendment is still being prepared, else the latest."""
    out: dict[uuid.UUID, CarryingItem] = {}
    if not series:
        return out
    in_force_first = sa.case((Plan.status.in_([PlanStatus.approved, PlanStatus.closed]), 0), else_=1)
    rows = session.exec(
        select(PlanItem, Plan)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            PlanItem.series_id.in_(series),
            Plan.status != PlanStatus.superseded,
        )
        .order_by(in_force_first, Plan.revision.desc())
    ).all()
    for item, plan in rows:
        out.setdefault(
            item.series_id,
            CarryingItem(
                plan_id=plan.id,
                plan_title=plan.title,
                plan_kind=plan.kind,
                plan_period=plan.period_label,
                plan_status=plan.status,
                plan_item_id=item.id,
                item_title=item.title,
                item_status=item.status,
                item_progress=item.progress,
                item_due_date=item.due_date,
            ),
        )
    return out


def get_item_or_404(session: Session, plan: Plan, item_id: uuid.UUID) -> PlanItem:
    item = session.exec(select(PlanItem).where(PlanItem.id == item_id, PlanItem.plan_id == plan.id)).first()
    if item is None:
        raise NotFound("No item with this id in this plan.")
    return item


def list_items(
    session: Session,
    principal: Principal,
    plan_id: uuid.UUID,
    *,
    status: ItemStatus | None,
    area: str | None,
    responsible_user_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    due_from: date | None,
    due_to: date | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ItemPublic], str | None]:
    plan = get_plan_or_404(session, principal, plan_id)
    stmt = select(PlanItem).where(PlanItem.plan_id == plan.id)
    if status:
        stmt = stmt.where(PlanItem.status == status)
    if area:
        stmt = stmt.where(PlanItem.area == area)
    if responsible_user_id:
        stmt = stmt.where(PlanItem.responsible_user_id == responsible_user_id)
    if department_id:
        stmt = stmt.where(PlanItem.department_id == department_id)
    if due_from:
        stmt = stmt.where(PlanItem.due_date >= due_from)
    if due_to:
        stmt = stmt.where(PlanItem.due_date <= due_to)
    rows, next_cursor = paginate(session, stmt, model=PlanItem, sort=sort, limit=limit, cursor=cursor)
    return publish_items(session, rows), next_cursor


def read_item(session: Session, principal: Principal, plan_id: uuid.UUID, item_id: uuid.UUID) -> ItemPublic:
    item = get_item_or_404(session, get_plan_or_404(session, principal, plan_id), item_id)
    return publish_items(session, [item])[0]


def _check_content(session: Session, principal: Principal, plan: Plan, data: dict) -> None:
    """The references an item's content makes stay inside the plan and the institution."""
    if (
        data.get("goal_id") is not None
        and session.exec(select(PlanGoal.id).where(PlanGoal.id == data["goal_id"], PlanGoal.plan_id == plan.id)).first()
        is None
    ):
        raise ValidationFailed.for_field("body.goal_id", "No goal with this id in this plan.")
    if (
        data.get("responsible_user_id") is not None
        and session.exec(
            select(User.id).where(User.id == data["responsible_user_id"], User.institution_id == plan.institution_id)
        ).first()
        is None
    ):
        raise ValidationFailed.for_field("body.responsible_user_id", "No user with this id in your institution.")
    if data.get("department_id") is not None and not exists(session, Department, data["department_id"], principal):
        raise ValidationFailed.for_field("body.department_id", "No department with this id in your institution.")
    visible = sa.or_(Indicator.institution_id.is_(None), Indicator.institution_id == plan.institution_id)
    if (
        data.get("indicator_id") is not None
        and session.exec(select(Indicator.id).where(Indicator.id == data["indicator_id"], visible)).first() is None
    ):
        raise ValidationFailed.for_field("body.indicator_id", "No indicator with this id in the catalogue.")
    if "due_date" in data and not plan.period_start <= data["due_date"] <= plan.period_end:
        raise ValidationFailed.for_field(
            "body.due_date", f"The due date falls outside the plan's period {plan.period_label}."
        )


def _take_up_needs(
    session: Session, principal: Principal, plan: Plan, item: PlanItem, need_ids: list[uuid.UUID]
) -> None:
    """Competence needs become items of the competence development plan, keeping the link."""
    if not need_ids:
        return
    if not principal.has(Scope.competence_manage):
        raise Forbidden("Taking up competence needs takes the scope competence:manage.")
    if plan.kind != PlanKind.competence_development:
        raise ValidationFailed.for_field(
            "body.competence_need_ids", "Competence needs become items of a competence development plan."
        )
    needs = session.exec(
        scoped(select(CompetenceNeed).where(CompetenceNeed.id.in_(set(need_ids))), CompetenceNeed, principal)
    ).all()
    if len(needs) != len(set(need_ids)):
        raise ValidationFailed.for_field(
            "body.competence_need_ids", "Some of these competence needs do not exist in your institution."
        )
    for need in needs:
        if need.status != CompetenceNeedStatus.submitted:
            raise InvalidTransition(f"The competence need {need.id} is already taken up by a plan item.")
        need.status, need.plan_item_id = CompetenceNeedStatus.planned, item.series_id
        session.add(need)


def add_item(session: Session, principal: Principal, plan_id: uuid.UUID, data: ItemCreate) -> ItemPublic:
    plan = _editable_plan(session, principal, plan_id)
    values = data.model_dump(exclude={"competence_need_ids"})
    _check_content(session, principal, plan, values)
    item_id = uuid7()
    item = PlanItem(id=item_id, series_id=item_id, institution_id=plan.institution_id, plan_id=plan.id, **values)
    session.add(item)
    flush_or_conflict(session, "The item could not be stored.")
    _take_up_needs(session, principal, plan, item, data.competence_need_ids)
    if item.improvement_measure_id is not None:
        from api.measures.carry import link_item  # the measures domain imports planning back

        link_item(session, principal, plan, item)
    session.flush()
    audit(session, principal, action="create", resource_type="plan_item", resource_id=item.id)
    return publish_items(session, [item])[0]


def update_item(
    session: Session, principal: Principal, plan_id: uuid.UUID, item_id: uuid.UUID, patch: ItemUpdate, if_match: str
) -> ItemPublic:
    plan = get_plan_or_404(session, principal, plan_id)
    item = get_item_or_404(session, plan, item_id)
    data = patch.model_dump(exclude_unset=True)
    content, execution = CONTENT_FIELDS & data.keys(), EXECUTION_FIELDS & data.keys()
    if content:
        require_plan_drafter(principal, plan)
    if execution:
        require_item_reporter(principal, plan, item)
    check_if_match(if_match, item.version)
    if content:
        require_editable(plan)
    if execution and plan.status != PlanStatus.approved:
        raise InvalidTransition(f"Progress is reported on an approved plan; this one is {plan.status}.")
    for key in REQUIRED:
        if key in data and data[key] is None:
            raise ValidationFailed.for_field(f"body.{key}", f"{key} cannot be null")
    _check_content(session, principal, plan, data)
    if execution:
        _report_progress(item, data)
    for key in content - {"competence_need_ids"}:
        setattr(item, key, data[key])
    if data.get("competence_need_ids"):
        _take_up_needs(session, principal, plan, item, data["competence_need_ids"])
        item.updated_at = utcnow()  # what the item carries is part of it: its version (ETag) moves on
    session.add(item)
    session.flush()
    audit(session, principal, action="update", resource_type="plan_item", resource_id=item.id)
    return publish_items(session, [item])[0]


def _report_progress(item: PlanItem, data: dict) -> None:
    """`completed_on` belongs to a done item: set when it becomes done (today unless given), cleared
    when it stops being done. It is what items_done_on_time() compares with the due date."""
    status = ItemStatus(data.get("status") or item.status)
    if status == ItemStatus.done:
        completed = data.get("completed_on") or (item.completed_on if item.status == ItemStatus.done else None)
        completed = completed or today()
        if completed > today():
            raise ValidationFailed.for_field("body.completed_on", "completed_on cannot be in the future")
        item.completed_on = completed
        if "progress" not in data:
            item.progress = 100
    else:
        if data.get("completed_on") is not None:
            raise ValidationFailed.for_field("body.completed_on", "completed_on is given only for a done item")
        item.completed_on = None
    item.status = status
    for key in ("progress", "actual_value", "status_note"):
        if key in data:
            setattr(item, key, data[key])


def delete_item(session: Session, principal: Principal, plan_id: uuid.UUID, item_id: uuid.UUID, if_match: str) -> None:
    plan = get_plan_or_404(session, principal, plan_id)
    item = get_item_or_404(session, plan, item_id)
    require_plan_drafter(principal, plan)
    check_if_match(if_match, item.version)
    require_editable(plan)
    session.delete(item)
    flush_or_conflict(
        session,
        "The item carries accepted proposals or competence needs; keep it, or cancel it once the plan is approved.",
    )
    audit(session, principal, action="delete", resource_type="plan_item", resource_id=item_id)
