"""Schedules: recurring scan jobs on a five-field cron expression read in an IANA time zone.

A schedule stores its data sources as ids (like scan jobs) and its rule set as given: `ruleSets/x` runs the
latest revision at each run, `ruleSets/x@N` stays pinned. `next_run_time` is computed here (in the schedule's
zone, stored in UTC) and is None while the schedule is paused.

The etag covers what a client can write: firing (`record_fire`) changes only the output-only run fields
(`next_run_time`, `last_run_time`, `last_scan_job`) and leaves the etag and `update_time` alone, so a
client's read-modify-write does not fail with ABORTED just because a run happened in between.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.filtering import parse_filter
from ..domain.resources import RESOURCE_ID_PATTERN, RULE_SETS, is_valid_resource_id
from . import _checks as c
from . import data_sources as source_repo
from . import idempotency
from . import rule_sets as rule_set_repo
from ._store import Spec, Store
from .filters import FieldKind, FilterField, build_where
from .models import ScheduleRow

SCHEDULES = "schedules"
CREATE_SCHEDULE_METHOD = "CreateSchedule"
DEFAULT_TIME_ZONE = "UTC"
MAX_PRIORITY = 10
MAX_DATA_SOURCES = 100
MAX_CRON_LENGTH = 255  # the column's size
#: How many due schedules one `due` call returns (the scheduler comes back for the rest).
DUE_BATCH = 100

#: Fields a client sets on create and may change on update.
WRITABLE_FIELDS: tuple[str, ...] = (
    "display_name",
    "rule_set",
    "data_sources",
    "cron",
    "time_zone",
    "paused",
    "priority",
)

_RULE_SET_NAME = re.compile(rf"^{RULE_SETS}/({RESOURCE_ID_PATTERN})(?:@([1-9][0-9]{{0,9}}))?$")
_DATA_SOURCE_NAME = re.compile(rf"^dataSources/({RESOURCE_ID_PATTERN})$")
#: croniter's random (`R`, `R(0-10)`) values: a schedule must fire at the same times every day.
_RANDOM_PART = re.compile(r"(?:^|[,/])[Rr](?:$|[(,/])")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    schedule_id: str
    display_name: str = ""
    rule_set: str = ""
    #: data source ids (not names)
    data_sources: list[str] = field(default_factory=list)
    cron: str = ""
    time_zone: str = DEFAULT_TIME_ZONE
    paused: bool = False
    priority: int = 0
    next_run_time: datetime | None = None
    last_run_time: datetime | None = None
    #: scan job id (not name) of the last job created, "" before the first run
    last_scan_job: str = ""
    etag: str
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        return f"{SCHEDULES}/{self.schedule_id}"


SCHEDULE_FILTER_FIELDS: dict[str, FilterField] = {
    "schedule_id": FilterField(ScheduleRow.schedule_id, FieldKind.STRING),
    "display_name": FilterField(ScheduleRow.display_name, FieldKind.STRING),
    "rule_set": FilterField(ScheduleRow.rule_set, FieldKind.STRING),
    "paused": FilterField(ScheduleRow.paused, FieldKind.BOOL),
    "time_zone": FilterField(ScheduleRow.time_zone, FieldKind.STRING),
    "next_run_time": FilterField(ScheduleRow.next_run_time, FieldKind.TIMESTAMP),
}

# The real checks are `_checked` below (they name `schedule.<field>`); these only keep the rows sane.
_STORE_CHECKS: dict[str, c.Check] = {
    "display_name": c.text,
    "rule_set": c.text,
    "data_sources": c.text_list,
    "cron": c.text,
    "time_zone": c.text,
    "paused": c.boolean,
    "priority": c.count,
}

_store: Store[Schedule] = Store(
    Spec(
        resource=Schedule,
        collection=SCHEDULES,
        noun="schedule",
        id_field="schedule_id",
        row=ScheduleRow,
        revision_row=None,
        checks=_STORE_CHECKS,
        filter_fields=SCHEDULE_FILTER_FIELDS,
        create_method=CREATE_SCHEDULE_METHOD,
    )
)


# ---- cron and time zones ---------------------------------------------------------------------------


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone `name` ("" -> UTC); ValueError with a reason otherwise."""
    name = name or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{name!r} is not an IANA time zone name like 'Europe/Paris' or 'UTC'") from None


