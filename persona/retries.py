"""Retry policy and ``Retry-After`` parsing (kept import path; they live in
:mod:`persona.core.policy`)."""

from .core.policy import RETRY_STATUSES, RetryPolicy, parse_retry_after

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]
