"""`Connector.plan_partitions` and `batches(..., partition=...)` against real sources: integer-key
ranges (with gaps and negative keys, and hostile names) and the part files of folder tables."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from scanrules_server.connectors import Connector, Partition, Sampling, TableSchema, open_source
from scanrules_server.connectors.base import MAX_PARTITIONS, key_range_partitions
from scanrules_server.domain.errors import SourceError

from .conftest import _q, mysql_connect, table_named

#: Negative keys, two densities and far outliers: uneven partitions, some nearly empty, and (every
#: even number in [0, 2000) being a key) partition bounds that are keys.
KEYS = sorted({*range(-2000, 0, 7), *range(0, 2000, 2), 5000, 5001, 9999})
ROWS = [(k, None if k % 10 == 0 else f"value {k}") for k in KEYS]
PER_PARTITION = 100
HOSTILE_TABLE = 'parts "; DROP TABLE x; --'
HOSTILE_KEY = 'k%s"e`y'

#: items/part-{0..3}.csv hold this many rows each (the last one fewer).
PART_ROWS = math.ceil(len(ROWS) / 4)

Row = tuple[object, ...]


def _read(
    connector: Connector, table: TableSchema, sampling: Sampling, partition: Partition | None = None
) -> list[Row]:
    out: list[Row] = []
    for batch in connector.batches(table, sampling, 64, partition):
        names = list(batch)
        out.extend(zip(*(batch[n] for n in names), strict=True))
    return out


def _check_key_partitions(connector: Connector, table: TableSchema, key: str) -> list[Partition]:
    """Several contiguous ranges from the real min to max; every row in exactly one of them;
    each sampling strategy stays inside its partition."""
    parts = connector.plan_partitions(table, PER_PARTITION)
    assert 2 <= len(parts) <= MAX_PARTITIONS
    assert {p.key for p in parts} == {key} and all(p.file is None for p in parts)
    assert parts[0].lo == KEYS[0] and parts[-1].hi == KEYS[-1] + 1
    assert all(a.hi == b.lo for a, b in itertools.pairwise(parts))
    for p in parts:
        assert Partition.from_dict(json.loads(json.dumps(p.to_dict()))) == p

    full = Counter(_read(connector, table, Sampling("FULL")))
    assert sum(full.values()) == len(KEYS)
    pieces: Counter[Row] = Counter()
    for p in parts:
        pieces.update(_read(connector, table, Sampling("FULL"), p))
    assert pieces == full, "no row lost or read twice"

    def keys_in(p: Partition) -> set[int]:
        assert p.lo is not None and p.hi is not None
        return {k for k in KEYS if p.lo <= k < p.hi}

    widest = max(parts, key=lambda p: len(keys_in(p)))
    inside = keys_in(widest)
    assert len(inside) > 2 * PER_PARTITION / 3
    for sampling, expected in [
        (Sampling("FULL"), len(inside)),
        (Sampling("HEAD", rows=5), 5),
        (Sampling("RANDOM", rows=5, seed=3), 5),  # a sparse sample: key ranges inside the partition
        (Sampling("RANDOM", rows=10_000, seed=3), len(inside)),  # more than the partition holds
        (Sampling("PERCENT", percent=50, seed=1), None),
    ]:
        keys = [int(str(row[0])) for row in _read(connector, table, sampling, widest)]
        assert len(keys) == len(set(keys)) and set(keys) <= inside, sampling
        if expected is None:
            assert 0 < len(keys) < len(inside)
        else:
            assert len(keys) == expected, sampling

    # RANDOM's key ranges must stop at the partition's end: here most start in the gap before 5000,
    # and the next key (5001) belongs to the next partition.
    sparse_end = Partition(key=key, lo=0, hi=5001)
    keys = [int(str(row[0])) for row in _read(connector, table, Sampling("RANDOM", rows=150, seed=5), sparse_end)]
    assert len(keys) == len(set(keys)) == 150 and set(keys) <= {k for k in KEYS if 0 <= k < 5001}
    return parts


def test_key_ranges_cover_the_real_span_evenly() -> None:
    parts = key_range_partitions("id", -10, 89, rows=100, rows_per_partition=25)
    assert [(p.lo, p.hi) for p in parts] == [(-10, 15), (15, 40), (40, 65), (65, 90)]
    assert key_range_partitions("id", 0, 99, rows=100, rows_per_partition=100) == []
    assert len(key_range_partitions("id", 0, 10**12, rows=10**9, rows_per_partition=10)) == MAX_PARTITIONS
    assert len(key_range_partitions("id", 1, 3, rows=1_000, rows_per_partition=10)) == 3  # one key each


def test_partition_json_round_trip_and_validation() -> None:
    for partition in (Partition(key="id", lo=-5, hi=7), Partition(file="events/date=1/part-0.parquet")):
        assert Partition.from_dict(json.loads(json.dumps(partition.to_dict()))) == partition
    assert Partition(key="id", lo=-5, hi=7).to_dict() == {"key": "id", "lo": -5, "hi": 7}
    assert Partition(file="a/b.csv").to_dict() == {"file": "a/b.csv"}
    for bad in (
        {},
        {"key": "id", "lo": 1},
        {"key": "id", "lo": 1, "hi": 1},
        {"key": "id", "lo": 1.0, "hi": 2},
        {"key": "id", "lo": True, "hi": 2},
        {"key": "", "lo": 1, "hi": 2},
        {"file": ""},
        {"file": 3},
        {"file": "a.csv", "key": "id", "lo": 1, "hi": 2},
    ):
        with pytest.raises(ValueError):
            Partition.from_dict(bad)
    with pytest.raises(ValueError):
        Partition()
    with pytest.raises(ValueError):
        Partition(key="id", lo=1, hi=2, file="a.csv")


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_parts(pg_url: str) -> Iterator[str]:
    """Schema `parts`: a hostile-named table keyed by a hostile-named bigint, and a text-keyed table."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA parts")
        target = sql.Identifier("parts", HOSTILE_TABLE)
        conn.execute(
            sql.SQL("CREATE TABLE {} ({} bigint PRIMARY KEY, v text)").format(target, sql.Identifier(HOSTILE_KEY))
        )
        # COPY, not INSERT with placeholders: psycopg would take the `%s` in the key's name for one.
        copy = sql.SQL("COPY {} FROM STDIN").format(target)
        with conn.cursor() as cur, cur.copy(copy) as copier:
            for row in ROWS:
                copier.write_row(row)
        conn.execute("CREATE TABLE parts.coded (code text PRIMARY KEY, v text)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO parts.coded VALUES (%s, %s)", [(f"c{k}", v) for k, v in ROWS])
        conn.execute("ANALYZE")
    try:
        yield pg_url
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA parts CASCADE")


