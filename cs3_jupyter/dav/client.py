"""A small, blocking WebDAV client for one user on one EFSS site.

Blocking on purpose: it is simple to test and reuse, and the Jupyter side runs every call
in a worker thread. HTTP itself (pooled session and login cookie, retries, deadlines, byte
caps, transport failures) is :mod:`cs3_jupyter.transport`'s; this client turns statuses
into :mod:`.errors` and knows WebDAV.

Paths are relative to the user's files root (see :mod:`.paths`); the client turns them into
URLs and maps the server's hrefs back by stripping the base the server itself used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

import requests

from ..transport import Limits, Stream, Transport, TransportError
from ..transport.auth import Auth
from ..transport.errors import AnswerTooLarge, BadAnswer, CredentialUnusable, SiteTimedOut
from ..transport.limits import size_text
from . import errors, paths
from .clock import SiteClock, date_of
from .props import (
    LIGHT_PROPFIND_BODY,
    PROPFIND_BODY,
    Entry,
    parse_checksums,
    parse_http_date,
    parse_multistatus,
    quote_etag,
)

log = logging.getLogger(__name__)

Body = bytes | Iterable[bytes] | None


@dataclass
class WriteResult:
    """What a PUT (or the final MOVE of a chunked upload) told us about the new file."""

    etag: str | None
    #: The modification time the site now reports, when the response says so.
    last_modified: datetime | None
    #: The site's clock (whole seconds) when it answered.
    seen_at: int | None = None


class Download(NamedTuple):
    """A file's bytes and what the answer said about exactly those bytes."""

    body: bytes
    etag: str | None
    last_modified: datetime | None
    #: The site's clock (whole seconds) when it answered.
    seen_at: int | None
    #: The checksums the answer named for exactly these bytes (``OC-Checksum``, as
    #: Nextcloud, ownCloud and Reva send it); None when it named none.
    checksums: dict[str, str] | None = None


class Cancelled(Exception):
    """A download was abandoned by its caller (the file turned out not to be wanted)."""


