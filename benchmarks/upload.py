"""The chunked upload workload, run in a child process so its peak memory is its own.

JupyterLab uploads a file larger than 1 MiB as a series of saves of the same path, each
carrying 1 MiB of the file as base64 (``chunk`` 1, 2, ..., the last one -1). The child
sends such a series to one subject and reports the time and how much the upload added to
the process's peak resident memory (its high-water mark minus the resident size before).
The chunk is made once and re-sent, so the sender itself holds one chunk.

Usage (internal): ``python -m benchmarks.upload`` with a JSON request on stdin.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from . import REPO
from .measure import StallMeter
from .subjects import Spec, build

CHUNK = 1024 * 1024  # JupyterLab's chunk size


def _memory(field: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in bytes.

    Not ``ru_maxrss``: Linux carries it over from the forked parent across ``exec``, so a
    big benchmark process would be reported as the upload's peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


async def _upload(spec: Spec, path: str, size: int) -> dict[str, Any]:
    subject = build(spec)
    b64 = base64.b64encode(os.urandom(CHUNK)).decode("ascii")
    chunks = max(1, size // CHUNK)
    await subject.list("")  # connections and lazy imports are not the upload's memory
    # Tell the parent we are ready (it resets the site's request counter), wait for "go".
    print("ready", flush=True)
    sys.stdin.readline()
    before = _memory("VmRSS")
    async with StallMeter() as stalls:
        started = time.perf_counter()
        for number in range(1, chunks + 1):
            await subject.upload_chunk(path, number, b64, last=number == chunks)
        seconds = time.perf_counter() - started
    peak = _memory("VmHWM")
    subject.close()
    return {
        "seconds": seconds,
        "bytes": chunks * CHUNK,
        "peak_added": max(0, peak - before),
        "stall": stalls.longest,
    }


def run_child(spec: Spec, path: str, size: int, before_start: Callable[[], None]) -> dict[str, Any]:
    """Run one upload in a fresh interpreter; returns the child's measurements.

    ``before_start`` runs once the child has warmed up, just before it starts uploading.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.upload"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps({"spec": spec.to_json(), "path": path, "size": size}) + "\n")
    child.stdin.flush()
    if child.stdout.readline().strip() == "ready":
        before_start()
        child.stdin.write("go\n")
        child.stdin.flush()
    output, errors = child.communicate(timeout=900)
    if child.returncode != 0:
        last = (errors.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the upload child failed: {last}")
    return json.loads(output)


def main() -> None:
    request = json.loads(sys.stdin.readline())
    spec = Spec.from_json(request["spec"])
    print(json.dumps(asyncio.run(_upload(spec, request["path"], request["size"]))))


if __name__ == "__main__":
    main()
