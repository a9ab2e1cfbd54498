"""A TCP proxy on 127.0.0.1 that delays every byte: an emulated wide-area round trip.

Researchers sit tens of milliseconds away from their EFSS, and a local mesh answers in
microseconds, so request counts would not show in the timings. ``tc netem`` in a network
namespace would be the usual way, but the kernels we run on lack the netem qdisc; this
proxy adds half the round trip to each direction instead. Bandwidth is not limited: only
latency is emulated.

It runs as its own process (``python -m benchmarks.proxy``) so its work never competes with
the event loop being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import REPO

_READ_SIZE = 1 << 16


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy one direction, each piece delivered ``delay`` seconds after it was read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        while True:
            data = await reader.read(_READ_SIZE)
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    reading = asyncio.ensure_future(read())
    try:
        await deliver()
    finally:
        reading.cancel()


async def _serve(target_host: str, target_port: int, delay: float, ready: Path) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_w.close()
            return
        try:
            await asyncio.gather(
                _pipe(client_r, upstream_w, delay), _pipe(upstream_r, client_w, delay)
            )
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for writer in (client_w, upstream_w):
                with contextlib.suppress(OSError):
                    writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    partial = ready.with_suffix(".tmp")
    partial.write_text(json.dumps({"port": port}))
    partial.replace(ready)  # never seen half-written
    async with server:
        await server.serve_forever()


class DelayProxy:
    """Start/stop the proxy process in front of ``target_url``; ``url`` is where to connect."""

    def __init__(self, target_url: str, rtt_ms: float) -> None:
        self.target_url = target_url.rstrip("/")
        self.rtt_ms = rtt_ms
        self.url = ""
        self._process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="bench-proxy-")

    def start(self, timeout: float = 20) -> DelayProxy:
        ready = Path(self._dir.name) / "ready.json"
        host, port = self.target_url.split("://", 1)[1].rsplit(":", 1)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.proxy", host, port, str(self.rtt_ms), str(ready)],
            cwd=REPO,
        )
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the delaying proxy did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{json.loads(ready.read_text())['port']}"
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            process.wait(10)
        self._dir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("rtt_ms", type=float)
    parser.add_argument("ready_file", type=Path)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.rtt_ms / 2000, args.ready_file))


if __name__ == "__main__":
    main()
