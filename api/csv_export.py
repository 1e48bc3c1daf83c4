"""The one CSV writer of every export (indicator values, plan items, survey responses).

Text in these files comes from people: an indicator, a plan item or a survey answer may be named
`=HYPERLINK("http://evil", "click")`. A spreadsheet that opens the file would run it, so every text
cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote
(OWASP's advice for CSV injection), the header row included. Numbers are written as numbers: a
negative value is not a formula, and only values made from a number (`number()`, `int`, `float`)
skip the check, never text that merely looks like one.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class NumberCell(str):
    """A number already formatted for the file (`number()`); written as it is."""


def number(value: float | int | Decimal | None, spec: str = "g") -> str:
    """`value` formatted with `spec` (`12.0` -> `12`), or empty for None; never quoted."""
    return "" if value is None else NumberCell(format(value, spec))


def neutralise(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> str:
    """How one value is written: empty for None, `true`/`false`, ISO dates, numbers as numbers,
    and every text neutralised."""
    if value is None:
        return ""
    if isinstance(value, NumberCell):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> str:
    """The whole file: the header row, then one line per row, every cell through `cell()`.

    Rows are written with CRLF and re-terminated: the csv module quotes only the characters of its
    own line terminator, so with a bare LF a carriage return inside a cell would go out bare and split
    the row for a reader."""
    out, line = io.StringIO(), io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n")
    for row in itertools.chain([header], rows):
        line.seek(0)
        line.truncate()
        writer.writerow([cell(v) for v in row])
        out.write(line.getvalue()[:-2] + lineterminator)
    return out.getvalue()
