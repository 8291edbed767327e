"""OpenTelemetry through the standard instrumentations (docs/Observability.md): a whole
password reset, sync and async, traced under an application span. Each attempt is one
client span, child of the application's span; the server receives that span's
``traceparent``; the spans carry the statuses; and no password, code or token appears in
any span's name, attributes or events. Against the reference server over loopback.

Needs test-requirements-otel.txt (CI installs it); skipped, saying so, without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

REASON = "needs OpenTelemetry: pip install -r test-requirements-otel.txt"
pytest.importorskip("opentelemetry.sdk.trace", reason=REASON)
urllib3_instrumentation = pytest.importorskip(
    "opentelemetry.instrumentation.urllib3", reason=REASON
)
aiohttp_instrumentation = pytest.importorskip(
    "opentelemetry.instrumentation.aiohttp_client", reason=REASON
)

import aiohttp  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, Tracer  # noqa: E402

import persona  # noqa: E402
from persona.testing import ReferenceServer  # noqa: E402
from persona.testing.recording import RecordedRequest  # noqa: E402

EMAIL, OLD_PASSWORD, NEW_PASSWORD = "ann@example.com", "old-pass-1", "new-pass-123456"


class Traces:
    """A tracer provider of the test's own (the global one is left alone) and its spans."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.tracer: Tracer = self.provider.get_tracer("test")

    def spans(self) -> tuple[list[ReadableSpan], ReadableSpan]:
        """The client spans, oldest first, and the application's span (the last to end)."""
        *calls, app = self.exporter.get_finished_spans()
        return list(calls), app


@pytest.fixture
def traces() -> Traces:
    return Traces()


@pytest.fixture
def urllib3_traced(traces: Traces) -> Iterator[Traces]:
    instrumentor = urllib3_instrumentation.URLLib3Instrumentor()
    instrumentor.instrument(tracer_provider=traces.provider)
    try:
        yield traces
    finally:
        instrumentor.uninstrument()


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer({EMAIL: OLD_PASSWORD}, outbox="") as srv:
        yield srv


def status_of(span: ReadableSpan) -> Any:
    attributes = span.attributes or {}
    return attributes.get("http.status_code", attributes.get("http.response.status_code"))


def check(
    traces: Traces, received: list[RecordedRequest], statuses: list[int], secrets: list[str]
) -> None:
    calls, app = traces.spans()
    assert app.name == "reset-password"
    assert app.parent is None
    assert [status_of(span) for span in calls] == statuses
    assert len(received) == len(calls)
    for span, request in zip(calls, received):
        assert span.kind is SpanKind.CLIENT
        assert span.parent is not None
        assert span.parent.span_id == app.context.span_id  # a child of the app's span
        assert span.context.trace_id == app.context.trace_id
        flags = f"{span.context.trace_flags:02x}"
        traceparent = f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-{flags}"
        assert request.header("traceparent") == traceparent  # what the server received
    everything = repr(
        [
            (
                s.name,
                dict(s.attributes or {}),
                [(e.name, dict(e.attributes or {})) for e in s.events],
            )
            for s in (*calls, app)
        ]
    )
    assert "/v1/account/" in everything  # the URLs are there; the secrets are not
    for secret in secrets:
        assert secret not in everything, secret


def reset_password(api: persona.AccountApi, server: ReferenceServer, tracer: Tracer) -> list[str]:
    with tracer.start_as_current_span("reset-password"):
        api.account_forgot_pass_post(persona.ForgotPasswordData(email=EMAIL))
        code = server.last_code(EMAIL)
        assert code
        token = api.account_code_for_token_post(
            persona.CodeForTokenData(email=EMAIL, code=code)
        ).token
        api.account_reset_forgotten_password_post(
            persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD)
        )
    return [code, token, NEW_PASSWORD, OLD_PASSWORD]


async def reset_password_async(
    api: persona.AsyncAccountApi, server: ReferenceServer, tracer: Tracer
) -> list[str]:
    with tracer.start_as_current_span("reset-password"):
        await api.account_forgot_pass_post(persona.ForgotPasswordData(email=EMAIL))
        code = server.last_code(EMAIL)
        assert code
        reply = await api.account_code_for_token_post(
            persona.CodeForTokenData(email=EMAIL, code=code)
        )
        await api.account_reset_forgotten_password_post(
            persona.UpdatePasswordData(token=reply.token, new_password=NEW_PASSWORD)
        )
    return [code, reply.token, NEW_PASSWORD, OLD_PASSWORD]


# -- the sync client: opentelemetry-instrumentation-urllib3 ------------------------------
def test_a_sync_reset_is_traced_one_span_per_attempt_without_a_secret(
    urllib3_traced: Traces, server: ReferenceServer
) -> None:
    server.inject_fault("status:503", retry_after=0)  # the first attempt: retried
    config = persona.Configuration(host=server.url, backoff_base=0.01)
    with persona.ApiClient(config) as client:
        secrets = reset_password(persona.AccountApi(client), server, urllib3_traced.tracer)
    check(urllib3_traced, server.requests, [503, 200, 200, 200], secrets)
    assert server.check_password(EMAIL, NEW_PASSWORD)


def test_an_async_req_call_s_span_is_a_child_of_the_callers(
    urllib3_traced: Traces, server: ReferenceServer
) -> None:
    with persona.ApiClient(persona.Configuration(host=server.url)) as client:
        api = persona.AccountApi(client)
        with urllib3_traced.tracer.start_as_current_span("reset-password"):
            result = api.account_forgot_pass_post(
                persona.ForgotPasswordData(email=EMAIL), async_req=True
            )
            assert result.get(timeout=10).success is True
    check(urllib3_traced, server.requests, [200], [OLD_PASSWORD])


# -- the async client: opentelemetry-instrumentation-aiohttp-client ----------------------
@pytest.mark.asyncio
async def test_an_async_reset_on_persona_s_own_session_is_traced_without_a_secret(
    traces: Traces, server: ReferenceServer
) -> None:
    instrumentor = aiohttp_instrumentation.AioHttpClientInstrumentor()
    instrumentor.instrument(tracer_provider=traces.provider)  # sessions made from now on
    try:
        async with persona.AsyncApiClient(persona.Configuration(host=server.url)) as client:
            api = persona.AsyncAccountApi(client)
            secrets = await reset_password_async(api, server, traces.tracer)
    finally:
        instrumentor.uninstrument()
    check(traces, server.requests, [200, 200, 200], secrets)


@pytest.mark.asyncio
async def test_an_async_reset_through_the_application_s_session_is_traced(
    traces: Traces, server: ReferenceServer
) -> None:
    trace_config = aiohttp_instrumentation.create_trace_config(tracer_provider=traces.provider)
    server.inject_fault("status:503", retry_after=0)
    config = persona.Configuration(host=server.url, backoff_base=0.01)
    async with (
        aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), trace_configs=[trace_config]
        ) as session,
        persona.AsyncApiClient(config, session=session) as client,
    ):
        api = persona.AsyncAccountApi(client)
        secrets = await asyncio.wait_for(
            reset_password_async(api, server, traces.tracer), timeout=30
        )
    check(traces, server.requests, [503, 200, 200, 200], secrets)
