"""Orchestration benchmark: many concurrent scan jobs and watch streams against a real `scanrules serve`.

Run:  .venv/bin/python bench/orchestration.py [--jobs 1000] [--watchers 200] [--sources 50] [--tables 12]
                                              [--rows 150] [--sources-per-job 1] [--concurrency 150] [--quick]

1. Writes `--sources` SQLite files in a temporary directory, each with `--tables` small tables of about
   `--rows` rows (±1/3) of Faker data: names, emails and phone numbers next to non-sensitive columns.
2. Starts `.venv/bin/scanrules serve --port 0` in that directory: the embedded SQLite database, migrated and
   seeded on first start, which prints its admin API key and its address on stdout (its log goes to
   `server.log` there, kept with `--keep`). The server runs with its default settings, including the
   per-principal rate limit (50 calls a second, bursts of 100).
3. With the async SDK and the admin key: creates a rule set (email and phone rules) and one data source per
   file, then `--jobs` CreateScanJob calls, each job on `--sources-per-job` sources, at most `--concurrency`
   in flight. One created job in every jobs/watchers gets a WatchScanJob stream, held until its terminal
   state. RESOURCE_EXHAUSTED (the rate limit) is retried after the server's RetryInfo delay and counted
   apart; any other RPC failure counts as an error.
4. Polls ListScanJobs until every job is terminal, then reads the server's peak RSS (VmHWM in
   /proc/<pid>/status; its executor's worker processes are shown apart) and prints the table.

CreateScanJob latency is that of the attempt that succeeded (the server's answer time under load); the
latency including rate-limit waits is shown apart. units/s = units finished / (last job end_time - first
CreateScanJob sent). Exits 0 when there were no errors and every job reached a terminal state, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import os
import platform
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from faker import Faker  # noqa: E402
from scanrules.v1 import data_source_pb2, rule_pb2, rule_service_pb2, rule_set_pb2, scan_job_pb2  # noqa: E402
from scanrules.v1 import orchestration_service_pb2 as orch  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.report import print_table, section  # noqa: E402
from scanrules_client import ResourceExhaustedError, ScanRulesClient, ScanRulesError  # noqa: E402

SCANRULES = Path(sys.executable).with_name("scanrules")
EMAIL = r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i"
PHONE = r"match value ~ /^\+?[0-9][0-9 ().\-x]{6,24}$/"
State = scan_job_pb2.ScanJob.State
TERMINAL = {State.STATE_SUCCEEDED, State.STATE_FAILED, State.STATE_CANCELLED, State.STATE_PARTIALLY_SUCCEEDED}
EventType = orch.WatchScanJobResponse.EventType
QUICK = {"jobs": 40, "watchers": 10, "sources": 8, "tables": 10, "rows": 100}
DEFAULTS = {"jobs": 1000, "watchers": 200, "sources": 50, "tables": 12, "rows": 150}
T = TypeVar("T")


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


# ------------------------------------------------------------------ data


def make_sources(directory: Path, sources: int, tables: int, rows: int, seed: int) -> list[Path]:
    """`sources` SQLite files of `tables` tables each; values drawn from seeded Faker pools (fast, repeatable)."""
    fake = Faker()
    Faker.seed(seed)
    rng = random.Random(seed)
    names = [fake.name() for _ in range(2000)]
    emails = [fake.unique.email() for _ in range(2000)]
    phones = [fake.phone_number() for _ in range(2000)]
    cities = [fake.city() for _ in range(300)]
    words = [fake.sentence(nb_words=6) for _ in range(500)]
    kinds = ("customers", "contacts", "orders", "events", "employees", "products")
    paths: list[Path] = []
    for s in range(sources):
        path = directory / f"source_{s:03d}.db"
        with sqlite3.connect(path) as db:
            for t in range(tables):
                kind = kinds[(s + t) % len(kinds)]
                n = rng.randint(max(1, rows * 2 // 3), max(1, rows * 4 // 3))
                table = f"{kind}_{t:02d}"
                if kind in ("customers", "employees"):
                    db.execute(
                        f"CREATE TABLE {table} "
                        "(id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, phone TEXT, city TEXT)"
                    )
                    data = [
                        (rng.choice(names), rng.choice(emails), rng.choice(phones), rng.choice(cities))
                        for _ in range(n)
                    ]
                    db.executemany(f"INSERT INTO {table} (full_name, email, phone, city) VALUES (?, ?, ?, ?)", data)
                elif kind == "contacts":
                    db.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, mobile TEXT, note TEXT)")
                    data2 = [(rng.choice(names), rng.choice(phones), rng.choice(words)) for _ in range(n)]
                    db.executemany(f"INSERT INTO {table} (name, mobile, note) VALUES (?, ?, ?)", data2)
                elif kind == "orders":
                    db.execute(
                        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, buyer_email TEXT, amount REAL, status TEXT)"
                    )
                    data3 = [
                        (rng.choice(emails), round(rng.uniform(1, 500), 2), rng.choice(("new", "paid", "sent")))
                        for _ in range(n)
                    ]
                    db.executemany(f"INSERT INTO {table} (buyer_email, amount, status) VALUES (?, ?, ?)", data3)
                else:  # no personal data
                    db.execute(
                        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, label TEXT, quantity INTEGER, body TEXT)"
                    )
                    data4 = [(f"item-{rng.randint(1, 9999)}", rng.randint(0, 100), rng.choice(words)) for _ in range(n)]
                    db.executemany(f"INSERT INTO {table} (label, quantity, body) VALUES (?, ?, ?)", data4)
        paths.append(path)
    return paths


# ------------------------------------------------------------------ server


@dataclass
class Server:
    proc: subprocess.Popen[str]
    target: str
    token: str
    log: Path


def start_server(workdir: Path, log_level: str, database_url: str = "") -> Server:
    """`scanrules serve` on the embedded SQLite default in `workdir` (as tests/integration/test_scan_jobs.py),
    or on `database_url` (an empty database: migrated here, as an operator would)."""
    log = workdir / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "SCANRULES_DATABASE_URL"}
    args = [str(SCANRULES), "serve", "--port", "0", "--log-level", log_level]
    if database_url:
        env["SCANRULES_DATABASE_URL"] = database_url
        subprocess.run([str(SCANRULES), "migrate"], env=env, check=True, capture_output=True, timeout=300)
        key = workdir / "scanrules.key"
        key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))  # a Fernet key, as `serve` makes for SQLite
        key.chmod(0o600)
        args += ["--secret-key-file", str(key)]
    with log.open("a") as stderr:  # the child keeps its own descriptor
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=workdir, env=env)
    assert proc.stdout is not None
    token = ""
    while True:
        line = proc.stdout.readline().strip()
        if not line:
            proc.wait(timeout=30)
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        if line.startswith("admin api key: "):
            token = line.removeprefix("admin api key: ")
        if line.startswith("listening on "):
            return Server(proc, line.removeprefix("listening on "), token, log)


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=30)
    if server.proc.stdout is not None:
        server.proc.stdout.close()


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return children


@dataclass
class Memory:
    server_hwm_kb: int = 0
    server_rss_kb: int = 0
    worker_hwm_kb: list[int] = field(default_factory=list)


def read_memory(pid: int) -> Memory:
    return Memory(
        server_hwm_kb=_status_kb(pid, "VmHWM"),
        server_rss_kb=_status_kb(pid, "VmRSS"),
        worker_hwm_kb=[_status_kb(c, "VmHWM") for c in _children(pid)],
    )


# ------------------------------------------------------------------ load


@dataclass
class Stats:
    create_latency: list[float] = field(default_factory=list)  # the successful attempt
    create_total: list[float] = field(default_factory=list)  # including rate-limit waits
    rate_limited: Counter[str] = field(default_factory=Counter)  # RESOURCE_EXHAUSTED by RPC
    errors: list[str] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    watch_streams: int = 0
    watch_ended_terminal: int = 0
    watch_open: int = 0
    watch_peak: int = 0
    first_create: float = 0.0  # time.time()
    creates_done: float = 0.0
    jobs: list[str] = field(default_factory=list)
    units_planned: int = 0


async def rate_limited(stats: Stats, rpc: str, call: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    """`call()`, retried after RESOURCE_EXHAUSTED per the server's RetryInfo; (result, latency of the last attempt)."""
    while True:
        started = time.perf_counter()
        try:
            result = await call()
            return result, time.perf_counter() - started
        except ResourceExhaustedError as exc:
            stats.rate_limited[rpc] += 1
            delay = exc.retry_delay.total_seconds() if exc.retry_delay is not None else 0.1
            await asyncio.sleep(delay + random.uniform(0, 0.05))


