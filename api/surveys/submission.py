"""Exactly-once submission of survey responses.

The app generates one UUID per response. A retry with the same UUID and the same answers returns the
stored result (and stores nothing); with other answers it is 409. The unique constraint on
(campaign, client id) decides races: the row is inserted with ON CONFLICT DO NOTHING, and a request
that finds it taken reads the winner's row back (on PostgreSQL the insert waits for the concurrent
transaction and then sees its commit; on SQLite writers are serialised by BEGIN IMMEDIATE).

Anonymous campaigns are unlinkable: the response gets a random id (uuid4, not time-ordered), its
times are stored at day precision (00:00 UTC of the day; the opening, closing and late-sync rules
are judged on the exact times in memory, before they are dropped), no user or device is kept and no
audit event is written. Identified campaigns keep the respondent and take one response per person:
a recipient or guardian answering again with another `client_response_id` gets 409
`already-responded` (the first answer stands; a retry of it still gets its receipt).
"""

from __future__ import annotations

import uuid
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
    # The institution's kiosk or app serves its visitors: everyone but its staff.
    Role.feedback_device: set(SurveyAudience) - {SurveyAudience.staff},
}


class CampaignClosed(Conflict):
    slug, title = "campaign-closed", "The survey campaign does not accept this response"


class ResponseIdReused(Conflict):
    slug, title = "response-id-reused", "This response id was used for other answers"


class AlreadyResponded(Conflict):
    slug, title = "already-responded", "You have answered this campaign already"


def _already_responded() -> AlreadyResponded:
    return AlreadyResponded("An identified campaign takes one response per person; your first response stands.")


@dataclass(frozen=True)
class Respondent:
    channel: ResponseChannel
    principal: Principal | None

    @classmethod
    def of(cls, principal: Principal) -> Respondent:
        channel = {Role.recipient: ResponseChannel.recipient, Role.guardian: ResponseChannel.guardian}.get(
            principal.role, ResponseChannel.device
        )
        return cls(channel=channel, principal=principal)

    def person_in(self, campaign: Campaign) -> uuid.UUID | None:
        """The user kept with a response to `campaign`: identified campaigns only, people only."""
        p = self.principal
        return p.subject_id if not campaign.anonymous and p is not None and p.kind == "user" else None

    def device_in(self, campaign: Campaign) -> uuid.UUID | None:
        p = self.principal
        return p.subject_id if not campaign.anonymous and p is not None and p.kind == "client" else None


def questions_of(session: Session, campaign: Campaign) -> list[Question]:
    return list(
        session.exec(
            select(Question).where(Question.version_id == campaign.version_id).order_by(Question.position)
        ).all()
    )


def _receipt(row: Any) -> ResponseReceipt:
    return ResponseReceipt.model_validate(row)


def find_response(session: Session, campaign: Campaign, client_id: Any) -> SurveyResponse | None:
    return session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id, SurveyResponse.client_response_id == client_id)
        .execution_options(populate_existing=True)
    ).first()


def find_own_response(session: Session, campaign: Campaign, user_id: uuid.UUID) -> SurveyResponse | None:
    return session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id, SurveyResponse.respondent_user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()


def _replay(stored: SurveyResponse, normalised: Normalised) -> ResponseReceipt:
    if stored.answers_digest != normalised.digest:
        raise ResponseIdReused(
            f"The response {stored.client_response_id} was stored with other answers; "
            "generate a new id for a new response."
        )
    return _receipt(stored)


def check_window(campaign: Campaign, answered_at: datetime, now: datetime, grace: timedelta) -> bool:
    """Whether the response is late (synced after closing, within the grace period); 409 otherwise."""
    if answered_at > now + CLOCK_SKEW:
        raise ValidationFailed.for_field(
            "body.answered_at", "must not be in the future", "in_future", detail="answered_at is in the future."
        )
    if now < campaign.opens_at or answered_at < campaign.opens_at:
        raise CampaignClosed(f"The campaign opens at {campaign.opens_at.isoformat()}.")
    if answered_at > campaign.closes_at:
        raise CampaignClosed(f"The campaign closed at {campaign.closes_at.isoformat()}.")
    if now > campaign.closes_at + grace:
        raise CampaignClosed(
            f"The campaign closed at {campaign.closes_at.isoformat()} and its late-sync grace period ({grace}) is over."
        )
    return now > campaign.closes_at


