"""One EFSS site of the local mesh: its state, its routes, and the WSGI entry point.

Protocol modules (WebDAV here; OCS, OCM, ScienceMesh and the directory from the sharing code)
plug in with :meth:`Site.route`; they find the site in ``environ["localmesh.site"]``.
Every request is counted (benchmarks count requests per operation) and passes the site-wide
faults (forced status, delay) before it reaches a route.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from .daverrors import error_response
from .db import Database
from .faults import Faults
from .files import FileTree
from .mounts import MountTable, TokenShareTable
from .trash import TrashBin
from .uploads import DEFAULT_TTL, UploadStore
from .users import LoginRace, LoginSessions, UserInfo, Users, basic_credentials, challenge_headers

log = logging.getLogger("cs3_localmesh")

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

#: The URL prefix of the admin API, which is never counted, faulted or user-authenticated.
ADMIN_PREFIX = "/_localmesh"


class RequestStats:
    """Requests per HTTP method since the last reset, and per method and route (the path's
    first two segments: ``PROPFIND /remote.php/dav``, ``GET /ocs/v2.php``), to tell WebDAV
    from OCS calls when measuring what a client costs a site."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._routes: Counter[str] = Counter()
        self._events: Counter[str] = Counter()

    def count(self, method: str, path: str = "") -> None:
        route = "/".join(path.split("/")[:3])
        with self._lock:
            self._counts[method] += 1
            self._routes[f"{method} {route}"] += 1

    def routes(self) -> dict[str, int]:
        """Requests per ``METHOD /first/segments`` since the last reset."""
        with self._lock:
            return dict(self._routes)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            counts = dict(self._counts)
            events = dict(self._events)
        counts["total"] = sum(counts.values())
        return {**counts, **events}

    def note(self, event: str) -> None:
        """Count something that is not a request (``logins``, ``login_races``): reported in
        the snapshot, not in ``total``."""
        with self._lock:
            self._events[event] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._routes.clear()
            self._events.clear()


