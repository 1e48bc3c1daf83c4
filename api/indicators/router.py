"""/api/v1/indicators: the catalogue, targets, values per indicator and the comparison."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.indicators import bulk, catalogue, comparison, targets, values
from api.indicators.periods import Periodicity
from api.indicators.schemas import (
    BulkRecomputeResult,
    Comparison,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    RecomputeRequest,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
    ValueCreate,
    ValuePublic,
)
from api.models import SourceKind, ValueStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.privacy import PrivacyDep
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])


@router.get("", summary="List indicators", response_model=Page[IndicatorPublic])
def list_indicators(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    catalogue_: Annotated[
        Literal["platform", "institution"] | None,
        Query(alias="catalogue", description="`platform`: the shared catalogue; `institution`: institutions' own"),
    ] = None,
    source_kind: SourceKind | None = None,
    periodicity: Periodicity | None = None,
    active: bool | None = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
    sort: Annotated[str, sort_query(["code", "created_at"], "code")] = "code",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[IndicatorPublic]:
    """The platform catalogue and the caller's institution's own indicators (a municipality sees
    those of its institutions; platform administrators all)."""
    items, next_cursor = catalogue.list_indicators(
        session,
        principal,
        catalogue=catalogue_,
        source_kind=source_kind,
        periodicity=periodicity,
        active=active,
        code=code,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[IndicatorPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Add an indicator of your institution",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorPublic,
    responses=problem_responses(409),
)
def create_indicator(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    body: IndicatorCreate,
    response: Response,
) -> IndicatorPublic:
    """The code must not be in use by the platform catalogue or the institution. A formula names
    indicators of the same periodicity."""
    row = catalogue.create_indicator(session, principal, body, platform=False)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/indicators/{row.id}"
    return IndicatorPublic.model_validate(row)


@router.post(
    "/platform",
    summary="Add a platform catalogue indicator",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorPublic,
    responses=problem_responses(409),
)
def create_platform_indicator(
    principal: Authorized[Scope.indicators_catalogue],
    session: SessionDep,
    body: IndicatorCreate,
    response: Response,
) -> IndicatorPublic:
    """An entry of the catalogue every institution shares (platform administrators)."""
    row = catalogue.create_indicator(session, principal, body, platform=True)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/indicators/{row.id}"
    return IndicatorPublic.model_validate(row)


@router.patch(
    "/platform/{indicator_id}",
    summary="Update a platform catalogue indicator",
    response_model=IndicatorPublic,
    responses=problem_responses(409, 412, 428),
)
def update_platform_indicator(
    principal: Authorized[Scope.indicators_catalogue],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: IndicatorUpdate,
    if_match: IfMatch,
    response: Response,
) -> IndicatorPublic:
    """Platform administrators edit the shared catalogue; the code and periodicity are fixed."""
    row = catalogue.update_indicator(session, principal, indicator_id, body, if_match, platform=True)
    set_etag(response, row.version)
    return IndicatorPublic.model_validate(row)


@router.post(
    "/platform/{indicator_id}/values/recompute",
    summary="Recompute a platform indicator everywhere",
    response_model=BulkRecomputeResult,
    responses=problem_responses(409),
)
def recompute_platform_indicator(
    principal: Authorized[Scope.indicators_catalogue],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: RecomputeRequest,
) -> BulkRecomputeResult:
    """The platform's periodic job: computes the period's value of a computed platform indicator for
    every institution, refreshing drafts and creating missing ones; published values are kept
    (they change only through corrections). Survey sources run one grouped aggregate for all
    institutions. 409 for a manual indicator or a source not available."""
    return bulk.recompute_platform_indicator(session, principal, indicator_id, body)


@router.get("/{indicator_id}", summary="Read an indicator", response_model=IndicatorPublic)
def read_indicator(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    indicator_id: uuid.UUID,
    response: Response,
) -> IndicatorPublic:
    """A platform entry or one of an institution the caller sees."""
    row = catalogue.get_indicator(session, principal, indicator_id)
    set_etag(response, row.version)
    return IndicatorPublic.model_validate(row)


@router.patch(
    "/{indicator_id}",
    summary="Update an indicator of your institution",
    response_model=IndicatorPublic,
    responses=problem_responses(409, 412, 428),
)
def update_indicator(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: IndicatorUpdate,
    if_match: IfMatch,
    response: Response,
) -> IndicatorPublic:
    """Only the institution's own entries; platform entries are 404 here."""
    row = catalogue.update_indicator(session, principal, indicator_id, body, if_match, platform=False)
    set_etag(response, row.version)
    return IndicatorPublic.model_validate(row)


@router.get(
    "/{indicator_code}/comparison",
    summary="Compare a value with the past, the target and peers",
    response_model=Comparison,
)
def compare_indicator(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    privacy: PrivacyDep,
    indicator_code: Annotated[str, Path(max_length=60, description="The indicator's code, e.g. SATISFACTION")],
    institution_id: Annotated[
        uuid.UUID | None, Query(description="The institution compared; staff default to their own, others must name it")
    ] = None,
    period: Annotated[str | None, Query(max_length=7, description="e.g. 2026-Q3; default the latest value's")] = None,
    peer_scope: Annotated[
        Literal["municipality", "platform"],
        Query(description="Peers of the same kind in the institution's municipality, or platform-wide"),
    ] = "municipality",
    trend_periods: Annotated[int, Query(ge=2, le=20, description="How many periods the trend shows")] = 5,
) -> Comparison:
    """The value, the target, the previous period and the same period a year before, the change,
    the trend of the last periods, and the peer group: how it was formed, its size and the
    institution's percentile rank (the share of peers strictly below its published value). Peer
    figures need at least k peers (`CIKLAS_PRIVACY_K`, default 5); no peer's value, minimum,
    maximum, median or quartile is given, and the rank is withheld when no peer lies below or
    none above the value, so nothing published lets anyone compute a peer's value.
    Municipalities see published values only; outside the institution's staff a value resting on
    fewer than k persons is suppressed."""
    return comparison.compare(
        session,
        principal,
        indicator_code,
        institution_id=institution_id,
        period_label=period,
        peer_scope=peer_scope,
        trend_periods=trend_periods,
        privacy=privacy,
    )


@router.get("/{indicator_id}/targets", summary="List an indicator's targets", response_model=Page[TargetPublic])
def list_indicator_targets(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    indicator_id: uuid.UUID,
    institution_id: uuid.UUID | None = None,
    sort: Annotated[str, sort_query(["period_start", "created_at"], "period_start")] = "period_start",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[TargetPublic]:
    items, next_cursor = targets.list_targets(
        session, principal, indicator_id, institution_id=institution_id, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=[TargetPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "/{indicator_id}/targets",
    summary="Set a target for a period",
    status_code=status.HTTP_201_CREATED,
    response_model=TargetPublic,
    responses=problem_responses(409),
)
def create_indicator_target(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: TargetCreate,
    response: Response,
) -> TargetPublic:
    """One target per institution, indicator and period (409 when it exists)."""
    row = targets.create_target(session, principal, indicator_id, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/indicators/{indicator_id}/targets/{row.id}"
    return TargetPublic.model_validate(row)


@router.get("/{indicator_id}/targets/{target_id}", summary="Read a target", response_model=TargetPublic)
def read_indicator_target(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    indicator_id: uuid.UUID,
    target_id: uuid.UUID,
    response: Response,
) -> TargetPublic:
    row = targets.get_target(session, principal, indicator_id, target_id)
    set_etag(response, row.version)
    return TargetPublic.model_validate(row)


@router.patch(
    "/{indicator_id}/targets/{target_id}",
    summary="Update a target",
    response_model=TargetPublic,
    responses=problem_responses(409, 412, 428),
)
def update_indicator_target(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    target_id: uuid.UUID,
    body: TargetUpdate,
    if_match: IfMatch,
    response: Response,
) -> TargetPublic:
    row = targets.update_target(session, principal, indicator_id, target_id, body, if_match)
    set_etag(response, row.version)
    return TargetPublic.model_validate(row)


@router.delete(
    "/{indicator_id}/targets/{target_id}",
    summary="Delete a target",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_indicator_target(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    target_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    targets.delete_target(session, principal, indicator_id, target_id, if_match)


@router.get("/{indicator_id}/values", summary="List an indicator's values", response_model=Page[ValuePublic])
def list_indicator_values(
    principal: Authorized[Scope.indicators_read],
    session: SessionDep,
    privacy: PrivacyDep,
    indicator_id: uuid.UUID,
    institution_id: uuid.UUID | None = None,
    status_: Annotated[ValueStatus | None, Query(alias="status")] = None,
    period_from: Annotated[ApiDate | None, Query(description="Periods starting on or after this day")] = None,
    period_to: Annotated[ApiDate | None, Query(description="Periods starting on or before this day")] = None,
    sort: Annotated[str, sort_query(["period_start", "updated_at"], "-period_start")] = "-period_start",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ValuePublic]:
    """Staff see their institution's drafts and published values; municipalities published ones,
    and everyone outside the staff figures resting on fewer than k persons suppressed."""
    items, next_cursor = values.list_values(
        session,
        principal,
        indicator_id,
        institution_id=institution_id,
        status=status_,
        period_from=period_from,
        period_to=period_to,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[values.to_public(i, principal, privacy) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "/{indicator_id}/values",
    summary="Enter a value by hand",
    status_code=status.HTTP_201_CREATED,
    response_model=ValuePublic,
    responses=problem_responses(409),
)
def enter_indicator_value(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: ValueCreate,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """A draft value of a manual indicator with a comment saying where it comes from and, for a
    figure derived from persons, how many it rests on (`persons`; 409 for a
    computed indicator or when the period already has a value)."""
    row = values.create_value(session, principal, indicator_id, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/indicator-values/{row.id}"
    return values.to_public(row, principal, privacy)


@router.post(
    "/{indicator_id}/values/recompute",
    summary="Compute a value from its source",
    response_model=ValuePublic,
    responses={201: {"description": "A new draft value", "model": ValuePublic}, **problem_responses(409)},
)
def recompute_indicator_value(
    principal: Authorized[Scope.indicators_write],
    session: SessionDep,
    indicator_id: uuid.UUID,
    body: RecomputeRequest,
    response: Response,
    privacy: PrivacyDep,
) -> ValuePublic:
    """Computes the period's value from the indicator's source (survey, care plans, plans or a
    formula over other indicators' values) and stores it as a draft with when it was computed, from
    how many records, how many persons it rests on (`persons`) and the inputs' counts. 201 when
    new, 200 when a draft was refreshed; 409 for a manual indicator, a published value, missing
    inputs or a source not available."""
    row, created = values.recompute_value(session, principal, indicator_id, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/indicator-values/{row.id}"
    set_etag(response, row.version)
    return values.to_public(row, principal, privacy)
