"""A real server per database kind (SQLite, PostgreSQL), started once per session in its own
thread and event loop, and a real SDK client against it per test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from scanrules_client import ScanRulesClient
from scanrules_server.app import Running, create_server
from scanrules_server.secretbox import load_key
from scanrules_server.settings import Settings
from tests.dbs import KINDS, temporary_database


class ServerThread:
    """`create_server` on a private event loop, so tests can use their own loops freely."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="scanrules-test-server")
        self.running: Running | None = None

    def start(self) -> str:
        self.thread.start()
        self.running = asyncio.run_coroutine_threadsafe(create_server(self.settings), self.loop).result(timeout=180)
        target = f"127.0.0.1:{self.running.port}"
        server_threads[target] = self
        if self.running.scheduler is not None:  # tests move this clock instead of sleeping
            scheduler_clocks[target] = self.running.scheduler.clock = MovableClock()
        return target

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the server's event loop (e.g. `running.scheduler.tick()`) and await its result."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self) -> None:
        if self.running is not None:
            asyncio.run_coroutine_threadsafe(self.running.stop(0), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()


T = TypeVar("T")


class MovableClock:
    """A scheduler's clock in tests: real time, or frozen at the time `set` (tests `reset` it when done)."""

    def __init__(self) -> None:
        self.frozen: datetime | None = None

    def __call__(self) -> datetime:
        return self.frozen or datetime.now(UTC)

    def set(self, when: datetime) -> None:
        self.frozen = when

    def reset(self) -> None:
        self.frozen = None


#: Running servers by target, for tests that look inside (metrics registry).
running_servers: dict[str, Running] = {}
#: Server threads by target, to run coroutines on a server's loop (`ServerThread.run`).
server_threads: dict[str, ServerThread] = {}
#: The clock each server's scheduler reads (also "now" for CreateSchedule/UpdateSchedule), by target.
scheduler_clocks: dict[str, MovableClock] = {}
#: The admin API key each server created on its first start (as `scanrules serve` prints it), by target.
admin_tokens: dict[str, str] = {}


@contextmanager
def server_with(kind: str, tmp: Path, **overrides: Any) -> Iterator[str]:
    """A server like `server_target`'s with some settings overridden (e.g. `executor="dask", dask_address=...`);
    yields its target, registered in `running_servers` and `admin_tokens`."""
    with temporary_database(kind, tmp) as url:
        key_file = tmp / "scanrules.key"
        load_key(key_file, create=True)
        options: dict[str, Any] = {"rate_limit_per_second": 0, **overrides}
        settings = Settings(
            host="127.0.0.1", port=0, database_url=url, migrate=True, secret_key_file=str(key_file), **options
        )
        server = ServerThread(settings)
        try:
            target = server.start()
            assert server.running is not None and server.running.admin_key
            running_servers[target], admin_tokens[target] = server.running, server.running.admin_key
            yield target
        finally:
            server.stop()


@pytest.fixture(scope="session", params=KINDS)
def server_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind: str = request.param
    tmp: Path = tmp_path_factory.mktemp(f"server-{kind}")
    with temporary_database(kind, tmp) as url:
        key_file = tmp / "scanrules.key"
        load_key(key_file, create=True)  # as an operator would provision for PostgreSQL
        settings = Settings(
            host="127.0.0.1",
            port=0,
            database_url=url,
            migrate=True,
            secret_key_file=str(key_file),
            rate_limit_per_second=0,
        )
        server = ServerThread(settings)
        try:
            target = server.start()
            assert server.running is not None
            running_servers[target] = server.running
            assert server.running.admin_key, "auth is on by default: a fresh database gets an admin key"
            admin_tokens[target] = server.running.admin_key
            yield target
        finally:
            server.stop()


@pytest.fixture
async def client(server_target: str) -> AsyncIterator[ScanRulesClient]:
    async with ScanRulesClient.connect(server_target, timeout=30, token=admin_tokens[server_target]) as c:
        yield c
