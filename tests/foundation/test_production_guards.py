"""In production the demo data (public passwords, a platform administrator) is refused; the docs
pages are covered in test_response_headers.py."""

from __future__ import annotations

import pytest
from sqlmodel import select

from api import __main__ as cli
from api.config import get_settings
from api.demo import DemoRefused, load_demo
from api.models import Municipality, User


@pytest.fixture
def production_env(database_url, db_engine, monkeypatch, signing_key_pem):
    monkeypatch.setenv("CIKLAS_DATABASE_URL", database_url)
    monkeypatch.setenv("CIKLAS_ENVIRONMENT", "production")
    monkeypatch.setenv("CIKLAS_JWT_PRIVATE_KEY", signing_key_pem)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_demo_is_refused_in_production(production_env, db_engine, session, capsys):
    assert cli.main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "CIKLAS_ENVIRONMENT=production" in err and "platform administrator" in err
    assert session.exec(select(User)).all() == [] and session.exec(select(Municipality)).all() == []
    with pytest.raises(DemoRefused):
        load_demo(db_engine, environment="production")
    assert session.exec(select(User)).all() == []


def test_a_bad_configuration_is_a_clear_error(production_env, monkeypatch, capsys):
    monkeypatch.delenv("CIKLAS_JWT_PRIVATE_KEY")
    get_settings.cache_clear()
    assert cli.main(["demo"]) == 2
    assert "configuration error" in capsys.readouterr().err
