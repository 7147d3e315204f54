"""Schedules through the SDK against the real in-process server (SQLite and PostgreSQL metadata stores).

Time is moved with the scheduler's injectable clock (`conftest.scheduler_clocks`), never by sleeping, and
`Scheduler.tick()` is run on the server's loop to fire what is due. The server's own scheduler loop runs too,
with the same clock: tests assert on the stored state after `tick()` (which waits for a concurrent tick),
not on which of the two fired.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from google.protobuf import field_mask_pb2
from scanrules.v1 import (
    data_source_pb2,
    monitoring_service_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
    scan_job_pb2,
    schedule_pb2,
)
from scanrules.v1 import orchestration_service_pb2 as orch

from scanrules_client import (
    AbortedError,
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    ScanRulesClient,
)
from scanrules_server.orchestration.scheduler import Fired, Scheduler
from tests.integration.conftest import MovableClock, ServerThread, scheduler_clocks, server_threads

EMAIL = r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i"


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ---- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def clock(server_target: str) -> Iterator[MovableClock]:
    """The server's scheduler clock; back to real time after the test."""
    movable = scheduler_clocks[server_target]
    yield movable
    movable.reset()


@pytest.fixture
def server(server_target: str) -> ServerThread:
    return server_threads[server_target]


@pytest.fixture
async def made(client: ScanRulesClient) -> AsyncIterator[list[str]]:
    """Names of the schedules a test made; deleted afterwards, so a later test moving the clock does not fire
    them."""
    names: list[str] = []
    yield names
    for name in names:
        with contextlib.suppress(NotFoundError):
            await client.orchestration.delete_schedule(orch.DeleteScheduleRequest(name=name))


async def _tick(server: ServerThread) -> list[Fired]:
    assert server.running is not None and server.running.scheduler is not None
    return await server.run(server.running.scheduler.tick())


def _shop(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, contact TEXT)")
        db.executemany("INSERT INTO customers (contact) VALUES (?)", [(f"user{i}@example.com",) for i in range(20)])
    return path


async def _rule_set(client: ScanRulesClient) -> rule_set_pb2.RuleSet:
    rule = rule_pb2.Rule(expression=EMAIL, classification="EMAIL_ADDRESS", display_name="email")
    created = await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=_id("r")))
    rule_set = rule_set_pb2.RuleSet(display_name="PII", rules=[created.rule.name])
    reply = await client.rules.create_rule_set(
        rule_service_pb2.CreateRuleSetRequest(rule_set=rule_set, rule_set_id=_id("rs"))
    )
    return reply.rule_set


async def _source(client: ScanRulesClient, tmp_path: Path) -> data_source_pb2.DataSource:
    path = _shop(tmp_path / f"{uuid.uuid4().hex[:8]}.db")
    reply = await client.orchestration.create_data_source(
        orch.CreateDataSourceRequest(data_source=data_source_pb2.DataSource(uri=str(path)), data_source_id=_id("ds"))
    )
    return reply.data_source


async def _create(
    client: ScanRulesClient,
    made: list[str],
    schedule_id: str = "",
    request_id: str = "",
    validate_only: bool = False,
    **fields: object,
) -> schedule_pb2.Schedule:
    schedule_id = schedule_id or _id("s")
    reply = await client.orchestration.create_schedule(
        orch.CreateScheduleRequest(
            schedule=schedule_pb2.Schedule(**fields),  # type: ignore[arg-type]
            schedule_id=schedule_id,
            request_id=request_id,
            validate_only=validate_only,
        )
    )
    if not validate_only:
        made.append(reply.schedule.name)
    return reply.schedule


async def _get(client: ScanRulesClient, name: str) -> schedule_pb2.Schedule:
    """There is no GetSchedule: list with a filter on the id."""
    schedule_id = name.removeprefix("schedules/")
    reply = await client.orchestration.list_schedules(
        orch.ListSchedulesRequest(filter=f'schedule_id = "{schedule_id}"')
    )
    assert len(reply.schedules) == 1 and reply.total_size == 1, reply
    return reply.schedules[0]


