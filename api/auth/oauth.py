"""The OAuth 2.0 side of the token endpoint (RFC 6749): its error members and client authentication.

Errors stay RFC 9457 problem details and also carry the members OAuth clients read, `error` and
`error_description` (§5.2): `invalid_request` and `unsupported_grant_type` 400, `invalid_grant` 400,
`invalid_client` 401 with a Basic challenge.

A client authenticates (§2.3.1) either with HTTP Basic, `Authorization: Basic
base64(urlencode(client_id) ":" urlencode(client_secret))` (`client_secret_basic`), or with
`client_id` and `client_secret` in the form (`client_secret_post`); never with both.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import unquote_plus

from api.errors import ApiError, BadRequest, InvalidClient, InvalidGrant

GRANT_TYPES = ("password", "refresh_token", "client_credentials")
MAX_CLIENT_ID = 100
MAX_CLIENT_SECRET = 200


E = TypeVar("E", bound=ApiError)


def _oauth(exc: E, error: str) -> E:
    """Adds the OAuth members to a problem; like the token, the error is not to be cached (§5.1)."""
    exc.extra.update(error=error, error_description=exc.detail)
    exc.headers["Cache-Control"] = "no-store"
    return exc


def invalid_request(detail: str) -> BadRequest:
    return _oauth(BadRequest(detail), "invalid_request")


def unsupported_grant_type(grant_type: str) -> BadRequest:
    return _oauth(
        BadRequest(f"Unsupported grant_type {grant_type!r}; use one of {', '.join(GRANT_TYPES)}."),
        "unsupported_grant_type",
    )


def invalid_grant(detail: str) -> InvalidGrant:
    return _oauth(InvalidGrant(detail), "invalid_grant")


def invalid_client(detail: str) -> InvalidClient:
    return _oauth(InvalidClient(detail), "invalid_client")


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    method: Literal["client_secret_basic", "client_secret_post"]


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """The credentials of an `Authorization: Basic` header, None without one; 400 when malformed."""
    if authorization is None:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None  # not client authentication (a bearer token has no business here): ignored
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        raw_id, colon, raw_secret = decoded.partition(":")
        if not colon:
            raise ValueError("no colon")
        # RFC 6749 §2.3.1: both parts are form-urlencoded (Appendix B) before they are joined.
        client_id = unquote_plus(raw_id, errors="strict")
        client_secret = unquote_plus(raw_secret, errors="strict")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise invalid_request(
            "Malformed HTTP Basic credentials: expected base64(urlencode(client_id):urlencode(client_secret))."
        ) from None
    if not client_id or not client_secret or len(client_id) > MAX_CLIENT_ID or len(client_secret) > MAX_CLIENT_SECRET:
        raise invalid_request(
            f"HTTP Basic client_id must have 1-{MAX_CLIENT_ID} characters and client_secret 1-{MAX_CLIENT_SECRET}."
        )
    return client_id, client_secret


def client_credentials(
    authorization: str | None, client_id: str | None, client_secret: str | None
) -> ClientCredentials:
    """The one client authentication of a request. Basic together with a form `client_secret` (or a
    form `client_id` naming another client) is two methods: 400 `invalid_request`. None at all is
    401 `invalid_client`."""
    basic = _basic(authorization)
    if basic is not None:
        if client_secret is not None or (client_id is not None and client_id != basic[0]):
            raise invalid_request(
                "Authenticate the client once: HTTP Basic or client_id and client_secret in the form, not both."
            )
        return ClientCredentials(basic[0], basic[1], "client_secret_basic")
    if client_id is None or client_secret is None:
        raise invalid_client(
            "Client authentication required: HTTP Basic (client_secret_basic) or "
            "client_id and client_secret in the form."
        )
    return ClientCredentials(client_id, client_secret, "client_secret_post")
