"""Creating scan jobs: the one path shared by CreateScanJob, ExecuteRules and schedules.

A job is checked (rule set revision or ad hoc rules compile, sources exist, dependencies exist, executor is
configured), planned into work units, and stored with ALL its units in one transaction before anything runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..api.context import Database
from ..domain.errors import FailedPreconditionError, InvalidArgumentError, Violation
from ..domain.resources import rule_set_name
from ..persistence import data_sources as source_repo
from ..persistence import rules as rule_repo
from ..persistence import scan_jobs as repo
from ..persistence.models import ScanJobRow
from ..services.rules import check_policy
from .orchestrator import Orchestrator
from .planning import KEY_SEPARATOR, scan_settings_digest

EXECUTORS = ("local", "dask")
STRATEGIES = ("PARALLEL", "SEQUENTIAL", "ADAPTIVE")
#: Longest retry back-off: the orchestrator dates the next attempt, and past year 9999 there is no date.


@dataclass
class JobRequest:
    """What a new scan job needs; `rule_set` XOR `rules` (ad hoc)."""

    job_id: str
    source_ids: list[str]
    rule_set: str = ""  # ruleSets/{id} or ruleSets/{id}@{revision}
    rules: list[str] = field(default_factory=list)  # ad hoc: rules/{id}[@{revision}]
    include_builtin: bool = False  # ad hoc only
    policy: dict[str, Any] = field(default_factory=dict)  # ad hoc: the policy; else overrides of the rule set's
    display_name: str = ""
    priority: int = 0
    strategy: str = "ADAPTIVE"
    max_concurrency_per_source: int = 0
    executor: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)  # job ids
    force: bool = False
    schedule: str = ""  # schedule id
    request_id: str | None = None
    validate_only: bool = False
    #: field-path prefix for violations (`scan_job` or `` for ExecuteRules)
    field_prefix: str = "scan_job"


def merge_override(policy: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """The rule set's policy with the job's non-zero overrides."""
    merged = dict(policy)
    for key, value in override.items():
        if key == "retry_policy":
            merged["retry_policy"] = {**policy.get("retry_policy", {}), **{k: v for k, v in value.items() if v}}
        elif key not in ("include_builtin", "labels") and value not in (None, "", 0, 0.0, []):
            merged[key] = value
    return merged


def ad_hoc_key(rules: list[str], include_builtin: bool) -> str:
    """The rules key of an ad hoc job: equal rule revisions give equal keys (so rescans can skip)."""
    digest = hashlib.sha256(json.dumps([sorted(rules), include_builtin]).encode()).hexdigest()[:32]
    return f"rules:{digest}"


def _path(req: JobRequest, name: str) -> str:
    return f"{req.field_prefix}.{name}" if req.field_prefix else name


OnCreate = Callable[[AsyncSession, ScanJobRow], Awaitable[None]]


async def submit_job(
    db: Database, orchestrator: Orchestrator, req: JobRequest, on_create: OnCreate | None = None
) -> tuple[ScanJobRow, repo.JobCounts]:
    """Check, plan and store a job; replays a request_id already served. `on_create` runs in the creating
    transaction (the audit event). Wakes the orchestrator."""
    executor = req.executor or orchestrator.default_executor
    if executor not in EXECUTORS:
        raise InvalidArgumentError([Violation(_path(req, "executor"), "`local` or `dask`")])
    if executor not in orchestrator.executors:
        raise FailedPreconditionError(
            f"executor {executor!r} is not configured on this server (serve --executor dask --dask-address tcp://…)"
        )
    if req.strategy not in STRATEGIES:
        raise InvalidArgumentError([Violation(_path(req, "strategy"), "PARALLEL, SEQUENTIAL or ADAPTIVE")])
    async with db.transaction(write=False) as session:
        done = await repo.replay(session, req.request_id)
        if done is not None:
            return done, await repo.counts(session, done.scan_job_id)
        for i, dep in enumerate(req.depends_on):
            if dep == req.job_id:
                raise InvalidArgumentError([Violation(_path(req, f"depends_on[{i}]"), "a job cannot depend on itself")])
            await repo.get_job(session, dep)  # NOT_FOUND names the missing job
        if req.rule_set:
            rule_set = await orchestrator.resolve_rule_set(session, req.rule_set, _path(req, "rule_set"))
            revision = rule_set_name(rule_set.rule_set_id, rule_set.revision_id)
            policy = check_policy(merge_override(rule_set.policy, req.policy), _path(req, "policy_override"))
            rules: list[str] = []
            rules_key = revision
        else:
            revision = ""
            rules = await rule_repo.pin_rule_revisions(session, req.rules, field=_path(req, "rules"))
            if not rules and not req.include_builtin:
                raise InvalidArgumentError(
                    [Violation(_path(req, "rules"), "name at least one rule (or include_builtin)")]
                )
            policy = check_policy(req.policy, _path(req, "policy"))
            rules_key = ad_hoc_key(rules, req.include_builtin)
        for source_id in req.source_ids:
            await source_repo.get_data_source(session, source_id)
        # Fails fast on rules that do not compile; the compiled set is cached for the units.
        await orchestrator.compiled(session, rules_key, rules=rules, include_builtin=req.include_builtin)
        rules_key = f"{rules_key}{KEY_SEPARATOR}{scan_settings_digest(policy)}"
        strategy = req.strategy
        units = await orchestrator.plan_units(session, req.source_ids, policy, strategy)
    values = {
        "display_name": req.display_name,
        "rule_set": revision,
        "rules": rules,
        "include_builtin": req.include_builtin,
        "data_sources": req.source_ids,
        "priority": req.priority or int(policy["priority"]),
        "strategy": strategy,
        "max_concurrency_per_source": req.max_concurrency_per_source,
        "policy": policy,
        "executor": executor,
        "labels": dict(req.labels),
        "depends_on": list(req.depends_on),
        "blocked": bool(req.depends_on),
        "force": req.force,
        "schedule": req.schedule,
    }
    async with db.transaction(rollback=req.validate_only) as session:
        job = await repo.replay(session, req.request_id)
        if job is None:
            job, created = await repo.create_job(session, req.job_id, values, units, req.request_id, rules_key)
            if created:
                if not units and not req.depends_on:
                    job.state, job.end_time = repo.SUCCEEDED, job.create_time
                await session.flush()
                if on_create is not None:
                    await on_create(session, job)
        counts = await repo.counts(session, job.scan_job_id)
    if not req.validate_only:
        orchestrator.wake()
    return job, counts
