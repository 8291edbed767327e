"""Configuration: defaults, environment overrides, validation, the shared default and
the debug switch (which touches only the ``persona`` logger)."""

from __future__ import annotations

import http.client
import logging
from typing import Any

import pytest

import persona
from persona import ApiValueError, Configuration
from persona._version import __version__
from persona.retries import RetryPolicy


def test_defaults() -> None:
    config = Configuration()
    assert config.host == "http://localhost:8080/v1"
    assert config.timeout == (10.0, 30.0)
    assert config.deadline == 120.0
    assert config.max_retries == 2
    assert config.verify_ssl is True
    assert config.ssl_ca_cert is None
    assert config.proxy is None
    assert config.connection_pool_maxsize == 16
    assert config.max_response_bytes == 1024 * 1024
    import platform

    assert config.user_agent == (
        f"persona-python/{__version__} Python/{platform.python_version()} "
        f"{platform.system()}/{platform.machine()}"
    )
    assert config.client_side_validation is True
    assert config.debug is False


@pytest.mark.parametrize(
    ("name", "value", "attribute", "expected"),
    [
        ("PERSONA_HOST", "https://api.example.com/v1/", "host", "https://api.example.com/v1"),
        ("PERSONA_TIMEOUT", "2.5", "timeout", (2.5, 2.5)),
        ("PERSONA_DEADLINE", " 7 ", "deadline", 7.0),
        ("PERSONA_MAX_RETRIES", "0", "max_retries", 0),
        ("PERSONA_MAX_RETRIES", "5", "max_retries", 5),
        ("PERSONA_CA_BUNDLE", "/etc/ca.pem", "ssl_ca_cert", "/etc/ca.pem"),
        ("PERSONA_LOG", "debug", "debug", True),
        ("PERSONA_LOG", "DEBUG", "debug", True),
        ("PERSONA_LOG", "info", "debug", False),
    ],
)
def test_environment_overrides_the_default(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, attribute: str, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert getattr(Configuration(), attribute) == expected


@pytest.mark.parametrize("name", ["PERSONA_HOST", "PERSONA_TIMEOUT", "PERSONA_DEADLINE"])
def test_blank_environment_variable_means_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "   ")
    config = Configuration()
    assert (config.host, config.timeout, config.deadline) == (
        "http://localhost:8080/v1",
        (10.0, 30.0),
        120.0,
    )


