"""Who is calling: the authenticated user or machine client, as read from a verified token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from api.security.scopes import Role, Scope, scopes_for


@dataclass(frozen=True)
class Principal:
    subject_id: uuid.UUID
    kind: Literal["user", "client"]
    role: Role
    institution_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    department_id: uuid.UUID | None = None
    jti: str = ""
    scopes: frozenset[Scope] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls,
        *,
        subject_id: uuid.UUID,
        kind: Literal["user", "client"],
        role: Role,
        institution_id: uuid.UUID | None,
        municipality_id: uuid.UUID | None,
        department_id: uuid.UUID | None = None,
        jti: str = "",
    ) -> Principal:
        return cls(
            subject_id=subject_id,
            kind=kind,
            role=role,
            institution_id=institution_id,
            municipality_id=municipality_id,
            department_id=department_id,
            jti=jti,
            scopes=scopes_for(role),
        )

    @property
    def is_platform_admin(self) -> bool:
        return self.role is Role.platform_admin

    @property
    def is_municipality(self) -> bool:
        return self.role is Role.municipality_analyst

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes
