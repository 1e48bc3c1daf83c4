"""People-facing labels (Lithuanian and English) of the planning enumerations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from api.care_plans.vocabulary import Label
from api.models import (
    CompetenceNeedSource,
    CompetenceNeedStatus,
    ItemArea,
    ItemStatus,
    PlanKind,
    PlanStatus,
    ProposalCategory,
    ProposalChannel,
    ProposalSource,
    ProposalStatus,
)

#: Per enumeration (member values repeat across them: `other`, `staff`, `services`...).
LABELS: dict[type[StrEnum], dict[str, tuple[str, str]]] = {
    PlanKind: {
        "strategic": ("Strateginis planas", "Strategic plan"),
        "annual": ("Metinis veiklos planas", "Annual activity plan"),
        "half_year": ("Pusmečio veiklos planas", "Half-year activity plan"),
        "quarterly": ("Ketvirčio veiklos planas", "Quarterly activity plan"),
        "monthly": ("Mėnesio veiklos planas", "Monthly activity plan"),
        "department": ("Skyriaus veiklos planas", "Department plan"),
        "competence_development": ("Darbuotojų kompetencijų tobulinimo planas", "Staff competence development plan"),
        "improvement": ("Kokybės gerinimo priemonių planas", "Quality improvement plan"),
    },
    PlanStatus: {
        "draft": ("Rengiamas", "Draft"),
        "submitted": ("Pateiktas tvirtinti", "Submitted for approval"),
        "returned": ("Grąžintas taisyti", "Returned for changes"),
        "approved": ("Patvirtintas", "Approved"),
        "closed": ("Užbaigtas", "Closed"),
        "superseded": ("Pakeistas nauja redakcija", "Superseded by an amendment"),
    },
    ItemArea: {
        "services": ("Paslaugų teikimas", "Services"),
        "competence": ("Kompetencijų tobulinimas", "Competence development"),
        "partnership": ("Bendradarbiavimas su partneriais", "Partnership"),
        "project": ("Projektai", "Projects"),
        "innovation": ("Naujovės", "Innovation"),
        "job_descriptions": ("Pareigybių aprašai ir funkcijos", "Job descriptions"),
        "other": ("Kita", "Other"),
    },
    ItemStatus: {
        "planned": ("Suplanuota", "Planned"),
        "in_progress": ("Vykdoma", "In progress"),
        "done": ("Įvykdyta", "Done"),
        "postponed": ("Atidėta", "Postponed"),
        "cancelled": ("Atšaukta", "Cancelled"),
    },
    ProposalSource: {
        "staff": ("Darbuotojai", "Staff"),
        "recipient": ("Paslaugų gavėjai", "Recipients"),
        "guardian": ("Globėjai, rūpintojai", "Guardians"),
        "institution_council": ("Įstaigos taryba", "Institution council"),
        "suggestion_box": ("Skundų ir pasiūlymų dėžutė", "Suggestion box"),
    },
    ProposalChannel: {
        "staff_meeting": ("Darbuotojų susirinkimas", "Staff meeting"),
        "annual_appraisal": ("Kasmetinis veiklos vertinimas", "Annual appraisal"),
        "recipients_meeting": ("Paslaugų gavėjų susirinkimas", "Recipients' meeting"),
        "council_meeting": ("Tarybos susirinkimas", "Council meeting"),
        "suggestion_box": ("Pasiūlymų dėžutė", "Suggestion box"),
        "survey": ("Apklausos klausimas", "Survey question"),
        "kiosk": ("Terminalas", "Kiosk"),
        "mobile_app": ("Mobilioji programėlė", "Mobile app"),
        "web": ("Internetu", "Web"),
        "other": ("Kita", "Other"),
    },
    ProposalCategory: {
        "services": ("Paslaugos", "Services"),
        "activities": ("Užimtumas ir veiklos", "Activities"),
        "environment": ("Aplinka", "Environment"),
        "catering": ("Maitinimas", "Catering"),
        "staff": ("Personalas", "Staff"),
        "competence": ("Kompetencijos", "Competence"),
        "safety": ("Saugumas", "Safety"),
        "communication": ("Informavimas", "Communication"),
        "other": ("Kita", "Other"),
    },
    ProposalStatus: {
        "received": ("Gautas", "Received"),
        "under_consideration": ("Svarstomas", "Under consideration"),
        "accepted": ("Priimtas", "Accepted"),
        "rejected": ("Atmestas", "Rejected"),
    },
    CompetenceNeedSource: {
        "staff_request": ("Darbuotojo pageidavimas", "Staff request"),
        "appraisal": ("Kasmetinio veiklos vertinimo išvada", "Appraisal conclusion"),
        "self_assessment": ("Įsivertinimo įrankio išvada", "Self-assessment conclusion"),
    },
    CompetenceNeedStatus: {
        "submitted": ("Pateiktas", "Submitted"),
        "planned": ("Įtrauktas į planą", "In the plan"),
    },
}


class PlanVocabulary(BaseModel):
    plan_kinds: list[Label]
    plan_statuses: list[Label]
    item_areas: list[Label]
    item_statuses: list[Label]
    proposal_sources: list[Label]
    proposal_channels: list[Label]
    proposal_categories: list[Label]
    proposal_statuses: list[Label]
    competence_need_sources: list[Label]
    competence_need_statuses: list[Label]


def _labels(enum: type[StrEnum]) -> list[Label]:
    labels = LABELS[enum]
    return [Label(value=m.value, lt=labels[m.value][0], en=labels[m.value][1]) for m in enum]


def vocabulary() -> PlanVocabulary:
    return PlanVocabulary(
        plan_kinds=_labels(PlanKind),
        plan_statuses=_labels(PlanStatus),
        item_areas=_labels(ItemArea),
        item_statuses=_labels(ItemStatus),
        proposal_sources=_labels(ProposalSource),
        proposal_channels=_labels(ProposalChannel),
        proposal_categories=_labels(ProposalCategory),
        proposal_statuses=_labels(ProposalStatus),
        competence_need_sources=_labels(CompetenceNeedSource),
        competence_need_statuses=_labels(CompetenceNeedStatus),
    )
