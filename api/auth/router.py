from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Header, Request, Response

from api.auth import service
from api.auth.oauth import GRANT_TYPES
from api.auth.schemas import Me, RevokeResponse, TokenResponse
from api.client_address import ClientAddress
from api.db import SessionDep
from api.errors import problem_responses
from api.security.deps import Authenticated

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

TOKEN_RESPONSES = problem_responses(400, 401, 429)
TOKEN_RESPONSES[400]["description"] = (
    "OAuth `error`: `invalid_request` (a missing parameter, malformed or doubled client authentication), "
    "`unsupported_grant_type`, or `invalid_grant` (unknown username or wrong password; an unknown, used, "
    "revoked or expired refresh token)"
)
TOKEN_RESPONSES[401]["description"] = (
    "OAuth `error` `invalid_client`: unknown client, wrong secret or no client authentication; "
    "`WWW-Authenticate: Basic`"
)
TOKEN_RESPONSES[429]["description"] = "Too many failed sign-ins from this address; wait `Retry-After` seconds"


@router.post(
    "/token",
    summary="Obtain an access token (OAuth2 token endpoint)",
    response_model=TokenResponse,
    responses=TOKEN_RESPONSES,
)
def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    address: ClientAddress,
    grant_type: Annotated[
        str | None,
        Form(
            max_length=40,
            description="`password`, `refresh_token` or `client_credentials`; without it 400 `invalid_request`.",
            json_schema_extra={"enum": list(GRANT_TYPES)},
        ),
    ] = None,
    username: Annotated[str | None, Form(min_length=1, max_length=100)] = None,
    password: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    client_id: Annotated[str | None, Form(min_length=1, max_length=100)] = None,
    client_secret: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    scope: Annotated[
        str | None, Form(max_length=2000, description="Ignored: a token carries its role's scopes.")
    ] = None,
    authorization: Annotated[
        str | None,
        Header(
            max_length=1000,
            description="`client_credentials` only: `Basic base64(urlencode(client_id):urlencode(client_secret))` "
            "(`client_secret_basic`), instead of `client_id` and `client_secret` in the form.",
        ),
    ] = None,
) -> TokenResponse:
    """Form-encoded, as OAuth2 requires (RFC 6749). People sign in with `password` and keep going
    with `refresh_token` (each refresh token works once; reusing one revokes the whole sign-in).
    Municipality systems and feedback devices use `client_credentials` and authenticate with HTTP
    Basic (`client_secret_basic`, RFC 6749 §2.3.1: `Authorization: Basic` over
    `urlencode(client_id):urlencode(client_secret)`) or with `client_id` and `client_secret` in the
    form (`client_secret_post`), not both (400 `invalid_request`). Access tokens are RS256 JWTs
    valid for 15 minutes; verify them with `/.well-known/jwks.json`.

    Errors are problem details that also carry the OAuth members `error` and `error_description`
    (RFC 6749 §5.2): 400 for `invalid_request`, `unsupported_grant_type` and `invalid_grant`, 401 with
    `WWW-Authenticate: Basic` for `invalid_client`. Form values outside the documented limits answer
    422 `validation-error`, as everywhere in this API.

    Failed sign-ins slow their source down, nobody else (the figures are the defaults): after 5
    failures of one username (or client_id) from one client address, that address must wait 1 s
    before its next attempt for that account is checked, then 2, 4, 8 ... s, up to 15 minutes (429
    with `Retry-After`); the same credentials from another address are not affected, and a correct
    sign-in clears the count. One client address is also slowed after 30 failures over all accounts
    (password spraying). One failure is forgotten every 15 minutes (per account and address) or 5
    minutes (per address). The client address is the connection's peer, or, when the peer is a
    trusted proxy, the right-most `X-Forwarded-For` entry that is not one
    (`CIKLAS_TRUSTED_PROXIES`). See the README's "Security" section."""
    response.headers["Cache-Control"] = "no-store"
    app = request.app
    return service.issue_token(
        session,
        app.state.engine,
        app.state.tokens,
        app.state.settings,
        grant_type=grant_type,
        username=username,
        password=password,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        authorization=authorization,
        address=address,
    )


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