async def watch(client: ScanRulesClient, stats: Stats, name: str) -> None:
    request = orch.WatchScanJobRequest(name=name)
    last: scan_job_pb2.ScanJob | None = None
    stats.watch_streams += 1
    stats.watch_open += 1
    stats.watch_peak = max(stats.watch_peak, stats.watch_open)
    try:
        while last is None:  # a stream rejected by the rate limit is retried before its first message
            try:
                async with client.orchestration.watch_scan_job(request) as stream:
                    async for event in stream:
                        stats.events[EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")] += 1
                        last = event.scan_job
            except ResourceExhaustedError as exc:
                if last is not None:
                    raise
                stats.rate_limited["WatchScanJob"] += 1
                delay = exc.retry_delay.total_seconds() if exc.retry_delay is not None else 0.1
                await asyncio.sleep(delay + random.uniform(0, 0.05))
                continue
            if last is None:
                stats.errors.append(f"WatchScanJob {name}: stream ended without a message")
                return
        if last.state in TERMINAL:
            stats.watch_ended_terminal += 1
        else:
            stats.errors.append(f"WatchScanJob {name}: stream ended in {State.Name(last.state)}")
    except ScanRulesError as exc:
        stats.errors.append(f"WatchScanJob {name}: {exc.code.name}: {exc.message}")
    finally:
        stats.watch_open -= 1


async def run_load(
    server: Server, paths: list[Path], args: argparse.Namespace, stats: Stats
) -> list[scan_job_pb2.ScanJob]:
    async with ScanRulesClient.connect(server.target, token=server.token, timeout=args.rpc_timeout) as client:
        names = []
        for i, (expression, classification) in enumerate(((EMAIL, "EMAIL_ADDRESS"), (PHONE, "PHONE_NUMBER"))):
            rule = rule_pb2.Rule(expression=expression, classification=classification, display_name=classification)
            request = rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=f"bench-rule-{i}")
            reply, _ = await rate_limited(stats, "CreateRule", functools.partial(client.rules.create_rule, request))
            names.append(reply.rule.name)
        rs_request = rule_service_pb2.CreateRuleSetRequest(
            rule_set=rule_set_pb2.RuleSet(display_name="bench", rules=names, include_builtin=args.builtin),
            rule_set_id="bench",
        )
        rule_set = (await rate_limited(stats, "CreateRuleSet", lambda: client.rules.create_rule_set(rs_request)))[
            0
        ].rule_set

        async def create_source(i: int, path: Path) -> str:
            request = orch.CreateDataSourceRequest(
                data_source=data_source_pb2.DataSource(uri=str(path)), data_source_id=f"bench-src-{i:03d}"
            )
            reply, _ = await rate_limited(
                stats, "CreateDataSource", lambda: client.orchestration.create_data_source(request)
            )
            return str(reply.data_source.name)

        sources = list(await asyncio.gather(*(create_source(i, p) for i, p in enumerate(paths))))
        print(f"rule set {rule_set.name}, {len(sources)} data sources; creating {args.jobs:,} jobs", flush=True)

        semaphore = asyncio.Semaphore(args.concurrency)
        watch_every = max(1, args.jobs // max(1, args.watchers)) if args.watchers else 0
        watchers: list[asyncio.Task[None]] = []
        rng = random.Random(args.seed)
        plans = [rng.sample(sources, min(args.sources_per_job, len(sources))) for _ in range(args.jobs)]

        async def create(i: int) -> None:
            job = scan_job_pb2.ScanJob(
                rule_set=rule_set.name, data_sources=plans[i], display_name=f"bench {i}", force=not args.incremental
            )
            request = orch.CreateScanJobRequest(scan_job=job, scan_job_id=f"bench-{i:05d}")
            async with semaphore:
                started = time.perf_counter()
                try:
                    reply, latency = await rate_limited(
                        stats, "CreateScanJob", lambda: client.orchestration.create_scan_job(request)
                    )
                except ScanRulesError as exc:
                    stats.errors.append(f"CreateScanJob {request.scan_job_id}: {exc.code.name}: {exc.message}")
                    return
                stats.create_total.append(time.perf_counter() - started)
                stats.create_latency.append(latency)
            stats.jobs.append(reply.scan_job.name)
            stats.units_planned += reply.scan_job.units_total
            if watch_every and i % watch_every == 0 and len(watchers) < args.watchers:
                watchers.append(asyncio.create_task(watch(client, stats, reply.scan_job.name)))

        stats.first_create = time.time()
        await asyncio.gather(*(create(i) for i in range(args.jobs)))
        stats.creates_done = time.time()
        print(
            f"created {len(stats.jobs):,} jobs ({stats.units_planned:,} units) "
            f"in {stats.creates_done - stats.first_create:.1f}s; "
            f"{len(watchers)} watch streams",
            flush=True,
        )

        deadline = time.monotonic() + args.timeout
        jobs: list[scan_job_pb2.ScanJob] = []
        while True:
            jobs = []
            page_token = ""
            while True:
                list_request = orch.ListScanJobsRequest(page_size=1000, page_token=page_token)
                list_call = functools.partial(client.orchestration.list_scan_jobs, list_request)
                page = (await rate_limited(stats, "ListScanJobs", list_call))[0]
                jobs.extend(page.scan_jobs)
                page_token = page.next_page_token
                if not page_token:
                    break
            finished = sum(j.units_succeeded + j.units_failed for j in jobs)
            open_jobs = sum(j.state not in TERMINAL for j in jobs)
            print(
                f"  {time.time() - stats.first_create:7.1f}s  {open_jobs:>5,} jobs open  "
                f"{finished:>7,}/{stats.units_planned:,} "
                f"units  {stats.watch_open:>4} watch streams open",
                flush=True,
            )
            if open_jobs == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(args.poll)
        watch_results = await asyncio.wait_for(asyncio.gather(*watchers, return_exceptions=True), timeout=60)
        for result in watch_results:
            if isinstance(result, BaseException):
                stats.errors.append(f"WatchScanJob task: {type(result).__name__}: {result}")
        return jobs


# ------------------------------------------------------------------ main


def report(
    args: argparse.Namespace, stats: Stats, jobs: list[scan_job_pb2.ScanJob], memory: Memory, setup_s: float
) -> bool:
    ours = {name for name in stats.jobs}
    jobs = [j for j in jobs if j.name in ours]
    states = Counter(State.Name(j.state).removeprefix("STATE_") for j in jobs)
    not_terminal = [j.name for j in jobs if j.state not in TERMINAL]
    units_total = sum(j.units_total for j in jobs)
    units_finished = sum(j.units_succeeded + j.units_failed for j in jobs)
    ends = [j.end_time.ToDatetime().timestamp() for j in jobs if j.HasField("end_time")]
    wall = (max(ends) - stats.first_create) if ends else 0.0
    not_created = args.jobs - len(jobs)
    errors = len(stats.errors)
    all_terminal = not not_terminal and not_created == 0
    cl, ct = stats.create_latency, stats.create_total
    rows: list[tuple[str, str]] = [
        (
            "jobs created / planned units",
            f"{len(stats.jobs):,} / {units_total:,} units ({args.sources_per_job} source(s) a job)",
        ),
        (
            "CreateScanJob latency p50 / p95 / p99",
            f"{ms(percentile(cl, 50))} / {ms(percentile(cl, 95))} / {ms(percentile(cl, 99))}",
        ),
        ("  max / mean", f"{ms(max(cl, default=0))} / {ms(statistics.fmean(cl) if cl else 0)}"),
        (
            "  incl. rate-limit waits p50 / p95 / p99",
            f"{ms(percentile(ct, 50))} / {ms(percentile(ct, 95))} / {ms(percentile(ct, 99))}",
        ),
        (
            "all creates sent in",
            f"{stats.creates_done - stats.first_create:.1f} s ({args.concurrency} in flight at most)",
        ),
        ("wall time (first create -> last terminal)", f"{wall:.1f} s"),
        (
            "units finished / s",
            f"{units_finished:,} units / {wall:.1f} s = {units_finished / wall if wall else 0:,.1f} units/s",
        ),
        ("job states", ", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))),
        (
            "every job terminal",
            "yes" if all_terminal else f"NO: {len(not_terminal)} not terminal, {not_created} not created",
        ),
        (
            "units skipped as unchanged (incremental)",
            f"{sum(j.units_skipped for j in jobs):,}"
            + ("" if args.incremental else " (jobs are forced: none expected)"),
        ),
        ("findings", f"{sum(j.finding_count for j in jobs):,}"),
        ("errors (RPC failures other than the rate limit)", f"{errors}"),
        (
            "RESOURCE_EXHAUSTED (rate limit, retried)",
            f"{sum(stats.rate_limited.values()):,}"
            + (
                f" ({', '.join(f'{k} {v:,}' for k, v in sorted(stats.rate_limited.items()))})"
                if stats.rate_limited
                else ""
            ),
        ),
        (
            "watch streams / peak open / ended terminal",
            f"{stats.watch_streams} / {stats.watch_peak} / {stats.watch_ended_terminal}",
        ),
        (
            "watch events received",
            f"{sum(stats.events.values()):,} ({', '.join(f'{k} {v:,}' for k, v in sorted(stats.events.items()))})",
        ),
        (
            "peak server RSS (VmHWM)",
            f"{memory.server_hwm_kb / 1024:,.1f} MiB (now {memory.server_rss_kb / 1024:,.1f} MiB)",
        ),
        (
            "executor workers peak RSS (VmHWM)",
            ", ".join(f"{kb / 1024:,.1f} MiB" for kb in memory.worker_hwm_kb) or "-",
        ),
        ("setup (data files, server start, rule set, sources)", f"{setup_s:.1f} s"),
    ]
    section("Result")
    print_table(("measure", "result"), rows)
    for line in stats.errors[:20]:
        print(f"error: {line}")
    if len(stats.errors) > 20:
        print(f"... and {len(stats.errors) - 20} more errors")
    return errors == 0 and all_terminal


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, help=f"scan jobs to create (default {DEFAULTS['jobs']:,})")
    parser.add_argument("--watchers", type=int, help=f"WatchScanJob streams (default {DEFAULTS['watchers']})")
    parser.add_argument("--sources", type=int, help=f"SQLite data sources (default {DEFAULTS['sources']})")
    parser.add_argument("--tables", type=int, help=f"tables per source (default {DEFAULTS['tables']})")
    parser.add_argument("--rows", type=int, help=f"rows per table, ±1/3 (default {DEFAULTS['rows']})")
    parser.add_argument("--sources-per-job", type=int, default=1, help="data sources per job (default 1)")
    parser.add_argument("--concurrency", type=int, default=150, help="CreateScanJob calls in flight (default 150)")
    parser.add_argument("--builtin", action="store_true", help="the rule set also runs the built-in library")
    parser.add_argument(
        "--database-url",
        default="",
        help="run the server on this EMPTY database (e.g. postgresql+asyncpg://postgres@127.0.0.1/bench) instead "
        "of the embedded SQLite default; the bench migrates it",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="jobs are incremental rescans (tables unchanged since an earlier job are skipped); "
        "by default every job is forced, so every unit really scans",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: " + ", ".join(f"{k} {v}" for k, v in QUICK.items())
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up waiting for jobs after this (s)")
    parser.add_argument("--rpc-timeout", type=float, default=120.0, help="deadline of each unary call (s)")
    parser.add_argument("--poll", type=float, default=1.0, help="ListScanJobs poll interval (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, database, log)")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else DEFAULTS
    for key, value in base.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if (
        min(args.jobs, args.sources, args.tables, args.rows, args.sources_per_job, args.concurrency) < 1
        or args.watchers < 0
    ):
        parser.error("--jobs, --sources, --tables, --rows, --sources-per-job and --concurrency must be positive")

    print(
        f"scanrules orchestration benchmark — python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n"
        f"{args.jobs:,} jobs x {args.sources_per_job} source(s), {args.watchers} watchers, {args.sources} sources x "
        f"{args.tables} tables x ~{args.rows} rows, {args.concurrency} creates in flight; server database: "
        f"{make_url(args.database_url).render_as_string() if args.database_url else 'embedded SQLite'}",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="scanrules-bench-orch-"))
    server: Server | None = None
    ok = False
    try:
        setup_started = time.perf_counter()
        section("a. Data sources and server")
        data = tmp / "data"
        data.mkdir()
        paths = make_sources(data, args.sources, args.tables, args.rows, args.seed)
        print(
            f"wrote {len(paths)} SQLite files ({args.tables} tables each) in {time.perf_counter() - setup_started:.1f}s"
        )
        workdir = tmp / "server"
        workdir.mkdir()
        server = start_server(workdir, args.log_level, args.database_url)
        print(f"server pid {server.proc.pid} listening on {server.target} (log {server.log})", flush=True)
        setup_s = time.perf_counter() - setup_started
        section("b. Load")
        stats = Stats()
        jobs = asyncio.run(run_load(server, paths, args, stats))
        memory = read_memory(server.proc.pid)
        ok = report(args, stats, jobs, memory, setup_s)
        log_tail = [line for line in server.log.read_text(errors="replace").splitlines() if line.strip()]
        if log_tail:
            print(f"\nserver log: {len(log_tail)} lines at level >= {args.log_level}; last ones:")
            for line in log_tail[-10:]:
                print(f"  {line[:300]}")
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc(file=sys.stdout)
        ok = False
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
