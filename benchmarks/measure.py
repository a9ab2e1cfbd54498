"""Measuring one operation: wall time, HTTP requests at the site, and event-loop stalls."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


class StallMeter:
    """The longest single callback the event loop ran: for that long it answered nothing else.

    Every callback the loop runs (task steps included) is timed while the meter is active.
    A work-free ticker measuring its own lateness would also count the time the OS gives
    the CPU to other processes, which on a shared 2-core machine is most of what it sees;
    a callback that blocks (a synchronous manager waiting for the network, CPU work on the
    loop) shows here in full, while being descheduled rarely falls inside a short one.
    """

    def __init__(self) -> None:
        self.longest = 0.0
        self._original: Callable[[asyncio.Handle], None] | None = None

    async def __aenter__(self) -> StallMeter:
        self.longest = 0.0
        original = self._original = asyncio.Handle._run

        def timed_run(handle: asyncio.Handle) -> None:
            started = time.perf_counter()
            try:
                original(handle)
            finally:
                self.longest = max(self.longest, time.perf_counter() - started)

        asyncio.Handle._run = timed_run  # type: ignore[method-assign]
        # The measured work starts in a new, timed step: work that never yields (a
        # synchronous manager) would otherwise run inside this untimed one.
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._original is not None
        asyncio.Handle._run = self._original  # type: ignore[method-assign]
        # End this step, which began while timed: its wrapper records it as it returns.
        await asyncio.sleep(0)


@dataclass
class Result:
    """The repetitions of one workload on one subject."""

    seconds: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)
    #: Workload-specific numbers (e.g. peak memory), and a reason when it could not run.
    extra: dict[str, float] = field(default_factory=dict)
    failed: str = ""
    #: Why it was not run (too slow to be worth the minutes; the reason says what is known).
    skipped: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def request_count(self) -> int | None:
        """Requests per operation: the median over repetitions (they should all agree)."""
        return round(statistics.median(self.requests)) if self.requests else None

    def ratio_to(self, floor: Result) -> float:
        """Median of the per-repetition ratios to ``floor``, run back to back with this one.

        Pairing makes the ratio robust against load that changes during the run (other
        processes on a shared machine): both sides of a pair see about the same load.
        """
        pairs = zip(self.seconds, floor.seconds, strict=False)
        return statistics.median(mine / theirs for mine, theirs in pairs)

    @property
    def longest_stall(self) -> float:
        return max(self.stalls, default=0.0)


async def timed(
    operation: Callable[[], Awaitable[object]],
    count_requests: Callable[[], int] | None,
    reset_requests: Callable[[], None] | None,
    result: Result,
) -> None:
    """Run ``operation`` once, adding its time, site requests and longest stall to ``result``."""
    if reset_requests:
        reset_requests()
    async with StallMeter() as stalls:
        started = time.perf_counter()
        await operation()
        elapsed = time.perf_counter() - started
    result.seconds.append(elapsed)
    result.stalls.append(stalls.longest)
    if count_requests:
        result.requests.append(count_requests())
