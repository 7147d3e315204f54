"""The one small interface every connector implements, and `open_source` to pick one.

A connector is opened on a URL or path (`open_source`), then:

* `check()` says whether the source is reachable, authenticated and read-only, and how fast;
* `discover()` lists its tables: columns with declared types and comments, keys, row estimates;
* `batches(table, sampling, batch_size)` streams a sample of a table's columns in batches of at
  most `batch_size` rows, so memory never grows with the table.

Every read happens in a read-only transaction with a statement timeout; no connector ever writes.
Errors are `SourceError`s with a one-line message that never contains a password.
"""

from __future__ import annotations

import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal
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
    def batches(self, table: TableSchema, sampling: Sampling, batch_size: int) -> Iterator[Batch]:
        """The sampled rows of `table`'s columns, in batches of at most `batch_size` rows."""

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