def test_explicit_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONA_HOST", "http://env.example/v1")
    monkeypatch.setenv("PERSONA_TIMEOUT", "99")
    monkeypatch.setenv("PERSONA_DEADLINE", "99")
    monkeypatch.setenv("PERSONA_MAX_RETRIES", "9")
    monkeypatch.setenv("PERSONA_CA_BUNDLE", "/env/ca.pem")
    monkeypatch.setenv("PERSONA_LOG", "debug")
    config = Configuration(
        "http://arg.example/v1",
        timeout=(1, 2),
        deadline=3,
        max_retries=1,
        ssl_ca_cert="/arg/ca.pem",
        debug=False,
    )
    assert config.host == "http://arg.example/v1"
    assert config.timeout == (1.0, 2.0)
    assert config.deadline == 3.0
    assert config.max_retries == 1
    assert config.ssl_ca_cert == "/arg/ca.pem"
    assert config.debug is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PERSONA_TIMEOUT", "soon"),
        ("PERSONA_TIMEOUT", "0"),
        ("PERSONA_TIMEOUT", "-1"),
        ("PERSONA_TIMEOUT", "nan"),
        ("PERSONA_TIMEOUT", "inf"),
        ("PERSONA_DEADLINE", "later"),
        ("PERSONA_DEADLINE", "0"),
        ("PERSONA_DEADLINE", "-5"),
        ("PERSONA_DEADLINE", "nan"),
        ("PERSONA_MAX_RETRIES", "many"),
        ("PERSONA_MAX_RETRIES", "-1"),
        ("PERSONA_MAX_RETRIES", "1.5"),
        ("PERSONA_MAX_RETRIES", "inf"),
        ("PERSONA_MAX_RETRIES", "nan"),
        ("PERSONA_HOST", "localhost:8080"),
        ("PERSONA_HOST", "ftp://example.com/v1"),
    ],
)
def test_invalid_environment_value_is_an_api_value_error_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    setting = name.removeprefix("PERSONA_").lower()
    with pytest.raises(ApiValueError) as info:
        Configuration()
    message = str(info.value)
    assert setting in message.lower() or name in message, message


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"host": "not a url"}, "host"),
        ({"host": "http:///v1"}, "host"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": (1, 0)}, "timeout[1]"),
        ({"timeout": (0, 1)}, "timeout[0]"),
        ({"timeout": (1, 2, 3)}, "timeout"),
        ({"timeout": "10"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"deadline": 0}, "deadline"),
        ({"deadline": "1"}, "deadline"),
        ({"deadline": float("nan")}, "deadline"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.0}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"backoff_base": -0.1}, "backoff_base"),
        ({"backoff_max": float("inf")}, "backoff_max"),
        ({"max_retry_after": -1}, "max_retry_after"),
        ({"connection_pool_maxsize": 0}, "connection_pool_maxsize"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
    ],
)
def test_invalid_argument_is_an_api_value_error_naming_the_setting(
    kwargs: dict[str, object], setting: str
) -> None:
    with pytest.raises(ApiValueError) as info:
        Configuration(**kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(setting), str(info.value)
    assert isinstance(info.value, ValueError)


def test_host_loses_its_trailing_slash_and_can_be_reassigned() -> None:
    config = Configuration("https://api.example.com/v1///")
    assert config.host == "https://api.example.com/v1"
    config.host = "http://127.0.0.1:9/v1"
    assert config.host == "http://127.0.0.1:9/v1"
    with pytest.raises(ApiValueError, match="host"):
        config.host = "127.0.0.1"
    assert config.host == "http://127.0.0.1:9/v1"


def test_timeout_accepts_a_number_or_a_pair_and_is_stored_as_a_pair() -> None:
    config = Configuration(timeout=4)
    assert config.timeout == (4.0, 4.0)
    config.timeout = [1, 2.5]
    assert config.timeout == (1.0, 2.5)


def test_zero_backoff_is_allowed() -> None:
    config = Configuration(backoff_base=0, backoff_max=0, max_retry_after=0)
    assert (config.backoff_base, config.backoff_max, config.max_retry_after) == (0, 0, 0)


def test_retry_policy_reflects_the_settings() -> None:
    policy = Configuration(max_retries=4, backoff_base=0.1, backoff_max=2, max_retry_after=5)
    assert isinstance(policy.retry_policy, RetryPolicy)
    got = policy.retry_policy
    assert (got.max_retries, got.backoff_base, got.backoff_max, got.max_retry_after) == (
        4,
        0.1,
        2.0,
        5.0,
    )


def test_user_agent_can_be_replaced() -> None:
    assert Configuration(user_agent="my-app/2").user_agent == "my-app/2"


def test_get_default_is_created_once_and_shared() -> None:
    Configuration.set_default(None)
    first = Configuration.get_default()
    assert Configuration.get_default() is first


def test_set_default_replaces_and_none_resets() -> None:
    mine = Configuration("http://127.0.0.1:1/v1")
    Configuration.set_default(mine)
    assert Configuration.get_default() is mine
    Configuration.set_default(None)
    fresh = Configuration.get_default()
    assert fresh is not mine
    assert fresh.host == "http://localhost:8080/v1"


def test_get_default_reads_the_environment_when_first_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Configuration.set_default(None)
    monkeypatch.setenv("PERSONA_HOST", "http://127.0.0.1:7/v1")
    assert Configuration.get_default().host == "http://127.0.0.1:7/v1"


def test_get_default_copy_is_an_independent_copy() -> None:
    Configuration.set_default(Configuration("http://127.0.0.1:1/v1"))
    copy = Configuration.get_default_copy()
    assert copy is not Configuration.get_default()
    assert copy.host == "http://127.0.0.1:1/v1"
    copy.host = "http://127.0.0.1:2/v1"
    assert Configuration.get_default().host == "http://127.0.0.1:1/v1"


def test_repr_shows_the_main_settings() -> None:
    text = repr(Configuration("http://127.0.0.1:1/v1", timeout=3))
    assert text.startswith("Configuration(host='http://127.0.0.1:1/v1', timeout=(3.0, 3.0)")
    assert "max_retries=2" in text


def test_debug_report_names_versions() -> None:
    report = Configuration().to_debug_report()
    assert f"SDK Package Version: {__version__}" in report
    assert "urllib3 Version: 2." in report


def _logging_state() -> tuple[object, ...]:
    persona_logger = logging.getLogger("persona")
    return (
        persona_logger.level,
        tuple(persona_logger.handlers),
        logging.getLogger("urllib3").level,
        logging.getLogger().level,
        tuple(logging.getLogger().handlers),
        http.client.HTTPConnection.debuglevel,
    )


def test_debug_changes_no_process_wide_logging_state() -> None:
    before = _logging_state()
    config = Configuration(debug=True)
    assert config.debug is True
    config.debug = False
    Configuration(debug=False)
    assert _logging_state() == before


def test_persona_log_debug_sets_debug_without_touching_loggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _logging_state()
    monkeypatch.setenv("PERSONA_LOG", "debug")
    assert Configuration().debug is True
    assert _logging_state() == before


def test_debug_client_logs_its_calls_to_stderr_masked_and_others_stay_quiet(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from persona.testing import ReferenceServer

    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        loud = persona_api(Configuration(srv.url, debug=True))
        quiet = persona_api(Configuration(srv.url))
        quiet.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
        assert capfd.readouterr().err == ""
        loud.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
        code = srv.last_code("ann@example.com")
        assert code is not None
        token = loud.account_code_for_token_post(
            persona.CodeForTokenData(email="ann@example.com", code=code)
        ).token
        err = capfd.readouterr().err
    assert "DEBUG persona: request POST" in err
    assert "-> 200" in err
    assert code not in err
    assert token is not None
    assert token not in err
    loud.api_client.close()
    quiet.api_client.close()


def persona_api(config: Configuration) -> persona.AccountApi:
    return persona.AccountApi(persona.ApiClient(config))


def test_leaving_debug_unset_does_not_change_logging_the_application_set() -> None:
    persona_logger = logging.getLogger("persona")
    persona_logger.setLevel(logging.DEBUG)
    Configuration()
    assert persona_logger.level == logging.DEBUG


def test_repr_masks_the_password_of_a_proxy_url() -> None:
    config = Configuration(proxy="http://bob:s3cret-proxy-pw@proxy.internal:3128")
    shown = repr(config)
    assert "s3cret-proxy-pw" not in shown
    assert "http://bob:***@proxy.internal:3128" in shown


def test_host_with_credentials_is_refused() -> None:
    with pytest.raises(ApiValueError, match="user name or password") as refused:
        Configuration(host="https://ann:hunter2-pw@api.example.com/v1")
    assert "hunter2-pw" not in str(refused.value)


@pytest.mark.parametrize(
    "host",
    [
        "https://deploy:s3cr3t-pw@/v1",  # no host name: still refused for the password first
        "deploy:s3cr3t-pw@api.example.com/v1",  # no scheme
        "https://deploy:s3cr3t-pw@api.example.com/v1",
    ],
)
def test_a_password_in_the_host_is_never_echoed(host: str) -> None:
    with pytest.raises(ApiValueError) as refused:
        Configuration(host=host)
    assert "s3cr3t-pw" not in str(refused.value)
    assert "user name or password" in str(refused.value)


def test_an_at_sign_after_the_host_is_not_user_info() -> None:
    assert Configuration(host="https://api.example.com/v1?via=a@b").host.endswith("a@b")


# -- a Configuration cannot lie -----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "close"),
    [("timout", "timeout"), ("hots", "host"), ("max_retry", "max_retries"), ("access_token", None)],
)
def test_unknown_setting_is_refused_naming_the_close_match(name: str, close: object) -> None:
    config = Configuration()
    with pytest.raises(AttributeError) as refused:
        setattr(config, name, 1)
    assert repr(name) in str(refused.value)
    if close:
        assert f"did you mean {close!r}" in str(refused.value)
    assert not hasattr(config, name)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeout", 1e10),
        ("deadline", float("nan")),
        ("deadline", 10**12),
        ("verify_ssl", "yes"),
        ("proxy_headers", {"Proxy-Authorization": "Basic a\r\nX: y"}),
        ("proxy_headers", {"Proxy-Authorization": "Basic \u20ac"}),
        ("proxy", "ftp://proxy:21"),
        ("connection_pool_maxsize", 0),
        ("max_response_bytes", True),
        ("user_agent", "a\nb"),
        ("host", "http://exa mple.com/v1"),
        ("host", "http://example.com:99999/v1"),
    ],
)
def test_a_setting_is_checked_when_assigned_and_names_itself(name: str, value: object) -> None:
    config = Configuration()
    before = getattr(config, name)
    with pytest.raises(persona.ApiException) as refused:
        setattr(config, name, value)
    assert name.split("_", maxsplit=1)[0] in str(refused.value)
    assert getattr(config, name) == before  # nothing half-done