class Site:
    """A site named ``name`` ("a", "b", ...) keeping its state under ``data_dir/name``."""

    realm = "Nextcloud"

    def __init__(self, name: str, data_dir: Path, admin_token: str | None = None) -> None:
        self.name = name
        self.url = ""  # set by the server once the port is bound
        self.data_dir = data_dir / name
        self.db = Database(self.data_dir / "site.sqlite3")
        self.users = Users(self.db)
        self.files = FileTree(self.db, self.data_dir)
        self.uploads = UploadStore(self.db, self.data_dir)
        self.trash = TrashBin(self.db, self.files)
        self.upload_ttl: float = DEFAULT_TTL
        self.mounts = MountTable()
        self.token_shares = TokenShareTable()
        self.faults = Faults()
        self.files.variant = self.faults.variant
        self.stats = RequestStats()
        self.logins = LoginSessions(cookie=f"nc_session_{name}")
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self._routes: list[tuple[str, WSGIApp]] = []
        self._install_builtin_routes()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the host part of OCM addresses at this site."""
        return self.url.split("://", 1)[-1]

    # --- what other modules use --------------------------------------------------------

    def route(self, prefix: str, app: WSGIApp) -> None:
        """Serve ``prefix`` and everything below it with ``app``.

        The app gets ``SCRIPT_NAME`` extended by ``prefix`` and the rest in ``PATH_INFO``
        (standard WSGI mounting). Longest prefix wins; authentication is the app's job
        (``site.users.authenticate(environ)``).
        """
        prefix = "/" + prefix.strip("/")
        self._routes.append((prefix, app))
        self._routes.sort(key=lambda route: len(route[0]), reverse=True)

    def add_user(
        self,
        name: str,
        password: str | None = None,
        display_name: str | None = None,
        groups: Iterable[str] = (),
    ) -> UserInfo:
        """Create a user and their (empty) home."""
        info = self.users.add_user(name, password, display_name, tuple(groups))
        self.files.ensure_home(name)
        return UserInfo(info.user, info.password, info.app_password, info.token, self.name)

    def quota_left(self, user: str) -> int | None:
        """Bytes the user may still store, or None when unlimited."""
        quota = self.faults.quota(user)
        if quota is None:
            return None
        return max(0, quota - self.files.used_bytes(user))

    def authenticated(self, app: WSGIApp) -> WSGIApp:
        """Wrap ``app`` so it only sees logged-in users (``environ["localmesh.user"]``)."""

        def wrapped(environ: dict, start_response):
            user = self.users.authenticate(environ)
            if user is None:
                return error_response(
                    start_response,
                    401,
                    "No valid credentials were given",
                    challenge_headers(environ, self.realm),
                    head=environ["REQUEST_METHOD"] == "HEAD",
                )
            environ["localmesh.user"] = user
            environ["wsgidav.auth.user_name"] = user
            return app(environ, start_response)

        return wrapped

    def _nextcloud_login(self, environ: dict, start_response: Callable, cost: float) -> Callable:
        """Log a Basic-auth request in like Nextcloud (``nextcloud_login`` fault): without
        the session cookie it pays the password check and gets a cookie; see faults.py."""
        creds = basic_credentials(environ)
        if creds is None or not self.users.check_password(*creds):
            return start_response  # not a user login (or a wrong one: the route says 401)
        if self.logins.has_session(environ, creds[0]):
            return start_response
        session = self.logins.login(creds[0], cost)
        self.stats.note("logins")
        cookie = f"{self.logins.cookie}={session}; Path=/; HttpOnly"

        def with_cookie(status: str, headers: list, exc_info: object = None) -> Callable:
            return start_response(status, [*headers, ("Set-Cookie", cookie)], exc_info)

        return with_cookie

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        environ["localmesh.site"] = self
        is_admin = _under(path, ADMIN_PREFIX)
        if not is_admin:
            self.stats.count(environ["REQUEST_METHOD"], path)
            delay = self.faults.delay(path)
            if delay:
                time.sleep(delay)
            forced = self.faults.status(path) or self.faults.flaky(environ["REQUEST_METHOD"], path)
            if forced:
                return error_response(start_response, forced, "Injected fault")
            cost = self.faults.login_cost()
            if cost is not None:
                try:
                    start_response = self._nextcloud_login(environ, start_response, cost)
                except LoginRace:
                    self.stats.note("login_races")
                    return error_response(start_response, 500, "database is locked")
        for prefix, app in self._routes:
            if _under(path, prefix):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix) :]
                return app(environ, start_response)
        return error_response(start_response, 404, "No such endpoint on this site")

    # --- built-in routes -----------------------------------------------------------------

    def _install_builtin_routes(self) -> None:
        from .admin import admin_app
        from .davapp import private_dav_app, public_dav_app

        self.route("/status.php", self._status)
        self.route(ADMIN_PREFIX, admin_app(self))
        dav = self.authenticated(_no_locking(private_dav_app(self)))
        self.route("/remote.php", dav)
        self.route("/public.php", _no_locking(_anonymous(public_dav_app(self))))

    def _status(self, environ: dict, start_response) -> list[bytes]:
        body = json.dumps(
            {
                "installed": True,
                "maintenance": False,
                "needsDbUpgrade": False,
                "version": "32.0.1.0",
                "versionstring": "32.0.1",
                "edition": "",
                "productname": "Nextcloud",
                "extendedSupport": False,
                "localmesh_site": self.name,
            }
        ).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _anonymous(app: WSGIApp) -> WSGIApp:
    def wrapped(environ: dict, start_response):
        environ["wsgidav.auth.user_name"] = "anonymous"
        return app(environ, start_response)

    return wrapped


def _no_locking(app: WSGIApp) -> WSGIApp:
    """Nextcloud core answers LOCK/UNLOCK with 501 for normal clients; so do we."""

    def wrapped(environ: dict, start_response):
        if environ["REQUEST_METHOD"] in ("LOCK", "UNLOCK"):
            return error_response(start_response, 501, "Locking is not supported")
        return app(environ, start_response)

    return wrapped
