"""Who may talk to eventsim: the rules the gateway and the console both apply.

A web page the user happens to visit can send requests to ``http://127.0.0.1:4566`` from the
user's browser. Three defences:

- **Host** (DNS rebinding: evil.example resolves to 127.0.0.1 after the page loaded, and then
  its scripts read the answers as same-origin). Every request, gateway and console, must name
  the server by a name no web page can point at it: an IP address literal, ``localhost`` and
  its subdomains (``bucket.localhost``, S3's virtual-hosted style),
  ``*.localhost.localstack.cloud`` and ``*.amazonaws.com`` (names their owners resolve, and
  that users map to a local endpoint on purpose), the name the server was bound to, or a name
  given with ``--allow-host``; and, when the server knows it, its port.
- **Origin** (cross-site request forgery: a form on another site POSTs to the console). A
  state-changing console request (POST, PUT, PATCH, DELETE) that carries an ``Origin``, or
  failing that a ``Referer``, must come from the server's own origin. Browsers always send
  ``Origin`` on such requests; tools (curl, boto3, the tests) send neither and pass.
- **Token** (``eventsim serve --token T`` or ``EVENTSIM_TOKEN``; for a server bound to another
  interface). When set, every request needs it. The console takes it as
  ``Authorization: Bearer T``, an ``X-Eventsim-Token`` header, or ``?token=T`` once (which sets
  a same-site cookie for the page's own requests). The gateway takes an ``X-Eventsim-Token``
  header or, what every AWS SDK and the CLI send without any code, the **access key id**:
  ``AWS_ACCESS_KEY_ID=T`` (it is in the SigV4 ``Authorization`` header, or ``X-Amz-Credential``
  of a presigned URL). Handlers get it as their access key id.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["TOKEN_COOKIE", "TOKEN_HEADER", "Safety", "split_host"]

TOKEN_HEADER = "X-Eventsim-Token"
TOKEN_COOKIE = "eventsim_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_HOSTS_REMEMBERED = 1024

_SAFE_SUFFIXES = (".localhost", ".localhost.localstack.cloud", ".amazonaws.com",
                  ".amazonaws.com.cn")


def split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` (IPv6 in brackets) -> (lowercase host, port); None when malformed."""
    value = value.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = value.partition(":")
    if port_text:
        if not port_text.isdigit():
            return None
        return host, int(port_text)
    return host, None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Safety:
    """The rules for one server."""

    port: int | None = None
    """The port served; None accepts any (an app not yet bound, as in tests)."""
    host: str | None = None
    """The name or address bound."""
    token: str | None = None
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    """More host names to accept (``--allow-host``), lowercase."""
    _hosts_seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """`host_allowed`'s answers by header: every request asks, with one of a few values."""

    @classmethod
    def for_server(cls, host: str, port: int, token: str | None = None,
                   allowed_hosts: Iterable[str] = ()) -> Safety:
        return cls(port=port, host=host.strip("[]").lower(), token=token or None,
                   allowed_hosts=frozenset(h.lower() for h in allowed_hosts))

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names this server by a name safe from rebinding."""
        if header is None:
            return False
        known = self._hosts_seen.get(header)
        if known is not None:
            return known
        allowed = self._host_allowed(header)
        if len(self._hosts_seen) < _HOSTS_REMEMBERED:  # virtual-hosted buckets vary it
            self._hosts_seen[header] = allowed
        return allowed

    def _host_allowed(self, header: str) -> bool:
        parsed = split_host(header)
        if parsed is None:
            return False
        host, port = parsed
        if self.port is not None and (port if port is not None else 80) != self.port:
            return False
        if _is_ip(host) or host == "localhost" or host.endswith(_SAFE_SUFFIXES):
            return True
        return host == self.host or host in self.allowed_hosts

    def origin_allowed(self, method: str, headers: Mapping[str, str]) -> bool:
        """Whether a console request may change state: same-origin, or not from a browser."""
        if method not in UNSAFE_METHODS:
            return True
        origin = headers.get("Origin")
        if origin is None:
            referer = headers.get("Referer")
            if referer is None:
                return True
            origin = referer
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (sandboxed frames, file: pages) included
        own = headers.get("Host")
        return own is not None and parts.netloc.lower() == own.lower() \
            and self.host_allowed(parts.netloc)

    def console_token_ok(self, headers: Mapping[str, str], query: Mapping[str, str],
                         cookies: Mapping[str, str]) -> bool:
        if self.token is None:
            return True
        authorization = headers.get("Authorization", "")
        candidates = [headers.get(TOKEN_HEADER), query.get("token"), cookies.get(TOKEN_COOKIE),
                      authorization[7:] if authorization.startswith("Bearer ") else None]
        return any(c is not None and self._same(c) for c in candidates)

    def gateway_token_ok(self, headers: Mapping[str, str], query: str) -> bool:
        if self.token is None:
            return True
        given = headers.get(TOKEN_HEADER)
        if given is not None and self._same(given):
            return True
        authorization = headers.get("Authorization", "")
        if authorization.startswith("AWS ") and self._same(authorization[4:].split(":")[0]):
            return True  # S3's signature version 2
        start = authorization.find("Credential=")
        if start >= 0:
            key = authorization[start + len("Credential="):].split("/", 1)[0]
            if self._same(key):
                return True
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if name == "X-Amz-Credential":
                key = value.replace("%2F", "/").replace("%2f", "/").split("/", 1)[0]
                if self._same(key):
                    return True
        return False

    def _same(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode(), self.token.encode())
