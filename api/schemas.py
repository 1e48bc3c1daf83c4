"""Base classes for request and response bodies (never table classes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

#: The contract forbids NUL in every string (PostgreSQL cannot store it); see api.main._openapi.
NO_NUL_PATTERN = "^[^\\u0000]*$"
#: Whitespace as request models strip it (pydantic trims Unicode White_Space, U+0085 included),
#: written for every regex engine that reads the contract: ECMA-262's `\s` (clients, schemathesis)
#: lacks U+0085, so patterns name it too.
SPACE = "\\s\\u0085"
#: A required string: something that is not whitespace once stripped, and no NUL.
NON_BLANK_PATTERN = f"^[^\\u0000]*[^{SPACE}\\u0000][^\\u0000]*$"
#: An e-mail address, loosely: no whitespace, one @.
EMAIL_PATTERN = f"^[^@{SPACE}\\u0000]+@[^@{SPACE}\\u0000]+$"
#: An http(s) URL without whitespace or NUL.
HTTP_URL_PATTERN = f"^https?://[^{SPACE}\\u0000/?#]+[^{SPACE}\\u0000]*$"


def _reject_nul(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, list | tuple | set):
        for item in value:
            _reject_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    return value


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields, so a client cannot smuggle in server-owned ones, and
    strings with NUL characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _reject_nul(value)


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
