"""A plan's items as CSV, and the printable HTML of an approved plan (what the director signs and
the institution publishes). Every text comes from people, so CSV cells never start a formula and
HTML is escaped throughout (the page is also served with a CSP that runs nothing)."""

from __future__ import annotations

import uuid
from datetime import UTC
from html import escape

from sqlmodel import Session, select

from api.csv_export import csv_text, number
from api.errors import InvalidTransition
from api.models import (
    Department,
    Institution,
    ItemArea,
    ItemStatus,
    PlanGoal,
    PlanItem,
    PlanKind,
    PlanStatus,
    User,
)
from api.plans.access import get_plan_or_404
from api.plans.items import publish_items
from api.plans.schemas import ItemPublic
from api.plans.vocabulary import LABELS
from api.security.principal import Principal

CSV_COLUMNS = [
    "item_id",
    "title",
    "description",
    "area",
    "goal",
    "responsible",
    "department",
    "due_date",
    "status",
    "progress",
    "completed_on",
    "done_on_time",
    "indicator",
    "target_value",
    "actual_value",
    "improvement_measure_id",
    "proposal_ids",
    "competence_need_ids",
]
PRINTABLE = (PlanStatus.approved, PlanStatus.closed, PlanStatus.superseded)


def _text(value: str | None) -> str:
    return value or ""


def _number(value: float | None) -> str:
    return number(value)


def _names(session: Session, items: list[ItemPublic]) -> tuple[dict, dict, dict]:
    """Users, departments and goals the items name, in three queries."""
    users = {i.responsible_user_id for i in items if i.responsible_user_id}
    departments = {i.department_id for i in items if i.department_id}
    goals = {i.goal_id for i in items if i.goal_id}
    return (
        dict(session.exec(select(User.id, User.full_name).where(User.id.in_(users))).all()) if users else {},
        dict(session.exec(select(Department.id, Department.name).where(Department.id.in_(departments))).all())
        if departments
        else {},
        dict(session.exec(select(PlanGoal.id, PlanGoal.title).where(PlanGoal.id.in_(goals))).all()) if goals else {},
    )


def _items(session: Session, plan_id: uuid.UUID) -> list[ItemPublic]:
    rows = session.exec(
        select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.due_date, PlanItem.id)
    ).all()
    return publish_items(session, list(rows))


def items_csv(session: Session, principal: Principal, plan_id: uuid.UUID) -> tuple[str, str]:
    """(file name, CSV text): every item of the plan, earliest due first."""
    plan = get_plan_or_404(session, principal, plan_id)
    items = _items(session, plan.id)
    users, departments, goals = _names(session, items)
    rows = []
    for i in items:
        on_time = (
            ""
            if i.status != ItemStatus.done or i.completed_on is None
            else ("true" if i.completed_on <= i.due_date else "false")
        )
        rows.append(
            [
                str(i.id),
                _text(i.title),
                _text(i.description),
                i.area,
                _text(goals.get(i.goal_id)),
                _text(users.get(i.responsible_user_id)),
                _text(departments.get(i.department_id)),
                i.due_date.isoformat(),
                i.status,
                i.progress,
                i.completed_on.isoformat() if i.completed_on else "",
                on_time,
                _text(i.indicator),
                _number(i.target_value),
                _number(i.actual_value),
                str(i.improvement_measure_id or ""),
                ";".join(str(p) for p in i.proposal_ids),
                ";".join(str(n) for n in i.competence_need_ids),
            ]
        )
    # Text cells that would start a spreadsheet formula are neutralised by the one CSV writer.
    return f"plan-{plan.kind}-{plan.period_label}-r{plan.revision}.csv", csv_text(CSV_COLUMNS, rows)


_STYLE = """
body { font-family: "Times New Roman", serif; margin: 2cm; color: #000; }
header { text-align: right; font-size: 10pt; }
h1 { text-align: center; font-size: 14pt; text-transform: uppercase; margin: 1.5em 0 0.2em; }
p.period { text-align: center; margin-top: 0; }
table { width: 100%; border-collapse: collapse; font-size: 10pt; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
@page { size: A4 landscape; margin: 1.5cm; }
@media print { body { margin: 0; } }
"""


def _label(enum_type: type, value: str) -> str:
    return LABELS[enum_type][str(value)][0]


def plan_html(session: Session, principal: Principal, plan_id: uuid.UUID) -> str:
    """The plan as a printable page (Lithuanian, as the institution files it). Approved plans only:
    also closed and superseded ones, as they were approved."""
    plan = get_plan_or_404(session, principal, plan_id)
    if plan.status not in PRINTABLE:
        raise InvalidTransition(f"Only an approved plan is printed; this one is {plan.status}.")
    institution = session.get(Institution, plan.institution_id)
    director = session.get(User, plan.approved_by_id) if plan.approved_by_id else None
    goals = session.exec(
        select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.created_at, PlanGoal.id)
    ).all()
    items = _items(session, plan.id)
    users, departments, goal_titles = _names(session, items)
    approved_on = plan.approved_at.astimezone(UTC).date().isoformat() if plan.approved_at else ""
    e = escape
    goal_rows = "".join(
        f"<li><strong>{e(g.title)}</strong>"
        + (f" — {e(g.description)}" if g.description else "")
        + (f" <em>(kokybės politika: {e(g.quality_policy_objective)})</em>" if g.quality_policy_objective else "")
        + "</li>"
        for g in goals
    )
    item_rows = "".join(
        "<tr>"
        f"<td>{n}</td><td>{e(i.title)}{'<br><small>' + e(i.description) + '</small>' if i.description else ''}</td>"
        f"<td>{e(_label(ItemArea, i.area))}</td><td>{e(goal_titles.get(i.goal_id, ''))}</td>"
        f"<td>{e(users.get(i.responsible_user_id, ''))}</td><td>{e(departments.get(i.department_id, ''))}</td>"
        f"<td>{i.due_date.isoformat()}</td>"
        f"<td>{e(i.indicator or '')}{' — ' + e(_number(i.target_value)) if i.target_value is not None else ''}</td>"
        f"<td>{e(_label(ItemStatus, i.status))}</td>"
        "</tr>"
        for n, i in enumerate(items, start=1)
    )
    superseded = (
        "<p><strong>Ši redakcija pakeista nauja.</strong> (Superseded by a later revision.)</p>"
        if plan.status == PlanStatus.superseded
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="lt">
<head>
<meta charset="utf-8">
<title>{e(plan.title)} {e(plan.period_label)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<p>PATVIRTINTA<br>{e(institution.name if institution else "")} direktoriaus<br>{approved_on}
{("<br>" + e(director.full_name)) if director else ""}</p>
</header>
<h1>{e(plan.title)}</h1>
<p class="period">{e(_label(PlanKind, plan.kind))}, {e(plan.period_label)} ({plan.revision} redakcija)</p>
{superseded}
{f"<p>{e(plan.description)}</p>" if plan.description else ""}
{f"<h2>Tikslai</h2><ol>{goal_rows}</ol>" if goals else ""}
<h2>Priemonės</h2>
<table>
<thead><tr><th>Eil. Nr.</th><th>Priemonė</th><th>Sritis</th><th>Tikslas</th><th>Atsakingas</th><th>Skyrius</th>
<th>Terminas</th><th>Rodiklis ir siektina reikšmė</th><th>Būsena</th></tr></thead>
<tbody>
{item_rows}
</tbody>
</table>
</body>
</html>
"""
