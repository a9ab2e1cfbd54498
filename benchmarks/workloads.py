"""The benchmark's workloads, and running them on every subject in the same run.

Each repetition starts cold (caches forgotten), as a user arriving at a folder or file
does, and runs every subject in turn, so background noise on a shared machine spreads
over all of them instead of falsifying one. "Cold" writes work on a path the subject has
never seen (a file a second browser tab, a restarted server or another program wrote);
"warm" ones on a file the subject opened or listed just before.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from cs3_localmesh.mesh import Mesh

from . import dataset
from .measure import Result, timed
from .subjects import JUPYTER_FS, LOCAL, RAW, Spec, Subject, build
from .upload import run_child

MiB = 1024 * 1024


@dataclass(frozen=True)
class Scale:
    """How big and how often; ``FULL`` is the issue's, the others only smoke-check."""

    list_sizes: tuple[int, ...]
    notebook_sizes: tuple[int, ...]  # small, large
    upload_bytes: int
    repeats: int
    heavy_repeats: int  # for the 10 MB notebooks and the largest listing


FULL = Scale((10, 1_000, 10_000), (100 * 1024, 10 * MiB), 200 * MiB, 7, 3)
QUICK = Scale((10, 100, 500), (100 * 1024, 1 * MiB), 8 * MiB, 2, 1)
TINY = Scale((3, 5, 8), (8 * 1024, 32 * 1024), 2 * MiB, 1, 1)


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    #: Prepares one repetition (unmeasured) and returns the operation to measure.
    prepare: Callable[[Run, str, int], Awaitable[Callable[[], Awaitable[object]]]]
    heavy: bool = False
    #: Entries listed, for the listings (a peer making a request per entry is capped).
    entries: int = 0
    #: Our budget (issues 12 and 15): at most this many requests, at most this time ratio to
    #: the raw floor at a 20 ms round trip (None: not budgeted).
    requests: int | None = None
    ratio: float | None = None


#: jupyter-fs makes one request per folder entry: beyond this many entries a listing
#: takes minutes at a wide-area round trip, and the 1,000-entry row already shows why.
PEER_MAX_ENTRIES = 1_000


class Run:
    """One benchmark run: the site, the subjects and the files they work on."""

    def __init__(
        self,
        mesh: Mesh,
        site: str,
        specs: dict[str, Spec],
        scale: Scale,
        local_root: Path,
    ) -> None:
        self.mesh = mesh
        self.site = site
        self.specs = specs
        self.scale = scale
        self.local_root = local_root
        self.subjects: dict[str, Subject] = {}
        #: Notebook bodies by size, for the workloads that write copies of them.
        self.notebooks: dict[int, bytes] = {}
        raw = specs[RAW]
        self._session = requests.Session()
        self._session.auth = (raw.user, raw.password)
        self._files = f"{raw.url}/remote.php/dav/files/{quote(raw.user)}/"

    @property
    def small_notebook(self) -> str:
        return dataset.notebook_name(self.scale.notebook_sizes[0])

    def put_file(self, kind: str, path: str, body: bytes) -> None:
        """Create a file for a subject: on the site, or in the local folder; dated a minute
        ago, as users find files written earlier (a file written in the very second it is
        opened costs a save one more check, tests/contents/test_request_budget.py).

        Blocking, like the counter calls: it runs between measurements, never inside one.
        """
        earlier = int(time.time()) - 60
        if kind == LOCAL:
            (self.local_root / path).write_bytes(body)
            os.utime(self.local_root / path, (earlier, earlier))
            return
        response = self._session.put(
            self._files + quote(path), data=body, headers={"X-OC-MTime": str(earlier)}, timeout=120
        )
        response.raise_for_status()

    def make_folder(self, kind: str, path: str) -> None:
        """Create a folder for a subject (between measurements, like :meth:`put_file`)."""
        if kind == LOCAL:
            (self.local_root / path).mkdir(parents=True, exist_ok=True)
            return
        response = self._session.request("MKCOL", self._files + quote(path), timeout=120)
        if response.status_code != 405:  # 405: it exists
            response.raise_for_status()

    def file_size(self, kind: str, path: str) -> int:
        if kind == LOCAL:
            return (self.local_root / path).stat().st_size
        response = self._session.head(self._files + quote(path), timeout=120)
        response.raise_for_status()
        return int(response.headers["Content-Length"])

    def close(self) -> None:
        self._session.close()
        for subject in self.subjects.values():
            subject.close()

    def count(self) -> int:
        return self.mesh.stats(self.site)["total"]

    def reset(self) -> None:
        self.mesh.reset_stats(self.site)


