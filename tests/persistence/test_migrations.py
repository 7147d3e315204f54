from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from scanrules_server.persistence.db import DEFAULT_DATABASE_URL, make_engine, normalize_url
from scanrules_server.persistence.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    downgrade,
    heads,
    run_upgrade,
    upgrade,
)
from scanrules_server.persistence.models import Base, IdempotencyKeyRow

TABLES = {
    "rules",
    "rule_revisions",
    "rule_sets",
    "rule_set_revisions",
    "patterns",
    "idempotency_keys",
    "data_sources",
    "api_keys",
    "audit_events",
    "scan_jobs",
    "work_units",
    "findings",
    "executions",
    "finding_feedback",
    "schedules",
}
HEAD = "0005"


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            names: list[str] = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def test_single_head() -> None:
    assert heads() == [HEAD]
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert alembic_config().get_main_option("script_location") == str(MIGRATIONS_DIR)


async def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    assert await current_revision(db_url) is None
    await upgrade(db_url)
    assert await current_revision(db_url) == HEAD
    assert await _tables(db_url) == TABLES
    await upgrade(db_url)  # already at head: nothing to do
    await downgrade(db_url)
    assert await current_revision(db_url) is None
    assert await _tables(db_url) == set()
    await upgrade(db_url)
    assert await current_revision(db_url) == HEAD
    assert await _tables(db_url) == TABLES


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_match_the_migration(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_run_upgrade_works_inside_a_running_loop(db_url: str) -> None:
    run_upgrade(db_url)  # sync helper called from async code: runs on a helper thread
    assert await current_revision(db_url) == HEAD


def test_run_upgrade_without_a_loop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"  # plain sqlite URL, as a CLI user would write it
    run_upgrade(url)
    assert (tmp_path / "cli.db").is_file()


def test_urls_are_normalised() -> None:
    assert normalize_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert normalize_url("postgresql+asyncpg://u@h/db").drivername == "postgresql+asyncpg"
    assert normalize_url(DEFAULT_DATABASE_URL).drivername == "sqlite+aiosqlite"


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await engine.dispose()


async def test_timestamps_come_back_aware_utc(engine: AsyncEngine) -> None:
    paris = timezone(timedelta(hours=2))
    written = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=paris)
    async with engine.begin() as connection:
        await connection.execute(
            insert(IdempotencyKeyRow).values(
                method="M", request_id="r", resource_name="rules/x", revision_id=None, create_time=written
            )
        )
    async with engine.connect() as connection:
        read = (await connection.execute(select(IdempotencyKeyRow.create_time))).scalar_one()
    assert read == written and read.tzinfo == UTC
    assert read == datetime(2026, 5, 1, 10, 30, 15, 123456, tzinfo=UTC)


async def test_naive_timestamps_are_refused(engine: AsyncEngine) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with engine.begin() as connection:
            await connection.execute(
                insert(IdempotencyKeyRow).values(
                    method="M", request_id="r", resource_name="rules/x", create_time=datetime(2026, 1, 1)
                )
            )
