"""PostgreSQL through psycopg 3: catalog queries for discovery, server-side cursors for reading.

* Identifiers are quoted by `psycopg.sql.Identifier`; values are bound parameters.
* The session defaults to read-only (`default_transaction_read_only=on`) and each read runs in
  `BEGIN READ ONLY` + `SET TRANSACTION READ ONLY` with a transaction-local `statement_timeout`,
  always rolled back.
* RANDOM uses `TABLESAMPLE SYSTEM` (whole pages, cost proportional to the sample) sized from the
  planner's row estimate, or `TABLESAMPLE BERNOULLI` for small tables, then a seeded random order
  and `LIMIT`; PERCENT is `TABLESAMPLE BERNOULLI (percent)`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import (
    Batch,
    ConnectionCheck,
    Connector,
    ForeignKey,
    Sampling,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    TableSchema,
    qualified_name,
    redact,
)
from .sampling import column_batch

#: RANDOM asks TABLESAMPLE for this many times the wanted rows, then keeps a random `rows` of them.
OVERSAMPLE = 1.5
#: Tables of at most this many pages are sampled with BERNOULLI (SYSTEM is too coarse on a few pages).
SMALL_TABLE_PAGES = 64
#: SYSTEM reads at least this many pages (in expectation): fewer make the sample too lumpy, or empty.
MIN_SYSTEM_PAGES = 64
#: Above this share of the table, SYSTEM reads about every page anyway: BERNOULLI is as cheap and finer.
SYSTEM_MAX_PERCENT = 50.0

_TABLES = """
SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN (
           SELECT sum(greatest(ch.reltuples, 0))::float8 FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid
           WHERE i.inhparent = c.oid)
       ELSE c.reltuples::float8 END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname
"""

_COLUMNS = """
SELECT a.attrelid::int8, a.attname, format_type(a.atttypid, a.atttypmod),
       coalesce(col_description(a.attrelid, a.attnum), '')
