"""Opening a file asks for its properties and its body at once; when the properties say
there is nothing to open, the body is not fetched to the end.

The site here is a tiny fake on 127.0.0.1 (the local mesh cannot answer a file's PROPFIND
with 404 while it serves its GET): PROPFIND is refused at once, GET streams a large body
slowly and counts what it managed to send before the client hung up.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

SIZE = 100 * 1024 * 1024
BLOCK = 64 * 1024


class _Site(http.server.BaseHTTPRequestHandler):
    sent = 0
    done = threading.Event()

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_PROPFIND(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(SIZE))
        self.send_header("ETag", '"big"')
        self.end_headers()
        try:
            while type(self).sent < SIZE:
                self.wfile.write(b"x" * BLOCK)
                type(self).sent += BLOCK
                time.sleep(0.002)
        except OSError:
            pass  # the client hung up
        finally:
            type(self).done.set()


@pytest.fixture
def fake_site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_config(fake_site):
    return {"url": fake_site, "user": "someone", "password": "not-checked"}


async def test_a_failed_stat_stops_the_download_of_the_body(api):
    code, _ = await api.error("GET", "big.bin", type="file")
    assert code == 404
    assert _Site.done.wait(60)
    assert _Site.sent < SIZE // 2, f"{_Site.sent >> 20} MB of {SIZE >> 20} MB fetched anyway"
