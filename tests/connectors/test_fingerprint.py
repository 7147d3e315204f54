"""`Connector.fingerprint` against real sources: stable while nothing changes, different after an
update of one value, an insert and a delete (for files: a rewrite, an added and a removed part)."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scanrules_server.connectors import Connector, TableSchema, open_source
from scanrules_server.connectors import postgres as pg_module

from .conftest import _q, mysql_connect, table_named

SECRET = "secret-value"
ROWS = 300


def _values(n: int = ROWS) -> list[tuple[int, str]]:
    return [(i, f"{SECRET}-{i}") for i in range(1, n + 1)]


def _changes_with_every_edit(
    connector: Connector, table: TableSchema, edits: list[Callable[[], None]], settle_s: float = 0.0
) -> list[str]:
    """The fingerprint before and after each edit; each differs from all before it and is repeatable."""
    seen = [connector.fingerprint(table)]
    assert connector.fingerprint(table) == seen[0], "the same fingerprint while nothing changes"
    for edit in edits:
        edit()
        current = connector.fingerprint(table)
        deadline = time.monotonic() + settle_s
        while current in seen and time.monotonic() < deadline:  # statistics arrive a little later
            time.sleep(0.1)
            current = connector.fingerprint(table)
        assert current not in seen, f"the fingerprint did not change after edit {len(seen)}"
        assert connector.fingerprint(table) == current
        seen.append(current)
    for fingerprint in seen:
        assert SECRET not in fingerprint and len(fingerprint) < 200
    return seen


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg_items(pg_url: str) -> Iterator[str]:
    """fp.items (id, v) with ROWS rows, in a schema of its own dropped afterwards."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA fp")
        conn.execute("CREATE TABLE fp.items (id int PRIMARY KEY, v text)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO fp.items VALUES (%s, %s)", _values())
        conn.execute("ANALYZE fp.items")
    try:
        yield pg_url
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA fp CASCADE")


def _pg_edit(url: str, statement: str) -> Callable[[], None]:
    def edit() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement)

    return edit


def _pg_edits(url: str) -> list[Callable[[], None]]:
    return [
        _pg_edit(url, f"UPDATE fp.items SET v = '{SECRET}-changed' WHERE id = 17"),
        _pg_edit(url, f"INSERT INTO fp.items VALUES (1000, '{SECRET}-new')"),
        _pg_edit(url, "DELETE FROM fp.items WHERE id = 3"),
    ]


def test_postgres_fingerprint_hashes_the_rows_of_small_tables(pg_items: str) -> None:
    with open_source(pg_items) as connector:
        table = table_named(connector, "items")
        seen = _changes_with_every_edit(connector, table, _pg_edits(pg_items))
        assert seen[0].startswith(f"rows={ROWS};sum=") and seen[-1].startswith(f"rows={ROWS};sum=")
        # Order-independent: rewriting the table in another physical order changes nothing.
        with psycopg.connect(pg_items, autocommit=True) as conn:
            conn.execute("CREATE INDEX items_v ON fp.items (v DESC)")
            conn.execute("CLUSTER fp.items USING items_v")
        assert connector.fingerprint(table) == seen[-1]


def test_postgres_fingerprint_of_big_tables_uses_counts_and_statistics(
    pg_items: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_module, "CHECKSUM_MAX_ROWS", 10)  # fp.items (300 rows) is "big" now
    with open_source(pg_items) as connector:
        table = table_named(connector, "items")
        seen = _changes_with_every_edit(connector, table, _pg_edits(pg_items), settle_s=5.0)
    assert all(re.fullmatch(r"rows=\d+;ins=\d+;upd=\d+;del=\d+;bytes=\d+", f) for f in seen)


def test_postgres_fingerprint_quotes_hostile_names(pg_url: str) -> None:
    with open_source(pg_url) as connector:
        hostile = next(t for t in connector.discover() if t.name.startswith('";'))
        assert connector.fingerprint(hostile) == connector.fingerprint(hostile)
        assert connector.fingerprint(hostile).startswith("rows=200;")


# -- MariaDB / MySQL -------------------------------------------------------------------------


@pytest.fixture
def mysql_items(mysql_url: str) -> Iterator[str]:
    database = make_url(mysql_url).database
    conn = mysql_connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {_q('fp items')} (id int PRIMARY KEY, v text)")
            cur.executemany(f"INSERT INTO {_q('fp items')} VALUES (%s, %s)", _values())
        yield mysql_url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_q('fp items')}")
        conn.close()


def test_mysql_fingerprint_counts_and_checksums(mysql_items: str) -> None:
    database = make_url(mysql_items).database

    def edit(statement: str) -> Callable[[], None]:
        def run() -> None:
            conn = mysql_connect(database)
            try:
                with conn.cursor() as cur:
                    cur.execute(statement)
            finally:
                conn.close()

        return run

    edits = [
        edit(f"UPDATE {_q('fp items')} SET v = '{SECRET}-changed' WHERE id = 17"),
        edit(f"INSERT INTO {_q('fp items')} VALUES (1000, '{SECRET}-new')"),
        edit(f"DELETE FROM {_q('fp items')} WHERE id = 3"),
    ]
    with open_source(mysql_items) as connector:
        table = table_named(connector, "fp items")
        seen = _changes_with_every_edit(connector, table, edits)
        assert re.fullmatch(rf"rows={ROWS};checksum=[0-9a-f]+", seen[0])
        hostile = next(t for t in connector.discover() if t.name.startswith('";'))
        assert connector.fingerprint(hostile).startswith("rows=200;checksum=")


