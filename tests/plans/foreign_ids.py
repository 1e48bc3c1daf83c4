"""Ids of planning resources of institution A (see tests/routes.py)."""

from __future__ import annotations

from sqlmodel import select

from api.models import PlanApprovalRule, PlanGoal, PlanItem, PlanKind, PlanReviewCadence, PlanStatus
from tests.plans.helpers import make_plan


def _plan_id(world, session):
    return make_plan(session, world, status=PlanStatus.approved).id


def _goal_id(world, session):
    plan = make_plan(session, world)
    goal = PlanGoal(institution_id=plan.institution_id, plan_id=plan.id, title="Goal", series_id=plan.id)
    session.add(goal)
    session.commit()
    return goal.id


def _item_id(world, session):
    plan = make_plan(session, world, status=PlanStatus.approved)
    return session.exec(select(PlanItem.id).where(PlanItem.plan_id == plan.id)).first()


def _rule_id(world, session):
    row = session.exec(
        select(PlanApprovalRule).where(PlanApprovalRule.institution_id == world.a.institution.id)
    ).first()
    if row is None:
        row = PlanApprovalRule(institution_id=world.a.institution.id, year=2026, approve_within_months=1)
        session.add(row)
        session.commit()
    return row.id


def _cadence_id(world, session):
    row = session.exec(
        select(PlanReviewCadence).where(PlanReviewCadence.institution_id == world.a.institution.id)
    ).first()
    if row is None:
        row = PlanReviewCadence(institution_id=world.a.institution.id, kind=PlanKind.annual, interval_months=2)
        session.add(row)
        session.commit()
    return row.id


MAKERS = {
    "plan_id": _plan_id,
    "plan_goal_id": _goal_id,
    "plan_item_id": _item_id,
    "approval_rule_id": _rule_id,
    "review_cadence_id": _cadence_id,
}

BODIES = {
    "update_plan": {"title": "Renamed"},
    "submit_plan": {},
    "return_plan": {"comment": "Please change"},
    "approve_plan": {},
    "close_plan": {},
    "amend_plan": {},
    "add_plan_goal": {"title": "Goal"},
    "update_plan_goal": {"title": "Renamed"},
    "add_plan_item": {"title": "Item", "area": "services", "due_date": "2026-06-30"},
    "update_plan_item": {"progress": 50},
    "add_plan_review": {"review_date": "2026-03-01"},
    "update_plan_approval_rule": {"approve_within_months": 2},
    "update_plan_review_cadence": {"interval_months": 3},
}
