"""Settings for the user's EFSS site: one place, traitlets with environment fallbacks.

Hub admins configure single-user servers either in Python/JSON config
(``c.CS3Site.url = ...``) or through environment variables set by the spawner
(``CS3_SITE_URL`` ...). Config wins over the environment, so an explicit setting is
never overridden by a stray variable. Secrets are never part of :meth:`CS3Site.describe`.

User info in a configured URL (``http://alice:pw@host``) is taken out when the URL is set,
so no id, message, log line or API answer can show it: for the site URL it becomes the
Basic credential when ``user``/``password`` are not set themselves (with a warning, once);
in the mesh directory URL and the static mesh sites it is dropped (those are read
anonymously, never with a credential).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from traitlets import Bool, Float, Int, List, Unicode, default, validate
from traitlets.config import Configurable

from .transport.limits import Limits
from .transport.urls import split_userinfo, strip_userinfo

log = logging.getLogger(__name__)

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
    "mesh_directory_ttl": "CS3_MESH_DIRECTORY_TTL",
    "request_deadline": "CS3_REQUEST_DEADLINE",
    "probe_deadline": "CS3_PROBE_DEADLINE",
    "min_transfer_rate": "CS3_MIN_TRANSFER_RATE",
    "retries": "CS3_RETRIES",
    "site_concurrency": "CS3_SITE_CONCURRENCY",
    "max_listing_bytes": "CS3_MAX_LISTING_BYTES",
    "max_listing_entries": "CS3_MAX_LISTING_ENTRIES",
    "max_answer_bytes": "CS3_MAX_ANSWER_BYTES",
    "max_file_bytes": "CS3_MAX_FILE_BYTES",
    "max_document_bytes": "CS3_MAX_DOCUMENT_BYTES",
}

SECRET_TRAITS = frozenset({"password", "token"})


def _site_url(value: str) -> str:
    """The one spelling of a site URL (no trailing slash, no user info), wherever it was set."""
    value = strip_userinfo(value.strip()).rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        shown = "" if "@" in value else f", got {value!r}"  # never echo a user:password@
        raise ValueError(f"CS3Site.url must start with http:// or https://{shown}")
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
    "mesh_directory_url": strip_userinfo,
    "mesh_sites": lambda value: [strip_userinfo(url) for url in _comma_list(value)],
    "mesh_directory_ttl": float,
    "request_deadline": float,
    "probe_deadline": float,
    "min_transfer_rate": int,
    "retries": int,
    "site_concurrency": int,
    "max_listing_bytes": int,
    "max_listing_entries": int,
    "max_answer_bytes": int,
    "max_file_bytes": int,
    "max_document_bytes": int,
}


_DEFAULT_LIMITS = Limits()


class CS3Site(Configurable):
    """The EFSS site this Jupyter server works against, and how to log in to it."""

    url = Unicode(
        help="Base URL of the user's EFSS site, e.g. https://cloud.example.org "
        "(no trailing /remote.php/...). A user:password@ part is taken out of the URL and "
        "used as the Basic credential where user/password are not set. "
        "Environment: CS3_SITE_URL.",
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
        help="Seconds to wait for a connection to the site, and then for each piece of its "
        "answer, before giving up with a 504. Environment: CS3_TIMEOUT.",
    ).tag(config=True)

    request_deadline = Float(
        _DEFAULT_LIMITS.deadline,
        help="Seconds one request to the site may take in total, its answer included, "
        "however slowly the site sends it; then 504. File transfers may take longer while "
        "they move at least min_transfer_rate. Environment: CS3_REQUEST_DEADLINE.",
    ).tag(config=True)

    probe_deadline = Float(
        _DEFAULT_LIMITS.probe_deadline,
        help="Seconds a read of another site's public document (OCM discovery, the mesh "
        "directory) may take in total; the mesh site list waits at most this long for all "
        "sites together. Environment: CS3_PROBE_DEADLINE.",
    ).tag(config=True)

    min_transfer_rate = Int(
        _DEFAULT_LIMITS.min_transfer_rate,
        help="Bytes per second a file download or upload must average to be allowed more "
        "time than request_deadline. Environment: CS3_MIN_TRANSFER_RATE.",
    ).tag(config=True)

    retries = Int(
        _DEFAULT_LIMITS.retries,
        help="How many more times a read (GET, HEAD, PROPFIND, OCS reads) is sent after a "
        "broken connection or HTTP 500/502/503/504, with a short growing pause. Writes are "
        "repeated only where that is safe (see the docs). Environment: CS3_RETRIES.",
    ).tag(config=True)

    site_concurrency = Int(
        _DEFAULT_LIMITS.site_concurrency,
        help="Requests this server sends to one site at the same time; more wait their "
        "turn (within their deadline). Environment: CS3_SITE_CONCURRENCY.",
    ).tag(config=True)

    max_listing_bytes = Int(
        _DEFAULT_LIMITS.max_listing_bytes,
        help="Largest folder listing (PROPFIND answer) accepted, in bytes; 10,000 entries "
        "are about 6 MiB. Environment: CS3_MAX_LISTING_BYTES.",
    ).tag(config=True)

    max_listing_entries = Int(
        _DEFAULT_LIMITS.max_listing_entries,
        help="Most entries one folder listing may hold. Environment: CS3_MAX_LISTING_ENTRIES.",
    ).tag(config=True)

    max_answer_bytes = Int(
        _DEFAULT_LIMITS.max_answer_bytes,
        help="Largest sharing API answer (OCS, invitations) accepted, in bytes. "
        "Environment: CS3_MAX_ANSWER_BYTES.",
    ).tag(config=True)

    max_file_bytes = Int(
        _DEFAULT_LIMITS.max_file_bytes,
        help="Largest file opened into memory (the editor, notebooks), in bytes; downloads "
        "through /files/ are streamed and not limited. An answer that does not state its "
        "length is held to max_listing_bytes. Environment: CS3_MAX_FILE_BYTES.",
    ).tag(config=True)

    max_document_bytes = Int(
        _DEFAULT_LIMITS.max_document_bytes,
        help="Largest discovery or mesh directory document read from a site, in bytes. "
        "Environment: CS3_MAX_DOCUMENT_BYTES.",
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

    mesh_directory_ttl = Float(
        300.0,
        help="Seconds the mesh directory's list of sites is reused before it is read again "
        "(a site that joins the mesh shows up after at most this long; 0 reads it on every "
        "request). Environment: CS3_MESH_DIRECTORY_TTL.",
    ).tag(config=True)

    # Each trait's default is its environment variable when that is set (and not empty), else
    # the default declared above; config files and the command line win over both.

    def _from_environment(self, name: str) -> Any:
        raw = os.environ.get(ENV_VARS[name], "")
        if not raw.strip():
            return self.traits()[name].default()
        if name == "url":
            self._note_url_userinfo(raw)
        return _PARSERS.get(name, str)(raw)

    @default("url")
    def _default_url(self) -> Any:
        return self._from_environment("url")

    @default("token")
    def _default_token(self) -> Any:
        return self._from_environment("token")

    @default("token_file")
    def _default_token_file(self) -> Any:
        return self._from_environment("token_file")

    @default("webdav_root")
    def _default_webdav_root(self) -> Any:
        return self._from_environment("webdav_root")

    @default("verify_tls")
    def _default_verify_tls(self) -> Any:
        return self._from_environment("verify_tls")

    @default("ca_bundle")
    def _default_ca_bundle(self) -> Any:
        return self._from_environment("ca_bundle")

    @default("timeout")
    def _default_timeout(self) -> Any:
        return self._from_environment("timeout")

    @default("mesh_directory_url")
    def _default_mesh_directory_url(self) -> Any:
        return self._from_environment("mesh_directory_url")

    @default("mesh_sites")
    def _default_mesh_sites(self) -> Any:
        return self._from_environment("mesh_sites")

    @default("mesh_directory_ttl")
    def _default_mesh_directory_ttl(self) -> Any:
        return self._from_environment("mesh_directory_ttl")

    @default("request_deadline")
    def _default_request_deadline(self) -> Any:
        return self._from_environment("request_deadline")

    @default("probe_deadline")
    def _default_probe_deadline(self) -> Any:
        return self._from_environment("probe_deadline")

    @default("min_transfer_rate")
    def _default_min_transfer_rate(self) -> Any:
        return self._from_environment("min_transfer_rate")

    @default("retries")
    def _default_retries(self) -> Any:
        return self._from_environment("retries")

    @default("site_concurrency")
    def _default_site_concurrency(self) -> Any:
        return self._from_environment("site_concurrency")

    @default("max_listing_bytes")
    def _default_max_listing_bytes(self) -> Any:
        return self._from_environment("max_listing_bytes")

    @default("max_listing_entries")
    def _default_max_listing_entries(self) -> Any:
        return self._from_environment("max_listing_entries")

    @default("max_answer_bytes")
    def _default_max_answer_bytes(self) -> Any:
        return self._from_environment("max_answer_bytes")

    @default("max_file_bytes")
    def _default_max_file_bytes(self) -> Any:
        return self._from_environment("max_file_bytes")

    @default("max_document_bytes")
    def _default_max_document_bytes(self) -> Any:
        return self._from_environment("max_document_bytes")

    _url_userinfo: tuple[str | None, str | None] = (None, None)

    def _note_url_userinfo(self, raw: str) -> None:
        _, user, password = split_userinfo(raw)
        self._url_userinfo = (user, password)
        if user is not None or password is not None:
            log.warning(
                "CS3Site.url carried a user name or password; it was taken out of the URL and "
                "is used only as the login. Prefer CS3Site.user and CS3Site.password."
            )

    @validate("url")
    def _validate_url(self, proposal: dict[str, Any]) -> str:
        self._note_url_userinfo(proposal["value"])
        return _site_url(proposal["value"])

    @validate("mesh_directory_url")
    def _validate_directory(self, proposal: dict[str, Any]) -> str:
        return strip_userinfo(proposal["value"])

    @validate("mesh_sites")
    def _validate_mesh_sites(self, proposal: dict[str, Any]) -> list[str]:
        return [strip_userinfo(url) for url in proposal["value"]]

    @default("user")
    def _default_user(self) -> str:
        raw = os.environ.get(ENV_VARS["user"], "").strip()
        _ = self.url  # settles the URL (and any user info it carried) first
        return raw or self._url_userinfo[0] or ""

    @default("password")
    def _default_password(self) -> str:
        raw = os.environ.get(ENV_VARS["password"], "")
        _ = self.url
        return raw if raw.strip() else self._url_userinfo[1] or ""

    def limits(self) -> Limits:
        """The transport bounds these settings describe (cs3_jupyter.transport.Limits)."""
        return Limits(
            timeout=self.timeout,
            deadline=self.request_deadline,
            probe_deadline=self.probe_deadline,
            min_transfer_rate=self.min_transfer_rate,
            retries=self.retries,
            site_concurrency=self.site_concurrency,
            max_listing_bytes=self.max_listing_bytes,
            max_listing_entries=self.max_listing_entries,
            max_answer_bytes=self.max_answer_bytes,
            max_file_bytes=self.max_file_bytes,
            max_document_bytes=self.max_document_bytes,
        )

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
