"""ExecuteRules, job dependencies, incremental rescans, partitions and ADAPTIVE ordering, through the SDK
against the real in-process server (SQLite and PostgreSQL metadata stores)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from google.protobuf import duration_pb2
from scanrules.v1 import finding_pb2, rule_service_pb2, rule_set_pb2, scan_job_pb2, schedule_pb2
from scanrules.v1 import orchestration_service_pb2 as orch

from scanrules_client import FailedPreconditionError, InvalidArgumentError, NotFoundError, ScanRulesClient

from .test_scan_jobs import (
    State,
    _create_job,
    _findings,
    _rule_set,
    _source,
    _wait,
    make_shop,
)

FULL = rule_set_pb2.SamplingStrategy.SAMPLING_STRATEGY_FULL


def _keys(found: list[finding_pb2.Finding]) -> set[tuple[str, str, str, int, int, int, int]]:
    return {
        (f.table.rsplit(".", 1)[-1], f.column, f.classification, f.sampled, f.non_null, f.matched, f.validated)
        for f in found
    }


async def _executions(client: ScanRulesClient, job: str) -> list[object]:
    reply = await client.orchestration.list_executions(orch.ListExecutionsRequest(parent=job, page_size=500))
    return list(reply.executions)


# ---- ExecuteRules -------------------------------------------------------------------------------------


async def test_execute_rules_runs_chosen_rules_as_an_ad_hoc_job(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    email_rule = next(r for r in rs.rules if r)  # the EMAIL rule was created first
    source = await _source(client, make_shop(tmp_path / "adhoc.db"))
    reply = await client.orchestration.execute_rules(
        orch.ExecuteRulesRequest(rules=[email_rule.split("@")[0]], data_sources=[source.name])
    )
    created = reply.scan_job
    assert created.rule_set == "" and list(created.rules) == [email_rule] and created.units_total == 3
    job = await _wait(client, created.name)
    assert job.state == State.STATE_SUCCEEDED, job.error_message
    found = await _findings(client, job.name)
    assert {(f.table.rsplit(".", 1)[-1], f.column, f.classification) for f in found} == {
        ("customers", "contact", "EMAIL_ADDRESS")
    }
    assert all(f.rule == email_rule and f.rule_set_revision == "" for f in found)

    # the built-in library alone, ad hoc
    reply = await client.orchestration.execute_rules(
        orch.ExecuteRulesRequest(include_builtin=True, data_sources=[source.name])
    )
    job = await _wait(client, reply.scan_job.name)
    assert job.state == State.STATE_SUCCEEDED
    assert {"EMAIL_ADDRESS", "CREDIT_CARD_NUMBER"} <= {f.classification for f in await _findings(client, job.name)}

    with pytest.raises(InvalidArgumentError) as bad:
        await client.orchestration.execute_rules(orch.ExecuteRulesRequest(data_sources=[source.name]))
    assert "rules" in str(bad.value)
    with pytest.raises(InvalidArgumentError):
        await client.orchestration.execute_rules(
            orch.ExecuteRulesRequest(rules=["rules/does-not-exist"], data_sources=[source.name])
        )
    with pytest.raises(NotFoundError):
        await client.orchestration.execute_rules(
            orch.ExecuteRulesRequest(rules=[email_rule], data_sources=["dataSources/missing"])
        )


# ---- dependencies -------------------------------------------------------------------------------------


async def test_a_job_waits_for_its_dependencies_then_runs(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    big = await _source(client, make_shop(tmp_path / "first.db", extra_tables=20))
    small = await _source(client, make_shop(tmp_path / "second.db"))
    first = await _create_job(client, rule_set=rs.name, data_sources=[big.name], max_concurrency_per_source=1)
    second = await _create_job(client, rule_set=rs.name, data_sources=[small.name], depends_on=[first.name])
    assert list(second.depends_on) == [first.name]
    while True:  # the dependent job does not start before its dependency ended
        a = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=first.name))).scan_job
        b = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=second.name))).scan_job
        if a.state in (State.STATE_SUCCEEDED,):
            break
        assert b.state == State.STATE_PENDING and b.units_running == 0 and b.units_succeeded == 0
        await asyncio.sleep(0.05)
    done = await _wait(client, second.name)
    assert done.state == State.STATE_SUCCEEDED and done.units_succeeded == 3
    assert done.start_time.ToDatetime() >= a.end_time.ToDatetime()


async def test_a_failed_dependency_fails_the_job_with_the_reason(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "dep.db"))
    failing = rule_set_pb2.ScanPolicy(
        unit_timeout=duration_pb2.Duration(nanos=1), retry_policy=rule_set_pb2.RetryPolicy(max_attempts=1)
    )
    doomed = await _create_job(client, rule_set=rs.name, data_sources=[source.name], policy_override=failing)
    child = await _create_job(client, rule_set=rs.name, data_sources=[source.name], depends_on=[doomed.name])
    grandchild = await _create_job(client, rule_set=rs.name, data_sources=[source.name], depends_on=[child.name])
    assert (await _wait(client, doomed.name)).state == State.STATE_FAILED
    child_done = await _wait(client, child.name)
    assert child_done.state == State.STATE_FAILED
    assert child_done.error_message == f"dependency {doomed.name} ended FAILED"
    assert child_done.units_succeeded == 0 and not await _executions(client, child.name)
    assert (await _wait(client, grandchild.name)).error_message == f"dependency {child.name} ended FAILED"

    with pytest.raises(NotFoundError):
        await _create_job(client, rule_set=rs.name, data_sources=[source.name], depends_on=["scanJobs/missing"])
    with pytest.raises(InvalidArgumentError):
        await _create_job(client, rule_set=rs.name, data_sources=[source.name], depends_on=["jobs/bad"])


# ---- incremental rescans ------------------------------------------------------------------------------


async def test_rescans_skip_unchanged_tables_and_rescan_changed_ones(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    path = make_shop(tmp_path / "incremental.db")
    source = await _source(client, path)
    first = await _wait(client, (await _create_job(client, rule_set=rs.name, data_sources=[source.name])).name)
    assert first.state == State.STATE_SUCCEEDED and first.units_skipped == 0
    first_found = await _findings(client, first.name)

    # nothing changed: every table is skipped, its findings carried over and marked as such
    again = await _wait(client, (await _create_job(client, rule_set=rs.name, data_sources=[source.name])).name)
    assert again.state == State.STATE_SUCCEEDED and again.units_skipped == 3 and again.rows_scanned == 0
    carried = await _findings(client, again.name)
    assert _keys(carried) == _keys(first_found) and len(carried) == len(first_found)
    assert all(f.origin_scan_job == first.name and f.rule_set_revision == f"{rs.name}@1" for f in carried)
    assert all(f.name.startswith(f"{again.name}/findings/") for f in carried)

    # a changed table is rescanned, the others still skipped
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO customers (contact, nickname) VALUES ('new@example.com', 'newbie')")
    changed = await _wait(client, (await _create_job(client, rule_set=rs.name, data_sources=[source.name])).name)
    assert changed.units_skipped == 2 and changed.rows_scanned == 81
    by_table = {f.table.rsplit(".", 1)[-1]: f for f in await _findings(client, changed.name)}
    assert by_table["customers"].origin_scan_job == "" and by_table["customers"].sampled == 81
    assert by_table["payments"].origin_scan_job == first.name  # carried from the scan that produced it

    # other sampling is another scan: nothing is reused from one taken with different settings
    sampled = await _wait(
        client,
        (
            await _create_job(
                client,
                rule_set=rs.name,
                data_sources=[source.name],
                policy_override=rule_set_pb2.ScanPolicy(sample_size=50),
            )
        ).name,
    )
    assert sampled.units_skipped == 0 and sampled.policy_override.sample_size == 50
    assert {f.sampled for f in await _findings(client, sampled.name)} == {50}

    # force rescans everything
    forced = await _wait(
        client, (await _create_job(client, rule_set=rs.name, data_sources=[source.name], force=True)).name
    )
    assert forced.force and forced.units_skipped == 0 and forced.rows_scanned == 201

    # a new rule set revision rescans everything, and its findings say which revision made them
    await client.rules.update_rule_set(
        rule_service_pb2.UpdateRuleSetRequest(
            rule_set=rule_set_pb2.RuleSet(name=rs.name, display_name="PII v2"),
            update_mask={"paths": ["display_name"]},
        )
    )
    revised = await _wait(client, (await _create_job(client, rule_set=rs.name, data_sources=[source.name])).name)
    assert revised.rule_set == f"{rs.name}@2" and revised.units_skipped == 0
    assert {f.rule_set_revision for f in await _findings(client, revised.name)} == {f"{rs.name}@2"}


# ---- partitions of large tables -----------------------------------------------------------------------


COUNTRIES = ("FR", "DE", "ES", "IT")


def _make_large(path: Path, rows: int) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, country TEXT, note TEXT)")
        db.executemany(
            "INSERT INTO people (id, email, country, note) VALUES (?, ?, ?, ?)",
            [
                (i * 3 - 500, f"person{i}@mail{i % 13}.example", ["FR", "DE", "ES", "IT"][i % 4], f"n{i}")
                for i in range(rows)
            ],
        )
        db.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, contact TEXT)")
        db.executemany("INSERT INTO small (contact) VALUES (?)", [(f"s{i}@x.example",) for i in range(50)])
    return path


async def test_large_tables_split_into_partitions_merge_to_the_whole_table_findings(
    client: ScanRulesClient, tmp_path: Path
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, _make_large(tmp_path / "large.db", 6000))
    whole = await _create_job(
        client,
        rule_set=rs.name,
        data_sources=[source.name],
        policy_override=rule_set_pb2.ScanPolicy(sampling_strategy=FULL),
    )
    split_policy = rule_set_pb2.ScanPolicy(sampling_strategy=FULL, partition_rows=1000)
    split = await _create_job(
        client, rule_set=rs.name, data_sources=[source.name], policy_override=split_policy, force=True
    )
    assert whole.units_total == 2 and split.units_total >= 6  # ~6 partitions of people + small
    whole, split = await _wait(client, whole.name), await _wait(client, split.name)
    assert whole.state == split.state == State.STATE_SUCCEEDED, split.error_message
    whole_found, split_found = await _findings(client, whole.name), await _findings(client, split.name)
    assert _keys(split_found) == _keys(whole_found) and len(split_found) == 2
    people = next(f for f in split_found if f.table.endswith("people"))
    whole_people = next(f for f in whole_found if f.table.endswith("people"))
    # Above 4,096 values distinct is a sketch estimate; the workers share a hash seed, so the merged
    # partition sketches give exactly the whole table's estimate.
    assert people.sampled == 6000 and people.distinct == whole_people.distinct
    assert abs(people.distinct - 6000) < 6000 * 0.05
    assert split.rows_scanned == whole.rows_scanned == 6050

    # an unchanged partitioned table reuses every partition's statistics
    again = await _wait(
        client,
        (await _create_job(client, rule_set=rs.name, data_sources=[source.name], policy_override=split_policy)).name,
    )
    assert again.units_skipped == split.units_total and again.rows_scanned == 0
    assert _keys(await _findings(client, again.name)) == _keys(whole_found)


# ---- ADAPTIVE ordering --------------------------------------------------------------------------------


async def test_adaptive_runs_tables_that_had_findings_first(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "adaptive.db", extra_tables=6))
    first = await _wait(
        client,
        (
            await _create_job(
                client,
                rule_set=rs.name,
                data_sources=[source.name],
                strategy=scan_job_pb2.ScanJob.Strategy.STRATEGY_SEQUENTIAL,
            )
        ).name,
    )
    positive = {f.table.rsplit(".", 1)[-1] for f in await _findings(client, first.name)}
    assert "notes" not in positive and len(positive) == 8
    adaptive = await _wait(
        client,
        (
            await _create_job(
                client,
                rule_set=rs.name,
                data_sources=[source.name],
                strategy=scan_job_pb2.ScanJob.Strategy.STRATEGY_ADAPTIVE,
                max_concurrency_per_source=1,
                force=True,
            )
        ).name,
    )
    assert adaptive.state == State.STATE_SUCCEEDED
    executions = sorted(await _executions(client, adaptive.name), key=lambda e: e.start_time.ToDatetime())  # type: ignore[attr-defined]
    units = (
        await client.orchestration.list_findings(orch.ListFindingsRequest(parent=adaptive.name, page_size=500))
    ).findings
    assert len(units) == 8
    # the one table without findings last time (notes) runs last
    last = executions[-1]
    assert last.finding_count == 0 and all(e.finding_count == 1 for e in executions[:-1])  # type: ignore[attr-defined]


async def test_job_fields_round_trip(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "fields.db"))
    job = await _create_job(
        client,
        rule_set=rs.name,
        data_sources=[source.name],
        executor="local",
        labels={"team": "data"},
        strategy=scan_job_pb2.ScanJob.Strategy.STRATEGY_PARALLEL,
    )
    got = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=job.name))).scan_job
    assert got.executor == "local" and dict(got.labels) == {"team": "data"}
    assert got.strategy == scan_job_pb2.ScanJob.Strategy.STRATEGY_PARALLEL
    with pytest.raises(InvalidArgumentError):
        await _create_job(client, rule_set=rs.name, data_sources=[source.name], executor="spark")
    assert (await _wait(client, job.name)).state == State.STATE_SUCCEEDED


# ---- many watchers, one of them stalled ---------------------------------------------------------------


async def test_many_watchers_and_a_stalled_one_do_not_hold_the_job(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "watched.db", extra_tables=12))
    created = await _create_job(client, rule_set=rs.name, data_sources=[source.name])
    request = orch.WatchScanJobRequest(name=created.name)
    stalled = client.orchestration.watch_scan_job(request, timeout=120)
    stalled_stream = await stalled.__aenter__()
    snapshot = await stalled_stream.__anext__()  # subscribed; it reads nothing more until the job ended

    async def watch() -> list[orch.WatchScanJobResponse]:
        async with client.orchestration.watch_scan_job(request, timeout=120) as stream:
            return [event async for event in stream]

    watched = await asyncio.gather(*(watch() for _ in range(20)))
    # every active watcher saw the job end, while the stalled one had read nothing after its snapshot
    job = await _wait(client, created.name)
    assert job.state == State.STATE_SUCCEEDED and job.units_succeeded == 15
    for events in watched:
        assert events[0].event_type == orch.WatchScanJobResponse.EVENT_TYPE_SNAPSHOT
        assert events[-1].scan_job.state == State.STATE_SUCCEEDED and events[-1].scan_job.progress_percent == 100.0
    late = [event async for event in stalled_stream]
    await stalled.__aexit__(None, None, None)
    assert snapshot.event_type == orch.WatchScanJobResponse.EVENT_TYPE_SNAPSHOT and late
    assert late[-1].scan_job.state == State.STATE_SUCCEEDED  # the terminal message is never dropped


async def test_list_scan_jobs_filters_by_source_state_and_rule_set(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    crm = await _source(client, make_shop(tmp_path / "crm_a.db"))
    crm_b = await _source(client, make_shop(tmp_path / "crm_b.db"))
    both = await _create_job(client, rule_set=rs.name, data_sources=[crm.name, crm_b.name], priority=3)
    only_b = await _create_job(client, rule_set=rs.name, data_sources=[crm_b.name], priority=9)

    async def names(filter: str) -> set[str]:
        reply = await client.orchestration.list_scan_jobs(orch.ListScanJobsRequest(filter=filter, page_size=100))
        return {j.name for j in reply.scan_jobs}

    assert await names(f'data_source = "{crm.name}"') == {both.name}
    assert await names(f'data_source = "{crm_b.name}"') == {both.name, only_b.name}
    assert await names(f'data_source = "{crm_b.name}" AND priority >= 5') == {only_b.name}
    assert only_b.name not in await names(f'data_source != "{crm_b.name}" AND rule_set = "{rs.name}@1"')
    # numbers beyond an integer column's range, or fractional, compare instead of overflowing the driver
    assert await names(f'data_source = "{crm_b.name}" AND priority > 99999999999') == set()
    assert await names(f'data_source = "{crm_b.name}" AND priority < 2147483648.5') == {both.name, only_b.name}
    assert await names(f'data_source = "{crm_b.name}" AND priority = 3.0') == {both.name}
    assert await names(f'data_source = "{crm.name}_"') == set()  # no LIKE wildcard, no prefix match
    assert await names(f'data_source = "{crm.name[:-2]}"') == set()
    for job in (both, only_b):
        await _wait(client, job.name)
    assert await names(f'state = "SUCCEEDED" AND data_source = "{crm.name}"') == {both.name}
    with pytest.raises(InvalidArgumentError) as bad:
        await names(f'data_source > "{crm.name}"')
    assert "only = and != apply" in str(bad.value)


async def test_retry_of_a_cancelled_job_runs_its_cancelled_units(client: ScanRulesClient, tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "cancelled.db", extra_tables=10))
    created = await _create_job(client, rule_set=rs.name, data_sources=[source.name], max_concurrency_per_source=1)
    await client.orchestration.cancel_scan_job(orch.CancelScanJobRequest(name=created.name))
    cancelled = await _wait(client, created.name)
    assert cancelled.state == State.STATE_CANCELLED and cancelled.units_succeeded < 13
    retried = (await client.orchestration.retry_scan_job(orch.RetryScanJobRequest(name=created.name))).scan_job
    assert retried.state == State.STATE_PENDING and retried.retry_count == 1
    done = await _wait(client, created.name)
    assert done.state == State.STATE_SUCCEEDED and done.units_succeeded == 13 and done.finding_count == 12


async def test_a_source_in_use_by_a_running_job_or_a_schedule_is_not_deleted(
    client: ScanRulesClient, tmp_path: Path
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, make_shop(tmp_path / "in-use.db", extra_tables=20))
    job = await _create_job(client, rule_set=rs.name, data_sources=[source.name], max_concurrency_per_source=1)
    with pytest.raises(FailedPreconditionError) as busy:
        await client.orchestration.delete_data_source(orch.DeleteDataSourceRequest(name=source.name))
    assert job.name in str(busy.value)
    await _wait(client, job.name)
    schedule = schedule_pb2.Schedule(rule_set=rs.name, data_sources=[source.name], cron="0 3 * * *")
    created = (
        await client.orchestration.create_schedule(
            orch.CreateScheduleRequest(schedule=schedule, schedule_id=f"keep-{source.name.rsplit('/', 1)[1]}")
        )
    ).schedule
    with pytest.raises(FailedPreconditionError) as scheduled:
        await client.orchestration.delete_data_source(orch.DeleteDataSourceRequest(name=source.name))
    assert created.name in str(scheduled.value)
    await client.orchestration.delete_schedule(orch.DeleteScheduleRequest(name=created.name))
    await client.orchestration.delete_data_source(orch.DeleteDataSourceRequest(name=source.name))
    with pytest.raises(NotFoundError):
        await client.orchestration.get_data_source(orch.GetDataSourceRequest(name=source.name))
