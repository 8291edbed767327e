# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""Error: the body of an error answer."""

from __future__ import annotations

from ..core.model import Model, field

__all__ = ["Error"]


class Error(Model):
    """The body of every non-2xx response.

    :param code: A machine code: invalid_request, invalid_code, invalid_token, not_found,
        method_not_allowed, idempotency_conflict, payload_too_large, unsupported_media_type,
        rate_limited or internal_error (required).
    :param message: A human-readable explanation; never contains a secret (required).
    """

    code: str = field(
        "code",
        str,
        required=True,
        description=(
            "A machine code: invalid_request, invalid_code, "
            "invalid_token, not_found, method_not_allowed, "
            "idempotency_conflict, payload_too_large, "
            "unsupported_media_type, rate_limited or internal_error."
        ),
    )
    message: str = field(
        "message",
        str,
        required=True,
        description="A human-readable explanation; never contains a secret.",
    )
