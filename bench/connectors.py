"""Connector benchmark: what each sampling strategy costs on a large PostgreSQL table.

Run:  .venv/bin/python bench/connectors.py [--rows 10000000] [--sample 10000] [--percent 0.1] [--quick]
                                           [--batch-size 65536] [--seed 7] [--admin-url URL] [--logged]

1. Creates a throwaway database `scanrules_bench_<random>` on the server at `--admin-url`
   (default `$SCANRULES_TEST_PG_ADMIN_URL`, else postgresql://postgres@127.0.0.1:5432/postgres;
   the role must be allowed to CREATE DATABASE). It is dropped at the end, also after an error,
   Ctrl-C or SIGTERM.
2. Loads `public.people` (id bigint primary key, email, full_name, phone, card_number, notes of
   ~60 characters, created_at) with `INSERT ... SELECT ... FROM generate_series(...)`, in chunks of
   500,000 rows on one connection per CPU; the values are derived from seeded hashes of the row
   number, so every run loads the same table. The table is UNLOGGED by default (the load writes no
   WAL; reads are the same heap, pages and buffer manager as a logged table), `--logged` makes it
   an ordinary table. Then the primary key, and `VACUUM (ANALYZE)` (planner statistics and
   `reltuples` for RANDOM, hint bits and the visibility map as on a table at rest).
3. Measures, each in a fresh subprocess that does exactly what a scan does —
   `open_source(url)`, `discover()`, then `batches(table, Sampling(...), 65,536)` consuming every
   batch: a baseline that only connects and discovers, then FULL, RANDOM n rows, HEAD n rows and
   PERCENT p %. For each: the read time (the batches loop; connect + discover is shown apart), the
   rows returned, the tuples the server read (`pg_stat_user_tables` seq_tup_read + idx_tup_fetch
   deltas), the heap pages it touched (`pg_statio_user_tables` heap_blks_hit + heap_blks_read),
   and the peak RSS of the subprocess (VmHWM from /proc/self/status at its end).
4. Prints the table, the SQL the connector generated for each strategy, and the ratio RANDOM/FULL
   read time against the target < 5 %.

The script is a report: it exits 0 whatever the numbers (1 if a step failed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import print_table, section, verdict  # noqa: E402
from scanrules_server.connectors import Sampling, TableSchema, open_source  # noqa: E402

ADMIN_URL_ENV = "SCANRULES_TEST_PG_ADMIN_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_PREFIX = "scanrules_bench_"
TABLE = "people"
DEFAULT_ROWS = 10_000_000
QUICK_ROWS = 1_000_000
LOAD_CHUNK = 500_000
BATCH_SIZE = 65_536  # what `scanrules scan` passes (scanrules_server/cli.py)
TARGET_RANDOM_OVER_FULL = 0.05
#: (label, strategy) in the order measured; OPEN connects and discovers without reading rows.
MEASUREMENTS = (("connect + discover", "OPEN"), ("FULL", "FULL"), ("RANDOM", "RANDOM"), ("HEAD", "HEAD"))

# ------------------------------------------------------------------ printing


# ------------------------------------------------------------------ database


def admin_url() -> str:
    return os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)


def libpq_params(url_text: str, database: str | None = None) -> dict[str, Any]:
    url = make_url(url_text)
    params: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "dbname": database or url.database or "postgres",
        "connect_timeout": 10,
        "application_name": "scanrules-bench",
    }
    if url.password:
        params["password"] = url.password
    return params


def database_url(admin: str, database: str) -> str:
    """The connector's URL for `database` (the admin role; the connector itself reads read-only)."""
    return make_url(admin).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


