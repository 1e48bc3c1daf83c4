"""Who is on the other end: the client address the sign-in throttle counts by.

The rule (README, "Security"): the client address is the connection's peer. Only when the peer is
a trusted proxy (CIKLAS_TRUSTED_PROXIES: IP addresses or CIDR networks, or `unix` for a peer on a
Unix socket) is `X-Forwarded-For` read, from the right: each trusted proxy appends the address it
saw, so the right-most entry that is not itself a trusted proxy is the client. Entries left of it
were written by the client and could say anything; they are never read. When every entry is a
trusted proxy, the left-most one is the client; an entry that is not an IP address ends the walk at
the last proxy that could be trusted.

uvicorn is started without its own proxy-header handling (`api serve`), so this is the only rule.
A peer that is not an IP address (the test client's `testclient`) is taken as it is; it is never a
trusted proxy.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from api.config import UNIX_SOCKET_PEER

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN_PEER = "unknown"
MAX_LABEL = 64


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries if e != UNIX_SOCKET_PEER)


def parse_ip(text: str) -> IPAddress | None:
    """An IP address as peers and proxies write it (`203.0.113.7`, `2001:db8::1`, with or without a
    port: `203.0.113.7:5000`, `[2001:db8::1]:5000`); IPv4-mapped IPv6 as IPv4. None if it is not one."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port (IPv6 has at least two colons)
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def resolve(peer: str | None, forwarded_for: list[str], trusted_proxies: list[str]) -> str:
    """The client address of a connection from `peer` (None: a Unix socket) that carried these
    `X-Forwarded-For` header values."""
    trust_unix = UNIX_SOCKET_PEER in trusted_proxies
    networks = _networks(tuple(trusted_proxies))

    def trusted(address: IPAddress) -> bool:
        return any(address in network for network in networks)

    if peer is None:
        if not trust_unix:
            return UNKNOWN_PEER
        current: IPAddress | None = None
    else:
        current = parse_ip(peer)
        if current is None:
            return peer.strip()[:MAX_LABEL] or UNKNOWN_PEER
        if not trusted(current):
            return str(current)
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed([h for h in hops if h]):
        address = parse_ip(hop)
        if address is None:
            break
        current = address
        if not trusted(address):
            break
    return str(current) if current is not None else UNKNOWN_PEER


def client_address(request: Request) -> str:
    return resolve(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.settings.trusted_proxies,
    )


ClientAddress = Annotated[str, Depends(client_address)]