def test_settings_cannot_be_deleted() -> None:
    with pytest.raises(AttributeError):
        del Configuration().host


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
def test_a_change_after_the_client_exists_takes_effect_on_the_next_call() -> None:
    from persona.rest import RESTResponse
    from persona.testing import MockTransport

    transport = MockTransport(
        lambda request: RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"})
    )
    config = Configuration("http://one.example/v1")
    api = persona.AccountApi(persona.ApiClient(config, transport=transport))
    body = persona.ForgotPasswordData(email="ann@example.com")
    api.account_forgot_pass_post(body)
    config.host = "http://two.example/v1"
    config.user_agent = "app/2"
    api.account_forgot_pass_post(body)
    config.client_side_validation = False
    api.account_forgot_pass_post(persona.ForgotPasswordData(email="not-an-address"))
    urls = [request.url for request in transport.requests]
    assert urls[0].startswith("http://one.example/v1")
    assert urls[1].startswith("http://two.example/v1")
    assert transport.requests[1].header("User-Agent") == "app/2"
    assert len(urls) == 3


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
def test_tls_and_proxy_changes_rebuild_the_pool() -> None:
    import urllib3

    config = Configuration("http://127.0.0.1:9/v1")
    client = persona.ApiClient(config)
    transport = client.transport
    first = transport.pool_manager  # type: ignore[attr-defined]
    assert transport.pool_manager is first  # type: ignore[attr-defined]
    config.max_retries = 5  # not a pool setting: same pool
    assert transport.pool_manager is first  # type: ignore[attr-defined]
    config.proxy = "http://127.0.0.1:3128"
    proxied = transport.pool_manager  # type: ignore[attr-defined]
    assert isinstance(proxied, urllib3.ProxyManager)
    config.proxy = None
    config.verify_ssl = False
    plain = transport.pool_manager  # type: ignore[attr-defined]
    assert not isinstance(plain, urllib3.ProxyManager)
    assert plain.connection_pool_kw["cert_reqs"] == "CERT_NONE"
    client.close()


