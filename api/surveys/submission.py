"""Exactly-once submission of survey responses.

The app generates one UUID per response. A retry with the same UUID and the same answers returns the
stored result (and stores nothing); with other answers it is 409. The unique constraint on
(campaign, client id) decides races: the row is inserted with ON CONFLICT DO NOTHING, and a request
that finds it taken reads the winner's row back (on PostgreSQL the insert waits for the concurrent
transaction and then sees its commit; on SQLite writers are serialised by BEGIN IMMEDIATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from api.audit.service import record
from api.errors import ApiError, Conflict, Forbidden, ValidationFailed
from api.models import (
    Campaign,
    Question,
    ResponseChannel,
    SurveyAnswer,
    SurveyAudience,
    SurveyResponse,
)
from api.security.principal import Principal
from api.security.scopes import Role
from api.surveys.answers import Normalised, normalise
from api.surveys.schemas import BatchItem, BatchItemProblem, BatchResult, ResponseReceipt, ResponseSubmit
from api.types import utcnow, uuid7

#: How far ahead of the server's clock a device's `answered_at` may be.
CLOCK_SKEW = timedelta(minutes=5)
AUDIENCE_OF_ROLE = {
    Role.recipient: {SurveyAudience.recipients, SurveyAudience.recipients_and_guardians, SurveyAudience.everyone},
    Role.guardian: {SurveyAudience.guardians, SurveyAudience.recipients_and_guardians, SurveyAudience.everyone},
}


class CampaignClosed(Conflict):
    slug, title = "campaign-closed", "The survey campaign does not accept this response"


class ResponseIdReused(Conflict):
    slug, title = "response-id-reused", "This response id was used for other answers"


@dataclass(frozen=True)
class Respondent:
    channel: ResponseChannel
    principal: Principal | None

    @classmethod
    def of(cls, principal: Principal) -> Respondent:
        channel = {Role.recipient: ResponseChannel.recipient, Role.guardian: ResponseChannel.guardian}.get(
            principal.role, ResponseChannel.device)
        return cls(channel=channel, principal=principal)


def questions_of(session: Session, campaign: Campaign) -> list[Question]:
    return list(session.exec(select(Question).where(Question.version_id == campaign.version_id)
                             .order_by(Question.position)).all())


def _receipt(row: Any) -> ResponseReceipt:
    return ResponseReceipt.model_validate(row)


def find_response(session: Session, campaign: Campaign, client_id: Any) -> SurveyResponse | None:
    return session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id,
                                                     SurveyResponse.client_response_id == client_id)
                        .execution_options(populate_existing=True)).first()


def _replay(stored: SurveyResponse, normalised: Normalised) -> ResponseReceipt:
    if stored.answers_digest != normalised.digest:
        raise ResponseIdReused(f"The response {stored.client_response_id} was stored with other answers; "
                               "generate a new id for a new response.")
    return _receipt(stored)


def check_window(campaign: Campaign, answered_at: datetime, now: datetime, grace: timedelta) -> bool:
    """Whether the response is late (synced after closing, within the grace period); 409 otherwise."""
    if answered_at > now + CLOCK_SKEW:
        raise ValidationFailed("answered_at is in the future.", errors=[
            {"field": "body.answered_at", "message": "must not be in the future", "code": "in_future"}])
    if now < campaign.opens_at or answered_at < campaign.opens_at:
        raise CampaignClosed(f"The campaign opens at {campaign.opens_at.isoformat()}.")
    if answered_at > campaign.closes_at:
        raise CampaignClosed(f"The campaign closed at {campaign.closes_at.isoformat()}.")
    if now > campaign.closes_at + grace:
        raise CampaignClosed(f"The campaign closed at {campaign.closes_at.isoformat()} and its late-sync grace "
                             f"period ({grace}) is over.")
    return now > campaign.closes_at


def _insert_response(session: Session, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this request stored the row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(**values).on_conflict_do_nothing(
        index_elements=["campaign_id", "client_response_id"]).returning(table.c.id)
    return session.execute(stmt).first() is not None


def submit_response(session: Session, campaign: Campaign, data: ResponseSubmit, respondent: Respondent, *,
                    grace: timedelta, questions: list[Question] | None = None,
                    prefix: str = "body") -> tuple[ResponseReceipt, bool]:
    """(receipt, created): created is False for a retry of a stored response."""
    principal = respondent.principal
    if principal is not None and principal.role in AUDIENCE_OF_ROLE and (
            campaign.audience not in AUDIENCE_OF_ROLE[principal.role]):
        raise Forbidden(f"This campaign asks {campaign.audience}, not {principal.role.value}s.")
    normalised = normalise(questions if questions is not None else questions_of(session, campaign), data.answers,
                           prefix=prefix)
    stored = find_response(session, campaign, data.client_response_id)
    if stored is not None:
        return _replay(stored, normalised), False
    now = utcnow()
    answered_at = data.answered_at or now
    if answered_at.tzinfo is None:  # a device without a time zone sends UTC
        answered_at = answered_at.replace(tzinfo=UTC)
    late = check_window(campaign, answered_at, now, grace)
    identified = not campaign.anonymous
    values = {
        "id": uuid7(), "institution_id": campaign.institution_id, "campaign_id": campaign.id,
        "version_id": campaign.version_id, "client_response_id": data.client_response_id,
        "answers_digest": normalised.digest, "channel": respondent.channel.value, "answered_at": answered_at,
        "submitted_at": now, "submitted_on": now.date(), "late": late,
        "respondent_user_id": principal.subject_id if identified and principal and principal.kind == "user" else None,
        "device_client_id": principal.subject_id if identified and principal and principal.kind == "client" else None,
    }
    if not _insert_response(session, values):
        stored = find_response(session, campaign, data.client_response_id)
        if stored is None:  # the concurrent writer rolled back in between: nothing stands in the way now
            raise Conflict("A concurrent submission of this response failed; retry.")
        return _replay(stored, normalised), False
    rows = [
        {"response_id": values["id"], "campaign_id": campaign.id, "institution_id": campaign.institution_id,
         "concept_code": a.question.concept_code, "dimension_code": a.question.dimension_code,
         "question_type": str(a.question.type),
         "value_num": a.value_num, "value_text": text, "top_box": a.top_box, "submitted_on": values["submitted_on"]}
        for a in normalised.answers for text in (a.texts or (None,))
    ]
    if rows:
        session.execute(sa.insert(SurveyAnswer), rows)
    if identified and principal is not None:
        record(session, principal, action="submit", resource_type="survey_response", resource_id=values["id"],
               institution_id=campaign.institution_id)
    return ResponseReceipt(**{k: values[k] for k in ResponseReceipt.model_fields if k != "id"}, id=values["id"]), True


def _problem(exc: ApiError) -> BatchItemProblem:
    from api.errors import TYPE_PREFIX

    return BatchItemProblem(type=TYPE_PREFIX + exc.slug, title=exc.title, detail=exc.detail,
                            errors=getattr(exc, "errors", None) if isinstance(exc, ValidationFailed) else None)


def submit_batch(session: Session, campaign: Campaign, items: list[ResponseSubmit], respondent: Respondent, *,
                 grace: timedelta) -> BatchResult:
    """Each item on its own: stored, replayed, or refused (in a savepoint, so it leaves nothing)."""
    questions = questions_of(session, campaign)
    out: list[BatchItem] = []
    counts = {"stored": 0, "replayed": 0, "failed": 0}
    for index, item in enumerate(items):
        try:
            with session.begin_nested():
                receipt, created = submit_response(session, campaign, item, respondent, grace=grace,
                                                   questions=questions, prefix=f"body.responses.{index}")
        except (ValidationFailed, Conflict, Forbidden) as exc:
            counts["failed"] += 1
            out.append(BatchItem(index=index, client_response_id=item.client_response_id, status=exc.status,
                                 problem=_problem(exc)))
            continue
        counts["stored" if created else "replayed"] += 1
        out.append(BatchItem(index=index, client_response_id=item.client_response_id,
                             status=201 if created else 200, receipt=receipt))
    return BatchResult(items=out, **counts)
