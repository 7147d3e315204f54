"""The one small interface every connector implements."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[ColumnInfo, ...]
    row_estimate: int | None = None
    primary_key: tuple[str, ...] = field(default=())


Batch = Mapping[str, Sequence[object]]


class Connector(Protocol):
    def discover(self) -> list[TableSchema]:
        """Every table with its columns, types, comments and foreign keys."""
        ...

    def batches(self, table: TableSchema, limit: int | None, batch_size: int) -> Iterator[Batch]:
        """Up to `limit` rows (all when None) as batches of at most `batch_size` rows."""
        ...

    def close(self) -> None: ...


FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".parquet")


def open_source(uri: str) -> Connector:
    """A connector for `sqlite:///path.db` (or another SQLAlchemy URL) or a file/folder."""
    if "://" in uri:
        from .sql import SqlConnector

        return SqlConnector(uri)
    path = Path(uri)
    if not path.exists():
        raise SourceError(f"source {uri!r} does not exist")
    if path.is_file() and path.suffix.lower() not in FILE_SUFFIXES:
        raise SourceError(f"source {uri!r}: unsupported file type {path.suffix or '(none)'}; use CSV, JSONL or Parquet")
    from .files import FileConnector

    return FileConnector(path)
