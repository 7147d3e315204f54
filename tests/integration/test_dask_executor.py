"""The Dask executor against a real `distributed.LocalCluster` (2 worker processes, 1 thread each).

A real in-process server runs jobs on the cluster (`serve --executor dask`), and the same job on the
local process pool must find exactly the same; plus `DaskExecutor` on its own (submit, cancel, a
scheduler that goes away, one that is not there), and the configuration errors.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from scanrules.v1 import finding_pb2, rule_set_pb2, scan_job_pb2
from scanrules.v1 import orchestration_service_pb2 as orch

from scanrules_client import FailedPreconditionError, ScanRulesClient
from scanrules_server.app import connect_executors
from scanrules_server.cli import main
from scanrules_server.connectors.base import open_source
from scanrules_server.engine.compiler import RuleSpec, compile_rules
from scanrules_server.orchestration.executors import DaskExecutor, DaskExecutorError
from scanrules_server.orchestration.worker import UnitSpec, run_unit, table_to_spec
from scanrules_server.settings import Settings
from tests.dbs import KINDS
from tests.integration.conftest import admin_tokens, server_with
from tests.integration.test_scan_jobs import EMAIL, _create_job, _findings, _luhn_card, _rule_set, _source, _wait

State = scan_job_pb2.ScanJob.State
FULL = rule_set_pb2.SAMPLING_STRATEGY_FULL
UNIT_PREFIX = "scanrules-unit-"
#: The scheduler serves HTTP (health, metrics) even without a dashboard, on 8787 by default: another cluster on
#: this machine may hold that port (a warning, an error under pytest), so take any free one.
NO_HTTP_PORT = {"dashboard_address": "127.0.0.1:0"}


# ---- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT
    ) as running:
        yield running


@pytest.fixture(scope="module")
def cluster_client(cluster: LocalCluster) -> Iterator[Client]:
    """The test's own view of the cluster (the server has its own client)."""
    with Client(cluster, set_as_default=False) as client:
        client.get_task_stream()  # installs the scheduler's task stream plugin: every task is recorded from now
        yield client


@pytest.fixture(scope="module", params=KINDS)
def dask_server(
    request: pytest.FixtureRequest, cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server whose default executor is the cluster (`serve --executor dask --dask-address ...`)."""
    kind: str = request.param
    tmp = tmp_path_factory.mktemp(f"dask-server-{kind}")
    with server_with(kind, tmp, executor="dask", dask_address=cluster.scheduler_address) as target:
        yield target


def make_crm(path: Path) -> Path:
    """Several tables of synthetic personal data; `audit_log` is large enough to be partitioned."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, full_name TEXT, card TEXT)")
        db.executemany(
            "INSERT INTO customers (email, full_name, card) VALUES (?, ?, ?)",
            [(f"ann.{i}@shop{i % 5}.example", f"Ann Smith {i}", _luhn_card(5000 + i * 13)) for i in range(120)],
        )
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_email TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO orders (customer_email, amount) VALUES (?, ?)",
            [(f"ann.{i % 120}@shop{i % 5}.example" if i % 10 else None, i * 2.5) for i in range(150)],
        )
        db.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, pan TEXT, note TEXT)")
        db.executemany(
            "INSERT INTO payments (pan, note) VALUES (?, ?)",
            [(_luhn_card(9000 + i * 7), f"payment {i}") for i in range(100)],
        )
        db.execute("CREATE TABLE employees (id INTEGER PRIMARY KEY, work_mail TEXT, desk TEXT)")
        db.executemany(
            "INSERT INTO employees (work_mail, desk) VALUES (?, ?)",
            [(f"emp{i}@corp.example" if i % 4 else "n/a", f"desk-{i}") for i in range(60)],
        )
        db.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, actor TEXT, message TEXT)")
        db.executemany(
            "INSERT INTO audit_log (actor, message) VALUES (?, ?)",
            [(f"user{i % 97}@corp.example", f"changed record {i}") for i in range(600)],
        )
        db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT)")
        db.executemany("INSERT INTO products (title) VALUES (?)", [(f"widget {i}",) for i in range(50)])
    return path


def _keys(found: list[finding_pb2.Finding]) -> set[tuple[str, str, str, int, int, int]]:
    return {(f.table, f.column, f.classification, f.sampled, f.matched, f.validated) for f in found}


