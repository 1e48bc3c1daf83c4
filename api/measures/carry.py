"""Closing the loop: an improvement measure that was not completed, or did not work, is carried
into next year's plan as an item linked back to it (the item's `improvement_measure_id`; the
measure's `carried_into_plan_item_id` is the item's series, the same item across plan revisions)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.errors import InvalidTransition, ValidationFailed
from api.measures.schemas import CarryIntoPlan
from api.measures.service import CARRYABLE, get_measure, mark_carried_into_plan
from api.models import ImprovementMeasure, ItemArea, MeasureArea, Plan, PlanItem
from api.plans.schemas import ItemCreate, ItemPublic
from api.security.principal import Principal
from api.tenancy import scoped

ITEM_AREA = {MeasureArea.competence: ItemArea.competence, MeasureArea.services: ItemArea.services}


def link_item(session: Session, principal: Principal, plan: Plan, item: PlanItem) -> None:
    """Called by planning when an item names `improvement_measure_id`: the measure must be the
    institution's; an item of a later year's plan carries the measure on (409 when the measure is
    effective, completed and not yet judged, or already carried)."""
    measure = session.exec(
        scoped(
            select(ImprovementMeasure).where(ImprovementMeasure.id == item.improvement_measure_id),
            ImprovementMeasure,
            principal,
        )
    ).first()
    if measure is None:
        raise ValidationFailed.for_field(
            "body.improvement_measure_id", "No improvement measure with this id in your institution."
        )
    if plan.period_start.year > measure.year:
        mark_carried_into_plan(session, principal, measure.id, item.series_id)


def carry_into_plan(session: Session, principal: Principal, measure_id: uuid.UUID, data: CarryIntoPlan) -> ItemPublic:
    from api.plans.items import add_item  # planning imports this module back (link_item)

    measure = get_measure(session, principal, measure_id)
    if measure.status not in CARRYABLE:
        raise InvalidTransition(f"A {measure.status} measure is not carried into next year's plan.")
    if measure.carried_into_plan_item_id is not None:
        raise InvalidTransition("The measure is already carried into a plan.")
    plan = session.exec(scoped(select(Plan).where(Plan.id == data.plan_id), Plan, principal)).first()
    if plan is None:
        raise ValidationFailed.for_field("body.plan_id", "No plan with this id in your institution.")
    if plan.period_start.year <= measure.year:
        raise ValidationFailed.for_field(
            "body.plan_id", f"The measure is of {measure.year}; carry it into a plan of a later year."
        )
    item = ItemCreate(
        title=measure.title,
        description=measure.description,
        area=ITEM_AREA.get(measure.area, ItemArea.other),
        due_date=data.due_date or plan.period_end,
        responsible_user_id=data.responsible_user_id or measure.owner_id,
        indicator_id=measure.effect_indicator_id,
        target_value=measure.effect_target,
        improvement_measure_id=measure.id,
    )
    return add_item(session, principal, plan.id, item)
