"""What the SQLAlchemy-based connectors (MySQL/MariaDB, SQLite) share: Core queries and sampling.

Every query is SQLAlchemy Core over `table()`/`column()` with `quoted_name(..., quote=True)`, so
each identifier is quoted by the dialect; values are bound parameters. Nothing is pasted into SQL.

RANDOM without TABLESAMPLE (neither MySQL nor SQLite has it), at a cost proportional to the sample:

* the table has an integer key (a one-column integer primary key, or SQLite's rowid): read the key's
  MIN and MAX through the index; when the key span is at most `SCAN_FACTOR` × rows the whole
  table is small and a reservoir over it is exact; otherwise read about 100 short key ranges
  (`WHERE key >= random start ORDER BY key LIMIT m`), each an index seek plus m rows;
* no integer key: a reservoir over a bounded scan of at most `SCAN_FACTOR` × rows rows (uniform for
  tables up to that size, the table's first rows beyond it).

Partitions are ranges of the integer key (`partition_key`: MIN and MAX through the index, then even
ranges); a partition's read adds `key BETWEEN lo AND hi - 1` to the query of its sampling strategy,
and RANDOM samples key ranges (or the bounded scan) inside the partition.
"""

from __future__ import annotations

import math
import random
import time
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement, quoted_name

from ..domain.errors import SourceError
from .base import Batch, Connector, Partition, Sampling, TableSchema, key_bounds, key_range_partitions, redact
from .sampling import Reservoir, Row, bernoulli, column_batch, rebatch

#: RANDOM reads small tables (key span, or the bounded scan) up to this many times the sample size.
SCAN_FACTOR = 10
#: RANDOM over key ranges reads about this many ranges.
KEY_RANGES = 100


def quoted(name: str) -> quoted_name:
    return quoted_name(name, quote=True)


