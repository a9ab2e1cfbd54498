"""Shares others made with me: list, accept, decline; nothing disappears without a word.

Two things a plain listing would hide are said here:

* a federated share whose owner's site is down stays listed, with a ``problem`` that names
  the site and the cause (found by OCM discovery of the owner's site, which is anonymous
  and cached);
* a share that vanished from the site's lists without the user declining it here (the owner
  revoked it, it expired, its item was deleted, or the user deleted its folder from the file
  browser, which Nextcloud takes as leaving the share: this server cannot tell these apart)
  is listed once more as ``revoked`` until the user dismisses it, so the panel can say so
  instead of losing the row silently. This memory lives in this server process only.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from . import models, validate
from .errors import SharingError
from .mesh import Mesh
from .ocs import OCSClient, OCSError
from .refusals import ocs_failure

# (state, kind, OCS listing, params): four independent lists, fetched at once because the
# panel polls them.
LISTS = (
    ("pending", "local", "/shares/pending", None),
    ("pending", "federated", "/remote_shares/pending", None),
    ("accepted", "local", "/shares", {"shared_with_me": "true"}),
    ("accepted", "federated", "/remote_shares", None),
)


#: Revoked rows kept until dismissed; the oldest go first beyond this many.
MAX_REVOKED = 50


def _received_id(value: str) -> tuple[str, str]:
    kind, _, raw = validate.identifier(value, "received share").partition("-")
    if kind not in ("local", "federated") or not raw:
        raise SharingError(404, "not_found", "There is no such received share.")
    return kind, raw


class ReceivedShares:
    def __init__(self, ocs: OCSClient, mesh: Mesh, domain: str) -> None:
        self.ocs = ocs
        self.mesh = mesh
        self.domain = domain
        self._lock = threading.Lock()
        #: Rows of the last full listing, by id: what "vanished" is measured against.
        self._seen: dict[str, dict[str, Any]] | None = None
        self._revoked: dict[str, dict[str, Any]] = {}

    def listing(self, state: str = "all") -> list[dict[str, Any]]:
        state = validate.received_state(state)
        if state == "revoked":
            with self._lock:
                return list(self._revoked.values())
        wanted = [item for item in LISTS if state in ("all", item[0])]
        with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
            results = list(pool.map(lambda item: self._ocs_list(item[2], item[3]), wanted))
        out: list[dict[str, Any]] = []
        for (item_state, kind, _, _), items in zip(wanted, results, strict=True):
            for item in items:
                if kind == "local":
                    out.append(models.received_local(item, item_state, self.domain))
                else:
                    out.append(models.received_remote(item, item_state))
        self._mark_unreachable_owners(out)
        if state == "all":
            out += self._note_vanished(out)
        return out

    def _ocs_list(self, sub: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        try:
            data = self.ocs.shares("GET", sub, params=params)
        except OCSError as err:
            raise ocs_failure(err, self.domain, "list the shares you received") from None
        return [item for item in data or () if isinstance(item, dict)]

    def _mark_unreachable_owners(self, shares: list[dict[str, Any]]) -> None:
        """Flag federated shares whose owner's site (a site of the mesh) does not answer now.

        Only sites the mesh directory lists are probed: a share's ``remote`` URL comes from
        another site and is not a place this server should send requests to on its word.
        """
        domains = {s["owner"]["site"] for s in shares if s["kind"] == "federated"}
        sites: dict[str, str] = {}
        for domain in domains:
            try:
                site = self.mesh.find(domain)
            except SharingError:
                return  # no directory now: nothing to compare with
            if site is not None:
                sites[domain] = site.url
        down = self.mesh.unreachable(sites.values()) if sites else {}
        for share in shares:
            url = sites.get(share["owner"]["site"]) if share["kind"] == "federated" else None
            error = down.get(url) if url else None
            if error is not None:
                share["problem"] = {
                    "reason": "owner_site_unreachable",
                    "message": f"{share['name']} cannot be opened now: it is kept at its "
                    f"owner's site. {error.message}",
                }

    def _note_vanished(self, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Revoked rows: shares seen last time, gone now, not left by the user."""
        now = {share["id"]: share for share in current}
        with self._lock:
            if self._seen is not None:
                for share_id, share in self._seen.items():
                    if share_id not in now and share_id not in self._revoked:
                        self._revoked[share_id] = revoked(share)
            while len(self._revoked) > MAX_REVOKED:
                self._revoked.pop(next(iter(self._revoked)))
            for share_id in now:
                self._revoked.pop(share_id, None)  # back again (re-shared with the same id)
            self._seen = now
            return list(self._revoked.values())

    def _forget(self, received_id: str) -> None:
        """The user acted on this share themselves: its going away is no news."""
        with self._lock:
            if self._seen is not None:
                self._seen.pop(received_id, None)

    def accept(self, received_id: str) -> dict[str, Any]:
        kind, raw = _received_id(received_id)
        sub = "/shares/pending/" if kind == "local" else "/remote_shares/pending/"
        try:
            self.ocs.shares("POST", sub + quote(raw, safe=""))
        except OCSError as err:
            raise self._failure(err, "accept") from None
        for item in self.listing("accepted"):
            if item["id"] == received_id:
                return item
        raise SharingError(
            502, "site_error", "The share was accepted but does not show up in your files yet."
        )

    def decline(self, received_id: str) -> None:
        kind, raw = _received_id(received_id)
        with self._lock:
            dismissed = self._revoked.pop(received_id, None)
        if dismissed is not None:
            return  # a revoked share the user has now seen: nothing left at the site
        pending = {item["id"] for item in self.listing("pending")}
        quoted = quote(raw, safe="")
        if kind == "local":
            # Nextcloud leaves a received share (pending or not) by deleting it as recipient.
            sub = "/shares/" + quoted
        elif received_id in pending:
            sub = "/remote_shares/pending/" + quoted
        else:
            sub = "/remote_shares/" + quoted
        self._forget(received_id)
        try:
            self.ocs.shares("DELETE", sub)
        except OCSError as err:
            raise self._failure(err, "decline") from None

    def _failure(self, err: OCSError, action: str) -> SharingError:
        if err.code in (404, 998):
            return SharingError(
                404, "not_found", "There is no such share for you to " + action + "."
            )
        return ocs_failure(err, self.domain, f"{action} the share")


def revoked(share: dict[str, Any]) -> dict[str, Any]:
    """The row of a share that went away at the owner's end."""
    owner = share["owner"].get("display_name") or share["owner"]["id"]
    return {
        **share,
        "state": "revoked",
        "path": None,
        "problem": {
            "reason": "revoked",
            "message": (
                f"{share['name']} is no longer shared with you: {owner} stopped sharing it, "
                "it expired, or it was removed from your files."
            ),
        },
    }
