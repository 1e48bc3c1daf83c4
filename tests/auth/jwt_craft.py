"""Hand-made JWTs for the attack suite, built with `cryptography` only (no JWT library), so the
tests do not share code, or bugs, with the module under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def claims_for(
    user_id: uuid.UUID,
    *,
    role: str = "director",
    institution: uuid.UUID | None = None,
    iss: str = "https://ciklas.local",
    aud: str = "ciklas-api",
    **overrides: Any,
) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "kind": "user",
        "role": role,
        "iss": iss,
        "aud": aud,
        "sub": str(user_id),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    if institution:
        claims["institution"] = str(institution)
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(header: dict[str, Any], claims: dict[str, Any], pem: str, alg: str = "RS256") -> str:
    signing_input = f"{segment(header)}.{segment(claims)}".encode()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if alg in ("RS256", "RS512"):
        digest = hashes.SHA256() if alg == "RS256" else hashes.SHA512()
        signature = key.sign(signing_input, padding.PKCS1v15(), digest)
    elif alg == "PS256":
        signature = key.sign(signing_input, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    else:
        raise ValueError(alg)
    return f"{signing_input.decode()}.{b64(signature)}"


def hs256_with(secret: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}".encode()
    return f"{signing_input.decode()}.{b64(hmac.new(secret, signing_input, hashlib.sha256).digest())}"


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{segment(header)}.{segment(claims)}."


def public_pem(pem: str) -> bytes:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def other_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def es256_token(header: dict[str, Any], claims: dict[str, Any]) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    signing_input = f"{segment(header)}.{segment(claims)}".encode()
    der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    return f"{signing_input.decode()}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
