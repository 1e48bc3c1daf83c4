"""Plain factory functions and the `World` most tests start from.

Tokens are issued directly with the app's TokenService (an Argon2 sign-in per test would be slow);
the sign-in itself is tested in tests/auth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session

from api.db import open_session
from api.models import ApiClient, Department, Institution, InstitutionKind, Municipality, User
from api.security.passwords import hash_password
from api.security.scopes import Role

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH: str | None = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def make_municipality(session: Session, **kw: Any) -> Municipality:
    row = Municipality(**{"name": f"Savivaldybė {uuid.uuid4().hex[:8]}", **kw})
    session.add(row)
    session.flush()
    return row


def make_institution(session: Session, municipality: Municipality, **kw: Any) -> Institution:
    row = Institution(
        **{
            "name": f"Centras {uuid.uuid4().hex[:8]}",
            "kind": InstitutionKind.care_home,
            "municipality_id": municipality.id,
            **kw,
        }
    )
    session.add(row)
    session.flush()
    return row


def make_department(session: Session, institution: Institution, **kw: Any) -> Department:
    row = Department(**{"name": f"Skyrius {uuid.uuid4().hex[:8]}", "institution_id": institution.id, **kw})
    session.add(row)
    session.flush()
    return row


def make_user(
    session: Session,
    role: Role,
    institution: Institution | None = None,
    *,
    municipality: Municipality | None = None,
    department: Department | None = None,
    **kw: Any,
) -> User:
    row = User(
        **{
            "username": f"{role.value}-{uuid.uuid4().hex[:8]}",
            "password_hash": password_hash(),
            "full_name": f"Test {role.value}",
            "role": role.value,
            "institution_id": institution.id if institution else None,
            "municipality_id": municipality.id if municipality else None,
            "department_id": department.id if department else None,
            **kw,
        }
    )
    session.add(row)
    session.flush()
    return row


def make_client(
    session: Session,
    role: Role,
    *,
    institution: Institution | None = None,
    municipality: Municipality | None = None,
    secret: str = "client-secret-123",
) -> ApiClient:
    row = ApiClient(
        client_id=f"c-{uuid.uuid4().hex[:10]}",
        secret_hash=hash_password(secret),
        name="Test client",
        role=role.value,
        institution_id=institution.id if institution else None,
        municipality_id=municipality.id if municipality else None,
    )
    session.add(row)
    session.flush()
    return row


def token_for(app: FastAPI, who: User | ApiClient, **extra_claims: Any) -> str:
    kind = "user" if isinstance(who, User) else "client"
    claims: dict[str, Any] = {"kind": kind, "role": who.role}
    if who.institution_id:
        claims["institution"] = str(who.institution_id)
    if who.municipality_id:
        claims["municipality"] = str(who.municipality_id)
    if isinstance(who, User) and who.department_id:
        claims["department"] = str(who.department_id)
    claims.update(extra_claims)
    token, _jti, _ttl = app.state.tokens.issue(subject=str(who.id), claims=claims)
    return token


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@dataclass
class Tenant:
    institution: Institution
    department: Department
    users: dict[Role, User] = field(default_factory=dict)
    device: ApiClient | None = None


@dataclass
class World:
    app: FastAPI
    municipality: Municipality
    other_municipality: Municipality
    third_municipality: Municipality
    a: Tenant
    b: Tenant
    c: Tenant
    admin: User
    analyst_client: ApiClient
    other_analyst_client: ApiClient
    _tokens: dict[Any, str] = field(default_factory=dict)

    def user(self, role: Role | str, tenant: str = "a") -> User:
        return getattr(self, tenant).users[Role(role)]

    def token(self, role: Role | str, tenant: str = "a") -> str:
        """A token of `role`: in institution `tenant` for institution roles; municipality clients
        for municipality_analyst (tenant "c" gives the other municipality's)."""
        role = Role(role)
        key = (role, tenant)
        if key not in self._tokens:
            if role is Role.platform_admin:
                who: Any = self.admin
            elif role is Role.municipality_analyst:
                who = self.other_analyst_client if tenant == "c" else self.analyst_client
            elif role is Role.feedback_device:
                who = getattr(self, tenant).device
            else:
                who = self.user(role, tenant)
            self._tokens[key] = token_for(self.app, who)
        return self._tokens[key]

    def headers(self, role: Role | str, tenant: str = "a", **extra: str) -> dict[str, str]:
        return auth(self.token(role, tenant), **extra)


PERSON_ROLES = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.recipient,
    Role.guardian,
]


def build_world(app: FastAPI) -> World:
    with open_session(app.state.engine, write=True) as s:
        muni = make_municipality(s, name="Utenos rajono savivaldybė", code="43")
        other = make_municipality(s, name="Palangos miesto savivaldybė", code="25")
        third = make_municipality(s, name="Kauno miesto savivaldybė", code="19")
        tenants = []
        for name, m in (("A", muni), ("B", muni), ("C", other)):
            inst = make_institution(s, m, name=f"Institution {name}")
            dept = make_department(s, inst, name=f"Department {name}")
            tenant = Tenant(institution=inst, department=dept)
            for role in PERSON_ROLES:
                tenant.users[role] = make_user(
                    s,
                    role,
                    inst,
                    department=dept if role in (Role.department_head, Role.social_worker, Role.staff) else None,
                )
            tenant.device = make_client(s, Role.feedback_device, institution=inst)
            tenants.append(tenant)
        admin = make_user(s, Role.platform_admin)
        analyst = make_client(s, Role.municipality_analyst, municipality=muni)
        other_analyst = make_client(s, Role.municipality_analyst, municipality=other)
        s.commit()
    return World(
        app=app,
        municipality=muni,
        other_municipality=other,
        third_municipality=third,
        a=tenants[0],
        b=tenants[1],
        c=tenants[2],
        admin=admin,
        analyst_client=analyst,
        other_analyst_client=other_analyst,
    )
