"""TLS: verification on by default, custom CAs, host names, client certificates.

A loopback TLS server (``ScriptedServer`` with an ``ssl.SSLContext``) presents a
certificate from a throwaway trustme CA. It counts connections and handshakes
server-side, which is how the suite proves that TLS failures are not retried.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import urllib3
from _faultserver import Conn, Request, ScriptedServer

import persona

OK = b'{"success": true}'
BODY = persona.ForgotPasswordData(email="ann@example.com")
FAST: dict[str, Any] = {"timeout": 2, "backoff_base": 0.01, "backoff_max": 0.05, "deadline": 10}


def answer(conn: Conn, req: Request) -> None:
    conn.respond(200, OK)


def server_context(ca: trustme.CA, *names: str, client_ca: bool = False) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(ctx)
    return ctx


@contextlib.contextmanager
def tls_server(ctx: ssl.SSLContext) -> Iterator[ScriptedServer]:
    with ScriptedServer(answer, ssl_context=ctx) as srv:
        yield srv


def call(host: str, **settings: Any) -> Any:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    with persona.ApiClient(config) as client:
        return persona.AccountApi(client).account_forgot_pass_post(BODY)


def test_verified_with_ssl_ca_cert(ca: trustme.CA, ca_file: str) -> None:
    with tls_server(server_context(ca, "localhost")) as srv:
        assert call(srv.url("localhost"), ssl_ca_cert=ca_file).success is True
    assert srv.handshakes == 1
    assert len(srv.requests) == 1


def test_ca_bundle_from_persona_ca_bundle_env(
    ca: trustme.CA, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONA_CA_BUNDLE", ca_file)
    with tls_server(server_context(ca, "localhost")) as srv:
        assert call(srv.url("localhost")).success is True


def test_default_ca_bundle_refuses_an_unknown_ca_and_does_not_retry(ca: trustme.CA) -> None:
    with (
        tls_server(server_context(ca, "localhost")) as srv,
        pytest.raises(persona.ApiTLSError) as info,
    ):
        call(srv.url("localhost"))  # certifi's bundle does not know the trustme CA
    exc = info.value
    assert isinstance(exc, persona.ApiConnectionError)
    assert exc.status == 0
    assert isinstance(exc.__cause__, urllib3.exceptions.SSLError)
    assert "certificate verify failed" in str(exc)
    assert srv.connections == 1  # max_retries=2, yet one attempt: TLS failures are final
    assert srv.handshakes == 0
    assert srv.requests == []


def test_wrong_host_name_is_refused_and_not_retried(ca: trustme.CA, ca_file: str) -> None:
    with (
        tls_server(server_context(ca, "api.example.com")) as srv,
        pytest.raises(persona.ApiTLSError) as info,
    ):
        call(srv.url("127.0.0.1"), ssl_ca_cert=ca_file)
    assert "127.0.0.1" in str(info.value)  # the name that did not match is named
    assert info.value.__cause__ is not None
    assert srv.connections == 1
    assert srv.requests == []


def test_assert_hostname_checks_another_name(ca: trustme.CA, ca_file: str) -> None:
    with tls_server(server_context(ca, "api.example.com")) as srv:
        url = srv.url("127.0.0.1")
        ok = call(url, ssl_ca_cert=ca_file, assert_hostname="api.example.com")
        assert ok.success is True
        with pytest.raises(persona.ApiTLSError):
            call(url, ssl_ca_cert=ca_file, assert_hostname="other.example.com")


def test_verify_ssl_false_skips_verification(ca: trustme.CA) -> None:
    with (
        tls_server(server_context(ca, "api.example.com")) as srv,
        pytest.warns(urllib3.exceptions.InsecureRequestWarning),
    ):
        assert call(srv.url("127.0.0.1"), verify_ssl=False).success is True


def test_client_certificate_required_and_sent(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    client = ca.issue_cert("client.example.com")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert_file))
    client.private_key_pem.write_to_path(str(key_file))
    with tls_server(server_context(ca, "localhost", client_ca=True)) as srv:
        result = call(
            srv.url("localhost"),
            ssl_ca_cert=ca_file,
            cert_file=str(cert_file),
            key_file=str(key_file),
        )
    assert result.success is True
    assert srv.handshakes == 1
    assert srv.tls_failures == []


def test_client_certificate_required_and_not_sent_fails(ca: trustme.CA, ca_file: str) -> None:
    with (
        tls_server(server_context(ca, "localhost", client_ca=True)) as srv,
        pytest.raises(persona.ApiConnectionError) as info,
    ):
        call(srv.url("localhost"), ssl_ca_cert=ca_file)
    assert info.value.__cause__ is not None
    if isinstance(info.value, persona.ApiTLSError):  # the usual outcome (TLS 1.3 alert)
        assert srv.connections == 1  # not retried
    else:  # the alert lost a race with a write: a plain connection failure, retried
        assert srv.connections == 3
    assert srv.handshakes == 0  # the server refused every handshake
    assert srv.tls_failures
    assert srv.requests == []


def test_tls_settings_are_not_used_for_plain_http(ca_file: str) -> None:
    # ssl_ca_cert etc. only matter for https hosts; a loopback http host just works.
    with ScriptedServer(answer) as srv:
        assert call(srv.url(), ssl_ca_cert=ca_file).success is True


def test_tls_server_name_sets_sni_and_the_checked_name(ca: trustme.CA, ca_file: str) -> None:
    ctx = server_context(ca, "api.example.com")
    sni: list[str | None] = []
    ctx.sni_callback = lambda sock, name, context: sni.append(name)  # type: ignore[assignment]
    with tls_server(ctx) as srv:
        url = srv.url("127.0.0.1")
        ok = call(url, ssl_ca_cert=ca_file, tls_server_name="api.example.com")
    assert ok.success is True
    assert sni == ["api.example.com"]
