"""A plan's items as CSV, and the printable page of an approved plan."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

from api.models import ItemStatus, PlanGoal, PlanStatus
from api.security.scopes import Role
from tests.plans.helpers import PLANS, make_item, make_plan


def test_items_as_csv(client, world, session):
    plan = make_plan(session, world, status=PlanStatus.approved, items=0)
    goal = PlanGoal(id=uuid.uuid4(), institution_id=plan.institution_id, plan_id=plan.id, title="Įgalinimas")
    goal.series_id = goal.id
    session.add(goal)
    session.commit()
    make_item(
        session,
        plan,
        title="Mokymai",
        due_date=date(2026, 3, 31),
        status=ItemStatus.done,
        completed_on=date(2026, 3, 30),
        goal_id=goal.id,
        responsible_user_id=world.user(Role.staff).id,
        department_id=world.a.department.id,
        indicator="Apmokyta",
        target_value=12,
    )
    make_item(session, plan, title='=HYPERLINK("http://evil")', due_date=date(2026, 2, 28), description="+1")
    r = client.get(f"{PLANS}/{plan.id}/items.csv", headers=world.headers(Role.staff))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="plan-annual-2026-r1.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["title"] for row in rows] == ['\'=HYPERLINK("http://evil")', "Mokymai"]
    assert rows[0]["description"] == "'+1"
    done = rows[1]
    assert (
        done["goal"],
        done["responsible"],
        done["department"],
        done["status"],
        done["completed_on"],
        done["done_on_time"],
        done["target_value"],
    ) == ("Įgalinimas", "Test staff", "Department A", "done", "2026-03-30", "true", "12")
    assert client.get(f"{PLANS}/{plan.id}/items.csv", headers=world.headers(Role.staff, "b")).status_code == 404


def test_printable_page_of_an_approved_plan(client, world, session):
    plan = make_plan(
        session,
        world,
        status=PlanStatus.approved,
        items=0,
        description="<script>alert(1)</script>",
        approved_at=datetime(2026, 2, 10, 12, tzinfo=UTC),
    )
    make_item(session, plan, title="Išvyka <b>prie ežero</b>", due_date=date(2026, 6, 30), target_value=1)
    r = client.get(f"{PLANS}/{plan.id}/print", headers=world.headers(Role.staff))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = r.text
    assert "PATVIRTINTA" in page and "2026-02-10" in page and "Test director" in page
    assert "Metinis veiklos planas, 2026 (1 redakcija)" in page
    assert "Išvyka &lt;b&gt;prie ežero&lt;/b&gt;" in page and "<script>" not in page
    assert "Suplanuota" in page  # the item's status, in Lithuanian
    draft = make_plan(session, world, period="2027")
    r = client.get(f"{PLANS}/{draft.id}/print", headers=world.headers(Role.staff))
    assert r.status_code == 409
    old = make_plan(session, world, period="2025", status=PlanStatus.superseded)
    assert "pakeista nauja" in client.get(f"{PLANS}/{old.id}/print", headers=world.headers(Role.staff)).text
