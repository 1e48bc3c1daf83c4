"""Anonymous respondents with a one-time link: no token, the link's code in `X-Invitation-Code`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from api.db import SessionDep
from api.errors import problem_responses
from api.privacy import PrivacyDep
from api.surveys import campaigns as campaign_service
from api.surveys.campaigns_router import grace_period
from api.surveys.invitations import invitation_for, submit_invited
from api.surveys.questionnaires import version_public
from api.surveys.schemas import CampaignForm, ResponseReceipt, ResponseSubmit

router = APIRouter(prefix="/api/v1/surveys/invitation", tags=["surveys"])

InvitationCode = Annotated[
    str,
    Header(
        alias="X-Invitation-Code",
        min_length=8,
        max_length=100,
        description="The one-time code of the link the respondent received.",
    ),
]


@router.get(
    "/form",
    summary="The questionnaire of a one-time link",
    response_model=CampaignForm,
    responses=problem_responses(404),
)
def read_invited_survey_form(session: SessionDep, code: InvitationCode, privacy: PrivacyDep) -> CampaignForm:
    """No token: the code identifies the campaign. 404 for an unknown code."""
    _invitation, campaign = invitation_for(session, code)
    return CampaignForm(
        campaign=campaign_service.campaign_public(session, campaign, privacy.outside_view()),
        questionnaire=version_public(session, campaign_service.version_of(session, campaign)),
    )


@router.post(
    "/responses",
    summary="Submit an anonymous response with a one-time link",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseReceipt,
    responses={
        200: {"model": ResponseReceipt, "description": "A retry: the response stored before"},
        **problem_responses(404, 409),
    },
)
def submit_invited_survey_response(
    session: SessionDep,
    code: InvitationCode,
    body: ResponseSubmit,
    request: Request,
    response: Response,
) -> ResponseReceipt:
    """Like the token submission, exactly once, and the code is used up: a retry of the same response
    (same `client_response_id` and answers) gets the stored receipt (200); another response with a
    used code is 409 `invitation-used`. Nothing identifies the respondent."""
    receipt, created = submit_invited(session, code, body, grace=grace_period(request))
    if not created:
        response.status_code = status.HTTP_200_OK
    return receipt
