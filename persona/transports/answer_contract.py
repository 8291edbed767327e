"""Whether an answer a :class:`~persona.testing.MockTransport` handler gives is one the
operation's contract allows (``strict=True``), and one any server could send at all.

Strict, an answer must have a declared status (or 502, 503, 504 from a proxy); the
headers its status requires (``X-Request-Id``; a ``Retry-After`` that reads as a wait);
the declared media type in ``Content-Type`` when it has a body; and a body that is JSON as
the wire carries it (UTF-8, no byte order mark, no ``NaN`` or ``Infinity``) and fits the
declared model, a null only where the schema allows one. Whatever the mode, a header no
HTTP message could carry (a name that is not a token, a value with CR, LF or NUL) is
refused.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Optional

from ..core.model import Model
from ..core.operation import NO_BODY, PROXY_STATUSES
from ..core.request import Request
from ..core.response import RESTResponse
from ..core.retry_after import parse_retry_after
from ..exceptions import ApiTypeError, ApiValueError

__all__ = ["header_syntax_problem", "off_contract"]

#: An HTTP field name: a token (RFC 9110, 5.1).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_syntax_problem(name: str, value: str) -> Optional[str]:
    """Why no server could send header ``name: value``, or None."""
    if not _TOKEN.fullmatch(name):
        return f"header name {name!r} is not an HTTP token (no spaces, colons or controls)"
    if any(ch in value for ch in "\r\n\x00"):
        return f"header {name!r} has a CR, LF or NUL in its value"
    return None


def off_contract(response: RESTResponse, request: Request) -> Optional[str]:
    """How ``response`` breaks the contract of the operation that sent ``request``, or
    None when the contract allows it."""
    declared = request.responses or {}
    status = response.status
    if status in PROXY_STATUSES and status not in declared:
        return None
    if status not in declared:
        allowed = ", ".join(str(s) for s in sorted(declared))
        return (
            f"a {status}, a status its contract never gives (it declares {allowed}; "
            "and 502, 503, 504 from a proxy)"
        )
    problem = _headers_problem(response, request)
    if problem is not None:
        return problem
    model = declared[status]
    if model is NO_BODY:
        if response.data:
            return f"a {status} with a body, where its contract declares none"
        return None
    return _body_problem(response, model)


def _headers_problem(response: RESTResponse, request: Request) -> Optional[str]:
    contract = request.contract
    if contract is None:
        return None
    status = response.status
    headers = response.headers
    for name in contract.response_headers.get(status, ()):
        value = headers.get(name)
        if not value:
            return f"a {status} without the {name} header its contract requires"
        if name.lower() == "retry-after" and parse_retry_after(value) is None:
            return f"a {status} whose Retry-After is not a number of seconds or an HTTP date"
    media = contract.media_types.get(status)
    if media is not None and response.data:
        sent = headers.get("Content-Type")
        if sent is None:
            return f"a {status} with a body and no Content-Type (its contract says {media})"
        if _media_type(sent) != _media_type(media):
            return f"a {status} with Content-Type {sent!r} (its contract says {media})"
    return None


def _media_type(value: str) -> str:
    """``application/json`` of ``Application/JSON; charset=utf-8``."""
    return value.split(";", 1)[0].strip().lower()


def _body_problem(response: RESTResponse, model: type[Model]) -> Optional[str]:
    if getattr(model, "raw", False):
        return None  # bytes of a media type (Body(bytes, "image/jpeg")): any bytes will do
    status = response.status
    data = response.data
    if data.startswith(codecs.BOM_UTF8):
        return f"a {status} whose body starts with a byte order mark (JSON on the wire has none)"
    problem = None
    try:
        obj = json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        problem = "is not UTF-8"
    except (ValueError, RecursionError):
        problem = "is not JSON (NaN, Infinity or broken text)"
    if problem is not None:
        return f"a {status} whose body {problem}"
    try:
        model.from_dict(obj).validate()
        where = _null_where_not_nullable(model, obj, model.__name__)
    except (ApiTypeError, ApiValueError) as exc:
        return f"a {status} whose body does not fit {model.__name__}: {exc}"
    except RecursionError:
        return f"a {status} whose body is nested too deep to check"
    if where is not None:
        return f"a {status} whose body has null at {where}, which {model.__name__} does not allow"
    return None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _null_where_not_nullable(model: type[Model], obj: Any, where: str) -> Optional[str]:
    """Where ``obj`` (the JSON of ``model``) holds a null its schema does not allow (a
    property that is not ``nullable``), looking into nested models; None if nowhere.
    (Nulls in lists and maps are refused by reading them.)"""
    if not isinstance(obj, dict):
        return None
    for key, value in obj.items():
        spec = model._by_json.get(key)
        if spec is None:
            continue
        if value is None:
            if not spec.nullable:
                return f"{where}.{key}"
            continue
        kind = spec.type
        if isinstance(kind, type) and issubclass(kind, Model):
            found = _null_where_not_nullable(kind, value, f"{where}.{key}")
            if found is not None:
                return found
    return None
