"""Outside development the service refuses to start without a real signing key."""

import pytest

from api.config import Settings
from api.security import tokens
from api.security.tokens import TokenService, generate_private_key_pem


def test_production_requires_a_key():
    with pytest.raises(ValueError, match="JWT_PRIVATE_KEY"):
        Settings(environment="production")


def test_test_environment_without_key_refuses():
    with pytest.raises(RuntimeError, match="No signing key"):
        TokenService(Settings(environment="test"))


def test_generated_development_key_is_refused_outside_development(tmp_path, monkeypatch):
    dev_key = tmp_path / "dev-jwt-key.pem"
    monkeypatch.setattr(tokens, "DEV_KEY_PATH", dev_key)
    TokenService(Settings(environment="development"))  # generates it
    assert dev_key.exists()
    with pytest.raises(RuntimeError, match="development key"):
        TokenService(Settings(environment="production", jwt_private_key_file=dev_key))


def test_weak_keys_are_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    with pytest.raises(RuntimeError, match="2048"):
        TokenService(Settings(environment="test", jwt_private_key=small))
    TokenService(Settings(environment="test", jwt_private_key=generate_private_key_pem()))