# -- the workloads --------------------------------------------------------------------------


def _listing(entries: int, heavy: bool) -> Workload:
    async def prepare(run: Run, kind: str, rep: int):
        subject = run.subjects[kind]
        await subject.cold()
        return lambda: subject.list(dataset.folder_name(entries))

    return Workload(
        f"list-{entries}",
        f"list a folder of {entries:,} entries",
        prepare,
        heavy,
        entries,
        requests=1,
        ratio=1.3 if entries >= 1_000 else None,
    )


def _open(size: int, heavy: bool, ratio: float | None = None) -> Workload:
    async def prepare(run: Run, kind: str, rep: int):
        subject = run.subjects[kind]
        await subject.cold()
        return lambda: subject.open(dataset.notebook_name(size))

    title = f"open a {_size(size)} notebook not listed before (cold)"
    return Workload(f"open-{size}", title, prepare, heavy, requests=2, ratio=ratio)


def _save(size: int, heavy: bool) -> Workload:
    """Save a notebook opened earlier: long enough ago that any short cache has expired."""

    async def prepare(run: Run, kind: str, rep: int):
        subject = run.subjects[kind]
        target = f"{kind}-save-{dataset.notebook_name(size)}"
        if rep == 0:
            run.put_file(kind, target, run.notebooks[size])
        await subject.cold()
        notebook = await subject.open(target)
        await subject.cold()
        return lambda: subject.save(target, notebook)

    title = f"save a {_size(size)} notebook opened before (warm)"
    return Workload(f"save-warm-{size}", title, prepare, heavy, requests=1)


def _cold_save(size: int, heavy: bool) -> Workload:
    """Save a notebook the subject never saw: written by another program, a second tab."""

    async def prepare(run: Run, kind: str, rep: int):
        subject = run.subjects[kind]
        target = f"{dataset.SCRATCH}/{kind}-cold-save-{rep}-{dataset.notebook_name(size)}"
        body = run.notebooks[size]
        run.put_file(kind, target, body)
        notebook = dataset.notebook_dict(body)
        await subject.cold()
        return lambda: subject.save(target, notebook)

    title = f"save a {_size(size)} notebook not opened before (cold)"
    return Workload(f"save-cold-{size}", title, prepare, heavy, requests=2)


async def _stat(run: Run, kind: str, rep: int):
    subject = run.subjects[kind]
    await subject.cold()
    return lambda: subject.stat(run.small_notebook)


def _rename(warm: bool) -> Workload:
    """Rename a file never seen before (cold), or one the file browser just listed (warm)."""

    async def prepare(run: Run, kind: str, rep: int):
        subject = run.subjects[kind]
        folder = f"{dataset.SCRATCH}/{kind}-renames-{'warm' if warm else 'cold'}-{rep}"
        run.make_folder(kind, folder)
        old = f"{folder}/draft.txt"
        run.put_file(kind, old, b"rename me\n")
        await subject.cold()
        if warm:
            await subject.list(folder)
        return lambda: subject.rename(old, f"{folder}/final.txt")

    state = "listed just before (warm)" if warm else "not listed before (cold)"
    return Workload(
        f"rename-{'warm' if warm else 'cold'}",
        f"rename a file {state}",
        prepare,
        requests=1 if warm else 2,
    )


async def _relist(run: Run, kind: str, rep: int):
    """List a folder again after another client added a file to it (a sync client, the
    web interface): the listing must show it. A listing without it fails the row."""
    subject = run.subjects[kind]
    folder = f"{dataset.SCRATCH}/{kind}-relist"
    if rep == 0:
        run.make_folder(kind, folder)
        for index in range(10):
            run.put_file(kind, f"{folder}/{dataset.entry_name(index)}", b"x\n")
    before = await subject.list(folder)
    run.put_file(kind, f"{folder}/added-elsewhere-{rep}.txt", b"new\n")

    async def operation() -> None:
        after = await subject.list(folder)
        if after != before + 1:
            raise AssertionError(f"stale: {after} entries listed, {before + 1} there")

    return operation


async def _delete(run: Run, kind: str, rep: int):
    subject = run.subjects[kind]
    path = f"{dataset.SCRATCH}/{kind}-delete-{rep}.txt"
    run.put_file(kind, path, b"delete me\n")
    await subject.cold()
    return lambda: subject.delete(path)


async def _open_composite(run: Run, kind: str, rep: int):
    """What JupyterLab does when a notebook is opened from the file browser."""
    subject = run.subjects[kind]
    await subject.cold()

    async def operation() -> None:
        await subject.list("")
        await subject.open(run.small_notebook)
        await subject.checkpoints(run.small_notebook)

    return operation


