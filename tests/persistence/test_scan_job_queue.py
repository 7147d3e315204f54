"""The work-unit queue: what the scheduling loop reads, in order, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scanrules_server.domain.errors import AlreadyExistsError
from scanrules_server.persistence import scan_jobs as repo


def _values(priority: int, **extra: Any) -> dict[str, Any]:
    return {
        "display_name": "",
        "rule_set": "ruleSets/x@1",
        "data_sources": ["src"],
        "priority": priority,
        "strategy": "PARALLEL",
        "max_concurrency_per_source": 0,
        "policy": {},
        "executor": "local",
        "labels": {},
        "rules": [],
        "include_builtin": False,
        "depends_on": [],
        "blocked": False,
        "force": False,
        "schedule": "",
        **extra,
    }


def _units(n: int) -> list[repo.UnitPlan]:
    return [repo.UnitPlan("src", "main", f"t{i}", {"schema": "main", "name": f"t{i}", "columns": []}) for i in range(n)]


async def test_the_queue_is_priority_then_age_then_plan_order(session: AsyncSession) -> None:
    low, _ = await repo.create_job(session, "low", _values(2), _units(3), None, "k")
    high, _ = await repo.create_job(session, "high", _values(9), _units(2), None, "k")
    blocked, _ = await repo.create_job(session, "blocked", _values(10, blocked=True), _units(2), None, "k")
    later_high, _ = await repo.create_job(session, "later-high", _values(9), _units(1), None, "k")
    await session.flush()
    now = datetime.now(UTC)
    queue = await repo.runnable_units(session, now, 100)
    assert [(u.scan_job_id, u.rules_key) for u in queue] == [
        ("high", "k"),
        ("high", "k"),
        ("later-high", "k"),
        ("low", "k"),
        ("low", "k"),
        ("low", "k"),
    ]
    assert blocked.scan_job_id not in {u.scan_job_id for u in queue}  # waiting for dependencies
    await repo.set_blocked(session, blocked, False)  # its dependencies succeeded: it goes first (priority 10)
    assert [u.scan_job_id for u in await repo.runnable_units(session, now, 100)][:2] == ["blocked", "blocked"]
    await repo.set_blocked(session, blocked, True)
    seqs = [u.unit_seq for u in queue if u.scan_job_id == "low"]
    assert seqs == sorted(seqs)  # plan order within a job
    assert len(await repo.runnable_units(session, now, 2)) == 2

    # a unit backing off is not runnable until its time; a RUNNING one never
    units = await repo.units_of(session, high.scan_job_id)
    units[0].next_attempt_time = now + timedelta(minutes=5)
    units[1].state = repo.RUNNING
    await session.flush()
    assert [u.scan_job_id for u in await repo.runnable_units(session, now, 100)][:1] == ["later-high"]
    later = await repo.runnable_units(session, now + timedelta(minutes=6), 100)
    assert [u.unit_seq for u in later][:1] == [units[0].seq]
    assert later_high.seq > high.seq > low.seq


async def test_a_create_racing_a_committed_twin_replays_it(session: AsyncSession) -> None:
    """Two creates with one request id (a schedule fired by two schedulers): the one that finds the job already
    made after its replay check gets that job back, not ALREADY_EXISTS, and knows it did not create it."""
    request_id = str(uuid.uuid4())
    first, created = await repo.create_job(session, "twin", _values(5), _units(2), request_id, "k")
    assert created
    again, created_again = await repo.create_job(session, "twin", _values(5), _units(2), request_id, "k")
    assert (again.seq, created_again) == (first.seq, False)
    assert len(await repo.units_of(session, "twin")) == 2  # no second set of units
    with pytest.raises(AlreadyExistsError):
        await repo.create_job(session, "twin", _values(5), _units(2), str(uuid.uuid4()), "k")
