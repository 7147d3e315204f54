"""The MySQL/MariaDB connector against the real MariaDB: discovery, sampling, read-only, hostile names, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from scanrules_server.connectors import (
    Sampling,
    SourceAuthenticationError,
    SourceNotFoundError,
    SourceUnreachableError,
    check_source,
    open_source,
)
from scanrules_server.connectors.mysql import MySqlConnector
from scanrules_server.domain.errors import SourceError
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.scanner import Table, scan_tables

from .conftest import EMAILS, HOSTILE_COLUMNS, HOSTILE_TABLE, PASSWORD, collect, mysql_snapshot, no_secret, table_named

EVENTS = 50_000


@pytest.fixture
def my(mysql_url: str) -> Iterator[MySqlConnector]:
    connector = open_source(mysql_url)
    assert isinstance(connector, MySqlConnector)
    yield connector
    connector.close()


def test_mysql_and_mariadb_urls(mysql_url: str) -> None:
    for scheme in ("mysql", "mariadb", "mysql+pymysql"):
        url = make_url(mysql_url).set(drivername=scheme).render_as_string(hide_password=False)
        with open_source(url) as connector:
            assert isinstance(connector, MySqlConnector)
            check = connector.check()
            assert check.reachable and check.authenticated and check.read_only and check.latency_s > 0


def test_discovery_types_comments_keys_and_estimates(my: MySqlConnector) -> None:
    database = my.database
    assert database
    tables = {t.name: t for t in my.discover()}
    assert set(tables) == {"customers", "orders", "events", "nokey", "x", HOSTILE_TABLE}
    customers = tables["customers"]
    assert customers.schema == database and customers.qualified == f"{database}.customers"
    assert [(c.name, c.type.split("(")[0]) for c in customers.columns] == [
        ("id", "int"),
        ("contact", "text"),
        ("card_number", "varchar"),
        ("notes", "text"),
    ]
    assert customers.columns[0].table == f"{database}.customers"
    assert customers.columns[1].comment == "customer e-mail"
    assert customers.primary_key == ("id",)
    (fk,) = tables["orders"].foreign_keys
    assert (fk.columns, fk.referenced_schema, fk.referenced_table, fk.referenced_columns) == (
        ("customer_id",),
        database,
        "customers",
        ("id",),
    )
    assert {c.name: c.references for c in tables["orders"].columns}["customer_id"] == (f"{database}.customers", "id")
    estimate = tables["events"].row_estimate  # InnoDB's estimate, not a count
    assert estimate is not None and EVENTS * 0.5 < estimate < EVENTS * 1.5


def test_head_and_full_in_bounded_batches(my: MySqlConnector) -> None:
    events = table_named(my, "events")
    head = collect(my, events, Sampling("HEAD", rows=250), batch_size=100)
    assert [int(str(r["id"])) for r in head] == list(range(1, 251))
    sizes = [len(b["id"]) for b in my.batches(events, Sampling("FULL"), 3_000)]
    assert sum(sizes) == EVENTS and max(sizes) == 3_000


def _handler_reads(my: MySqlConnector) -> int:
    with my.read_transaction() as conn:
        rows = conn.execute(sa.text("SHOW SESSION STATUS LIKE 'Handler_read%'")).all()
    return sum(int(value) for _, value in rows)


def test_random_uses_key_ranges_spread_and_seeded(my: MySqlConnector) -> None:
    events = table_named(my, "events")

    def ids(seed: int) -> list[int]:
        return [int(str(r["id"])) for r in collect(my, events, Sampling("RANDOM", rows=1_000, seed=seed))]

    before = _handler_reads(my)
    first = ids(1)
    random_reads = _handler_reads(my) - before
    assert len(first) == len(set(first)) == 1_000
    assert ids(1) == first
    assert set(ids(2)) != set(first)
    assert set(first) != set(range(1, 1_001)) and max(first) - min(first) > EVENTS / 2
    # The session's handler counters: about one index seek and `rows` next-reads per range.
    before = _handler_reads(my)
    collect(my, events, Sampling("FULL"), batch_size=5_000)
    full_reads = _handler_reads(my) - before
    assert full_reads >= EVENTS and random_reads < full_reads / 10


def test_random_without_an_integer_key_is_a_bounded_reservoir(my: MySqlConnector) -> None:
    nokey = table_named(my, "nokey")  # 5,000 rows, no primary key
    sample = [str(r["v"]) for r in collect(my, nokey, Sampling("RANDOM", rows=100, seed=1))]
    assert len(set(sample)) == 100
    assert all(int(v.split()[1]) < 1_000 for v in sample)  # at most 10 x rows read
    small = [str(r["v"]) for r in collect(my, nokey, Sampling("RANDOM", rows=1_000, seed=1))]
    assert len(set(small)) == 1_000 and max(int(v.split()[1]) for v in small) > 4_000


def test_percent_is_seeded_on_the_server(my: MySqlConnector) -> None:
    events = table_named(my, "events")
    first = collect(my, events, Sampling("PERCENT", percent=10, seed=1), batch_size=5_000)
    assert abs(len(first) - EVENTS / 10) < EVENTS * 0.02
    assert first == collect(my, events, Sampling("PERCENT", percent=10, seed=1), batch_size=5_000)
    assert first != collect(my, events, Sampling("PERCENT", percent=10, seed=2), batch_size=5_000)


def test_stopping_early_does_not_drain_the_table(my: MySqlConnector) -> None:
    events = table_named(my, "events")
    assert len(collect(my, events, Sampling("FULL", time_budget_s=1e-9), batch_size=500)) == 500
    batches = my.batches(events, Sampling("FULL"), 100)
    next(batches)
    batches.close()  # the consumer stops: the unread rest is dropped with the connection
    assert my.check().read_only


def test_a_write_inside_our_session_fails(mysql_url: str, my: MySqlConnector) -> None:
    before = mysql_snapshot(mysql_url)
    for statement in ("INSERT INTO x VALUES (2)", "UPDATE x SET id = 3", "DELETE FROM x"):
        with pytest.raises(SourceError, match="READ ONLY"), my.read_transaction() as conn:
            conn.execute(sa.text(statement))
    assert mysql_snapshot(mysql_url) == before


def test_statement_timeout_applies(mysql_url: str) -> None:
    with open_source(mysql_url, statement_timeout_s=0.3) as connector:
        assert isinstance(connector, MySqlConnector)
        started = time.monotonic()
        with pytest.raises(SourceError, match="timeout"), connector.read_transaction() as conn:
            conn.execute(sa.text("SELECT COUNT(*) FROM events a, events b"))
        assert time.monotonic() - started < 5


def test_scanning_everything_changes_nothing(mysql_url: str, builtin: CompiledRuleSet) -> None:
    before = mysql_snapshot(mysql_url)
    with open_source(mysql_url) as connector:
        for sampling in (Sampling("HEAD"), Sampling("RANDOM"), Sampling("PERCENT", percent=5), Sampling("FULL")):
            tables = [
                Table(t.qualified, t.columns, connector.batches(t, sampling, 4_096)) for t in connector.discover()
            ]
            scan_tables(builtin, tables)
    assert mysql_snapshot(mysql_url) == before


def test_hostile_names_are_discovered_and_scanned(mysql_url: str, builtin: CompiledRuleSet) -> None:
    before = mysql_snapshot(mysql_url)
    with open_source(mysql_url) as connector:
        hostile = table_named(connector, HOSTILE_TABLE)
        assert tuple(c.name for c in hostile.columns) == HOSTILE_COLUMNS
        for strategy in ("HEAD", "RANDOM", "PERCENT", "FULL"):
            rows = collect(connector, hostile, Sampling(strategy, rows=50, percent=50))
            assert rows and all(set(r) == set(HOSTILE_COLUMNS) for r in rows)
        full = collect(connector, hostile, Sampling("FULL"))
        assert sorted(str(r['e"mail']) for r in full) == sorted(EMAILS)
        assert {r["pct%s"] for r in full} == {"v"} and {r["a`b"] for r in full} == {"z"}
        batches = connector.batches(hostile, Sampling(), 100)
        result = scan_tables(builtin, [Table(hostile.qualified, hostile.columns, batches)])
    assert {(f.column, f.classification) for f in result.findings} == {('e"mail', "EMAIL_ADDRESS")}
    assert mysql_snapshot(mysql_url) == before


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"port": 1}, SourceUnreachableError),
        ({}, SourceAuthenticationError),  # root has no password: a wrong one is refused
        ({"username": "no_such_user"}, SourceAuthenticationError),
        ({"database": "no_such_database"}, SourceNotFoundError),
    ],
)
def test_errors_are_one_line_and_never_hold_the_password(
    mysql_url: str, change: dict[str, object], error: type[SourceError]
) -> None:
    url = make_url(mysql_url).set(**change).render_as_string(hide_password=False)  # type: ignore[arg-type]
    password = PASSWORD if error is not SourceNotFoundError else None
    started = time.monotonic()
    with pytest.raises(error) as caught:
        open_source(url, password=password)
    assert time.monotonic() - started < 10
    assert no_secret(caught.value).startswith("cannot connect to mysql://")
    with_secret = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    with pytest.raises(SourceError) as caught:
        open_source(with_secret)
    no_secret(caught.value)
    check = check_source(url, password=password)
    assert not check.read_only and PASSWORD not in check.message
    assert check.reachable == (error is not SourceUnreachableError)
