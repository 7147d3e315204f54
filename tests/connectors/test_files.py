"""The file connector: CSV, JSONL and Parquet files, folders of tables, folders of part files."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scanrules_server.connectors import Sampling, SourceNotFoundError, open_source
from scanrules_server.connectors.files import FileConnector
from scanrules_server.domain.errors import SourceError

from .conftest import collect, table_named


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def test_a_folder_is_a_set_of_tables_and_part_folders_are_one(files_dir: Path) -> None:
    with open_source(str(files_dir)) as connector:
        tables = {t.name: t for t in connector.discover()}
        check = connector.check()
    assert set(tables) == {
        "contacts",
        "customers",
        "orders",
        "events",
        "logs",
        "nested/deeper/cities",
        "nested/deeper/people",
    }
    assert check.reachable and check.authenticated and check.read_only
    events = tables["events"]  # events/part-0000..0003.parquet (+ _SUCCESS, skipped)
    assert events.schema == "" and events.qualified == "events" and events.row_estimate == 100_000
    assert [(c.table, c.name, c.type) for c in events.columns] == [
        ("events", "id", "int64"),
        ("events", "payload", "string"),
    ]
    logs = tables["logs"]  # logs/date=.../part-0.jsonl: Hive partitions of one table
    assert [c.name for c in logs.columns] == ["user", "day"] and logs.row_estimate == 200
    assert tables["nested/deeper/people"].row_estimate == 50
    assert [(c.name, c.type) for c in tables["customers"].columns] == [
        ("contact", "string"),
        ("card_number", "string"),
        ("notes", "string"),
    ]


def test_the_part_folder_itself_is_one_table(files_dir: Path) -> None:
    with open_source(str(files_dir / "events")) as connector:
        (events,) = connector.discover()
        assert events.name == "events" and events.row_estimate == 100_000
        ids = [int(str(r["id"])) for r in collect(connector, events, Sampling("FULL"), batch_size=10_000)]
    assert ids == list(range(100_000))  # every part, in order


def test_parts_with_different_columns_are_separate_tables(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    pq.write_table(pa.table({"a": [1]}), folder / "part-0.parquet")
    pq.write_table(pa.table({"b": ["x"]}), folder / "part-1.parquet")
    (folder / "2024-01.csv").write_text("x\n1\n")
    with open_source(str(folder)) as connector:
        assert sorted(t.name for t in connector.discover()) == ["2024-01", "part-0", "part-1"]
    monthly = tmp_path / "monthly"
    monthly.mkdir()
    for month in ("2024-01", "2024-02", "2024-03"):
        (monthly / f"{month}.csv").write_text(f"email,month\nann@example.org,{month}\n")
    with open_source(str(monthly)) as connector:
        (table,) = connector.discover()
        assert table.name == "monthly" and table.row_estimate == 3


def test_sampling_each_strategy(files_dir: Path) -> None:
    with open_source(str(files_dir)) as connector:
        events = table_named(connector, "events")
        head = collect(connector, events, Sampling("HEAD", rows=30_000), batch_size=4_000)
        assert [int(str(r["id"])) for r in head] == list(range(30_000))  # across the part files

        def random_ids(seed: int) -> list[int]:
            return [int(str(r["id"])) for r in collect(connector, events, Sampling("RANDOM", rows=2_000, seed=seed))]

        first = random_ids(1)
        assert len(set(first)) == 2_000 and first == random_ids(1) and set(first) != set(random_ids(2))
        row_groups = {i // 1_000 for i in first}  # 1,000-row groups over 4 parts
        assert len(row_groups) >= 3 and max(first) - min(first) > 20_000 and set(first) != set(range(2_000))
        percent = collect(connector, events, Sampling("PERCENT", percent=10, seed=1), batch_size=5_000)
        assert abs(len(percent) - 10_000) < 1_000
        assert len(collect(connector, events, Sampling("FULL"), batch_size=7_000)) == 100_000
        assert len(collect(connector, events, Sampling("FULL", time_budget_s=1e-9), batch_size=500)) == 500
        for name in ("customers", "contacts", "logs"):
            table = table_named(connector, name)
            sample = collect(connector, table, Sampling("RANDOM", rows=50, seed=2))
            assert len(sample) == 50 and len({json.dumps(r, sort_keys=True) for r in sample}) > 1
            assert sample != collect(connector, table, Sampling("HEAD", rows=50))


def test_random_on_parquet_reads_only_some_row_groups(files_dir: Path) -> None:
    with open_source(str(files_dir / "events")) as connector:
        assert isinstance(connector, FileConnector)
        groups = list(connector._random_row_groups(connector.tables[0], ["id"], 2_000, random.Random(0), 1_000))
    assert len(groups) == 4  # 2 x 2,000 rows of 1,000-row groups: 4 of the 100 groups are read


def test_values_are_text_with_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("zip,n\n00123,1\n,2\n")
    with open_source(str(path)) as connector:
        (table,) = connector.discover()
        assert [c.type for c in table.columns] == ["int64", "int64"]  # inferred for discovery
        assert collect(connector, table, Sampling("FULL")) == [{"zip": "00123", "n": "1"}, {"zip": None, "n": "2"}]


def test_reading_changes_no_file(files_dir: Path) -> None:
    before = _tree_digest(files_dir)
    with open_source(str(files_dir)) as connector:
        for table in connector.discover():
            for strategy in ("HEAD", "RANDOM", "PERCENT", "FULL"):
                collect(connector, table, Sampling(strategy, rows=100, percent=20))
    assert _tree_digest(files_dir) == before


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError):
        open_source(str(tmp_path / "missing.csv"))
    with pytest.raises(SourceNotFoundError):
        open_source("file:///no/such/folder")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SourceError, match="unsupported file type"):
        open_source(str(tmp_path / "notes.txt"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no CSV, JSONL or Parquet"):
        open_source(str(empty))
    with pytest.raises(SourceError, match="unsupported source scheme"):
        open_source("bogus://x")
