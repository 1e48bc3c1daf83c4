"""Plain factories for survey tests: a published questionnaire with one question of every type, and
campaigns of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from api.models import Campaign, Institution, Question, Questionnaire, QuestionnaireVersion, VersionStatus

OPTIONS_CONTACT = [{"code": c, "label_lt": c, "label_en": c} for c in ("daily", "weekly", "rarely")]
OPTIONS_ACTIVITIES = [{"code": c, "label_lt": c, "label_en": c} for c in ("garden", "music", "walks")]

#: concept_code, type, required, dimension, extra
QUESTIONS: list[tuple[str, str, bool, str | None, dict[str, Any]]] = [
    ("Q_SAT", "likert_5", True, "SATISFACTION", {}),
    ("Q_RECOMMEND", "scale_0_10", True, "SATISFACTION", {}),
    ("Q_SAFE", "yes_no", True, None, {}),
    ("Q_AGE", "number", False, None, {"min_value": 0, "max_value": 120}),
    ("Q_CONTACT", "single_choice", False, None, {"options": OPTIONS_CONTACT}),
    ("Q_ACTIVITIES", "multi_choice", False, None, {"options": OPTIONS_ACTIVITIES}),
    ("Q_COMMENT", "text", False, None, {}),
]
DIMENSIONS = [{"code": "SATISFACTION", "name_lt": "Pasitenkinimas", "name_en": "Satisfaction"}]


def questions_body(questions=QUESTIONS) -> list[dict[str, Any]]:
    return [
        {
            "concept_code": code,
            "type": kind,
            "text_lt": f"Klausimas {code}",
            "text_en": f"Question {code}",
            "required": required,
            "dimension_code": dim,
            **extra,
        }
        for code, kind, required, dim, extra in questions
    ]


def make_questionnaire(
    session: Session,
    institution: Institution | None = None,
    *,
    code: str | None = None,
    status: VersionStatus = VersionStatus.published,
    questions=QUESTIONS,
    questionnaire: Questionnaire | None = None,
) -> QuestionnaireVersion:
    """A questionnaire (or a new version of `questionnaire`) with the given questions."""
    if questionnaire is None:
        questionnaire = Questionnaire(
            institution_id=institution.id if institution else None,
            code=code or f"SAT_{uuid.uuid4().hex[:6].upper()}",
            kind="satisfaction",
            audience="everyone",
            title_lt="Apklausa",
            title_en="Survey",
        )
        session.add(questionnaire)
        session.flush()
        number = 1
    else:
        number = 1 + len(
            session.exec(
                select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == questionnaire.id)
            ).all()
        )
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id,
        institution_id=questionnaire.institution_id,
        number=number,
        status=status,
        dimensions=DIMENSIONS,
        published_at=datetime.now(UTC) if status != VersionStatus.draft else None,
    )
    session.add(version)
    session.flush()
    for position, q in enumerate(questions_body(questions), start=1):
        session.add(Question(version_id=version.id, position=position, **q))
    session.commit()
    return version


def make_campaign(
    session: Session,
    version: QuestionnaireVersion,
    institution: Institution,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    anonymous: bool = True,
    audience: str = "everyone",
    population: int | None = None,
) -> Campaign:
    now = datetime.now(UTC)
    row = Campaign(
        institution_id=institution.id,
        questionnaire_id=version.questionnaire_id,
        version_id=version.id,
        name="Metinė apklausa",
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=30),
        anonymous=anonymous,
        audience=audience,
        population=population,
    )
    session.add(row)
    session.commit()
    return row


def answers(sat=4, recommend=9, safe=True, **more: Any) -> list[dict[str, Any]]:
    out = [
        {"concept_code": "Q_SAT", "value": sat},
        {"concept_code": "Q_RECOMMEND", "value": recommend},
        {"concept_code": "Q_SAFE", "value": safe},
    ]
    out += [{"concept_code": code, "value": value} for code, value in more.items()]
    return out


def response_body(client_id: uuid.UUID | None = None, **kw: Any) -> dict[str, Any]:
    answered_at = kw.pop("answered_at", None)
    body: dict[str, Any] = {"client_response_id": str(client_id or uuid.uuid4()), "answers": answers(**kw)}
    if answered_at is not None:
        body["answered_at"] = answered_at.isoformat()
    return body
