"""The committed contract (openapi/openapi.json) is what the app serves."""

import json

from api.__main__ import OPENAPI_PATH, openapi_document


def test_committed_openapi_matches_the_app():
    committed = json.loads(OPENAPI_PATH.read_text())
    current = json.loads(openapi_document())
    assert committed == current, "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_is_documented():
    spec = json.loads(openapi_document())
    ids = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
            assert op.get("operationId"), f"{method.upper()} {path} has no operation id"
            ids.append(op["operationId"])
            errors = [s for s in op["responses"] if s.startswith(("4", "5"))]
            assert "422" in errors
            for status in errors:
                assert list(op["responses"][status]["content"]) == ["application/problem+json"]
    assert len(ids) == len(set(ids))


def test_readme_role_matrix_matches_the_code():
    from api.config import ROOT
    from api.security.scopes import role_scope_matrix_markdown

    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- role-scope-matrix:start -->\n", 1)[1].split("\n<!-- role-scope-matrix:end -->", 1)[0]
    assert block == role_scope_matrix_markdown(), "README role matrix is stale: regenerate it from ROLE_SCOPES"