def create_database(admin: str) -> str:
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**libpq_params(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(admin: str, name: str) -> None:
    if not name.startswith(DATABASE_PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a benchmark database")
    with psycopg.connect(**libpq_params(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(admin: str) -> Iterator[str]:
    """A fresh database for the block, dropped afterwards (also on Ctrl-C and SIGTERM)."""

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    name = create_database(admin)
    try:
        yield name
    finally:
        # A second Ctrl-C while dropping would leave the database behind: ignore it until dropped.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            drop_database(admin, name)
            print(f"dropped database {name}")
        except Exception as exc:
            print(f"!! could not drop database {name}: {exc} (drop it by hand)", file=sys.stderr)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)


# ------------------------------------------------------------------ loading


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra "
    "Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol "
    "Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon "
    "Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper"
)
DOMAINS = ("example.com", "mail.example.org", "corp.example.net", "inbox.test", "post.example.co.uk", "webmail.test")
NOTE_OPENERS = (
    "Customer called about",
    "Left a voicemail regarding",
    "Follow up by email on",
    "Refund requested for",
    "Asked to change the address of",
    "Complained about late delivery of",
    "Confirmed payment for",
    "Wants an invoice copy for",
)
NOTE_CLOSERS = (
    "resolved",
    "escalated to tier 2",
    "waiting on the courier",
    "call back on Monday",
    "no action needed",
    "sent the label",
    "credit issued",
    "closed by agent",
)


def _text_array(values: Sequence[str]) -> sql.Composable:
    return sql.SQL("ARRAY[{}]::text[]").format(sql.SQL(", ").join(sql.Literal(v) for v in values))


def _pick(array: Sequence[str], hashed: str) -> sql.Composable:
    """`array[1 + hashed %% len]`, `hashed` a non-negative bigint expression."""
    return sql.SQL("({})[1 + ({} %% {})::int]").format(_text_array(array), sql.SQL(hashed), sql.Literal(len(array)))


def insert_chunk_sql() -> sql.Composed:
    """One chunk of rows `%(lo)s..%(hi)s`: every value a function of seeded hashes of the row number."""
    return sql.SQL(
        """
        INSERT INTO {table} (id, email, full_name, phone, card_number, notes, created_at)
        SELECT i,
               lower(fn) || {sep} || lower(ln) || (h2 %% 1000)::text || '@' || {domain},
               fn || ' ' || ln,
               '+1 ' || (200 + h1 %% 800)::text || '-' || lpad((h2 %% 1000)::text, 3, '0') || '-'
                   || lpad((h3 %% 10000)::text, 4, '0'),
               (ARRAY['4', '5', '37', '6011'])[1 + (h4 %% 4)::int]
                   || lpad((h4 %% 1000000000000000)::text, 15, '0'),
               {opener} || ' order #' || lpad((h2 %% 10000000)::text, 7, '0') || '; ' || {closer} || '.',
               timestamp '2015-01-01' + (h3 %% 315360000) * interval '1 second'
        FROM (
            SELECT i,
                   hashint8extended(i, 1) & 9223372036854775807 AS h1,
                   hashint8extended(i, 2) & 9223372036854775807 AS h2,
                   hashint8extended(i, 3) & 9223372036854775807 AS h3,
                   hashint8extended(i, 4) & 9223372036854775807 AS h4
            FROM generate_series(%(lo)s::int8, %(hi)s::int8) AS i
        ) AS g
        CROSS JOIN LATERAL (SELECT {first} AS fn, {last} AS ln) AS names
        """
    ).format(
        table=sql.Identifier(TABLE),
        sep=_pick((".", "_", ""), "h1 / 7"),
        domain=_pick(DOMAINS, "h3 / 11"),
        opener=_pick(NOTE_OPENERS, "h4 / 13"),
        closer=_pick(NOTE_CLOSERS, "h1 / 17"),
        first=_pick(FIRST_NAMES, "h1"),
        last=_pick(LAST_NAMES, "h2 / 3"),
    )


def load_people(url: str, rows: int, logged: bool) -> dict[str, float]:
    """Create and fill `people`; the seconds of each phase."""
    params = libpq_params(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE {}TABLE {} (id bigint NOT NULL, email text, full_name text, phone text, "
                "card_number text, notes text, created_at timestamp)"
            ).format(sql.SQL("" if logged else "UNLOGGED "), sql.Identifier(TABLE))
        )
    query = insert_chunk_sql()
    chunks = [(lo, min(rows, lo + LOAD_CHUNK - 1)) for lo in range(1, rows + 1, LOAD_CHUNK)]
    workers = max(1, min(os.cpu_count() or 1, len(chunks)))
    done = 0

    def insert(chunk: tuple[int, int]) -> int:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute(query, {"lo": chunk[0], "hi": chunk[1]})
        return chunk[1] - chunk[0] + 1

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for inserted in pool.map(insert, chunks):
            done += inserted
            elapsed = time.perf_counter() - started
            rate = done / elapsed
            print(f"  inserted {done:>12,} / {rows:,} rows  {elapsed:7.1f}s  ({rate:,.0f} rows/s)", flush=True)
    finally:
        # On Ctrl-C, queue no more chunks; the running ones end when the database is dropped (WITH FORCE).
        pool.shutdown(wait=False, cancel_futures=True)
    timings["insert"] = time.perf_counter() - started
    with psycopg.connect(**params, autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(sql.Identifier(TABLE)))
        timings["primary key"] = time.perf_counter() - t
        print(f"  primary key built in {timings['primary key']:.1f}s", flush=True)
        t = time.perf_counter()
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(TABLE)))
        timings["vacuum analyze"] = time.perf_counter() - t
        print(f"  VACUUM (ANALYZE) in {timings['vacuum analyze']:.1f}s", flush=True)
    timings["total"] = time.perf_counter() - started
    return timings