def check_cron(expression: str) -> str:
    """The expression, stripped, if croniter parses it as exactly five fields; ValueError with the reason."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError("required: five fields (minute hour day-of-month month day-of-week), e.g. '0 3 * * 1-5'")
    if len(expression) > MAX_CRON_LENGTH:
        raise ValueError(f"at most {MAX_CRON_LENGTH} characters")
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected exactly five fields (minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    if any(_RANDOM_PART.search(f) for f in fields):
        raise ValueError("random values (R) are not supported: a schedule fires at the same times every day")
    try:
        croniter(" ".join(fields), datetime(2000, 1, 1))
    except CroniterError as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    return " ".join(fields)


def next_fire_time(cron: str, time_zone: str, after: datetime) -> datetime:
    """The first time strictly after `after` (aware) that `cron` matches, read in `time_zone`; in UTC.

    The expression matches wall-clock times in the zone. A time skipped by a daylight-saving change (e.g.
    02:30 on the spring-forward night) fires at the same offset as before the change, i.e. one hour later on
    the clock; a time repeated by a fall-back change fires once, the first time. Raises ValueError when the
    expression never matches (e.g. `0 0 30 2 *`).
    """
    zone = zone_of(time_zone)
    after = after.astimezone(UTC)
    # Start a little before `after` in wall time, so a skipped (shifted) time just before it is considered.
    start = after.astimezone(zone).replace(tzinfo=None) - timedelta(hours=3)
    try:
        it = croniter(cron, start)
        for _ in range(100_000):
            wall: datetime = it.get_next(datetime)
            instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeated time
            if instant > after:
                return instant
    except CroniterError as exc:
        raise ValueError(f"never fires ({exc})") from None
    raise ValueError("never fires")  # pragma: no cover - five fields always match within 100000 steps


# ---- validation ------------------------------------------------------------------------------------


def _checked(fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Syntactic checks of writable fields; INVALID_ARGUMENT with `schedule.<field>` violations."""
    problems: list[Violation] = []
    out: dict[str, Any] = {}

    def bad(name: str, description: str) -> None:
        problems.append(Violation(f"schedule.{name}", description))

    for key in fields:
        if key not in WRITABLE_FIELDS:
            bad(str(key), f"is not a field of schedule that can be set; settable: {', '.join(WRITABLE_FIELDS)}")
    if creating:
        for key in ("rule_set", "data_sources", "cron"):
            if key not in fields:
                bad(key, "required")
    if "display_name" in fields:
        if not isinstance(fields["display_name"], str):
            bad("display_name", "must be a string")
        else:
            out["display_name"] = fields["display_name"]
    if "rule_set" in fields:
        value = fields["rule_set"]
        if not isinstance(value, str) or not _RULE_SET_NAME.match(value):
            bad("rule_set", f"expected ruleSets/{{rule_set}} or ruleSets/{{rule_set}}@{{revision}}, got {value!r}")
        else:
            out["rule_set"] = value
    if "data_sources" in fields:
        names = fields["data_sources"]
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            bad("data_sources", "must be a list of dataSources/{data_source} names")
        elif not names:
            bad("data_sources", "name at least one data source")
        elif len(names) > MAX_DATA_SOURCES:
            bad("data_sources", f"at most {MAX_DATA_SOURCES} data sources")
        else:
            ids: list[str] = []
            for i, name in enumerate(names):
                m = _DATA_SOURCE_NAME.match(name) if isinstance(name, str) else None
                if m is None:
                    bad(f"data_sources[{i}]", f"expected dataSources/{{data_source}}, got {name!r}")
                elif m.group(1) in ids:
                    bad(f"data_sources[{i}]", f"{name} is listed twice")
                else:
                    ids.append(m.group(1))
            out["data_sources"] = ids
    if "cron" in fields:
        try:
            out["cron"] = check_cron(fields["cron"])
        except ValueError as exc:
            bad("cron", str(exc))
    if "time_zone" in fields:
        value = fields["time_zone"]
        try:
            if not isinstance(value, str):
                raise ValueError("must be a string")
            out["time_zone"] = zone_of(value).key
        except ValueError as exc:
            bad("time_zone", str(exc))
    if "paused" in fields:
        if not isinstance(fields["paused"], bool):
            bad("paused", "must be true or false")
        else:
            out["paused"] = fields["paused"]
    if "priority" in fields:
        value = fields["priority"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRIORITY:
            bad("priority", f"must be between 1 and {MAX_PRIORITY} (0: the rule set's), got {value!r}")
        else:
            out["priority"] = value
    if problems:
        raise InvalidArgumentError(problems)
    return out


async def _check_references(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """NOT_FOUND for a rule set (revision) or data source that does not exist."""
    if "rule_set" in values:
        m = _RULE_SET_NAME.match(values["rule_set"])
        assert m is not None  # checked by `_checked`
        await rule_set_repo.get_rule_set(session, m.group(1), m.group(2))
    for source_id in values.get("data_sources", ()):
        await source_repo.get_data_source(session, source_id)


def _next_run(cron: str, time_zone: str, paused: bool, now: datetime) -> datetime | None:
    """The next fire time after `now`, None while paused; INVALID_ARGUMENT if the cron never fires."""
    try:
        next_run = next_fire_time(cron, time_zone, now)
    except ValueError as exc:
        raise InvalidArgumentError([Violation("schedule.cron", str(exc))]) from None
    return None if paused else next_run


# ---- standard methods ------------------------------------------------------------------------------


async def create_schedule(
    session: AsyncSession,
    schedule_id: str,
    fields: Mapping[str, Any],
    request_id: str | None = None,
    *,
    now: datetime,
) -> Schedule:
    """A new schedule with `next_run_time` computed from `now`. `fields` hold the writable fields, with
    `data_sources` as `dataSources/{id}` names. INVALID_ARGUMENT, NOT_FOUND (rule set, data source),
    ALREADY_EXISTS; idempotent on `request_id` (a retry returns the schedule first created)."""
    request_id = idempotency.check_request_id(request_id)
    await _store.lock_for_write(session)
    if request_id is not None:
        done = await idempotency.lookup(session, CREATE_SCHEDULE_METHOD, request_id)
        if done is not None:
            return await get_schedule(session, done.resource_name.split("/", 1)[1])
    id_problems = []
    if not isinstance(schedule_id, str) or not is_valid_resource_id(schedule_id):
        id_problems.append(
            Violation("schedule_id", f"{schedule_id!r} is not a valid id (must match {RESOURCE_ID_PATTERN})")
        )
    try:
        values = _checked(fields, creating=True)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(id_problems + exc.violations) from None
    if id_problems:
        raise InvalidArgumentError(id_problems)
    values.setdefault("time_zone", DEFAULT_TIME_ZONE)
    await _check_references(session, values)
    next_run = _next_run(values["cron"], values["time_zone"], bool(values.get("paused", False)), now)
    return await _store.create(
        session,
        schedule_id,
        values,
        request_id,
        system={"next_run_time": next_run, "last_run_time": None, "last_scan_job": ""},
    )


async def get_schedule(session: AsyncSession, schedule_id: str) -> Schedule:
    return await _store.get(session, schedule_id)


async def list_schedules(
    session: AsyncSession, page_size: int | None = 0, page_token: str | None = "", filter: str | None = ""
) -> tuple[list[Schedule], str, int]:
    """A page in creation order, the next page token, and how many schedules match the filter."""
    items, token = await _store.list_resources(session, page_size, page_token, filter)
    where = build_where(parse_filter(filter or ""), SCHEDULE_FILTER_FIELDS)
    total = int(await session.scalar(select(func.count()).select_from(ScheduleRow).where(where)) or 0)
    return items, token, total


async def update_schedule(
    session: AsyncSession,
    schedule_id: str,
    changes: Mapping[str, Any],
    etag: str | None = None,
    *,
    now: datetime,
) -> Schedule:
    """Change writable fields (ABORTED on an etag mismatch). Pausing clears `next_run_time`; resuming or a
    new cron or time zone recomputes it from `now`."""
    values = _checked(changes, creating=False)
    await _check_references(session, values)
    await _store.lock_for_write(session)
    row = await _store.existing_row(session, schedule_id, lock=True)
    _store.check_etag(row, etag)
    cron = values.get("cron", row.cron)
    time_zone = values.get("time_zone", row.time_zone)
    paused = values.get("paused", row.paused)
    if paused or row.paused or row.next_run_time is None or cron != row.cron or time_zone != row.time_zone:
        values["next_run_time"] = _next_run(cron, time_zone, paused, now)
    resource = _store.apply(session, row, values)
    await session.flush()
    return resource


async def delete_schedule(session: AsyncSession, schedule_id: str, etag: str | None = None) -> None:
    """NOT_FOUND, or ABORTED when `etag` is given and stale. Jobs the schedule created stay."""
    await _store.delete(session, schedule_id, etag)


# ---- firing ----------------------------------------------------------------------------------------


async def due(session: AsyncSession, now: datetime, limit: int = DUE_BATCH) -> list[Schedule]:
    """Schedules not paused whose `next_run_time` is at or before `now`, earliest first."""
    rows = await session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.paused.is_(False), ScheduleRow.next_run_time.is_not(None), ScheduleRow.next_run_time <= now)
        .order_by(ScheduleRow.next_run_time, ScheduleRow.seq)
        .limit(limit)
    )
    return [_store.resource_of(r) for r in rows]


async def record_fire(
    session: AsyncSession,
    schedule_id: str,
    fire_time: datetime,
    *,
    now: datetime,
    scan_job_id: str | None,
) -> Schedule | None:
    """Lock the schedule and, if it is still due for `fire_time` (not paused, not changed, not fired by
    someone else), set `next_run_time` to its next fire time after `now` and, when a job was created
    (`scan_job_id`), `last_run_time` (`now`) and `last_scan_job`. Returns the schedule, or None when it is no
    longer due for `fire_time` (nothing changed). Leaves the etag alone (see the module docstring)."""
    await _store.lock_for_write(session)
    row = await _store.row(session, schedule_id, lock=True)
    if row is None or row.paused or row.next_run_time is None or row.next_run_time != fire_time:
        return None
    if row.next_run_time > now:
        return None
    try:
        row.next_run_time = next_fire_time(row.cron, row.time_zone, now)
    except ValueError:
        row.next_run_time = None  # cannot happen for a stored (checked) cron; never fire rather than loop
    if scan_job_id is not None:
        row.last_run_time = now
        row.last_scan_job = scan_job_id
    await session.flush()
    return _store.resource_of(row)
