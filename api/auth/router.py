from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from api.auth import service
from api.auth.schemas import Me, RevokeResponse, TokenResponse
from api.db import SessionDep
from api.errors import problem_responses
from api.security.deps import Authenticated

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

GrantType = Literal["password", "refresh_token", "client_credentials"]


@router.post(
    "/token",
    summary="Obtain an access token (OAuth2 token endpoint)",
    response_model=TokenResponse,
    responses=problem_responses(400, 401, 429),
)
def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    grant_type: Annotated[GrantType, Form(description="`password`, `refresh_token` or `client_credentials`")],
    username: Annotated[str | None, Form(min_length=1, max_length=100)] = None,
    password: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    client_id: Annotated[str | None, Form(min_length=1, max_length=100)] = None,
    client_secret: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    scope: Annotated[
        str | None, Form(max_length=2000, description="Ignored: a token carries its role's scopes.")
    ] = None,
) -> TokenResponse:
    """Form-encoded, as OAuth2 requires. People sign in with `password` and keep going with
    `refresh_token` (each refresh token works once; reusing one revokes the whole sign-in).
    Municipality systems and feedback devices use `client_credentials`. Access tokens are RS256 JWTs
    valid for 15 minutes; verify them with `/.well-known/jwks.json`. Five failed attempts within
    15 minutes lock the username (or client) with 429."""
    app = request.app
    response.headers["Cache-Control"] = "no-store"
    args = (session, app.state.engine, app.state.tokens, app.state.settings)
    if grant_type == "password":
        return service.password_grant(*args, username=username, password=password)
    if grant_type == "refresh_token":
        return service.refresh_grant(*args, refresh_token=refresh_token)
    return service.client_credentials_grant(*args, client_id=client_id, client_secret=client_secret)


@router.post(
    "/revoke",
    summary="Revoke a token (RFC 7009)",
    response_model=RevokeResponse,
    responses=problem_responses(401, 422),
)
def revoke_token(
    request: Request,
    principal: Authenticated,
    session: SessionDep,
    token: Annotated[
        str, Form(min_length=1, max_length=4000, description="A refresh token or an access token of your own")
    ],
    token_type_hint: Annotated[str | None, Form(max_length=40)] = None,
) -> RevokeResponse:
    """Revoking a refresh token ends its whole sign-in; revoking an access token stops it at once."""
    service.revoke(session, request.app.state.tokens, principal, token=token)
    return RevokeResponse(revoked=True)


@router.get("/me", summary="Who the token belongs to", response_model=Me, responses=problem_responses(401))
def read_me(principal: Authenticated, session: SessionDep) -> Me:
    return service.me(session, principal)
