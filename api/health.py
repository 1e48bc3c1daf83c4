from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.errors import problem_responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Jwk(BaseModel):
    kty: str
    use: str
    alg: str
    kid: str
    n: str
    e: str


class Jwks(BaseModel):
    keys: list[Jwk]


@router.get("/healthz", summary="Liveness: the process answers", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz", summary="Readiness: the database answers", response_model=Health, responses=problem_responses(503)
)
def readyz(request: Request) -> Any:
    with request.app.state.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return Health(status="ok")


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens", response_model=Jwks)
def read_jwks(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.tokens.jwks(), headers={"Cache-Control": "public, max-age=300"})
