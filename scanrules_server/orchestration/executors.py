"""Executors run work units; everything else (priority, limits, retries, cancellation) is the orchestrator's.

The interface is one method: `submit(spec) -> concurrent.futures.Future` of `run_unit(spec)`'s result.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from .worker import UnitSpec, run_unit


class Executor(Protocol):
    workers: int

    def submit(self, spec: UnitSpec) -> Future[dict[str, Any]]: ...

    def shutdown(self) -> None: ...


class LocalExecutor:
    """A process pool on this machine (the default); `spawn` so workers never inherit the server's loop."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, spec: UnitSpec) -> Future[dict[str, Any]]:
        try:
            return self._pool.submit(run_unit, spec)
        except BrokenProcessPool:  # a worker died (e.g. killed for memory): its units fail and retry; start afresh
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(run_unit, spec)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
