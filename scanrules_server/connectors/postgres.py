"""PostgreSQL through psycopg 3: catalog queries for discovery, server-side cursors for reading.

* Identifiers are quoted by `psycopg.sql.Identifier`; values are bound parameters.
* The session defaults to read-only (`default_transaction_read_only=on`) and each read runs in
  `BEGIN READ ONLY` + `SET TRANSACTION READ ONLY` with a transaction-local `statement_timeout`,
  always rolled back.
* RANDOM uses `TABLESAMPLE SYSTEM` (whole pages, cost proportional to the sample) sized from the
  planner's row estimate, or `TABLESAMPLE BERNOULLI` for small tables, then a seeded random order
  and `LIMIT`; PERCENT is `TABLESAMPLE BERNOULLI (percent)`.
* Partitions are ranges of a one-column integer primary key. A partition is read through the key
  (`WHERE key >= lo AND key < hi`): TABLESAMPLE would sample pages of the whole table to keep the
  partition's share of them, so within a partition RANDOM is `ORDER BY random() LIMIT` over the
  partition's rows and PERCENT is `random() < p`, both seeded with `setseed`.
* `fingerprint`: `count(*)` and an order-independent sum of each row's 64-bit hash
  (`hashtextextended(t::text, 0)`, three times faster than md5, and there on FIPS builds) for tables
  up to CHECKSUM_MAX_ROWS rows; beyond, `count(*)` and the table's (or its partitions')
  insert/update/delete counters and size from the statistics collector.
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
    Partition,
    Sampling,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    TableSchema,
    key_bounds,
    key_range_partitions,
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
#: `fingerprint` hashes every row of tables estimated at up to this many rows; bigger ones use statistics.
CHECKSUM_MAX_ROWS = 2_000_000

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


_INTEGER_KEY = """
SELECT a.attname
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
WHERE n.nspname = %s AND c.relname = %s AND con.contype = 'p' AND cardinality(con.conkey) = 1
  AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
"""

# The table's own counters, or its partitions' (a partitioned table has none of its own).
_CHANGE_STATS = """
WITH t AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %s AND c.relname = %s
)
SELECT coalesce(sum(s.n_tup_ins), 0)::int8, coalesce(sum(s.n_tup_upd), 0)::int8,
       coalesce(sum(s.n_tup_del), 0)::int8, coalesce(sum(pg_relation_size(s.relid)), 0)::int8
FROM pg_stat_user_tables s
WHERE s.relid IN (SELECT oid FROM t UNION SELECT p.relid FROM t, pg_partition_tree(t.oid) p)
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

    def batches(
        self, table: TableSchema, sampling: Sampling, batch_size: int, partition: Partition | None = None
    ) -> Iterator[Batch]:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        bounds = key_bounds(partition, self.kind)
        names = table.column_names()
        if not names:
            return
        deadline = sampling.deadline()
        with self.read_transaction() as conn:
            query = self._query(conn, table, sampling, bounds)
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

    def plan_partitions(self, table: TableSchema, rows_per_partition: int) -> list[Partition]:
        if rows_per_partition <= 0:
            raise ValueError("rows_per_partition must be positive")
        if table.row_estimate is not None and table.row_estimate <= rows_per_partition:
            return []
        with self.read_transaction() as conn:
            found = conn.execute(_INTEGER_KEY, (table.schema or "public", table.name)).fetchone()
            if found is None:
                return []
            key = str(found[0])
            span = conn.execute(
                sql.SQL("SELECT min({}), max({}) FROM {}").format(
                    sql.Identifier(key), sql.Identifier(key), _source(table)
                )
            ).fetchone()
        if span is None or span[0] is None or span[1] is None:
            return []
        lo, hi = int(span[0]), int(span[1])
        # Without an estimate, the span of the (unique) key bounds the row count.
        rows = table.row_estimate if table.row_estimate is not None else hi - lo + 1
        return key_range_partitions(key, lo, hi, rows, rows_per_partition)

    def fingerprint(self, table: TableSchema) -> str:
        source = _source(table)
        with self.read_transaction() as conn:
            stats = conn.execute(_TABLE_STATS, (table.schema or "public", table.name)).fetchone()
            if stats is None:
                raise SourceError(f"{self.where}: no table {table.qualified!r}")
            estimate: float | None = stats[1] if stats[1] is not None and stats[1] >= 0 else None
            rows: int | None = None
            if estimate is None:  # never analysed: count the rows to choose
                rows = _scalar(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(source)).fetchone())
                estimate = rows
            if estimate <= CHECKSUM_MAX_ROWS:
                # An order-independent checksum of every row: the (numeric, exact) sum of its text's hash.
                checked = conn.execute(
                    sql.SQL("SELECT count(*), sum(hashtextextended(t::text, 0)) FROM {} t").format(source)
                ).fetchone()
                assert checked is not None
                return f"rows={int(checked[0])};sum={int(checked[1] or 0) % (1 << 64):016x}"
            if rows is None:
                rows = _scalar(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(source)).fetchone())
            # The counters lag slightly: a backend reports them when its transaction ends (at most about
            # once a second, later under load), so an update made just before can show up only in the
            # next fingerprint. They only grow; a stats reset or VACUUM FULL changes the fingerprint.
            changes = conn.execute(_CHANGE_STATS, (table.schema or "public", table.name)).fetchone()
            assert changes is not None
        inserted, updated, deleted, size = changes
        return f"rows={rows};ins={inserted};upd={updated};del={deleted};bytes={size}"

    def close(self) -> None:
        if not self._conn.closed:
            self._conn.close()

    # -- sampling ----------------------------------------------------------------------------

    def _query(
        self,
        conn: psycopg.Connection[Any],
        table: TableSchema,
        sampling: Sampling,
        bounds: tuple[str, int, int] | None = None,
    ) -> sql.Composed:
        """The SELECT for `sampling` (within the key range `bounds`). Values are `sql.Literal`s and the
        query runs without parameters: psycopg would otherwise read a `%s` inside a quoted identifier as
        a placeholder."""
        columns = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n)) for n in table.column_names())
        select = sql.SQL("SELECT {} FROM {}").format(columns, _source(table))
        if bounds is not None:
            return self._partition_query(conn, select, bounds, sampling)
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

    def _partition_query(
        self, conn: psycopg.Connection[Any], select: sql.Composed, bounds: tuple[str, int, int], sampling: Sampling
    ) -> sql.Composed:
        """`select` within `lo <= key < hi`, read through the key. The bounds are ints (checked by
        `Partition`) rendered as literals, like every value here (see `_query`)."""
        key, lo, hi = bounds
        where = sql.SQL("{} WHERE {} >= {} AND {} < {}").format(
            select, sql.Identifier(key), sql.Literal(lo), sql.Identifier(key), sql.Literal(hi)
        )
        strategy = sampling.effective
        if strategy == "FULL":
            return where
        if strategy == "HEAD":
            return sql.SQL("{} LIMIT {}").format(where, sql.Literal(sampling.rows))
        conn.execute("SELECT setseed(%s)", ((sampling.seed % 1_000_003) / 1_000_003,))
        if strategy == "PERCENT":
            return sql.SQL("{} AND random() < {}").format(where, sql.Literal(sampling.percent / 100))
        return sql.SQL("{} ORDER BY random() LIMIT {}").format(where, sql.Literal(sampling.rows))

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


def _source(table: TableSchema) -> sql.Identifier:
    return sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)


def _scalar(row: tuple[Any, ...] | None) -> int:
    assert row is not None
    return int(row[0])
