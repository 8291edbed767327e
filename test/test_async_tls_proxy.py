"""TLS and proxies through the async client, against the loopback servers of
``test_tls.py`` and ``test_proxy.py``: certifi by default, ``ssl_ca_cert``, host-name
checks, ``verify_ssl=False``, client certificates, SNI; ``Configuration.proxy``, the
proxy variables (resolved once per client, ignored with ``trust_env=False``) and
``CONNECT`` tunnels for https.
"""

from __future__ import annotations

import contextlib
import gc
import ssl
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import trustme
from _faultserver import ForwardProxy, ScriptedServer
from test_proxy import PROXY_VARS
from test_tls import FAST, answer, server_context, tls_server

import persona
from persona.testing import ReferenceServer
from persona.transports import aiohttp_transport

pytestmark = pytest.mark.asyncio
BODY = persona.ForgotPasswordData(email="ann@example.com")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy() -> Any:
    with ForwardProxy() as p:
        yield p


@pytest.fixture
def server() -> Any:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        yield srv


async def call(host: str, **settings: Any) -> Any:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    async with persona.AsyncApiClient(config) as client:
        return await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)


# -- TLS ------------------------------------------------------------------------------------
async def test_verified_with_ssl_ca_cert(ca: trustme.CA, ca_file: str) -> None:
    with tls_server(server_context(ca, "localhost")) as srv:
        assert (await call(srv.url("localhost"), ssl_ca_cert=ca_file)).success is True
    assert srv.handshakes == 1


async def test_default_ca_bundle_refuses_an_unknown_ca_and_does_not_retry(ca: trustme.CA) -> None:
    with (
        tls_server(server_context(ca, "localhost")) as srv,
        pytest.raises(persona.ApiTLSError) as info,
    ):
        await call(srv.url("localhost"))  # certifi does not know the trustme CA
    assert "certificate verify failed" in str(info.value)
    assert info.value.__cause__ is not None
    assert srv.connections == 1  # TLS failures are final
    assert srv.requests == []


async def test_wrong_host_name_is_refused_and_not_retried(ca: trustme.CA, ca_file: str) -> None:
    with (
        tls_server(server_context(ca, "api.example.com")) as srv,
        pytest.raises(persona.ApiTLSError),
    ):
        await call(srv.url("127.0.0.1"), ssl_ca_cert=ca_file)
    assert srv.connections == 1
    assert srv.requests == []


async def test_assert_hostname_checks_another_name(ca: trustme.CA, ca_file: str) -> None:
    with tls_server(server_context(ca, "api.example.com")) as srv:
        url = srv.url("127.0.0.1")
        ok = await call(url, ssl_ca_cert=ca_file, assert_hostname="api.example.com")
        assert ok.success is True
        with pytest.raises(persona.ApiTLSError):
            await call(url, ssl_ca_cert=ca_file, assert_hostname="other.example.com")


async def test_assert_hostname_false_still_verifies_the_chain(ca: trustme.CA, ca_file: str) -> None:
    with tls_server(server_context(ca, "api.example.com")) as srv:
        url = srv.url("127.0.0.1")
        assert (await call(url, ssl_ca_cert=ca_file, assert_hostname=False)).success is True
        with pytest.raises(persona.ApiTLSError):
            await call(url, assert_hostname=False)  # certifi: unknown CA


async def test_verify_ssl_false_skips_verification(ca: trustme.CA) -> None:
    with tls_server(server_context(ca, "api.example.com")) as srv:
        assert (await call(srv.url("127.0.0.1"), verify_ssl=False)).success is True


async def test_client_certificate_required_and_sent(
    ca: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    client = ca.issue_cert("client.example.com")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert_file))
    client.private_key_pem.write_to_path(str(key_file))
    with tls_server(server_context(ca, "localhost", client_ca=True)) as srv:
        result = await call(
            srv.url("localhost"),
            ssl_ca_cert=ca_file,
            cert_file=str(cert_file),
            key_file=str(key_file),
        )
    assert result.success is True
    assert srv.tls_failures == []


async def test_client_certificate_required_and_not_sent_fails(ca: trustme.CA, ca_file: str) -> None:
    with contextlib.ExitStack() as stack:
        if sys.version_info < (3, 11):
            # Before 3.11, asyncio's TLS transport closes the socket on a fatal alert but
            # never marks its wrapper closed, which then warns when it is freed (CPython's
            # sslproto, rewritten in 3.11). Not a leak: the socket is closed.
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore", ResourceWarning)
        with (
            tls_server(server_context(ca, "localhost", client_ca=True)) as srv,
            pytest.raises(persona.ApiConnectionError) as info,
        ):
            await call(srv.url("localhost"), ssl_ca_cert=ca_file)
        gc.collect()
    assert info.value.__cause__ is not None
    assert srv.handshakes == 0
    assert srv.requests == []