async def _update(client: ScanRulesClient, schedule: schedule_pb2.Schedule, *paths: str) -> schedule_pb2.Schedule:
    reply = await client.orchestration.update_schedule(
        orch.UpdateScheduleRequest(schedule=schedule, update_mask=field_mask_pb2.FieldMask(paths=list(paths)))
    )
    return reply.schedule


async def _jobs_named(client: ScanRulesClient, display_name: str) -> list[scan_job_pb2.ScanJob]:
    reply = await client.orchestration.list_scan_jobs(
        orch.ListScanJobsRequest(filter=f'display_name = "{display_name}"', page_size=100)
    )
    return list(reply.scan_jobs)


def _time(ts: object) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)  # type: ignore[attr-defined, no-any-return]


# ---- standard methods ----------------------------------------------------------------------------


async def test_create_list_update_delete(client: ScanRulesClient, made: list[str], tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    schedule_id, request_id = _id("s"), str(uuid.uuid4())
    fields = {"display_name": "nightly", "rule_set": rs.name, "data_sources": [source.name], "cron": "0 3 * * 1-5"}

    preview = await _create(client, made, schedule_id, validate_only=True, **fields)
    assert preview.name == f"schedules/{schedule_id}" and preview.HasField("next_run_time")
    nothing = await client.orchestration.list_schedules(
        orch.ListSchedulesRequest(filter=f'schedule_id = "{schedule_id}"')
    )
    assert nothing.total_size == 0  # validate_only stored nothing

    before = datetime.now(UTC)
    created = await _create(client, made, schedule_id, request_id, **fields, priority=7)
    assert created.name == f"schedules/{schedule_id}"
    assert (created.rule_set, list(created.data_sources), created.cron) == (rs.name, [source.name], "0 3 * * 1-5")
    assert (created.time_zone, created.paused, created.priority, created.display_name) == ("UTC", False, 7, "nightly")
    next_run = _time(created.next_run_time)
    assert next_run > before and (next_run.hour, next_run.minute) == (3, 0) and next_run.weekday() < 5
    assert not created.HasField("last_run_time") and created.last_scan_job == ""
    assert created.etag and created.HasField("create_time") and created.update_time == created.create_time

    again = await _create(client, made, schedule_id, request_id, **{**fields, "cron": "5 5 * * *"})
    assert again == created  # the retry returns what the first call made
    with pytest.raises(AlreadyExistsError):
        await _create(client, made, schedule_id, **fields)

    assert await _get(client, created.name) == created

    change = schedule_pb2.Schedule(name=created.name, display_name="weekly", etag=created.etag)
    updated = await _update(client, change, "display_name")
    assert updated.display_name == "weekly" and updated.cron == created.cron
    assert updated.etag != created.etag and _time(updated.update_time) >= _time(created.update_time)
    assert updated.next_run_time == created.next_run_time  # nothing about the timing changed
    assert await _get(client, created.name) == updated

    with pytest.raises(InvalidArgumentError) as caught:
        await _update(client, schedule_pb2.Schedule(name=created.name), "next_run_time")
    assert caught.value.field_violations[0][0] == "update_mask"

    await client.orchestration.delete_schedule(orch.DeleteScheduleRequest(name=created.name, etag=updated.etag))
    listed = await client.orchestration.list_schedules(
        orch.ListSchedulesRequest(filter=f'schedule_id = "{schedule_id}"')
    )
    assert list(listed.schedules) == [] and listed.total_size == 0
    with pytest.raises(NotFoundError):
        await client.orchestration.delete_schedule(orch.DeleteScheduleRequest(name=created.name))
    with pytest.raises(NotFoundError):
        await _update(client, change, "display_name")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"cron": "61 * * * *"}, "schedule.cron", "out of range"),
        ({"cron": "a b c d e"}, "schedule.cron", "is not acceptable"),
        ({"cron": "not a cron"}, "schedule.cron", "five fields"),
        ({"cron": "0 3 * * * *"}, "schedule.cron", "five fields"),
        ({"cron": "@daily"}, "schedule.cron", "five fields"),
        ({"cron": "0 0 30 2 *"}, "schedule.cron", "never fires"),
        ({"time_zone": "Mars/Olympus_Mons"}, "schedule.time_zone", "IANA"),
        ({"time_zone": "../etc/passwd"}, "schedule.time_zone", "IANA"),
        ({"priority": 11}, "schedule.priority", "between 1 and 10"),
        ({"priority": -1}, "schedule.priority", "between 1 and 10"),
        ({"data_sources": []}, "schedule.data_sources", "at least one"),
        ({"data_sources": ["sources/x"]}, "schedule.data_sources[0]", "dataSources/"),
        ({"rule_set": "rules/x"}, "schedule.rule_set", "ruleSets/"),
        ({"schedule_id": "9-starts-with-a-digit"}, "schedule_id", "not a valid id"),
    ],
)
async def test_invalid_arguments_name_the_field(
    client: ScanRulesClient,
    made: list[str],
    tmp_path: Path,
    fields: dict[str, object],
    field: str,
    reason: str,
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    good: dict[str, object] = {"rule_set": rs.name, "data_sources": [source.name], "cron": "0 3 * * *"}
    fields = dict(fields)  # the parameter is shared by both database kinds
    schedule_id = str(fields.pop("schedule_id", _id("s")))
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, made, schedule_id, **{**good, **fields})
    assert [f for f, _ in caught.value.field_violations] == [field], caught.value.field_violations
    assert reason in caught.value.field_violations[0][1], caught.value.field_violations

    # the same checks on update
    if field.startswith("schedule.") and "[" not in field:
        created = await _create(client, made, **good)
        path = field.removeprefix("schedule.")
        with pytest.raises(InvalidArgumentError) as on_update:
            await _update(client, schedule_pb2.Schedule(name=created.name, **fields), path)  # type: ignore[arg-type]
        assert [f for f, _ in on_update.value.field_violations] == [field]
        assert await _get(client, created.name) == created  # unchanged


