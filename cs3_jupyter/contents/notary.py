"""Notebook trust (signatures) in one thread of its own, whoever calls it.

The notary keeps signatures in SQLite, whose connection may only be used by the thread that
opened it; hashing every cell of a large notebook is also too slow for the event loop. So
all of it runs in one dedicated thread: the manager sends its own work there, and a direct
call from anywhere else (an extension, a test calling ``mark_trusted_cells`` or
``notary.check_signature``) waits for that thread instead of failing with SQLite's
"objects created in a thread can only be used in that same thread".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from nbformat.sign import NotebookNotary

T = TypeVar("T")


class NotaryThread:
    """The one thread signatures are checked and stored in."""

    def __init__(self) -> None:
        self._here = threading.local()
        self._executor = ThreadPoolExecutor(
            1, thread_name_prefix="cs3-notary", initializer=self._mark
        )

    def _mark(self) -> None:
        self._here.flag = True

    @property
    def executor(self) -> ThreadPoolExecutor:
        """For ``loop.run_in_executor``: the manager's own calls, without blocking the loop."""
        return self._executor

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn`` in the notary's thread: at once when already there, else waiting for it."""
        if getattr(self._here, "flag", False):
            return fn(*args, **kwargs)
        future: Future[T] = self._executor.submit(fn, *args, **kwargs)
        return future.result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False)


class ThreadBoundNotary(NotebookNotary):
    """A notary whose signature store is only ever used in ``thread``.

    Build it with :meth:`create`, which opens the store in that thread.
    """

    thread: NotaryThread

    @classmethod
    def create(cls, thread: NotaryThread, **traits: Any) -> ThreadBoundNotary:
        def build() -> ThreadBoundNotary:
            notary = cls(**traits)
            notary.thread = thread
            return notary

        return thread.run(build)

    def check_signature(self, nb: Any) -> bool:
        return self.thread.run(super().check_signature, nb)

    def sign(self, nb: Any) -> None:
        self.thread.run(super().sign, nb)

    def unsign(self, nb: Any) -> None:
        self.thread.run(super().unsign, nb)