# -- settings checked when set, with the field named (issue 11, item 4) -------------------
HUGE = [1e10, float("inf"), float("nan"), 10**400]


@pytest.mark.parametrize("value", HUGE, ids=["1e10", "inf", "nan", "10**400"])
@pytest.mark.parametrize(
    "setting", ["timeout", "deadline", "backoff_base", "backoff_max", "max_retry_after"]
)
def test_absurd_seconds_are_refused_when_set_naming_the_setting(setting: str, value: float) -> None:
    with pytest.raises(ApiValueError, match=setting):
        Configuration(**{setting: value})
    config = Configuration()
    with pytest.raises(ApiValueError, match=setting):
        setattr(config, setting, value)


@pytest.mark.parametrize("value", HUGE, ids=["1e10", "inf", "nan", "10**400"])
def test_absurd_seconds_are_refused_by_timeout_with_options_and_per_call(value: float) -> None:
    from persona.core.response import RESTResponse
    from persona.testing import MockTransport

    sent: list[object] = []
    transport = MockTransport(
        lambda request: (
            sent.append(request) or RESTResponse(200, json={}, headers={"X-Request-Id": "req_1"})
        )
    )
    with pytest.raises(ApiValueError, match="total"):
        persona.Timeout(total=value)
    with pytest.raises(ApiValueError, match="timeout"):
        persona.Timeout.of(value)
    with persona.ApiClient(Configuration(), transport=transport) as client:
        with pytest.raises(ApiValueError, match="timeout"):
            client.with_options(timeout=value)
        with pytest.raises(ApiValueError, match="deadline"):
            client.with_options(deadline=value)
        api = persona.AccountApi(client)
        body = persona.ForgotPasswordData(email="ann@example.com")
        with pytest.raises(ApiValueError, match="_request_timeout"):
            api.account_forgot_pass_post(body, _request_timeout=value)
        with pytest.raises(ApiValueError, match=r"_request_timeout\[1\]"):
            api.account_forgot_pass_post(body, _request_timeout=(1, value))
    assert sent == []  # refused before anything was sent


