"""Campaigns: a published questionnaire version run by an institution over a period."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record
from api.concurrency import check_if_match
from api.crud import patched_fields
from api.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from api.models import Campaign, Questionnaire, QuestionnaireVersion, SurveyResponse, VersionStatus
from api.pagination import paginate
from api.privacy import Privacy, View
from api.security.principal import Principal
from api.surveys.access import get_campaign, readable_campaigns
from api.surveys.schemas import CampaignCreate, CampaignPublic, CampaignUpdate
from api.surveys.submission import AUDIENCE_OF_ROLE, check_audience
from api.types import utcnow


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def state_of(campaign: Campaign, now: datetime | None = None) -> Literal["scheduled", "open", "closed"]:
    now = now or utcnow()
    if now < campaign.opens_at:
        return "scheduled"
    return "open" if now <= campaign.closes_at else "closed"


def respondent_counts(session: Session, campaign_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not campaign_ids:
        return {}
    rows = session.exec(
        select(SurveyResponse.campaign_id, sa.func.count())
        .where(SurveyResponse.campaign_id.in_(campaign_ids))
        .group_by(SurveyResponse.campaign_id)
    ).all()
    return {cid: int(n) for cid, n in rows}


def to_public(campaign: Campaign, respondents: int, view: View | None = None) -> CampaignPublic:
    """`view` is the reader's: outside the institution's staff, fewer than k respondents (and the
    rate that would give them away) are withheld."""
    if view is not None and view.hides(respondents):
        return CampaignPublic.model_validate(campaign).model_copy(
            update={
                "state": state_of(campaign),
                "respondents": None,
                "response_rate": None,
                "respondents_suppressed": True,
                "suppression_reason": view.reason(),
            }
        )
    rate = round(100.0 * respondents / campaign.population, 1) if campaign.population else None
    return CampaignPublic.model_validate(campaign).model_copy(
        update={"state": state_of(campaign), "respondents": respondents, "response_rate": rate}
    )


def campaign_public(session: Session, campaign: Campaign, view: View | None = None) -> CampaignPublic:
    """The campaign with its respondents; without `view`, for the service's own use (unwithheld)."""
    return to_public(campaign, respondent_counts(session, [campaign.id]).get(campaign.id, 0), view)


def list_campaigns(
    session: Session,
    principal: Principal,
    *,
    questionnaire_id: uuid.UUID | None,
    state: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
    privacy: Privacy,
) -> tuple[list[CampaignPublic], str | None]:
    stmt = readable_campaigns(principal)
    if questionnaire_id:
        stmt = stmt.where(Campaign.questionnaire_id == questionnaire_id)
    now = utcnow()
    if state == "open":
        stmt = stmt.where(Campaign.opens_at <= now, Campaign.closes_at >= now)
    elif state == "scheduled":
        stmt = stmt.where(Campaign.opens_at > now)
    elif state == "closed":
        stmt = stmt.where(Campaign.closes_at < now)
    if principal.role in AUDIENCE_OF_ROLE:  # a kiosk lists what it may answer
        stmt = stmt.where(Campaign.audience.in_(sorted(AUDIENCE_OF_ROLE[principal.role])))
    rows, next_cursor = paginate(session, stmt, model=Campaign, sort=sort, limit=limit, cursor=cursor)
    counts = respondent_counts(session, [r.id for r in rows])
    return [to_public(r, counts.get(r.id, 0), privacy.view(principal, r.institution_id)) for r in rows], next_cursor


def _check_period(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationFailed.for_field("body.closes_at", "closes_at must be after opens_at")


def create_campaign(session: Session, principal: Principal, data: CampaignCreate) -> CampaignPublic:
    version = session.exec(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.id == data.version_id,
            sa.or_(
                QuestionnaireVersion.institution_id.is_(None),
                QuestionnaireVersion.institution_id == principal.institution_id,
            ),
        )
    ).first()
    if version is None:
        raise ValidationFailed.for_field(
            "body.version_id", "No questionnaire version of yours or of a template with this id."
        )
    if version.status != VersionStatus.published:
        raise Conflict(f"Only a published version can be run; this one is {version.status}.")
    questionnaire = session.get(Questionnaire, version.questionnaire_id)
    assert questionnaire is not None
    opens_at, closes_at = _aware(data.opens_at), _aware(data.closes_at)
    _check_period(opens_at, closes_at)
    campaign = Campaign(
        institution_id=principal.institution_id,
        questionnaire_id=questionnaire.id,
        version_id=version.id,
        name=data.name,
        opens_at=opens_at,
        closes_at=closes_at,
        anonymous=data.anonymous,
        audience=data.audience or questionnaire.audience,
        population=data.population,
        created_by_id=principal.subject_id if principal.kind == "user" else None,
    )
    session.add(campaign)
    session.flush()
    record(session, principal, action="create", resource_type="survey_campaign", resource_id=campaign.id)
    return to_public(campaign, 0)


def read_campaign(session: Session, principal: Principal, campaign_id: uuid.UUID, privacy: Privacy) -> CampaignPublic:
    campaign = get_campaign(session, principal, campaign_id)
    return campaign_public(session, campaign, privacy.view(principal, campaign.institution_id))


def update_campaign(
    session: Session, principal: Principal, campaign_id: uuid.UUID, patch: CampaignUpdate, if_match: str
) -> CampaignPublic:
    campaign = get_campaign(session, principal, campaign_id)
    check_if_match(if_match, campaign.version)
    data = patched_fields(patch, not_null=("name", "opens_at", "closes_at"))
    if "opens_at" in data:
        data["opens_at"] = _aware(data["opens_at"])
        if state_of(campaign) != "scheduled" and data["opens_at"] != campaign.opens_at:
            raise InvalidTransition("A campaign that has opened keeps its opening time.")
    if "closes_at" in data:
        data["closes_at"] = _aware(data["closes_at"])
    _check_period(data.get("opens_at", campaign.opens_at), data.get("closes_at", campaign.closes_at))
    for key, value in data.items():
        setattr(campaign, key, value)
    session.add(campaign)
    session.flush()
    record(session, principal, action="update", resource_type="survey_campaign", resource_id=campaign.id)
    return campaign_public(session, campaign)


def load_for_response(session: Session, principal: Principal, campaign_id: uuid.UUID) -> Campaign:
    """The campaign a respondent of the institution (device, recipient, guardian) answers; 403 when
    it does not ask them."""
    if principal.institution_id is None:
        raise NotFound("No survey campaign with this id.")
    campaign = get_campaign(session, principal, campaign_id)
    check_audience(campaign, principal)
    return campaign


def version_of(session: Session, campaign: Campaign) -> QuestionnaireVersion:
    version = session.get(QuestionnaireVersion, campaign.version_id)
    assert version is not None
    return version
