"""People-facing labels (Lithuanian and English) of self-assessment and SWOT enumerations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from api.measures.vocabulary import Label, labels
from api.models import AssessmentStatus, FindingKind, SwotQuadrant, TemplateKind

LABELS: dict[StrEnum, tuple[str, str]] = {
    TemplateKind.care_norms: ("Socialinės globos normų atitikties įsivertinimas", "Care-norm compliance"),
    TemplateKind.social_worker_self_assessment: (
        "Socialinio darbuotojo įsivertinimo įrankis",
        "Social workers' self-assessment tool",
    ),
    TemplateKind.equass: ("EQUASS įsivertinimas", "EQUASS-style self-assessment"),
    TemplateKind.custom: ("Įstaigos klausimynas", "Institution's own template"),
    AssessmentStatus.draft: ("Pildomas", "Draft"),
    AssessmentStatus.completed: ("Užbaigtas", "Completed"),
    FindingKind.strength: ("Stiprybė", "Strength"),
    FindingKind.improvement_area: ("Tobulintina sritis", "Area for improvement"),
    SwotQuadrant.strength: ("Stiprybės", "Strengths"),
    SwotQuadrant.weakness: ("Silpnybės", "Weaknesses"),
    SwotQuadrant.opportunity: ("Galimybės", "Opportunities"),
    SwotQuadrant.threat: ("Grėsmės", "Threats"),
}


class AssessmentVocabulary(BaseModel):
    template_kinds: list[Label]
    statuses: list[Label]
    finding_kinds: list[Label]
    swot_quadrants: list[Label]


def vocabulary() -> AssessmentVocabulary:
    return AssessmentVocabulary(
        template_kinds=labels(TemplateKind, LABELS),
        statuses=labels(AssessmentStatus, LABELS),
        finding_kinds=labels(FindingKind, LABELS),
        swot_quadrants=labels(SwotQuadrant, LABELS),
    )