def test_the_longest_allowed_wait_makes_a_working_call() -> None:
    # One year: every timer and socket of the platform takes it (1e10 overflowed them).
    from persona.core.policy import MAX_SECONDS
    from persona.testing import ReferenceServer

    with ReferenceServer({}, outbox="") as srv:
        config = Configuration(host=srv.url, timeout=MAX_SECONDS, deadline=MAX_SECONDS)
        with persona.ApiClient(config) as client:
            api = persona.AccountApi(client)
            body = persona.ForgotPasswordData(email="ann@example.com")
            assert api.account_forgot_pass_post(body).success is True
            assert api.account_forgot_pass_post(body, _request_timeout=MAX_SECONDS).success


@pytest.mark.parametrize(
    "value", ["Basic a\r\nX-Injected: 1", "a\nb", "nul\x00", "snow \u2603", "\ud800"]
)
def test_bad_proxy_headers_are_refused_when_set(value: str) -> None:
    with pytest.raises(ApiValueError, match="proxy_headers") as info:
        Configuration(proxy_headers={"Proxy-Authorization": value})
    assert value not in str(info.value)  # a credential is never echoed
    config = Configuration()
    with pytest.raises(ApiValueError, match="proxy_headers"):
        config.proxy_headers = {"Proxy-Authorization": value}
    with pytest.raises(ApiValueError, match="proxy_headers"):
        config.proxy_headers = {"Bad Name": "v"}


def test_proxy_headers_cannot_be_changed_in_place_past_the_check() -> None:
    import copy
    import pickle

    config = Configuration(proxy_headers={"Proxy-Authorization": "Basic dTpw"})
    with pytest.raises(persona.ApiTypeError, match="read-only"):
        config.proxy_headers["X-Bad"] = "a\r\nb"  # type: ignore[index]
    with pytest.raises(persona.ApiTypeError, match="read-only"):
        config.proxy_headers.update({"X-Bad": "a\r\nb"})  # type: ignore[union-attr]
    assert dict(config.proxy_headers or {}) == {"Proxy-Authorization": "Basic dTpw"}
    assert copy.deepcopy(config).proxy_headers == {"Proxy-Authorization": "Basic dTpw"}
    assert pickle.loads(pickle.dumps(config.proxy_headers)) == config.proxy_headers
    config.proxy_headers = {"Proxy-Authorization": "Basic eDp5"}  # a new dict is checked
    assert config.proxy_headers == {"Proxy-Authorization": "Basic eDp5"}


