"""CSV, JSONL and Parquet files through pyarrow; a folder is a set of tables.

Tables in a folder (nested folders allowed):

* each data file is a table named after its path below the folder, without the suffix
  (`customers.csv` -> `customers`, `crm/leads.jsonl` -> `crm/leads`);
* a folder of *part files* is one table named after the folder: its data files all have the same
  format and the same columns, and their names are part names (they start with `part`, or they
  are equal once digits are removed: `2024-01.csv`, `2024-02.csv`). Hive-style partition folders
  (`events/date=2024-01-01/part-0.parquet`) belong to the table above them.
  `events/part-0001.parquet` + `events/part-0002.parquet` -> one table `events`.

Hidden files and files starting with `_` (`_SUCCESS`, `_metadata`) are skipped. Files are only
ever opened for reading. Every value is read as text, so identifiers keep their leading zeros.

A folder table's partitions are its part files (`Partition(file=...)`, the path below the source
folder). A table's fingerprint digests the relative path, size and modification time (ns) of each of
its files, listing a folder table's folder again so that added and removed part files count; no file
is read. A rewrite that keeps the size and the mtime (within the file system's timestamp
granularity, or `cp -p`/`rsync -t`) goes unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from .base import (
    FILE_SUFFIXES,
    Batch,
    ConnectionCheck,
    Connector,
    Partition,
    Sampling,
    SourceNotFoundError,
    TableSchema,
)
from .sampling import Reservoir, column_batch

#: JSONL keys and types are taken from this many leading lines of each file.
JSONL_SCHEMA_LINES = 1000
#: Files larger than this get a row estimate from their first MiB instead of a line count.
COUNT_LINES_UP_TO = 64 << 20
#: RANDOM on Parquet reads row groups until it has this many times the sample, then keeps a random sample.
PARQUET_OVERSAMPLE = 2
_CSV_BLOCK = 1 << 22
_HIVE_PART = re.compile(r"^[^=/]+=[^/]*$")
_ROW_QUOTED = re.compile(r"(Expected \d+ columns?, got \d+):.*", re.S)
_VALUE_QUOTED = re.compile(r"'[^']{2,}'")


def _reader_error(exc: BaseException) -> str:
    """The reader's error without the data it quotes (pyarrow cites a malformed CSV row, or a value that did not
    convert): errors reach logs, terminals and API responses, and source data must not."""
    text = _ROW_QUOTED.sub(r"\1", " ".join(str(exc).split()))
    return _VALUE_QUOTED.sub("'…'", text)


@dataclass(frozen=True)
class FileTable:
    """One table: a file, or the part files of a folder (all of one format and schema)."""

    name: str
    files: tuple[Path, ...]
    format: str  # "csv", "jsonl" or "parquet"
    folder: Path | None = None  # the folder of a table of part files


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}[suffix]


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_"))


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and _visible(p) and p.suffix.lower() in FILE_SUFFIXES)


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and _visible(p))


def _part_names(files: Sequence[Path]) -> bool:
    stems = [f.name[: -len(f.suffix)] if f.suffix else f.name for f in files]
    if all(s.lower().startswith("part") for s in stems):
        return True
    return len(stems) >= 2 and len({re.sub(r"\d+", "#", s) for s in stems}) == 1


def _arrow_values(array: pa.Array | pa.ChunkedArray) -> list[object]:
    try:
        return array.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return [
            None if v is None else (v if isinstance(v, str) else json.dumps(v, default=str)) for v in array.to_pylist()
        ]


def _json_text(value: object) -> object:
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "struct"
    return ""


class FileConnector(Connector):
    kind = "files"

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise SourceNotFoundError(f"source {str(path)!r} does not exist")
        self.path = path
        self._root = path if path.is_dir() else path.parent
        try:
            self.tables = self._layout()
        except OSError as exc:
            raise SourceError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
        if not self.tables:
            raise SourceError(f"folder {str(path)!r} has no CSV, JSONL or Parquet file")
        self._by_name = {t.name: t for t in self.tables}

    # -- layout ------------------------------------------------------------------------------

    def _layout(self) -> list[FileTable]:
        if self.path.is_file():
            return [FileTable(self.path.stem, (self.path,), _format(self.path))]
        out: list[FileTable] = []
        self._walk(self.path, "", out)
        return out

    def _walk(self, folder: Path, prefix: str, out: list[FileTable]) -> None:
        dataset = self._dataset(folder)
        if dataset is not None:
            out.append(FileTable(prefix or folder.name, tuple(dataset), _format(dataset[0]), folder))
            return
        for f in _data_files(folder):
            out.append(FileTable(f"{prefix}/{f.stem}" if prefix else f.stem, (f,), _format(f)))
        for sub in _subfolders(folder):
            self._walk(sub, f"{prefix}/{sub.name}" if prefix else sub.name, out)

    def _dataset(self, folder: Path) -> list[Path] | None:
        """The part files if `folder` is one table (part files, or Hive partitions of them), else None."""
        files, subs = _data_files(folder), _subfolders(folder)
        if files and subs:
            return None
        if subs:
            if not all(_HIVE_PART.match(s.name) for s in subs):
                return None
            parts: list[Path] = []
            for sub in subs:
                found = self._dataset(sub)
                if found is None:
                    return None
                parts.extend(found)
            return parts if self._same_schema(parts) else None
        if files and _part_names(files) and self._same_schema(files):
            return files
        return None

    def _same_schema(self, files: Sequence[Path]) -> bool:
        if not files or len({_format(f) for f in files}) != 1:
            return False
        if _format(files[0]) == "jsonl":
            return True  # keys are merged over the parts
        try:
            first = self._file_columns(files[0])
            return all(self._file_columns(f) == first for f in files[1:])
        except (OSError, ValueError, pa.ArrowException):
            return False

    # -- schema ------------------------------------------------------------------------------

    def _file_columns(self, f: Path) -> list[tuple[str, str]]:
        kind = _format(f)
        if kind == "parquet":
            return [(field.name, str(field.type)) for field in pq.read_schema(f)]
        if kind == "csv":
            reader = pacsv.open_csv(f, read_options=pacsv.ReadOptions(block_size=1 << 20))
            try:
                return [(field.name, str(field.type)) for field in reader.schema]
            finally:
                reader.close()
        names: dict[str, str] = {}
        with f.open(encoding="utf-8") as handle:
            for _, line in zip(range(JSONL_SCHEMA_LINES), handle, strict=False):
                if line.strip():
                    record = json.loads(line)
                    if isinstance(record, dict):
                        for key, value in record.items():
                            if value is not None or key not in names:
                                names[key] = names.get(key) or _json_type(value)
        return list(names.items())

    def _rows(self, f: Path) -> int:
        if _format(f) == "parquet":
            return int(pq.ParquetFile(f).metadata.num_rows)
        size = f.stat().st_size
        header = 1 if _format(f) == "csv" else 0
        with f.open("rb") as handle:
            if size > COUNT_LINES_UP_TO:
                head = handle.read(1 << 20)
                lines = max(1, head.count(b"\n"))
                return max(0, int(size / (len(head) / lines)) - header)
            lines = 0
            last = b"\n"
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return max(0, lines + (last != b"\n") - header)

    def _schema(self, table: FileTable) -> TableSchema:
        try:
            columns: dict[str, str] = {}
            for f in table.files if table.format == "jsonl" else table.files[:1]:
                for name, type_ in self._file_columns(f):
                    columns.setdefault(name, type_)
            rows = sum(self._rows(f) for f in table.files)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise SourceError(f"cannot read {table.name}: {_reader_error(exc)}") from None
        infos = tuple(ColumnInfo(table.name, n, t) for n, t in columns.items())
        return TableSchema("", table.name, infos, rows)

    # -- interface ---------------------------------------------------------------------------

    def check(self) -> ConnectionCheck:
        started = time.monotonic()
        files = [f for t in self.tables for f in t.files]
        unreadable = [f for f in files if not os.access(f, os.R_OK)]
        try:
            with files[0].open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            return ConnectionCheck(True, True, False, time.monotonic() - started, f"cannot read: {exc.strerror}")
        latency = time.monotonic() - started
        if unreadable:
            return ConnectionCheck(True, True, False, latency, f"{len(unreadable)} of {len(files)} files unreadable")
        return ConnectionCheck(
            True, True, True, latency, f"{len(files)} readable files in {len(self.tables)} tables (opened read-only)"
        )

    def discover(self) -> list[TableSchema]:
        return [self._schema(t) for t in self.tables]

    def plan_partitions(self, table: TableSchema, rows_per_partition: int) -> list[Partition]:
        if rows_per_partition <= 0:
            raise ValueError("rows_per_partition must be positive")
        source = self._source(table)
        if len(source.files) < 2 or (table.row_estimate is not None and table.row_estimate <= rows_per_partition):
            return []
        return [Partition(file=self._relative(f)) for f in source.files]

    def fingerprint(self, table: TableSchema) -> str:
        source = self._source(table)
        digest = hashlib.blake2b(digest_size=8)
        files = self._current_files(source)
        total = 0
        for f in files:
            try:
                stat = f.stat()
                size, mtime = stat.st_size, stat.st_mtime_ns
            except FileNotFoundError:
                size, mtime = -1, 0  # removed since the source was opened
            except OSError as exc:
                raise SourceError(f"cannot read {table.name}: {exc.strerror or exc}") from None
            total += max(size, 0)
            digest.update(f"{self._relative(f)}\0{size}\0{mtime}\n".encode(errors="surrogateescape"))
        return f"files={len(files)};bytes={total};digest={digest.hexdigest()}"

    def batches(
        self, table: TableSchema, sampling: Sampling, batch_size: int, partition: Partition | None = None
    ) -> Iterator[Batch]:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        source = self._source(table)
        if partition is not None:
            source = self._part(source, partition)
        names = table.column_names()
        if not names:
            return
        deadline = sampling.deadline()
        strategy = sampling.effective
        rng = random.Random(sampling.seed)
        try:
            if strategy == "RANDOM":
                yield from self._random(source, names, sampling.rows, rng, batch_size, deadline)
                return
            remaining = sampling.rows if strategy == "HEAD" else None
            for chunk in self._chunks(source, names, batch_size):
                if strategy == "PERCENT":
                    chunk = _keep(chunk, sampling.percent / 100, rng)
                if remaining is not None:
                    chunk = {n: v[:remaining] for n, v in chunk.items()}
                    remaining -= _length(chunk)
                if _length(chunk):
                    yield chunk
                if (remaining is not None and remaining <= 0) or time.monotonic() > deadline:
                    return
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise SourceError(f"cannot read {table.name}: {_reader_error(exc)}") from None

    def close(self) -> None:
        return None

    # -- tables and partitions ---------------------------------------------------------------

    def _source(self, table: TableSchema) -> FileTable:
        source = self._by_name.get(table.name)
        if source is None:
            raise SourceError(f"no table {table.name!r} in {str(self.path)!r}")
        return source

    def _relative(self, f: Path) -> str:
        return f.relative_to(self._root).as_posix()

    def _part(self, table: FileTable, partition: Partition) -> FileTable:
        """`table` reduced to the one part file of `partition`."""
        if partition.file is None:
            raise ValueError("a key range partition cannot be read from files: plan partitions on the same source")
        for f in table.files:
            if self._relative(f) == partition.file:
                return FileTable(table.name, (f,), table.format)
        raise SourceError(f"no part file {partition.file!r} in table {table.name!r}")

    def _current_files(self, table: FileTable) -> list[Path]:
        """The table's files, and for a folder table the data files in its folder now (added ones too)."""
        found = set(table.files)
        if table.folder is not None:
            for parent, subs, names in os.walk(table.folder):
                subs[:] = sorted(d for d in subs if not d.startswith((".", "_")))
                found.update(
                    Path(parent, n) for n in names if _visible(Path(n)) and Path(n).suffix.lower() in FILE_SUFFIXES
                )
        return sorted(found, key=self._relative)

    # -- reading -----------------------------------------------------------------------------

    def _chunks(self, table: FileTable, names: list[str], batch_size: int) -> Iterator[dict[str, list[object]]]:
        for f in table.files:
            yield from self._file_chunks(f, names, batch_size)

    def _file_chunks(
        self, f: Path, names: list[str], batch_size: int, row_groups: Sequence[int] | None = None
    ) -> Iterator[dict[str, list[object]]]:
        """Column batches of at most `batch_size` rows (a column the file lacks reads as NULL)."""
        kind = _format(f)
        if kind == "parquet":
            parquet = pq.ParquetFile(f)
            present = set(parquet.schema_arrow.names)
            wanted = [n for n in dict.fromkeys(names) if n in present]
            for rb in parquet.iter_batches(batch_size=batch_size, columns=wanted, row_groups=row_groups):
                yield _arrow_columns(rb, names)
        elif kind == "csv":
            header = [n for n, _ in self._file_columns(f)]
            wanted = [n for n in dict.fromkeys(names) if n in header]
            reader = pacsv.open_csv(
                f,
                read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK),
                convert_options=pacsv.ConvertOptions(
                    include_columns=wanted, column_types={n: pa.string() for n in wanted}, strings_can_be_null=True
                ),
            )
            try:
                for rb in reader:
                    for start in range(0, rb.num_rows, batch_size):
                        yield _arrow_columns(rb.slice(start, batch_size), names)
            finally:
                reader.close()
        else:
            rows: list[dict[str, object]] = []
            with f.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    rows.append(record if isinstance(record, dict) else {})
                    if len(rows) >= batch_size:
                        yield {n: [_json_text(r.get(n)) for r in rows] for n in names}
                        rows = []
            if rows:
                yield {n: [_json_text(r.get(n)) for r in rows] for n in names}

    def _random(
        self, table: FileTable, names: list[str], rows: int, rng: random.Random, batch_size: int, deadline: float
    ) -> Iterator[Batch]:
        """Parquet: whole row groups in random order until PARQUET_OVERSAMPLE x rows are read, then a
        reservoir; CSV/JSONL: a reservoir over the files (stopped by the time budget)."""
        reservoir = Reservoir(rows, rng)
        chunks: Iterator[dict[str, list[object]]]
        if table.format == "parquet":
            chunks = self._random_row_groups(table, names, rows, rng, batch_size)
        else:
            chunks = self._chunks(table, names, batch_size)
        for chunk in chunks:
            reservoir.add(zip(*(chunk[n] for n in names), strict=True))
            if time.monotonic() > deadline:
                break
        sample = reservoir.rows()
        for start in range(0, len(sample), batch_size):
            yield column_batch(sample[start : start + batch_size], names)

    def _random_row_groups(
        self, table: FileTable, names: list[str], rows: int, rng: random.Random, batch_size: int
    ) -> Iterator[dict[str, list[object]]]:
        groups: list[tuple[Path, int, int]] = []
        for f in table.files:
            meta = pq.ParquetFile(f).metadata
            groups.extend((f, index, meta.row_group(index).num_rows) for index in range(meta.num_row_groups))
        rng.shuffle(groups)
        read = 0
        for f, index, size in groups:
            if read >= PARQUET_OVERSAMPLE * rows:
                return
            yield from self._file_chunks(f, names, batch_size, [index])
            read += size


def _arrow_columns(rb: pa.RecordBatch, names: list[str]) -> dict[str, list[object]]:
    present = set(rb.schema.names)
    return {n: _arrow_values(rb.column(n)) if n in present else [None] * rb.num_rows for n in names}


def _length(chunk: Batch) -> int:
    return len(next(iter(chunk.values()), []))


def _keep(chunk: dict[str, list[object]], probability: float, rng: random.Random) -> dict[str, list[object]]:
    mask = [rng.random() < probability for _ in range(_length(chunk))]
    return {n: [v for v, m in zip(values, mask, strict=True) if m] for n, values in chunk.items()}
