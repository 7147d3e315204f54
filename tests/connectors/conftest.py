"""Real sources for the connector tests, made once per test session and dropped afterwards.

* PostgreSQL: a throwaway database (tests/dbs.py) on 127.0.0.1:5432.
* MariaDB/MySQL: a throwaway database `scanrules_test_<hex>` on 127.0.0.1:3306 as root (env
  `SCANRULES_TEST_MYSQL_URL` overrides `mysql://root@127.0.0.1:3306`).
* SQLite and CSV/JSONL/Parquet files under a session temporary folder.

Every source holds the same labeled data (customers: emails, card numbers, notes), a table with a
foreign key to it, a table named to break naive SQL (`"; DROP TABLE x; --`) with hostile column
names, and a table `x` that such an injection would drop.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pymysql
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from scanrules_server.connectors import Connector, Sampling, TableSchema
from tests.dbs import DATABASE_PREFIX, create_postgres_database, drop_postgres_database

EMAILS = [f"person{i}@example.org" for i in range(200)]
CARDS = ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009", "6011 0000 0000 0004"] * 50
NOTES = ["nothing to report"] * 200
CUSTOMERS = list(zip(EMAILS, CARDS, NOTES, strict=True))
EXPECTED = {("contact", "EMAIL_ADDRESS"), ("card_number", "CREDIT_CARD_NUMBER")}

BIG_ROWS = 200_000
HOSTILE_TABLE = '"; DROP TABLE x; --'
HOSTILE_COLUMNS = ('e"mail', "semi;colon", "名前", "a`b", "it's", "pct%s", "Robert'); DROP TABLE x;--")
MYSQL_URL_ENV = "SCANRULES_TEST_MYSQL_URL"
PASSWORD = "s3cr3t-Pa55word"


# -- PostgreSQL ------------------------------------------------------------------------------


def _pg_load(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA crm")
        conn.execute(
            "CREATE TABLE crm.customers (id serial PRIMARY KEY, contact text, card_number varchar(40), notes text)"
        )
        conn.execute("COMMENT ON COLUMN crm.customers.contact IS 'customer e-mail'")
        conn.execute("COMMENT ON TABLE crm.customers IS 'who buys'")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO crm.customers (contact, card_number, notes) VALUES (%s, %s, %s)", CUSTOMERS)
        conn.execute(
            "CREATE TABLE crm.orders (order_id bigint PRIMARY KEY, customer_id int REFERENCES crm.customers(id), "
            "total numeric(10, 2))"
        )
        conn.execute("INSERT INTO crm.orders SELECT g, 1 + g % 200, g * 1.5 FROM generate_series(1, 500) g")
        conn.execute("CREATE TABLE public.events (id bigint PRIMARY KEY, payload text)")
        conn.execute(f"INSERT INTO public.events SELECT g, 'event ' || g FROM generate_series(1, {BIG_ROWS}) g")
        conn.execute("CREATE TABLE public.x (id int)")
        conn.execute("INSERT INTO public.x VALUES (1)")
        conn.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                sql.Identifier("public", HOSTILE_TABLE),
                sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in HOSTILE_COLUMNS),
            )
        )
        # COPY, not INSERT with placeholders: psycopg would take the `%s` in a column name for one.
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier("public", HOSTILE_TABLE), sql.SQL(", ").join(sql.Identifier(c) for c in HOSTILE_COLUMNS)
        )
        with conn.cursor() as cur, cur.copy(copy) as copier:
            for e in EMAILS:
                copier.write_row((e, "x", "y", "z", "w", "v", "u"))
        conn.execute("ANALYZE")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """`postgresql://postgres@127.0.0.1:5432/<throwaway>` loaded with the test tables."""
    async_url = create_postgres_database(prefix=f"{DATABASE_PREFIX}conn_")
    url = make_url(async_url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        _pg_load(url)
        yield url
    finally:
        drop_postgres_database(async_url)


def pg_snapshot(url: str) -> dict[str, str]:
    """Every table's name and a digest of its rows."""
    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            rows = conn.execute(
                sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(sql.Identifier(schema, table))
            ).fetchall()
            out[f"{schema}.{table}"] = hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest()
    return out


