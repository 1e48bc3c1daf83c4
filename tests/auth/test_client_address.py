"""The client-address rule: the peer, unless it is a trusted proxy; then the right-most
X-Forwarded-For entry that is not one. (Through HTTP: tests/auth/test_signin_throttle.py.)"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.client_address import resolve
from api.config import Settings

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # an untrusted peer is the client, whatever it forwards
        ("203.0.113.9", ["1.2.3.4"], [], "203.0.113.9"),
        ("203.0.113.9", ["1.2.3.4"], PROXIES, "203.0.113.9"),
        # a trusted proxy: the right-most entry that is not a trusted proxy
        ("10.0.0.2", ["1.2.3.4, 198.51.100.7"], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["198.51.100.7, 10.0.0.3"], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["1.1.1.1", "198.51.100.7"], PROXIES, "198.51.100.7"),  # several header lines
        ("10.0.0.2", ["garbage, 198.51.100.7"], PROXIES, "198.51.100.7"),  # what the client wrote is not read
        ("10.0.0.2", ["198.51.100.7, "], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["198.51.100.7:4711"], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["[2001:db8::1]:443"], PROXIES, "2001:db8::1"),
        ("2001:db8:ffff::9", ["2001:DB8:0:0::1"], PROXIES, "2001:db8::1"),
        ("::ffff:10.0.0.2", ["::ffff:198.51.100.7"], PROXIES, "198.51.100.7"),
        # a trusted proxy without a forwarded client, or with only proxies: the left-most proxy
        ("10.0.0.2", [], PROXIES, "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.5, 10.0.0.3"], PROXIES, "10.0.0.5"),
        # an entry that is no address ends the walk at the last proxy that could be trusted
        ("10.0.0.2", ["198.51.100.7, unknown"], PROXIES, "10.0.0.2"),
        # a peer that is no IP address is taken as it is and never trusted
        ("testclient", ["1.2.3.4"], PROXIES, "testclient"),
        # a Unix-socket peer (no address) is trusted only when `unix` is listed
        (None, ["198.51.100.7"], ["unix"], "198.51.100.7"),
        (None, ["198.51.100.7"], PROXIES, "unknown"),
        (None, [], ["unix"], "unknown"),
    ],
)
def test_resolve(peer, forwarded, trusted, expected):
    assert resolve(peer, forwarded, trusted) == expected


def test_trusted_proxies_setting(monkeypatch):
    monkeypatch.setenv("CIKLAS_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.5,unix")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "192.168.1.5/32", "unix"]
    monkeypatch.setenv("CIKLAS_TRUSTED_PROXIES", '["::1", "2001:db8::/32"]')
    assert Settings().trusted_proxies == ["::1/128", "2001:db8::/32"]
    monkeypatch.setenv("CIKLAS_TRUSTED_PROXIES", "nginx")
    with pytest.raises(ValidationError, match="not an IP address or CIDR network"):
        Settings()
    monkeypatch.delenv("CIKLAS_TRUSTED_PROXIES")
    assert Settings().trusted_proxies == []
