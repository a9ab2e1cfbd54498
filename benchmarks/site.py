"""The site every benchmark section but the idle tab runs against: one local-mesh site with
one user, behind the delaying proxy when a round trip is emulated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cs3_localmesh.mesh import Mesh
from cs3_localmesh.users import UserInfo

from .proxy import DelayProxy

#: The mesh's only site.
SITE = "a"


@dataclass(frozen=True)
class BenchSite:
    mesh: Mesh
    user: UserInfo
    #: The site itself: for preparing files without paying the emulated distance.
    direct_url: str
    #: What the measured subjects talk to: the proxy when ``rtt_ms > 0``, else the site.
    url: str


@contextmanager
def one_site(data_dir: Path, user_name: str, rtt_ms: float) -> Iterator[BenchSite]:
    """Start the mesh (and the proxy), add the user; stop both on the way out."""
    mesh = Mesh(data_dir, n_sites=1, seed=None).start()
    proxy = None
    try:
        user = mesh.add_user(SITE, user_name)
        direct_url = mesh.site(SITE).url
        if rtt_ms > 0:
            proxy = DelayProxy(direct_url, rtt_ms).start()
        yield BenchSite(mesh, user, direct_url, proxy.url if proxy else direct_url)
    finally:
        if proxy:
            proxy.stop()
        mesh.stop()
