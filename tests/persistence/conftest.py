"""Database fixtures, each test run on SQLite and on PostgreSQL.

`db_url` is an empty (unmigrated) database: a SQLite file under tmp_path, or a fresh uniquely named
PostgreSQL database dropped afterwards (see tests/dbs.py; set SCANRULES_TEST_SKIP_POSTGRES=1 to skip
those). `migrated_db_url` is one at head: a fresh migrated SQLite file, or on PostgreSQL one database
migrated once per session and emptied (TRUNCATE) after each test; `engine` sits on it,
`session_factory` and `session` on that. Other test packages can reuse these with
`from tests.persistence.conftest import db_kind, engine, ...` in their conftest, or build their own
on `tests.dbs.temporary_database`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from scanrules_server.persistence.db import make_engine, make_session_factory
from scanrules_server.persistence.migrate import run_upgrade
from tests.dbs import KINDS, migrated_postgres_database, temporary_database, truncate_postgres_database

SKIP_POSTGRES_ENV = "SCANRULES_TEST_SKIP_POSTGRES"


@pytest.fixture(params=KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    if kind == "postgresql" and os.environ.get(SKIP_POSTGRES_ENV):
        pytest.skip(f"PostgreSQL tests disabled by {SKIP_POSTGRES_ENV}")
    return kind


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    with temporary_database(db_kind, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_session_database() -> Iterator[str]:
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def migrated_db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if db_kind == "postgresql":
        url: str = request.getfixturevalue("postgres_session_database")
        try:
            yield url
        finally:
            truncate_postgres_database(url)
    else:
        with temporary_database(db_kind, tmp_path) as url:
            run_upgrade(url)
            yield url


@pytest.fixture
async def engine(migrated_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session
