"""JSON Web Tokens: the only module that imports the JWT library (python-jose).

One asymmetric algorithm is pinned (RS256). Decoding names that one algorithm, checks the `kid`
against our own keys before anything else, and requires exp, iat, aud, iss, sub and jti, so that
`alg: none`, HMAC-with-the-public-key and algorithm-substitution tokens never reach verification.

Before the library sees a token, its form is checked strictly (:func:`check_compact_form`): three
segments of canonical, unpadded base64url (RFC 7515 §2, §7.1), so that a genuine token with `==`
or any other character appended, or spelled with another base64 alphabet, is not one of ours.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from jose.exceptions import JOSEError

from api.config import ROOT, Settings

ALGORITHM = "RS256"
DEV_KEY_PATH = ROOT / "var" / "dev-jwt-key.pem"
REQUIRED_CLAIMS = ("exp", "iat", "aud", "iss", "sub", "jti")
#: Ours are about 900 characters (RS256 with 2048-bit keys); this leaves room for 4096-bit keys.
MAX_TOKEN_CHARS = 4096
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

logger = logging.getLogger("ciklas.tokens")


class TokenError(Exception):
    """The token is not one we issued, or no longer valid. The message is safe to show."""


def check_compact_form(token: str) -> None:
    """A JWS in compact serialisation: header.payload.signature, each non-empty, unpadded base64url
    of the base64url alphabet only, and canonical (its decoding re-encodes to the same text, so that
    one token has exactly one spelling). Raises TokenError otherwise.

    The JWT library is lenient: it pads, and it decodes after dropping characters that are not in
    the alphabet, so `<token>==` or `<token>.` would verify as the genuine token."""
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenError("malformed token")
    segments = token.split(".")
    if len(segments) != 3:
        raise TokenError("malformed token")
    for segment in segments:
        if not _BASE64URL.fullmatch(segment):
            raise TokenError("malformed token")
        try:
            canonical = _b64(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))) == segment
        except ValueError:  # binascii.Error: a length no base64 text has
            canonical = False
        if not canonical:
            raise TokenError("malformed token")


def generate_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyPair:
    kid: str
    private_key: Any
    public_key: Any
    public_jwk: dict[str, str]
    generated_for_development: bool


def _load_pem(settings: Settings) -> tuple[str, bool]:
    if settings.jwt_private_key:
        return settings.jwt_private_key, False
    if settings.jwt_private_key_file:
        path = Path(settings.jwt_private_key_file)
        return path.read_text(), path.resolve() == DEV_KEY_PATH.resolve()
    if settings.environment != "development":
        raise RuntimeError(
            "No signing key configured: set CIKLAS_JWT_PRIVATE_KEY or CIKLAS_JWT_PRIVATE_KEY_FILE "
            "(a development key is generated only when CIKLAS_ENVIRONMENT=development)"
        )
    if not DEV_KEY_PATH.exists():
        DEV_KEY_PATH.parent.mkdir(parents=True, exist_ok=True)
        DEV_KEY_PATH.write_text(generate_private_key_pem())
        DEV_KEY_PATH.chmod(0o600)
        logger.warning("generated a development signing key at %s", DEV_KEY_PATH)
    return DEV_KEY_PATH.read_text(), True


def load_keys(settings: Settings) -> KeyPair:
    pem, is_dev = _load_pem(settings)
    if is_dev and settings.environment != "development":
        raise RuntimeError("Refusing to start outside development with the generated development key")
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey) or private.key_size < 2048:
        raise RuntimeError("The signing key must be an RSA private key of at least 2048 bits")
    numbers = private.public_key().public_numbers()
    n = _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
    e = _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))
    # RFC 7638 thumbprint: the kid changes exactly when the key does.
    kid = _b64(
        hashlib.sha256(
            json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True).encode()
        ).digest()
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(
        kid=kid,
        private_key=jwk.construct(pem, ALGORITHM),
        public_key=jwk.construct(public_pem, ALGORITHM),
        public_jwk={"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid, "n": n, "e": e},
        generated_for_development=is_dev,
    )


class TokenService:
    def __init__(self, settings: Settings, keys: KeyPair | None = None):
        self.settings = settings
        self.keys = keys or load_keys(settings)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.keys.public_jwk]}

    def issue(self, *, subject: str, claims: dict[str, Any], ttl_seconds: int | None = None) -> tuple[str, str, int]:
        """Returns (token, jti, expires_in)."""
        now = int(time.time())
        ttl = ttl_seconds or self.settings.access_token_ttl_seconds
        jti = secrets.token_hex(16)
        payload = {
            **claims,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "sub": subject,
            "iat": now,
            "exp": now + ttl,
            "jti": jti,
        }
        token = jwt.encode(payload, self.keys.private_key, algorithm=ALGORITHM, headers={"kid": self.keys.kid})
        return token, jti, ttl

    def decode(self, token: str) -> dict[str, Any]:
        check_compact_form(token)
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError("token algorithm not accepted")
        if header.get("kid") != self.keys.kid:
            raise TokenError("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                self.keys.public_key,
                algorithms=[ALGORITHM],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={f"require_{c}": True for c in REQUIRED_CLAIMS} | {"leeway": 10},
            )
        except JOSEError as exc:
            raise TokenError("invalid or expired token") from exc
        except Exception as exc:  # a payload that is not a JSON object, non-numeric exp, ...
            raise TokenError("malformed token") from exc
        if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("jti"), str):
            raise TokenError("malformed token")
        return claims
