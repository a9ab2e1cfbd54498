"""How the server feels while it works: the latency of ``GET /api/status`` meanwhile.

A long loop callback is not the only way to stall Jupyter's event loop: a worker thread
parsing a big listing or serialising a notebook holds the GIL, and the loop waits for it
at every step of answering anyone. What a user feels is the sum, so it is measured from the
outside: a small child process asks a real ``jupyter server`` for ``/api/status`` every
10 ms (the cheapest request there is) while the benchmark process saves a 10 MB notebook
or lists a 10,000-entry folder through the REST API, as JupyterLab does. The latencies of
the status requests sent during the operation are its rows; "idle" is the same with
nothing else going on. The same is measured on a stock server on local disk: what Jupyter
itself costs (its handlers parse the request's JSON and serialise the answer on the loop).

Budget (issue 15): p99 ≤ 50 ms during the operation.

``python -m benchmarks`` prints this section after the contents table; ``python -m
benchmarks.responsiveness`` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import dataset
from .jupyter import JupyterServer
from .site import one_site

MiB = 1 << 20
P99_BUDGET = 0.050
POLL_INTERVAL = 0.010


@dataclass(frozen=True)
class Scale:
    entries: int
    notebook_bytes: int
    repeats: int


FULL = Scale(10_000, 10 * MiB, 5)
QUICK = Scale(2_000, 2 * MiB, 2)
TINY = Scale(50, 64 * 1024, 1)

#: The child that asks for the status until the stop file appears; prints (sent, latency).
POLLER = """
import json, os, sys, time
import requests
url, token, stop, interval = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
session = requests.Session()
session.headers["Authorization"] = "token " + token
session.get(url, timeout=30)
samples = []
next_at = time.perf_counter()
while not os.path.exists(stop):
    sent = time.perf_counter()
    session.get(url, timeout=30).raise_for_status()
    samples.append((sent, time.perf_counter() - sent))
    next_at = max(next_at + interval, time.perf_counter())
    time.sleep(max(0.0, next_at - time.perf_counter()))
print(json.dumps(samples))
"""


@dataclass
class Window:
    """Status latencies sent while one kind of operation ran, and the operation's times."""

    latencies: list[float] = field(default_factory=list)
    operations: list[float] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Poller:
    """The status-asking child process, for one server."""

    def __init__(self, server: JupyterServer, scratch: Path) -> None:
        self._stop = scratch / "stop-polling"
        self._stop.unlink(missing_ok=True)
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                POLLER,
                server.url + "api/status",
                server.token,
                str(self._stop),
                str(POLL_INTERVAL),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )

    def finish(self) -> list[tuple[float, float]]:
        self._stop.touch()
        out, _ = self._process.communicate(timeout=120)
        if self._process.returncode != 0:
            raise RuntimeError("the status poller failed")
        return [(sent, latency) for sent, latency in json.loads(out)]


def _measure(
    server: JupyterServer,
    scratch: Path,
    operations: dict[str, Callable[[], None]],
    repeats: int,
) -> dict[str, Window]:
    """Each operation ``repeats`` times in turn while the poller runs; windows by name."""
    for operation in operations.values():
        operation()  # warm up: imports, connections, the site's login
    spans: dict[str, list[tuple[float, float]]] = {name: [] for name in ("idle", *operations)}
    poller = Poller(server, scratch)
    time.sleep(1.0)  # the child starts and warms up
    started = time.perf_counter()
    time.sleep(1.0)
    spans["idle"].append((started, time.perf_counter()))
    for _ in range(repeats):
        for name, operation in operations.items():
            began = time.perf_counter()
            operation()
            spans[name].append((began, time.perf_counter()))
            time.sleep(0.2)
    samples = poller.finish()
    windows = {}
    for name, ranges in spans.items():
        window = windows[name] = Window(operations=[end - begin for begin, end in ranges])
        window.latencies = [
            latency for sent, latency in samples if any(b <= sent <= e for b, e in ranges)
        ]
    return windows


def _operations(
    server: JupyterServer, scale: Scale, notebook: bytes
) -> dict[str, Callable[[], None]]:
    api = server.url + "api/contents/"
    folder = dataset.folder_name(scale.entries)
    save_body = json.dumps(
        {"type": "notebook", "format": "json", "content": json.loads(notebook)}
    ).encode()

    def save() -> None:
        server.http.put(api + "responsive.ipynb", data=save_body, timeout=300).raise_for_status()

    def listing() -> None:
        answer = server.http.get(api + folder, params={"content": "1"}, timeout=300)
        answer.raise_for_status()
        assert len(answer.json()["content"]) == scale.entries

    size = f"{scale.notebook_bytes // MiB} MB" if scale.notebook_bytes >= MiB else "small"
    return {
        f"a {size} notebook's save": save,
        f"a {scale.entries:,}-entry listing": listing,
    }


def benchmark(
    scale: Scale, rtt_ms: float, progress: Callable[[str], None] = print
) -> tuple[str, dict[str, dict[str, Window]]]:
    """Ours (site behind the proxy) and the stock server on local disk; markdown and windows."""
    scratch = Path(tempfile.mkdtemp(prefix="cs3-bench-responsive-"))
    notebook = dataset.notebook_bytes(scale.notebook_bytes)
    tree = dataset.Tree([scale.entries], [])
    results: dict[str, dict[str, Window]] = {}
    try:
        with one_site(scratch / "mesh", "rbench", rtt_ms) as site:
            user = site.user
            tree.write_site(site.direct_url, user.user, user.app_password)
            for subject in ("ours", "local disk"):
                progress(f"/api/status latency, {subject}")
                base = scratch / subject.replace(" ", "-")
                if subject == "ours":
                    server = JupyterServer(
                        base, site_url=site.url, user=user.user, password=user.app_password
                    )
                else:
                    server = JupyterServer(base)
                    tree.write_local(server.root)
                try:
                    operations = _operations(server, scale, notebook)
                    results[subject] = _measure(server, base, operations, scale.repeats)
                finally:
                    server.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return table(results, rtt_ms, scale), results


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(results: dict[str, dict[str, Window]], rtt_ms: float, scale: Scale) -> str:
    ours, local = results["ours"], results["local disk"]
    lines = [
        f"Responsiveness (emulated RTT {rtt_ms:g} ms to the site; `GET /api/status` every "
        f"{POLL_INTERVAL * 1000:g} ms from another process; {scale.repeats} operations each): "
        "status latency p50 / p99 / max while the server",
        "",
        "| while the server ... | ours | operation (ours) | local disk | operation (local) "
        "| budget (ours, p99 ≤ 50 ms) |",
        "|---|---|---|---|---|---|",
    ]
    for name in ours:
        mine, theirs = ours[name], local[name]
        cells = []
        for window in (mine, theirs):
            latency = " / ".join(_ms(window.quantile(q)) for q in (0.5, 0.99, 1.0))
            operation = _ms(statistics.median(window.operations)) if name != "idle" else ""
            cells += [f"{latency} ({len(window.latencies)} asked)", operation]
        p99 = mine.quantile(0.99)
        budget = "meets" if p99 <= P99_BUDGET else f"misses: p99 {_ms(p99)}"
        title = "is idle" if name == "idle" else f"handles {name}"
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {budget} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.responsiveness")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rtt-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    text, _ = benchmark(
        QUICK if args.quick else FULL,
        args.rtt_ms,
        lambda step: print(f"... {step}", file=sys.stderr, flush=True),
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
