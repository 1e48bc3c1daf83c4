"""Surveys: questionnaires (platform templates and institutions' own), their versions and questions,
campaigns, responses and the narrow answer table the results and indicators aggregate over.

A question's `concept_code` is stable across versions and years, so results compare by it. Answers
carry the institution, concept, dimension and submission day themselves: the aggregates are one
indexed range scan, never a join over responses.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models.base import IdMixin, TenantMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime, utcnow


class QuestionnaireKind(StrEnum):
    satisfaction = "satisfaction"
    quality_of_life = "quality_of_life"
    empowerment = "empowerment"
    service_benefit = "service_benefit"
    staff = "staff"
    stakeholder = "stakeholder"
    other = "other"


class SurveyAudience(StrEnum):
    recipients = "recipients"
    guardians = "guardians"
    recipients_and_guardians = "recipients_and_guardians"
    staff = "staff"
    stakeholders = "stakeholders"
    everyone = "everyone"


class VersionStatus(StrEnum):
    draft = "draft"
    published = "published"
    retired = "retired"


class QuestionType(StrEnum):
    likert_5 = "likert_5"
    scale_0_10 = "scale_0_10"
    single_choice = "single_choice"
    multi_choice = "multi_choice"
    yes_no = "yes_no"
    number = "number"
    text = "text"


class ResponseChannel(StrEnum):
    device = "device"
    recipient = "recipient"
    guardian = "guardian"
    invitation = "invitation"


class Questionnaire(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """`institution_id` NULL: a platform-wide template that institutions adopt."""

    __tablename__ = "survey_questionnaires"
    __table_args__ = (sa.UniqueConstraint("institution_id", "code"),)

    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    code: str = Field(max_length=60, index=True)
    kind: QuestionnaireKind = Field(sa_type=sa.String(30))
    audience: SurveyAudience = Field(sa_type=sa.String(30))
    title_lt: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    template_id: uuid.UUID | None = Field(
        default=None, foreign_key="survey_questionnaires.id", index=True, ondelete="SET NULL"
    )


class QuestionnaireVersion(IdMixin, TimestampMixin, VersionedMixin, table=True):
    __tablename__ = "survey_versions"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "number"),)

    questionnaire_id: uuid.UUID = Field(foreign_key="survey_questionnaires.id", index=True, ondelete="CASCADE")
    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    number: int
    status: VersionStatus = Field(default=VersionStatus.draft, sa_type=sa.String(20))
    #: [{"code", "name_lt", "name_en"}]: the dimension scores; questions name theirs.
    dimensions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Question(IdMixin, SQLModel, table=True):
    __tablename__ = "survey_questions"
    __table_args__ = (sa.UniqueConstraint("version_id", "concept_code"),)

    version_id: uuid.UUID = Field(foreign_key="survey_versions.id", index=True, ondelete="CASCADE")
    position: int
    concept_code: str = Field(max_length=60)
    type: QuestionType = Field(sa_type=sa.String(20))
    text_lt: str = Field(max_length=1000)
    text_en: str = Field(max_length=1000)
    required: bool = Field(default=True)
    #: [{"code", "label_lt", "label_en"}] for single_choice and multi_choice.
    options: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    min_value: float | None = Field(default=None)
    max_value: float | None = Field(default=None)
    dimension_code: str | None = Field(default=None, max_length=60)


class Campaign(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "survey_campaigns"
    __table_args__ = (sa.Index("ix_survey_campaigns_institution_id_opens_at", "institution_id", "opens_at"),)

    questionnaire_id: uuid.UUID = Field(foreign_key="survey_questionnaires.id", index=True, ondelete="CASCADE")
    version_id: uuid.UUID = Field(foreign_key="survey_versions.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=300)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    anonymous: bool = Field(default=True)
    audience: SurveyAudience = Field(sa_type=sa.String(30))
    population: int | None = Field(default=None)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class SurveyResponse(IdMixin, TenantMixin, table=True):
    """One submitted questionnaire.

    Anonymous campaigns keep no user, device or IP, a random (uuid4, not time-ordered) id and the
    day only of `answered_at` and `submitted_at` (00:00 UTC). Identified campaigns keep the
    respondent, at most one response per person (the unique index below)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "client_response_id"),
        # NULLs are distinct: anonymous and device responses are not limited by it.
        sa.Index(
            "ix_survey_responses_campaign_id_respondent_user_id", "campaign_id", "respondent_user_id", unique=True
        ),
    )

    campaign_id: uuid.UUID = Field(foreign_key="survey_campaigns.id", index=True, ondelete="CASCADE")
    version_id: uuid.UUID = Field(foreign_key="survey_versions.id", ondelete="CASCADE")
    client_response_id: uuid.UUID
    #: sha256 of the normalised answers: a retry with other answers under the same id is 409.
    answers_digest: str = Field(max_length=64)
    channel: ResponseChannel = Field(sa_type=sa.String(20))
    answered_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_on: date
    late: bool = Field(default=False)
    respondent_user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    device_client_id: uuid.UUID | None = Field(default=None, foreign_key="api_clients.id", ondelete="SET NULL")


class SurveyAnswer(SQLModel, table=True):
    """One answer (one row per chosen option of a multi-choice question): narrow and indexed by
    (institution, concept or dimension, day) for the aggregates."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        sa.Index(
            "ix_survey_answers_institution_id_concept_code_submitted_on",
            "institution_id",
            "concept_code",
            "submitted_on",
        ),
        sa.Index(
            "ix_survey_answers_institution_id_dimension_code_submitted_on",
            "institution_id",
            "dimension_code",
            "submitted_on",
        ),
        sa.Index("ix_survey_answers_campaign_id_concept_code", "campaign_id", "concept_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: uuid.UUID = Field(foreign_key="survey_responses.id", index=True, ondelete="CASCADE")
    campaign_id: uuid.UUID = Field(foreign_key="survey_campaigns.id", ondelete="CASCADE")
    institution_id: uuid.UUID = Field(foreign_key="institutions.id", ondelete="CASCADE")
    concept_code: str = Field(max_length=60)
    dimension_code: str | None = Field(default=None, max_length=60)
    question_type: QuestionType = Field(sa_type=sa.String(20))
    value_num: float | None = Field(default=None)
    value_text: str | None = Field(default=None, max_length=4000)
    #: In the top box (4-5 of likert_5, 9-10 of scale_0_10, yes); NULL for types without one.
    top_box: bool | None = Field(default=None)
    submitted_on: date


class SurveyInvitation(IdMixin, TenantMixin, table=True):
    """A one-time link code for an anonymous respondent. Only the code's hash is stored, and nothing
    links it to the response it was used for (not even the time of use)."""

    __tablename__ = "survey_invitations"

    campaign_id: uuid.UUID = Field(foreign_key="survey_campaigns.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used: bool = Field(default=False)
