"""One-time link codes for anonymous respondents.

The code is shown once, when made; only its SHA-256 is stored. Using it marks it used (no time, no
link to the response). A retry of the same response with a used code (same client UUID and answers)
gets the stored receipt; anything else with a used code is 409.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record
from api.errors import Conflict, NotFound
from api.models import Campaign, ResponseChannel, SurveyInvitation
from api.security.principal import Principal
from api.surveys.access import get_campaign
from api.surveys.schemas import InvitationBatch, ResponseReceipt, ResponseSubmit
from api.surveys.submission import Respondent, ResponseIdReused, find_response, submit_response
from api.types import uuid7


class InvitationUsed(Conflict):
    slug, title = "invitation-used", "This invitation has been used"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_invitations(session: Session, principal: Principal, campaign_id: uuid.UUID, count: int) -> InvitationBatch:
    campaign = get_campaign(session, principal, campaign_id)
    if not campaign.anonymous:
        raise Conflict("One-time links are for anonymous campaigns; identified respondents sign in.")
    codes = [secrets.token_urlsafe(18) for _ in range(count)]
    session.execute(
        sa.insert(SurveyInvitation),
        [
            {
                "id": uuid7(),
                "institution_id": campaign.institution_id,
                "campaign_id": campaign.id,
                "code_hash": code_hash(c),
                "used": False,
            }
            for c in codes
        ],
    )
    record(
        session,
        principal,
        action="invite",
        resource_type="survey_campaign",
        resource_id=campaign.id,
        detail=f"{count} one-time links",
    )
    return InvitationBatch(campaign_id=campaign.id, codes=codes)


def invitation_for(session: Session, code: str) -> tuple[SurveyInvitation, Campaign]:
    invitation = session.exec(select(SurveyInvitation).where(SurveyInvitation.code_hash == code_hash(code))).first()
    campaign = session.get(Campaign, invitation.campaign_id) if invitation else None
    if invitation is None or campaign is None:
        raise NotFound("No invitation with this code.")
    return invitation, campaign


def submit_invited(
    session: Session, code: str, data: ResponseSubmit, *, grace: timedelta
) -> tuple[ResponseReceipt, bool]:
    invitation, campaign = invitation_for(session, code)
    # Claim the code atomically: a concurrent use waits for this transaction and then finds it used.
    claimed = (
        session.execute(
            sa.update(SurveyInvitation)
            .where(SurveyInvitation.id == invitation.id, SurveyInvitation.used.is_(False))
            .values(used=True)
        ).rowcount
        == 1
    )
    respondent = Respondent(channel=ResponseChannel.invitation, principal=None)
    if claimed:
        return submit_response(session, campaign, data, respondent, grace=grace)
    if find_response(session, campaign, data.client_response_id) is None:
        raise InvitationUsed("This one-time link has been used already.")
    try:
        receipt, created = submit_response(session, campaign, data, respondent, grace=grace)
    except ResponseIdReused as exc:
        raise InvitationUsed("This one-time link has been used already.") from exc
    return receipt, created
