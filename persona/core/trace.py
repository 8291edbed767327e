"""What a call logs, never a secret: the request line and headers, each attempt's
status, timing and request id, and each retry. Bodies are logged only at DEBUG, masked
by name (the request's and the response model's secret properties) and by value."""

from __future__ import annotations

import json
import logging
from typing import Optional

from ..log import emit, logger
from ..redaction import (
    mask_response_text,
    printable,
    redact_json,
    response_text,
    scrub,
    scrub_json,
)
from .request import Request
from .response import RESTResponse

__all__ = [
    "debug_enabled",
    "info_enabled",
    "log_outcome",
    "log_request",
    "log_response",
    "log_retry",
    "shown_request_id",
]

_LOG_BODY_LIMIT = 2000


# ``debug`` below is the lowest level the client logs to stderr (0: none; True, being 1,
# means every level): Configuration.debug or its log_level (PERSONA_LOG).


def debug_enabled(debug: int) -> bool:
    """Whether DEBUG lines are wanted (the client's setting or the logger's level)."""
    return 0 < debug <= logging.DEBUG or logger.isEnabledFor(logging.DEBUG)


def info_enabled(debug: int) -> bool:
    """Whether INFO lines are wanted (the client's setting or the logger's level)."""
    return 0 < debug <= logging.INFO or logger.isEnabledFor(logging.INFO)


def log_outcome(
    request: Request, outcome: str, attempts: int, elapsed_ms: float, debug: int
) -> None:
    """How a call ended, at INFO: one line per call (its status, or the error)."""
    plural = "" if attempts == 1 else "s"
    emit(
        logging.INFO,
        debug,
        "%s %s %s -> %s in %.1f ms (%d attempt%s)",
        request.operation or "call",
        request.method,
        request.shown_url,
        printable(outcome),
        elapsed_ms,
        attempts,
        plural,
    )


def log_request(request: Request, debug: int) -> None:
    """The request line, masked headers and masked body, at DEBUG."""
    emit(
        logging.DEBUG,
        debug,
        "request %s %s headers=%s body=%s",
        request.method,
        request.shown_url,
        request.shown_headers(),
        _request_body(request),
    )


def log_response(
    request: Request, response: RESTResponse, attempt: int, elapsed_ms: float, debug: int
) -> None:
    """One attempt's answer: status, timing, attempt number, request id, masked body."""
    body = "-"
    if response.data:
        text = response_text(response.data)  # as the JSON decoder reads it (a BOM...)
        body = _cut(mask_response_text(text, request.secrets, request.response_secret_names))
    emit(
        logging.DEBUG,
        debug,
        "response %s %s -> %d in %.1f ms (attempt %d, request id %s) body=%s",
        request.method,
        request.shown_url,
        response.status,
        elapsed_ms,
        attempt,
        shown_request_id(request, response),
        body,
    )


def shown_request_id(request: Request, response: RESTResponse) -> Optional[str]:
    """The response's request id as logs show it: a server may echo a secret there too."""
    rid = response.request_id
    return printable(scrub(rid, request.secrets) if request.secrets else rid) if rid else rid


def log_retry(
    request: Request, attempt: int, max_retries: int, why: str, delay: float, debug: int
) -> None:
    """A retry about to happen, at INFO."""
    emit(
        logging.INFO,
        debug,
        "retrying %s %s in %.2fs (retry %d of %d) after %s",
        request.method,
        request.shown_url,
        delay,
        attempt,
        max_retries,
        why,
    )


def _request_body(request: Request) -> str:
    if not request.body:
        return "-"
    text = request.body.decode("utf-8", "replace")  # whole: a cut JSON could not be masked
    try:
        shown = scrub_json(redact_json(json.loads(text), request.secret_names), request.secrets)
        text = json.dumps(shown, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to walk
        text = scrub(text, request.secrets)
    return _cut(text)


def _cut(text: Optional[str]) -> str:
    if not text:
        return "-"
    text = text if len(text) <= _LOG_BODY_LIMIT else text[:_LOG_BODY_LIMIT] + "...(truncated)"
    return printable(text)  # one line, writable by any handler: the server chose it
