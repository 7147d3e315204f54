"""SQLite files through SQLAlchemy (pysqlite), opened read-only.

* The file is opened as `file:...?mode=ro` and every connection has `PRAGMA query_only = ON`:
  SQLite itself refuses any write, and a scan never creates or changes the file.
* Discovery uses the table-valued pragmas (`pragma_table_list`, `pragma_table_info`,
  `pragma_foreign_key_list`) with bound table names; row estimates are `count(*)`.
* SQLite has no statement timeout: a progress handler interrupts a statement that runs longer.
* RANDOM: rowid (or integer primary key) ranges, or a reservoir over a bounded scan (see `sql.py`);
  PERCENT filters rows client-side with a seeded generator over a full scan.
* Partitions are rowid ranges (tables WITHOUT ROWID are not split: their INTEGER PRIMARY KEY may hold
  values that are not integers).
* `fingerprint`: `count(*)` and an order-independent checksum, the `sum()` of the CRC-32 of each row's
  `quote()`d columns (SQL literals, so the row's text is unambiguous), by a deterministic Python
  function registered on the (read-only) connection: about 3 µs a row, a Python call each.
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import ConnectionCheck, ForeignKey, SourceNotFoundError, TableSchema, qualified_name
from .sql import SqlAlchemyConnector

SCHEMA = "main"
_ROWID_ALIASES = ("rowid", "_rowid_", "oid")
_PROGRESS_STEPS = 10_000
_CRC32 = "scanrules_crc32"


def _raw(conn: sa.Connection) -> sqlite3.Connection:
    dbapi = conn.connection.dbapi_connection
    assert isinstance(dbapi, sqlite3.Connection)
    return dbapi


class SqliteConnector(SqlAlchemyConnector):
    kind = "sqlite"

    @classmethod
    def from_url(cls, uri: str, *, statement_timeout_s: float = 30.0) -> SqliteConnector:
        try:
            url = make_url(uri)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number, an unclosed [IPv6]
            raise SourceError("not a valid sqlite:/// URL") from None
        database = url.database or ""
        if not database or database == ":memory:":
            raise SourceError("a SQLite source needs a file: sqlite:///relative.db or sqlite:////absolute.db")
        return cls(Path(database), statement_timeout_s=statement_timeout_s)

    def __init__(self, path: Path, *, statement_timeout_s: float = 30.0) -> None:
        if not path.is_file():
            raise SourceNotFoundError(f"SQLite database file {str(path)!r} does not exist")
        self.path = path.resolve()
        self.where = f"sqlite:///{path}"
        self.statement_timeout_s = statement_timeout_s
        self.engine = sa.create_engine(
            sa.URL.create("sqlite+pysqlite", database=f"file:{self.path}?mode=ro", query={"uri": "true"}),
            connect_args={"timeout": statement_timeout_s},
        )
        sa.event.listen(self.engine, "connect", _on_connect)
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar_one()
                conn.rollback()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise SourceError(f"cannot open {self.where}: {' '.join(str(getattr(exc, 'orig', exc)).split())}") from None

    # -- session -----------------------------------------------------------------------------

    def _begin_read_only(self, conn: sa.Connection) -> None:
        deadline = time.monotonic() + self.statement_timeout_s
        _raw(conn).set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
        conn.execute(sa.text("PRAGMA query_only = ON"))

    def _end_read(self, conn: sa.Connection) -> None:
        if not conn.invalidated:
            _raw(conn).set_progress_handler(None, 0)

    # -- interface ---------------------------------------------------------------------------

    def check(self) -> ConnectionCheck:
        started = time.monotonic()
        try:
            with self.read_transaction() as conn:
                conn.execute(sa.text("SELECT 1")).scalar_one()
                latency = time.monotonic() - started
                query_only = conn.execute(sa.text("PRAGMA query_only")).scalar_one()
                count = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
                    )
                ).scalar_one()
        except SourceError as exc:
            return ConnectionCheck(True, True, False, time.monotonic() - started, str(exc))
        read_only = bool(query_only)
        message = f"opened {self.path} read-only (mode=ro, query_only); {count} tables"
        return ConnectionCheck(True, True, read_only, latency, message)

    def _tables(self, conn: sa.Connection) -> list[tuple[str, bool]]:
        """(name, without_rowid) of every table in `main`."""
        try:
            rows = conn.execute(
                sa.text("SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name")
            ).all()
        except SQLAlchemyError:  # SQLite older than 3.37
            conn.rollback()
            self._begin_read_only(conn)
            rows = conn.execute(sa.text("SELECT name, 0 FROM sqlite_master WHERE type = 'table' ORDER BY name")).all()
        return [(str(name), bool(wr)) for name, wr in rows if not str(name).startswith("sqlite_")]

    def discover(self) -> list[TableSchema]:
        out = []
        with self.read_transaction() as conn:
            for name, _without_rowid in self._tables(conn):
                info = conn.execute(
                    sa.text("SELECT name, type, pk FROM pragma_table_info(:t) ORDER BY cid"), {"t": name}
                ).all()
                pk = tuple(str(n) for n, _type, position in sorted(info, key=lambda r: r[2]) if position)
                fk_rows = conn.execute(
                    sa.text('SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(:t) ORDER BY id, seq'),
                    {"t": name},
                ).all()
                parts: dict[int, list[Any]] = {}
                for fk_id, ref_table, local, remote in fk_rows:
                    parts.setdefault(int(fk_id), []).append((str(ref_table), str(local), remote))
                fks = []
                for fk_id, items in parts.items():
                    ref_table = items[0][0]
                    remotes = [r for _, _, r in items]
                    if any(r is None for r in remotes):  # REFERENCES t without columns: t's primary key
                        ref_info = conn.execute(
                            sa.text("SELECT name, pk FROM pragma_table_info(:t) WHERE pk > 0 ORDER BY pk"),
                            {"t": ref_table},
                        ).all()
                        remotes = [str(n) for n, _ in ref_info]
                    fks.append(
                        ForeignKey(
                            tuple(local for _, local, _ in items),
                            SCHEMA,
                            ref_table,
                            tuple(str(r) for r in remotes),
                            str(fk_id),
                        )
                    )
                references: dict[str, tuple[str, str]] = {}
                for fk in fks:
                    for local, remote in zip(fk.columns, fk.referenced_columns, strict=False):
                        references.setdefault(local, (fk.referenced_qualified, remote))
                qualified = qualified_name(SCHEMA, name)
                columns = tuple(
                    ColumnInfo(qualified, str(col), str(type_ or ""), "", references.get(str(col)))
                    for col, type_, _ in info
                )
                clause, _ = self.table_clause(TableSchema(SCHEMA, name, columns), [])
                count = conn.execute(sa.select(sa.func.count()).select_from(clause)).scalar_one()
                out.append(TableSchema(SCHEMA, name, columns, int(count), pk, tuple(fks)))
        return out

    def partition_key(self, conn: sa.Connection, table: TableSchema) -> str | None:
        # The rowid (which an INTEGER PRIMARY KEY aliases) is always a unique non-NULL integer.
        if dict(self._tables(conn)).get(table.name, True):
            return None
        info = conn.execute(sa.text("SELECT name FROM pragma_table_info(:t)"), {"t": table.name}).all()
        names = {str(n).lower() for (n,) in info}
        return next((alias for alias in _ROWID_ALIASES if alias not in names), None)

    def fingerprint(self, table: TableSchema) -> str:
        if (table.row_estimate or 0) > CHECKSUM_MAX_ROWS:
            return self._file_stamp(table)
        with self.read_transaction() as conn:
            # Every column of the table, not just the (maybe filtered) columns of `table`.
            info = conn.execute(sa.text("SELECT name FROM pragma_table_info(:t) ORDER BY cid"), {"t": table.name}).all()
            names = [str(n) for (n,) in info]
            if not names:
                raise SourceError(f"{self.where}: no table {table.name!r}")
            _raw(conn).create_function(_CRC32, 1, _crc32, deterministic=True)
            clause, columns = self.table_clause(table, names)
            row_text: sa.ColumnElement[Any] = sa.func.quote(columns[0])
            for column in columns[1:]:
                row_text = row_text.concat(",").concat(sa.func.quote(column))
            query = sa.select(sa.func.count(), sa.func.sum(getattr(sa.func, _CRC32)(row_text)))
            rows, checksum = conn.execute(query.select_from(clause)).one()
        return f"rows={int(rows)};sum={int(checksum or 0):x}"

    def _file_stamp(self, table: TableSchema) -> str:
        """For big tables a row checksum costs about a full read (a Python call per row): the row count plus
        the size and mtime of the database file and its WAL instead. Coarse (any write to the database
        changes it, so an unchanged table may be rescanned) but never misses a change to this table."""
        with self.read_transaction() as conn:
            clause, _ = self.table_clause(table, [])
            rows = conn.execute(sa.select(sa.func.count()).select_from(clause)).scalar_one()
        stamps = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            stamps.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        return f"rows={int(rows)};file={'/'.join(stamps)}"

    def integer_key(self, conn: sa.Connection, table: TableSchema) -> str | None:
        without_rowid = dict(self._tables(conn)).get(table.name, True)
        info = conn.execute(sa.text("SELECT name, type, pk FROM pragma_table_info(:t)"), {"t": table.name}).all()
        pk = [(str(n), str(t or "").upper()) for n, t, p in info if p]
        if len(pk) == 1 and pk[0][1] == "INTEGER":
            return pk[0][0]  # an INTEGER PRIMARY KEY is the rowid itself (or, WITHOUT ROWID, the clustered key)
        if without_rowid:
            return None
        names = {str(n).lower() for n, _, _ in info}
        return next((alias for alias in _ROWID_ALIASES if alias not in names), None)


#: above this many rows the fingerprint is the file stamp, not a row checksum
CHECKSUM_MAX_ROWS = 250_000


def _crc32(text: str) -> int:
    return zlib.crc32(text.encode())


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only = ON")
