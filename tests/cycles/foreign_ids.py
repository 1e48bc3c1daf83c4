"""Path parameters of the cycle view (see tests/routes.py): the institution is A's; `year` is not an
id, any valid year does."""

from __future__ import annotations

MAKERS = {
    "year": lambda world, session: 2026,
}
