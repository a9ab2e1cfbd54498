"""The results as a markdown table, with each row of ours checked against the issue's budget.

The budget is shown here, never asserted in tests: timings on a shared machine are noisy,
request counts are not.
"""

from __future__ import annotations

from .measure import Result
from .subjects import JUPYTER_FS, LOCAL, OURS, RAW
from .workloads import MiB, Workload

STALL_BUDGET = 0.020
BIG_LISTING_SECONDS = 1.5
UPLOAD_MEMORY = 64 * MiB
UPLOAD_THROUGHPUT = 0.7
#: Below this emulated round trip, the time budget (stated at 20 ms) is not judged.
BUDGET_RTT_MS = 20


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def misses(
    key: str,
    ours: Result,
    raw: Result,
    rtt_ms: float,
    largest_listing: str,
    budget: tuple[int | None, float | None] = (None, None),
) -> list[str]:
    """Where our row misses its budget, (requests, time ratio) (empty: it meets it)."""
    if ours.failed:
        return [f"failed: {ours.failed}"]
    found = []
    limit, ratio_limit = budget
    if limit is not None and ours.request_count is not None and ours.request_count > limit:
        found.append(f"{ours.request_count} requests > {limit}")
    if ours.longest_stall > STALL_BUDGET:
        found.append(f"loop stalled {_ms(ours.longest_stall)}")
    if key == "upload":
        if ours.extra["peak_added"] >= UPLOAD_MEMORY:
            found.append(f"+{ours.extra['peak_added'] / MiB:.0f} MB peak memory")
        if (
            not raw.failed
            and ours.extra["throughput"] < UPLOAD_THROUGHPUT * raw.extra["throughput"]
        ):
            found.append(
                f"{ours.extra['throughput'] / raw.extra['throughput']:.0%} of raw throughput"
            )
    elif rtt_ms >= BUDGET_RTT_MS and not raw.failed and ratio_limit is not None:
        ratio = ours.ratio_to(raw)
        if ratio > ratio_limit:
            found.append(f"{ratio:.2f}x raw > {ratio_limit}")
    if rtt_ms >= BUDGET_RTT_MS and key == largest_listing and ours.median >= BIG_LISTING_SECONDS:
        found.append(f"{_ms(ours.median)} ≥ 1.5 s")
    return found


def _cell(result: Result | None, raw: Result, key: str, with_ratio: bool) -> list[str]:
    """Time (with ratio to raw), requests, stall: three or four cells."""
    if result is None:
        return ["", "", ""] + ([""] if with_ratio else [])
    if result.failed or result.skipped:
        shown = "fails" if result.failed else "not run"
        return [shown, "", ""] + ([""] if with_ratio else [])
    time = _ms(result.median)
    if key == "upload":
        extra = result.extra
        time += f"<br>{extra['throughput'] / MiB:.0f} MB/s, +{extra['peak_added'] / MiB:.0f} MB"
    requests = "—" if result.request_count is None else str(result.request_count)
    cells = [time]
    if with_ratio:
        cells.append(f"{result.ratio_to(raw):.2f}" if raw.seconds else "")
    return [*cells, requests, _ms(result.longest_stall)]


def table(
    chosen: list[Workload],
    results: dict[str, dict[str, Result]],
    rtt_ms: float,
    upload_title: str,
) -> str:
    """The markdown table: one row per workload, the four subjects side by side."""
    header = (
        "| workload | ours | x raw | req | stall | raw floor | req | stall "
        "| jupyter-fs | x raw | req | stall | local disk | budget (ours) |"
    )
    lines = [header, _separator(header)]
    titles = [(w.key, w.title, (w.requests, w.ratio)) for w in chosen]
    titles.append(("upload", upload_title, (None, None)))
    listings = [w.key for w in chosen if w.key.startswith("list-")]
    largest_listing = listings[-1] if listings else ""
    for key, title, budget in titles:
        if key not in results:
            continue  # left out by --only
        row = results[key]
        raw = row[RAW]
        cells = [title]
        cells += _cell(row.get(OURS), raw, key, with_ratio=True)
        cells += _cell(raw, raw, key, with_ratio=False)
        cells += _cell(row.get(JUPYTER_FS), raw, key, with_ratio=True)
        local = row.get(LOCAL)
        cells.append("fails" if local and local.failed else _ms(local.median) if local else "")
        found = misses(key, row[OURS], raw, rtt_ms, largest_listing, budget)
        cells.append("misses: " + "; ".join(found) if found else "meets")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _separator(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def failures(results: dict[str, dict[str, Result]]) -> list[str]:
    """Why a subject failed or was not run (shown under the table), one line per reason."""
    keys_by_reason: dict[tuple[str, str], list[str]] = {}
    for key, row in results.items():
        for kind, result in row.items():
            if result.failed or result.skipped:
                reason = (
                    f"failed: {result.failed}" if result.failed else f"not run: {result.skipped}"
                )
                keys_by_reason.setdefault((kind, reason), []).append(key)
    return [
        f"- {kind}{'' if len(keys) == len(results) else ' on ' + ', '.join(keys)}: {reason}"
        for (kind, reason), keys in keys_by_reason.items()
    ]
