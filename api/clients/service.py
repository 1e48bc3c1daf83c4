"""Machine clients: municipality reporting systems and institutions' kiosks and mobile apps."""

from __future__ import annotations

import secrets
import uuid

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.clients.schemas import ClientCreate, ClientUpdate
from api.concurrency import check_if_match
from api.crud import apply_patch, delete_or_conflict, flush_or_conflict
from api.errors import Forbidden, ValidationFailed
from api.models import ApiClient, Institution, Municipality
from api.pagination import paginate
from api.security.passwords import hash_password
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def list_clients(
    session: Session, principal: Principal, *, role: str | None, sort: str, limit: int, cursor: str | None
) -> tuple[list[ApiClient], str | None]:
    stmt = scoped(select(ApiClient), ApiClient, principal)
    if role:
        stmt = stmt.where(ApiClient.role == role)
    return paginate(session, stmt, model=ApiClient, sort=sort, limit=limit, cursor=cursor)


def get_client(session: Session, principal: Principal, client_id: uuid.UUID) -> ApiClient:
    return get_or_404(session, ApiClient, client_id, principal, what="client")


def end_tokens(row: ApiClient) -> None:
    """The client's access tokens stop at once: each request compares the token's generation with
    the row's. Done on (de)activation and on a new secret: rotating is what one does for a device
    that was lost or copied, and a token it already holds must not outlive its old secret."""
    row.token_generation += 1


def create_client(session: Session, principal: Principal, data: ClientCreate) -> tuple[ApiClient, str]:
    institution_id, municipality_id = data.institution_id, data.municipality_id
    if data.role == "municipality_analyst":
        if not principal.is_platform_admin:
            raise Forbidden("Only a platform administrator creates municipality clients.")
        if institution_id is not None:
            raise ValidationFailed.for_field("body.institution_id", "a municipality client belongs to a municipality")
        if municipality_id is None or session.get(Municipality, municipality_id) is None:
            raise ValidationFailed.for_field("body.municipality_id", "an existing municipality is required")
    else:
        institution_id = institution_id or principal.institution_id
        if municipality_id is not None:
            raise ValidationFailed.for_field("body.municipality_id", "a feedback device belongs to an institution")
        visible = scoped(select(Institution.id).where(Institution.id == institution_id), Institution, principal)
        if institution_id is None or session.exec(visible).first() is None:
            raise ValidationFailed.for_field("body.institution_id", "an institution you manage is required")
    secret = new_secret()
    row = ApiClient(
        client_id=f"cik_{secrets.token_hex(8)}",
        secret_hash=hash_password(secret),
        name=data.name,
        role=data.role,
        institution_id=institution_id,
        municipality_id=municipality_id,
    )
    session.add(row)
    flush_or_conflict(session, "A client with this id already exists.")
    audit(
        session,
        principal,
        action="create",
        resource_type="api_client",
        resource_id=row.id,
        institution_id=institution_id,
    )
    return row, secret


def update_client(
    session: Session, principal: Principal, client_id: uuid.UUID, patch: ClientUpdate, if_match: str
) -> ApiClient:
    row = get_client(session, principal, client_id)
    if patch.model_dump(exclude_unset=True).get("name", "") is None:
        raise ValidationFailed.for_field("body.name", "name cannot be null")
    if "is_active" in patch.model_fields_set and patch.is_active is None:
        raise ValidationFailed.for_field("body.is_active", "is_active cannot be null")
    if "is_active" in patch.model_fields_set and patch.is_active != row.is_active:
        end_tokens(row)
    apply_patch(session, row, patch, if_match, conflict="Conflicting client.")
    audit(
        session,
        principal,
        action="update",
        resource_type="api_client",
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return row


def rotate_secret(session: Session, principal: Principal, client_id: uuid.UUID, if_match: str) -> tuple[ApiClient, str]:
    row = get_client(session, principal, client_id)
    check_if_match(if_match, row.version)
    secret = new_secret()
    row.secret_hash = hash_password(secret)
    end_tokens(row)
    session.add(row)
    session.flush()
    audit(
        session,
        principal,
        action="rotate_secret",
        resource_type="api_client",
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return row, secret


def delete_client(session: Session, principal: Principal, client_id: uuid.UUID, if_match: str) -> None:
    row = get_client(session, principal, client_id)
    delete_or_conflict(session, row, if_match, conflict="The client is still referenced.")
    audit(
        session,
        principal,
        action="delete",
        resource_type="api_client",
        resource_id=client_id,
        institution_id=row.institution_id,
    )