def test_postgres_key_partitions(pg_parts: str) -> None:
    with open_source(pg_parts) as connector:
        tables = {t.qualified: t for t in connector.discover() if t.schema == "parts"}
        hostile = tables[f"parts.{HOSTILE_TABLE}"]
        assert hostile.row_estimate == len(KEYS)
        _check_key_partitions(connector, hostile, HOSTILE_KEY)
        assert connector.plan_partitions(hostile, len(KEYS)) == []  # not worth splitting
        assert connector.plan_partitions(tables["parts.coded"], PER_PARTITION) == []  # no integer key
        with pytest.raises(ValueError):
            list(connector.batches(hostile, Sampling("FULL"), 10, Partition(file="part-0.csv")))


# -- MariaDB / MySQL -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mysql_parts(mysql_url: str) -> Iterator[str]:
    database = make_url(mysql_url).database
    conn = mysql_connect(database)
    try:
        with conn.cursor() as cur:
            key = _q(HOSTILE_KEY).replace("%", "%%")  # pymysql formats with %
            cur.execute(f"CREATE TABLE {_q(HOSTILE_TABLE)} ({_q(HOSTILE_KEY)} int PRIMARY KEY, v text)")
            cur.executemany(f"INSERT INTO {_q(HOSTILE_TABLE)} ({key}, v) VALUES (%s, %s)", ROWS)
            cur.execute(f"ANALYZE TABLE {_q(HOSTILE_TABLE)}")
            cur.fetchall()
        yield mysql_url
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_q(HOSTILE_TABLE)}")
        conn.close()


def test_mysql_key_partitions(mysql_parts: str) -> None:
    with open_source(mysql_parts) as connector:
        hostile = table_named(connector, HOSTILE_TABLE)
        assert hostile.row_estimate and hostile.row_estimate > PER_PARTITION
        _check_key_partitions(connector, hostile, HOSTILE_KEY)
        assert connector.plan_partitions(hostile, 10_000) == []
        assert connector.plan_partitions(table_named(connector, "nokey"), PER_PARTITION) == []  # no primary key
        with pytest.raises(ValueError):
            list(connector.batches(hostile, Sampling("FULL"), 10, Partition(file="part-0.csv")))


# -- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parts") / "parts.db"
    hostile = HOSTILE_TABLE.replace('"', '""')
    key = HOSTILE_KEY.replace('"', '""')
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f'CREATE TABLE "{hostile}" ("{key}" INTEGER PRIMARY KEY, v TEXT)')
        conn.executemany(f'INSERT INTO "{hostile}" VALUES (?, ?)', ROWS)
        conn.execute("CREATE TABLE coded (code INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID")
        conn.executemany("INSERT INTO coded VALUES (?, ?)", ROWS)
        conn.execute("CREATE TABLE heap (v TEXT)")  # no declared key: its rowid
        conn.executemany("INSERT INTO heap VALUES (?)", [(v,) for _, v in ROWS])
    conn.close()
    return path


