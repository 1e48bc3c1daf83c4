"""/api/v1/indicator-values: the municipality pull and summary, and one value's life cycle."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.indicators import pull, values
from api.indicators.periods import Periodicity
from api.indicators.schemas import (
    MunicipalitySummary,
    PulledValue,
    RevisionPublic,
    ValueCorrection,
    ValuePublic,
    ValueUpdate,
)
from api.models import InstitutionKind
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.privacy import PrivacyDep
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate, ApiDateTime

router = APIRouter(prefix="/api/v1/indicator-values", tags=["indicator values"])

CACHE_CONTROL = "private, no-cache"
CSV_MEDIA_TYPE = "text/csv"
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", max_length=500, description="The ETag of an earlier pull: 304 when nothing changed"),
]
Accept = Annotated[
    str | None, Header(alias="Accept", max_length=500, description="`text/csv` for CSV (every matching row, no paging)")
]


@router.get(
    "",
    summary="Pull published indicator values",
    response_model=Page[PulledValue],
    responses={
        200: {
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
            "description": "JSON pages, or CSV with `Accept: text/csv`",
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
    },
)
def pull_indicator_values(
    principal: Authorized[Scope.indicator_values_pull],
    session: SessionDep,
    response: Response,
    privacy: PrivacyDep,
    municipality_id: uuid.UUID | None = None,
    institution_id: uuid.UUID | None = None,
    institution_kind: InstitutionKind | None = None,
    indicator: Annotated[str | None, Query(max_length=60, description="An indicator code")] = None,
    periodicity: Periodicity | None = None,
    period_from: Annotated[ApiDate | None, Query(description="Periods starting on or after this day")] = None,
    period_to: Annotated[ApiDate | None, Query(description="Periods starting on or before this day")] = None,
    updated_since: Annotated[
        ApiDateTime | None, Query(description="Only values changed (published or corrected) at or after this instant")
    ] = None,
    sort: Annotated[str, sort_query(["period_start", "updated_at"], "period_start")] = "period_start",
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
    accept: Accept = None,
    if_none_match: IfNoneMatch = None,
) -> Page[PulledValue] | Response:
    """Published values of the institutions the caller sees (a municipality client: its own
    municipality's), without comments or people; a value resting on fewer than k persons (survey
    respondents, care-plan recipients, a formula's fewest inputs'; `CIKLAS_PRIVACY_K`, default 5)
    comes with `value` null, `suppressed` true and `suppression_reason`. JSON pages follow
    `next_cursor`; `Accept: text/csv` answers every matching row as CSV (the same columns). The
    `ETag` changes when any matching value does: send it as `If-None-Match` to get 304."""
    filters = pull.PullFilter(
        municipality_id=municipality_id,
        institution_id=institution_id,
        institution_kind=institution_kind,
        indicator=indicator,
        periodicity=periodicity,
        period_from=period_from,
        period_to=period_to,
        updated_since=updated_since,
    )
    as_csv = CSV_MEDIA_TYPE in (accept or "").lower()
    # The threshold is part of the representation: a changed k changes every ETag.
    variant = f"{'csv' if as_csv else pull.page_variant(sort, limit, cursor)}|k={privacy.k}"
    scope = pull.scope_tag(session, principal, filters, variant=variant)
    headers = {"Cache-Control": CACHE_CONTROL, "Vary": "Accept, Authorization"}
    unchanged = pull.scope_match(if_none_match, scope)
    if unchanged:  # nothing the pull could show has changed: no value row is read
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": unchanged, **headers})
    if as_csv:  # the whole scope: its scope part is its validator
        headers["ETag"] = pull.etag(scope, "csv")
        if pull.any_match(if_none_match):
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(
            pull.pull_csv(session, principal, filters, privacy),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={**headers, "Content-Disposition": 'attachment; filename="indicator-values.csv"'},
        )
    page = pull.pull_page(
        session, principal, filters, sort=sort, limit=limit, cursor=cursor, scope=scope, privacy=privacy
    )
    headers["ETag"] = page.etag
    if pull.content_match(if_none_match, page.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    response.headers.update(headers)
    return Page(items=page.items(), next_cursor=page.next_cursor, limit=limit)


@router.get(
    "/summary",
    summary="Municipality summary: latest value and trend",
    response_model=MunicipalitySummary,
    responses=problem_responses(404),
)
def read_municipality_summary(
    principal: Authorized[Scope.indicator_values_pull],
    session: SessionDep,
    response: Response,
    privacy: PrivacyDep,
    municipality_id: Annotated[
        uuid.UUID | None,
        Query(description="Defaults to the caller's municipality; platform administrators must name one"),
    ] = None,
    institution_kind: InstitutionKind | None = None,
    indicator: Annotated[str | None, Query(max_length=60, description="An indicator code")] = None,
    trend_periods: Annotated[int, Query(ge=2, le=20, description="Periods in the trend window")] = 5,
) -> MunicipalitySummary:
    """One row per institution and indicator: the latest published value, the one before, the
    change and the least-squares trend over the last periods (improving or worsening by the
    indicator's direction). Values resting on fewer than k persons are null, flagged
    (`latest_suppressed`, `previous_suppressed`, `suppression_reason`) and count as missing."""
    result = pull.summary(
        session,
        principal,
        municipality_id=municipality_id,
        institution_kind=institution_kind,
        indicator=indicator,
        trend_periods=trend_periods,
        privacy=privacy,
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    return result


@router.get("/{value_id}", summary="Read an indicator value", response_model=ValuePublic)
def read_indicator_value(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    value_id: uuid.UUID,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """Outside the institution's staff: no comment, and a value resting on fewer than k persons
    suppressed (`value`, `records`, `persons` and `inputs` null, `suppressed` true with the reason)."""
    row = values.get_value(session, principal, value_id)
    set_etag(response, row.version)
    return values.to_public(row, principal, privacy)


@router.patch(
    "/{value_id}",
    summary="Update a draft value",
    response_model=ValuePublic,
    responses=problem_responses(409, 412, 428),
)
def update_indicator_value(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    value_id: uuid.UUID,
    body: ValueUpdate,
    if_match: IfMatch,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """Drafts only (a published value is corrected); a computed value's figure is recomputed, only
    its comment is edited. A manual value's `persons` says how many persons it rests on."""
    row = values.update_value(session, principal, value_id, body, if_match)
    set_etag(response, row.version)
    return values.to_public(row, principal, privacy)


@router.delete(
    "/{value_id}",
    summary="Delete a draft value",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_indicator_value(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    value_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    """Only drafts (409 for a published value, which is corrected instead)."""
    values.delete_value(session, principal, value_id, if_match)


@router.post(
    "/{value_id}/publish",
    summary="Publish a value",
    response_model=ValuePublic,
    responses=problem_responses(409, 412, 428),
)
def publish_indicator_value(
    principal: Authorized[Scope.indicators_publish],
    session: SessionDep,
    value_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """The director publishes a draft; from then on the municipality sees it (suppressed when it
    rests on fewer than k persons, in the `indicator.published` event too)."""
    row = values.publish_value(session, principal, value_id, if_match, privacy)
    set_etag(response, row.version)
    return values.to_public(row, principal, privacy)


@router.post(
    "/{value_id}/corrections",
    summary="Correct a published value",
    response_model=ValuePublic,
    responses=problem_responses(409, 412, 428),
)
def correct_indicator_value(
    principal: Authorized[Scope.indicators_publish],
    session: SessionDep,
    value_id: uuid.UUID,
    body: ValueCorrection,
    if_match: IfMatch,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """The director replaces a published figure with a reason; the figure as it stood is kept as a
    revision and the value's `revision` grows by one."""
    row = values.correct_value(session, principal, value_id, body, if_match)
    set_etag(response, row.version)
    return values.to_public(row, principal, privacy)


@router.get("/{value_id}/revisions", summary="List a value's earlier revisions", response_model=list[RevisionPublic])
def list_indicator_value_revisions(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    value_id: uuid.UUID,
    privacy: PrivacyDep,
) -> list[RevisionPublic]:
    """The published figures a correction replaced, newest first (suppressed like the value)."""
    return values.list_revisions(session, principal, value_id, privacy)
