"""Authentication and declared authorization.

Routes never check roles themselves. A route states the scope it needs in its signature::

    def list_plans(principal: Authorized[Scope.plans_read], ...)

which FastAPI records as an OAuth2 security requirement (it shows in OpenAPI), and which answers
401 for a missing or bad token and 403 for a token whose role lacks the scope.
"""

from __future__ import annotations

import functools
import uuid
from typing import Annotated, Any

import anyio
import sqlalchemy as sa
from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from api.db import SessionDep, request_gate
from api.errors import Forbidden, Unauthorized
from api.models import ApiClient, RevokedAccessToken, User
from api.models.organisation import GENERATION_CLAIM
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
        super().__init__(
            flows=flows,
            scheme_name="OAuth2",
            auto_error=False,
            description="Role-based tokens; the role's scopes are listed in the README.",
        )

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
        subject_id=subject,
        kind=kind,
        role=role,
        institution_id=_uuid_claim(claims, "institution"),
        municipality_id=_uuid_claim(claims, "municipality"),
        department_id=_uuid_claim(claims, "department"),
        jti=claims["jti"],
    )


_USERS = User.__table__
_CLIENTS = ApiClient.__table__
_REVOKED = sa.exists().where(RevokedAccessToken.__table__.c.jti == sa.bindparam("jti")).label("revoked")
#: One indexed statement per request: the subject's row by primary key and whether the jti is revoked.
_SUBJECT_ROW = {
    "user": sa.select(
        _USERS.c.is_active,
        _USERS.c.token_generation,
        _USERS.c.role,
        _USERS.c.institution_id,
        _USERS.c.municipality_id,
        _USERS.c.department_id,
        _REVOKED,
    ).where(_USERS.c.id == sa.bindparam("subject")),
    "client": sa.select(
        _CLIENTS.c.is_active,
        _CLIENTS.c.token_generation,
        _CLIENTS.c.role,
        _CLIENTS.c.institution_id,
        _CLIENTS.c.municipality_id,
        sa.null().label("department_id"),
        _REVOKED,
    ).where(_CLIENTS.c.id == sa.bindparam("subject")),
}


def _generation_claim(claims: dict[str, Any]) -> int:
    value = claims.get(GENERATION_CLAIM, 0)  # tokens issued before generations existed: 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise Unauthorized("malformed token")
    return value


def check_subject(connection: sa.Connection, principal: Principal, generation: int) -> None:
    """The token is alive only while its subject is: the row exists and is active, its generation
    is the token's, its role and tenant are still the ones the token names, and the jti is not
    revoked. Any difference answers 401; the client signs in again."""
    row = connection.execute(
        _SUBJECT_ROW[principal.kind], {"subject": principal.subject_id, "jti": principal.jti}
    ).first()
    if row is not None and row.revoked:
        raise Unauthorized("token has been revoked")
    if row is None:
        raise Unauthorized("the token's account no longer exists")
    if not row.is_active:
        raise Unauthorized("the token's account is deactivated")
    if (
        row.token_generation != generation
        or row.role != principal.role.value
        or row.institution_id != principal.institution_id
        or row.municipality_id != principal.municipality_id
        or row.department_id != principal.department_id
    ):
        raise Unauthorized("the account has changed since this token was issued; sign in again")


async def authenticate(
    security_scopes: SecurityScopes,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Principal:
    """Verifies the token here, in the event loop (no I/O); the look-up of its subject runs in the
    route's own thread before the route's first statement (api.db.RequestGate), so authentication
    takes no thread of its own and, on SQLite, never holds the writer lock. `session` makes sure
    every authenticated request has a unit of work that runs the check at the latest."""
    if token is None:
        raise Unauthorized("Missing bearer token")
    try:
        claims = request.app.state.tokens.decode(token)
    except TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    principal = principal_from_claims(claims)
    generation = _generation_claim(claims)
    gate = request_gate(request)
    gate.check = functools.partial(check_subject, principal=principal, generation=generation)
    missing = [s for s in security_scopes.scopes if s not in principal.scopes]
    if missing:
        # A dead token is 401 whatever it asks for: settle that before answering 403.
        await anyio.to_thread.run_sync(gate.pass_standalone, request.app.state.engine)
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
