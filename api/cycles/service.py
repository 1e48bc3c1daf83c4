"""The yearly cycle of one institution: the stage and what is done or overdue in each domain, and
the compliance calendar of the seeds' obligations.

Each domain contributes through a provider `(ctx) -> (CycleSection, [Obligation])`. A provider
whose domain is not installed answers `available: false` instead of failing. Every figure is an
aggregate: the view carries no personal data, so a municipality may read it. A figure derived
from persons (care-plan recipients, survey respondents) goes through `ctx.figure(value, persons)`:
for a reader outside the institution's staff a figure resting on fewer than k persons is replaced
by `{"value": null, "suppressed": true, "reason": ...}` (api/privacy.py), in the sections and in
the obligations' evidence alike.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from api.cycles.schemas import CycleSection, CycleView, Obligation
from api.models import CarePlan, CarePlanKind, IndicatorValue, Institution, InstitutionKind, ValueStatus
from api.privacy import Privacy, View
from api.security.principal import Principal
from api.tenancy import get_or_404
from api.types import start_of_day_utc

STAGE_LT = {
    "not_started": "nepradėtas",
    "planning": "planavimas",
    "delivery": "paslaugų teikimas",
    "evaluation": "vertinimas",
    "improvement": "tobulinimas",
    "closed": "užbaigtas",
}


@dataclass(frozen=True)
class Context:
    session: Session
    institution: Institution
    year: int
    as_of: date
    view: View = field(default_factory=Privacy().outside_view)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def until(self) -> date:
        """The last day judged so far: as_of, within the year."""
        return max(self.start, min(self.as_of, self.end))

    def status(self, due: date, done: bool) -> str:
        if done:
            return "done"
        return "overdue" if due < self.as_of else "upcoming"

    def figure(self, value: Any, persons: int) -> Any:
        """A figure derived from `persons` persons, as this view's reader may see it."""
        return self.view.figure(value, persons)


Provider = Callable[[Context], tuple[CycleSection, list[Obligation]]]


def care_plans_provider(ctx: Context) -> tuple[CycleSection, list[Obligation]]:
    from api.care_plans.aggregates import (
        goals_achieved,
        ispp_months,
        plans_reviewed_on_time,
        plans_with_participation,
        reviews_overdue,
    )

    inst_id = ctx.institution.id
    reviewed = plans_reviewed_on_time(ctx.session, inst_id, ctx.start, ctx.until, as_of=ctx.as_of)
    goals = goals_achieved(ctx.session, inst_id, ctx.start, ctx.until)
    participation = plans_with_participation(ctx.session, inst_id, ctx.start, ctx.until)
    overdue = reviews_overdue(ctx.session, inst_id, ctx.as_of)
    # Each pair of figures rests on the recipients behind its denominator.
    reviews_due = {
        "plans_with_reviews_due": ctx.figure(reviewed[1], reviewed.persons),
        "plans_reviewed_on_time": ctx.figure(reviewed[0], reviewed.persons),
    }
    overdue_now = ctx.figure(overdue[0], overdue.persons)
    figures = {
        **reviews_due,
        "reviews_overdue_now": overdue_now,
        "goals_due": ctx.figure(goals[1], goals.persons),
        "goals_achieved": ctx.figure(goals[0], goals.persons),
        "plans_activated": ctx.figure(participation[1], participation.persons),
        "plans_with_participation": ctx.figure(participation[0], participation.persons),
    }
    obligations = []
    uses_ispp = (
        ctx.institution.kind == InstitutionKind.crisis_centre
        or ctx.session.execute(
            sa.select(sa.func.count(CarePlan.id)).where(
                CarePlan.institution_id == inst_id, CarePlan.kind == CarePlanKind.ispp.value
            )
        ).scalar_one()
        > 0
    )
    if uses_ispp:
        # ISPPs are renewed monthly: every month, every active ISPP of that month has its successor.
        last_month = 0 if ctx.as_of < ctx.start else 12 if ctx.as_of > ctx.end else ctx.as_of.month
        for month, (plans, recipients) in enumerate(ispp_months(ctx.session, inst_id, ctx.year, last_month), 1):
            first = date(ctx.year, month, 1)
            obligations.append(
                Obligation(
                    code=f"ispp_month_{ctx.year}_{month:02d}",
                    title_lt=f"ISPP atnaujinti ({ctx.year}-{month:02d})",
                    title_en=f"ISPPs renewed monthly ({ctx.year}-{month:02d})",
                    due_date=first,
                    status="done" if plans else ctx.status(first, False),
                    evidence={"ispp_plans_in_month": ctx.figure(plans, recipients)},
                )
            )
    obligations.append(
        Obligation(
            code=f"care_plan_reviews_{ctx.year}",
            title_lt="Individualių planų peržiūros laiku",
            title_en="Care-plan reviews on time",
            due_date=ctx.until,
            status="overdue" if overdue[0] else "done",
            evidence={"reviews_overdue_now": overdue_now, **reviews_due},
        )
    )
    return CycleSection(available=True, figures=figures), obligations


