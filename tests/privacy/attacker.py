"""The attacker of the peer-statistics tests: it knows how many peers there are, what the API
published about them, its own value and the scale, and tries every configuration of peers on a
fine grid of the scale. A peer's value is computable when one value is in every configuration
consistent with what was published; the tests assert that never happens.

`documented` is the published rule as the README states it (k peers, the share of peers strictly
below, withheld unless peers lie strictly below and strictly above); the tests also assert that the
real configuration is among the consistent ones, so the API publishes exactly that and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from itertools import combinations_with_replacement

K = 5

Rule = Callable[[Sequence[float], float], tuple]


def documented(peers: Sequence[float], own: float, k: int = K) -> tuple[int, bool, float | None]:
    """(peers, suppressed, percentile rank) that the rule publishes for these peers."""
    n = len(peers)
    if n < k:
        return n, True, None
    below = sum(1 for v in peers if v < own)
    above = sum(1 for v in peers if v > own)
    if below == 0 or above == 0:
        return n, False, None
    return n, False, round(100.0 * below / n, 2)


@cache
def _forced_by_output(n: int, own: float, grid: tuple[float, ...], rule: Rule) -> dict[tuple, frozenset[float]]:
    """For every output `rule` can give with `n` peers and this own value: the values present in
    every configuration (a multiset of the grid) that gives it."""
    forced: dict[tuple, frozenset[float]] = {}
    for world in combinations_with_replacement(grid, n):
        out = rule(world, own)
        forced[out] = forced[out] & frozenset(world) if out in forced else frozenset(world)
    return forced


def computable_peer_values(
    n: int, own: float, observed: tuple, grid: Sequence[float], rule: Rule = documented
) -> frozenset[float]:
    """The peer values the attacker can be sure of from `observed`; empty when none."""
    found = _forced_by_output(n, own, tuple(grid), rule)
    assert observed in found, f"{observed} is not what the rule publishes for {n} peers"
    return found[observed]