class SqlAlchemyConnector(Connector):
    """A connector over a SQLAlchemy engine; subclasses supply discovery and session setup."""

    engine: sa.Engine
    where: str
    statement_timeout_s: float
    _secret: str | None = None

    # -- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _begin_read_only(self, conn: sa.Connection) -> None:
        """Make `conn`'s transaction read-only with the statement timeout."""

    def _end_read(self, conn: sa.Connection) -> None:
        """Undo `_begin_read_only` (always followed by a rollback)."""

    def _abandon(self, conn: sa.Connection) -> None:
        """Stop reading a result that still has rows (MySQL would otherwise drain it)."""

    @abstractmethod
    def integer_key(self, conn: sa.Connection, table: TableSchema) -> str | None:
        """A one-column integer key to sample key ranges on, or None."""

    def partition_key(self, conn: sa.Connection, table: TableSchema) -> str | None:
        """The integer key to split `table` on: never NULL, unique, every value an integer; or None."""
        return self.integer_key(conn, table)

    def percent_filter(self, seed: int, fraction: float) -> ColumnElement[bool] | None:
        """A server-side seeded Bernoulli filter, or None to filter rows client-side."""
        return None

    def _error(self, exc: SQLAlchemyError) -> SourceError:
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        if "max_statement_time" in text or "maximum statement execution time" in text or "interrupted" in text:
            return SourceError(f"{self.where}: a statement ran longer than the {self.statement_timeout_s:g} s timeout")
        return SourceError(redact(f"{self.where}: {orig.__class__.__name__}: {text}", self._secret))

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def read_transaction(self) -> Iterator[sa.Connection]:
        """A read-only transaction with the statement timeout, rolled back at the end."""
        try:
            with self.engine.connect() as conn:
                self._begin_read_only(conn)
                try:
                    yield conn
                finally:
                    try:
                        self._end_read(conn)
                    finally:
                        conn.rollback()
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        self.engine.dispose()

    # -- reading -----------------------------------------------------------------------------

    def table_clause(
        self, table: TableSchema, names: Sequence[str] | None = None
    ) -> tuple[sa.TableClause, list[sa.ColumnClause[object]]]:
        """The table and the columns `names` (default: the table's) as Core objects, every name quoted."""
        names = table.column_names() if names is None else list(names)
        unique = list(dict.fromkeys(names))
        clause = sa.table(
            quoted(table.name),
            *(sa.column(quoted(n)) for n in unique),
            schema=quoted(table.schema) if table.schema else None,
        )
        return clause, [clause.c[n] for n in names]

    def read_clause(
        self, table: TableSchema, names: Sequence[str], bounds: tuple[str, int, int] | None
    ) -> tuple[sa.TableClause, list[sa.ColumnClause[object]], ColumnElement[bool] | None]:
        """The table, the columns `names`, and the condition that keeps the rows of the key range
        `bounds` = (key, lo, hi) (None: no condition). `BETWEEN lo AND hi - 1` holds the same integers
        as `lo <= key < hi`, and a maximal SQLite key's `hi` would not fit a 64-bit integer parameter."""
        if bounds is None:
            clause, columns = self.table_clause(table, names)
            return clause, columns, None
        key, lo, hi = bounds
        clause, columns = self.table_clause(table, [*names, key])
        key_column = columns.pop()
        return clause, columns, key_column.between(lo, hi - 1)

    def row_count(self, conn: sa.Connection, table: TableSchema) -> int:
        clause, _ = self.table_clause(table, [])
        return int(conn.execute(sa.select(sa.func.count()).select_from(clause)).scalar_one())

    def plan_partitions(self, table: TableSchema, rows_per_partition: int) -> list[Partition]:
        if rows_per_partition <= 0:
            raise ValueError("rows_per_partition must be positive")
        if table.row_estimate is not None and table.row_estimate <= rows_per_partition:
            return []
        with self.read_transaction() as conn:
            key = self.partition_key(conn, table)
            if key is None:
                return []
            clause, (key_column,) = self.table_clause(table, [key])
            lo, hi = conn.execute(sa.select(sa.func.min(key_column), sa.func.max(key_column)).select_from(clause)).one()
        if lo is None or hi is None:
            return []
        lo, hi = int(str(lo)), int(str(hi))
        # Without an estimate, the span of the (unique) key bounds the row count.
        rows = table.row_estimate if table.row_estimate is not None else hi - lo + 1
        return key_range_partitions(key, lo, hi, rows, rows_per_partition)

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
        strategy = sampling.effective
        with self.read_transaction() as conn:
            clause, columns, within = self.read_clause(table, names, bounds)
            select = sa.select(*columns).select_from(clause)
            if within is not None:
                select = select.where(within)
            if strategy == "RANDOM":
                yield from self._random(conn, table, sampling, batch_size, deadline, bounds)
                return
            keep: float | None = None
            if strategy == "HEAD":
                select = select.limit(sampling.rows)
            elif strategy == "PERCENT":
                where = self.percent_filter(sampling.seed, sampling.percent / 100)
                if where is None:
                    keep = sampling.percent / 100
                else:
                    select = select.where(where)
            rng = random.Random(sampling.seed)
            yield from self._stream(conn, select, names, batch_size, deadline, keep, rng)

    def _stream(
        self,
        conn: sa.Connection,
        select: sa.Executable,
        names: list[str],
        batch_size: int,
        deadline: float,
        keep: float | None = None,
        rng: random.Random | None = None,
    ) -> Iterator[Batch]:
        result = conn.execution_options(stream_results=True, max_row_buffer=batch_size).execute(select)
        exhausted = False
        try:
            pending: list[Row] = []
            while True:
                rows: list[Row] = list(result.fetchmany(batch_size))
                if not rows:
                    exhausted = True
                    break
                if keep is not None and rng is not None:
                    rows = bernoulli(rows, keep, rng)
                pending.extend(rows)
                if len(pending) >= batch_size:
                    yield column_batch(pending[:batch_size], names)
                    del pending[:batch_size]
                if time.monotonic() > deadline:
                    break
            if pending:
                yield column_batch(pending, names)
        finally:
            if not exhausted:
                self._abandon(conn)
            result.close()

    def _random(
        self,
        conn: sa.Connection,
        table: TableSchema,
        sampling: Sampling,
        batch_size: int,
        deadline: float,
        bounds: tuple[str, int, int] | None = None,
    ) -> Iterator[Batch]:
        names = table.column_names()
        rows = sampling.rows
        rng = random.Random(sampling.seed)
        key = bounds[0] if bounds is not None else self.integer_key(conn, table)
        bounded_scan = rows * SCAN_FACTOR
        if key is not None:
            clause, (key_column,), within = self.read_clause(table, [key], bounds)
            span = sa.select(sa.func.min(key_column), sa.func.max(key_column)).select_from(clause)
            if within is not None:
                span = span.where(within)
            lo, hi = conn.execute(span).one()
            if lo is None or hi is None:
                return
            lo, hi = int(str(lo)), int(str(hi))
            if hi - lo + 1 > bounded_scan:
                upper = hi if bounds is not None else None
                chunks = self._key_ranges(conn, table, key, lo, hi, rows, rng, deadline, upper)
                yield from rebatch(chunks, names, batch_size, deadline)
                return
        # A small table or partition (or no integer key): a reservoir over a bounded scan.
        clause, columns, within = self.read_clause(table, names, bounds)
        select = sa.select(*columns).select_from(clause)
        if within is not None:
            select = select.where(within)
        select = select.limit(bounded_scan)
        reservoir = Reservoir(rows, rng)
        result = conn.execution_options(stream_results=True, max_row_buffer=batch_size).execute(select)
        exhausted = False
        try:
            while True:
                chunk = result.fetchmany(batch_size)
                if not chunk:
                    exhausted = True
                    break
                reservoir.add(chunk)
                if time.monotonic() > deadline:
                    break
        finally:
            if not exhausted:
                self._abandon(conn)
            result.close()
        sample = reservoir.rows()
        for start in range(0, len(sample), batch_size):
            yield column_batch(sample[start : start + batch_size], names)

    def _key_ranges(
        self,
        conn: sa.Connection,
        table: TableSchema,
        key: str,
        lo: int,
        hi: int,
        rows: int,
        rng: random.Random,
        deadline: float,
        upper: int | None = None,
    ) -> Iterator[list[Row]]:
        """About KEY_RANGES runs of consecutive keys from random starting points; no row twice.
        With `upper` (a partition's largest key), no run goes past it."""
        names = table.column_names()
        clause, columns = self.table_clause(table, names if key in names else [*names, key])
        key_index = names.index(key) if key in names else len(names)
        key_column = columns[key_index]
        run = max(1, math.ceil(rows / KEY_RANGES))
        seen: set[int] = set()
        collected = 0
        attempts = 0
        max_attempts = 4 * math.ceil(rows / run) + 16
        while collected < rows and attempts < max_attempts and time.monotonic() <= deadline:
            attempts += 1
            start = rng.randint(lo, hi)
            limit = min(run, rows - collected)
            query = sa.select(*columns).select_from(clause).where(key_column >= start)
            if upper is not None:
                query = query.where(key_column <= upper)
            query = query.order_by(key_column).limit(limit)
            fresh: list[Row] = []
            for row in conn.execute(query):
                k = int(str(row[key_index]))
                if k not in seen:
                    seen.add(k)
                    fresh.append(tuple(row))
            collected += len(fresh)
            if fresh:
                yield fresh