class DavClient:
    """WebDAV access to ``<url><files_root>`` as one user."""

    def __init__(
        self,
        url: str,
        user: str,
        auth: Auth,
        *,
        files_root: str = "/remote.php/dav/files/{user}/",
        verify: bool | str = True,
        limits: Limits | None = None,
    ) -> None:
        self.user = user
        self.auth = auth
        self.limits = limits or Limits()
        self.transport = Transport(
            url,
            user=user,
            auth=auth,
            limits=self.limits,
            verify=verify,
            translate=_dav_error,
        )
        #: The site's base URL (never with user info).
        self.site_url = self.transport.base
        #: Host (and port) of the site: how errors name it, never with user info.
        self.site_name = self.transport.site
        self._root = "/" + files_root.replace("{user}", quote(user, safe="")).strip("/") + "/"
        self._uploads = urlsplit(self.site_url).path + self._root.replace("/files/", "/uploads/")
        #: The site's clock, from the ``Date`` of every WebDAV answer (see :mod:`.clock`).
        self.clock = SiteClock()

    @property
    def session(self) -> requests.Session:
        """The pooled session of this site and user (shared with the sharing client)."""
        return self.transport.pool.session

    # -- URLs ---------------------------------------------------------------------------

    def url(self, path: str, *, collection: bool = False) -> str:
        """The URL of a relative path (which must already be normalised)."""
        url = self.site_url + self._root + paths.encode(path)
        return url + "/" if collection and path else url

    def dav_url(self, area: str) -> str:
        """URL of another per-user DAV area (``uploads``, ``versions``) next to ``files``.

        Nextcloud and ownCloud put them beside the files root (``.../dav/files/<user>/``
        → ``.../dav/uploads/<user>/``); for any other layout we say it is not supported.
        """
        head, sep, _ = self._root.rstrip("/").rpartition("/files/")
        if not sep:
            raise errors.NotSupported(f"{self.site_name} has no '{area}' area for this files root.")
        return f"{self.site_url}{head}/{area}/{quote(self.user, safe='')}/"

    # -- requests and errors ----------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        path: str,
        headers: dict[str, str] | None = None,
        data: Body = None,
        stream: bool = False,
        max_bytes: int | None = None,
    ) -> Any:
        """Send one request; a non-2xx answer becomes the matching :class:`DavError`.

        Retries, the 401 refresh and transport failures are the transport's (its module
        docstring has the rule). The writes it may repeat are the ones WebDAV makes safe:
        a conditional PUT (``If-Match``/``If-None-Match``: a repeat of one that landed is
        refused, never applied twice) and the parts and final MOVE of a chunked upload
        (same part, same assembly).
        """
        sent = headers or {}
        replayable = (method == "PUT" and ("If-Match" in sent or "If-None-Match" in sent)) or (
            method in ("PUT", "MOVE") and urlsplit(url).path.startswith(self._uploads)
        )
        response = self.transport.request(
            method,
            url,
            headers=headers,
            data=data,
            stream=stream,
            max_bytes=max_bytes,
            replayable=replayable,
        )
        if response.status_code >= 400:
            response.close()
            raise self.error_for(response.status_code, method, path)
        return response

    def error_for(self, status: int, method: str, path: str) -> errors.DavError:
        """The exception for a failed request, with a message that says what to do."""
        site, shown = self.site_name, f"'{path or '/'}'"
        if status == 401:
            return errors.AuthenticationFailed(
                f"{site} refused the credentials of user '{self.user}'. Log in again, or ask "
                "your administrator to renew the password or token."
            )
        if status == 403:
            return errors.PermissionDenied(
                f"You may not change {shown} on {site}: it is read-only for you (for example a "
                "share you can only view)."
                if method not in ("GET", "PROPFIND")
                else f"You may not read {shown} on {site}."
            )
        if status == 404:
            return errors.NotFound(f"{shown} does not exist on {site}.")
        if status == 409:
            return errors.Conflict(
                f"{method} of {shown} conflicts with the state on {site} (is the parent folder "
                "missing?)."
            )
        if status == 412:
            return errors.PreconditionFailed(
                f"{shown} changed on {site} since it was last read.", status
            )
        if status == 423:
            return errors.Locked(
                f"{shown} is locked on {site}, probably open in another application. Close it "
                "there or wait, then try again."
            )
        if status == 507:
            return errors.QuotaExceeded(
                f"Your storage quota on {site} is used up. Free some space (and empty the "
                "trash bin), then try again."
            )
        if status >= 500:
            return errors.SiteUnavailable(
                f"{site} failed with HTTP {status} on {method} {shown}. Try again later.", status
            )
        return errors.ProtocolError(
            f"{site} answered {method} {shown} with an unexpected HTTP {status}.", status
        )

    # -- reading ------------------------------------------------------------------------

    def _propfind(self, path: str, depth: str, *, light: bool = False) -> list[Entry]:
        path = paths.normalize(path)
        limits = self.limits
        cap = limits.max_listing_bytes
        too_large = self._listing_too_large(
            path, f"its listing is larger than {size_text(cap)}", "bytes"
        )
        try:
            answer = self.request(
                "PROPFIND",
                self.url(path),
                path=path,
                headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
                data=LIGHT_PROPFIND_BODY if light else PROPFIND_BODY,
                stream=True,
                max_bytes=cap,
            )
        except errors.TooLarge:
            raise too_large from None
        with answer:
            if answer.status_code != 207:
                raise errors.ProtocolError(
                    f"{self.site_name} answered a PROPFIND with HTTP {answer.status_code}, not 207."
                )
            declared = answer.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > cap:
                raise too_large
            seen_at = self.clock.observe(answer.headers)
            # Parsed as it arrives: a large listing's parse overlaps its transfer.
            # One item is one entry: a site sending more for it is cut off at once.
            most = 1 if depth == "0" else limits.max_listing_entries
            try:
                entries = parse_multistatus(_at_most(answer.iter_content(), cap), most)
            except _TooLong:
                raise too_large from None
            except errors.TooLarge:
                if depth == "0":
                    raise errors.ProtocolError(
                        f"{self.site_name} described '{path}' with more than one entry."
                    ) from None
                many = f"{limits.max_listing_entries:,}"
                raise self._listing_too_large(
                    path, f"it holds more than {many} entries", "entries"
                ) from None
            except errors.ProtocolError as err:
                raise errors.ProtocolError(f"{self.site_name}: {err.message}") from None
        if not entries:
            raise errors.ProtocolError(f"{self.site_name} sent an empty listing for '{path}'.")
        for entry in entries:
            entry.seen_at = seen_at
            if light:
                entry.checksums = None
        # The target is the entry every other one sits below: its href is the base the server
        # used for `path`, whatever namespace that is in.
        target = min(entries, key=lambda e: len(e.href_path.rstrip("/")))
        target.path = path
        children = []
        for entry in entries:
            if entry is target:
                continue
            rest = paths.relative_to(target.href_path, entry.href_path)
            if not rest or "/" in rest:
                log.warning(
                    "Ignoring an entry outside '%s' in a listing from %s", path, self.site_name
                )
                continue
            entry.path = paths.join(path, rest)
            children.append(entry)
        return [target, *children]

    def _listing_too_large(self, path: str, why: str, limit: str) -> errors.TooLarge:
        """What the user sees for a folder beyond a listing limit: which folder, which limit,
        and the setting an administrator raises (``CS3Site.max_listing_<limit>``)."""
        folder = f"The folder '{path}'" if path else "Your home folder"
        setting = f"CS3Site.max_listing_{limit} (CS3_MAX_LISTING_{limit.upper()})"
        return errors.TooLarge(
            f"{folder} on {self.site_name} is too large to list: {why}, the limit set by "
            f"{setting}. Open one of its subfolders, or ask your administrator to raise "
            "that setting."
        )

    def stat(self, path: str) -> Entry:
        """Properties of one file or folder (``PROPFIND Depth: 0``)."""
        return self._propfind(path, "0")[0]

    def listdir(self, path: str, *, light: bool = False) -> tuple[Entry, list[Entry]]:
        """A folder and its children in one ``PROPFIND Depth: 1``.

        ``light``: without checksums and folder sizes (their ``checksums`` are None), for a
        listing shown to a user: a third less for the site to produce and for us to parse.
        """
        target, *children = self._propfind(path, "1", light=light)
        return target, children

    def tree_size(self, path: str) -> int | None:
        """Bytes in a folder and everything below it, for sites that do not report a
        folder's size (``oc:size``): one ``PROPFIND Depth: infinity``, or None where the
        site refuses those (as ownCloud does)."""
        path = paths.normalize(path)
        try:
            response = self.request(
                "PROPFIND",
                self.url(path, collection=True),
                path=path,
                headers={"Depth": "infinity", "Content-Type": "application/xml; charset=utf-8"},
                data=PROPFIND_BODY,
                max_bytes=self.limits.max_listing_bytes,
            )
        except (errors.PermissionDenied, errors.PreconditionFailed, errors.ProtocolError):
            return None
        entries = parse_multistatus(response.content, self.limits.max_listing_entries)
        return sum(entry.size or 0 for entry in entries if not entry.is_dir)

    def download(self, path: str, *, cancel: threading.Event | None = None) -> Download:
        """The body of a file and what the answer said about exactly that body.

        Read in blocks, so a caller that learns meanwhile that it does not want the file
        (its properties said it is a folder, or gone) sets ``cancel`` and the transfer
        stops at the next block instead of fetching the rest (:class:`Cancelled`).
        """
        path = paths.normalize(path)
        cap = self.limits.max_file_bytes
        body = bytearray()
        with self.request("GET", self.url(path), path=path, stream=True) as response:
            headers = response.headers
            seen_at = self.clock.observe(headers)
            declared = headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > cap:
                raise self._too_large(path, cap)
            for block in response.iter_content():
                if cancel is not None and cancel.is_set():
                    raise Cancelled(path)
                body += block
                if len(body) > cap:
                    raise self._too_large(path, cap)
        etag = headers.get("ETag")
        modified = headers.get("Last-Modified")
        checksum = headers.get("OC-Checksum")
        return Download(
            bytes(body),
            quote_etag(etag) if etag else None,
            parse_http_date(modified) if modified else None,
            seen_at,
            parse_checksums([checksum]) if checksum else None,
        )

    def _too_large(self, path: str, cap: int) -> errors.ProtocolError:
        return errors.ProtocolError(
            f"'{path}' is larger than {max(1, cap >> 20)} MB, too large to open in the "
            "editor; download it instead."
        )

    def open_download(self, path: str, *, offset: int = 0) -> Stream:
        """A streaming GET; the caller iterates ``iter_content`` and must close it.

        With ``offset`` the body starts there (``Range``); a site that ignores ranges answers
        200 with the whole body, so the caller checks for 206 before trusting the start.
        """
        path = paths.normalize(path)
        headers = {"Range": f"bytes={offset}-"} if offset else None
        return self.request("GET", self.url(path), path=path, headers=headers, stream=True)

    # -- writing ------------------------------------------------------------------------

    def put(
        self,
        path: str,
        data: Body,
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        mtime: int | None = None,
        sha1: str | None = None,
    ) -> WriteResult:
        """Write a file in one PUT, optionally only if it is still at ETag ``if_match``
        (or, with ``if_none_match``, only if there is no file there yet).

        ``sha1`` (hex) is sent as ``OC-Checksum`` so sites that keep checksums report the
        same one we computed, and the caller can know the new file's checksum unasked.
        """
        path = paths.normalize(path)
        headers: dict[str, str] = {"Content-Type": "application/octet-stream"}
        if sha1:
            headers["OC-Checksum"] = f"SHA1:{sha1}"
        if if_match:
            headers["If-Match"] = if_match
        if if_none_match:
            headers["If-None-Match"] = "*"
        if mtime is not None:
            headers["X-OC-MTime"] = str(mtime)
        try:
            response = self.request("PUT", self.url(path), path=path, headers=headers, data=data)
        except errors.NotFound:
            # Nextcloud answers a PUT below a missing folder with 404, the RFC with 409.
            raise errors.Conflict(
                f"The folder of '{path}' does not exist on {self.site_name}."
            ) from None
        except errors.ProtocolError as err:
            raise self._refused_name(err, path) from None
        self.clock.observe(response.headers)
        return write_result(response, mtime)

    def _refused_name(self, err: errors.ProtocolError, path: str) -> errors.DavError:
        """A 400 to a write is the site refusing the name (a character or length it does not
        allow); anything else stays what it was."""
        if err.status != 400:
            return err
        return errors.BadPath(
            f"{self.site_name} refused the name '{paths.split(path)[1]}' (it does not allow "
            "some characters or names this long). Choose another name."
        )

    def mkcol(self, path: str) -> None:
        """Create a folder; :class:`AlreadyExists` if something is already there."""
        path = paths.normalize(path)
        try:
            self.request("MKCOL", self.url(path, collection=True), path=path)
        except errors.ProtocolError as err:
            if err.status == 405:
                raise errors.AlreadyExists(
                    f"'{path}' already exists on {self.site_name}."
                ) from None
            raise self._refused_name(err, path) from None

    def delete(self, path: str, *, if_match: str | None = None) -> None:
        """Delete a file or folder (the site usually keeps it in its trash bin), optionally
        only if it is still at ETag ``if_match`` (else :class:`PreconditionFailed`)."""
        path = paths.normalize(path)
        if not path:
            raise errors.BadPath("The root folder cannot be deleted.")
        headers = {"If-Match": if_match} if if_match else None
        self.request("DELETE", self.url(path), path=path, headers=headers)

    def move(self, source: str, target: str, *, overwrite: bool = False) -> WriteResult:
        """Rename on the server; :class:`AlreadyExists` if the target exists.

        The result carries the moved item's ETag when the site sends one (Nextcloud's
        ``OC-ETag``), so the caller can describe it without asking again.
        """
        return self._transfer("MOVE", source, target, overwrite)

    def copy(self, source: str, target: str, *, overwrite: bool = False) -> WriteResult:
        """Copy on the server, without downloading anything."""
        return self._transfer("COPY", source, target, overwrite)

    def _transfer(self, method: str, source: str, target: str, overwrite: bool) -> WriteResult:
        source, target = paths.normalize(source), paths.normalize(target)
        if not source or not target:
            raise errors.BadPath("The root folder cannot be moved or copied, nor replaced.")
        headers = {"Destination": self.url(target), "Overwrite": "T" if overwrite else "F"}
        try:
            response = self.request(method, self.url(source), path=source, headers=headers)
        except errors.PreconditionFailed:
            raise errors.AlreadyExists(f"'{target}' already exists on {self.site_name}.") from None
        except errors.ProtocolError as err:
            raise self._refused_name(err, target) from None
        self.clock.observe(response.headers)
        return write_result(response, None)