@dataclass(frozen=True)
class TableFacts:
    reltuples: float
    pages: int
    heap_bytes: int
    total_bytes: int
    avg_chars: dict[str, float]


def table_facts(url: str) -> TableFacts:
    with psycopg.connect(**libpq_params(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT c.reltuples::float8, pg_relation_size(c.oid) / current_setting('block_size')::int8, "
            "pg_relation_size(c.oid), pg_total_relation_size(c.oid) FROM pg_class c WHERE c.oid = %s::regclass",
            (TABLE,),
        ).fetchone()
        assert row is not None
        text_columns = ("email", "full_name", "phone", "card_number", "notes")
        lengths = conn.execute(
            sql.SQL("SELECT {} FROM (SELECT * FROM {} LIMIT 100000) AS head").format(
                sql.SQL(", ").join(sql.SQL("avg(length({}))::float8").format(sql.Identifier(c)) for c in text_columns),
                sql.Identifier(TABLE),
            )
        ).fetchone()
        assert lengths is not None
    avg = {name: float(value or 0) for name, value in zip(text_columns, lengths, strict=True)}
    return TableFacts(float(row[0]), int(row[1]), int(row[2]), int(row[3]), avg)


# ------------------------------------------------------------------ server counters


@dataclass(frozen=True)
class Counters:
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    idx_tup_fetch: int
    heap_blks: int

    def minus(self, other: Counters) -> Counters:
        return Counters(
            self.seq_scan - other.seq_scan,
            self.seq_tup_read - other.seq_tup_read,
            self.idx_scan - other.idx_scan,
            self.idx_tup_fetch - other.idx_tup_fetch,
            self.heap_blks - other.heap_blks,
        )

    @property
    def tuples(self) -> int:
        return self.seq_tup_read + self.idx_tup_fetch


_COUNTERS = """
SELECT coalesce(s.seq_scan, 0), coalesce(s.seq_tup_read, 0), coalesce(s.idx_scan, 0),
       coalesce(s.idx_tup_fetch, 0), coalesce(io.heap_blks_read, 0) + coalesce(io.heap_blks_hit, 0)
FROM pg_stat_user_tables s JOIN pg_statio_user_tables io USING (relid)
WHERE s.schemaname = 'public' AND s.relname = %s
"""


def read_counters(conn: psycopg.Connection[Any]) -> Counters:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(_COUNTERS, (TABLE,)).fetchone()
    assert row is not None
    return Counters(*(int(v) for v in row))


def settled_counters(conn: psycopg.Connection[Any], database: str, timeout_s: float = 10.0) -> Counters:
    """The counters once the connector's backend has exited (it flushes its statistics on exit)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        left = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'scanrules'",
            (database,),
        ).fetchone()
        if left is not None and left[0] == 0:
            break
        time.sleep(0.05)
    previous = read_counters(conn)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        current = read_counters(conn)
        if current == previous:
            return current
        previous = current
    return previous


# ------------------------------------------------------------------ measuring


def sampling_for(strategy: str, args: argparse.Namespace) -> Sampling:
    if strategy == "PERCENT":
        return Sampling("PERCENT", rows=0, percent=args.percent, seed=args.seed)
    if strategy == "FULL":
        return Sampling("FULL", rows=0, seed=args.seed)
    return Sampling(strategy, rows=args.sample, seed=args.seed)  # type: ignore[arg-type]


def peak_rss_kb() -> int:
    """VmHWM (peak resident set) of this process, in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_child(args: argparse.Namespace) -> int:
    """One measurement, in its own process: print one JSON line."""
    strategy: str = args.child
    started = time.perf_counter()
    with open_source(args.url) as source:
        table: TableSchema = next(t for t in source.discover() if t.qualified == f"public.{TABLE}")
        opened = time.perf_counter()
        rows = batches = chars = 0
        generated = ""
        if strategy != "OPEN":
            sampling = sampling_for(strategy, args)
            for batch in source.batches(table, sampling, args.batch_size):
                batches += 1
                columns = list(batch.values())
                rows += len(columns[0])
                # Touch every value, as the engine does (it reads each as text).
                chars += sum(len(v) for column in columns for v in column if isinstance(v, str))
            read = time.perf_counter() - opened
            # The SQL the connector ran (a private helper: it only plans, it reads no rows of the table).
            query_of = getattr(source, "_query", None)
            transaction = getattr(source, "read_transaction", None)
            if query_of is not None and transaction is not None:
                with transaction() as conn:
                    generated = query_of(conn, table, sampling).as_string(conn)
        else:
            read = 0.0
    print(
        json.dumps(
            {
                "open_s": opened - started,
                "read_s": read,
                "rows": rows,
                "batches": batches,
                "chars": chars,
                "peak_rss_kb": peak_rss_kb(),
                "sql": generated,
            }
        ),
        flush=True,
    )
    return 0


@dataclass(frozen=True)
class Measurement:
    label: str
    strategy: str
    open_s: float
    read_s: float
    rows: int
    batches: int
    peak_rss_mb: float
    server: Counters
    sql: str


def measure(label: str, strategy: str, args: argparse.Namespace, url: str, database: str) -> Measurement:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        strategy,
        "--url",
        url,
        "--sample",
        str(args.sample),
        "--percent",
        str(args.percent),
        "--seed",
        str(args.seed),
        "--batch-size",
        str(args.batch_size),
    ]
    with psycopg.connect(**libpq_params(url), autocommit=True) as conn:
        before = read_counters(conn)
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{label}: the measuring subprocess exited {proc.returncode}:\n{proc.stderr[-3000:]}")
        after = settled_counters(conn, database)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return Measurement(
        label,
        strategy,
        float(result["open_s"]),
        float(result["read_s"]),
        int(result["rows"]),
        int(result["batches"]),
        int(result["peak_rss_kb"]) / 1024,
        after.minus(before),
        str(result["sql"]),
    )


