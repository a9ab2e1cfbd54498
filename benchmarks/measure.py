"""Measuring one operation: wall time, HTTP requests at the site, and event-loop stalls."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


class StallMeter:
    """A ticker coroutine that notes how late it wakes: the longest time the loop was blocked.

    It asks to wake every ``interval`` seconds; any lateness beyond that is time during
    which the event loop ran something else without yielding (a Jupyter server would not
    answer any other request meanwhile).
    """

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.longest = 0.0
        self._stopping = False
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.longest = max(self.longest, loop.time() - before - self.interval)

    async def __aenter__(self) -> StallMeter:
        self.longest = 0.0
        self._stopping = False
        self._task = asyncio.ensure_future(self._tick())
        await asyncio.sleep(0)  # let the ticker start before the measured work does
        return self

    async def __aexit__(self, *exc: object) -> None:
        # The ticker's last wake measures a stall that lasted until the very end (work that
        # never yielded, like a synchronous manager's, is seen only then).
        assert self._task is not None
        self._stopping = True
        await self._task


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
