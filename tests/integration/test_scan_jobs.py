"""Scan jobs through the SDK against the real in-process server (SQLite and PostgreSQL metadata stores)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from google.protobuf import duration_pb2
from scanrules.v1 import (
    data_source_pb2,
    finding_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
    scan_job_pb2,
)
from scanrules.v1 import orchestration_service_pb2 as orch

from scanrules_client import FailedPreconditionError, InvalidArgumentError, NotFoundError, ScanRulesClient
from scanrules_server.secretbox import load_key
from tests.dbs import KINDS, acreate_postgres_database, adrop_postgres_database

EMAIL = r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i"
CARD = r'match value ~ /^4\d{3}(?:[ \-]?\d{4}){3}$/ and valid("luhn")'
State = scan_job_pb2.ScanJob.State
TERMINAL = {State.STATE_SUCCEEDED, State.STATE_FAILED, State.STATE_CANCELLED, State.STATE_PARTIALLY_SUCCEEDED}


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _luhn_card(seed: int) -> str:
    digits = [4] + [int(d) for d in f"{seed:014d}"]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit goes after these 15
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def make_shop(path: Path, extra_tables: int = 0) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, contact TEXT, nickname TEXT)")
        db.executemany(
            "INSERT INTO customers (contact, nickname) VALUES (?, ?)",
            [(f"user{i}@example{i % 7}.com", f"nick{i}") for i in range(80)],
        )
        db.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, pan TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO payments (pan, amount) VALUES (?, ?)", [(_luhn_card(1000 + i * 7), i * 1.5) for i in range(80)]
        )
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO notes (body) VALUES (?)", [(f"note number {i}",) for i in range(40)])
        for t in range(extra_tables):
            db.execute(f"CREATE TABLE extra_{t} (id INTEGER PRIMARY KEY, mail TEXT)")
            db.executemany(f"INSERT INTO extra_{t} (mail) VALUES (?)", [(f"p{i}@corp{t}.org",) for i in range(30)])
    return path


async def _rule_set(client: ScanRulesClient, **policy: object) -> rule_set_pb2.RuleSet:
    names = []
    for expression, classification in ((EMAIL, "EMAIL_ADDRESS"), (CARD, "CREDIT_CARD_NUMBER")):
        rule = rule_pb2.Rule(expression=expression, classification=classification, display_name=classification)
        created = await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=_id("r")))
        names.append(created.rule.name)
    rule_set = rule_set_pb2.RuleSet(display_name="PII", rules=names, policy=rule_set_pb2.ScanPolicy(**policy))
    reply = await client.rules.create_rule_set(
        rule_service_pb2.CreateRuleSetRequest(rule_set=rule_set, rule_set_id=_id("rs"))
    )
    return reply.rule_set


async def _source(client: ScanRulesClient, path: Path) -> data_source_pb2.DataSource:
    reply = await client.orchestration.create_data_source(
        orch.CreateDataSourceRequest(data_source=data_source_pb2.DataSource(uri=str(path)), data_source_id=_id("ds"))
    )
    return reply.data_source


async def _create_job(client: ScanRulesClient, **fields: object) -> scan_job_pb2.ScanJob:
    request_id = fields.pop("request_id", "")
    job = scan_job_pb2.ScanJob(**fields)  # type: ignore[arg-type]
    reply = await client.orchestration.create_scan_job(
        orch.CreateScanJobRequest(scan_job=job, request_id=str(request_id))
    )
    return reply.scan_job


async def _wait(client: ScanRulesClient, name: str, timeout: float = 120) -> scan_job_pb2.ScanJob:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        job = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=name))).scan_job
        if job.state in TERMINAL:
            return job
        assert asyncio.get_running_loop().time() < deadline, f"{name} still {State.Name(job.state)}"
        await asyncio.sleep(0.2)


async def _findings(client: ScanRulesClient, job: str, filter: str = "") -> list[finding_pb2.Finding]:
    reply = await client.orchestration.list_findings(orch.ListFindingsRequest(parent=job, filter=filter, page_size=500))
    return list(reply.findings)


async def test_job_finds_emails_and_cards(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "shop.db"))
    request_id = str(uuid.uuid4())
    created = await _create_job(client, rule_set=rs.name, data_sources=[source.name], priority=7, request_id=request_id)
    assert created.rule_set == f"{rs.name}@1" and created.units_total == 3 and created.priority == 7
    assert created.state in (State.STATE_PENDING, State.STATE_RUNNING)
    again = await _create_job(client, rule_set=rs.name, data_sources=[source.name], request_id=request_id)
    assert again.name == created.name  # idempotent on request_id

    job = await _wait(client, created.name)
    assert job.state == State.STATE_SUCCEEDED, job.error_message
    assert (job.units_succeeded, job.units_failed, job.progress_percent) == (3, 0, 100.0)
    assert job.finding_count == 2 and job.rows_scanned == 200
    assert job.HasField("start_time") and job.end_time.ToDatetime() >= job.create_time.ToDatetime()

    found = await _findings(client, job.name)
    assert {(f.table.rsplit(".", 1)[-1], f.column, f.classification) for f in found} == {
        ("customers", "contact", "EMAIL_ADDRESS"),
        ("payments", "pan", "CREDIT_CARD_NUMBER"),
    }
    for f in found:
        assert f.data_source == source.name and f.rule_set_revision == f"{rs.name}@1"
        assert f.rule.startswith("rules/") and "@" in f.rule
        assert f.confidence > 0.6 and f.sampled == 80 and f.match_ratio == 1.0 and f.explanation
        assert all("*" in e for e in f.evidence)  # masked, never raw
    card = next(f for f in found if f.classification == "CREDIT_CARD_NUMBER")
    assert (await client.orchestration.get_finding(orch.GetFindingRequest(name=card.name))).finding == card

    # filters
    assert [f.name for f in await _findings(client, job.name, 'classification = "EMAIL_ADDRESS"')] != []
    assert len(await _findings(client, job.name, 'classification = "EMAIL_ADDRESS"')) == 1
    assert len(await _findings(client, job.name, f'table = "{card.table}"')) == 1
    assert len(await _findings(client, job.name, f'data_source = "{source.name}"')) == 2
    assert len(await _findings(client, job.name, "confidence >= 0.5")) == 2
    assert await _findings(client, job.name, "confidence >= 1.01") == []
    with pytest.raises(NotFoundError):
        await _findings(client, "scanJobs/no-such-job")

    # executions: one per unit, with rows and resource use
    executions = (await client.orchestration.list_executions(orch.ListExecutionsRequest(parent=job.name))).executions
    assert len(executions) == 3 and sum(e.rows_read for e in executions) == 200
    assert all(e.status == e.STATE_SUCCEEDED and e.attempt == 1 and e.peak_memory_bytes > 0 for e in executions)
    assert sum(e.finding_count for e in executions) == 2
    one = (await client.orchestration.get_execution(orch.GetExecutionRequest(name=executions[0].name))).execution
    assert one == executions[0]

    # feedback
    reply = await client.orchestration.submit_finding_feedback(
        orch.SubmitFindingFeedbackRequest(
            name=card.name, verdict=finding_pb2.FEEDBACK_VERDICT_REJECTED, reviewer="alice", note="test numbers"
        )
    )
    assert reply.finding.verdict == finding_pb2.FEEDBACK_VERDICT_REJECTED and reply.finding.reviewer == "alice"
    stored = (await client.orchestration.get_finding(orch.GetFindingRequest(name=card.name))).finding
    assert stored.review_note == "test numbers" and stored.HasField("review_time")
    assert len(await _findings(client, job.name, 'verdict = "FEEDBACK_VERDICT_REJECTED"')) == 1
    with pytest.raises(InvalidArgumentError):
        await client.orchestration.submit_finding_feedback(orch.SubmitFindingFeedbackRequest(name=card.name))

    # listing
    listed = (
        await client.orchestration.list_scan_jobs(
            orch.ListScanJobsRequest(filter=f'state = "SUCCEEDED" AND rule_set = "{rs.name}@1"')
        )
    ).scan_jobs
    assert [j.name for j in listed] == [job.name]
    with pytest.raises(FailedPreconditionError):  # already ended
        await client.orchestration.cancel_scan_job(orch.CancelScanJobRequest(name=job.name))
    with pytest.raises(FailedPreconditionError):  # nothing failed
        await client.orchestration.retry_scan_job(orch.RetryScanJobRequest(name=job.name))


async def test_watch_yields_a_snapshot_then_ends_terminal(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "watch.db", extra_tables=4))
    created = await _create_job(client, rule_set=rs.name, data_sources=[source.name])
    Response = orch.WatchScanJobResponse
    events = []
    async with client.orchestration.watch_scan_job(orch.WatchScanJobRequest(name=created.name), timeout=120) as stream:
        async for event in stream:
            events.append(event)
    assert events[0].event_type == Response.EVENT_TYPE_SNAPSHOT
    assert events[-1].scan_job.state == State.STATE_SUCCEEDED
    assert events[-1].scan_job.finding_count == 6 and events[-1].scan_job.progress_percent == 100.0
    # every finding as it was recorded, and every unit's start and end, naming its table
    streamed = {e.finding.name for e in events if e.event_type == Response.EVENT_TYPE_FINDING}
    assert streamed == {f.name for f in await _findings(client, created.name)}
    assert all(e.finding.classification for e in events if e.event_type == Response.EVENT_TYPE_FINDING)
    finished = [e for e in events if e.event_type == Response.EVENT_TYPE_UNIT_FINISHED]
    assert len(finished) == 7 and all(e.work_unit.startswith(f"{created.name}/workUnits/") for e in finished)
    assert any(e.detail == f"{source.name}: main.customers SUCCEEDED" for e in finished)
    # watching a finished job: the snapshot, then the end
    async with client.orchestration.watch_scan_job(orch.WatchScanJobRequest(name=created.name), timeout=30) as stream:
        late = [e async for e in stream]
    assert len(late) == 1 and late[0].scan_job.state == State.STATE_SUCCEEDED
    with pytest.raises(NotFoundError):
        async for _ in client.orchestration.watch_scan_job(orch.WatchScanJobRequest(name="scanJobs/nope"), timeout=30):
            pass


async def test_cancel_stops_the_job_and_keeps_it_cancelled(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "big.db", extra_tables=40))
    created = await _create_job(
        client, rule_set=rs.name, data_sources=[source.name], max_concurrency_per_source=1, priority=1
    )
    assert created.units_total == 43
    reply = await client.orchestration.cancel_scan_job(orch.CancelScanJobRequest(name=created.name, reason="oops"))
    assert reply.scan_job.state == State.STATE_CANCELLED and reply.scan_job.error_message == "oops"
    again = await client.orchestration.cancel_scan_job(orch.CancelScanJobRequest(name=created.name))
    assert again.scan_job.state == State.STATE_CANCELLED  # idempotent
    for _ in range(100):  # the units in flight finish and are discarded
        job = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=created.name))).scan_job
        if job.units_running == 0:
            break
        await asyncio.sleep(0.2)
    assert job.state == State.STATE_CANCELLED and job.units_running == 0 and job.units_succeeded < 43
    assert job.finding_count == len(await _findings(client, created.name))


async def test_failed_units_retry_with_backoff_then_retry_scan_job(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "slow.db"))
    override = rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1),  # every unit times out: a deterministic failure
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=2, initial_backoff=duration_pb2.Duration(nanos=50_000_000), backoff_multiplier=2.0
        ),
    )
    created = await _create_job(client, rule_set=rs.name, data_sources=[source.name], policy_override=override)
    job = await _wait(client, created.name)
    assert job.state == State.STATE_FAILED and job.units_failed == 3 and "timed out" in job.error_message
    executions = (await client.orchestration.list_executions(orch.ListExecutionsRequest(parent=job.name))).executions
    assert sorted(e.attempt for e in executions) == [1, 1, 1, 2, 2, 2]
    assert all(e.status == e.STATE_FAILED and "timed out" in e.error for e in executions)

    retried = (await client.orchestration.retry_scan_job(orch.RetryScanJobRequest(name=job.name))).scan_job
    assert retried.retry_count == 1 and retried.state == State.STATE_PENDING and retried.units_failed == 0
    job = await _wait(client, created.name)
    assert job.state == State.STATE_FAILED and job.retry_count == 1
    executions = (await client.orchestration.list_executions(orch.ListExecutionsRequest(parent=job.name))).executions
    assert len(executions) == 12


async def test_bad_requests(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "bad.db"))
    with pytest.raises(InvalidArgumentError):
        await _create_job(client, rule_set=rs.name)
    with pytest.raises(InvalidArgumentError):
        await _create_job(client, rule_set=rs.name, data_sources=[source.name], priority=11)
    with pytest.raises(NotFoundError):
        await _create_job(client, rule_set="ruleSets/missing", data_sources=[source.name])
    with pytest.raises(NotFoundError):
        await _create_job(client, rule_set=rs.name, data_sources=["dataSources/missing"])
    with pytest.raises(NotFoundError):
        await client.orchestration.get_scan_job(orch.GetScanJobRequest(name="scanJobs/missing"))
    with pytest.raises(InvalidArgumentError):
        await client.orchestration.get_finding(orch.GetFindingRequest(name="scanJobs/x"))


# ---- crash and resume: a real server process killed with SIGKILL mid-job ------------------------------

SCANRULES = str(Path(sys.executable).with_name("scanrules"))


def _serve(workdir: Path, database_url: str | None = None) -> tuple[subprocess.Popen[str], str]:
    """`scanrules serve` on the embedded SQLite default in `workdir`, or on `database_url` (migrated first,
    as an operator would); (process, target)."""
    env = {k: v for k, v in os.environ.items() if k != "SCANRULES_DATABASE_URL"}
    args = [SCANRULES, "serve", "--port", "0", "--log-level", "warning"]
    if database_url is not None:
        env["SCANRULES_DATABASE_URL"] = database_url
        subprocess.run([SCANRULES, "migrate"], env=env, check=True, capture_output=True, timeout=120)
        load_key(workdir / "scanrules.key", create=True)
        args += ["--secret-key-file", str(workdir / "scanrules.key")]
    with (workdir / "server.log").open("a") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True, cwd=workdir, env=env)
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline().strip()
        assert line, f"server exited: {(workdir / 'server.log').read_text()[-2000:]}"
        if line.startswith("admin api key: "):
            (workdir / "admin.key").write_text(line.removeprefix("admin api key: "))
        if line.startswith("listening on "):
            return proc, line.removeprefix("listening on ")


def _finding_keys(found: list[finding_pb2.Finding]) -> list[tuple[str, str, str, float, int]]:
    return sorted((f.table, f.column, f.classification, round(f.confidence, 9), f.validated) for f in found)


@pytest.mark.parametrize("kind", KINDS)
async def test_sigkill_mid_job_resumes_with_exactly_the_findings_of_a_clean_run(tmp_path: Path, kind: str) -> None:
    if kind == "sqlite":
        await _crash_and_resume(tmp_path, None)
        return
    url = await acreate_postgres_database()
    try:
        await _crash_and_resume(tmp_path, url)
    finally:
        await adrop_postgres_database(url)


async def _crash_and_resume(tmp_path: Path, database_url: str | None) -> None:
    workdir = tmp_path / "server"
    workdir.mkdir()
    shop = make_shop(tmp_path / "many.db", extra_tables=60)
    proc, target = _serve(workdir, database_url)
    try:
        token = (workdir / "admin.key").read_text()
        async with ScanRulesClient.connect(target, timeout=60, token=token) as client:
            rs = await _rule_set(client)
            source = await _source(client, shop)
            created = await _create_job(
                client, rule_set=rs.name, data_sources=[source.name], max_concurrency_per_source=1
            )
            assert created.units_total == 63
            while True:  # mid-job: some units done, most not
                job = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=created.name))).scan_job
                if job.units_succeeded >= 5:
                    break
                await asyncio.sleep(0.05)
        assert job.units_succeeded < 63, "the job finished before the kill: make it bigger"
        proc.kill()  # SIGKILL: no graceful stop, units in flight lose their uncommitted results
        proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()

        proc, target = _serve(workdir, database_url)
        async with ScanRulesClient.connect(target, timeout=60, token=token) as client:
            resumed = await _wait(client, created.name, timeout=300)
            assert resumed.state == State.STATE_SUCCEEDED, resumed.error_message
            assert resumed.units_succeeded == 63 and resumed.units_skipped == 0
            # force: a full, uninterrupted scan (not an incremental rescan reusing the resumed job's results)
            clean = await _create_job(client, rule_set=rs.name, data_sources=[source.name], force=True)
            clean = await _wait(client, clean.name, timeout=300)
            assert clean.state == State.STATE_SUCCEEDED and clean.units_skipped == 0
            after_crash = await _findings(client, created.name)
            uninterrupted = await _findings(client, clean.name)
            assert len(after_crash) == 62 and _finding_keys(after_crash) == _finding_keys(uninterrupted)
            executions = (
                await client.orchestration.list_executions(
                    orch.ListExecutionsRequest(parent=created.name, page_size=500)
                )
            ).executions
            assert sum(e.status == e.STATE_SUCCEEDED for e in executions) == 63  # each unit's results once
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
