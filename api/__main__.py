"""`python -m api <command>`: migrate, demo, serve, create-admin, openapi."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.config import ROOT, get_settings

OPENAPI_PATH = ROOT / "openapi" / "openapi.json"


def openapi_document() -> str:
    from api.config import Settings
    from api.main import create_app
    from api.security.tokens import KeyPair, TokenService

    settings = Settings(environment="test", database_url="sqlite://")

    class _NoKeys(TokenService):  # the schema does not depend on a key; do not make one
        def __init__(self, settings: Settings) -> None:
            self.settings = settings
            self.keys = KeyPair("", None, None, {}, False)

    app = create_app(settings, tokens=_NoKeys(settings))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api", description="Ciklas command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply every Alembic migration (alembic upgrade head)")
    sub.add_parser("demo", help="load demo data when the database is empty")
    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    admin = sub.add_parser("create-admin", help="create a platform administrator")
    admin.add_argument("--username", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--full-name", default="Platform administrator")
    spec = sub.add_parser("openapi", help="write openapi/openapi.json (or --check it)")
    spec.add_argument("--check", action="store_true", help="fail when the committed file differs")
    spec.add_argument("--output", type=Path, default=OPENAPI_PATH)
    args = parser.parse_args(argv)

    if args.command == "openapi":
        document = openapi_document()
        if args.check:
            current = args.output.read_text() if args.output.exists() else ""
            if current != document:
                print(f"{args.output} differs from the app's schema; run `make openapi`.", file=sys.stderr)
                return 1
            print(f"{args.output} matches the app's schema.")
            return 0
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(document)
        print(f"wrote {args.output}")
        return 0

    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: a setting is missing or wrong
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from api.migrations import upgrade

        upgrade(settings.database_url)
        print("database migrated to head")
        return 0
    if args.command == "demo":
        from api.db import create_db_engine
        from api.demo import DEMO_PASSWORD, DemoRefused, load_demo

        if settings.environment == "production":  # before touching the database
            print(
                "refused: `demo` loads public credentials, including a platform administrator; it never runs "
                "with CIKLAS_ENVIRONMENT=production",
                file=sys.stderr,
            )
            return 2
        try:
            loaded = load_demo(create_db_engine(settings), environment=settings.environment)
        except DemoRefused as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 2
        print(
            f"demo data loaded (password for every demo user: {DEMO_PASSWORD})"
            if loaded
            else "database not empty; demo data not loaded"
        )
        return 0
    if args.command == "create-admin":
        from api.db import create_db_engine, open_session
        from api.models import User
        from api.security.passwords import hash_password
        from api.security.scopes import Role

        if len(args.password) < 10:
            print("password must have at least 10 characters", file=sys.stderr)
            return 2
        with open_session(create_db_engine(settings), write=True) as session:
            session.add(
                User(
                    username=args.username,
                    password_hash=hash_password(args.password),
                    full_name=args.full_name,
                    role=Role.platform_admin.value,
                )
            )
            try:
                session.commit()
            except Exception:
                print(f"user {args.username!r} already exists", file=sys.stderr)
                return 1
        print(f"platform administrator {args.username!r} created")
        return 0
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "api.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            proxy_headers=False,
            access_log=False,
        )  # api.client_address reads X-Forwarded-For
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
