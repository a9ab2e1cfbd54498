"""One cheroot server per site on 127.0.0.1, each in its own thread pool."""

from __future__ import annotations

import threading

from cheroot import wsgi

from .site import Site


class SiteServer:
    """Binds at construction (so the URL is known before plugins install), serves on start()."""

    def __init__(self, site: Site, port: int = 0, threads: int = 8) -> None:
        self.site = site
        self._server = wsgi.Server(
            ("127.0.0.1", port), site, numthreads=threads, server_name=f"localmesh-{site.name}"
        )
        self._server.prepare()
        self.port = int(self._server.bind_addr[1])
        site.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve, name=f"site-{site.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
