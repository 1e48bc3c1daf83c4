"""Campaigns and the submission of responses (kiosks, apps, recipients and guardians)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.privacy import PrivacyDep
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.surveys import campaigns as service
from api.surveys.export import export_campaign_csv
from api.surveys.invitations import create_invitations
from api.surveys.questionnaires import version_public
from api.surveys.result_schemas import CampaignResults
from api.surveys.results import campaign_results
from api.surveys.schemas import (
    BatchResult,
    BatchSubmit,
    CampaignCreate,
    CampaignForm,
    CampaignPublic,
    CampaignUpdate,
    InvitationBatch,
    InvitationCreate,
    ResponseReceipt,
    ResponseSubmit,
)
from api.surveys.submission import Respondent, submit_batch, submit_response

router = APIRouter(prefix="/api/v1/surveys/campaigns", tags=["surveys"])


def grace_period(request: Request) -> timedelta:
    return timedelta(hours=request.app.state.settings.survey_late_sync_grace_hours)


@router.get("", summary="List survey campaigns", response_model=Page[CampaignPublic])
def list_survey_campaigns(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    privacy: PrivacyDep,
    questionnaire_id: uuid.UUID | None = None,
    state: Annotated[Literal["scheduled", "open", "closed"] | None, Query(description="By the current time.")] = None,
    sort: Annotated[str, sort_query(["opens_at", "closes_at", "created_at"], "-opens_at")] = "-opens_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[CampaignPublic]:
    """Your institution's campaigns with their respondents and response rate (a kiosk lists the ones it
    may answer: every audience but staff)."""
    items, next_cursor = service.list_campaigns(
        session,
        principal,
        questionnaire_id=questionnaire_id,
        state=state,
        sort=sort,
        limit=limit,
        cursor=cursor,
        privacy=privacy,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Start a survey campaign",
    status_code=status.HTTP_201_CREATED,
    response_model=CampaignPublic,
    responses=problem_responses(409),
)
def create_survey_campaign(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    body: CampaignCreate,
    response: Response,
) -> CampaignPublic:
    """Runs a published version (yours or a template's) from `opens_at` to `closes_at`, anonymous or
    identified. `population` (how many are asked) gives the response rate."""
    campaign = service.create_campaign(session, principal, body)
    set_etag(response, campaign.version)
    response.headers["Location"] = f"/api/v1/surveys/campaigns/{campaign.id}"
    return campaign


@router.get("/{campaign_id}", summary="Read a survey campaign", response_model=CampaignPublic)
def read_survey_campaign(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    campaign_id: uuid.UUID,
    response: Response,
    privacy: PrivacyDep,
) -> CampaignPublic:
    """Respondents and response rate are withheld outside the institution's staff under k persons."""
    campaign = service.read_campaign(session, principal, campaign_id, privacy)
    set_etag(response, campaign.version)
    return campaign


@router.patch(
    "/{campaign_id}",
    summary="Change a campaign's name, period or population",
    response_model=CampaignPublic,
    responses=problem_responses(409, 412, 428),
)
def update_survey_campaign(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    campaign_id: uuid.UUID,
    body: CampaignUpdate,
    if_match: IfMatch,
    response: Response,
) -> CampaignPublic:
    """The opening time is fixed once the campaign has opened (409)."""
    campaign = service.update_campaign(session, principal, campaign_id, body, if_match)
    set_etag(response, campaign.version)
    return campaign


@router.get("/{campaign_id}/form", summary="The questionnaire a respondent answers", response_model=CampaignForm)
def read_survey_campaign_form(
    principal: Authorized[Scope.surveys_respond],
    session: SessionDep,
    campaign_id: uuid.UUID,
    privacy: PrivacyDep,
) -> CampaignForm:
    """The campaign with its version's questions, for the app, the kiosk or the respondent. 403 for a
    respondent the campaign does not ask (a kiosk never answers a staff survey)."""
    campaign = service.load_for_response(session, principal, campaign_id)
    return CampaignForm(
        campaign=service.campaign_public(session, campaign, privacy.outside_view()),
        questionnaire=version_public(session, service.version_of(session, campaign)),
    )


@router.post(
    "/{campaign_id}/responses",
    summary="Submit a survey response (exactly once)",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseReceipt,
    responses={
        200: {"model": ResponseReceipt, "description": "A retry: the response stored before"},
        **problem_responses(409),
    },
)
def submit_survey_response(
    principal: Authorized[Scope.surveys_respond],
    session: SessionDep,
    campaign_id: uuid.UUID,
    body: ResponseSubmit,
    request: Request,
    response: Response,
) -> ResponseReceipt:
    """By the institution's kiosk or app (feedback_device), a recipient or a guardian. A retry with the
    same `client_response_id` and answers answers 200 with the original receipt and stores nothing;
    other answers under that id are 409 `response-id-reused`. Answers are checked against the
    questionnaire version: an unknown question, a wrong type, a value out of range or a missing
    required answer is 422 naming the field, and nothing is stored. A response answered while the
    campaign was open but synced after it closed is accepted within the grace period (then `late`);
    otherwise 409 `campaign-closed`.

    Anonymous campaigns are unlinkable: no user, device or IP is stored, the response id is random
    (uuid4) and `answered_at` and `submitted_at` are kept (and returned) as the day only (00:00 UTC;
    the window and the late-sync grace are judged on the exact times before they are dropped), and
    no audit event names the campaign or the response. Identified campaigns keep the respondent and
    take one response per person: a recipient or guardian who answered already gets 409
    `already-responded` for another `client_response_id` (the first answer stands). A respondent the
    campaign does not ask gets 403: a recipient a guardians' survey, a kiosk a staff survey."""
    campaign = service.load_for_response(session, principal, campaign_id)
    receipt, created = submit_response(session, campaign, body, Respondent.of(principal), grace=grace_period(request))
    if not created:
        response.status_code = status.HTTP_200_OK
    return receipt


@router.post(
    "/{campaign_id}/responses/batch",
    summary="Submit up to 500 responses synced by an offline app",
    response_model=BatchResult,
)
def submit_survey_response_batch(
    principal: Authorized[Scope.surveys_respond],
    session: SessionDep,
    campaign_id: uuid.UUID,
    body: BatchSubmit,
    request: Request,
) -> BatchResult:
    """Each item is judged on its own, as the single submission would be: `status` 201 stored, 200 a
    retry of a stored response, 409 or 422 refused (with `problem`). A refused item stores nothing
    and does not stop the others. The rules of the single submission hold per item (one response per
    person in an identified campaign: the first new one is stored, the others are 409
    `already-responded`)."""
    campaign = service.load_for_response(session, principal, campaign_id)
    return submit_batch(session, campaign, body.responses, Respondent.of(principal), grace=grace_period(request))


@router.get(
    "/{campaign_id}/results",
    summary="A campaign's results, compared with last time and with peers",
    response_model=CampaignResults,
)
def read_survey_campaign_results(
    principal: Authorized[Scope.surveys_results],
    session: SessionDep,
    privacy: PrivacyDep,
    campaign_id: uuid.UUID,
    compare_previous: Annotated[bool, Query(description="Include the questionnaire's previous campaign.")] = True,
    peers: Annotated[bool, Query(description="Include where the institution stands among its peers.")] = True,
    peer_scope: Annotated[
        Literal["municipality", "platform"],
        Query(description="Peers of the same kind in the institution's municipality, or platform-wide"),
    ] = "municipality",
) -> CampaignResults:
    """Per question: respondents (n), mean, distribution and top-box share (4-5 of likert_5, 9-10 of
    scale_0_10, yes); the dimension scores; the previous campaign of the same questionnaire side by
    side by concept code (any version); and, as in the indicator comparison, the peer group
    (institutions of the same kind in the municipality or platform-wide; `peer_group` says how it
    was formed and its size) with the institution's percentile rank per question: a peer counts
    when its answers in overlapping campaigns rest on at least k respondents (`CIKLAS_PRIVACY_K`,
    default 5), figures need k peers, and no peer's mean, minimum, maximum, median or quartile is
    given. Free-text answers are shown to the institution's staff only and never to peers; below
    k respondents the figures are withheld from anyone outside the institution's staff."""
    return campaign_results(
        session,
        principal,
        campaign_id,
        compare_previous=compare_previous,
        peers=peers,
        privacy=privacy,
        peer_scope=peer_scope,
    )


@router.get(
    "/{campaign_id}/export",
    summary="Export a campaign's responses as CSV",
    response_class=Response,
    responses={
        200: {
            "description": "One row per response; one column per concept code.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_survey_campaign_responses(
    principal: Authorized[Scope.surveys_results],
    session: SessionDep,
    campaign_id: uuid.UUID,
) -> Response:
    """Columns: response_id, submitted_at, answered_at, late, channel, then every concept code any
    version of the questionnaire asks (sorted), identical across versions. Multi-choice answers are
    joined with `;`, yes/no as `yes`/`no`. No respondent identity is exported. Rows are in the order
    of `response_id`, which is random for an anonymous campaign, whose times are the day only
    (`2026-05-04`): nothing in the file orders the responses in time."""
    name, text = export_campaign_csv(session, principal, campaign_id)
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{campaign_id}/invitations",
    summary="Make one-time links for anonymous respondents",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationBatch,
    responses=problem_responses(409),
)
def create_survey_invitations(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    campaign_id: uuid.UUID,
    body: InvitationCreate,
) -> InvitationBatch:
    """Codes for `POST /api/v1/surveys/invitation/responses` (header `X-Invitation-Code`), shown only in
    this answer. Anonymous campaigns only (409 otherwise)."""
    return create_invitations(session, principal, campaign_id, body.count)
