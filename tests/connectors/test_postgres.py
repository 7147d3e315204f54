"""The PostgreSQL connector against the real server: discovery, sampling, read-only, hostile names, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scanrules_server.connectors import (
    Sampling,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    check_source,
    open_source,
)
from scanrules_server.connectors.postgres import PostgresConnector
from scanrules_server.domain.errors import SourceError
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.scanner import Table, scan_tables

from .conftest import (
    BIG_ROWS,
    EMAILS,
    HOSTILE_COLUMNS,
    HOSTILE_TABLE,
    PASSWORD,
    collect,
    no_secret,
    pg_snapshot,
    table_named,
)


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresConnector]:
    connector = open_source(pg_url)
    assert isinstance(connector, PostgresConnector)
    yield connector
    connector.close()


def test_check_reports_a_read_only_session(pg: PostgresConnector) -> None:
    check = pg.check()
    assert check.reachable and check.authenticated and check.read_only
    assert 0 < check.latency_s < 5
    assert "PostgreSQL" in check.message and "read-only" in check.message


def test_discovery_types_comments_keys_and_estimates(pg: PostgresConnector) -> None:
    tables = {t.qualified: t for t in pg.discover()}
    assert set(tables) == {"crm.customers", "crm.orders", "public.events", "public.x", f"public.{HOSTILE_TABLE}"}
    customers = tables["crm.customers"]
    assert customers.schema == "crm" and customers.name == "customers"
    assert [(c.table, c.name, c.type) for c in customers.columns] == [
        ("crm.customers", "id", "integer"),
        ("crm.customers", "contact", "text"),
        ("crm.customers", "card_number", "character varying(40)"),
        ("crm.customers", "notes", "text"),
    ]
    assert customers.columns[1].comment == "customer e-mail"
    assert customers.primary_key == ("id",)
    assert customers.row_estimate == 200
    orders = tables["crm.orders"]
    (fk,) = orders.foreign_keys
    assert (fk.columns, fk.referenced_schema, fk.referenced_table, fk.referenced_columns) == (
        ("customer_id",),
        "crm",
        "customers",
        ("id",),
    )
    assert {c.name: c.references for c in orders.columns}["customer_id"] == ("crm.customers", "id")
    assert orders.primary_key == ("order_id",)
    estimate = tables["public.events"].row_estimate
    assert estimate is not None and abs(estimate - BIG_ROWS) < BIG_ROWS * 0.05


def test_head_reads_the_first_rows_in_bounded_batches(pg: PostgresConnector) -> None:
    events = table_named(pg, "events")
    rows = collect(pg, events, Sampling("HEAD", rows=250), batch_size=100)
    assert [int(str(r["id"])) for r in rows] == list(range(1, 251))


def test_full_streams_every_row_in_bounded_batches(pg: PostgresConnector) -> None:
    events = table_named(pg, "events")
    sizes = [len(b["id"]) for b in pg.batches(events, Sampling("FULL"), 7_000)]
    assert sum(sizes) == BIG_ROWS and max(sizes) == 7_000 and len(sizes) == -(-BIG_ROWS // 7_000)


def test_random_is_spread_seeded_and_repeatable(pg: PostgresConnector) -> None:
    events = table_named(pg, "events")

    def ids(seed: int) -> list[int]:
        return [int(str(r["id"])) for r in collect(pg, events, Sampling("RANDOM", rows=1_000, seed=seed))]

    first, again, other = ids(1), ids(1), ids(2)
    assert len(first) == len(set(first)) == 1_000
    assert first == again  # TABLESAMPLE ... REPEATABLE and setseed: the same seed, the same sample
    assert set(first) != set(other)
    assert set(first) != set(range(1, 1_001))  # not the head
    assert max(first) - min(first) > BIG_ROWS / 2


def test_random_method_is_system_on_big_tables_and_bernoulli_on_small(pg: PostgresConnector) -> None:
    with pg.read_transaction() as conn:
        method, percent = pg.random_method(conn, table_named(pg, "events"), 1_000)
        assert method == "SYSTEM" and percent < 10
        assert pg.random_method(conn, table_named(pg, "customers"), 1_000) == ("BERNOULLI", 100.0)


def _events_reads(url: str) -> tuple[int, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT s.seq_tup_read, io.heap_blks_read + io.heap_blks_hit FROM pg_stat_user_tables s "
            "JOIN pg_statio_user_tables io USING (relid) WHERE s.relname = 'events'"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _reads_of(url: str, sampling: Sampling) -> tuple[int, int]:
    """Rows and pages of `events` the server read for one sample (its statistics counters)."""
    before = _events_reads(url)
    with open_source(url) as connector:
        collect(connector, table_named(connector, "events"), sampling, batch_size=5_000)
    for _ in range(100):  # the closed session's counters reach the shared statistics as it exits
        after = _events_reads(url)
        if after[0] != before[0]:
            break
        time.sleep(0.05)
    return after[0] - before[0], after[1] - before[1]


def test_random_reads_far_fewer_rows_than_the_table(pg_url: str) -> None:
    random_rows, random_pages = _reads_of(pg_url, Sampling("RANDOM", rows=1_000, seed=3))
    full_rows, full_pages = _reads_of(pg_url, Sampling("FULL"))
    assert full_rows >= BIG_ROWS
    assert 1_000 <= random_rows < BIG_ROWS / 10
    assert random_pages < full_pages / 10


def test_percent_is_bernoulli_and_seeded(pg: PostgresConnector) -> None:
    events = table_named(pg, "events")
    first = collect(pg, events, Sampling("PERCENT", percent=10, seed=1), batch_size=5_000)
    other = collect(pg, events, Sampling("PERCENT", percent=10, seed=2), batch_size=5_000)
    assert abs(len(first) - BIG_ROWS / 10) < BIG_ROWS * 0.01
    assert {r["id"] for r in first} != {r["id"] for r in other}


def test_time_budget_stops_reading(pg: PostgresConnector) -> None:
    events = table_named(pg, "events")
    rows = collect(pg, events, Sampling("FULL", time_budget_s=1e-9), batch_size=1_000)
    assert len(rows) == 1_000


def test_a_write_inside_our_session_fails(pg_url: str, pg: PostgresConnector) -> None:
    for statement in ("INSERT INTO public.x VALUES (2)", "CREATE TABLE public.y (id int)", "DROP TABLE public.x"):
        with pytest.raises(SourceError, match="read-only transaction"), pg.read_transaction() as conn:
            conn.execute(statement)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id FROM public.x").fetchall() == [(1,)]
        assert conn.execute("SELECT to_regclass('public.y')").fetchone() == (None,)


def test_statement_timeout_applies(pg_url: str) -> None:
    with open_source(pg_url, statement_timeout_s=0.2) as connector:
        assert isinstance(connector, PostgresConnector)
        started = time.monotonic()
        with pytest.raises(SourceError, match="timeout"), connector.read_transaction() as conn:
            conn.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 3


def test_scanning_everything_changes_nothing(pg_url: str, builtin: CompiledRuleSet) -> None:
    before = pg_snapshot(pg_url)
    with open_source(pg_url) as connector:
        for sampling in (Sampling("HEAD"), Sampling("RANDOM"), Sampling("PERCENT", percent=5), Sampling("FULL")):
            tables = [
                Table(t.qualified, t.columns, connector.batches(t, sampling, 4_096)) for t in connector.discover()
            ]
            scan_tables(builtin, tables)
    assert pg_snapshot(pg_url) == before


def test_hostile_names_are_discovered_and_scanned(pg_url: str, builtin: CompiledRuleSet) -> None:
    before = pg_snapshot(pg_url)
    with open_source(pg_url) as connector:
        hostile = table_named(connector, HOSTILE_TABLE)
        assert hostile.schema == "public"
        assert tuple(c.name for c in hostile.columns) == HOSTILE_COLUMNS
        for strategy in ("HEAD", "RANDOM", "PERCENT", "FULL"):
            rows = collect(connector, hostile, Sampling(strategy, rows=50, percent=50))
            assert rows and all(set(r) == set(HOSTILE_COLUMNS) for r in rows)
        full = collect(connector, hostile, Sampling("FULL"))
        assert sorted(str(r['e"mail']) for r in full) == sorted(EMAILS)
        assert {r["pct%s"] for r in full} == {"v"}
        result = scan_tables(
            builtin, [Table(hostile.qualified, hostile.columns, connector.batches(hostile, Sampling(), 100))]
        )
    assert {(f.table, f.column, f.classification) for f in result.findings} == {
        (f"public.{HOSTILE_TABLE}", 'e"mail', "EMAIL_ADDRESS")
    }
    assert pg_snapshot(pg_url) == before  # every table still there, unchanged


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"port": 1}, SourceUnreachableError),
        ({"username": "no_such_role"}, SourceAuthenticationError),
        ({"database": "no_such_database"}, SourceNotFoundError),
    ],
)
def test_errors_are_one_line_and_never_hold_the_password(
    pg_url: str, change: dict[str, object], error: type[SourceError]
) -> None:
    url = make_url(pg_url).set(password=PASSWORD, **change).render_as_string(hide_password=False)  # type: ignore[arg-type]
    assert PASSWORD in url
    started = time.monotonic()
    with pytest.raises(error) as caught:
        open_source(url)
    assert time.monotonic() - started < 10
    message = no_secret(caught.value)
    assert message.startswith("cannot connect to postgresql://")
    # The same with the password given apart from the URL.
    bare = make_url(url).set(password=None).render_as_string(hide_password=False)
    with pytest.raises(error) as caught:
        open_source(bare, password=PASSWORD)
    no_secret(caught.value)
    check = check_source(bare, password=PASSWORD)
    assert not check.read_only and PASSWORD not in check.message
    assert check.reachable == (error is not SourceUnreachableError)
    assert check.authenticated == (error is SourceNotFoundError)  # the server checks the database after the login


def test_password_argument_overrides_the_url(pg_url: str) -> None:
    # Trust authentication accepts any password: the point is that the URL's password is replaced.
    url = make_url(pg_url).set(password="wrong").render_as_string(hide_password=False)
    with open_source(url, password=PASSWORD) as connector:
        assert isinstance(connector, PostgresConnector)
        assert connector._conn.info.password == PASSWORD
