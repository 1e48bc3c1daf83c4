"""The privacy threshold, in one place: nothing derived from fewer than k persons leaves the
institution's staff, and peer statistics never let anyone compute a single peer's value.

* **Persons.** Every aggregate derived from persons (survey respondents, care-plan recipients, and
  for a formula the fewest of its inputs') records how many persons it rests on. For every reader
  outside the institution's staff — the municipality, the platform administrator, another
  institution, recipients, guardians and devices — a figure resting on fewer than `k` persons is
  withheld: `null`, `suppressed: true` and the reason, never a number; so is the count of persons.
  The institution's own staff see the real figures.
* **Peers.** Peer statistics come from at least `k` peers (else only the group's size, suppressed
  with the reason). No minimum, maximum, median or quartile is published, only the group's size and
  the institution's own percentile rank: the share of peers strictly below its *published* value,
  given only when at least one peer lies strictly below it and one strictly above it. With values on
  a continuous scale, every configuration of peers consistent with what is published can be changed
  peer by peer without changing it, so no single peer's value follows from it, even at the ends of a
  bounded scale (0 % or 100 %), where a rank would otherwise say how many peers share the end.

`k` is the setting `CIKLAS_PRIVACY_K` (default 5, never below 3).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from api.models import InstitutionKind
from api.schemas import PublicModel
from api.security.principal import Principal
from api.security.scopes import STAFF_ROLES

DEFAULT_K = 5
MIN_K = 3

#: The institution's value is not ranked: it is below or above every peer, or not published.
RANK_AT_EDGE = "at the edge of the peer group"
RANK_NOT_PUBLISHED = "the institution's value is not published"
#: A value stored before persons were recorded, of a source derived from persons.
PERSONS_NOT_RECORDED = "persons not recorded"


def is_suppressed(persons: int | None, k: int = DEFAULT_K) -> bool:
    """Whether a figure resting on `persons` persons is withheld from readers outside the staff.
    `None`: not derived from persons (entered by hand, counted from plans)."""
    return persons is not None and persons < k


def few_persons(k: int) -> str:
    return f"fewer than {k} persons"


def few_peers(k: int) -> str:
    return f"fewer than {k} peers"


def is_outside(principal: Principal, institution_id: uuid.UUID) -> bool:
    """Everyone but the staff of the institution itself reads suppressed figures."""
    return not (principal.role in STAFF_ROLES and principal.institution_id == institution_id)


class Suppressed(BaseModel):
    """A figure withheld by the privacy rule, in place of the number."""

    value: None = None
    suppressed: Literal[True] = True
    reason: str = Field(examples=["fewer than 5 persons"])


@dataclass(frozen=True)
class Privacy:
    """The configured threshold (`CIKLAS_PRIVACY_K`)."""

    k: int = DEFAULT_K

    def __post_init__(self) -> None:
        if self.k < MIN_K:
            raise ValueError(f"the privacy threshold k is at least {MIN_K}")

    def is_suppressed(self, persons: int | None) -> bool:
        return is_suppressed(persons, self.k)

    def enough_peers(self, peers: int) -> bool:
        return peers >= self.k

    def view(self, principal: Principal, institution_id: uuid.UUID) -> View:
        return View(k=self.k, outside=is_outside(principal, institution_id))

    def outside_view(self) -> View:
        return View(k=self.k, outside=True)


@dataclass(frozen=True)
class View:
    """What one reader sees of one institution's figures."""

    k: int
    outside: bool

    def hides(self, persons: int | None) -> bool:
        return self.outside and is_suppressed(persons, self.k)

    def reason(self) -> str:
        return few_persons(self.k)

    def figure(self, value: Any, persons: int | None) -> Any:
        """`value`, or in its place a :class:`Suppressed` figure (as JSON) for an outside reader."""
        return Suppressed(reason=self.reason()).model_dump() if self.hides(persons) else value


def privacy_of(request: Request) -> Privacy:
    return Privacy(k=request.app.state.settings.privacy_k)


PrivacyDep = Annotated[Privacy, Depends(privacy_of)]


# ---- peers ---------------------------------------------------------------------------------------


class PeerGroup(PublicModel):
    """How a peer group was formed and how many peers it has."""

    scope: Literal["municipality", "platform"]
    institution_kind: InstitutionKind
    municipality_id: uuid.UUID | None = Field(default=None, description="The municipality (scope municipality)")
    peers: int = Field(description="Peers in the group (the institution itself excluded)")
    minimum_peers: int = Field(default=DEFAULT_K, description="Peer figures are given from this many peers (k)")
    formed_by: str = Field(default="", description="How the group was formed, in words")


def rank_among_peers(below: int, above: int, peers: int, *, published: bool = True) -> tuple[float | None, str | None]:
    """(percentile rank, reason it is withheld): 100 × peers strictly below / peers, given only
    when the institution's value is published and peers lie strictly on both sides of it."""
    if not published:
        return None, RANK_NOT_PUBLISHED
    if below == 0 or above == 0 or peers == 0:
        return None, RANK_AT_EDGE
    return round(100.0 * below / peers, 2), None
