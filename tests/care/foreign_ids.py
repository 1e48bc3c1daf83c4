"""Ids of care data of institution A (see tests/routes.py)."""

from __future__ import annotations

from api.models import CarePlanStatus, Recipient
from tests.care.factories import make_goal, make_plan, make_recipient


def _recipient(world, session) -> Recipient:
    return make_recipient(session, world, "a")


def _plan_id(world, session):
    plan = make_plan(session, _recipient(world, session), status=CarePlanStatus.active)
    make_goal(session, plan)
    return plan.id


def _goal_id(world, session):
    plan = make_plan(session, _recipient(world, session), status=CarePlanStatus.active)
    return make_goal(session, plan).id


MAKERS = {
    "recipient_id": lambda world, session: _recipient(world, session).id,
    "care_plan_id": _plan_id,
    "care_goal_id": _goal_id,
}

BODIES = {
    "update_recipient": {"first_name": "Renamed"},
    "update_care_plan": {"next_review_date": "2026-03-01"},
    "activate_care_plan": {
        "participation": {"participated": True, "participated_on": "2026-01-05"},
        "next_review_date": "2026-03-01",
    },
    "add_care_need": {"domain": "health", "level": "high"},
    "add_care_goal": {
        "need_id": "0192f3b0-0000-7000-8000-000000000000",
        "measure": "m",
        "baseline": "1",
        "target": "2",
        "due_date": "2026-06-30",
    },
    "update_care_goal": {"target": "60"},
    "add_care_service": {"description": "Physiotherapy", "provider": "Physiotherapist", "frequency": "weekly"},
    "add_care_review": {"review_date": "2026-02-01"},
    "add_care_plan_comment": {"body": "I would like to walk in the garden."},
}
