"""Substring search in SQL, with the user's text taken literally.

`LIKE` gives `%` and `_` a meaning: unescaped, `GET /api/v1/users?q=%` matched everyone. Every
substring filter goes through `contains_text()`, which escapes `%`, `_` and the escape character
itself and states `ESCAPE '\\'`, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` with the LIKE wildcards and the escape character escaped."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def contains_text(column: Any, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive: `column` contains `text`, character for character."""
    # Both sides are lowered in SQL, as the database lowers the column (SQLite: ASCII only).
    return column.icontains(escape_like(text), escape=LIKE_ESCAPE)
