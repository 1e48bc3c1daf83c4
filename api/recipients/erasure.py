"""Erasure of a recipient after the retention period: total for the person, true for the statistics.

What identifies the person or may name them goes: names, birth date, personal code, every free-text
field of their care plans (wishes, participants, non-participation reason, need and goal
descriptions, goal measure, baseline, target and measured values, services' description, provider
and frequency, review notes and participants, comments), the text of their proposals and of the
answers to them, their free-text survey answers and the links to their key worker, team and
guardians. Their own account is deactivated and anonymised (username, full name, e-mail, password,
sign-ins), and so is a guardian's account left without any ward.

What the indicators need stays: codes (need domain, plan kind, status), levels, attainment, the
participation flag, with every date coarsened to the month (period ends to the month's end). A
review held late keeps being late: its date is moved to the day after its coarsened due date.

The audit trail keeps its rows (see the README's "Erasure"): ids, roles, actions and times, never a
name; the names an access log shows are read from the accounts, which are anonymised here.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from api.auth import throttle
from api.care_plans.access import get_recipient_or_404
from api.care_plans.trail import audit_care
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import Conflict
from api.models import (
    CareGoal,
    CareNeed,
    CarePlan,
    CarePlanComment,
    CareReview,
    CareReviewGoal,
    CareService,
    Proposal,
    QuestionType,
    Recipient,
    RecipientGuardian,
    RecipientStatus,
    RecipientTeamMember,
    RefreshToken,
    SurveyAnswer,
    SurveyResponse,
    User,
)
from api.security.principal import Principal
from api.security.scopes import Role
from api.types import today, utcnow

#: What stands in a required text field after erasure.
REDACTED = "[ištrinta / erased]"
#: A password hash no password verifies against.
NO_PASSWORD = "!erased"


def month(day: date | None) -> date | None:
    return day.replace(day=1) if day is not None else None


def month_end(day: date | None) -> date | None:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) if day is not None else None


def month_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _coarsen_review(review: CareReview) -> None:
    late = review.due_date is not None and review.review_date > review.due_date
    held, due = month(review.review_date), month(review.due_date)
    assert held is not None
    if late and due is not None and held <= due:  # held late within the due month: still late
        held = due + timedelta(days=1)
    review.review_date, review.due_date = held, due
    review.next_review_date = month(review.next_review_date)


def _erase_care_plans(session: Session, recipient_id: uuid.UUID) -> None:
    plans = list(session.exec(select(CarePlan).where(CarePlan.recipient_id == recipient_id)).all())
    ids = [p.id for p in plans]
    for plan in plans:
        plan.participants = plan.recipient_wishes = plan.non_participation_reason = None
        plan.period_start, plan.period_end = month(plan.period_start), month_end(plan.period_end)
        plan.next_review_date, plan.participated_on = month(plan.next_review_date), month(plan.participated_on)
        plan.activated_at, plan.closed_at = month_utc(plan.activated_at), month_utc(plan.closed_at)
        plan.created_at = month_utc(plan.created_at)
        session.add(plan)
    if not ids:
        return
    for need in session.exec(select(CareNeed).where(CareNeed.care_plan_id.in_(ids))).all():
        need.description, need.created_at = None, month_utc(need.created_at)
        session.add(need)
    for goal in session.exec(select(CareGoal).where(CareGoal.care_plan_id.in_(ids))).all():
        goal.description, goal.measured_value = None, None
        goal.measure = goal.baseline = goal.target = REDACTED
        goal.due_date, goal.created_at = month(goal.due_date), month_utc(goal.created_at)
        session.add(goal)
    for service in session.exec(select(CareService).where(CareService.care_plan_id.in_(ids))).all():
        service.description = service.provider = service.frequency = REDACTED
        service.created_at = month_utc(service.created_at)
        session.add(service)
    reviews = list(session.exec(select(CareReview).where(CareReview.care_plan_id.in_(ids))).all())
    for review in reviews:
        review.participants, review.notes = None, None
        _coarsen_review(review)
        review.created_at = month_utc(review.created_at)
        session.add(review)
    if reviews:
        session.exec(
            sa.update(CareReviewGoal)
            .where(CareReviewGoal.review_id.in_([r.id for r in reviews]))
            .values(measured_value=None)
        )
    session.exec(sa.delete(CarePlanComment).where(CarePlanComment.care_plan_id.in_(ids)))


def _erase_account(session: Session, principal: Principal, user_id: uuid.UUID, recipient: Recipient) -> None:
    """Deactivates the account and removes what names the person in it and in what they wrote."""
    user = session.get(User, user_id)
    if user is None:
        return
    throttle.forget_account(session, f"user:{user.username.lower()}")
    session.exec(sa.delete(RefreshToken).where(RefreshToken.user_id == user.id))
    user.username = f"erased-{uuid.uuid4().hex}"
    user.full_name, user.email, user.password_hash = REDACTED, None, NO_PASSWORD
    user.is_active, user.last_login_at, user.department_id = False, None, None
    session.add(user)
    # Their proposals stay for the plans that carry them, without their words or their name.
    session.exec(
        sa.update(Proposal)
        .where(Proposal.submitted_by_id == user.id)
        .values(
            text=REDACTED,
            rejection_reason=None,
            submitted_by_id=None,
            version=Proposal.version + 1,
            updated_at=utcnow(),
        )
    )
    # Their identified survey responses stay in the figures; what they wrote in free text goes.
    responses = select(SurveyResponse.id).where(SurveyResponse.respondent_user_id == user.id).scalar_subquery()
    session.exec(
        sa.delete(SurveyAnswer).where(
            SurveyAnswer.response_id.in_(responses), SurveyAnswer.question_type == QuestionType.text.value
        )
    )
    session.exec(
        sa.update(SurveyResponse).where(SurveyResponse.respondent_user_id == user.id).values(respondent_user_id=None)
    )
    audit_care(
        session,
        principal,
        action="anonymise",
        resource_type="user",
        resource_id=user.id,
        recipient_id=recipient.id,
        institution_id=recipient.institution_id,
    )


def _orphaned_guardians(session: Session, guardian_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Guardian accounts among `guardian_ids` with no ward left (run after the links are gone)."""
    if not guardian_ids:
        return []
    still = set(
        session.exec(select(RecipientGuardian.user_id).where(RecipientGuardian.user_id.in_(guardian_ids))).all()
    )
    return [
        g
        for g in guardian_ids
        if g not in still and session.exec(select(User.role).where(User.id == g)).first() == Role.guardian.value
    ]