# -- SQLite ----------------------------------------------------------------------------------


def test_sqlite_fingerprint_counts_and_sums_row_hashes(tmp_path: Path) -> None:
    path = tmp_path / "fp.db"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE "fp ""items" (id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL)')
        conn.executemany(
            'INSERT INTO "fp ""items" VALUES (?, ?, ?, ?)', [(i, v, b"\x00\xff", 1.5) for i, v in _values()]
        )
    conn.close()

    def edit(statement: str) -> Callable[[], None]:
        def run() -> None:
            with sqlite3.connect(path) as writer:
                writer.execute(statement)
            writer.close()

        return run

    edits = [
        edit(f'UPDATE "fp ""items" SET v = \'{SECRET}-changed\' WHERE id = 17'),
        edit('UPDATE "fp ""items" SET v = NULL WHERE id = 18'),  # to NULL
        edit('UPDATE "fp ""items" SET r = 1.25 WHERE id = 19'),  # another column, another type
        edit(f'INSERT INTO "fp ""items" VALUES (1000, \'{SECRET}-new\', NULL, NULL)'),
        edit('DELETE FROM "fp ""items" WHERE id = 3'),
    ]
    with open_source(str(path)) as connector:
        table = table_named(connector, 'fp "items')
        seen = _changes_with_every_edit(connector, table, edits)
        assert re.fullmatch(rf"rows={ROWS};sum=[0-9a-f]+", seen[0])
        # Every column counts, even when the scan reads only some of them.
        narrow = TableSchema(table.schema, table.name, table.columns[:1], table.row_estimate, table.primary_key)
        assert connector.fingerprint(narrow) == seen[-1]
    check = sqlite3.connect(path)
    assert check.execute('SELECT count(*) FROM "fp ""items"').fetchone() == (ROWS,)
    check.close()


# -- files -----------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[tuple[int, str]]) -> None:
    time.sleep(0.02)  # past the file system's timestamp granularity
    path.write_text("id,v\n" + "".join(f"{i},{v}\n" for i, v in rows), encoding="utf-8")


def test_file_fingerprint_follows_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    _write_csv(path, _values())
    changed = [(i, f"{SECRET}-{i:x}" if i == 17 else v) for i, v in _values()]  # 17 -> 11: same size
    with open_source(str(path)) as connector:
        table = table_named(connector, "items")
        edits = [
            lambda: _write_csv(path, changed),
            lambda: _write_csv(path, [*changed, (1000, f"{SECRET}-new")]),
            lambda: _write_csv(path, changed[1:]),
        ]
        seen = _changes_with_every_edit(connector, table, edits)
    assert all(re.fullmatch(r"files=1;bytes=\d+;digest=[0-9a-f]{16}", f) for f in seen)


def test_folder_table_fingerprint_follows_its_part_files(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    parts = lake / "items"
    parts.mkdir(parents=True)
    rows = _values()
    for n in range(3):
        _write_csv(parts / f"part-{n}.csv", rows[n * 100 : (n + 1) * 100])
    _write_csv(lake / "other.csv", rows[:10])
    with open_source(str(lake)) as connector:
        table = table_named(connector, "items")
        other = table_named(connector, "other")
        other_before = connector.fingerprint(other)
        changed = [(i, f"{SECRET}-{i:x}" if i == 117 else v) for i, v in rows[100:200]]
        edits = [
            lambda: _write_csv(parts / "part-1.csv", changed),  # a value, same size
            lambda: _write_csv(parts / "part-3.csv", [(1000, f"{SECRET}-new")]),  # a new part
            lambda: (parts / "part-0.csv").unlink(),  # a part removed
            lambda: _write_csv(parts / "part-2.csv", rows[200:299]),  # a row deleted
        ]
        seen = _changes_with_every_edit(connector, table, edits)
        assert seen[0].startswith("files=3;") and seen[2].startswith("files=4;")
        (parts / "_SUCCESS").write_text("")  # not a data file
        assert connector.fingerprint(table) == seen[-1]
        assert connector.fingerprint(other) == other_before


def test_sqlite_fingerprint_of_big_tables_stamps_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanrules_server.connectors import sqlite as sqlite_connector

    monkeypatch.setattr(sqlite_connector, "CHECKSUM_MAX_ROWS", 10)  # the real threshold is 250,000 rows
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)")
        conn.executemany("INSERT INTO big (v) VALUES (?)", [(f"v{i}",) for i in range(50)])
    conn.close()

    def write(statement: str) -> None:
        time.sleep(0.02)  # past the file system's timestamp granularity
        with sqlite3.connect(path) as writer:
            writer.execute(statement)
        writer.close()

    with open_source(str(path)) as connector:
        table = table_named(connector, "big")
        first = connector.fingerprint(table)
        assert re.fullmatch(r"rows=50;file=\d+:\d+", first) and connector.fingerprint(table) == first
    write("UPDATE big SET v = 'changed' WHERE id = 7")  # same row count: only the file stamp tells
    with open_source(str(path)) as connector:
        assert connector.fingerprint(table_named(connector, "big")) != first