# ------------------------------------------------------------------ report


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def report(results: list[Measurement], facts: TableFacts, args: argparse.Namespace) -> dict[str, float]:
    section(f"b. Reading {TABLE} through the connector — one fresh subprocess per row, batches of {args.batch_size:,}")
    rows_out = []
    full = next((m for m in results if m.strategy == "FULL"), None)
    for m in results:
        rows_out.append(
            (
                m.label,
                f"{m.read_s:.3f}" if m.strategy != "OPEN" else "-",
                f"{m.rows:,}",
                f"{m.rows / m.read_s:,.0f}" if m.read_s else "-",
                f"{m.server.tuples:,}",
                f"{m.server.heap_blks:,}",
                _pct(m.server.heap_blks, facts.pages) if m.strategy != "OPEN" else "-",
                _pct(m.read_s, full.read_s) if full and m.strategy != "OPEN" else "-",
                f"{m.peak_rss_mb:.0f}",
                f"{m.open_s:.2f}",
            )
        )
    print_table(
        (
            "measurement",
            "read s",
            "rows returned",
            "rows/s",
            "server tuples read",
            "heap pages",
            "of table pages",
            "time vs FULL",
            "peak RSS MB",
            "connect+discover s",
        ),
        rows_out,
    )
    print(
        "server tuples read = pg_stat_user_tables seq_tup_read + idx_tup_fetch; heap pages = pg_statio_user_tables "
        f"heap_blks_hit + heap_blks_read (table: {facts.pages:,} pages, {facts.heap_bytes / 2**20:,.0f} MiB)"
    )
    print("\nSQL generated by the connector (run through a server-side cursor, FETCH per batch):")
    width = max((len(m.label) for m in results if m.sql), default=0)
    for m in results:
        if m.sql:
            print(f"  {m.label:<{width}}  {m.sql}")
    out: dict[str, float] = {}
    random_ = next((m for m in results if m.strategy == "RANDOM"), None)
    if full and random_ and full.read_s > 0:
        ratio = random_.read_s / full.read_s
        out = {"ratio": ratio, "random_s": random_.read_s, "full_s": full.read_s}
        print()
        print(
            f"ratio RANDOM/FULL read time: {100 * ratio:.2f}%   target < {100 * TARGET_RANDOM_OVER_FULL:.0f}%   "
            f"{verdict(ratio < TARGET_RANDOM_OVER_FULL)}"
        )
    return out


