"""Where a webhook may be delivered: the receiver's host is resolved once, every address it
resolves to is checked, and the delivery connects to the checked address (the URL's host goes in
the Host header and as the TLS server name), so DNS cannot answer differently between the check
and the connection (rebinding).

With private addresses refused (production), an address is refused when it is not globally
reachable (loopback, private, link-local, shared, reserved, multicast, unspecified, ...), and so is
every IPv6 address that carries an IPv4 address inside it and could reach it through a translator
or tunnel: NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32), IPv4-
compatible (::/96) and IPv4-translated (::ffff:0:0:0/96) addresses. An IPv4-mapped address
(::ffff:a.b.c.d) is the IPv4 address itself and is judged as that.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IPv6 ranges that embed an IPv4 address and reach it through a translator or tunnel.
EMBEDDED_IPV4 = {
    ipaddress.IPv6Network("64:ff9b::/96"): "NAT64",
    ipaddress.IPv6Network("64:ff9b:1::/48"): "local-use NAT64",
    ipaddress.IPv6Network("2002::/16"): "6to4",
    ipaddress.IPv6Network("2001::/32"): "Teredo",
    ipaddress.IPv6Network("::/96"): "IPv4-compatible",
    ipaddress.IPv6Network("::ffff:0:0:0/96"): "IPv4-translated",
}

#: Special-purpose IPv4 ranges that some Python versions still call global.
SPECIAL_IPV4 = (ipaddress.IPv4Network("192.0.0.0/24"), ipaddress.IPv4Network("192.88.99.0/24"))


class TargetRefused(Exception):
    """The receiver may not be called from here; retrying cannot change that."""


class TargetUnresolved(Exception):
    """The receiver's host did not resolve (now); a later attempt may succeed."""


def refusal(address: IPAddress) -> str | None:
    """Why `address` is not a public receiver, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return refusal(address.ipv4_mapped)
        for network, kind in EMBEDDED_IPV4.items():
            if address in network:
                return f"{address} lies in {network} ({kind}), which embeds an IPv4 address"
        if address.is_site_local:
            return f"{address} is not a public address"
    elif any(address in network for network in SPECIAL_IPV4):
        return f"{address} is a special-purpose address"
    if (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
    ):
        return f"{address} is not a public address"
    return None


def _getaddrinfo(host: str, port: int) -> list[str]:
    """The resolver (one place, so tests can stand in for DNS)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class Target:
    url: httpx.URL  #: the URL with the checked address in place of the host
    host_header: str  #: the original host[:port]
    server_name: str | None  #: for TLS: the original host name (None for an address literal)


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolves `url`'s host once and pins the request to the first address. Raises TargetRefused
    when private addresses are refused and any resolved address is not public (all are checked,
    so a name cannot mix a public address with a private one), TargetUnresolved when the name
    does not resolve."""
    parsed = httpx.URL(url)
    host = parsed.raw_host.decode("ascii")
    if not host or parsed.scheme not in ("http", "https"):
        raise TargetRefused(f"{url!r} is not an http(s) URL with a host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    try:
        found = [str(literal)] if literal is not None else _getaddrinfo(host, port)
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    except (OSError, UnicodeError, ValueError) as exc:
        raise TargetUnresolved(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise TargetUnresolved(f"cannot resolve {host}: no address")
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason:
                raise TargetRefused(f"{host} resolves to a non-public address: {reason}; refused")
    return Target(
        url=parsed.copy_with(host=str(addresses[0])),
        host_header=parsed.netloc.decode("ascii"),
        server_name=None if literal is not None else host,
    )


def check_subscription_url(url: str, *, allow_private: bool) -> str | None:
    """Why a subscription to `url` is refused (production: a target that is not public, or a host
    that does not resolve), or None."""
    if allow_private:
        return None
    try:
        resolve(url, allow_private=False)
    except (TargetRefused, TargetUnresolved) as exc:
        return str(exc)
    return None
