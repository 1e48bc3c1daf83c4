"""Arranging planning data directly in the database, and small request helpers (the API itself is
what the tests exercise)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from api.indicators.periods import Period
from api.models import ItemArea, ItemStatus, Plan, PlanItem, PlanKind, PlanStatus
from api.plans.periods import plan_period
from api.security.scopes import Role
from api.types import uuid7
from tests.factories import World

PLANS = "/api/v1/plans"


def make_plan(
    session: Session,
    world: World,
    tenant: str = "a",
    *,
    kind: PlanKind = PlanKind.annual,
    period: str = "2026",
    status: PlanStatus = PlanStatus.draft,
    items: int = 1,
    **kw: Any,
) -> Plan:
    """A plan in any status (with `items` planned items due at the end of its period)."""
    t = getattr(world, tenant)
    span = plan_period(kind, period)
    plan_id = kw.pop("id", None) or uuid7()
    if kind is PlanKind.department:
        kw.setdefault("department_id", t.department.id)
    if status in (PlanStatus.approved, PlanStatus.closed, PlanStatus.superseded):
        kw.setdefault("approved_at", datetime(span.start.year, 2, 1, tzinfo=UTC))
        kw.setdefault("approved_by_id", t.users[Role.director].id)
    row = Plan(
        **{
            "id": plan_id,
            "series_id": plan_id,
            "institution_id": t.institution.id,
            "kind": kind,
            "title": f"{kind.value} plan {period}",
            "period_label": span.label,
            "period_start": span.start,
            "period_end": span.end,
            "status": status,
            **kw,
        }
    )
    session.add(row)
    session.flush()
    for i in range(items):
        make_item(session, row, title=f"Item {i + 1}")
    session.commit()
    return row


def make_item(
    session: Session,
    plan: Plan,
    *,
    due_date: date | None = None,
    status: ItemStatus = ItemStatus.planned,
    completed_on: date | None = None,
    **kw: Any,
) -> PlanItem:
    item_id = kw.pop("id", None) or uuid7()
    row = PlanItem(
        **{
            "id": item_id,
            "series_id": item_id,
            "institution_id": plan.institution_id,
            "plan_id": plan.id,
            "title": "Item",
            "area": ItemArea.services,
            "due_date": due_date or plan.period_end,
            "status": status,
            "completed_on": completed_on,
            "progress": 100 if status == ItemStatus.done else 0,
            **kw,
        }
    )
    session.add(row)
    session.commit()
    return row


def period_of(label: str) -> tuple[date, date]:
    p = Period.parse(label)
    return p.start, p.end


def etag(response) -> str:
    return response.headers["ETag"]


def if_match(version: int | str) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}
