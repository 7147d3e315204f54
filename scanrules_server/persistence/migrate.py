"""Alembic, configured in code: `await upgrade(url)` from the app or tests, `run_upgrade(url)` from a CLI.

The migrations run on a connection of an async engine made here (`connection.run_sync`), so `upgrade`
and `downgrade` work inside a running event loop; `run_upgrade` works with or without one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import NullPool

from .db import make_engine, url_to_string

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic `Config` for this package's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser interpolates '%': escape it (passwords may contain it).
        config.set_main_option("sqlalchemy.url", url_to_string(url).replace("%", "%%"))
    return config


def heads() -> list[str]:
    """The head revisions of the migration scripts (one, unless someone branched)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


async def _run(url: str | URL, action: Callable[[Config], None]) -> None:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                action(config)

            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`, in one transaction."""
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str | URL, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` (everything, by default)."""
    await _run(url, lambda config: command.downgrade(config, revision))


async def current_revision(url: str | URL) -> str | None:
    """The revision the database at `url` is at (None if never migrated)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: Connection) -> str | None:
                return MigrationContext.configure(sync_connection).get_current_revision()

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def run_upgrade(url: str | URL, revision: str = "head") -> None:
    """Blocking `upgrade`, for CLIs and other sync code. Safe to call while an event loop runs in this
    thread (the migration then runs on a fresh loop in a helper thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(upgrade(url, revision))
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(upgrade(url, revision))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="scanrules-migrate")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
