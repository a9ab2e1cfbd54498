"""Settings for the user's EFSS site: one place, traitlets with environment fallbacks.

Hub admins configure single-user servers either in Python/JSON config
(``c.CS3Site.url = ...``) or through environment variables set by the spawner
(``CS3_SITE_URL`` ...). Config wins over the environment, so an explicit setting is
never overridden by a stray variable. Secrets are never part of :meth:`CS3Site.describe`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from traitlets import Bool, Float, List, Unicode, default, validate
from traitlets.config import Configurable

# Trait name -> environment variable. One table so the docs, `describe()` and the
# defaults cannot drift apart.
ENV_VARS: dict[str, str] = {
    "url": "CS3_SITE_URL",
    "user": "CS3_USER",
    "password": "CS3_PASSWORD",
    "token": "CS3_TOKEN",
    "token_file": "CS3_TOKEN_FILE",
    "webdav_root": "CS3_WEBDAV_ROOT",
    "verify_tls": "CS3_VERIFY_TLS",
    "ca_bundle": "CS3_CA_BUNDLE",
    "timeout": "CS3_TIMEOUT",
    "mesh_directory_url": "CS3_MESH_DIRECTORY_URL",
    "mesh_sites": "CS3_MESH_SITES",
}

SECRET_TRAITS = frozenset({"password", "token"})


def _site_url(value: str) -> str:
    """The one spelling of a site URL (no trailing slash), wherever it was set."""
    value = value.strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"CS3Site.url must start with http:// or https://, got {value!r}")
    return value


def _truthy(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# How an environment variable's text becomes the trait's value (str when not listed). Defaults
# skip @validate, so the URL is normalized here too, or CS3_SITE_URL=".../" would slip through.
_PARSERS: dict[str, Callable[[str], Any]] = {
    "url": _site_url,
    "verify_tls": _truthy,
    "timeout": float,
    "mesh_sites": _comma_list,
}


def _from_environment(name: str) -> Any:
    """A traitlets dynamic default for trait ``name`` read from its ``CS3_*`` variable."""

    def generate(self: Configurable) -> Any:
        raw = os.environ.get(ENV_VARS[name], "")
        if not raw.strip():
            return self.traits()[name].default()
        return _PARSERS.get(name, str)(raw)

    return default(name)(generate)


class CS3Site(Configurable):
    """The EFSS site this Jupyter server works against, and how to log in to it."""

    url = Unicode(
        help="Base URL of the user's EFSS site, e.g. https://cloud.example.org "
        "(no trailing /remote.php/...). Environment: CS3_SITE_URL.",
    ).tag(config=True)

    user = Unicode(
        help="The user's id on the site (the id in /remote.php/dav/files/<id>/, not always "
        "the login name). Environment: CS3_USER.",
    ).tag(config=True)

    password = Unicode(
        help="Password or app password for Basic authentication. Prefer an app password. "
        "Environment: CS3_PASSWORD.",
    ).tag(config=True)

    token = Unicode(
        help="Bearer (OIDC) access token. Environment: CS3_TOKEN. For tokens that get "
        "refreshed, use token_file instead.",
    ).tag(config=True)

    token_file = Unicode(
        help="Path of a file holding a bearer token. It is re-read when it changes and after a "
        "401, so a hub can refresh the token without restarting the server. "
        "Environment: CS3_TOKEN_FILE.",
    ).tag(config=True)

    webdav_root = Unicode(
        "/remote.php/dav/files/{user}/",
        help="Path of the user's WebDAV files root on the site; '{user}' is replaced by the "
        "user id. Environment: CS3_WEBDAV_ROOT.",
    ).tag(config=True)

    verify_tls = Bool(
        True,
        help="Verify the site's TLS certificate. Turn off only for test sites. "
        "Environment: CS3_VERIFY_TLS (0/1).",
    ).tag(config=True)

    ca_bundle = Unicode(
        help="Path of a CA bundle used to verify the site's certificate (for sites behind a "
        "private CA). Environment: CS3_CA_BUNDLE.",
    ).tag(config=True)

    timeout = Float(
        30.0,
        help="Seconds to wait for the site to answer one request before giving up with a "
        "504. Environment: CS3_TIMEOUT.",
    ).tag(config=True)

    mesh_directory_url = Unicode(
        help="URL of the ScienceMesh directory: a JSON list of ProviderInfo objects or an OCM "
        "Directory Service document. Environment: CS3_MESH_DIRECTORY_URL.",
    ).tag(config=True)

    mesh_sites = List(
        Unicode(),
        help="Base URLs of mesh sites to show and accept besides (or instead of) the "
        "directory's, for meshes without a directory. Environment: CS3_MESH_SITES "
        "(comma-separated).",
    ).tag(config=True)

    # One dynamic default per trait, all alike: the environment variable when it is set (and
    # not empty), else the default declared above. Config files and the command line win.
    for _name in ENV_VARS:
        locals()[f"_default_{_name}"] = _from_environment(_name)
    del _name

    @validate("url")
    def _validate_url(self, proposal: dict[str, Any]) -> str:
        return _site_url(proposal["value"])

    @property
    def configured(self) -> bool:
        """True when there is a site to talk to (the contents manager is only swapped in then)."""
        return bool(self.url and self.user)

    @property
    def credential_source(self) -> str:
        """Which credential is used, by name only: safe to print and log."""
        if self.token_file:
            return "token_file"
        if self.token:
            return "token"
        if self.password:
            return "password"
        return "none"

    def describe(self) -> dict[str, Any]:
        """The effective settings without any secret, for logs and the admin command."""
        out: dict[str, Any] = {}
        for name in ENV_VARS:
            if name in SECRET_TRAITS:
                out[name] = "(set)" if getattr(self, name) else "(not set)"
            else:
                out[name] = getattr(self, name)
        out["credential_source"] = self.credential_source
        return out
