"""``python -m benchmarks``: every workload on every subject, printed as a markdown table.

Starts its own one-site local mesh (and, with ``--rtt-ms``, a delaying proxy in front of
it), so it needs nothing running and leaves nothing behind.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from . import idle, kernels, report, responsiveness
from .measure import Result
from .site import SITE, one_site
from .subjects import KINDS, LOCAL, Spec
from .workloads import FULL, QUICK, Run, Scale, run_all

#: The report's sections, in order: the contents table, the event loop's latency while the
#: server works, kernels on the EFSS, what an idle JupyterLab tab costs the EFSS.
SECTIONS = ("contents", "responsiveness", "kernels", "idle")


def machine() -> str:
    """CPU model and count, for the header of a results table."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def benchmark(
    scale: Scale,
    rtt_ms: float,
    progress: Callable[[str], None] = print,
    only: str | None = None,
) -> tuple[str, dict[str, dict[str, Result]]]:
    """Run everything; returns the markdown report and the results by workload and subject."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cs3-bench-") as scratch:
        with one_site(Path(scratch) / "mesh", "bench", rtt_ms) as site:
            local_root = Path(scratch) / "local"
            local_root.mkdir()
            specs = {
                kind: Spec(kind, site.url, site.user.user, site.user.app_password, str(local_root))
                if kind != LOCAL
                else Spec(kind, local_root=str(local_root))
                for kind in KINDS
            }
            run = Run(site.mesh, SITE, specs, scale, local_root)
            chosen, results = asyncio.run(run_all(run, progress, only))
    upload_title = f"chunked upload of {scale.upload_bytes // (1024 * 1024)} MB (1 MiB chunks)"
    lines = [
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"emulated RTT {rtt_ms:g} ms; {scale.repeats} repetitions "
        f"({scale.heavy_repeats} for the heaviest; jupyter-fs once): median times, ratios are "
        "medians of back-to-back pairs with the raw floor; "
        f"took {time.monotonic() - started:.0f} s.",
        "",
        report.table(chosen, results, rtt_ms, upload_title),
    ]
    if failed := report.failures(results):
        lines += ["", "Failed or not run:", *failed]
    return "\n".join(lines), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark the CS3 contents manager against the raw-WebDAV floor, "
        "jupyter-fs and the stock local-disk manager.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller workloads and fewer repetitions (< 1 min)"
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=20.0,
        help="emulated round trip to the site in ms through a delaying proxy (0: direct)",
    )
    parser.add_argument("--out", type=Path, help="also write the markdown report to this file")
    parser.add_argument(
        "--section",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--only",
        metavar="TEXT",
        help="in the contents section, only the workloads whose key contains TEXT "
        "(e.g. open-, save-cold, list-10000, upload)",
    )
    args = parser.parse_args(argv)

    def progress(step: str) -> None:
        print(f"... {step}", file=sys.stderr, flush=True)

    texts = []
    for section in args.section or SECTIONS:
        if section == "contents":
            text, _ = benchmark(QUICK if args.quick else FULL, args.rtt_ms, progress, args.only)
        elif section == "responsiveness":
            scale = responsiveness.QUICK if args.quick else responsiveness.FULL
            text, _ = responsiveness.benchmark(scale, args.rtt_ms, progress)
        elif section == "kernels":
            text, _ = kernels.benchmark(
                kernels.QUICK if args.quick else kernels.FULL, args.rtt_ms, progress
            )
        else:
            window = idle.QUICK_WINDOW_S if args.quick else idle.FULL_WINDOW_S
            text, _ = idle.benchmark(window, progress)
        texts.append(text)
    text = "\n\n".join(texts)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