# -- MariaDB / MySQL -------------------------------------------------------------------------


def mysql_base_url() -> str:
    return os.environ.get(MYSQL_URL_ENV, "mysql://root@127.0.0.1:3306")


def mysql_connect(database: str | None = None) -> pymysql.Connection:  # type: ignore[type-arg]
    url = make_url(mysql_base_url())
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def _q(name: str) -> str:
    """Backtick-quote for the test's own setup SQL (the connectors never build SQL this way)."""
    return "`" + name.replace("`", "``") + "`"


def _mysql_load(database: str) -> None:
    conn = mysql_connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, contact text COMMENT 'customer e-mail', "
                "card_number varchar(40), notes text)"
            )
            cur.executemany("INSERT INTO customers (contact, card_number, notes) VALUES (%s, %s, %s)", CUSTOMERS)
            cur.execute(
                "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id int, total decimal(10, 2), "
                "FOREIGN KEY (customer_id) REFERENCES customers(id))"
            )
            cur.executemany(
                "INSERT INTO orders VALUES (%s, %s, %s)", [(i, 1 + i % 200, i * 1.5) for i in range(1, 501)]
            )
            cur.execute("CREATE TABLE events (id bigint PRIMARY KEY, payload text)")
            for start in range(0, 50_000, 10_000):
                cur.executemany(
                    "INSERT INTO events VALUES (%s, %s)", [(i, f"event {i}") for i in range(start + 1, start + 10_001)]
                )
            cur.execute("CREATE TABLE nokey (v text)")
            cur.executemany("INSERT INTO nokey VALUES (%s)", [(f"value {i}",) for i in range(5_000)])
            cur.execute("CREATE TABLE x (id int)")
            cur.execute("INSERT INTO x VALUES (1)")
            columns = ", ".join(f"{_q(c)} text" for c in HOSTILE_COLUMNS)
            cur.execute(f"CREATE TABLE {_q(HOSTILE_TABLE)} ({columns})")
            names = ", ".join(_q(c) for c in HOSTILE_COLUMNS).replace("%", "%%")  # pymysql formats with %
            marks = ", ".join(["%s"] * len(HOSTILE_COLUMNS))
            cur.executemany(
                f"INSERT INTO {_q(HOSTILE_TABLE).replace('%', '%%')} ({names}) VALUES ({marks})",
                [(e, "x", "y", "z", "w", "v", "u") for e in EMAILS],
            )
            cur.execute("ANALYZE TABLE customers, orders, events, nokey")
            cur.fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """`mysql://root@127.0.0.1:3306/<throwaway>` loaded with the test tables."""
    database = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:16]}"
    admin = mysql_connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {_q(database)} CHARACTER SET utf8mb4")
        _mysql_load(database)
        yield make_url(mysql_base_url()).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {_q(database)}")
        admin.close()


def mysql_snapshot(url: str) -> dict[str, str]:
    database = make_url(url).database
    assert database
    out = {}
    conn = mysql_connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            for (table,) in cur.fetchall():
                cur.execute(f"SELECT * FROM {_q(table)}")
                rows = sorted(repr(r) for r in cur.fetchall())
                out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    finally:
        conn.close()
    return out