def _unit_tasks(client: Client) -> dict[str, str]:
    """Work unit tasks the cluster has run so far: key -> worker address."""
    return {str(t["key"]): str(t["worker"]) for t in client.get_task_stream() if str(t["key"]).startswith(UNIT_PREFIX)}


async def _run(client: ScanRulesClient, **fields: Any) -> tuple[scan_job_pb2.ScanJob, float]:
    started = time.perf_counter()
    created = await _create_job(client, **fields)
    job = await _wait(client, created.name)
    return job, time.perf_counter() - started


# ---- the server on the cluster -------------------------------------------------------------------------


async def test_dask_and_local_jobs_find_exactly_the_same(
    dask_server: str, cluster: LocalCluster, cluster_client: Client, tmp_path: Path
) -> None:
    async with ScanRulesClient.connect(dask_server, timeout=30, token=admin_tokens[dask_server]) as client:
        rs = await _rule_set(client, sampling_strategy=FULL, partition_rows=250)
        source = await _source(client, make_crm(tmp_path / "crm.db"))
        job_fields: dict[str, Any] = {"rule_set": rs.name, "data_sources": [source.name]}
        before = await asyncio.to_thread(_unit_tasks, cluster_client)

        on_dask, dask_seconds = await _run(client, executor="dask", **job_fields)
        on_local, local_seconds = await _run(client, executor="local", **job_fields)
        print(f"\n{dask_server}: dask job {dask_seconds:.2f} s, local job {local_seconds:.2f} s")

        for job, executor in ((on_dask, "dask"), (on_local, "local")):
            assert job.state == State.STATE_SUCCEEDED, f"{executor}: {job.error_message}"
            assert job.executor == executor and job.units_failed == 0
        assert on_dask.units_total == on_local.units_total == 8  # 5 tables + audit_log in 3 partitions
        dask_found, local_found = await _findings(client, on_dask.name), await _findings(client, on_local.name)
        assert _keys(dask_found) == _keys(local_found)
        assert {(table.rsplit(".", 1)[-1], column) for table, column, *_ in _keys(dask_found)} == {
            ("customers", "email"),
            ("customers", "card"),
            ("orders", "customer_email"),
            ("payments", "pan"),
            ("employees", "work_mail"),
            ("audit_log", "actor"),
        }

        # the cluster ran the Dask job's units: one task per attempt, on the cluster's workers
        ran = {k: w for k, w in (await asyncio.to_thread(_unit_tasks, cluster_client)).items() if k not in before}
        executions = (
            await client.orchestration.list_executions(orch.ListExecutionsRequest(parent=on_dask.name, page_size=100))
        ).executions
        assert len(ran) == len(executions) >= on_dask.units_total
        assert set(ran.values()) <= set(cluster.scheduler_info["workers"])

        # a job naming no executor runs on the server's default: Dask
        default, _ = await _run(client, **job_fields)
        assert default.executor == "dask" and default.state == State.STATE_SUCCEEDED
        assert _keys(await _findings(client, default.name)) == _keys(dask_found)


async def test_dask_job_on_a_server_without_dask_is_failed_precondition(
    client: ScanRulesClient, tmp_path: Path
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_crm(tmp_path / "crm.db"))
    with pytest.raises(FailedPreconditionError, match="dask"):
        await _create_job(client, rule_set=rs.name, data_sources=[source.name], executor="dask")


# ---- DaskExecutor on its own ---------------------------------------------------------------------------


def _spec(path: Path, table: str, seq: int = 1) -> UnitSpec:
    with open_source(str(path)) as connector:
        schema = next(t for t in connector.discover() if t.name == table)
    compiled = compile_rules([RuleSpec("email", "EMAIL_ADDRESS", EMAIL)])
    return UnitSpec(
        unit_seq=seq,
        uri=str(path),
        password=None,
        table=table_to_spec(schema),
        sampling={"strategy": "FULL", "rows": 0, "percent": 0.0},
        compiled_key="test-email",
        compiled=compiled.dumps(),
    )


def _scheduler_has(client: Client, key: str) -> bool:
    def has(dask_scheduler: Any) -> bool:
        return key in dask_scheduler.tasks

    return bool(client.run_on_scheduler(has))