class _TooLong(Exception):
    """A streamed answer went past its byte cap."""


def _at_most(blocks: Iterable[bytes], cap: int) -> Iterator[bytes]:
    """``blocks``, failing with :class:`_TooLong` once more than ``cap`` bytes came."""
    total = 0
    for block in blocks:
        total += len(block)
        if total > cap:
            raise _TooLong
        yield block


def _dav_error(err: TransportError) -> errors.DavError:
    """The WebDAV error for a transport failure (504 for time, 401 for the credential)."""
    if isinstance(err, SiteTimedOut):
        return errors.SiteTimeout(err.message)
    if isinstance(err, CredentialUnusable):
        return errors.AuthenticationFailed(err.message)
    if isinstance(err, AnswerTooLarge):
        return errors.TooLarge(err.message)
    if isinstance(err, BadAnswer):
        return errors.ProtocolError(err.message)
    return errors.SiteUnavailable(err.message)


def write_result(response: requests.Response, mtime: int | None) -> WriteResult:
    """Read the new file's ETag, id and modification time from a write's response headers."""
    headers = response.headers
    last_modified = None
    if mtime is not None and headers.get("X-OC-MTime", "").lower() == "accepted":
        last_modified = datetime.fromtimestamp(mtime, tz=timezone.utc)
    elif headers.get("Last-Modified"):
        last_modified = parse_http_date(headers["Last-Modified"])
    etag = headers.get("ETag") or headers.get("OC-ETag")
    return WriteResult(
        etag=quote_etag(etag) if etag else None,
        last_modified=last_modified,
        seen_at=date_of(headers),
    )
