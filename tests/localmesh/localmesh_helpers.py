"""WebDAV helpers for the local mesh tests: real requests, responses parsed with defusedxml."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

import requests
from cs3_localmesh.users import UserInfo
from defusedxml import ElementTree

D, OC, NC, OCS = (
    "DAV:",
    "http://owncloud.org/ns",
    "http://nextcloud.org/ns",
    ("http://open-collaboration-services.org/ns"),
)
DEFAULT_PROPS = [
    f"{{{D}}}resourcetype",
    f"{{{D}}}getetag",
    f"{{{D}}}getlastmodified",
    f"{{{D}}}getcontentlength",
    f"{{{OC}}}fileid",
    f"{{{OC}}}id",
    f"{{{OC}}}permissions",
    f"{{{OC}}}size",
    f"{{{NC}}}mount-type",
]
_PREFIXES = {D: "d", OC: "oc", NC: "nc", OCS: "ocs"}


def propfind_body(props: list[str]) -> str:
    lines = []
    for prop in props:
        ns, local = prop[1:].split("}")
        lines.append(f"<{_PREFIXES[ns]}:{local}/>")
    return (
        '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" '
        'xmlns:nc="http://nextcloud.org/ns" '
        'xmlns:ocs="http://open-collaboration-services.org/ns">'
        f"<d:prop>{''.join(lines)}</d:prop></d:propfind>"
    )


@dataclass
class Item:
    """One d:response: its decoded href, the 200 props (text or element) and the 404 names."""

    href: str  # decoded
    raw_href: str  # as sent
    props: dict
    missing: set

    def text(self, name: str) -> str | None:
        value = self.props.get(name)
        return value.text if value is not None else None


def parse_multistatus(body: bytes) -> list[Item]:
    root = ElementTree.fromstring(body)
    items = []
    for response in root.findall(f"{{{D}}}response"):
        props, missing = {}, set()
        for propstat in response.findall(f"{{{D}}}propstat"):
            status = propstat.findtext(f"{{{D}}}status")
            for prop in propstat.find(f"{{{D}}}prop"):
                if " 200 " in status:
                    props[prop.tag] = prop
                else:
                    missing.add(prop.tag)
        raw = response.findtext(f"{{{D}}}href")
        items.append(Item(unquote(raw), raw, props, missing))
    return items


class Dav:
    """Requests as one user against ``/remote.php/dav/files/<user>/`` at their site."""

    def __init__(self, base: str, user: UserInfo) -> None:
        self.user = user
        self.root = f"/remote.php/dav/files/{user.user}/"
        self.base = base
        self.http = requests.Session()
        self.http.auth = (user.user, user.app_password)

    def url(self, path: str = "") -> str:
        return self.base + self.root + quote(path)

    def request(self, method: str, path: str = "", **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.url(path), **kwargs)

    def put(self, path: str, data: bytes | str = b"x", **kwargs) -> requests.Response:
        response = self.request("PUT", path, data=data, **kwargs)
        return response

    def mkcol(self, path: str, **kwargs) -> requests.Response:
        return self.request("MKCOL", path, **kwargs)

    def propfind(
        self,
        path: str = "",
        props: list[str] | None = None,
        depth: str | None = "1",
        expect: int = 207,
        **kwargs,
    ) -> list[Item]:
        headers = kwargs.pop("headers", {})
        if depth is not None:
            headers["Depth"] = depth
        response = self.request(
            "PROPFIND", path, headers=headers, data=propfind_body(props or DEFAULT_PROPS), **kwargs
        )
        assert response.status_code == expect, response.text
        return parse_multistatus(response.content)

    def stat(self, path: str, props: list[str] | None = None) -> Item:
        return self.propfind(path, props, depth="0")[0]

    def move(self, src: str, dst: str, *, copy: bool = False, **headers) -> requests.Response:
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        headers["Destination"] = self.url(dst)
        return self.request("COPY" if copy else "MOVE", src, headers=headers)
