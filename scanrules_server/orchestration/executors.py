"""Executors run work units; everything else (priority, limits, retries, cancellation) is the orchestrator's.

The interface is one method: `submit(spec) -> concurrent.futures.Future` of `run_unit(spec)`'s result.
`LocalExecutor` is a process pool on the server's machine; `DaskExecutor` sends units to a Dask cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import multiprocessing
import os
import secrets
import tempfile
import threading
import uuid
from concurrent.futures import CancelledError, Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from .worker import UnitSpec, run_unit

if TYPE_CHECKING:  # distributed is imported only by a server that uses Dask (it is slow to import)
    from distributed import Client
    from distributed import Future as DaskFuture

log = logging.getLogger("scanrules.orchestration")


class Executor(Protocol):
    workers: int

    def submit(self, spec: UnitSpec) -> Future[dict[str, Any]]: ...

    def shutdown(self) -> None: ...


class LocalExecutor:
    """A process pool on this machine (the default); `spawn` so workers never inherit the server's loop."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._pool = self._new_pool()
        # A compiled rule set is megabytes (5 MB with the built-in library): pickling it into every unit's
        # call costs more than many small units' scans. Workers read it once from a private file instead.
        self._compiled_dir = tempfile.TemporaryDirectory(prefix="scanrules-compiled-")
        self._compiled_files: dict[str, str] = {}

    def _new_pool(self) -> ProcessPoolExecutor:
        # Partitions of one table are merged from distinct-count sketches of str hashes: every worker must
        # hash alike. One random seed per server keeps hash flooding hard (spawned workers inherit it).
        os.environ.setdefault("PYTHONHASHSEED", str(secrets.randbelow(2**32)))
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def _by_file(self, spec: UnitSpec) -> UnitSpec:
        path = self._compiled_files.get(spec.compiled_key)
        if path is None:
            name = hashlib.sha256(spec.compiled_key.encode()).hexdigest()[:32]
            path = os.path.join(self._compiled_dir.name, name)
            with open(path + ".tmp", "wb") as out:
                out.write(spec.compiled)
            os.replace(path + ".tmp", path)  # readers never see a partial file
            self._compiled_files[spec.compiled_key] = path
        return replace(spec, compiled=b"", compiled_path=path)

    def submit(self, spec: UnitSpec) -> Future[dict[str, Any]]:
        spec = self._by_file(spec)
        try:
            return self._pool.submit(run_unit, spec)
        except BrokenProcessPool:  # a worker died (e.g. killed for memory): its units fail and retry; start afresh
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(run_unit, spec)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._compiled_dir.cleanup()


class DaskExecutorError(RuntimeError):
    """A unit could not run on the Dask cluster (scheduler unreachable or lost, task cancelled there)."""


class _BridgedFuture(Future[dict[str, Any]]):
    """A `concurrent.futures.Future` fed by a Dask future; cancelling it releases the Dask task too."""

    def __init__(self) -> None:
        super().__init__()
        self.dask_future: DaskFuture[dict[str, Any]] | None = None

    def cancel(self) -> bool:
        cancelled = super().cancel()
        if cancelled and self.dask_future is not None:
            # Releasing the only reference makes the scheduler forget the task: dropped when still queued,
            # its result discarded when a worker thread already runs it (a thread cannot be interrupted).
            # Unlike `Future.cancel()` this never blocks the caller (the server's event loop) on the network.
            self.dask_future.release()  # type: ignore[no-untyped-call]
        return cancelled


