"""Optimistic concurrency over HTTP: `ETag` on reads, `If-Match` required on updates.

Missing If-Match is 428, a stale one 412. The version check is repeated by the database itself
(`version_id_col`), so two requests that pass the header check at once cannot both win.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from api.errors import PreconditionFailed

IfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        description="The `ETag` you read. Required: 428 when missing, 412 when the resource has changed since.",
        examples=['"1"'],
        max_length=200,
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str, current_version: int) -> None:
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" in tags or etag(current_version) in tags:
        return
    raise PreconditionFailed(
        f"If-Match {if_match!r} does not match the current version {etag(current_version)}; read it again."
    )
