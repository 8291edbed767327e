"""The names the reference server answers to: its defence against DNS rebinding.

A page on any site can point a name it controls at 127.0.0.1 and have a browser send
requests there; the browser then takes the server for that site and lets the page read
the answers, live reset codes included. What such a request cannot hide is the name it
was sent to, in the ``Host`` header (or an absolute-form request target). So while the
server listens on a loopback address it answers only requests sent to this machine's
names (``127.0.0.1``, ``localhost``, ``[::1]``, the address it listens on, any port) and to
names the operator allows; anything else gets 421 before it is routed anywhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Optional
from urllib.parse import urlsplit

__all__ = ["LOOPBACK_NAMES", "HostPolicy", "authority_name", "is_loopback"]

#: The names every server listening on loopback answers to.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_AUTHORITY = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]@/\s]*)(?::[0-9]{0,5})?")


def is_loopback(host: str) -> bool:
    """Whether the listen address ``host`` is reachable from this machine only."""
    return host in ("localhost", "::1") or host.startswith("127.")


def authority_name(value: str) -> Optional[str]:
    """The host of ``value``, an authority as ``Host`` carries it (``name[:port]``,
    ``[v6]:port``): lower-case, an IPv6 address without its brackets; ``None`` when
    ``value`` is not an authority."""
    match = _AUTHORITY.fullmatch(value)
    if match is None:
        return None
    name = match.group(1).lower()
    return name[1:-1] if name.startswith("[") else name


def _allowed_name(name: str) -> str:
    """``name`` as :class:`HostPolicy` compares it; ``ValueError`` unless it is a bare
    DNS name or IP address (no scheme, no port, no path)."""
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if len(name) > 253 or not _DNS_NAME.fullmatch(name):
        raise ValueError(
            f"allowed_hosts: {name!r} is not a host name (give a bare name such as "
            "app.test or an IP address, without scheme or port)"
        )
    return name.lower()


class HostPolicy:
    """Which ``Host`` values a server answers, from where it listens and the names the
    operator allows."""

    def __init__(self, listen_host: str, allowed: Iterable[str] = ()) -> None:
        """Enforced while ``listen_host`` is a loopback address, and whenever names are
        ``allowed``; ``ValueError`` for an allowed name that is not a bare host name."""
        extra = {_allowed_name(name) for name in allowed}
        #: Whether a ``Host`` outside :attr:`names` is refused.
        self.enforced = is_loopback(listen_host) or bool(extra)
        #: The names (lower-case, IPv6 without brackets) served when enforced.
        self.names = frozenset({*LOOPBACK_NAMES, listen_host.lower(), *extra})

    def refusal(self, hosts: list[str], target: str, version: str) -> Optional[tuple[int, str]]:
        """Why a request may not be served: ``(status, message)``, or ``None``.

        ``hosts`` are its ``Host`` header values, ``target`` its request target and
        ``version`` its HTTP version. HTTP/1.1 requires exactly one ``Host`` (else 400);
        a name not served is a 421, whether in ``Host`` or in an absolute target.
        """
        if len(hosts) > 1:
            return 400, "Host: given more than once"
        if not hosts and version == "HTTP/1.1":
            return 400, "Host: required in an HTTP/1.1 request"
        if not self.enforced:
            return None
        names = [authority_name(value) for value in hosts]
        if not target.startswith("/") and target != "*":
            names.append(authority_name(urlsplit(target).netloc))
        if all(name in self.names for name in names):
            return None
        served = ", ".join(sorted(f"[{n}]" if ":" in n else n for n in self.names))
        return 421, f"Host: this server answers only to {served} (see allowed_hosts)"