async def test_required_fields(client: ScanRulesClient, made: list[str]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, made)
    fields = {f for f, _ in caught.value.field_violations}
    assert fields == {"schedule.rule_set", "schedule.data_sources", "schedule.cron"}


async def test_missing_rule_set_or_source_is_not_found(
    client: ScanRulesClient, made: list[str], tmp_path: Path
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    good: dict[str, object] = {"rule_set": rs.name, "data_sources": [source.name], "cron": "0 3 * * *"}
    with pytest.raises(NotFoundError) as caught:
        await _create(client, made, **{**good, "rule_set": "ruleSets/does-not-exist"})
    assert "ruleSets/does-not-exist" in caught.value.message
    with pytest.raises(NotFoundError) as caught:
        await _create(client, made, **{**good, "rule_set": f"{rs.name}@7"})  # no such revision
    with pytest.raises(NotFoundError) as caught:
        await _create(client, made, **{**good, "data_sources": [source.name, "dataSources/gone"]})
    assert "dataSources/gone" in caught.value.message

    created = await _create(client, made, **good)
    with pytest.raises(NotFoundError):
        await _update(client, schedule_pb2.Schedule(name=created.name, rule_set="ruleSets/nope"), "rule_set")
    pinned = await _update(client, schedule_pb2.Schedule(name=created.name, rule_set=f"{rs.name}@1"), "rule_set")
    assert pinned.rule_set == f"{rs.name}@1"


async def test_etag_mismatch_is_aborted(client: ScanRulesClient, made: list[str], tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    created = await _create(client, made, rule_set=rs.name, data_sources=[source.name], cron="0 3 * * *")
    first = await _update(client, schedule_pb2.Schedule(name=created.name, paused=True, etag=created.etag), "paused")
    assert first.paused and first.etag != created.etag

    stale = schedule_pb2.Schedule(name=created.name, cron="0 4 * * *", etag=created.etag)
    with pytest.raises(AbortedError):
        await _update(client, stale, "cron")
    with pytest.raises(AbortedError):
        await client.orchestration.delete_schedule(orch.DeleteScheduleRequest(name=created.name, etag=created.etag))
    assert (await _get(client, created.name)).cron == "0 3 * * *"  # neither call changed anything


async def test_pagination_and_filter(client: ScanRulesClient, made: list[str], tmp_path: Path) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    names = []
    for i in range(5):
        s = await _create(
            client, made, rule_set=rs.name, data_sources=[source.name], cron="0 3 * * *", paused=i % 2 == 0
        )
        names.append(s.name)

    seen, token, pages = [], "", 0
    while True:
        page = await client.orchestration.list_schedules(
            orch.ListSchedulesRequest(filter=f'rule_set = "{rs.name}"', page_size=2, page_token=token)
        )
        assert len(page.schedules) <= 2 and page.total_size == 5
        seen += [s.name for s in page.schedules]
        pages, token = pages + 1, page.next_page_token
        if not token:
            break
    assert seen == names and pages == 3  # creation order, each once

    paused = await client.orchestration.list_schedules(
        orch.ListSchedulesRequest(filter=f'rule_set = "{rs.name}" AND paused = true')
    )
    assert [s.name for s in paused.schedules] == names[0::2] and paused.total_size == 3
    assert all(not s.HasField("next_run_time") for s in paused.schedules)
    assert [s.name async for s in client.orchestration.iter_schedules(filter=f'rule_set = "{rs.name}"')] == names

    with pytest.raises(InvalidArgumentError) as caught:
        await client.orchestration.list_schedules(orch.ListSchedulesRequest(filter='cron = "x"'))
    assert caught.value.field_violations[0][0] == "filter"
    with pytest.raises(InvalidArgumentError):
        await client.orchestration.list_schedules(orch.ListSchedulesRequest(filter="paused = 1"))


# ---- timing --------------------------------------------------------------------------------------


async def test_pause_clears_next_run_time_and_resume_restores_it(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    clock.set(_utc(2026, 5, 4, 10, 20))
    created = await _create(client, made, rule_set=rs.name, data_sources=[source.name], cron="0 * * * *")
    assert _time(created.next_run_time) == _utc(2026, 5, 4, 11, 0)

    paused = await _update(client, schedule_pb2.Schedule(name=created.name, paused=True), "paused")
    assert paused.paused and not paused.HasField("next_run_time")
    assert not (await _get(client, paused.name)).HasField("next_run_time")

    clock.set(_utc(2026, 5, 6, 7, 45))
    resumed = await _update(client, schedule_pb2.Schedule(name=created.name, paused=False), "paused")
    assert not resumed.paused and _time(resumed.next_run_time) == _utc(2026, 5, 6, 8, 0)  # from now, not the old time

    recron = await _update(client, schedule_pb2.Schedule(name=created.name, cron="30 9 * * *"), "cron")
    assert _time(recron.next_run_time) == _utc(2026, 5, 6, 9, 30)

    born_paused = await _create(
        client, made, rule_set=rs.name, data_sources=[source.name], cron="0 * * * *", paused=True
    )
    assert born_paused.paused and not born_paused.HasField("next_run_time")


@pytest.mark.parametrize(
    ("now", "cron", "zone", "expected"),
    [
        # 03:00 in Paris: CEST (UTC+2) in summer, CET (UTC+1) in winter.
        (_utc(2026, 7, 10, 12, 0), "0 3 * * *", "Europe/Paris", _utc(2026, 7, 11, 1, 0)),
        (_utc(2026, 1, 10, 12, 0), "0 3 * * *", "Europe/Paris", _utc(2026, 1, 11, 2, 0)),
        # New York moves to EDT on 2026-03-08 at 02:00: 09:00 is 14:00 UTC before, 13:00 UTC after.
        (_utc(2026, 3, 6, 15, 0), "0 9 * * *", "America/New_York", _utc(2026, 3, 7, 14, 0)),
        (_utc(2026, 3, 7, 15, 0), "0 9 * * *", "America/New_York", _utc(2026, 3, 8, 13, 0)),
        # 02:30 does not exist that night: it runs one hour later on the clock (03:30 EDT), once.
        (_utc(2026, 3, 8, 5, 0), "30 2 * * *", "America/New_York", _utc(2026, 3, 8, 7, 30)),
        # back to EST on 2026-11-01: 01:30 happens twice and runs the first time (EDT).
        (_utc(2026, 11, 1, 5, 0), "30 1 * * *", "America/New_York", _utc(2026, 11, 1, 5, 30)),
        (_utc(2026, 11, 1, 5, 30), "30 1 * * *", "America/New_York", _utc(2026, 11, 2, 6, 30)),
        (_utc(2026, 7, 10, 12, 0), "0 3 * * *", "UTC", _utc(2026, 7, 11, 3, 0)),
    ],
)
async def test_next_run_time_is_read_in_the_time_zone(
    client: ScanRulesClient,
    made: list[str],
    tmp_path: Path,
    clock: MovableClock,
    now: datetime,
    cron: str,
    zone: str,
    expected: datetime,
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    clock.set(now)
    created = await _create(client, made, rule_set=rs.name, data_sources=[source.name], cron=cron, time_zone=zone)
    assert created.time_zone == zone
    assert _time(created.next_run_time) == expected


async def test_changing_the_time_zone_recomputes_next_run_time(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    clock.set(_utc(2026, 7, 10, 12, 0))
    created = await _create(client, made, rule_set=rs.name, data_sources=[source.name], cron="0 3 * * *")
    assert _time(created.next_run_time) == _utc(2026, 7, 11, 3, 0)
    tokyo = await _update(client, schedule_pb2.Schedule(name=created.name, time_zone="Asia/Tokyo"), "time_zone")
    assert _time(tokyo.next_run_time) == _utc(2026, 7, 10, 18, 0)  # 03:00 JST on the 11th


# ---- firing --------------------------------------------------------------------------------------


async def test_a_due_schedule_creates_an_incremental_job(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock, server: ServerThread
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    display = _id("fire")
    clock.set(_utc(2026, 6, 1, 8, 10))
    latest = await _create(
        client, made, display_name=display, rule_set=rs.name, data_sources=[source.name], cron="0 9 * * *", priority=6
    )
    pinned = await _create(
        client,
        made,
        display_name=display + "-pinned",
        rule_set=f"{rs.name}@1",
        data_sources=[source.name],
        cron="0 9 * * *",
    )
    assert _time(latest.next_run_time) == _utc(2026, 6, 1, 9, 0)

    clock.set(_utc(2026, 6, 1, 8, 59))
    await _tick(server)
    assert await _jobs_named(client, display) == []  # not due yet
    assert await _get(client, latest.name) == latest

    fire_at = _utc(2026, 6, 1, 9, 0, 20)
    clock.set(fire_at)
    await _tick(server)
    after = await _get(client, latest.name)
    assert after.last_scan_job.startswith("scanJobs/")
    assert _time(after.last_run_time) == fire_at
    assert _time(after.next_run_time) == _utc(2026, 6, 2, 9, 0)
    assert after.etag == latest.etag  # a run does not change what the client wrote

    job = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=after.last_scan_job))).scan_job
    assert job.schedule == latest.name and job.display_name == display
    assert job.rule_set == f"{rs.name}@1" and list(job.data_sources) == [source.name]
    assert job.priority == 6 and job.force is False
    assert [j.name for j in await _jobs_named(client, display)] == [job.name]

    await _tick(server)  # nothing more is due: no second job for the same fire time
    assert [j.name for j in await _jobs_named(client, display)] == [job.name]

    # A new rule set revision: the unpinned schedule takes it at its next run, the pinned one does not.
    await client.rules.update_rule_set(
        rule_service_pb2.UpdateRuleSetRequest(
            rule_set=rule_set_pb2.RuleSet(name=rs.name, description="v2"),
            update_mask=field_mask_pb2.FieldMask(paths=["description"]),
        )
    )
    clock.set(_utc(2026, 6, 2, 9, 0, 5))
    await _tick(server)
    second = await _get(client, latest.name)
    assert second.last_scan_job not in ("", after.last_scan_job)
    latest_job = (await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=second.last_scan_job))).scan_job
    assert latest_job.rule_set == f"{rs.name}@2"
    pinned_after = await _get(client, pinned.name)
    pinned_job = (
        await client.orchestration.get_scan_job(orch.GetScanJobRequest(name=pinned_after.last_scan_job))
    ).scan_job
    assert pinned_job.rule_set == f"{rs.name}@1" and pinned_job.schedule == pinned.name
    assert len(await _jobs_named(client, display + "-pinned")) == 2  # it fired on both days


async def test_a_paused_schedule_does_not_fire(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock, server: ServerThread
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    display = _id("paused")
    clock.set(_utc(2026, 6, 1, 8, 10))
    created = await _create(
        client, made, display_name=display, rule_set=rs.name, data_sources=[source.name], cron="*/5 * * * *"
    )
    await _update(client, schedule_pb2.Schedule(name=created.name, paused=True), "paused")
    clock.set(_utc(2026, 6, 3, 0, 0))
    await _tick(server)
    after = await _get(client, created.name)
    assert after.paused and after.last_scan_job == "" and not after.HasField("last_run_time")
    assert await _jobs_named(client, display) == []


async def test_missed_runs_fire_once(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock, server: ServerThread
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    display = _id("missed")
    clock.set(_utc(2026, 6, 1, 8, 10))
    created = await _create(
        client, made, display_name=display, rule_set=rs.name, data_sources=[source.name], cron="0 * * * *"
    )
    down_until = _utc(2026, 6, 4, 17, 42)  # 3 days of hourly runs missed
    clock.set(down_until)
    await _tick(server)
    await _tick(server)
    jobs = await _jobs_named(client, display)
    assert len(jobs) == 1 and jobs[0].schedule == created.name
    after = await _get(client, created.name)
    assert _time(after.next_run_time) == _utc(2026, 6, 4, 18, 0)  # the next one after now, no backlog
    assert after.last_scan_job == jobs[0].name


async def test_two_schedulers_firing_at_once_make_one_job(
    client: ScanRulesClient, made: list[str], tmp_path: Path, clock: MovableClock, server: ServerThread
) -> None:
    """A second server on the same database (or a retry after a crash) cannot make a second job."""
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    display = _id("race")
    clock.set(_utc(2026, 6, 1, 8, 10))
    created = await _create(
        client, made, display_name=display, rule_set=rs.name, data_sources=[source.name], cron="15 8 * * *"
    )
    clock.set(_utc(2026, 6, 1, 8, 16))
    running = server.running
    assert running is not None and running.orchestrator is not None

    async def both() -> list[list[Fired]]:
        assert running.orchestrator is not None
        others = [Scheduler(running.db, running.orchestrator, clock) for _ in range(2)]
        return list(await asyncio.gather(*(s.tick() for s in others)))

    results = await server.run(both())
    await _tick(server)
    jobs = await _jobs_named(client, display)
    assert len(jobs) == 1
    fired = [f for ticks in results for f in ticks if f.schedule_id == created.name.removeprefix("schedules/")]
    assert all(not f.error for f in fired)
    assert (await _get(client, created.name)).last_scan_job == jobs[0].name


@pytest.mark.parametrize(
    ("breakage", "outcome"), [("delete the rule set", "NOT_FOUND"), ("remove the source file", "FAILED_PRECONDITION")]
)
async def test_a_failed_fire_is_audited_and_the_schedule_moves_on(
    client: ScanRulesClient,
    made: list[str],
    tmp_path: Path,
    clock: MovableClock,
    server: ServerThread,
    breakage: str,
    outcome: str,
) -> None:
    rs = await _rule_set(client)
    source = await _source(client, tmp_path)
    display = _id("broken")
    clock.set(_utc(2026, 6, 1, 8, 10))
    created = await _create(
        client, made, display_name=display, rule_set=rs.name, data_sources=[source.name], cron="0 9 * * *"
    )
    if breakage == "delete the rule set":
        await client.rules.delete_rule_set(rule_service_pb2.DeleteRuleSetRequest(name=rs.name))
    else:
        Path(source.uri).unlink()
    clock.set(_utc(2026, 6, 1, 9, 0, 30))
    await _tick(server)
    after = await _get(client, created.name)
    assert _time(after.next_run_time) == _utc(2026, 6, 2, 9, 0)  # moved on, no retry storm
    assert after.last_scan_job == "" and not after.HasField("last_run_time")
    assert await _jobs_named(client, display) == []
    events = await client.monitoring.list_audit_events(
        monitoring_service_pb2.ListAuditEventsRequest(
            filter=f'principal = "system:scheduler" AND resource = "{created.name}"'
        )
    )
    assert [(e.rpc, e.outcome) for e in events.audit_events] == [("scanrules scheduler (fire)", outcome)]
