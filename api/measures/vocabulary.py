"""People-facing labels (Lithuanian and English) of the improvement-measure enumerations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from api.models import EvidenceKind, MeasureArea, MeasureStatus

LABELS: dict[StrEnum, tuple[str, str]] = {
    MeasureArea.competence: ("Darbuotojų kompetencijos", "Staff competence"),
    MeasureArea.services: ("Paslaugos", "Services"),
    MeasureArea.efficiency: ("Veiklos efektyvumas", "Efficiency"),
    MeasureArea.satisfaction: ("Pasitenkinimas paslaugomis", "Satisfaction"),
    MeasureArea.quality_of_life: ("Gyvenimo kokybė", "Quality of life"),
    MeasureArea.other: ("Kita", "Other"),
    MeasureStatus.proposed: ("Pasiūlyta", "Proposed"),
    MeasureStatus.approved: ("Patvirtinta", "Approved"),
    MeasureStatus.in_progress: ("Įgyvendinama", "In progress"),
    MeasureStatus.completed: ("Įgyvendinta", "Completed"),
    MeasureStatus.effective: ("Veiksminga", "Effective"),
    MeasureStatus.not_effective: ("Neveiksminga", "Not effective"),
    EvidenceKind.indicator_comparison: ("Rodiklio palyginimas", "Indicator comparison"),
    EvidenceKind.survey_result: ("Apklausos rezultatas", "Survey result"),
    EvidenceKind.assessment_finding: ("Įsivertinimo išvada", "Self-assessment finding"),
    EvidenceKind.swot_item: ("SSGG analizės teiginys", "SWOT item"),
    EvidenceKind.proposal: ("Pasiūlymas", "Proposal"),
}


class Label(BaseModel):
    value: str
    lt: str
    en: str


class MeasureVocabulary(BaseModel):
    areas: list[Label]
    statuses: list[Label]
    evidence_kinds: list[Label]


def labels(enum: type[StrEnum], table: dict[StrEnum, tuple[str, str]] = LABELS) -> list[Label]:
    return [Label(value=m.value, lt=table[m][0], en=table[m][1]) for m in enum]


def vocabulary() -> MeasureVocabulary:
    return MeasureVocabulary(
        areas=labels(MeasureArea), statuses=labels(MeasureStatus), evidence_kinds=labels(EvidenceKind)
    )