class DaskExecutor:
    """Units run as tasks on a Dask cluster through a `distributed.Client` connected to `address`.

    The constructor connects and blocks (up to `timeout` seconds): call it outside the event loop
    (`asyncio.to_thread`). `submit` never blocks on the network: the task is sent by the client's own
    IO thread, and results come back through Dask's callback thread. Retries stay the orchestrator's:
    tasks are impure (`pure=False`, a fresh key per attempt), so a retry really runs again.

    Hash seed: distributed's Nanny sets PYTHONHASHSEED=6640 in every worker it spawns (distributed/nanny.py,
    unless `distributed.nanny.pre-spawn-environ` sets another non-zero seed), so partitions of one table
    scanned on different workers have comparable distinct-count sketches. Workers started with `--no-nanny`
    keep their own environment's seed; partials of differing seeds still merge, with distinct counts
    flagged approximate (`engine.partials`).
    """

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self.address = address
        self.timeout = timeout
        self._fallback_workers = 1
        self._lock = threading.Lock()
        self._reconnecting = False
        self._client = self._connect()
        self._fallback_workers = max(1, self.workers)

    def _connect(self) -> Client:
        from distributed import Client

        try:
            client: Client = Client(  # type: ignore[no-untyped-call]
                self.address, timeout=self.timeout, set_as_default=False, name="scanrules"
            )
            return client
        except Exception as exc:  # OSError/TimeoutError when nobody answers, ValueError on a bad address
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise RuntimeError(f"cannot connect to the Dask scheduler at {self.address}: {reason}") from exc

    @property
    def workers(self) -> int:
        """The cluster's total worker threads, as the client last heard (refreshed every 2 s by its own IO
        thread, no round trip here); the last known count while the scheduler is unreachable."""
        identity = getattr(self._client, "_scheduler_identity", None) or {}
        threads = identity.get("total_threads") if isinstance(identity, dict) else None
        if isinstance(threads, int) and threads > 0:
            self._fallback_workers = threads
        return self._fallback_workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._fallback_workers = value

    def submit(self, spec: UnitSpec) -> Future[dict[str, Any]]:
        client = self._client
        if client.status in ("closing", "closed"):  # the client gave up reconnecting to a lost scheduler
            self._reconnect_in_background()
            raise DaskExecutorError(f"Dask scheduler at {self.address} unreachable (client {client.status})")
        bridged = _BridgedFuture()
        key = f"scanrules-unit-{spec.unit_seq}-{uuid.uuid4().hex[:16]}"
        dask_future = client.submit(run_unit, spec, key=key, pure=False)
        bridged.dask_future = dask_future
        dask_future.add_done_callback(lambda done: _transfer(done, bridged))  # type: ignore[no-untyped-call]
        return bridged

    def _reconnect_in_background(self) -> None:
        with self._lock:
            if self._reconnecting:
                return
            self._reconnecting = True

        def reconnect() -> None:
            try:
                old, self._client = self._client, self._connect()
                log.info("event=dask_reconnected address=%s", self.address)
                with contextlib.suppress(Exception):
                    old.close(timeout=1)  # type: ignore[no-untyped-call]
            except RuntimeError as exc:
                log.warning("event=dask_reconnect_failed %s", exc)
            finally:
                with self._lock:
                    self._reconnecting = False

        threading.Thread(target=reconnect, name="scanrules-dask-reconnect", daemon=True).start()

    def shutdown(self) -> None:
        """Close the client (the cluster keeps running); waits at most a couple of seconds."""
        with contextlib.suppress(Exception):
            self._client.close(timeout=2)  # type: ignore[no-untyped-call]


def _transfer(done: DaskFuture[dict[str, Any]], bridged: _BridgedFuture) -> None:
    """Runs in Dask's callback thread once the task ended: hands its outcome to the bridged future."""
    if bridged.done():  # cancelled by the orchestrator
        return
    try:
        result = done.result()
    except (CancelledError, asyncio.CancelledError) as exc:  # scheduler connection lost, or task released: retryable
        outcome: dict[str, Any] | BaseException = DaskExecutorError(f"Dask task {done.key} cancelled: {exc}")
    except Exception as exc:  # the unit's own error, raised again here with its remote traceback
        outcome = exc
    else:
        outcome = result
    with contextlib.suppress(InvalidStateError):  # cancelled meanwhile
        if isinstance(outcome, BaseException):
            bridged.set_exception(outcome)
        else:
            bridged.set_result(outcome)