# -- every PERSONA_* variable and every setting refuses what it cannot take, as ours ----
HOSTILE_NUMBERS = [
    "9" * 5000,  # int() refuses over 4300 digits with its own ValueError
    "9" * 400,  # float() makes inf
    "nan",
    "inf",
    "-1",
    "0",
    "1e3",
    "1_0",
    "0x10",
    "\u0661\u0662",  # Arabic-Indic digits: int() and float() read them
    "\uff11",  # a fullwidth 1
    "1.5.2",
    "five",
]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("name", ["PERSONA_TIMEOUT", "PERSONA_DEADLINE", "PERSONA_MAX_RETRIES"])
def test_a_numeric_variable_refuses_what_it_cannot_take_naming_itself_and_the_rule(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    if name == "PERSONA_MAX_RETRIES" and value == "0":
        pytest.skip("0 retries is a valid setting")
    monkeypatch.setenv(name, value)
    with pytest.raises(ApiValueError) as info:
        Configuration()
    message = str(info.value)
    assert f"environment variable {name}:" in message
    assert "must be" in message
    assert len(message) < 300  # a 5,000-digit value is not quoted whole
    assert info.value.__context__ is None or isinstance(info.value.__context__, ApiValueError)


@pytest.mark.parametrize(
    ("name", "value", "setting", "expected"),
    [
        ("PERSONA_TIMEOUT", "2.5", "timeout", (2.5, 2.5)),
        ("PERSONA_TIMEOUT", ".5", "timeout", (0.5, 0.5)),
        ("PERSONA_DEADLINE", "007", "deadline", 7.0),
        ("PERSONA_MAX_RETRIES", "0", "max_retries", 0),
        ("PERSONA_MAX_RETRIES", "0100", "max_retries", 100),
    ],
)
def test_a_numeric_variable_takes_plain_ascii_numbers(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, setting: str, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert getattr(Configuration(), setting) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PERSONA_HOST", "ftp://example.com/v1"),
        ("PERSONA_HOST", "http://localhost:\u0668\u0660/v1"),  # other scripts' digits
        ("PERSONA_HOST", "http://localhost:99999999999999999999999/v1"),
        ("PERSONA_HOST", "http://[::1/v1"),
        ("PERSONA_HOST", "http://ann:pw@localhost/v1"),
        ("PERSONA_LOG", "verbose"),
        ("PERSONA_LOG", "debug2"),
    ],
)
def test_every_text_variable_refuses_what_it_cannot_take_naming_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ApiValueError, match=f"environment variable {name}"):
        Configuration()


def test_an_unknown_persona_log_level_lists_the_valid_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PERSONA_LOG", "verbose")
    with pytest.raises(ApiValueError, match="must be one of off, warning, info, debug"):
        Configuration()


@pytest.mark.parametrize(
    ("value", "level", "debug"),
    [("INFO", "info", False), ("debug", "debug", True), ("Warning", "warning", False)],
)
def test_persona_log_takes_each_level_in_any_case(
    monkeypatch: pytest.MonkeyPatch, value: str, level: str, debug: bool
) -> None:
    monkeypatch.setenv("PERSONA_LOG", value)
    config = Configuration()
    assert config.log_level == level
    assert config.debug is debug


def _exploding(text: str) -> str:
    """A str whose methods raise: a check must not let that escape as Python's own."""

    class Exploding(str):
        def __getattribute__(self, name: str) -> object:
            if name.startswith("__"):
                return super().__getattribute__(name)
            raise ValueError("boom")

    return Exploding(text)


SETTING_VALUES: list[object] = [
    "9" * 5000,
    float("nan"),
    float("inf"),
    -1,
    10**5000,
    object(),
    b"bytes",
    "x\ud800y",
    "x\x00y",
    "",
    " ",
    [],
    {"a": 1},
    _exploding("abc"),
]


