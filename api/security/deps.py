"""Authentication and declared authorization.

Routes never check roles themselves. A route states the scope it needs in its signature::

    def list_plans(principal: Authorized[Scope.plans_read], ...)

which FastAPI records as an OAuth2 security requirement (it shows in OpenAPI), and which answers
401 for a missing or bad token and 403 for a token whose role lacks the scope.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from api.db import SessionDep
from api.errors import Forbidden, Unauthorized
from api.models import RevokedAccessToken
from api.security.principal import Principal
from api.security.scopes import SCOPE_DESCRIPTIONS, Role
from api.security.tokens import TokenError, TokenService

TOKEN_URL = "/api/v1/auth/token"


class BearerToken(OAuth2):
    """OAuth2 with the password and client-credentials flows; reads `Authorization: Bearer ...`."""

    def __init__(self) -> None:
        scopes = {s.value: d for s, d in SCOPE_DESCRIPTIONS.items()}
        flows = OAuthFlows(
            password=OAuthFlowPassword(tokenUrl=TOKEN_URL, scopes=scopes),
            clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=scopes),
        )
        super().__init__(flows=flows, scheme_name="OAuth2", auto_error=False,
                         description="Role-based tokens; the role's scopes are listed in the README.")

    async def __call__(self, request: Request) -> str | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization header must be 'Bearer <token>'")
        return token.strip()


bearer = BearerToken()


def get_token_service(request: Request) -> TokenService:
    return request.app.state.tokens


def _uuid_claim(claims: dict[str, Any], name: str) -> uuid.UUID | None:
    value = claims.get(name)
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Unauthorized("malformed token") from exc


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
        kind = claims["kind"]
        subject = uuid.UUID(claims["sub"])
    except (KeyError, ValueError, TypeError) as exc:
        raise Unauthorized("malformed token") from exc
    if kind not in ("user", "client"):
        raise Unauthorized("malformed token")
    return Principal.build(
        subject_id=subject, kind=kind, role=role,
        institution_id=_uuid_claim(claims, "institution"),
        municipality_id=_uuid_claim(claims, "municipality"),
        department_id=_uuid_claim(claims, "department"),
        jti=claims["jti"],
    )


def authenticate(
    security_scopes: SecurityScopes,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Principal:
    if token is None:
        raise Unauthorized("Missing bearer token")
    try:
        claims = request.app.state.tokens.decode(token)
    except TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    principal = principal_from_claims(claims)
    if session.get(RevokedAccessToken, principal.jti) is not None:
        raise Unauthorized("token has been revoked")
    missing = [s for s in security_scopes.scopes if s not in principal.scopes]
    if missing:
        raise Forbidden(f"Your role ({principal.role.value}) lacks the scope {', '.join(missing)}")
    request.state.principal = principal
    return principal


class _Authorized:
    """`Authorized[Scope.x]` is `Annotated[Principal, Security(authenticate, scopes=["x"])]`."""

    def __class_getitem__(cls, scopes: Any) -> Any:
        if not isinstance(scopes, tuple):
            scopes = (scopes,)
        return Annotated[Principal, Security(authenticate, scopes=[s.value for s in scopes])]


Authorized = _Authorized
#: Any valid token, no particular scope (e.g. /auth/me).
Authenticated = Annotated[Principal, Security(authenticate, scopes=[])]
