"""A hostile "site" on 127.0.0.1: it answers every request with the misbehaviour of the moment.

Raw sockets, so it can do what no well-behaved server library would: announce 500 MB, send
forever, trickle a byte a second, cut a body short, break chunked encoding or gzip, send
malformed XML or an entity bomb, redirect to another port or in a loop, or never answer.
``mode`` is switched by the test; every connection ends by itself after ``MAX_SECONDS``, or
when the test calls :meth:`HostileSite.release`.

Which misbehaviour a request gets:

* ``/ok/...``: always a valid directory; ``/directory.json``: ``directory_mode`` (``"ok"``
  is the directory). The directory lists eight sites below ``/g<generation>/``: a test that
  bumps ``generation`` gets site URLs this server has never been asked about, so the Jupyter
  server under test must probe them live (nothing it remembers can answer for them);
* ``/m/<mode>/...``: that mode, whatever ``mode`` is (a federated share's WebDAV URL);
* anything else: ``mode``. In ``"ok"`` mode the discovery paths answer a valid OCM discovery
  document (a site that shares with the local mesh must have one), everything else 404.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_SECONDS = 40.0
#: Sites a directory lists.
DIRECTORY_SITES = 8
_ENTRY = (
    b"<d:response><d:href>/remote.php/dav/files/u/f{n}.txt</d:href><d:propstat><d:prop>"
    b'<d:getetag>"e{n}"</d:getetag><d:getcontentlength>1</d:getcontentlength></d:prop>'
    b"<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
)
_HEAD = b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">'
_FOLDER = (
    b"<d:response><d:href>/remote.php/dav/files/u/</d:href><d:propstat><d:prop>"
    b"<d:resourcetype><d:collection/></d:resourcetype></d:prop>"
    b"<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
)
_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><d:multistatus xmlns:d="DAV:"><d:response><d:href>&lol9;</d:href></d:response>'
    + b"</d:multistatus>"
)


class HostileSite:
    """Start with :meth:`start`; ``url``; set ``mode``; :meth:`stop` ends everything."""

    def __init__(self, secret_url: str = "") -> None:
        self.mode = "ok"
        self.directory_mode = "ok"
        self.generation = 0
        #: Where redirects to "another service" point (it must never be followed).
        self.secret_url = secret_url
        self.requests = 0
        #: Every request's path, in arrival order.
        self.paths: list[str] = []
        #: Connections currently held open by a "silent" or "trickle" answer.
        self.holding = 0
        self._held = threading.Condition()
        self._released = threading.Event()
        site = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(MAX_SECONDS)
                try:
                    head = _read_head(self.request)
                    if head is None:
                        return
                    site.requests += 1
                    site.paths.append(head[1])
                    site.answer(self.request, *head)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> HostileSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """End every held ("silent", "trickle") answer now, and any started later."""
        self._released.set()

    def hold(self) -> None:
        """Hold "silent" and "trickle" answers again (until :meth:`release`)."""
        self._released.clear()

    def wait_holding(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` connections are held at once; False if not within ``timeout``."""
        with self._held:
            return self._held.wait_for(lambda: self.holding >= count, timeout)

    def site_urls(self) -> list[str]:
        """The sites the directory lists now (see ``generation``)."""
        return [f"{self.url}/g{self.generation}/s{n}" for n in range(DIRECTORY_SITES)]

    # -- what it answers ------------------------------------------------------------------

    def answer(self, sock: socket.socket, method: str, path: str) -> None:
        ends = time.monotonic() + MAX_SECONDS
        if path.startswith("/ok/"):
            return _send(sock, 200, self.directory(), "application/json")
        mode = self.mode
        if path == "/directory.json":
            mode = self.directory_mode
        elif path.startswith("/m/"):
            mode = path.split("/")[2]
        discovery = path.endswith(("/.well-known/ocm", "/ocm-provider/"))
        json_doc = discovery or path.endswith(".json") or "/ocs/" in path
        if mode == "ok":
            if path == "/directory.json":
                return _send(sock, 200, self.directory(), "application/json")
            if discovery:
                return _send(sock, 200, self.discovery(), "application/json")
        if mode == "silent":  # accept, read, never answer
            with self._holding():
                while time.monotonic() < ends and not self._released.wait(0.2):
                    pass
            return None
        if mode == "huge":  # announces 500 MB and starts sending them
            _send_head(sock, 207, {"Content-Length": str(500 * 2**20)})
            return _pour(sock, b"x" * 65536, ends)
        if mode == "endless":  # a chunked answer that never ends, at full speed
            _send_head(sock, 207, {"Transfer-Encoding": "chunked"})
            first = b'{"servers": [' if json_doc else _HEAD + _FOLDER
            block = b'{"url": "http://x.example"},' * 2000 if json_doc else _ENTRY * 300
            sock.sendall(_chunk(first))
            return _pour(sock, _chunk(block), ends)
        if mode == "trickle":  # a byte a second: no read ever times out
            _send_head(sock, 207, {"Content-Length": "100000"})
            with self._holding():
                while time.monotonic() < ends and not self._released.is_set():
                    sock.sendall(b"<")
                    self._released.wait(1.0)
            return None
        if mode == "cut":  # says 100000 bytes, sends 10, hangs up
            _send_head(sock, 207, {"Content-Length": "100000"})
            sock.sendall(b"<d:multist")
            return None
        if mode == "bad_chunked":
            _send_head(sock, 207, {"Transfer-Encoding": "chunked"})
            sock.sendall(b"zz\r\nnot a chunk\r\n0\r\n\r\n")
            return None
        if mode == "bad_gzip":
            body = b"\x1f\x8b\x08\x00garbage, not deflate data at all" * 10
            return _send(sock, 207, body, "application/xml", {"Content-Encoding": "gzip"})
        if mode == "bad_xml":
            return _send(sock, 207, _HEAD + b"<d:response><d:href>/x</d:hr", "application/xml")
        if mode == "xml_bomb":
            return _send(sock, 207, _BOMB, "application/xml")
        if mode == "many_entries":  # valid XML, 60,000 tiny entries (~12 MB)
            body = (
                _HEAD + _FOLDER + b"".join(_ENTRY.replace(b"{n}", b"%d" % n) for n in range(60_000))
            )
            return _send(sock, 207, body + b"</d:multistatus>", "application/xml")
        if mode == "deep_json":
            return _send(sock, 200, b"[" * 200_000 + b"]" * 200_000, "application/json")
        if mode == "redirect_away":
            return _send(sock, 302, b"", "text/plain", {"Location": self.secret_url})
        if mode == "provider_redirect_away":  # Nextcloud's shape: no well-known, a provider
            if path.endswith("/ocm-provider/"):
                return _send(sock, 301, b"", "text/plain", {"Location": self.secret_url})
            return _send(sock, 404, b"{}", "application/json")
        if mode == "redirect_loop":
            return _send(sock, 302, b"", "text/plain", {"Location": path})
        return _send(sock, 404, b"{}", "application/json")

    def directory(self) -> bytes:
        sites = [
            {"url": url, "displayName": f"hostile {n}"} for n, url in enumerate(self.site_urls())
        ]
        return json.dumps({"servers": sites}).encode()

    def discovery(self) -> bytes:
        return json.dumps(
            {
                "enabled": True,
                "apiVersion": "1.1.0",
                "endPoint": f"{self.url}/ocm",
                "resourceTypes": [
                    {"name": "file", "shareTypes": ["user"], "protocols": {"webdav": "/dav/"}}
                ],
            }
        ).encode()

    @contextmanager
    def _holding(self) -> Iterator[None]:
        with self._held:
            self.holding += 1
            self._held.notify_all()
        try:
            yield
        finally:
            with self._held:
                self.holding -= 1