def anonymise_recipient(
    session: Session, principal: Principal, recipient_id: uuid.UUID, if_match: str, *, retention_days: int
) -> Recipient:
    row = get_recipient_or_404(session, principal, recipient_id)
    audit_care(
        session,
        principal,
        action="anonymise",
        resource_type="recipient",
        resource_id=row.id,
        recipient_id=row.id,
        institution_id=row.institution_id,
    )
    check_if_match(if_match, row.version)
    if row.status == RecipientStatus.anonymised:
        raise Conflict("The recipient is already anonymised.")
    if row.discharge_date is None:
        raise Conflict("Only a discharged recipient can be anonymised.")
    erasable_from = row.discharge_date + timedelta(days=retention_days)
    if today() < erasable_from:
        raise Conflict(
            f"The retention period runs until {erasable_from.isoformat()}.", erasable_from=erasable_from.isoformat()
        )
    account_id = row.user_id
    guardian_ids = list(
        session.exec(select(RecipientGuardian.user_id).where(RecipientGuardian.recipient_id == row.id)).all()
    )
    row.first_name = row.last_name = row.personal_code = None
    row.birth_date = None
    row.user_id = row.key_worker_id = None
    row.admission_date, row.discharge_date = month(row.admission_date), month(row.discharge_date)
    row.created_at = month_utc(row.created_at)
    row.status = RecipientStatus.anonymised
    row.anonymised_at = utcnow()
    session.add(row)
    session.exec(sa.delete(RecipientGuardian).where(RecipientGuardian.recipient_id == row.id))
    session.exec(sa.delete(RecipientTeamMember).where(RecipientTeamMember.recipient_id == row.id))
    _erase_care_plans(session, row.id)
    flush_or_conflict(session, "The recipient could not be anonymised.")
    for user_id in ([account_id] if account_id else []) + _orphaned_guardians(session, guardian_ids):
        _erase_account(session, principal, user_id, row)
    flush_or_conflict(session, "The recipient could not be anonymised.")
    return row
