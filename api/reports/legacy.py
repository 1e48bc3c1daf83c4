"""Reports published before the privacy rule recorded persons (content without a `view`): what a
reader outside the institution's staff may read of them.

Such a report was frozen with the staff's figures. For an outside reader its person-derived
figures are withheld again here, from what is known now: the persons of the indicator values it
shows (recorded on the values), the respondents of its campaigns (in the report itself), and for
the cycle's care-plan figures, whose persons the report does not say, always. Peer medians, which
could be a peer's value, are dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from api.models import ImprovementMeasure, Indicator, IndicatorValue
from api.privacy import PERSONS_NOT_RECORDED, Suppressed, View
from api.reports.schemas import AnnualReport
from api.reports.service import effect_hidden

CARE_PLAN_OBLIGATIONS = ("care_plan_reviews_", "ispp_month_")


def _unknown() -> dict[str, object]:
    return Suppressed(reason=PERSONS_NOT_RECORDED).model_dump()


def _cycle(report: AnnualReport, view: View) -> None:
    sections = report.cycle.sections
    if "care_plans" in sections:
        care = sections["care_plans"]
        care.figures = {name: _unknown() for name in care.figures}
    if "surveys" in sections:
        figures = sections["surveys"].figures
        responses = figures.get("responses")
        if isinstance(responses, int):
            figures["mean_response_rate_percent"] = view.figure(figures.get("mean_response_rate_percent"), responses)
            figures["responses"] = view.figure(responses, responses)
    for obligation in report.cycle.calendar:
        if obligation.code.startswith(CARE_PLAN_OBLIGATIONS) or obligation.code.startswith("satisfaction_survey_"):
            obligation.evidence = {name: _unknown() for name in obligation.evidence}


def _indicators(session: Session, report: AnnualReport, view: View) -> None:
    codes = {trend.code for trend in report.indicators}
    persons = (
        {
            (code, period): n
            for code, period, n in session.exec(
                select(Indicator.code, IndicatorValue.period_label, IndicatorValue.persons)
                .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
                .where(
                    IndicatorValue.institution_id == report.institution_id,
                    Indicator.code.in_(codes),
                    sa.or_(Indicator.institution_id.is_(None), Indicator.institution_id == report.institution_id),
                )
            ).all()
        }
        if codes
        else {}
    )
    for trend in report.indicators:
        trend.peer_median = None
        for point in trend.points:
            if view.hides(persons.get((trend.code, point.period))):
                point.value, point.suppressed = None, True


def _surveys(report: AnnualReport, view: View) -> None:
    for survey in report.surveys:
        if survey.responses is not None and view.hides(survey.responses):
            survey.responses, survey.response_rate_percent, survey.suppressed = None, None, True
            survey.dimensions = {code: None for code in survey.dimensions}
            survey.suppression_reason = view.reason()


def _measures(session: Session, report: AnnualReport, view: View) -> None:
    for line in report.measures:
        measure = session.get(ImprovementMeasure, line.id)
        if measure is not None and effect_hidden(session, measure, line.effect, view):
            line.effect = line.effect.model_copy(
                update={
                    "baseline_value": None,
                    "measured_value": None,
                    "change": None,
                    "improved": None,
                    "target_reached": None,
                }
            )
            line.effect_suppressed = True


def for_outside_reader(session: Session, report: AnnualReport, view: View) -> AnnualReport:
    """`report` (published without a recorded view) as a reader outside the staff may read it."""
    if report.view is not None or not view.outside:
        return report
    report = report.model_copy(deep=True)
    _cycle(report, view)
    _indicators(session, report, view)
    _surveys(report, view)
    _measures(session, report, view)
    return report