def indicators_provider(ctx: Context) -> tuple[CycleSection, list[Obligation]]:
    inst_id = ctx.institution.id

    def published_between(first: date, last: date) -> int:
        return int(
            ctx.session.execute(
                sa.select(sa.func.count(IndicatorValue.id)).where(
                    IndicatorValue.institution_id == inst_id,
                    IndicatorValue.status == ValueStatus.published.value,
                    IndicatorValue.published_at >= start_of_day_utc(first),
                    IndicatorValue.published_at < start_of_day_utc(last),
                )
            ).scalar_one()
        )

    of_year = int(
        ctx.session.execute(
            sa.select(sa.func.count(IndicatorValue.id)).where(
                IndicatorValue.institution_id == inst_id,
                IndicatorValue.status == ValueStatus.published.value,
                IndicatorValue.period_start >= ctx.start,
                IndicatorValue.period_start <= ctx.end,
            )
        ).scalar_one()
    )
    first_half = published_between(ctx.start, date(ctx.year, 7, 1))
    second_half = published_between(date(ctx.year, 7, 1), date(ctx.year + 1, 1, 1))
    obligations = [
        Obligation(
            code=f"indicator_review_{ctx.year}_h1",
            title_lt="Rodiklių peržiūra (I pusmetis)",
            title_en="Indicator review (first half-year)",
            due_date=date(ctx.year, 6, 30),
            status=ctx.status(date(ctx.year, 6, 30), first_half > 0),
            evidence={"values_published": first_half},
        ),
        Obligation(
            code=f"indicator_review_{ctx.year}_h2",
            title_lt="Rodiklių peržiūra (II pusmetis)",
            title_en="Indicator review (second half-year)",
            due_date=date(ctx.year, 12, 31),
            status=ctx.status(date(ctx.year, 12, 31), second_half > 0),
            evidence={"values_published": second_half},
        ),
    ]
    figures = {
        "values_published_for_year": of_year,
        "published_first_half": first_half,
        "published_second_half": second_half,
    }
    return CycleSection(available=True, figures=figures), obligations


def _optional(module: str, name: str = "cycle_provider") -> Provider:
    """A provider living in its own domain's package, when that domain is installed."""

    def provider(ctx: Context) -> tuple[CycleSection, list[Obligation]]:
        try:
            fn = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            return CycleSection(available=False), []
        return fn(ctx)

    return provider


PROVIDERS: dict[str, Provider] = {
    "plans": _optional("api.plans.cycle"),
    "care_plans": care_plans_provider,
    "surveys": _optional("api.surveys.cycle"),
    "indicators": indicators_provider,
    "assessments": _optional("api.assessments.cycle"),
    "measures": _optional("api.measures.cycle"),
    "reports": _optional("api.reports.cycle"),
}


def stage_of(ctx: Context, annual_plan_approved: bool | None) -> str:
    if ctx.as_of < ctx.start:
        return "not_started"
    if ctx.as_of > ctx.end:
        return "closed"
    if annual_plan_approved is False or (annual_plan_approved is None and ctx.as_of.month <= 2):
        return "planning"
    if ctx.as_of.month == 12:
        return "improvement"
    if ctx.as_of.month >= 10:
        return "evaluation"
    return "delivery"


def cycle_view(
    session: Session,
    principal: Principal,
    institution_id: uuid.UUID,
    year: int,
    as_of: date,
    privacy: Privacy,
    *,
    outside: bool | None = None,
) -> CycleView:
    """The view as `principal` may read it; `outside=True` forces the view of a reader outside the
    institution's staff (a report being published)."""
    institution = get_or_404(session, Institution, institution_id, principal)
    view = privacy.view(principal, institution.id)
    if outside:
        view = privacy.outside_view()
    ctx = Context(session=session, institution=institution, year=year, as_of=as_of, view=view)
    sections: dict[str, CycleSection] = {}
    calendar: list[Obligation] = []
    for name, provider in PROVIDERS.items():
        section, obligations = provider(ctx)
        sections[name] = section
        calendar.extend(obligations)
    calendar.sort(key=lambda o: (o.due_date, o.code))
    approved = sections["plans"].figures.get("annual_plan_approved") if sections["plans"].available else None
    stage = stage_of(ctx, approved)
    return CycleView(
        institution_id=institution.id,
        year=year,
        as_of=as_of,
        stage=stage,
        stage_lt=STAGE_LT[stage],
        sections=sections,
        calendar=calendar,
        overdue=sum(1 for o in calendar if o.status == "overdue"),
    )