# -- SQLite and files ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, contact TEXT, card_number VARCHAR(40), notes TEXT)"
        )
        conn.executemany("INSERT INTO customers (contact, card_number, notes) VALUES (?, ?, ?)", CUSTOMERS)
        conn.execute(
            "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers, total REAL)"
        )
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?)", [(i, 1 + i % 200, i * 1.5) for i in range(1, 501)])
        conn.execute("CREATE TABLE events (payload TEXT)")  # rowid table without a declared key
        conn.executemany("INSERT INTO events VALUES (?)", [(f"event {i}",) for i in range(1, 50_001)])
        conn.execute("CREATE TABLE tags (tag TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        conn.executemany("INSERT INTO tags VALUES (?, ?)", [(f"tag{i:05d}", i) for i in range(3_000)])
        conn.execute("CREATE TABLE x (id INTEGER)")
        conn.execute("INSERT INTO x VALUES (1)")
        hostile = HOSTILE_TABLE.replace('"', '""')
        columns = ", ".join('"' + c.replace('"', '""') + '" TEXT' for c in HOSTILE_COLUMNS)
        conn.execute(f'CREATE TABLE "{hostile}" ({columns})')
        marks = ", ".join("?" * len(HOSTILE_COLUMNS))
        conn.executemany(
            f'INSERT INTO "{hostile}" VALUES ({marks})', [(e, "x", "y", "z", "w", "v", "u") for e in EMAILS]
        )
    return path


def write_customers(folder: Path) -> None:
    """customers.csv, customers_events.jsonl (same data) and orders.parquet in `folder`."""
    with (folder / "customers.csv").open("w", encoding="utf-8") as handle:
        handle.write("contact,card_number,notes\n")
        for row in CUSTOMERS:
            handle.write(",".join(row) + "\n")
    with (folder / "contacts.jsonl").open("w", encoding="utf-8") as handle:
        for email, card, note in CUSTOMERS:
            handle.write(json.dumps({"contact": email, "card_number": card, "notes": note}) + "\n")
    pq.write_table(pa.table({"contact": EMAILS, "card_number": CARDS, "notes": NOTES}), folder / "orders.parquet")


@pytest.fixture(scope="session")
def files_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """customers.csv, contacts.jsonl, orders.parquet; events/ of 4 Parquet parts (one table);
    logs/ with Hive partitions of part files (one table); nested/ with two unrelated files."""
    root = tmp_path_factory.mktemp("files") / "lake"
    root.mkdir()
    write_customers(root)
    events = root / "events"
    events.mkdir()
    for part in range(4):
        ids = list(range(part * 25_000, (part + 1) * 25_000))
        table = pa.table({"id": pa.array(ids, pa.int64()), "payload": [f"event {i}" for i in ids]})
        pq.write_table(table, events / f"part-{part:04d}.parquet", row_group_size=1_000)
    (events / "_SUCCESS").write_text("")
    logs = root / "logs"
    for day in ("2024-01-01", "2024-01-02"):
        (logs / f"date={day}").mkdir(parents=True)
        with (logs / f"date={day}" / "part-0.jsonl").open("w") as handle:
            for i in range(100):
                handle.write(json.dumps({"user": EMAILS[i], "day": day}) + "\n")
    nested = root / "nested" / "deeper"
    nested.mkdir(parents=True)
    (nested / "people.csv").write_text("name,email\n" + "".join(f"p{i},{EMAILS[i]}\n" for i in range(50)))
    (nested / "cities.csv").write_text("city\nParis\nLyon\n")
    return root


# -- helpers ---------------------------------------------------------------------------------


def collect(
    connector: Connector, table: TableSchema, sampling: Sampling, batch_size: int = 1_000
) -> list[dict[str, object]]:
    """Every sampled row as a dict, checking that no batch exceeds `batch_size` rows."""
    rows: list[dict[str, object]] = []
    for batch in connector.batches(table, sampling, batch_size):
        lengths = {len(values) for values in batch.values()}
        assert len(lengths) == 1, "every column of a batch has the same length"
        (n,) = lengths
        assert 0 < n <= batch_size
        names = list(batch)
        rows.extend(dict(zip(names, values, strict=True)) for values in zip(*(batch[k] for k in names), strict=True))
    return rows


def table_named(connector: Connector, name: str) -> TableSchema:
    return next(t for t in connector.discover() if t.name == name)


def no_secret(exc: BaseException, secret: str = PASSWORD) -> str:
    """The error's message, after checking that neither it, its repr nor its traceback holds `secret`."""
    text = "".join(traceback.format_exception(exc))
    assert secret not in text and secret not in repr(exc)
    assert exc.__cause__ is None and exc.__suppress_context__
    message = str(exc)
    assert "\n" not in message
    return message
