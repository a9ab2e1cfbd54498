"""Kernels on the EFSS: what the working-copy sync and efss:// cost.

Three rows, each against the site behind the same delaying proxy as the contents rows:

* **sync around an execution, nothing changed**: the sync before an execution plus the one
  after it, on a working copy that is up to date: the overhead every cell pays. Budget: one
  request and at most 1.5 round trips.
* **first execution in a folder of 10 files**: a fresh working copy's first sync (listing and
  downloads), what the first cell of a newly opened notebook waits for at most.
* **efss:// read**: a large file read through a real Jupyter server's kernel file endpoint
  with a real kernel's token, in a child process (its peak memory is measured), against a
  plain streamed WebDAV GET of the same file. Budget: ≥ 70% of the direct throughput and
  < 64 MB added memory.

``python -m benchmarks`` prints this section after the contents table; ``python -m
benchmarks.kernels`` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from cs3_localmesh.mesh import Mesh

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.kernels.sync import WorkingCopy
from cs3_jupyter.transport.auth import make_auth

from .jupyter import JupyterServer
from .site import SITE, one_site

MiB = 1 << 20
SYNC_RTT_BUDGET = 1.5
READ_RATIO_BUDGET = 0.7
READ_MEMORY_BUDGET = 64 * MiB


@dataclass(frozen=True)
class KernelScale:
    files: int
    file_bytes: int
    read_bytes: int
    repeats: int


FULL = KernelScale(10, 100 * 1024, 200 * MiB, 7)
QUICK = KernelScale(10, 100 * 1024, 16 * MiB, 3)
TINY = KernelScale(10, 4 * 1024, 2 * MiB, 1)


@dataclass
class Row:
    title: str
    seconds: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)
    budget: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def request_count(self) -> int:
        return round(statistics.median(self.requests))


def _folder(dav: DavClient, name: str, files: int, size: int) -> None:
    dav.mkcol(name)
    dav.mkcol(f"{name}/data")
    for number in range(files):
        where = "data/" if number % 2 else ""
        dav.put(f"{name}/{where}file {number}.csv", os.urandom(size // 2).hex().encode())


def sync_rows(mesh: Mesh, dav: DavClient, scale: KernelScale, rtt_ms: float) -> list[Row]:
    """The two working-copy rows, with the sync engine the kernel manager uses."""
    idle = Row("kernel: sync before and after an execution, nothing changed")
    first = Row(f"kernel: first execution in a folder of {scale.files} files")
    with tempfile.TemporaryDirectory(prefix="cs3-bench-wc-") as scratch:
        for rep in range(scale.repeats):
            name = f"kernel-bench-{rep}"
            _folder(dav, name, scale.files, scale.file_bytes)
            copy = WorkingCopy(dav, name, str(Path(scratch, str(rep), name)))
            mesh.reset_stats(SITE)
            started = time.perf_counter()
            report = copy.sync()
            first.seconds.append(time.perf_counter() - started)
            first.requests.append(mesh.stats(SITE)["total"])
            assert len(report.downloaded) == scale.files, report
            mesh.reset_stats(SITE)
            started = time.perf_counter()
            copy.sync()  # before the cell
            copy.sync(ask_site=False)  # after it
            idle.seconds.append(time.perf_counter() - started)
            idle.requests.append(mesh.stats(SITE)["total"])
            copy.close()
    limit = SYNC_RTT_BUDGET * rtt_ms / 1000
    misses = []
    if idle.request_count > 1:
        misses.append(f"{idle.request_count} requests > 1")
    if rtt_ms and idle.median > limit:
        misses.append(f"{idle.median / (rtt_ms / 1000):.2f} round trips > {SYNC_RTT_BUDGET}")
    idle.budget = "misses: " + "; ".join(misses) if misses else "meets"
    idle.extra["round_trips"] = idle.median / (rtt_ms / 1000) if rtt_ms else 0.0
    first.budget = f"{scale.files} GET + 1 PROPFIND per folder (2 here) expected"
    return [idle, first]


# -- efss:// through a real Jupyter server ---------------------------------------------------

READER = """
import json, sys, time
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
kind, path = sys.argv[1], sys.argv[2]
if kind == "efss":
    from cs3_jupyter.efss_fs import EFSSFileSystem
    fs = EFSSFileSystem(sys.argv[3], sys.argv[4])
    fs.info(path)