# ---------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=None, help=f"rows in {TABLE} (default {DEFAULT_ROWS:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (unless --rows)")
    parser.add_argument("--sample", type=int, default=10_000, help="rows for RANDOM and HEAD (default 10,000)")
    parser.add_argument("--percent", type=float, default=0.1, help="percent for PERCENT (default 0.1)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"default {BATCH_SIZE:,}, as a scan")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--admin-url", default=admin_url(), help=f"a role that may CREATE DATABASE (${ADMIN_URL_ENV})")
    parser.add_argument("--logged", action="store_true", help="an ordinary (WAL-logged) table instead of UNLOGGED")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)
    rows: int = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    if rows <= 0 or args.sample <= 0 or not 0 < args.percent <= 100 or args.batch_size <= 0:
        parser.error("--rows, --sample and --batch-size must be positive and --percent in (0, 100]")

    admin = args.admin_url
    with psycopg.connect(**libpq_params(admin), autocommit=True) as conn:
        server = conn.execute("SHOW server_version").fetchone()
        buffers = conn.execute("SHOW shared_buffers").fetchone()
    print(
        f"scanrules connector benchmark — python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"PostgreSQL {server[0] if server else '?'} (shared_buffers {buffers[0] if buffers else '?'}), "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    measurements = [*MEASUREMENTS, (f"PERCENT {args.percent:g} %", "PERCENT")]
    failed = False
    summary: dict[str, float] = {}
    results: list[Measurement] = []
    load: dict[str, float] = {}
    facts: TableFacts | None = None
    try:
        with throwaway_database(admin) as database:
            url = database_url(admin, database)
            section(
                f"a. Loading {rows:,} rows into {'a' if args.logged else 'an UNLOGGED'} table {TABLE} "
                f"(database {database})"
            )
            load = load_people(url, rows, args.logged)
            facts = table_facts(url)
            print(
                f"loaded in {load['total']:.1f}s (insert {load['insert']:.1f}s, "
                f"primary key {load['primary key']:.1f}s, "
                f"VACUUM ANALYZE {load['vacuum analyze']:.1f}s); reltuples {facts.reltuples:,.0f}, "
                f"{facts.pages:,} pages, heap {facts.heap_bytes / 2**20:,.0f} MiB, "
                f"with index {facts.total_bytes / 2**20:,.0f} MiB"
            )
            print(
                "average characters per value: "
                + ", ".join(f"{name} {width:.0f}" for name, width in sorted(facts.avg_chars.items()))
            )
            for label, strategy in measurements:
                m = measure(label, strategy, args, url, database)
                results.append(m)
                print(
                    f"  {label:<20} {m.read_s:8.3f}s  {m.rows:>12,} rows  {m.server.tuples:>12,} server tuples  "
                    f"peak RSS {m.peak_rss_mb:.0f} MB",
                    flush=True,
                )
            summary = report(results, facts, args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception:
        failed = True
        traceback.print_exc(file=sys.stdout)

    section("Summary")
    by = {m.strategy: m for m in results}
    out_rows: list[tuple[str, str, str, str]] = []
    if load:
        rate = rows / load["total"]
        out_rows.append(("load", f"{rows:,} rows in {load['total']:.1f}s ({rate:,.0f} rows/s)", "-", "-"))
    if summary:
        out_rows.append(
            (
                "RANDOM / FULL read time",
                f"{100 * summary['ratio']:.2f}% ({summary['random_s']:.3f}s vs {summary['full_s']:.2f}s)",
                f"< {100 * TARGET_RANDOM_OVER_FULL:.0f}%",
                verdict(summary["ratio"] < TARGET_RANDOM_OVER_FULL),
            )
        )
    else:
        out_rows.append(("RANDOM / FULL read time", "-", f"< {100 * TARGET_RANDOM_OVER_FULL:.0f}%", "n/a"))
    if "RANDOM" in by and "FULL" in by and by["FULL"].server.tuples:
        r, f = by["RANDOM"], by["FULL"]
        out_rows.append(
            (
                "RANDOM / FULL server tuples",
                f"{_pct(r.server.tuples, f.server.tuples)} ({r.server.tuples:,} of {f.server.tuples:,})",
                "-",
                "-",
            )
        )
    if "RANDOM" in by:
        r = by["RANDOM"]
        out_rows.append(("RANDOM rows returned", f"{r.rows:,}", f"{args.sample:,}", verdict(r.rows == args.sample)))
    if "OPEN" in by and "FULL" in by:
        o, f = by["OPEN"], by["FULL"]
        out_rows.append(
            (
                "peak RSS FULL",
                f"{f.peak_rss_mb:.0f} MB (baseline {o.peak_rss_mb:.0f} MB, +{f.peak_rss_mb - o.peak_rss_mb:.0f} MB)",
                "-",
                "-",
            )
        )
    print_table(("measure", "result", "target", "verdict"), out_rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
