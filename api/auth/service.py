"""The OAuth2 grants: password, refresh_token (rotating, with reuse detection) and client_credentials."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.audit.service import record as audit
from api.auth import oauth, throttle
from api.auth.schemas import Me, TokenResponse
from api.config import Settings
from api.db import open_session
from api.models import ApiClient, RefreshToken, RevokedAccessToken, User
from api.models.organisation import GENERATION_CLAIM
from api.security.passwords import verify_password
from api.security.principal import Principal
from api.security.scopes import ROLE_LABELS, Role, scopes_for
from api.security.tokens import TokenError, TokenService
from api.types import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _claims(*, kind: str, role: str, institution_id, municipality_id, department_id=None, generation: int = 0) -> dict:
    # `gen`: the subject's token generation; a later change of the account bumps it (api.security.deps).
    claims = {"kind": kind, "role": role, "scope": " ".join(sorted(scopes_for(role))), GENERATION_CLAIM: generation}
    if institution_id:
        claims["institution"] = str(institution_id)
    if municipality_id:
        claims["municipality"] = str(municipality_id)
    if department_id:
        claims["department"] = str(department_id)
    return claims


def _issue_for_user(
    session: Session, tokens: TokenService, settings: Settings, user: User, family_id: uuid.UUID | None = None
) -> TokenResponse:
    claims = _claims(
        kind="user",
        role=user.role,
        institution_id=user.institution_id,
        municipality_id=user.municipality_id,
        department_id=user.department_id,
        generation=user.token_generation,
    )
    access, _jti, ttl = tokens.issue(subject=str(user.id), claims=claims)
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_hash(refresh),
            family_id=family_id or uuid.uuid4(),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    return TokenResponse(access_token=access, expires_in=ttl, refresh_token=refresh, scope=claims["scope"])


def _stamp_last_login(session: Session, user: User) -> None:
    """Bookkeeping, not an edit of the account: one plain UPDATE of the column alone, outside the
    optimistic lock. Neither `version` (the ETag: simultaneous sign-ins would answer each other 412,
    and an editor's If-Match would go stale) nor `updated_at` moves."""
    session.exec(
        sa.update(User)
        .where(col(User.id) == user.id)
        .values(last_login_at=utcnow(), updated_at=User.updated_at)  # keeps updated_at's onupdate off
        .execution_options(synchronize_session=False)
    )


def _verify(engine: Engine, statement: Any, secret: str) -> tuple[uuid.UUID, str] | None:
    """(id, hash) of the account `statement` selects, when `secret` matches its hash.

    Argon2 is slow on purpose (about 0.1 s, more under load). The hash is read in a short read
    transaction of its own and checked with no connection held and no transaction open: simultaneous
    sign-ins neither queue for the pool nor, on SQLite, hold the write lock while they hash. The
    caller re-reads the account in its own transaction and compares the hash."""
    with open_session(engine, write=False) as read:
        row = read.exec(statement).first()
    if not verify_password(secret, row[1] if row else None):
        return None
    return row[0], row[1]


def password_grant(
    session: Session,
    engine: Engine,
    tokens: TokenService,
    settings: Settings,
    *,
    username: str | None,
    password: str | None,
    address: str,
) -> TokenResponse:
    if not username or password is None:
        raise oauth.invalid_request("The password grant needs `username` and `password`.")
    name = username.strip().lower()
    attempt = throttle.admit(engine, settings, account=f"user:{name}", address=address)
    seen = _verify(engine, select(User.id, User.password_hash).where(sa.func.lower(User.username) == name), password)
    user = session.get(User, seen[0]) if seen else None
    if user is None or not user.is_active or user.password_hash != seen[1]:  # changed while we hashed
        session.rollback()  # release the request's write lock before the throttle's own transaction
        throttle.record_failure(engine, settings, attempt)
        raise oauth.invalid_grant("Unknown username or wrong password.")
    throttle.record_success(session, attempt)
    _stamp_last_login(session, user)
    principal = Principal.build(
        subject_id=user.id,
        kind="user",
        role=Role(user.role),
        institution_id=user.institution_id,
        municipality_id=user.municipality_id,
    )
    audit(session, principal, action="login", resource_type="user", resource_id=user.id)
    return _issue_for_user(session, tokens, settings, user)


def client_credentials_grant(
    session: Session,
    engine: Engine,
    tokens: TokenService,
    settings: Settings,
    *,
    credentials: oauth.ClientCredentials,
    address: str,
) -> TokenResponse:
    client_id, client_secret = credentials.client_id, credentials.client_secret
    attempt = throttle.admit(engine, settings, account=f"client:{client_id}", address=address)
    seen = _verify(
        engine, select(ApiClient.id, ApiClient.secret_hash).where(ApiClient.client_id == client_id), client_secret
    )
    client = session.get(ApiClient, seen[0]) if seen else None
    if client is None or not client.is_active or client.secret_hash != seen[1]:
        session.rollback()  # release the request's write lock before the throttle's own transaction
        throttle.record_failure(engine, settings, attempt)
        raise oauth.invalid_client("Unknown client or wrong secret.")
    throttle.record_success(session, attempt)
    claims = _claims(
        kind="client",
        role=client.role,
        institution_id=client.institution_id,
        municipality_id=client.municipality_id,
        generation=client.token_generation,
    )
    access, _jti, ttl = tokens.issue(subject=str(client.id), claims=claims)
    return TokenResponse(access_token=access, expires_in=ttl, scope=claims["scope"])


def issue_token(
    session: Session,
    engine: Engine,
    tokens: TokenService,
    settings: Settings,
    *,
    grant_type: str | None,
    username: str | None,
    password: str | None,
    refresh_token: str | None,
    client_id: str | None,
    client_secret: str | None,
    authorization: str | None,
    address: str,
) -> TokenResponse:
    """The token endpoint: one of the three grants, or an OAuth error (RFC 6749 §5.2). `address` is
    the client address (api/client_address.py) the sign-in throttle counts by."""
    args = (session, engine, tokens, settings)
    if not grant_type:
        raise oauth.invalid_request("The token request needs `grant_type`.")
    if grant_type == "password":
        return password_grant(*args, username=username, password=password, address=address)
    if grant_type == "refresh_token":
        return refresh_grant(*args, refresh_token=refresh_token)
    if grant_type == "client_credentials":
        credentials = oauth.client_credentials(authorization, client_id, client_secret)
        return client_credentials_grant(*args, credentials=credentials, address=address)
    raise oauth.unsupported_grant_type(grant_type)


def _revoke_family(engine: Engine, family_id: uuid.UUID) -> None:
    # Its own transaction: the refresh request answers 400 and rolls back, the revocation must stay.
    with open_session(engine, write=True) as s:
        s.exec(
            sa.update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        s.commit()


def refresh_grant(
    session: Session, engine: Engine, tokens: TokenService, settings: Settings, *, refresh_token: str | None
) -> TokenResponse:
    if not refresh_token:
        raise oauth.invalid_request("The refresh_token grant needs `refresh_token`.")
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == _hash(refresh_token))).first()
    if row is None:
        raise oauth.invalid_grant("Unknown refresh token.")
    family_id = row.family_id  # read before any rollback: a rollback expires `row`
    if row.revoked_at is not None:
        session.rollback()
        _revoke_family(engine, family_id)
        raise oauth.invalid_grant("The refresh token has been revoked.")
    now = utcnow()
    # Claim the token atomically: of two concurrent uses, one wins and the other is a reuse.
    claimed = session.exec(
        sa.update(RefreshToken).where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if claimed != 1:
        session.rollback()
        _revoke_family(engine, family_id)
        raise oauth.invalid_grant("The refresh token was already used; every token of this sign-in is revoked.")
    if row.expires_at < now:
        raise oauth.invalid_grant("The refresh token has expired.")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise oauth.invalid_grant("The account is disabled.")
    return _issue_for_user(session, tokens, settings, user, family_id=family_id)


def revoke(session: Session, tokens: TokenService, principal: Principal, *, token: str) -> None:
    """RFC 7009: revoke a refresh token (its whole family) or an access token of the caller's own."""
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == _hash(token))).first()
    if row is not None:
        if row.user_id == principal.subject_id:
            session.exec(
                sa.update(RefreshToken)
                .where(RefreshToken.family_id == row.family_id, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
        return
    try:
        claims = tokens.decode(token)
    except TokenError:
        return
    if claims.get("sub") != str(principal.subject_id):
        return
    if session.get(RevokedAccessToken, claims["jti"]) is None:
        session.add(RevokedAccessToken(jti=claims["jti"], expires_at=datetime.fromtimestamp(claims["exp"], UTC)))


def me(session: Session, principal: Principal) -> Me:
    lt, en = ROLE_LABELS[principal.role]
    out = Me(
        subject_id=principal.subject_id,
        kind=principal.kind,
        role=principal.role.value,
        role_label_lt=lt,
        role_label_en=en,
        institution_id=principal.institution_id,
        municipality_id=principal.municipality_id,
        department_id=principal.department_id,
        scopes=sorted(principal.scopes),
    )
    if principal.kind == "user":
        user = session.get(User, principal.subject_id)
        if user is not None:
            out.username, out.full_name = user.username, user.full_name
    return out