@pytest.mark.parametrize(
    "value", SETTING_VALUES, ids=[f"{i}-{type(v).__name__}" for i, v in enumerate(SETTING_VALUES)]
)
def test_every_setting_refuses_what_it_cannot_take_as_an_api_value_error(value: object) -> None:
    settings = Configuration._settings
    messages = {}
    for setting in settings:
        config = Configuration()
        try:
            setattr(config, setting, value)
        except ApiValueError as exc:  # ApiTypeError included: it is an ApiValueError too
            messages[setting] = str(exc)
        # anything else (Python's ValueError, TypeError...) fails the test
    assert len(messages) >= len(settings) - 4  # text settings may take a plain string
    for setting, message in messages.items():
        assert message.startswith(f"{setting}"), (setting, message)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("connection_pool_maxsize", 10**9),  # urllib3 would fill a queue of that size
        ("tls_server_name", "a b"),
        ("tls_server_name", ".example.com"),
        ("tls_server_name", "x\x00y"),
        ("assert_hostname", ""),
        ("assert_hostname", "a" * 300),
        ("ssl_ca_cert", "ca\x00.pem"),
        ("cert_file", ""),
        ("key_file", "key\ud800.pem"),
        ("log_level", "loud"),
        ("log_level", 10),
        ("verify_ssl", "yes"),
        ("debug", 1),
    ],
)
def test_a_setting_no_connection_could_use_is_refused_when_set(setting: str, value: object) -> None:
    config = Configuration()
    with pytest.raises(ApiValueError, match=f"^{setting}: "):
        setattr(config, setting, value)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("tls_server_name", "::1"),
        ("assert_hostname", "api.example.com"),
        ("tls_server_name", "b\u00fccher.example"),
    ],
)
def test_host_name_settings_take_names_and_addresses(setting: str, value: str) -> None:
    config = Configuration()
    setattr(config, setting, value)
    assert getattr(config, setting) == value


def test_persona_log_info_logs_one_line_per_call_and_per_retry_masked(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from persona.testing import ReferenceServer

    monkeypatch.setenv("PERSONA_LOG", "info")
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        api = persona_api(Configuration(srv.url))
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
        code = srv.last_code("ann@example.com")
        assert code is not None
        with pytest.raises(persona.UnauthorizedException):
            api.account_code_for_token_post(
                persona.CodeForTokenData(
                    email="ann@example.com", code="000000" if code != "000000" else "111111"
                )
            )
        api.api_client.close()
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 2, err  # one line per call, nothing at DEBUG
    assert all(" INFO persona: " in line for line in err)
    assert "account_forgot_pass_post POST" in err[0]
    assert "-> 200" in err[0]
    assert "(1 attempt)" in err[0]
    assert "account_code_for_token_post POST" in err[1]
    assert "-> 401" in err[1]
    assert "body" not in "\n".join(err)
    assert code not in "\n".join(err)


def test_info_logs_retries_and_a_failed_call(capfd: pytest.CaptureFixture[str]) -> None:
    config = Configuration(
        "http://127.0.0.1:9/v1", log_level="info", backoff_base=0.01, max_retries=1
    )
    with pytest.raises(persona.ApiConnectionError):
        persona_api(config).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )
    err = capfd.readouterr().err.splitlines()
    assert any("retrying POST" in line for line in err), err
    assert "-> ApiConnectionError: cannot connect" in err[-1]
    assert "(2 attempts)" in err[-1]


class _Unshowable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    "make",
    [
        lambda v: persona.Timeout(connect=v),
        lambda v: persona.Timeout(total=v),
        lambda v: persona.RetryPolicy(max_retries=v),
        lambda v: persona.RetryPolicy(backoff_max=v),
        lambda v: Configuration(max_retries=v),
        lambda v: Configuration(timeout=(1, v)),
        lambda v: Configuration(connection_pool_maxsize=v),
        lambda v: persona.ApiClient(Configuration()).with_options(deadline=v),
        lambda v: persona.ApiClient(Configuration()).with_options(max_retries=v),
    ],
    ids=[
        "Timeout.connect",
        "Timeout.total",
        "RetryPolicy.max_retries",
        "RetryPolicy.backoff_max",
        "Configuration.max_retries",
        "Configuration.timeout",
        "Configuration.connection_pool_maxsize",
        "with_options.deadline",
        "with_options.max_retries",
    ],
)
@pytest.mark.parametrize("value", [10**5000, _Unshowable()], ids=["5000 digits", "no repr"])
def test_a_value_that_cannot_even_be_shown_is_refused_as_ours(make: Any, value: object) -> None:
    with pytest.raises(ApiValueError, match="cannot be shown"):
        make(value)