def _read_head(sock: socket.socket) -> tuple[str, str] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:  # read (and drop) the request body
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return method, path


def _send_head(sock: socket.socket, status: int, headers: dict[str, str]) -> None:
    lines = [f"HTTP/1.1 {status} Hostile", "Connection: close", "Content-Type: application/xml"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def _send(
    sock: socket.socket,
    status: int,
    body: bytes,
    ctype: str,
    headers: dict[str, Any] | None = None,
) -> None:
    all_headers = {"Content-Length": str(len(body)), **(headers or {})}
    lines = [f"HTTP/1.1 {status} Hostile", "Connection: close", f"Content-Type: {ctype}"]
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _pour(sock: socket.socket, block: bytes, ends: float) -> None:
    while time.monotonic() < ends:
        sock.sendall(block)


class SecretService:
    """Another "internal" service on 127.0.0.1: nothing of ours may ever ask it anything.

    ``hits`` counts the requests it got (a redirect to it that was followed shows here), and
    its answer carries ``MARKER`` everywhere a discovery or directory document has a field,
    so a reflected answer shows in any response of ours.
    """

    MARKER = "SECRET-REFLECTED"

    def __init__(self) -> None:
        self.hits = 0
        body = json.dumps(
            {
                "enabled": True,
                "apiVersion": "SECRET-REFLECTED",
                "endPoint": "http://internal.example/SECRET-REFLECTED",
                "capabilities": ["SECRET-REFLECTED"],
                "servers": [{"url": "http://SECRET-REFLECTED.example"}],
            }
        ).encode()
        service = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    if _read_head(self.request) is not None:
                        service.hits += 1
                        _send(self.request, 200, body, "application/json")
                except OSError:
                    pass

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/secret.json"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
