"""The SQLite connector on a real file: read-only open, discovery, rowid sampling, hostile names."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from scanrules_server.connectors import Sampling, SourceNotFoundError, open_source
from scanrules_server.connectors.sqlite import SqliteConnector
from scanrules_server.domain.errors import SourceError
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.scanner import Table, scan_tables

from .conftest import EMAILS, HOSTILE_COLUMNS, HOSTILE_TABLE, collect, table_named


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def lite(sqlite_path: Path) -> Iterator[SqliteConnector]:
    connector = open_source(f"sqlite:///{sqlite_path}")
    assert isinstance(connector, SqliteConnector)
    yield connector
    connector.close()


def test_url_and_bare_path_open_read_only(sqlite_path: Path) -> None:
    for source in (f"sqlite:///{sqlite_path}", str(sqlite_path)):
        with open_source(source) as connector:
            assert isinstance(connector, SqliteConnector)
            check = connector.check()
            assert check.reachable and check.authenticated and check.read_only


def test_missing_file() -> None:
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        open_source("sqlite:////no/such/file.db")


def test_discovery(lite: SqliteConnector) -> None:
    tables = {t.name: t for t in lite.discover()}
    assert set(tables) == {"customers", "orders", "events", "tags", "x", HOSTILE_TABLE}
    customers = tables["customers"]
    assert customers.qualified == "main.customers" and customers.row_estimate == 200
    assert [(c.table, c.name, c.type) for c in customers.columns] == [
        ("main.customers", "id", "INTEGER"),
        ("main.customers", "contact", "TEXT"),
        ("main.customers", "card_number", "VARCHAR(40)"),
        ("main.customers", "notes", "TEXT"),
    ]
    assert customers.primary_key == ("id",)
    (fk,) = tables["orders"].foreign_keys  # REFERENCES customers: the primary key is implied
    assert (fk.columns, fk.referenced_qualified, fk.referenced_columns) == (("customer_id",), "main.customers", ("id",))
    assert {c.name: c.references for c in tables["orders"].columns}["customer_id"] == ("main.customers", "id")
    assert tables["events"].row_estimate == 50_000 and tables["tags"].primary_key == ("tag",)


def test_random_uses_rowid_ranges(lite: SqliteConnector) -> None:
    events = table_named(lite, "events")  # no declared key: the rowid
    with lite.read_transaction() as conn:
        assert lite.integer_key(conn, events) == "rowid"
        assert lite.integer_key(conn, table_named(lite, "customers")) == "id"
        assert lite.integer_key(conn, table_named(lite, "tags")) is None  # WITHOUT ROWID, text key

    def sample(seed: int) -> list[int]:
        rows = collect(lite, events, Sampling("RANDOM", rows=500, seed=seed))
        return [int(str(r["payload"]).split()[1]) for r in rows]

    first = sample(1)
    assert len(set(first)) == 500 and first == sample(1) and set(first) != set(sample(2))
    assert max(first) - min(first) > 25_000 and set(first) != set(range(1, 501))


def test_head_percent_full_and_budget(lite: SqliteConnector) -> None:
    events = table_named(lite, "events")
    head = collect(lite, events, Sampling("HEAD", rows=120), batch_size=50)
    assert [r["payload"] for r in head] == [f"event {i}" for i in range(1, 121)]
    percent = collect(lite, events, Sampling("PERCENT", percent=10, seed=4), batch_size=2_000)
    assert abs(len(percent) - 5_000) < 500
    assert percent == collect(lite, events, Sampling("PERCENT", percent=10, seed=4), batch_size=2_000)
    assert len(collect(lite, events, Sampling("FULL"), batch_size=4_096)) == 50_000
    assert len(collect(lite, events, Sampling("FULL", time_budget_s=1e-9), batch_size=100)) == 100
    tags = table_named(lite, "tags")
    assert len({r["tag"] for r in collect(lite, tags, Sampling("RANDOM", rows=200))}) == 200


def test_writes_fail_and_the_file_is_unchanged(sqlite_path: Path, lite: SqliteConnector) -> None:
    before = _digest(sqlite_path)
    for statement in ("INSERT INTO x VALUES (2)", "CREATE TABLE y (id)", "DROP TABLE x", "PRAGMA user_version = 7"):
        with pytest.raises(SourceError, match=r"readonly|read-only|query_only"), lite.read_transaction() as conn:
            conn.execute(sa.text(statement))
    assert _digest(sqlite_path) == before


def test_statement_timeout_interrupts(sqlite_path: Path) -> None:
    with open_source(str(sqlite_path), statement_timeout_s=0.2) as connector:
        assert isinstance(connector, SqliteConnector)
        started = time.monotonic()
        with pytest.raises(SourceError, match="timeout"), connector.read_transaction() as conn:
            conn.execute(
                sa.text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n")
            )
        assert time.monotonic() - started < 3


def test_scans_and_hostile_names_change_nothing(sqlite_path: Path, builtin: CompiledRuleSet) -> None:
    before = _digest(sqlite_path)
    with open_source(str(sqlite_path)) as connector:
        hostile = table_named(connector, HOSTILE_TABLE)
        assert tuple(c.name for c in hostile.columns) == HOSTILE_COLUMNS
        for strategy in ("HEAD", "RANDOM", "PERCENT", "FULL"):
            sampling = Sampling(strategy, rows=50, percent=50)
            tables = [Table(t.qualified, t.columns, connector.batches(t, sampling, 512)) for t in connector.discover()]
            scan_tables(builtin, tables)
        full = collect(connector, hostile, Sampling("FULL"))
        assert sorted(str(r['e"mail']) for r in full) == sorted(EMAILS)
        result = scan_tables(
            builtin, [Table(hostile.qualified, hostile.columns, connector.batches(hostile, Sampling(), 64))]
        )
    assert {(f.column, f.classification) for f in result.findings} == {('e"mail', "EMAIL_ADDRESS")}
    assert _digest(sqlite_path) == before
    with sqlite3.connect(sqlite_path) as conn:
        assert conn.execute("SELECT id FROM x").fetchall() == [(1,)]
