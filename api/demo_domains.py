"""The demo's year in the cycle, for the family and child welfare centre: the budget approval rule,
an approved annual plan with items and a review, an open satisfaction survey the demo kiosk can
answer, a published indicator value with its target, an improvement measure and a SWOT."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from api.models import (
    Campaign,
    ImprovementMeasure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Institution,
    ItemArea,
    ItemStatus,
    Plan,
    PlanApprovalRule,
    PlanItem,
    PlanKind,
    PlanReview,
    PlanStatus,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SwotItem,
    User,
)
from api.types import uuid7

QUESTIONS = [
    ("SAT_OVERALL", "Kaip vertinate gaunamas paslaugas?", "How do you rate the services you receive?"),
    ("SAT_STAFF", "Ar darbuotojai jumis rūpinasi?", "Do the staff care about you?"),
    ("SAT_SAFE", "Ar jaučiatės saugiai centre?", "Do you feel safe at the centre?"),
]


def load_domain_demo(
    session: Session, institution: Institution, director: User, quality: User, head: User, year: int
) -> None:
    inst = institution.id
    session.add(
        PlanApprovalRule(institution_id=inst, year=year, budget_approved_on=date(year, 1, 20), approve_within_months=2)
    )
    plan_id = uuid7()
    session.add(
        Plan(
            id=plan_id,
            series_id=plan_id,
            institution_id=inst,
            kind=PlanKind.annual,
            title=f"{year} m. veiklos planas",
            period_label=str(year),
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            status=PlanStatus.approved,
            submitted_at=datetime(year, 2, 3, 9, tzinfo=UTC),
            approved_at=datetime(year, 2, 10, 9, tzinfo=UTC),
            approved_by_id=director.id,
            created_by_id=quality.id,
            next_review_due=date(year, 3, 10),
        )
    )
    session.flush()
    for title, area, due, status, done_on in (
        (
            "Darbuotojų mokymai apie vaiko teises",
            ItemArea.competence,
            date(year, 4, 30),
            ItemStatus.done,
            date(year, 4, 20),
        ),
        ("Savaitgalio užimtumas vaikams", ItemArea.services, date(year, 9, 30), ItemStatus.in_progress, None),
        ("Bendradarbiavimo sutartis su mokykla", ItemArea.partnership, date(year, 12, 31), ItemStatus.planned, None),
    ):
        item_id = uuid7()
        session.add(
            PlanItem(
                id=item_id,
                series_id=item_id,
                institution_id=inst,
                plan_id=plan_id,
                title=title,
                area=area,
                due_date=due,
                status=status,
                completed_on=done_on,
                progress=100 if done_on else 30 if status == ItemStatus.in_progress else 0,
                responsible_user_id=head.id,
            )
        )
    session.add(
        PlanReview(
            institution_id=inst,
            plan_id=plan_id,
            review_date=date(year, 3, 9),
            due_date=date(year, 3, 10),
            reviewer_id=quality.id,
            notes="Plano vykdymas aptartas.",
        )
    )
    questionnaire = Questionnaire(
        institution_id=inst,
        code="PASITENKINIMAS",
        kind="satisfaction",
        audience="recipients_and_guardians",
        title_lt="Paslaugų gavėjų pasitenkinimas",
        title_en="Recipient satisfaction",
    )
    session.add(questionnaire)
    session.flush()
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id,
        institution_id=inst,
        number=1,
        status="published",
        published_at=datetime(year, 1, 5, tzinfo=UTC),
        dimensions=[{"code": "SATISFACTION", "name_lt": "Pasitenkinimas", "name_en": "Satisfaction"}],
    )
    session.add(version)
    session.flush()
    for position, (code, lt, en) in enumerate(QUESTIONS):
        session.add(
            Question(
                version_id=version.id,
                position=position,
                concept_code=code,
                type="likert_5",
                text_lt=lt,
                text_en=en,
                required=True,
                min_value=1,
                max_value=5,
                dimension_code="SATISFACTION",
            )
        )
    session.add(
        Campaign(
            institution_id=inst,
            questionnaire_id=questionnaire.id,
            version_id=version.id,
            name=f"{year} m. pasitenkinimo apklausa",
            opens_at=datetime(year, 1, 10, tzinfo=UTC),
            closes_at=datetime(year, 12, 31, 21, tzinfo=UTC),
            anonymous=True,
            audience="recipients_and_guardians",
            population=120,
            created_by_id=quality.id,
        )
    )
    indicator = Indicator(
        institution_id=inst,
        code="DEMO_SATISFACTION",
        name_lt="Pasitenkinimas paslaugomis",
        name_en="Satisfaction with services",
        unit="percent",
        direction="higher_is_better",
        periodicity="year",
        source_kind="survey",
        source={"kind": "survey", "dimension_code": "SATISFACTION", "concept_code": None, "aggregation": "top_box"},
    )
    session.add(indicator)
    session.flush()
    session.add(
        IndicatorValue(
            institution_id=inst,
            indicator_id=indicator.id,
            periodicity="year",
            period_start=date(year - 1, 1, 1),
            period_end=date(year - 1, 12, 31),
            period_label=str(year - 1),
            value=78.0,
            status="published",
            origin="manual",
            persons=64,
            published_at=datetime(year, 1, 15, tzinfo=UTC),
            published_by=director.id,
        )
    )
    session.add(
        IndicatorTarget(
            institution_id=inst,
            indicator_id=indicator.id,
            period_start=date(year, 1, 1),
            period_label=str(year),
            target=85.0,
        )
    )
    session.add(
        ImprovementMeasure(
            institution_id=inst,
            year=year,
            title="Daugiau užimtumo veiklų savaitgaliais",
            area="satisfaction",
            owner_id=head.id,
            due_date=date(year, 9, 30),
            status="in_progress",
            effect_indicator_id=indicator.id,
            effect_indicator_code=indicator.code,
            effect_target=85.0,
            effect_period=str(year),
        )
    )
    for quadrant, text in (
        ("strength", "Patyrusi, stabili komanda"),
        ("weakness", "Maža savanorių įtrauktis"),
        ("opportunity", "Savivaldybės projektinis finansavimas"),
        ("threat", "Didėjantis paslaugų poreikis"),
    ):
        session.add(SwotItem(institution_id=inst, year=year, quadrant=quadrant, text=text))
