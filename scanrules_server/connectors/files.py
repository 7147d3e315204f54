"""CSV, JSONL and Parquet files (pyarrow), one table per file; a folder holds several.

Every column is read as text so that identifiers keep their leading zeros.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import FILE_SUFFIXES, Batch, TableSchema


def _arrow_values(array: pa.Array | pa.ChunkedArray) -> list[object]:
    try:
        return array.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return [
            None if v is None else (v if isinstance(v, str) else json.dumps(v, default=str)) for v in array.to_pylist()
        ]


class FileConnector:
    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self.files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)
            if not self.files:
                raise SourceError(f"folder {str(path)!r} has no CSV, JSONL or Parquet file")
        else:
            self.files = [path]
        self._by_table = {f.stem: f for f in self.files}

    def discover(self) -> list[TableSchema]:
        return [self._schema(f) for f in self.files]

    def _schema(self, f: Path) -> TableSchema:
        suffix = f.suffix.lower()
        try:
            if suffix == ".parquet":
                meta = pq.ParquetFile(f)
                schema = meta.schema_arrow
                cols = [ColumnInfo(f.stem, fld.name, str(fld.type)) for fld in schema]
                return TableSchema(f.stem, tuple(cols), meta.metadata.num_rows)
            if suffix == ".csv":
                with f.open(newline="", encoding="utf-8") as handle:
                    header = next(csv.reader(handle), [])
                return TableSchema(f.stem, tuple(ColumnInfo(f.stem, h, "string") for h in header))
            names: dict[str, None] = {}
            with f.open(encoding="utf-8") as handle:
                for _, line in zip(range(1000), handle, strict=False):
                    if line.strip():
                        names.update(dict.fromkeys(json.loads(line)))
            return TableSchema(f.stem, tuple(ColumnInfo(f.stem, n, "") for n in names))
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise SourceError(f"cannot read {f.name}: {exc}") from exc

    def batches(self, table: TableSchema, limit: int | None, batch_size: int) -> Iterator[Batch]:
        f = self._by_table[table.name]
        names = [c.name for c in table.columns]
        remaining = limit or None
        try:
            for batch in self._raw_batches(f, names, batch_size):
                n = len(next(iter(batch.values()), []))
                if remaining is not None:
                    if n >= remaining:
                        yield {k: v[:remaining] for k, v in batch.items()}
                        return
                    remaining -= n
                yield batch
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise SourceError(f"cannot read {f.name}: {exc}") from exc

    def _raw_batches(self, f: Path, names: list[str], batch_size: int) -> Iterator[Batch]:
        suffix = f.suffix.lower()
        if suffix == ".parquet":
            for rb in pq.ParquetFile(f).iter_batches(batch_size=batch_size):
                yield {n: _arrow_values(rb.column(n)) for n in names}
        elif suffix == ".csv":
            reader = pacsv.open_csv(
                f,
                read_options=pacsv.ReadOptions(block_size=1 << 22),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=True
                ),
            )
            for rb in reader:
                for start in range(0, rb.num_rows, batch_size):
                    part = rb.slice(start, batch_size)
                    yield {n: _arrow_values(part.column(n)) for n in names}
        else:
            rows: list[dict[str, object]] = []
            with f.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        rows.append(json.loads(line))
                    if len(rows) >= batch_size:
                        yield _columns(rows, names)
                        rows = []
            if rows:
                yield _columns(rows, names)

    def close(self) -> None:
        return None


def _columns(rows: list[dict[str, object]], names: list[str]) -> Batch:
    def text(v: object) -> object:
        return v if v is None or isinstance(v, str) else json.dumps(v)

    return {n: [text(r.get(n)) for r in rows] for n in names}