else:
    import requests
    session = requests.Session()
    session.auth = (sys.argv[3], sys.argv[4])
    session.head(path)
before = rss("VmRSS:")
started = time.perf_counter()
total = 0
if kind == "efss":
    with fs.open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
else:
    with session.get(path, stream=True) as answer:
        for chunk in answer.iter_content(1 << 20):
            total += len(chunk)
print(json.dumps({"bytes": total, "seconds": time.perf_counter() - started,
                  "added": rss("VmHWM:") - before}))
"""


def _read(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", READER, *args], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    result: dict[str, float] = json.loads(done.stdout)
    return result


def read_row(
    dav: DavClient, site_url: str, user: str, password: str, scale: KernelScale, base: Path
) -> Row:
    row = Row(f"efss:// read of {scale.read_bytes // MiB} MB vs direct WebDAV")
    block = os.urandom(MiB)
    dav.mkcol("kernel-read")
    dav.put(
        "kernel-read/nb.ipynb", b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    dav.put("kernel-read/big.bin", (block for _ in range(scale.read_bytes // MiB)))
    server = JupyterServer(base, site_url=site_url, user=user, password=password)
    try:
        url, token = server.kernel_access("kernel-read/nb.ipynb")
        direct = f"{site_url}/remote.php/dav/files/{quote(user)}/kernel-read/big.bin"
        ratios, efss_rates, direct_rates, added = [], [], [], []
        for _ in range(max(1, min(scale.repeats, 3))):
            mine = _read(["efss", "kernel-read/big.bin", url, token])
            theirs = _read(["direct", direct, user, password])
            assert mine["bytes"] == theirs["bytes"] == scale.read_bytes
            efss_rates.append(mine["bytes"] / mine["seconds"])
            direct_rates.append(theirs["bytes"] / theirs["seconds"])
            ratios.append(efss_rates[-1] / direct_rates[-1])
            added.append(mine["added"])
            row.seconds.append(mine["seconds"])
    finally:
        server.stop()
    row.extra = {
        "efss_mb_s": statistics.median(efss_rates) / 1e6,
        "direct_mb_s": statistics.median(direct_rates) / 1e6,
        "ratio": statistics.median(ratios),
        "added_mb": max(added) / 1e6,
    }
    misses = []
    if row.extra["ratio"] < READ_RATIO_BUDGET:
        misses.append(f"{row.extra['ratio']:.0%} of direct")
    if max(added) >= READ_MEMORY_BUDGET:
        misses.append(f"+{row.extra['added_mb']:.0f} MB")
    row.budget = "misses: " + "; ".join(misses) if misses else "meets"
    return row


def benchmark(
    scale: KernelScale, rtt_ms: float, progress: Callable[[str], None] = print
) -> tuple[str, list[Row]]:
    """Run the three rows on their own one-site mesh; the markdown section and the rows."""
    scratch = Path(tempfile.mkdtemp(prefix="cs3-bench-kernels-"))
    try:
        with one_site(scratch / "mesh", "kbench", rtt_ms) as site:
            user = site.user
            dav = DavClient(site.url, user.user, make_auth(user.user, user.app_password))
            progress("kernel working copy syncs")
            rows = sync_rows(site.mesh, dav, scale, rtt_ms)
            progress(f"efss:// read of {scale.read_bytes // MiB} MB")
            rows.append(
                read_row(dav, site.url, user.user, user.app_password, scale, scratch / "server")
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return table(rows, rtt_ms), rows


def table(rows: list[Row], rtt_ms: float) -> str:
    idle, first, read = rows
    lines = [
        f"Kernels on the EFSS (emulated RTT {rtt_ms:g} ms; medians):",
        "",
        "| workload | time | req | notes | budget |",
        "|---|---|---|---|---|",
        f"| {idle.title} | {idle.median * 1000:,.0f} ms | {idle.request_count} | "
        f"{idle.extra['round_trips']:.2f} round trips | {idle.budget} |",
        f"| {first.title} | {first.median * 1000:,.0f} ms | {first.request_count} | "
        f"downloads in parallel | {first.budget} |",
        f"| {read.title} | {read.median * 1000:,.0f} ms | | "
        f"{read.extra['efss_mb_s']:.0f} MB/s vs {read.extra['direct_mb_s']:.0f} MB/s direct "
        f"({read.extra['ratio']:.0%}), +{read.extra['added_mb']:.0f} MB peak in the reader | "
        f"{read.budget} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kernels")
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
