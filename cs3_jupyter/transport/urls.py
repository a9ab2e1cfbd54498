"""URLs without secrets: user info is taken out before a URL is stored, shown or logged.

``http://alice:pw@host`` is a valid URL, and a careless ``str(url)`` would put the password
into an error message, a log line or an id (``alice@alice:pw@host``). Every URL that enters
the transport goes through :func:`split_userinfo` first; what leaves it is the clean URL and
the site's name (``host[:port]``), never the user info.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user info, user, password)``; user/password None when absent."""
    parts = urlsplit(url.strip())
    if "@" not in parts.netloc:
        return url.strip(), None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user), unquote(password) if colon else None


def strip_userinfo(url: str) -> str:
    """The URL with any ``user:password@`` removed."""
    return split_userinfo(url)[0]


def site_name(url: str) -> str:
    """How messages name a site: ``host`` or ``host:port``, never user info or a path."""
    parts = urlsplit(strip_userinfo(url))
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "the site"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def may_redirect(source: str, target: str) -> bool:
    """Whether an API call to ``source`` may follow a redirect to ``target``.

    Only within the same origin, or the upgrade of a plain-http site to https on its
    default port. Anything else could point a request (and its answer, shown to the user)
    at another service on the same network: a server-side request forgery.
    """
    here, there = origin(source), origin(target)
    if not there[1] or "@" in urlsplit(target).netloc:
        return False
    if here == there:
        return True
    return here[0] == "http" and there == ("https", here[1], 443)