async def test_tls_server_name_sets_sni_and_the_checked_name(ca: trustme.CA, ca_file: str) -> None:
    ctx = server_context(ca, "api.example.com")
    sni: list[str | None] = []
    ctx.sni_callback = lambda sock, name, context: sni.append(name)  # type: ignore[assignment]
    with tls_server(ctx) as srv:
        ok = await call(
            srv.url("127.0.0.1"), ssl_ca_cert=ca_file, tls_server_name="api.example.com"
        )
    assert ok.success is True
    assert sni == ["api.example.com"]


async def test_tls_settings_are_not_used_for_plain_http(ca_file: str) -> None:
    with ScriptedServer(answer) as srv:
        assert (await call(srv.url(), ssl_ca_cert=ca_file)).success is True


# -- proxies ----------------------------------------------------------------------------------
async def test_configuration_proxy_relays_the_call(
    proxy: ForwardProxy, server: ReferenceServer
) -> None:
    assert (await call(server.url, proxy=proxy.url)).success is True
    assert proxy.relayed == [f"POST {server.url}/account/forgotPass"]
    assert server.request_count("/account/forgotPass") == 1


async def test_proxy_headers_go_to_the_proxy_only(
    proxy: ForwardProxy, server: ReferenceServer
) -> None:
    await call(server.url, proxy=proxy.url, proxy_headers={"Proxy-Authorization": "Basic dTpw"})
    assert proxy.proxy_headers[0].get("Proxy-Authorization") == "Basic dTpw"
    assert server.requests[0].header("Proxy-Authorization") is None


async def test_proxy_headers_go_in_the_connect_of_an_https_tunnel(
    proxy: ForwardProxy, ca: trustme.CA, ca_file: str
) -> None:
    with tls_server(server_context(ca, "localhost")) as srv:
        await call(
            srv.url("localhost"),
            ssl_ca_cert=ca_file,
            proxy=proxy.url,
            proxy_headers={"Proxy-Authorization": "Basic dTpw"},
        )
    assert proxy.tunnels == [f"localhost:{srv.port}"]
    assert proxy.proxy_headers[0].get("Proxy-Authorization") == "Basic dTpw"
    assert srv.requests[0].header("Proxy-Authorization") is None


@pytest.mark.parametrize("name", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_http_proxy_from_the_environment(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, proxy.url)
    assert (await call(server.url)).success is True
    assert len(proxy.relayed) == 1


async def test_no_proxy_bypasses_the_proxy(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert (await call(server.url)).success is True
    assert proxy.relayed == []


async def test_trust_env_false_ignores_proxy_variables(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    assert (await call(server.url, trust_env=False)).success is True
    assert proxy.relayed == []
    assert server.request_count() == 1


async def test_environment_proxy_is_resolved_once_per_client(
    proxy: ForwardProxy, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    looked_up: list[str] = []
    real = aiohttp_transport._proxy_from_environment

    def counting(url: str) -> Any:
        looked_up.append(url)
        return real(url)

    monkeypatch.setattr(aiohttp_transport, "_proxy_from_environment", counting)
    config = persona.Configuration(host=server.url, **FAST)
    async with persona.AsyncApiClient(config) as client:
        api = persona.AsyncAccountApi(client)
        for _ in range(5):
            await api.account_forgot_pass_post(BODY)
    assert looked_up == [server.url]
    assert len(proxy.relayed) == 5


async def test_https_proxy_tunnels_tls_with_connect(
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
        result = await call(srv.url("localhost"), ssl_ca_cert=str(ca_file))
    assert result.success is True
    assert proxy.tunnels == [f"localhost:{srv.port}"]
    assert srv.handshakes == 1


async def test_unreachable_proxy_is_a_connection_error(server: ReferenceServer) -> None:
    with ScriptedServer(lambda conn, req: None) as dead:
        url = dead.url().removesuffix("/v1")
    with pytest.raises(persona.ApiConnectionError) as info:
        await call(server.url, proxy=url, max_retries=0)
    assert "proxy" in str(info.value)
    assert info.value.__cause__ is not None
    assert server.request_count() == 0


async def test_an_unreadable_ca_bundle_is_a_tls_error_for_an_https_host(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-ca.pem")
    with pytest.raises(persona.ApiTLSError, match="cannot load the TLS settings"):
        await call("https://127.0.0.1:9/v1", ssl_ca_cert=missing)
