"""Webhook targets (SSRF): in production a receiver must be a public address. The host is resolved
once and the delivery connects to the checked address; NAT64, 6to4, Teredo and other addresses that
embed an IPv4 one are refused; a private target is refused when subscribing (422) and a delivery to
one fails at once instead of being retried."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security.scopes import Role
from api.types import utcnow
from api.webhooks import targets
from api.webhooks.delivery import DeliveryPolicy, deliver_pending
from tests.conftest import make_settings
from tests.evaluation.helpers import empty_catalogue
from tests.evaluation.test_webhooks import URL, Receiver, complete_a_measure, deliveries, subscribe

GUARDED = DeliveryPolicy(max_attempts=3, backoff_seconds=10, timeout_seconds=2, allow_private_addresses=False)
OPEN = DeliveryPolicy(max_attempts=3, backoff_seconds=10, timeout_seconds=2)
PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

REFUSED = [
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b::808:808",  # NAT64 of a public address: still a translator into IPv4
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:808:808::1",  # 6to4 of a public address
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",  # IPv4-mapped private
    "::7f00:1",
    "::ffff:0:7f00:1",  # IPv4-compatible, IPv4-translated
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "240.0.0.1",
    "192.0.0.8",
]


@pytest.fixture(autouse=True)
def _no_seeded_catalogue(db_engine):
    empty_catalogue(db_engine)


class FakeDNS:
    """Stands in for the resolver: answers each name (`_` for `.`) from `answers`, counting the
    questions. `rebind` gives a name's answer from its second question on, as a rebinding server
    would."""

    def __init__(self, monkeypatch, rebind: dict[str, list[str]] | None = None, **answers: list[str]):
        self.answers = {name.replace("_", "."): list(a) for name, a in answers.items()}
        self.rebind = rebind or {}
        self.asked: list[str] = []
        monkeypatch.setattr(targets, "_getaddrinfo", self)

    def __call__(self, host: str, port: int) -> list[str]:
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        answer = self.rebind.get(host) if host in self.asked and host in self.rebind else self.answers[host]
        self.asked.append(host)
        return answer


def url_for(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}/hook"


@pytest.mark.parametrize("address", REFUSED)
def test_refused_addresses(address):
    assert targets.refusal(ipaddress.ip_address(address)) is not None
    with pytest.raises(targets.TargetRefused):
        targets.resolve(url_for(address), allow_private=False)


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "::ffff:93.184.215.14", "8.8.8.8"])
def test_public_addresses_pass(address):
    assert targets.refusal(ipaddress.ip_address(address)) is None
    target = targets.resolve(url_for(address), allow_private=False)
    assert ipaddress.ip_address(target.url.host) == ipaddress.ip_address(address) and target.server_name is None


def test_a_name_is_refused_when_any_of_its_addresses_is_private(monkeypatch):
    FakeDNS(monkeypatch, mixed_example_org=[PUBLIC_V4, "10.0.0.1"], fine_example_org=[PUBLIC_V6, PUBLIC_V4])
    with pytest.raises(targets.TargetRefused, match=r"10\.0\.0\.1"):
        targets.resolve("https://mixed.example.org/hook", allow_private=False)
    target = targets.resolve("https://fine.example.org:8443/hook?x=1", allow_private=False)
    assert str(target.url) == f"https://[{PUBLIC_V6}]:8443/hook?x=1"
    assert (target.host_header, target.server_name) == ("fine.example.org:8443", "fine.example.org")


def test_nat64_target_fails_at_once_without_a_connection(client, world, session):
    """The issue's case: http://[64:ff9b::a9fe:a9fe]/ passed the filter and was connected to."""
    hook = subscribe(client, world, "http://[64:ff9b::a9fe:a9fe]/")  # allowed outside production
    complete_a_measure(client, world, session)
    sent: list[httpx.Request] = []
    recorder = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(204)))
    engine = client.app.state.engine
    now = utcnow()
    assert deliver_pending(engine, policy=GUARDED, now=now, client=recorder) == 1
    assert sent == []
    [delivery] = deliveries(client, world, hook)
    assert delivery["status"] == "failed" and delivery["attempts"] == 1 and delivery["next_attempt_at"] is None
    assert "NAT64" in delivery["last_error"] and delivery["last_error"].startswith("refused:")
    assert deliver_pending(engine, policy=GUARDED, now=now + timedelta(days=1), client=recorder) == 0  # no retry


def test_an_unresolvable_name_is_retried(client, world, session, monkeypatch):
    FakeDNS(monkeypatch)
    hook = subscribe(client, world, "https://gone.example.org/hook")
    complete_a_measure(client, world, session)
    assert deliver_pending(client.app.state.engine, policy=GUARDED) == 1
    [delivery] = deliveries(client, world, hook)
    assert delivery["status"] == "pending" and "cannot resolve gone.example.org" in delivery["last_error"]


def test_resolved_once_and_connected_to_that_address(client, world, session, monkeypatch):
    """DNS rebinding: the name is asked once and the connection goes to that answer (a second
    answer pointing elsewhere is never used); the receiver sees the name in Host."""
    with Receiver([204]) as receiver:
        port = receiver.server.server_address[1]
        dns = FakeDNS(monkeypatch, rebind={"hooks.example.test": ["10.9.9.9"]}, hooks_example_test=["127.0.0.1"])
        hook = subscribe(client, world, f"http://hooks.example.test:{port}/hooks/ciklas")
        complete_a_measure(client, world, session)
        assert deliver_pending(client.app.state.engine, policy=OPEN) == 1
    assert dns.asked == ["hooks.example.test"]
    assert len(receiver.requests) == 1
    assert receiver.requests[0][0]["host"] == f"hooks.example.test:{port}"
    assert deliveries(client, world, hook)[0]["status"] == "delivered"


@pytest.fixture
def production(database_url, signing_key_pem):
    app = create_app(
        make_settings(database_url, signing_key_pem, webhook_worker_interval_seconds=0).model_copy(
            update={"environment": "production"}
        )
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            yield c
    finally:
        app.state.engine.dispose()


def test_production_refuses_private_targets_when_subscribing(production, world, monkeypatch):
    FakeDNS(monkeypatch, internal_example_org=["10.0.0.5"], hooks_example_org=[PUBLIC_V4])
    director = world.headers(Role.director)
    for url in [
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest",
        "https://internal.example.org/hook",
        "http://[::ffff:127.0.0.1]/",
        "https://nowhere.example.org/",
    ]:
        r = production.post(URL, headers=director, json={"url": url, "events": ["plan.approved"]})
        assert r.status_code == 422, f"{url}: {r.status_code} {r.text}"
        assert r.json()["errors"][0]["field"] == "body.url", r.text
    assert production.get(URL, headers=director).json()["items"] == []
    r = production.post(URL, headers=director, json={"url": "https://hooks.example.org/h", "events": ["plan.approved"]})
    assert r.status_code == 201, r.text
    hook = r.json()
    r = production.patch(
        f"{URL}/{hook['id']}", headers={**director, "If-Match": '"1"'}, json={"url": "http://[2002:7f00:1::1]/"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "target_refused"
    r = production.patch(f"{URL}/{hook['id']}", headers={**director, "If-Match": '"1"'}, json={"description": "x"})
    assert r.status_code == 200
