"""People-facing labels (Lithuanian and English) of the survey enumerations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from api.models import QuestionnaireKind, QuestionType, SurveyAudience, VersionStatus

LABELS: dict[StrEnum, tuple[str, str]] = {
    QuestionnaireKind.satisfaction: ("Pasitenkinimas paslaugomis", "Satisfaction with services"),
    QuestionnaireKind.quality_of_life: ("Gyvenimo kokybė", "Quality of life"),
    QuestionnaireKind.empowerment: ("Įgalinimas", "Empowerment"),
    QuestionnaireKind.service_benefit: ("Paslaugų nauda", "Benefit of services"),
    QuestionnaireKind.staff: ("Darbuotojų apklausa", "Staff survey"),
    QuestionnaireKind.stakeholder: ("Suinteresuotųjų šalių apklausa", "Stakeholder survey"),
    QuestionnaireKind.other: ("Kita", "Other"),
    SurveyAudience.recipients: ("Paslaugų gavėjai", "Service recipients"),
    SurveyAudience.guardians: ("Globėjai, rūpintojai, artimieji", "Guardians and relatives"),
    SurveyAudience.recipients_and_guardians: ("Paslaugų gavėjai ir jų artimieji", "Recipients and guardians"),
    SurveyAudience.staff: ("Darbuotojai", "Staff"),
    SurveyAudience.stakeholders: ("Suinteresuotosios šalys", "Stakeholders"),
    SurveyAudience.everyone: ("Visi", "Everyone"),
    VersionStatus.draft: ("Rengiama", "Draft"),
    VersionStatus.published: ("Paskelbta", "Published"),
    VersionStatus.retired: ("Nebenaudojama", "Retired"),
    QuestionType.likert_5: ("Vertinimas nuo 1 iki 5", "Rating 1-5 (Likert)"),
    QuestionType.scale_0_10: ("Skalė nuo 0 iki 10", "Scale 0-10"),
    QuestionType.single_choice: ("Vienas pasirinkimas", "Single choice"),
    QuestionType.multi_choice: ("Keli pasirinkimai", "Multiple choice"),
    QuestionType.yes_no: ("Taip / ne", "Yes / no"),
    QuestionType.number: ("Skaičius", "Number"),
    QuestionType.text: ("Laisvas tekstas", "Free text"),
}


class Label(BaseModel):
    value: str
    lt: str
    en: str


class SurveyVocabulary(BaseModel):
    questionnaire_kinds: list[Label]
    audiences: list[Label]
    version_statuses: list[Label]
    question_types: list[Label]


def _labels(enum: type[StrEnum]) -> list[Label]:
    return [Label(value=m.value, lt=LABELS[m][0], en=LABELS[m][1]) for m in enum]


def vocabulary() -> SurveyVocabulary:
    return SurveyVocabulary(
        questionnaire_kinds=_labels(QuestionnaireKind),
        audiences=_labels(SurveyAudience),
        version_statuses=_labels(VersionStatus),
        question_types=_labels(QuestionType),
    )
