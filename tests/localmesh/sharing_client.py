"""A thin test client for the sharing side of a local-mesh site: plain ``requests``, no magic.

Each call returns the HTTP response and, for OCS, the decoded ``meta`` and ``data`` so tests
assert on exactly what a client sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from cs3_localmesh.users import UserInfo

SHARING = "/apps/files_sharing/api/v1"  # below /ocs/v1.php or /ocs/v2.php


@dataclass
class OcsReply:
    response: requests.Response
    meta: dict[str, Any]
    data: Any

    @property
    def status(self) -> int:
        return self.response.status_code


class Client:
    """One user at one site (``Basic`` with the user's password, one pooled session)."""

    def __init__(self, site_url: str, user: UserInfo) -> None:
        self.url = site_url
        self.user = user.user
        self.http = requests.Session()
        self.http.auth = (user.user, user.password)
        self.http.headers["OCS-APIRequest"] = "true"

    # -- OCS -----------------------------------------------------------------------------
    def ocs(self, method: str, path: str, *, version: int = 2, **kwargs: Any) -> OcsReply:
        params = {"format": "json", **kwargs.pop("params", {})}
        url = f"{self.url}/ocs/v{version}.php{path}"
        response = self.http.request(method, url, params=params, timeout=30, **kwargs)
        body = response.json()["ocs"]
        return OcsReply(response, body["meta"], body["data"])

    def share(self, path: str, share_type: int, share_with: str | None = None, **fields: Any):
        data = {"path": path, "shareType": share_type, **fields}
        if share_with is not None:
            data["shareWith"] = share_with
        return self.ocs("POST", SHARING + "/shares", data=data)

    def pending_remote(self) -> list[dict[str, Any]]:
        reply = self.ocs("GET", SHARING + "/remote_shares/pending")
        assert reply.status == 200, reply.meta
        return reply.data

    def accept_remote(self, share_id: int) -> OcsReply:
        return self.ocs("POST", f"{SHARING}/remote_shares/pending/{share_id}")

    # -- WebDAV --------------------------------------------------------------------------
    def dav_url(self, path: str = "") -> str:
        return f"{self.url}/remote.php/dav/files/{self.user}/{path}"

    def dav(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.dav_url(path), timeout=30, **kwargs)

    def mkdir(self, path: str) -> None:
        assert self.dav("MKCOL", path).status_code == 201

    def put(self, path: str, data: bytes) -> None:
        assert self.dav("PUT", path, data=data).status_code in (201, 204)

    def listing(self, path: str = "") -> requests.Response:
        return self.dav("PROPFIND", path, headers={"Depth": "1"})

    # -- ScienceMesh ---------------------------------------------------------------------
    def sciencemesh(self, method: str, action: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.url}/sciencemesh/{action}", timeout=30, **kwargs)


def cloud_id(user: UserInfo, site_url: str) -> str:
    """The recipient address Nextcloud needs for a plain-http site: with the scheme."""
    return f"{user.user}@{site_url}"
