"""Include/exclude globs, the Sampling value, and the same labeled data found alike in every kind of source."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanrules_server.connectors import Sampling, TableSchema, filter_tables, open_source, selected
from scanrules_server.engine.column import ColumnInfo
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.scanner import Table, scan_tables

from .conftest import EXPECTED, table_named, write_customers


def _table(schema: str, name: str, *columns: str) -> TableSchema:
    qualified = f"{schema}.{name}" if schema else name
    return TableSchema(schema, name, tuple(ColumnInfo(qualified, c) for c in columns))


@pytest.mark.parametrize(
    ("key", "include", "exclude", "expected"),
    [
        ("public.users.email", [], [], True),
        ("public.users.email", ["public.*"], [], True),
        ("crm.users.email", ["public.*"], [], False),
        ("public.users.password", [], ["*.password"], False),
        ("public.users.password", ["public.users.*"], ["*.password"], False),  # exclude wins
        ("public.Users.email", ["public.users.*"], [], False),  # case-sensitive
        ("public.users.email", ["*.users.e?ail", "x"], [], True),
        ('public."; DROP TABLE x; --.e"mail', ["public.*"], [], True),
        ("events.payload", ["events.*"], [], True),  # files: table.column
    ],
)
def test_selected(key: str, include: list[str], exclude: list[str], expected: bool) -> None:
    assert selected(key, include, exclude) is expected


def test_filter_tables_drops_columns_then_empty_tables() -> None:
    tables = [
        _table("public", "users", "id", "email", "password"),
        _table("public", "audit", "password"),
        _table("crm", "leads", "email"),
    ]
    assert filter_tables(tables, [], []) == tables
    kept = filter_tables(tables, ["public.*"], ["*.password"])
    assert [(t.qualified, [c.name for c in t.columns]) for t in kept] == [("public.users", ["id", "email"])]
    assert kept[0].schema == "public" and kept[0].row_estimate is None


def test_sampling_values() -> None:
    assert Sampling().strategy == "RANDOM" and Sampling().rows == 10_000
    assert Sampling("HEAD", rows=0).effective == "FULL"
    assert Sampling("RANDOM", rows=0).effective == "FULL"
    assert Sampling("PERCENT", percent=100).effective == "FULL"
    assert Sampling("PERCENT", percent=5).effective == "PERCENT"
    for bad in (
        {"strategy": "SOME"},
        {"rows": -1},
        {"strategy": "PERCENT"},
        {"strategy": "PERCENT", "percent": 101},
        {"time_budget_s": 0},
    ):
        with pytest.raises(ValueError):
            Sampling(**bad)  # type: ignore[arg-type]


def test_filters_apply_to_discovered_sources(files_dir: Path) -> None:
    with open_source(str(files_dir)) as connector:
        kept = filter_tables(connector.discover(), ["customers.*", "nested/*"], ["*.notes", "*/cities.*"])
    assert [(t.name, [c.name for c in t.columns]) for t in kept] == [
        ("customers", ["contact", "card_number"]),
        ("nested/deeper/people", ["name", "email"]),
    ]


@pytest.fixture(scope="module")
def customer_sources(
    pg_url: str, mysql_url: str, sqlite_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, str]]:
    """kind -> (source, table name) of the same 200 labeled customers."""
    folder = tmp_path_factory.mktemp("same")
    write_customers(folder)
    return {
        "postgresql": (pg_url, "customers"),
        "mysql": (mysql_url, "customers"),
        "sqlite": (f"sqlite:///{sqlite_path}", "customers"),
        "csv": (str(folder / "customers.csv"), "customers"),
        "jsonl": (str(folder / "contacts.jsonl"), "contacts"),
        "parquet": (str(folder / "orders.parquet"), "orders"),
    }


@pytest.mark.parametrize("kind", ["postgresql", "mysql", "sqlite", "csv", "jsonl", "parquet"])
@pytest.mark.parametrize("strategy", ["HEAD", "RANDOM", "FULL"])
def test_the_same_data_gives_the_same_findings_everywhere(
    customer_sources: dict[str, tuple[str, str]], builtin: CompiledRuleSet, kind: str, strategy: str
) -> None:
    source, name = customer_sources[kind]
    with open_source(source) as connector:
        table = table_named(connector, name)
        columns = [c for c in table.columns if c.name != "id"]
        schema = TableSchema(table.schema, table.name, tuple(columns))
        result = scan_tables(
            builtin, [Table(table.qualified, columns, connector.batches(schema, Sampling(strategy, rows=150), 64))]
        )
    assert {(f.column, f.classification) for f in result.findings} == EXPECTED
    for finding in result.findings:
        assert finding.table == table.qualified
        expected_rows = 200 if strategy == "FULL" else 150
        assert finding.sampled == finding.non_null == expected_rows
        assert finding.distinct == (expected_rows if finding.column == "contact" else 4)
