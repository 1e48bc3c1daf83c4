"""What the generic route tests need to know about every operation of the app.

Each domain's test package may hold a `foreign_ids.py` with

* `MAKERS`: path parameter name -> function(world, session) returning the id of a resource of
  institution A (or otherwise invisible to institution B's staff), for the cross-tenant test;
* `BODIES`: operation id -> a valid request body for that operation, so that the cross-tenant
  test reaches the tenant check instead of stopping at validation.

A path parameter without a maker, or a body-taking operation with path parameters but no body,
fails the suite: new routes cannot escape the tenancy test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

import tests

#: Operations anyone may call without a token.
PUBLIC_OPERATIONS = {
    "issue_token",
    "healthz",
    "readyz",
    "read_jwks",
    "read_invited_survey_form",
    "submit_invited_survey_response",
}
#: Operations any valid token may call (no scope).
AUTHENTICATED_OPERATIONS = {"read_me", "revoke_token"}


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    operation_id: str
    scopes: tuple[str, ...] | None  # None: public
    path_params: tuple[str, ...]
    has_body: bool
    body_media_type: str | None


def operations(app: FastAPI) -> list[Operation]:
    spec = app.openapi()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            security = op.get("security")
            scopes = tuple(security[0]["OAuth2"]) if security else None
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            content = op.get("requestBody", {}).get("content", {})
            out.append(
                Operation(
                    path, method.upper(), op["operationId"], scopes, params, bool(content), next(iter(content), None)
                )
            )
    return out


def _domain_modules() -> list[Any]:
    mods = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                mods.append(importlib.import_module(f"tests.{info.name}.foreign_ids"))
            except ModuleNotFoundError:
                continue
    return mods


def foreign_id_makers() -> dict[str, Callable[..., Any]]:
    makers: dict[str, Callable[..., Any]] = {}
    for mod in _domain_modules():
        makers.update(getattr(mod, "MAKERS", {}))
    return makers


def valid_bodies() -> dict[str, Any]:
    bodies: dict[str, Any] = {}
    for mod in _domain_modules():
        bodies.update(getattr(mod, "BODIES", {}))
    return bodies
