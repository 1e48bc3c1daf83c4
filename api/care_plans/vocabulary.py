"""People-facing labels (Lithuanian and English) of the care-plan enumerations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from api.models import Attainment, CarePlanKind, CarePlanStatus, NeedDomain, NeedLevel, RecipientStatus

LABELS: dict[StrEnum, tuple[str, str]] = {
    CarePlanKind.isgp: ("Individualus socialinės globos planas (ISGP)", "Individual social care plan (ISGP)"),
    CarePlanKind.ispp: (
        "Individualus socialinės pagalbos šeimai (asmeniui) planas (ISPP)",
        "Individual social assistance plan for a family or person (ISPP, monthly)",
    ),
    CarePlanKind.ipp: ("Individualus pagalbos planas (IPP)", "Individual assistance plan (IPP)"),
    CarePlanStatus.draft: ("Rengiamas", "Draft"),
    CarePlanStatus.active: ("Galiojantis", "Active"),
    CarePlanStatus.closed: ("Užbaigtas", "Closed"),
    CarePlanStatus.replaced: ("Pakeistas nauju", "Replaced"),
    NeedDomain.health: ("Sveikata", "Health"),
    NeedDomain.daily_living: ("Kasdienė veikla ir savarankiškumas", "Daily living"),
    NeedDomain.social_relations: ("Socialiniai ryšiai", "Social relations"),
    NeedDomain.occupation_education: ("Užimtumas ir švietimas", "Occupation and education"),
    NeedDomain.housing: ("Būstas", "Housing"),
    NeedDomain.finances: ("Finansai", "Finances"),
    NeedDomain.safety: ("Saugumas", "Safety"),
    NeedDomain.emotional_wellbeing: ("Emocinė gerovė", "Emotional wellbeing"),
    NeedDomain.other: ("Kita", "Other"),
    NeedLevel.none: ("Poreikio nėra", "No need"),
    NeedLevel.low: ("Nedidelis", "Low"),
    NeedLevel.moderate: ("Vidutinis", "Moderate"),
    NeedLevel.high: ("Didelis", "High"),
    NeedLevel.very_high: ("Labai didelis", "Very high"),
    Attainment.not_started: ("Nepradėta", "Not started"),
    Attainment.progressing: ("Siekiama", "Progressing"),
    Attainment.achieved: ("Pasiekta", "Achieved"),
    Attainment.not_achieved: ("Nepasiekta", "Not achieved"),
    Attainment.discontinued: ("Nutraukta", "Discontinued"),
    RecipientStatus.active: ("Gauna paslaugas", "Receiving services"),
    RecipientStatus.discharged: ("Išvykęs", "Discharged"),
    RecipientStatus.anonymised: ("Nuasmenintas", "Anonymised"),
}


class Label(BaseModel):
    value: str
    lt: str
    en: str


class CareVocabulary(BaseModel):
    plan_kinds: list[Label]
    plan_statuses: list[Label]
    need_domains: list[Label]
    need_levels: list[Label]
    attainments: list[Label]
    recipient_statuses: list[Label]


def _labels(enum: type[StrEnum]) -> list[Label]:
    return [Label(value=m.value, lt=LABELS[m][0], en=LABELS[m][1]) for m in enum]


def vocabulary() -> CareVocabulary:
    return CareVocabulary(
        plan_kinds=_labels(CarePlanKind),
        plan_statuses=_labels(CarePlanStatus),
        need_domains=_labels(NeedDomain),
        need_levels=_labels(NeedLevel),
        attainments=_labels(Attainment),
        recipient_statuses=_labels(RecipientStatus),
    )
