"""One typed Settings object, read from the environment with the prefix CIKLAS_."""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "var" / "ciklas.db"


UNIX_SOCKET_PEER = "unix"


def normalise_proxy(entry: str) -> str:
    """A trusted proxy entry: `unix`, or an IP address or CIDR network, written canonically."""
    entry = entry.strip()
    if entry.lower() == UNIX_SOCKET_PEER:
        return UNIX_SOCKET_PEER
    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        raise ValueError(f"not an IP address or CIDR network: {entry!r}") from None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIKLAS_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    database_pool_size: int = 10
    database_pool_timeout: float = Field(default=5.0, description="Seconds to wait for a pooled connection.")
    database_connect_timeout: int = Field(default=3, description="Seconds to wait for PostgreSQL to answer.")
    sqlite_busy_timeout_ms: int = 5000

    # Admission (api/admission.py): requests in flight per worker, by default twice the pool's
    # capacity (pool_size + the same overflow); the thread budget follows. The excess waits in a
    # bounded queue for a bounded time, then gets 503 with Retry-After.
    max_requests_in_flight: int | None = Field(default=None, ge=1, description="Default: 4 x database_pool_size.")
    admission_queue_size: int = Field(default=256, ge=0)
    admission_queue_timeout_seconds: float = Field(default=3.0, ge=0)

    # Tokens. The private key is a PEM (RSA, 2048 bits or more); without one a development key is
    # generated under var/, which is refused outside development.
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    jwt_issuer: str = "https://ciklas.local"
    jwt_audience: str = "ciklas-api"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    # Sign-in throttle (api/auth/throttle.py, README "Security"). A source that fails is slowed:
    # one account from one client address after `login_max_failures` failures, one client address
    # over all accounts after `login_address_max_failures`; then each attempt waits 1
    # (`login_base_delay_seconds`), 2, 4, ... seconds, at most `login_max_delay_seconds`. One
    # failure is forgotten per decay period.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_failure_decay_seconds: int = Field(default=900, ge=1)
    login_address_max_failures: int = Field(default=30, ge=1, le=10_000)
    login_address_failure_decay_seconds: int = Field(default=300, ge=1)
    login_base_delay_seconds: int = Field(default=1, ge=1, le=3600)
    login_max_delay_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    # The client address is the connection's peer, unless the peer is one of these proxies (IP
    # addresses or CIDR networks; `unix` for peers on a Unix socket): then the right-most address of
    # X-Forwarded-For that is not one of them. JSON list or comma-separated.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Privacy (api/privacy.py): nothing derived from fewer than k persons leaves the institution's
    # staff, and peer statistics need at least k peers. Never below 3.
    privacy_k: int = Field(default=5, ge=3, le=1000, description="The privacy threshold k (persons and peers).")

    # Erasure: a discharged recipient may be anonymised this many days after discharge.
    recipient_retention_days: int = Field(default=3650, ge=0)

    # Surveys: a response answered while its campaign was open but synced after closing is accepted
    # for this many hours (offline kiosks and apps).
    survey_late_sync_grace_hours: int = Field(default=72, ge=0, le=24 * 366)
    # Webhooks: delivered outside the request by a worker thread, retried with exponential backoff.
    webhook_worker_interval_seconds: float = Field(default=5.0, ge=0, description="0 disables the worker thread.")
    webhook_max_attempts: int = Field(default=6, ge=1, le=20)
    webhook_backoff_seconds: float = Field(default=30.0, ge=0, description="Wait after the first failure; doubles.")
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_allow_private_addresses: bool | None = Field(
        default=None, description="Deliver to loopback and private networks; default: everywhere but production."
    )

    # /docs and /redoc: off in production unless set (the contract stays at /openapi.json).
    docs_in_production: bool = False

    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1_048_576 * 2
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_trusted_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [p for p in text.split(",") if p.strip()]
        if not isinstance(value, list):
            raise ValueError("a JSON list or a comma-separated list of IP addresses and CIDR networks")
        return [normalise_proxy(str(entry)) for entry in value]

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment == "production" and not (self.jwt_private_key or self.jwt_private_key_file):
            raise ValueError("CIKLAS_JWT_PRIVATE_KEY or CIKLAS_JWT_PRIVATE_KEY_FILE must be set outside development")
        return self

    @property
    def docs_enabled(self) -> bool:
        return self.environment != "production" or self.docs_in_production

    @property
    def requests_in_flight(self) -> int:
        return self.max_requests_in_flight or 4 * self.database_pool_size

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
