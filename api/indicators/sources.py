"""How computed indicator values are produced: one function per source kind.

Each is `(session, institution_id, indicator, period_start, period_end) -> ComputedValue`, where
`period_end` is the period's last day (inclusive). The survey, care-plan and plan sources call the
aggregates of their domains, imported lazily: until a domain is installed, its source answers 409
`source-not-available`. Every aggregation runs in SQL in the module that owns the data.

Every source records how many persons the value rests on (`persons`, judged by api/privacy.py):
survey respondents, the recipients of the care plans counted, for a formula the fewest of its
inputs'; `None` for sources not derived from persons (plan items).
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import Conflict
from api.models import Indicator, IndicatorValue


class SourceNotAvailable(Conflict):
    slug, title = "source-not-available", "The indicator's source cannot be computed"


class InputsMissing(Conflict):
    slug, title = "indicator-inputs-missing", "The values this indicator is computed from are missing"


@dataclass(frozen=True)
class ComputedValue:
    value: float | None
    records: int
    inputs: dict[str, Any] = field(default_factory=dict)
    #: Persons behind the value (None when not derived from persons).
    persons: int | None = None


Compute = Callable[[Session, uuid.UUID, Indicator, date, date], ComputedValue]

SURVEY_AGGREGATES = "api.surveys.aggregates"
CARE_PLAN_AGGREGATES = "api.care_plans.aggregates"
PLAN_AGGREGATES = "api.plans.aggregates"
CARE_PLAN_MEASURES = {
    "goals_achieved": "goals_achieved",
    "reviewed_on_time": "plans_reviewed_on_time",
    "participation": "plans_with_participation",
}


def _aggregate(module: str, name: str) -> Callable[..., Any]:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SourceNotAvailable(f"The source {module}.{name} is not available in this installation.") from exc


def _share(numerator: int, denominator: int, inputs: dict[str, Any], persons: int | None = None) -> ComputedValue:
    value = round(100.0 * numerator / denominator, 4) if denominator else None
    return ComputedValue(
        value=value,
        records=int(denominator),
        inputs={**inputs, "numerator": int(numerator), "denominator": int(denominator)},
        persons=persons,
    )


def compute_manual(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    raise SourceNotAvailable("A manual indicator is entered by hand, not computed.")


def compute_survey(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    source = indicator.source
    aggregation = source.get("aggregation", "mean")
    if source.get("concept_code"):
        fn, key, code = _aggregate(SURVEY_AGGREGATES, "concept_score"), "concept_code", source["concept_code"]
    else:
        fn, key, code = _aggregate(SURVEY_AGGREGATES, "dimension_score"), "dimension_code", source["dimension_code"]
    value, respondents = fn(session, institution_id, code, period_start, period_end, aggregation)
    return ComputedValue(
        value=None if value is None else float(value),
        records=int(respondents),
        inputs={key: code, "aggregation": aggregation, "respondents": int(respondents)},
        persons=int(respondents),
    )


def compute_care_plans(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    measure = indicator.source.get("measure", "")
    fn = _aggregate(CARE_PLAN_AGGREGATES, CARE_PLAN_MEASURES.get(measure, measure))
    share = fn(session, institution_id, period_start, period_end)
    numerator, denominator = share
    # The recipients behind the goals or plans counted: a share of one person's goals is about one person.
    persons = getattr(share, "persons", None)
    if persons is None:  # a figure about persons that cannot say how many could not be protected
        raise SourceNotAvailable(
            f"The source {CARE_PLAN_AGGREGATES}.{measure} does not count the persons behind its figures."
        )
    return _share(numerator, denominator, {"measure": measure}, int(persons))


def compute_plans(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    fn = _aggregate(PLAN_AGGREGATES, "items_done_on_time")
    numerator, denominator = fn(session, institution_id, period_start, period_end)
    return _share(numerator, denominator, {"measure": "items_done_on_time"})


def _input_value(institution_id: uuid.UUID, code: str, period_start: date) -> Any:
    """The subquery of one input indicator's value row (the code as the institution sees it)."""
    return (
        select(IndicatorValue.value, IndicatorValue.records, IndicatorValue.persons)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(
            Indicator.code == code,
            sa.or_(Indicator.institution_id.is_(None), Indicator.institution_id == institution_id),
            IndicatorValue.institution_id == institution_id,
            IndicatorValue.period_start == period_start,
        )
        .limit(1)
    )


def compute_formula(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    source = indicator.source
    num_code, den_code = source["numerator"], source.get("denominator")
    factor = float(source.get("factor", 1.0))
    num = _input_value(institution_id, num_code, period_start).subquery("num")
    one_row = select(sa.literal(1).label("one")).subquery("one_row")
    columns = [num.c.value.label("num_value"), num.c.records.label("num_records"), num.c.persons.label("num_persons")]
    stmt = select(*columns).select_from(one_row).outerjoin(num, sa.true())
    if den_code:
        den = _input_value(institution_id, den_code, period_start).subquery("den")
        stmt = stmt.add_columns(
            den.c.value.label("den_value"),
            den.c.records.label("den_records"),
            den.c.persons.label("den_persons"),
            (num.c.value / sa.func.nullif(den.c.value, 0.0) * sa.literal(factor, sa.Float)).label("result"),
        ).outerjoin(den, sa.true())
    else:
        stmt = stmt.add_columns((num.c.value * sa.literal(factor, sa.Float)).label("result"))
    row = session.exec(stmt).one()._mapping
    missing = [
        code
        for code, present in (
            (num_code, row["num_value"] is not None),
            (den_code, den_code is None or row["den_value"] is not None),
        )
        if not present
    ]
    if missing:
        raise InputsMissing(
            f"No value of {', '.join(missing)} for this period; enter or compute it first.", missing=missing
        )
    if den_code and row["result"] is None:
        raise InputsMissing(f"The denominator {den_code} is zero for this period.", missing=[den_code])
    inputs: dict[str, Any] = {
        "factor": factor,
        "numerator": {
            "code": num_code,
            "value": row["num_value"],
            "records": row["num_records"],
            "persons": row["num_persons"],
        },
    }
    persons = [row["num_persons"]]
    if den_code:
        inputs["denominator"] = {
            "code": den_code,
            "value": row["den_value"],
            "records": row["den_records"],
            "persons": row["den_persons"],
        }
        persons.append(row["den_persons"])
    # A formula rests on the fewest persons of its inputs: a suppressed input suppresses the result.
    known = [p for p in persons if p is not None]
    return ComputedValue(
        value=float(row["result"]),
        records=1 + (1 if den_code else 0),
        inputs=inputs,
        persons=min(known) if known else None,
    )


SOURCES: dict[str, Compute] = {
    "manual": compute_manual,
    "survey": compute_survey,
    "care_plans": compute_care_plans,
    "plans": compute_plans,
    "formula": compute_formula,
}


def compute(
    session: Session, institution_id: uuid.UUID, indicator: Indicator, period_start: date, period_end: date
) -> ComputedValue:
    return SOURCES[indicator.source_kind](session, institution_id, indicator, period_start, period_end)