def _insert_responses(session: Session, rows: list[dict[str, Any]]) -> set[Any]:
    """One INSERT ... ON CONFLICT DO NOTHING for all `rows`; the client ids this statement stored.
    Any unique conflict skips the row: the client id taken (a retry) or, in an identified campaign,
    the respondent's response stored by a concurrent request (the caller tells which)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SurveyResponse.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(rows).on_conflict_do_nothing().returning(table.c.client_response_id)
    return {row[0] for row in session.execute(stmt)}


@dataclass
class Prepared:
    """A validated response ready to store: its row, its answer rows, its normalised answers and the
    exact time it was answered (judged, never stored for an anonymous campaign)."""

    values: dict[str, Any]
    answers: list[dict[str, Any]]
    normalised: Normalised
    answered_at: datetime


def _day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def check_audience(campaign: Campaign, principal: Principal | None) -> None:
    """403 for a respondent the campaign does not ask (a kiosk never answers a staff survey)."""
    if (
        principal is not None
        and principal.role in AUDIENCE_OF_ROLE
        and (campaign.audience not in AUDIENCE_OF_ROLE[principal.role])
    ):
        raise Forbidden(f"This campaign asks {campaign.audience}, not {principal.role.value}s.")


def prepare(
    campaign: Campaign,
    data: ResponseSubmit,
    respondent: Respondent,
    questions: list[Question],
    *,
    grace: timedelta,
    now: datetime,
    prefix: str = "body",
) -> Prepared:
    """Validates the answers against the version (422), without touching the database. The timing
    is judged by `check_timing`, only for a response not stored yet: a retry after the campaign
    closed still gets its original receipt."""
    normalised = normalise(questions, data.answers, prefix=prefix)
    answered_at = data.answered_at or now
    if answered_at.tzinfo is None:  # a device without a time zone sends UTC
        answered_at = answered_at.replace(tzinfo=UTC)
    answered_at = answered_at.astimezone(UTC)
    anonymous = campaign.anonymous
    values = {
        # An anonymous response's id is random and its times are the day only: nothing orders it
        # among the others or lines it up with a sign-in in the audit trail.
        "id": uuid.uuid4() if anonymous else uuid7(),
        "institution_id": campaign.institution_id,
        "campaign_id": campaign.id,
        "version_id": campaign.version_id,
        "client_response_id": data.client_response_id,
        "answers_digest": normalised.digest,
        "channel": respondent.channel.value,
        "answered_at": _day(answered_at) if anonymous else answered_at,
        "submitted_at": _day(now) if anonymous else now,
        "submitted_on": now.date(),
        "late": False,
        "respondent_user_id": respondent.person_in(campaign),
        "device_client_id": respondent.device_in(campaign),
    }
    answers = [
        {
            "response_id": values["id"],
            "campaign_id": campaign.id,
            "institution_id": campaign.institution_id,
            "concept_code": a.question.concept_code,
            "dimension_code": a.question.dimension_code,
            "question_type": str(a.question.type),
            "value_num": a.value_num,
            "value_text": text,
            "top_box": a.top_box,
            "submitted_on": values["submitted_on"],
        }
        for a in normalised.answers
        for text in (a.texts or (None,))
    ]
    return Prepared(values=values, answers=answers, normalised=normalised, answered_at=answered_at)


def check_timing(campaign: Campaign, p: Prepared, *, grace: timedelta, now: datetime) -> None:
    p.values["late"] = check_window(campaign, p.answered_at, now, grace)


def _stored_receipt(p: Prepared) -> ResponseReceipt:
    return ResponseReceipt(**{k: p.values[k] for k in ResponseReceipt.model_fields if k != "id"}, id=p.values["id"])


def _store(session: Session, campaign: Campaign, respondent: Respondent, new: list[Prepared]) -> set[Any]:
    """Inserts the responses (one statement) and the answers of those this request stored (one
    statement); the client ids stored. Ids taken meanwhile by a concurrent request are left out."""
    if not new:
        return set()
    stored = _insert_responses(session, [p.values for p in new])
    answers = [row for p in new if p.values["client_response_id"] in stored for row in p.answers]
    if answers:
        session.execute(sa.insert(SurveyAnswer), answers)
    principal = respondent.principal
    if not campaign.anonymous and principal is not None:  # an anonymous response leaves no trace
        for p in new:
            if p.values["client_response_id"] in stored:
                record(
                    session,
                    principal,
                    action="submit",
                    resource_type="survey_response",
                    resource_id=p.values["id"],
                    institution_id=campaign.institution_id,
                )
    return stored


def submit_response(
    session: Session,
    campaign: Campaign,
    data: ResponseSubmit,
    respondent: Respondent,
    *,
    grace: timedelta,
    questions: list[Question] | None = None,
    prefix: str = "body",
) -> tuple[ResponseReceipt, bool]:
    """(receipt, created): created is False for a retry of a stored response."""
    check_audience(campaign, respondent.principal)
    now = utcnow()
    prepared = prepare(
        campaign,
        data,
        respondent,
        questions if questions is not None else questions_of(session, campaign),
        grace=grace,
        now=now,
        prefix=prefix,
    )
    # Insert first and read only on a conflict: a new response (the common case) costs no
    # look-up. A retry is recognised by the unique (campaign, client id) and answered from the row.
    try:
        check_timing(campaign, prepared, grace=grace, now=now)
    except ApiError:
        stored = find_response(session, campaign, data.client_response_id)
        if stored is not None:  # a retry after the campaign closed still gets its receipt
            return _replay(stored, prepared.normalised), False
        raise
    if not _store(session, campaign, respondent, [prepared]):
        stored = find_response(session, campaign, data.client_response_id)
        if stored is not None:
            return _replay(stored, prepared.normalised), False
        person = respondent.person_in(campaign)
        if person is not None and find_own_response(session, campaign, person) is not None:
            raise _already_responded()
        # the concurrent writer rolled back in between: nothing stands in the way now
        raise Conflict("A concurrent submission of this response failed; retry.")
    return _stored_receipt(prepared), True


def _problem(exc: ApiError) -> BatchItemProblem:
    from api.errors import TYPE_PREFIX

    return BatchItemProblem(
        type=TYPE_PREFIX + exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=getattr(exc, "errors", None) if isinstance(exc, ValidationFailed) else None,
    )


def submit_batch(
    session: Session, campaign: Campaign, items: list[ResponseSubmit], respondent: Respondent, *, grace: timedelta
) -> BatchResult:
    """Each item answered on its own (201 stored, 200 a retry, 409 or 422 refused and nothing of it
    stored), in a constant number of statements whatever the batch size: validation in memory, one
    look-up of the ids already stored, one INSERT of the new responses, one of their answers."""
    questions = questions_of(session, campaign)
    now = utcnow()
    results: list[BatchItem | None] = [None] * len(items)

    def fail(index: int, exc: ApiError) -> None:
        results[index] = BatchItem(
            index=index, client_response_id=items[index].client_response_id, status=exc.status, problem=_problem(exc)
        )

    def ok(index: int, receipt: ResponseReceipt, created: bool) -> None:
        results[index] = BatchItem(
            index=index,
            client_response_id=items[index].client_response_id,
            status=201 if created else 200,
            receipt=receipt,
        )

    prepared: dict[int, Prepared] = {}
    for index, item in enumerate(items):
        try:
            check_audience(campaign, respondent.principal)
            prepared[index] = prepare(
                campaign, item, respondent, questions, grace=grace, now=now, prefix=f"body.responses.{index}"
            )
        except (ValidationFailed, Conflict, Forbidden) as exc:
            fail(index, exc)
    ids = {items[i].client_response_id for i in prepared}
    existing = (
        {
            row.client_response_id: row
            for row in session.exec(
                select(SurveyResponse).where(
                    SurveyResponse.campaign_id == campaign.id, SurveyResponse.client_response_id.in_(ids)
                )
            )
        }
        if ids
        else {}
    )
    first_of: dict[Any, int] = {}  # a client id's first new item in this batch
    repeats: list[int] = []
    for index, p in prepared.items():
        cid = items[index].client_response_id
        if cid in existing:
            try:
                ok(index, _replay(existing[cid], p.normalised), False)
            except ResponseIdReused as exc:
                fail(index, exc)
        elif cid in first_of:
            repeats.append(index)
        else:
            try:
                check_timing(campaign, p, grace=grace, now=now)
            except (ValidationFailed, Conflict) as exc:
                fail(index, exc)
                continue
            first_of[cid] = index
    person = respondent.person_in(campaign)
    allowed = dict(first_of)
    if person is not None and allowed:
        # One response per identified person: only their first new response may be stored, and none
        # when one is stored already (a retry of that one was answered above from `existing`).
        keep = [] if find_own_response(session, campaign, person) is not None else list(allowed)[:1]
        for cid in [c for c in allowed if c not in keep]:
            fail(allowed.pop(cid), _already_responded())
    stored = _store(session, campaign, respondent, [prepared[i] for i in allowed.values()])
    for cid, index in allowed.items():
        if cid in stored:
            ok(index, _stored_receipt(prepared[index]), True)
            continue
        row = find_response(session, campaign, cid)  # taken by a concurrent request meanwhile
        try:
            if row is None:
                if person is not None and find_own_response(session, campaign, person) is not None:
                    raise _already_responded()
                raise Conflict("A concurrent submission of this response failed; retry.")
            ok(index, _replay(row, prepared[index].normalised), False)
        except Conflict as exc:
            fail(index, exc)
    for index in repeats:  # the same id twice in one batch: the first decides
        first = results[first_of[items[index].client_response_id]]
        if first is None or first.receipt is None:
            fail(index, Conflict("The first item with this response id was refused."))
        elif prepared[first_of[items[index].client_response_id]].normalised.digest != prepared[index].normalised.digest:
            fail(index, ResponseIdReused("This batch carries the response id twice with different answers."))
        else:
            ok(index, first.receipt, False)
    out = [r for r in results if r is not None]
    counts = {"stored": sum(1 for r in out if r.status == 201), "replayed": sum(1 for r in out if r.status == 200)}
    return BatchResult(items=out, failed=len(out) - counts["stored"] - counts["replayed"], **counts)