def test_sqlite_rowid_partitions(sqlite_parts: Path) -> None:
    with open_source(str(sqlite_parts)) as connector:
        hostile = table_named(connector, HOSTILE_TABLE)
        _check_key_partitions(connector, hostile, "rowid")  # the INTEGER PRIMARY KEY is the rowid
        assert connector.plan_partitions(hostile, len(KEYS)) == []
        # WITHOUT ROWID: an INTEGER PRIMARY KEY there may hold values that are not integers.
        assert connector.plan_partitions(table_named(connector, "coded"), PER_PARTITION) == []
        heap = table_named(connector, "heap")
        parts = connector.plan_partitions(heap, PER_PARTITION)
        assert len(parts) == math.ceil(len(KEYS) / PER_PARTITION) and parts[0].lo == 1 and parts[-1].hi == len(KEYS) + 1
        pieces = Counter(row for p in parts for row in _read(connector, heap, Sampling("FULL"), p))
        assert pieces == Counter(_read(connector, heap, Sampling("FULL")))


# -- files -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """items/part-{0..3}.csv (one table), events/date=*/part-0.parquet (one table), single.csv."""
    root = tmp_path_factory.mktemp("lake")
    (root / "items").mkdir()
    for n, chunk in enumerate(ROWS[i : i + PART_ROWS] for i in range(0, len(ROWS), PART_ROWS)):
        with (root / "items" / f"part-{n}.csv").open("w", encoding="utf-8") as handle:
            handle.write("id,v\n" + "".join(f"{k},{'' if v is None else v}\n" for k, v in chunk))
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        (root / "events" / f"date={day}").mkdir(parents=True)
        pq.write_table(
            pa.table({"id": [f"{day}-{i}" for i in range(60)], "n": list(range(60))}),
            root / "events" / f"date={day}" / "part-0.parquet",
        )
    (root / "single.csv").write_text("id,v\n" + "".join(f"{k},{v}\n" for k, v in ROWS))
    return root


def test_folder_tables_split_into_their_part_files(lake: Path) -> None:
    with open_source(str(lake)) as connector:
        items = table_named(connector, "items")
        parts = connector.plan_partitions(items, PER_PARTITION)
        assert parts == [Partition(file=f"items/part-{n}.csv") for n in range(4)]
        for p in parts:
            assert Partition.from_dict(json.loads(json.dumps(p.to_dict()))) == p
        full = Counter(_read(connector, items, Sampling("FULL")))
        assert sum(full.values()) == len(KEYS)
        assert Counter(row for p in parts for row in _read(connector, items, Sampling("FULL"), p)) == full
        first = {str(k) for k, _ in ROWS[:PART_ROWS]}
        for sampling, expected in [
            (Sampling("HEAD", rows=5), 5),
            (Sampling("RANDOM", rows=7, seed=2), 7),
            (Sampling("PERCENT", percent=50, seed=1), None),
        ]:
            keys = [str(row[0]) for row in _read(connector, items, sampling, parts[0])]
            assert set(keys) <= first and len(keys) == len(set(keys))
            assert len(keys) == expected if expected is not None else 0 < len(keys) < PART_ROWS

        events = table_named(connector, "events")
        event_parts = connector.plan_partitions(events, 50)
        assert [p.file for p in event_parts] == [f"events/date=2024-01-0{d}/part-0.parquet" for d in (1, 2, 3)]
        day2 = _read(connector, events, Sampling("FULL"), event_parts[1])
        assert len(day2) == 60 and all(str(row[0]).startswith("2024-01-02-") for row in day2)

        assert connector.plan_partitions(items, len(KEYS)) == []  # not worth splitting
        with pytest.raises(ValueError):
            connector.plan_partitions(items, 0)
        assert connector.plan_partitions(table_named(connector, "single"), PER_PARTITION) == []  # one file
        with pytest.raises(SourceError):
            list(connector.batches(items, Sampling("FULL"), 10, Partition(file="events/part-9.csv")))
        with pytest.raises(ValueError):
            list(connector.batches(items, Sampling("FULL"), 10, Partition(key="id", lo=0, hi=5)))


def test_a_single_file_source_is_never_split(lake: Path) -> None:
    with open_source(str(lake / "single.csv")) as connector:
        assert connector.plan_partitions(table_named(connector, "single"), 1) == []
