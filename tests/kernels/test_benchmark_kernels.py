"""Smoke test of the kernels section of the benchmark: it runs on a tiny scale and reports its
rows with exact request counts (timings are never checked: the machine is shared)."""

from __future__ import annotations

from benchmarks.kernels import TINY, benchmark


def test_the_kernel_rows_run_and_count_their_requests() -> None:
    text, (idle, first, read) = benchmark(TINY, rtt_ms=2, progress=lambda step: None)
    # Nothing changed: one PROPFIND before the cell, nothing after it.
    assert idle.request_count == 1
    # First sync of 10 files in two folders: two listings and ten downloads.
    assert first.request_count == 2 + TINY.files
    assert read.extra["ratio"] > 0 and read.extra["added_mb"] >= 0
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == 4
