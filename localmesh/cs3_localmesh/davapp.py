"""The site's WebDAV URL families, each a wsgidav provider, and who may use them.

- ``/remote.php/dav/files/<user>/`` and ``/remote.php/webdav/``: a logged-in user's home;
- ``/public.php/webdav/`` (Basic ``<token>:[password]``) and ``/public.php/dav/files/<token>/``:
  what a share token opens (public links, outgoing OCM shares).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from .daverrors import SabreError, SabreErrors
from .davprovider import TreeProvider
from .davremote import RemoteProxy
from .davtrash import TrashProvider
from .davtree import HomeView, ShareView, View
from .davuploads import UploadsProvider
from .davversions import VersionsProvider
from .mounts import TokenShare
from .users import basic_credentials, challenge_headers, verify_password

if TYPE_CHECKING:
    from .site import Site

#: Set by the site on authenticated routes: the user id the request logged in as.
USER = "localmesh.user"


def _cached_view(environ: dict, key: str, make) -> View:
    """One view per request and URL prefix: wsgidav looks paths up many times per request."""
    views = environ.setdefault("localmesh.views", {})
    if key not in views:
        views[key] = make()
    return views[key]


def _first_segment(path: str) -> tuple[str, str]:
    head, _, rest = path.lstrip("/").partition("/")
    return head, rest


def home_by_user_segment(site: Site):
    """``/<user>/<path>``: only the logged-in user's own segment exists for them."""

    def split(environ: dict, path: str) -> tuple[View, str]:
        user, rest = _first_segment(path)
        if not user or user != environ.get(USER):
            raise SabreError(404, "File not found")
        site.files.ensure_home(user)
        return _cached_view(environ, "/" + user, lambda: HomeView(site, user, "/" + user)), rest

    return split


def home_of_caller(site: Site):
    """``/<path>`` in the logged-in user's home (the legacy ``/remote.php/webdav``)."""

    def split(environ: dict, path: str) -> tuple[View, str]:
        user = environ[USER]
        site.files.ensure_home(user)
        return _cached_view(environ, "", lambda: HomeView(site, user, "")), path

    return split


def _unlock(site: Site, token: str, password: str | None, environ: dict) -> TokenShare:
    share = site.token_shares.resolve(token) if token else None
    if share is None:
        raise SabreError(401, "Invalid share token", challenge_headers(environ, site.realm))
    if share.password_hash and not (password and verify_password(share.password_hash, password)):
        raise SabreError(
            401, "This share is password protected", challenge_headers(environ, site.realm)
        )
    return share


def share_by_basic_auth(site: Site):
    """``/public.php/webdav/<path>`` with Basic ``<token>:<password or empty>`` (Nextcloud), or
    ``Bearer <token>`` as OCM 1.1 "multi" receivers send the shared secret."""

    def split(environ: dict, path: str) -> tuple[View, str]:
        scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        creds = basic_credentials(environ) or ("", "")
        if scheme.lower() == "bearer":
            creds = (value.strip(), "")
        share = _unlock(site, creds[0], creds[1], environ)
        return _cached_view(environ, "", lambda: ShareView(share, "")), path

    return split


def share_by_token_segment(site: Site):
    """``/public.php/dav/files/<token>/<path>``; a link password comes as Basic password."""

    def split(environ: dict, path: str) -> tuple[View, str]:
        token, rest = _first_segment(path)
        creds = basic_credentials(environ)
        share = _unlock(site, token, creds[1] if creds else None, environ)
        return _cached_view(environ, "/" + token, lambda: ShareView(share, "/" + token)), rest

    return split


def make_dav_app(mount_path: str, providers: dict[str, TreeProvider]) -> WsgiDAVApp:
    """A wsgidav app for one URL family, with Sabre error bodies and no locking (NC has none)."""
    return WsgiDAVApp(
        {
            "mount_path": mount_path,
            "provider_mapping": providers,
            "middleware_stack": [SabreErrors, RequestResolver],
            "lock_storage": False,
            "property_manager": None,
            "dir_browser": {"enable": False},
            "logging": {"enable": False},
            "verbose": 0,
        }
    )


def private_dav_app(site: Site) -> WsgiDAVApp:
    """Everything under /remote.php that a logged-in user reaches."""
    remote_proxy = RemoteProxy(site)
    files = TreeProvider(site, home_by_user_segment(site), remote_proxy=remote_proxy)
    return make_dav_app(
        "/remote.php",
        {
            "/dav/files": files,
            "/webdav": TreeProvider(site, home_of_caller(site), remote_proxy=remote_proxy),
            "/dav/uploads": UploadsProvider(site, files),
            "/dav/versions": VersionsProvider(site),
            "/dav/trashbin": TrashProvider(site),
        },
    )


def public_dav_app(site: Site) -> WsgiDAVApp:
    """Everything under /public.php (no user login; the token is the credential)."""
    return make_dav_app(
        "/public.php",
        {
            "/webdav": TreeProvider(site, share_by_basic_auth(site)),
            "/dav/files": TreeProvider(site, share_by_token_segment(site)),
        },
    )
