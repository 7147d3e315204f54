"""The one small interface every connector implements, and `open_source` to pick one.

A connector is opened on a URL or path (`open_source`), then:

* `check()` says whether the source is reachable, authenticated and read-only, and how fast;
* `discover()` lists its tables: columns with declared types and comments, keys, row estimates;
* `batches(table, sampling, batch_size)` streams a sample of a table's columns in batches of at
  most `batch_size` rows, so memory never grows with the table;
* `fingerprint(table)` is a short string that changes whenever the table's rows change (for
  incremental rescans), at a cost well below a scan;
* `plan_partitions(table, rows_per_partition)` splits a large table into `Partition`s (integer key
  ranges, or the part files of a folder table) that `batches(..., partition=p)` reads one at a time.

Every read happens in a read-only transaction with a statement timeout; no connector ever writes.
Errors are `SourceError`s with a one-line message that never contains a password.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeGuard
from urllib.parse import quote

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo

SamplingStrategy = Literal["HEAD", "RANDOM", "PERCENT", "FULL"]
STRATEGIES: tuple[SamplingStrategy, ...] = ("HEAD", "RANDOM", "PERCENT", "FULL")

#: One batch: column name -> that column's values (None for NULL), every list the same length.
Batch = Mapping[str, Sequence[object]]

FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".parquet")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"
#: `plan_partitions` never splits a table into more key ranges than this.
MAX_PARTITIONS = 256


class SourceUnreachableError(SourceError):
    """The host does not answer (refused, unknown host, timeout)."""

    reason = "SOURCE_UNREACHABLE"


class SourceAuthenticationError(SourceError):
    """The server answered but refused the credentials."""

    reason = "SOURCE_AUTHENTICATION_FAILED"


class SourceNotFoundError(SourceError):
    """The file, folder or database does not exist."""

    reason = "SOURCE_NOT_FOUND"


@dataclass(frozen=True)
class ForeignKey:
    """`columns` of this table reference `referenced_columns` of `referenced_schema.referenced_table`."""

    columns: tuple[str, ...]
    referenced_schema: str
    referenced_table: str
    referenced_columns: tuple[str, ...]
    name: str = ""

    @property
    def referenced_qualified(self) -> str:
        return qualified_name(self.referenced_schema, self.referenced_table)


@dataclass(frozen=True)
class TableSchema:
    """A table (or a file, or a folder of part files) as discovered.

    `ColumnInfo.table` of each column is `qualified` ("schema.table", or just the table name when
    the source has no schemas, as with files); `ColumnInfo.references` uses the same naming.
    """

    schema: str
    name: str
    columns: tuple[ColumnInfo, ...]
    row_estimate: int | None = None
    primary_key: tuple[str, ...] = field(default=())
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def qualified(self) -> str:
        return qualified_name(self.schema, self.name)

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def qualified_name(schema: str, name: str) -> str:
    return f"{schema}.{name}" if schema else name


@dataclass(frozen=True)
class Sampling:
    """Which rows of a table to read.

    * `HEAD`: the first `rows` rows in storage order.
    * `RANDOM`: about `rows` rows spread over the table, at a reading cost proportional to the sample
      where the source allows it (see docs/data-sources.md for each connector's method).
    * `PERCENT`: each row with probability `percent` / 100 (a full scan, filtered at the source).
    * `FULL`: every row.

    `rows` = 0 with HEAD or RANDOM means every row (FULL). `seed` makes RANDOM and PERCENT
    repeatable; `time_budget_s` stops reading a table once that much time has passed.
    Invalid values raise `ValueError`.
    """

    strategy: SamplingStrategy = "RANDOM"
    rows: int = 10_000
    percent: float = 0.0
    seed: int = 0
    time_budget_s: float | None = None

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"sampling strategy must be one of {', '.join(STRATEGIES)}, not {self.strategy!r}")
        if self.rows < 0:
            raise ValueError("sample rows must be 0 (everything) or positive")
        if self.strategy == "PERCENT" and not 0 < self.percent <= 100:
            raise ValueError("PERCENT sampling needs a percent in (0, 100]")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise ValueError("the sampling time budget must be positive")

    @property
    def effective(self) -> SamplingStrategy:
        """The strategy actually run: HEAD or RANDOM of 0 rows, or PERCENT of 100, read everything."""
        if self.strategy in ("HEAD", "RANDOM") and self.rows == 0:
            return "FULL"
        if self.strategy == "PERCENT" and self.percent >= 100:
            return "FULL"
        return self.strategy

    def deadline(self) -> float:
        """A `time.monotonic()` value after which reading stops (infinity without a budget)."""
        return math.inf if self.time_budget_s is None else time.monotonic() + self.time_budget_s


@dataclass(frozen=True)
class Partition:
    """A part of one table that `Connector.batches(..., partition=...)` reads on its own.

    Either a key range: the rows with `lo <= key < hi` of the integer column `key` (inclusive `lo`,
    exclusive `hi`); or one part file of a folder table: `file`, its path relative to the source
    folder with `/` separators. Made by `Connector.plan_partitions`; `to_dict()` / `from_dict()`
    carry it through JSON. Invalid values raise `ValueError`.
    """

    key: str | None = None
    lo: int | None = None
    hi: int | None = None
    file: str | None = None

    def __post_init__(self) -> None:
        if (self.key is None) == (self.file is None):
            raise ValueError("a partition is either a key range (key, lo, hi) or a file")
        if self.file is not None:
            if not isinstance(self.file, str) or not self.file or self.lo is not None or self.hi is not None:
                raise ValueError("a file partition has a non-empty relative path and no key bounds")
            return
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("a key range partition needs the key column's name")
        if not _is_int(self.lo) or not _is_int(self.hi) or self.lo >= self.hi:
            raise ValueError("a key range partition needs integer bounds lo < hi")

    @property
    def bounds(self) -> tuple[str, int, int] | None:
        """(key, lo, hi) of a key range, None for a file."""
        if self.key is None or self.lo is None or self.hi is None:
            return None
        return self.key, self.lo, self.hi

    def to_dict(self) -> dict[str, str | int]:
        """`{"key": ..., "lo": ..., "hi": ...}` or `{"file": ...}` (JSON-serializable)."""
        bounds = self.bounds
        if bounds is not None:
            return {"key": bounds[0], "lo": bounds[1], "hi": bounds[2]}
        assert self.file is not None
        return {"file": self.file}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Partition:
        """The partition `to_dict()` described; anything else raises `ValueError`."""
        if set(data) == {"file"}:
            file = data["file"]
            if not isinstance(file, str):
                raise ValueError("a file partition's path must be a string")
            return cls(file=file)
        if set(data) == {"key", "lo", "hi"}:
            key, lo, hi = data["key"], data["lo"], data["hi"]
            if not isinstance(key, str) or not _is_int(lo) or not _is_int(hi):
                raise ValueError("a key range partition has a string key and integer bounds")
            return cls(key=key, lo=lo, hi=hi)
        raise ValueError(f"not a partition: keys {sorted(map(str, data))}")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def key_bounds(partition: Partition | None, kind: str) -> tuple[str, int, int] | None:
    """(key, lo, hi) of a key range partition read from a `kind` database, None without a partition."""
    if partition is None:
        return None
    bounds = partition.bounds
    if bounds is None:
        raise ValueError(f"a file partition cannot be read from a {kind} table: plan partitions on the same source")
    return bounds


def key_range_partitions(key: str, lo: int, hi: int, rows: int, rows_per_partition: int) -> list[Partition]:
    """Ranges of `key` from `lo` to `hi` (the real minimum and maximum, both inclusive), each of about
    `rows_per_partition` of the table's `rows` if keys are spread uniformly; at most MAX_PARTITIONS,
    and [] when one would do."""
    span = hi - lo + 1
    count = min(MAX_PARTITIONS, math.ceil(rows / rows_per_partition), span)
    if count <= 1:
        return []
    step = math.ceil(span / count)
    edges = [*range(lo, hi + 1, step), hi + 1]
    return [Partition(key=key, lo=a, hi=b) for a, b in itertools.pairwise(edges)]


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of testing a connection; `read_only` means we can read and our session is read-only."""

    reachable: bool
    authenticated: bool
    read_only: bool
    latency_s: float
    message: str


class Connector(ABC):
    """A source opened for reading. Use as a context manager, or call `close()`."""

    #: "postgresql", "mysql", "sqlite" or "files"
    kind: str = ""

    @abstractmethod
    def check(self) -> ConnectionCheck:
        """Reachability, authentication, read-only session and round-trip latency."""

    @abstractmethod
    def discover(self) -> list[TableSchema]:
        """Every readable table with its columns, declared types, comments, keys and row estimate."""

    @abstractmethod
    def batches(
        self, table: TableSchema, sampling: Sampling, batch_size: int, partition: Partition | None = None
    ) -> Iterator[Batch]:
        """The sampled rows of `table`'s columns, in batches of at most `batch_size` rows.

        With a `partition` (from `plan_partitions`), only that partition's rows are read, and the
        sampling (strategy and row budget) applies within it.
        """

    @abstractmethod
    def fingerprint(self, table: TableSchema) -> str:
        """A short string (no data values) that changes whenever rows of `table` are inserted, deleted or
        updated, and stays the same while nothing changes; much cheaper than a scan."""

    def plan_partitions(self, table: TableSchema, rows_per_partition: int) -> list[Partition]:
        """Partitions that together hold every row of `table` once, each of about `rows_per_partition`
        rows; [] when the table is not worth splitting (row estimate <= `rows_per_partition`) or
        cannot be split. This default never splits."""
        if rows_per_partition <= 0:
            raise ValueError("rows_per_partition must be positive")
        return []

    @abstractmethod
    def close(self) -> None:
        """Release connections and files (idempotent)."""

    def __enter__(self) -> Connector:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def redact(text: str, password: str | None) -> str:
    """`text` on one line, with `password` (plain or URL-encoded) replaced by ***."""
    line = " ".join(str(text).split())
    if password:
        for secret in {password, quote(password, safe=""), quote(password)}:
            line = line.replace(secret, "***")
    return line


def to_text(value: object) -> object:
    """A database value as the engine reads it: text, or None for NULL."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_source(uri: str, *, password: str | None = None, statement_timeout_s: float = 30.0) -> Connector:
    """A connector for a database URL or a file/folder path; connects (or opens) before returning.

    * `postgresql://user@host:port/db` (also `postgres://`, `postgresql+psycopg://`, ...)
    * `mysql://user@host:port/db`, `mariadb://...` (also `mysql+pymysql://`)
    * `sqlite:///relative.db`, `sqlite:////absolute.db`, or the path of a SQLite file
    * a CSV, JSONL or Parquet file, or a folder of them (`file://` URLs too)

    `password`, when given, overrides one in the URL. `statement_timeout_s` bounds every statement
    and the connection attempt. Raises `SourceError` (or a subclass) with a one-line message.
    """
    if statement_timeout_s <= 0:
        raise SourceError("the statement timeout must be positive")
    match = _SCHEME.match(uri)
    if match:
        scheme = match.group(1).lower()
        backend = scheme.split("+", 1)[0]
        if backend in ("postgresql", "postgres"):
            from .postgres import PostgresConnector

            return PostgresConnector(uri, password=password, statement_timeout_s=statement_timeout_s)
        if backend in ("mysql", "mariadb"):
            from .mysql import MySqlConnector

            return MySqlConnector(uri, password=password, statement_timeout_s=statement_timeout_s)
        if backend == "sqlite":
            from .sqlite import SqliteConnector

            return SqliteConnector.from_url(uri, statement_timeout_s=statement_timeout_s)
        if backend == "file":
            uri = uri[len(match.group(0)) :]
        else:
            raise SourceError(
                f"unsupported source scheme {scheme!r}: use postgresql://, mysql://, mariadb://, sqlite:/// or a path"
            )
    path = Path(uri)
    if not path.exists():
        raise SourceNotFoundError(f"source {uri!r} does not exist")
    if path.is_file() and _is_sqlite(path):
        from .sqlite import SqliteConnector

        return SqliteConnector(path, statement_timeout_s=statement_timeout_s)
    if path.is_file() and path.suffix.lower() not in FILE_SUFFIXES:
        raise SourceError(f"source {uri!r}: unsupported file type {path.suffix or '(none)'}; use CSV, JSONL or Parquet")
    from .files import FileConnector

    return FileConnector(path)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def check_source(uri: str, *, password: str | None = None, statement_timeout_s: float = 30.0) -> ConnectionCheck:
    """`open_source(...).check()` that never raises: failures become a check with the reason."""
    started = time.monotonic()
    try:
        connector = open_source(uri, password=password, statement_timeout_s=statement_timeout_s)
    except SourceUnreachableError as exc:
        return ConnectionCheck(False, False, False, time.monotonic() - started, str(exc))
    except SourceAuthenticationError as exc:
        return ConnectionCheck(True, False, False, time.monotonic() - started, str(exc))
    except SourceNotFoundError as exc:
        # A server that says the database does not exist has accepted the credentials; a path is just missing.
        server = _SCHEME.match(uri) is not None and not uri.lower().startswith(("sqlite", "file"))
        return ConnectionCheck(server, server, False, time.monotonic() - started, str(exc))
    except SourceError as exc:
        return ConnectionCheck(False, False, False, time.monotonic() - started, str(exc))
    try:
        return connector.check()
    except SourceError as exc:
        return ConnectionCheck(True, True, False, time.monotonic() - started, str(exc))
    finally:
        connector.close()