FROM pg_attribute a
WHERE a.attrelid = ANY(%s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

_CONSTRAINTS = """
SELECT con.conrelid::int8, con.contype::text, con.conname,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos),
       rn.nspname, r.relname,
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos)
FROM pg_constraint con
LEFT JOIN pg_class r ON r.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE con.conrelid = ANY(%s::oid[]) AND con.contype IN ('p', 'f')
ORDER BY con.conrelid, con.conname
"""

_TABLE_STATS = """
SELECT c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN (
           SELECT sum(greatest(ch.reltuples, 0))::float8 FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid
           WHERE i.inhparent = c.oid)
       ELSE c.reltuples::float8 END,
       CASE WHEN c.relkind = 'p' THEN NULL
       ELSE pg_relation_size(c.oid) / current_setting('block_size')::int8 END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
"""


def _connect_error(exc: psycopg.Error, where: str, password: str | None) -> SourceError:
    text = " ".join(str(exc).split())
    detail = text.split(" failed: ")[-1].replace("FATAL: ", "").strip()
    message = redact(f"cannot connect to {where}: {detail}", password)
    lowered = detail.lower()
    if "database" in lowered and "does not exist" in lowered:
        return SourceNotFoundError(message)
    if any(
        marker in lowered
        for marker in ("authentication", "password", "role", "pg_hba.conf", "permission denied", "not permitted")
    ):
        return SourceAuthenticationError(message)
    return SourceUnreachableError(message)


class PostgresConnector(Connector):
    kind = "postgresql"

    def __init__(self, uri: str, *, password: str | None = None, statement_timeout_s: float = 30.0) -> None:
        try:
            url = make_url(uri)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number, an unclosed [IPv6]
            raise SourceError("not a valid postgresql:// URL") from None
        secret = password if password is not None else url.password
        self._secret = str(secret) if secret is not None else None
        self.statement_timeout_s = statement_timeout_s
        host = url.host or ""
        self.where = f"postgresql://{url.username + '@' if url.username else ''}{host}" + (
            f":{url.port}" if url.port else ""
        )
        self.where += f"/{url.database}" if url.database else ""
        params: dict[str, Any] = {}
        for key, value in url.query.items():
            params[key] = value[-1] if isinstance(value, tuple) else value
        params.update(
            host=url.host or params.get("host"),
            port=url.port or params.get("port"),
            user=url.username or params.get("user"),
            dbname=url.database or params.get("dbname"),
            connect_timeout=max(1, math.ceil(statement_timeout_s)),
            application_name="scanrules",
            options="-c default_transaction_read_only=on",
        )
        if self._secret is not None:
            params["password"] = self._secret
        params = {k: v for k, v in params.items() if v is not None}
        try:
            self._conn = psycopg.connect(**params)
        except psycopg.Error as exc:
            raise _connect_error(exc, self.where, self._secret) from None
        self._conn.read_only = True
        self._cursor_ids = itertools.count(1)

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def read_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A read-only transaction with the statement timeout, rolled back at the end."""
        conn = self._conn
        if conn.closed:
            raise SourceError(f"{self.where}: the connection is closed")
        try:
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                (f"{max(1, int(self.statement_timeout_s * 1000))}ms",),
            )
            yield conn
        except psycopg.errors.QueryCanceled:
            raise SourceError(
                f"{self.where}: a statement ran longer than the {self.statement_timeout_s:g} s timeout"
            ) from None
        except psycopg.Error as exc:
            raise SourceError(redact(f"{self.where}: {exc}", self._secret)) from None
        finally:
            if not conn.closed:
                with suppress(psycopg.Error):
                    conn.rollback()

    # -- interface ---------------------------------------------------------------------------

    def check(self) -> ConnectionCheck:
        started = time.monotonic()
        try:
            self._conn.execute("SELECT 1").fetchone()
            self._conn.rollback()
        except psycopg.Error as exc:
            message = redact(f"{self.where}: {exc}", self._secret)
            return ConnectionCheck(False, False, False, time.monotonic() - started, message)
        latency = time.monotonic() - started
        try:
            with self.read_transaction() as conn:
                row = conn.execute(
                    "SELECT current_setting('transaction_read_only'), current_user, "
                    "current_setting('server_version'), (SELECT count(*) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') "
                    "AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' "
                    "AND has_table_privilege(c.oid, 'SELECT'))"
                ).fetchone()
        except SourceError as exc:
            return ConnectionCheck(True, True, False, latency, str(exc))
        assert row is not None
        read_only = row[0] == "on"
        message = (
            f"connected to PostgreSQL {row[2]} as {row[1]}; "
            f"{'read-only' if read_only else 'NOT read-only'} transactions; {row[3]} readable tables"
        )
        return ConnectionCheck(True, True, read_only, latency, message)

    def discover(self) -> list[TableSchema]:
        with self.read_transaction() as conn:
            tables = conn.execute(_TABLES).fetchall()
            oids = [t[0] for t in tables]
            columns: dict[int, list[tuple[str, str, str]]] = {}
            for oid, name, type_, comment in conn.execute(_COLUMNS, (oids,)):
                columns.setdefault(oid, []).append((name, type_, comment))
            pks: dict[int, tuple[str, ...]] = {}
            fks: dict[int, list[ForeignKey]] = {}
            for oid, kind, conname, cols, ref_schema, ref_table, ref_cols in conn.execute(_CONSTRAINTS, (oids,)):
                if kind == "p":
                    pks[oid] = tuple(cols)
                else:
                    fks.setdefault(oid, []).append(
                        ForeignKey(tuple(cols), ref_schema, ref_table, tuple(ref_cols), conname)
                    )
        out = []
        for oid, schema, name, _kind, reltuples in tables:
            qualified = qualified_name(schema, name)
            references: dict[str, tuple[str, str]] = {}
            for fk in fks.get(oid, []):
                for local, remote in zip(fk.columns, fk.referenced_columns, strict=False):
                    references.setdefault(local, (fk.referenced_qualified, remote))
            infos = tuple(
                ColumnInfo(qualified, col, type_, comment, references.get(col))
                for col, type_, comment in columns.get(oid, [])
            )
            estimate = int(reltuples) if reltuples is not None and reltuples >= 0 else None
            out.append(TableSchema(schema, name, infos, estimate, pks.get(oid, ()), tuple(fks.get(oid, []))))
        return out

    def batches(self, table: TableSchema, sampling: Sampling, batch_size: int) -> Iterator[Batch]:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        names = table.column_names()
        if not names:
            return
        deadline = sampling.deadline()
        with self.read_transaction() as conn:
            query = self._query(conn, table, sampling)
            with conn.cursor(name=f"scanrules_read_{next(self._cursor_ids)}") as cursor:
                cursor.itersize = batch_size
                cursor.execute(query)
                while True:
                    rows = cursor.fetchmany(batch_size)
                    if not rows:
                        break
                    yield column_batch(rows, names)
                    if len(rows) < batch_size or time.monotonic() > deadline:
                        break

    def close(self) -> None:
        if not self._conn.closed:
            self._conn.close()

    # -- sampling ----------------------------------------------------------------------------

    def _query(self, conn: psycopg.Connection[Any], table: TableSchema, sampling: Sampling) -> sql.Composed:
        """The SELECT for `sampling`. Values are `sql.Literal`s and the query runs without parameters:
        psycopg would otherwise read a `%s` inside a quoted identifier as a placeholder."""
        columns = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n)) for n in table.column_names())
        source = sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
        select = sql.SQL("SELECT {} FROM {}").format(columns, source)
        strategy = sampling.effective
        if strategy == "FULL":
            return select
        if strategy == "HEAD":
            return sql.SQL("{} LIMIT {}").format(select, sql.Literal(sampling.rows))
        repeatable = sql.Literal(float(sampling.seed % 2_147_483_647))
        if strategy == "PERCENT":
            return sql.SQL("{} TABLESAMPLE BERNOULLI ({}::real) REPEATABLE ({})").format(
                select, sql.Literal(sampling.percent), repeatable
            )
        method, percent = self.random_method(conn, table, sampling.rows)
        conn.execute("SELECT setseed(%s)", ((sampling.seed % 1_000_003) / 1_000_003,))
        return sql.SQL("{} TABLESAMPLE {} ({}::real) REPEATABLE ({}) ORDER BY random() LIMIT {}").format(
            select, sql.SQL(method), sql.Literal(percent), repeatable, sql.Literal(sampling.rows)
        )

    def random_method(self, conn: psycopg.Connection[Any], table: TableSchema, rows: int) -> tuple[str, float]:
        """("SYSTEM" or "BERNOULLI", percent) for a RANDOM sample of about `rows` rows."""
        stats = conn.execute(_TABLE_STATS, (table.schema or "public", table.name)).fetchone()
        if stats is None:
            return "BERNOULLI", 100.0
        kind, reltuples, pages = stats
        estimate = reltuples if reltuples is not None and reltuples > 0 else None
        if estimate is None:
            if kind == "p" or not pages or pages <= SMALL_TABLE_PAGES:
                return "BERNOULLI", 100.0
            # Never analysed: every page holds at least one row, so `rows` pages hold at least `rows` rows.
            return "SYSTEM", min(100.0, 100.0 * max(rows, MIN_SYSTEM_PAGES) / pages)
        percent = min(100.0, 100.0 * OVERSAMPLE * rows / estimate)
        if pages is None:  # partitioned: the pages are the partitions'
            return ("SYSTEM" if percent <= SYSTEM_MAX_PERCENT else "BERNOULLI"), percent
        if pages <= SMALL_TABLE_PAGES:
            return "BERNOULLI", percent
        system = max(percent, 100.0 * MIN_SYSTEM_PAGES / pages)
        if system > SYSTEM_MAX_PERCENT:
            return "BERNOULLI", percent
        return "SYSTEM", system