def _eventually(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_submit_runs_the_unit_and_cancel_drops_it(
    cluster: LocalCluster, cluster_client: Client, tmp_path: Path
) -> None:
    path = make_crm(tmp_path / "unit.db")
    executor = DaskExecutor(cluster.scheduler_address)
    try:
        assert executor.workers == 2  # the cluster's threads
        spec = _spec(path, "customers")
        result = executor.submit(spec).result(timeout=60)
        expected = run_unit(spec)
        assert result["rows_read"] == expected["rows_read"] == 120
        assert [(f["column"], f["matched"]) for f in result["findings"]] == [
            (f["column"], f["matched"]) for f in expected["findings"]
        ]
        with pytest.raises(Exception, match=r"no such table|not_there"):  # the unit's own error comes back
            executor.submit(_spec_for_missing_table(spec)).result(timeout=60)

        # both worker threads busy: the next unit waits on the scheduler, where cancelling drops it
        sleepers = [cluster_client.submit(time.sleep, 2, pure=False) for _ in range(2)]
        _eventually(lambda: all(s.status == "pending" for s in sleepers) and _busy(cluster_client) == 2)
        queued = executor.submit(_spec(path, "audit_log", seq=2))
        key = queued.dask_future.key  # type: ignore[attr-defined]
        _eventually(lambda: _scheduler_has(cluster_client, key))
        assert queued.cancel() and queued.cancelled()
        _eventually(lambda: not _scheduler_has(cluster_client, key))  # forgotten by the scheduler
        cluster_client.gather(sleepers)
        time.sleep(0.3)
        assert key not in _unit_tasks(cluster_client)  # and never ran
    finally:
        executor.shutdown()


def _busy(client: Client) -> int:
    def processing(dask_scheduler: Any) -> int:
        return sum(len(ws.processing) for ws in dask_scheduler.workers.values())

    return int(client.run_on_scheduler(processing))


def _spec_for_missing_table(spec: UnitSpec) -> UnitSpec:
    return replace(spec, table={**spec.table, "name": "not_there"}, unit_seq=99)


def test_a_lost_scheduler_fails_units_with_a_retryable_error(tmp_path: Path) -> None:
    path = make_crm(tmp_path / "lost.db")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address, timeout=1)
        with Client(cluster, set_as_default=False) as other:
            blocker = other.submit(time.sleep, 3, pure=False)  # holds the only thread: the unit below waits
            _eventually(lambda: _busy(other) == 1)
            in_flight = executor.submit(_spec(path, "customers"))
            key = in_flight.dask_future.key  # type: ignore[attr-defined]
            _eventually(lambda: _scheduler_has(other, key))
            assert blocker.status == "pending"
    # the cluster is gone, with the unit still waiting there
    try:
        # not a CancelledError (the orchestrator would take it for its own cancel): a plain, retryable failure
        with pytest.raises(DaskExecutorError, match="cancelled"):
            in_flight.result(timeout=30)
        assert not in_flight.cancelled()
        _eventually(lambda: executor._client.status == "closed", timeout=30)  # gave up reconnecting
        with pytest.raises(DaskExecutorError, match="unreachable"):
            executor.submit(_spec(path, "customers"))
    finally:
        executor.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_scheduler_at_the_address_refuses_to_start() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(RuntimeError, match=f"cannot connect to the Dask scheduler at {address}: OSError"):
        DaskExecutor(address, timeout=1)
    # what create_server runs before anything listens (a RuntimeError: `scanrules serve` prints it, exits 2)
    settings = Settings(executor="dask", dask_address=address, dask_connect_timeout=1)
    with pytest.raises(RuntimeError, match=f"cannot connect to the Dask scheduler at {address}"):
        asyncio.run(connect_executors(settings))
    with pytest.raises(RuntimeError, match="needs a scheduler address"):
        asyncio.run(connect_executors(Settings(executor="dask", dask_address=None)))
    assert asyncio.run(connect_executors(Settings(executor="local"))) == {}


# ---- configuration -------------------------------------------------------------------------------------


def test_serve_executor_dask_without_an_address_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SCANRULES_DASK_ADDRESS", raising=False)
    assert main(["serve", "--executor", "dask"]) == 2
    assert "--executor dask needs --dask-address" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--executor", "spark"])
    assert exited.value.code == 2
