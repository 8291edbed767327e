"""Proxies and plain-http hosts: ``Configuration.proxy``, ``HTTP_PROXY``/``HTTPS_PROXY``/
``NO_PROXY`` (ignored with ``trust_env=False``), and the one-time warning for a plain-http
host that is not loopback.

A tiny loopback forward proxy (``ForwardProxy``) relays absolute-URI requests and tunnels
``CONNECT``, counting both, so each test proves whether the call went through it.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from _faultserver import ForwardProxy, ScriptedServer

import persona
from persona.testing import ReferenceServer

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
BODY = persona.ForgotPasswordData(email="ann@example.com")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as p:
        yield p


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        yield srv


def call(host: str, **settings: Any) -> Any:
    config = persona.Configuration(host=host, timeout=5, max_retries=0, **settings)
    with persona.ApiClient(config) as client:
        return persona.AccountApi(client).account_forgot_pass_post(BODY)


def test_configuration_proxy_relays_the_call(proxy: ForwardProxy, server: ReferenceServer) -> None:
    assert call(server.url, proxy=proxy.url).success is True
    assert proxy.relayed == [f"POST {server.url}/account/forgotPass"]  # absolute URI
    assert server.request_count("/account/forgotPass") == 1
    assert len(server.outbox) == 1


def test_proxy_headers_go_to_the_proxy_only(proxy: ForwardProxy, server: ReferenceServer) -> None:
    call(server.url, proxy=proxy.url, proxy_headers={"Proxy-Authorization": "Basic dTpw"})
    assert proxy.proxy_headers[0].get("Proxy-Authorization") == "Basic dTpw"
    assert server.requests[0].header("Proxy-Authorization") is None  # not relayed


@pytest.mark.parametrize("name", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_http_proxy_from_the_environment(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, proxy.url)
    assert call(server.url).success is True
    assert len(proxy.relayed) == 1
    assert server.request_count() == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*", ".0.0.1"])
def test_no_proxy_bypasses_the_proxy(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    assert call(server.url).success is True
    assert proxy.relayed == []
    assert server.request_count() == 1


def test_no_proxy_for_another_host_keeps_the_proxy(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "internal.example.com")
    call(server.url)
    assert len(proxy.relayed) == 1


def test_trust_env_false_ignores_proxy_variables(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    assert call(server.url, trust_env=False).success is True
    assert proxy.relayed == []
    assert server.request_count() == 1


def test_explicit_proxy_wins_over_trust_env_false(
    proxy: ForwardProxy, server: ReferenceServer
) -> None:
    call(server.url, proxy=proxy.url, trust_env=False)
    assert len(proxy.relayed) == 1


def test_https_proxy_tunnels_tls_with_connect(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(ctx)
    with ScriptedServer(lambda conn, req: conn.respond(200, b'{"success": true}'), ctx) as srv:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # wrong one: must not be used
        result = call(srv.url("localhost"), ssl_ca_cert=str(ca_file))
    assert result.success is True
    assert proxy.tunnels == [f"localhost:{srv.port}"]
    assert proxy.relayed == []
    assert srv.handshakes == 1  # TLS end to end: the proxy saw only ciphertext
    assert len(srv.requests) == 1


def test_unreachable_proxy_is_a_connection_error(server: ReferenceServer) -> None:
    with ScriptedServer(lambda conn, req: None) as dead:
        url = dead.url().removesuffix("/v1")
    with pytest.raises(persona.ApiConnectionError) as info:
        call(server.url, proxy=url)
    assert info.value.__cause__ is not None
    assert server.request_count() == 0


# -- plain http --------------------------------------------------------------------------------
def warnings_about(caplog: pytest.LogCaptureFixture, host: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "persona" and r.levelno == logging.WARNING and host in r.getMessage()
    ]


def test_plain_http_to_a_remote_host_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="persona")
    host = "http://api.plain-http-warning.example:8080/v1"
    for _ in range(3):
        persona.ApiClient(persona.Configuration(host=host)).close()
    found = warnings_about(caplog, host)
    assert len(found) == 1
    assert "plain http" in found[0]
    assert "https" in found[0]


@pytest.mark.parametrize(
    "host",
    [
        "http://localhost:8080/v1",
        "http://127.0.0.1:8080/v1",
        "http://127.5.6.7:8080/v1",
        "http://[::1]:8080/v1",
        "http://api.localhost/v1",
        "https://api.example.com/v1",
    ],
)
def test_loopback_and_https_hosts_do_not_warn(caplog: pytest.LogCaptureFixture, host: str) -> None:
    caplog.set_level(logging.WARNING, logger="persona")
    persona.ApiClient(persona.Configuration(host=host)).close()
    assert warnings_about(caplog, host) == []