def workloads(scale: Scale) -> list[Workload]:
    """In table order; the upload (run separately, in a child process) comes last."""
    small, large = scale.notebook_sizes
    largest = scale.list_sizes[-1]
    return [
        *(_listing(n, heavy=n == largest) for n in scale.list_sizes),
        _open(small, heavy=False),
        _open(large, heavy=True, ratio=1.3),
        Workload("stat", "get a model without content", _stat, requests=1),
        _save(small, heavy=False),
        _save(large, heavy=True),
        _cold_save(small, heavy=False),
        _cold_save(large, heavy=True),
        _rename(warm=False),
        _rename(warm=True),
        Workload(
            "relist", "re-list a folder after another client added a file", _relist, requests=1
        ),
        Workload("delete", "delete a file", _delete, requests=1),
        Workload(
            "open-notebook",
            '"open a notebook": list, get, checkpoints',
            _open_composite,
            requests=3,
        ),
    ]


# -- running ---------------------------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size // MiB} MB" if size >= MiB else f"{size // 1024} KB"


async def run_workload(run: Run, workload: Workload) -> dict[str, Result]:
    results = {kind: Result() for kind in run.subjects}
    if workload.entries > PEER_MAX_ENTRIES:
        results[
            JUPYTER_FS
        ].skipped = (
            f"one PROPFIND per entry ({workload.entries + 1:,} requests), minutes at this RTT"
        )
    repeats = run.scale.heavy_repeats if workload.heavy else run.scale.repeats
    for rep in range(repeats):
        for kind, subject in run.subjects.items():
            if results[kind].skipped or (kind == JUPYTER_FS and rep > 0):
                continue  # the slow peer runs each workload once
            try:
                operation = await workload.prepare(run, kind, rep)
                http = subject.speaks_http
                await timed(
                    operation,
                    run.count if http else None,
                    run.reset if http else None,
                    results[kind],
                )
            except Exception as err:  # a peer that cannot do it is a finding, not a crash
                results[kind].failed = f"{type(err).__name__}: {err}"[:200]
    return results


def _nothing() -> None:
    pass


def run_upload(run: Run, kind: str) -> Result:
    """The chunked upload in a child process; the result carries throughput and memory."""
    result = Result()
    path = f"{kind}-upload.bin"
    speaks_http = kind != LOCAL
    try:
        measured = run_child(
            run.specs[kind], path, run.scale.upload_bytes, run.reset if speaks_http else _nothing
        )
    except RuntimeError as err:
        result.failed = str(err)[:200]
        return result
    result.seconds.append(measured["seconds"])
    result.stalls.append(measured["stall"])
    if speaks_http:
        result.requests.append(run.count())
    result.extra = {
        "peak_added": measured["peak_added"],
        "throughput": measured["bytes"] / measured["seconds"],
    }
    stored = run.file_size(kind, path)
    if stored != measured["bytes"]:
        result.failed = f"the file has {stored:,} bytes instead of {measured['bytes']:,}"
    return result


async def run_all(
    run: Run, progress: Callable[[str], None], only: str | None = None
) -> tuple[list[Workload], dict[str, dict[str, Result]]]:
    """Every workload on every subject; returns the workloads and results by key and kind."""
    tree = dataset.Tree(list(run.scale.list_sizes), list(run.scale.notebook_sizes))
    run.notebooks = tree.notebooks
    raw = run.specs[RAW]
    await asyncio.to_thread(tree.write_site, raw.url, raw.user, raw.password)
    tree.write_local(run.local_root)
    missing = {}
    for kind, spec in run.specs.items():
        try:
            run.subjects[kind] = build(spec)
        except ImportError as err:  # the peer is an optional extra
            missing[kind] = f"{err.name} is not installed (pip install -e '.[bench]')"
    for subject in run.subjects.values():
        await subject.stat(run.small_notebook)  # warm up connections and imports
    chosen = [w for w in workloads(run.scale) if only is None or only in w.key]
    results: dict[str, dict[str, Result]] = {}
    try:
        for workload in chosen:
            progress(workload.title)
            results[workload.key] = await run_workload(run, workload)
        if only is None or only in "upload":
            progress(f"chunked upload of {_size(run.scale.upload_bytes)}")
            results["upload"] = {
                kind: await asyncio.to_thread(run_upload, run, kind) for kind in run.subjects
            }
    finally:
        run.close()
    for row in results.values():
        row.update({kind: Result(skipped=reason) for kind, reason in missing.items()})
    return chosen, results
