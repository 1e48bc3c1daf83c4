"""Who may do what with plans, inside the scopes the route declares (403 otherwise).

Everyone with `plans:read` reads every plan of their institution: plans are not personal data.
The seeds divide the writing: department heads draft their own department's plan; the deputy
director for social work (quality lead) assembles the annual and competence development plans and
the rest; the director may do anything, and is the only one who approves (`plans:approve`).
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from api.errors import Forbidden
from api.models import Plan, PlanItem, PlanKind
from api.security.principal import Principal
from api.security.scopes import Role
from api.tenancy import get_or_404

#: Roles that draft, review and close plans of every kind.
PLANNERS = frozenset({Role.director, Role.quality_lead})


def may_draft(principal: Principal, kind: PlanKind, department_id: uuid.UUID | None) -> bool:
    if principal.role in PLANNERS:
        return True
    return (
        principal.role is Role.department_head
        and kind is PlanKind.department
        and department_id is not None
        and department_id == principal.department_id
    )


def require_drafter(principal: Principal, kind: PlanKind, department_id: uuid.UUID | None) -> None:
    """Drafting, editing, submitting, amending, reviewing and closing a plan."""
    if not may_draft(principal, kind, department_id):
        if principal.role is Role.department_head:
            raise Forbidden("A department head works on the department plan of their own department only.")
        raise Forbidden(f"Your role ({principal.role.value}) does not draft {kind.value} plans.")


def require_plan_drafter(principal: Principal, plan: Plan) -> None:
    require_drafter(principal, PlanKind(plan.kind), plan.department_id)


def require_item_reporter(principal: Principal, plan: Plan, item: PlanItem) -> None:
    """Reporting an item's progress: the plan's drafters, and a department head for the items of
    their department or in their charge."""
    if may_draft(principal, PlanKind(plan.kind), plan.department_id):
        return
    if principal.role is Role.department_head and (
        (item.department_id is not None and item.department_id == principal.department_id)
        or item.responsible_user_id == principal.subject_id
    ):
        return
    raise Forbidden("You may report progress only on items of your department or in your charge.")


def require_planner(principal: Principal, what: str) -> None:
    """Institution-wide planning settings (approval rules, review cadences)."""
    if principal.role not in PLANNERS:
        raise Forbidden(f"Only the director and the quality lead set {what}.")


def get_plan_or_404(session: Session, principal: Principal, plan_id: uuid.UUID) -> Plan:
    return get_or_404(session, Plan, plan_id, principal, what="plan")
