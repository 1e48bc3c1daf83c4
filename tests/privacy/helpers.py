"""Arranging care plans of N recipients and the care-plan indicators over them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from api.models import Attainment, CarePlanStatus, Indicator, WebhookDelivery
from api.security.scopes import Role
from api.types import today
from tests.care.factories import activated, make_goal, make_plan, make_recipient, make_review
from tests.factories import World
from tests.indicators.helpers import make_indicator

#: The care-plan indicators, by code, with their source measure.
CARE_PLAN_INDICATORS = {
    "P_GOALS": "goals_achieved",
    "P_REVIEWS": "reviewed_on_time",
    "P_PARTICIPATION": "participation",
}
WITHHELD = {"value": None, "suppressed": True, "reason": "fewer than 5 persons"}


def last_year() -> int:
    """A finished year: the reviews and goals of it are judged, and a report may be published."""
    return today().year - 1


def arrange_recipients(session: Session, world: World, n: int, year: int, tenant: str = "a") -> None:
    """`n` recipients, each with one active care plan of `year`, activated with their participation,
    a goal due in the year and achieved, and a review held before its due date: every share is 100 %
    and rests on exactly `n` persons."""
    for _ in range(n):
        recipient = make_recipient(session, world, tenant)
        plan = make_plan(
            session,
            recipient,
            status=CarePlanStatus.active,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            activated_at=activated(date(year, 1, 20)),
            participated=True,
            next_review_date=date(year + 1, 9, 1),
        )
        make_goal(session, plan, due_date=date(year, 6, 30), attainment=Attainment.achieved)
        make_review(session, plan, review_date=date(year, 3, 1), due_date=date(year, 3, 15))


def care_plan_indicators(session: Session) -> dict[str, Indicator]:
    out = {
        code: make_indicator(
            session,
            code=code,
            name_lt=f"Rodiklis {code}",
            name_en=f"Indicator {code}",
            source={"kind": "care_plans", "measure": measure},
        )
        for code, measure in CARE_PLAN_INDICATORS.items()
    }
    session.commit()
    return out


def recompute_and_publish(client, world: World, indicator: Indicator, period: str) -> dict:
    """The director computes the period's value from the care plans and publishes it."""
    r = client.post(
        f"/api/v1/indicators/{indicator.id}/values/recompute",
        json={"period": period},
        headers=world.headers(Role.director),
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/indicator-values/{r.json()['id']}/publish",
        headers=world.headers(Role.director, **{"If-Match": r.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    return r.json()


def queued_payloads(session: Session, event: str) -> list[dict]:
    session.expire_all()
    return [json.loads(d.body)["data"] for d in session.exec(select(WebhookDelivery)).all() if d.event == event]


@dataclass
class Expect:
    """What an outside reader must see of a figure resting on `persons` persons (k = 5)."""

    persons: int

    @property
    def hidden(self) -> bool:
        return self.persons < 5

    def figure(self, real: object) -> object:
        return WITHHELD if self.hidden else real

    def value(self, real: float | None) -> float | None:
        return None if self.hidden else real
