"""The page a public link opens in a browser: ``/index.php/s/<token>``, as on Nextcloud.

A link's ``url`` (what the share dialog copies) must open something a person can use, as
Nextcloud's does (docs/protocols.md §8): a small HTML page with the item's name and a
download link, or, for a password-protected link, a password form first. A folder shows its
entries, each to download or to open. Only public links (share type 3) open here, never the
secret of a federated share. Whole-folder downloads (Nextcloud's zip) are not offered.

After the right password the browser gets a cookie for this link only, derived from a
per-site secret and the link's password hash, so changing the password closes it again.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Callable, Iterable, Iterator
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .files import Entry, is_within, normpath
from .shares import LINK, Share, ShareStore
from .statuses import status_line
from .users import verify_password
from .webapp import Request, relative_path

if TYPE_CHECKING:
    from .site import Site

PREFIX = "/index.php/s"
_CHUNK = 64 * 1024

StartResponse = Callable[..., Any]


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>"
        "</head><body><main>"
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def _size(entry: Entry) -> str:
    size = float(entry.size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class LinkPage:
    """WSGI app mounted at ``/index.php/s`` on every site."""

    def __init__(
        self, site: Site, store: ShareStore, item: Callable[[Share], Entry | None]
    ) -> None:
        self.site = site
        self.store = store
        self.item = item
        self._secret = site.db.setting("link_cookie_secret", lambda: secrets.token_hex(32))

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ, relative_path(environ, PREFIX))
        token, _, rest = request.path.strip("/").partition("/")
        share = self.store.by_token(token) if token else None
        if share is None or share.share_type != LINK or share.expired:
            return self._html(start_response, 404, self._gone())
        root = self.item(share)
        if root is None:
            return self._html(start_response, 404, self._gone())
        base = f"{PREFIX}/{quote(token)}"
        if rest == "authenticate" and request.method == "POST":
            return self._authenticate(request, start_response, share, base)
        if request.method not in ("GET", "HEAD"):
            return self._html(start_response, 405, _page("Not allowed", ""))
        if share.password_hash and not self._unlocked(request, share):
            return self._html(start_response, 200, self._password_form(root, base, wrong=False))
        sub = request.arg("path") or ""
        try:
            rel = normpath(sub)
        except ValueError:
            return self._html(start_response, 404, self._gone())
        entry = self.site.files.stat(share.owner, f"{root.path}/{rel}".strip("/")) if rel else root
        if entry is None or not is_within(entry.path, root.path):
            return self._html(start_response, 404, self._gone())
        if rest == "download":
            if entry.is_dir:
                return self._html(start_response, 404, self._gone())
            return self._download(entry, start_response, head=request.method == "HEAD")
        if rest:
            return self._html(start_response, 404, self._gone())
        return self._html(start_response, 200, self._show(share, root, entry, rel, base))

    # -- pages -------------------------------------------------------------------------------
    @staticmethod
    def _gone() -> bytes:
        return _page(
            "Share not found",
            "<p>This share does not exist or is no longer available: it may have been "
            "deleted or it expired.</p>",
        )

    @staticmethod
    def _password_form(root: Entry, base: str, *, wrong: bool) -> bytes:
        problem = "<p role='alert'>The password is wrong. Try again.</p>" if wrong else ""
        return _page(
            root.name,
            "<p>This share is password-protected.</p>"
            f"{problem}<form method='post' action='{html.escape(base)}/authenticate'>"
            "<label for='password'>Password</label> "
            "<input id='password' name='password' type='password' autocomplete='off' required> "
            "<button type='submit'>Open</button></form>",
        )

    def _show(self, share: Share, root: Entry, entry: Entry, rel: str, base: str) -> bytes:
        owner = self.site.users.display_name(share.owner) or share.owner
        note = f"<p class='note'>{html.escape(share.note)}</p>" if share.note else ""
        head = f"<p>Shared by {html.escape(owner)}.</p>{note}"
        if not entry.is_dir:
            link = f"{base}/download" + (f"?path={quote(rel)}" if rel else "")
            return _page(
                entry.name,
                f"{head}<p><a href='{html.escape(link)}' download>Download "
                f"{html.escape(entry.name)}</a> ({_size(entry)})</p>",
            )
        rows = []
        for child in sorted(
            self.site.files.children(share.owner, entry.path), key=lambda e: e.name
        ):
            child_rel = f"{rel}/{child.name}".strip("/")
            if child.is_dir:
                href = f"{base}?path={quote(child_rel)}"
                rows.append(
                    f"<li><a href='{html.escape(href)}'>{html.escape(child.name)}/</a></li>"
                )
            else:
                href = f"{base}/download?path={quote(child_rel)}"
                rows.append(
                    f"<li><a href='{html.escape(href)}' download>{html.escape(child.name)}</a> "
                    f"({_size(child)})</li>"
                )
        listing = f"<ul>{''.join(rows)}</ul>" if rows else "<p>This folder is empty.</p>"
        return _page(entry.name if rel else root.name, head + listing)

    # -- password ------------------------------------------------------------------------------
    def _cookie_name(self, share: Share) -> str:
        return f"lm_link_{share.id}"

    def _mac(self, share: Share) -> str:
        data = f"{share.token}:{share.password_hash}".encode()
        return hmac.new(self._secret.encode(), data, hashlib.sha256).hexdigest()

    def _unlocked(self, request: Request, share: Share) -> bool:
        try:
            cookies = SimpleCookie(request.header("Cookie"))
        except CookieError:
            return False
        morsel = cookies.get(self._cookie_name(share))
        return morsel is not None and hmac.compare_digest(morsel.value, self._mac(share))

    def _authenticate(
        self, request: Request, start_response: StartResponse, share: Share, base: str
    ) -> Iterable[bytes]:
        password = request.arg("password") or ""
        root = self.item(share)
        assert root is not None
        if not share.password_hash or verify_password(share.password_hash, password):
            cookie = (
                f"{self._cookie_name(share)}={self._mac(share)}; Path={base}; HttpOnly; "
                "SameSite=Lax"
            )
            start_response(
                status_line(303),
                [("Location", base), ("Set-Cookie", cookie), ("Content-Length", "0")],
            )
            return [b""]
        return self._html(start_response, 403, self._password_form(root, base, wrong=True))

    # -- answers ---------------------------------------------------------------------------------
    @staticmethod
    def _html(start_response: StartResponse, status: int, body: bytes) -> list[bytes]:
        start_response(
            status_line(status),
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def _download(
        self, entry: Entry, start_response: StartResponse, *, head: bool
    ) -> Iterable[bytes]:
        name = quote(entry.name)
        start_response(
            status_line(200),
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", str(entry.size or 0)),
                ("Content-Disposition", f"attachment; filename*=UTF-8''{name}"),
            ],
        )
        if head:
            return [b""]
        return self._chunks(entry)

    def _chunks(self, entry: Entry) -> Iterator[bytes]:
        with self.site.files.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk
