"""Retry timing: ``Retry-After`` parsing case by case, and the backoff windows."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from persona.retries import RETRY_STATUSES, RetryPolicy, parse_retry_after

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("1", 1.0),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("2.5", 2.5),  # not RFC delta-seconds, but read leniently
        ("007", 7.0),
    ],
)
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_retry_after_http_date_in_the_future_is_the_seconds_until_it() -> None:
    when = datetime(2030, 1, 1, 12, 0, 30, tzinfo=timezone.utc)
    assert parse_retry_after(format_datetime(when, usegmt=True), now=NOW) == 30.0
    assert parse_retry_after("Tue, 01 Jan 2030 12:01:00 GMT", now=NOW) == 60.0


def test_retry_after_http_date_with_numeric_zone() -> None:
    assert parse_retry_after("Tue, 01 Jan 2030 13:00:10 +0100", now=NOW) == 10.0


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0


def test_retry_after_http_date_uses_the_clock_when_now_is_not_given() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    near = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", now=NOW)
    assert near is not None
    far = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT")
    assert far is not None
    # Capped at one year (MAX_SECONDS): a wait the caller can hand to time.sleep.
    assert far == near == 365 * 24 * 3600.0


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "soon",
        "-5",  # negative: unreadable, the caller backs off as usual
        "-0.5",
        "+5",
        "1e3",
        "1_000",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "9" * 400,  # overflows to inf
        "Mon, 99 Foo 2015 25:61:00 GMT",
        "Wed, 21 Oct 2015 07:28:00",  # no zone
        "Wed, 21 Oct 2015 07:28:00 -0000",  # "unknown" zone: naive
        "\u0661\u0662",  # Arabic-Indic digits
    ],
)
def test_retry_after_garbage_is_none(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_retry_after_absent_is_none() -> None:
    assert parse_retry_after(None) is None


def test_retry_statuses_are_429_and_gateway_or_service_failures() -> None:
    assert frozenset({429, 502, 503, 504}) == RETRY_STATUSES
    assert 500 not in RETRY_STATUSES


def test_backoff_windows_double_from_the_base_up_to_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # the top of each window
    policy = RetryPolicy(max_retries=10, backoff_base=0.5, backoff_max=8.0)
    assert [policy.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_is_full_jitter_within_each_window() -> None:
    random.seed(20301)
    policy = RetryPolicy(max_retries=5, backoff_base=0.25, backoff_max=1.0)
    for retry, window in [(1, 0.25), (2, 0.5), (3, 1.0), (4, 1.0), (5, 1.0)]:
        draws = [policy.delay(retry) for _ in range(200)]
        assert all(d is not None and 0.0 <= d <= window for d in draws)
        assert max(d for d in draws if d is not None) > window * 0.8  # spread over the window
        assert min(d for d in draws if d is not None) < window * 0.2


def test_backoff_with_the_same_seed_is_reproducible() -> None:
    policy = RetryPolicy()
    random.seed(7)
    first = [policy.delay(n) for n in (1, 2, 3)]
    random.seed(7)
    assert [policy.delay(n) for n in (1, 2, 3)] == first


def test_zero_backoff_retries_at_once() -> None:
    assert RetryPolicy(backoff_base=0.0).delay(3) == 0.0


def test_retry_after_is_honoured_exactly_up_to_the_limit() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert policy.delay(1, retry_after=0.0) == 0.0
    assert policy.delay(2, retry_after=60.0) == 60.0


def test_retry_after_over_the_limit_means_do_not_retry() -> None:
    assert RetryPolicy(max_retry_after=60).delay(1, retry_after=61.0) is None


def test_policy_defaults_and_repr() -> None:
    policy = RetryPolicy()
    assert repr(policy) == (
        "RetryPolicy(max_retries=2, backoff_base=0.5, backoff_max=8.0, max_retry_after=10.0)"
    )


# -- the policies are frozen values ---------------------------------------------------------
def test_timeout_defaults_replace_and_immutability() -> None:
    from persona import Timeout

    timeout = Timeout()
    assert (timeout.connect, timeout.read, timeout.total) == (10.0, 30.0, 120.0)
    shorter = timeout.replace(read=5)
    assert shorter == Timeout(10, 5, 120)
    assert timeout == Timeout()  # unchanged
    assert hash(shorter) == hash(Timeout(10, 5, 120))
    assert repr(shorter) == "Timeout(connect=10, read=5, total=120)"
    assert timeout != (10, 30, 120)
    with pytest.raises(AttributeError, match="immutable"):
        timeout.read = 1  # type: ignore[misc]
    with pytest.raises(TypeError, match="no setting 'reed'"):
        timeout.replace(reed=1)


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), 1e10, "5", True, None])
def test_timeout_refuses_what_no_clock_can_wait(value: object) -> None:
    from persona import ApiValueError, Timeout

    with pytest.raises(ApiValueError, match=r"timeout\.read"):
        Timeout(read=value)  # type: ignore[arg-type]


def test_timeout_of_reads_numbers_pairs_and_timeouts() -> None:
    from persona import ApiValueError, Timeout

    assert Timeout.of(3) == Timeout(3, 3)
    assert Timeout.of((1, 2), total=9) == Timeout(1, 2, 9)
    same = Timeout(4, 5, 6)
    assert Timeout.of(same) is same
    with pytest.raises(ApiValueError, match="_request_timeout"):
        Timeout.of((1, 2, 3), "_request_timeout")


def test_retry_policy_replace_and_immutability() -> None:
    policy = RetryPolicy()
    assert policy.replace(max_retries=0) == RetryPolicy(max_retries=0)
    assert policy.replace(max_retries=0) != policy
    assert hash(policy) == hash(RetryPolicy())
    assert policy != "RetryPolicy()"
    with pytest.raises(AttributeError, match="immutable"):
        policy.max_retries = 9  # type: ignore[misc]
    with pytest.raises(TypeError, match="no setting"):
        policy.replace(retries=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 101}, "at most 100"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"backoff_base": -0.1}, "backoff_base"),
        ({"max_retry_after": 1e12}, "max_retry_after"),
    ],
)
def test_retry_policy_checks_its_settings(kwargs: dict[str, object], match: str) -> None:
    from persona import ApiValueError

    with pytest.raises(ApiValueError, match=match):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_a_far_retry_number_does_not_overflow_the_backoff() -> None:
    assert 0 <= (RetryPolicy(backoff_max=8).delay(10_000) or 0) <= 8


@pytest.mark.parametrize(
    "value",
    ["Tue, 01 Jan 2030 12:00:00 +9999", "Fri, 31 Dec 9999 23:59:59 -2359", 5, None],
)
def test_absurd_retry_after_values_are_unreadable_not_errors(value: object) -> None:
    assert parse_retry_after(value) is None or parse_retry_after(value) >= 0  # type: ignore[arg-type]
