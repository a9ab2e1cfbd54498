"""Smoke test of the benchmark: it runs end to end on a tiny workload and reports every row.

Only request counts are checked, never timings (the machine is shared). The counts of the
raw floor are exact: it is the yardstick every ratio in the table is taken against, so it
must make the fewest requests each operation needs. Ours are checked against the budget in
benchmarks/README.md where it is about requests.
"""

from __future__ import annotations

import time

from benchmarks.__main__ import benchmark
from benchmarks.measure import StallMeter
from benchmarks.subjects import JUPYTER_FS, LOCAL, OURS, RAW
from benchmarks.workloads import TINY, workloads

#: The fewest WebDAV requests per operation (upload: MKCOL, one PUT per chunk, MOVE).
RAW_FLOOR = {
    "list-3": 1,
    "list-5": 1,
    "list-8": 1,
    "open-8192": 1,
    "open-32768": 1,
    "stat": 1,
    "save-warm-8192": 1,
    "save-warm-32768": 1,
    "save-cold-8192": 1,
    "save-cold-32768": 1,
    "rename-cold": 1,
    "rename-warm": 1,
    "relist": 1,
    "delete": 1,
    "open-notebook": 3,
    "upload": 4,
}


def test_quick_benchmark_reports_every_row_with_request_counts() -> None:
    # A short emulated round trip still sends everything through the delaying proxy.
    text, results = benchmark(TINY, rtt_ms=2, progress=lambda step: None)

    keys = [workload.key for workload in workloads(TINY)] + ["upload"]
    assert list(results) == keys == list(RAW_FLOOR)
    table_rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(table_rows) == len(keys)

    for key in keys:
        row = results[key]
        assert set(row) == {OURS, RAW, JUPYTER_FS, LOCAL}
        assert not row[OURS].failed and not row[RAW].failed and not row[LOCAL].failed, key
        assert row[RAW].request_count == RAW_FLOOR[key], key
        assert isinstance(row[OURS].request_count, int) and row[OURS].request_count > 0, key
        assert row[LOCAL].request_count is None  # local disk speaks no HTTP
        peer = row[JUPYTER_FS]  # an optional extra; it may be missing or fail
        if not (peer.failed or peer.skipped):
            assert peer.request_count > 0, key

    # The request budgets (benchmarks/README.md): exact counts, so they hold on any machine.
    for workload in workloads(TINY):
        if workload.requests is not None:
            assert results[workload.key][OURS].request_count <= workload.requests, workload.key
    # The re-listing after another client added a file is fresh (it fails otherwise).
    assert not results["relist"][OURS].failed
    # Chunked upload: one PUT per 1 MiB chunk between the MKCOL and the final MOVE, as the
    # floor; the table shows its throughput and the memory it added.
    upload = results["upload"][OURS]
    assert upload.request_count == RAW_FLOOR["upload"]
    (upload_row,) = [line for line in table_rows if line.startswith("| chunked upload")]
    assert "MB/s" in upload_row and "MB" in upload_row.split("MB/s", 1)[1]


def test_only_runs_the_chosen_rows() -> None:
    # `--only` is how a row is re-measured after a change: the others are neither run nor shown.
    text, results = benchmark(TINY, rtt_ms=0, progress=lambda step: None, only="delete")

    assert list(results) == ["delete"]
    table_rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0] for row in table_rows] == ["| delete a file"]
    assert results["delete"][RAW].request_count == RAW_FLOOR["delete"]


async def test_the_stall_meter_sees_work_that_never_yields() -> None:
    # A synchronous manager blocks the loop for its whole call; the meter must see it all.
    async with StallMeter() as meter:
        time.sleep(0.05)  # noqa: ASYNC251 - blocking the loop is what is measured
    assert meter.longest >= 0.05
