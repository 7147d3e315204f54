"""Planning a job into work units: partitions of large tables, and ADAPTIVE ordering and sizing.

ADAPTIVE uses the cost history of each source, read from earlier execution records:
* order: tables that had findings in their last scan first (a reviewer sees likely positives early), then
  by predicted cost, cheapest first (last scan's duration, else row estimate over the source's rows/s);
* size: the source's measured rows/s times `TARGET_UNIT_SECONDS` gives the rows per partition (bounded),
  unless the policy sets `partition_rows`. Without history it falls back to the policy/default.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..connectors.base import TableSchema, open_source
from ..connectors.filters import filter_tables
from ..domain.errors import SourceError
from ..domain.resources import DataSource
from ..persistence import scan_jobs as repo
from ..persistence.models import ExecutionRow, WorkUnitRow
from ..secretbox import SecretBox
from ..services.data_sources import CONNECT_TIMEOUT_S, scrub
from .worker import table_to_spec

DEFAULT_PARTITION_ROWS = 1_000_000
TARGET_UNIT_SECONDS = 60.0
MIN_ADAPTIVE_PARTITION_ROWS = 50_000
MAX_ADAPTIVE_PARTITION_ROWS = 10_000_000
HISTORY_LIMIT = 2_000  # execution records read per source


#: separates the compiled-rules part of a unit's rules key from the digest of its scan settings
KEY_SEPARATOR = "|"


def scan_settings_digest(policy: dict[str, Any]) -> str:
    """What else decides a unit's findings besides the rules: a rescan with other sampling (or threshold)
    must not reuse results taken with the old one."""
    settings = [policy.get(k) for k in ("sampling_strategy", "sample_size", "sample_percent", "confidence_threshold")]
    return hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:16]


def compile_key(rules_key: str) -> str:
    """A unit's rules key -> the key of its compiled rule set (the rule set revision or ad hoc rules)."""
    return rules_key.split(KEY_SEPARATOR, 1)[0]


@dataclass(frozen=True)
class TableCost:
    """What the last successful scan of a table cost and found."""

    seconds: float
    rows_read: int
    findings: int


@dataclass(frozen=True)
class History:
    tables: dict[tuple[str, str], TableCost]
    rows_per_second: float | None  # over the source's recent executions


async def table_history(session: AsyncSession, source_id: str) -> History:
    rows = (
        await session.execute(
            select(
                WorkUnitRow.table_schema,
                WorkUnitRow.table_name,
                ExecutionRow.duration_seconds,
                ExecutionRow.rows_read,
                ExecutionRow.finding_count,
            )
            .join(WorkUnitRow, WorkUnitRow.seq == ExecutionRow.work_unit_seq)
            .where(
                ExecutionRow.data_source == f"dataSources/{source_id}",
                ExecutionRow.status == "SUCCEEDED",
                ExecutionRow.rows_read > 0,  # not a reused (unchanged) table
            )
            .order_by(ExecutionRow.seq.desc())
            .limit(HISTORY_LIMIT)
        )
    ).all()
    tables: dict[tuple[str, str], TableCost] = {}
    seconds = read = 0.0
    for schema, name, duration, rows_read, findings in rows:
        tables.setdefault((schema, name), TableCost(float(duration), int(rows_read), int(findings)))
        seconds += float(duration)
        read += int(rows_read)
    return History(tables, read / seconds if seconds > 0 else None)


def partition_rows(policy: dict[str, Any], strategy: str, history: History | None) -> int:
    """Rows (read) per partition unit for this job."""
    explicit = int(policy.get("partition_rows") or 0)
    if explicit:
        return explicit
    if strategy == "ADAPTIVE" and history is not None and history.rows_per_second:
        wanted = int(history.rows_per_second * TARGET_UNIT_SECONDS)
        return max(MIN_ADAPTIVE_PARTITION_ROWS, min(MAX_ADAPTIVE_PARTITION_ROWS, wanted))
    return DEFAULT_PARTITION_ROWS


def expected_read_fraction(policy: dict[str, Any], row_estimate: int) -> float:
    """The share of a table's rows a unit reads under the sampling policy."""
    strategy = policy.get("sampling_strategy") or "RANDOM"
    if strategy == "FULL" or row_estimate <= 0:
        return 1.0
    if strategy == "PERCENT":
        return min(1.0, float(policy.get("sample_percent") or 100.0) / 100.0)
    sample = int(policy.get("sample_size") or 0)
    return 1.0 if sample == 0 else min(1.0, sample / row_estimate)


async def discover_partitioned(
    source: DataSource, box: SecretBox, policy: dict[str, Any], rows_per_partition: int
) -> list[tuple[TableSchema, list[dict[str, Any]]]]:
    """The source's tables (after include/exclude), each with its partitions ([] for a whole-table unit).

    A table is split when the rows its unit would read exceed `rows_per_partition`: a 10,000-row RANDOM
    sample of a huge table stays one unit; a FULL scan of it does not.
    """
    password = box.open(source.secret) or None

    def run() -> list[tuple[TableSchema, list[dict[str, Any]]]]:
        connector = open_source(source.uri, password=password)
        try:
            tables = filter_tables(connector.discover(), source.include, source.exclude)
            out = []
            for table in tables:
                estimate = int(table.row_estimate or 0)
                fraction = expected_read_fraction(policy, estimate)
                parts: list[dict[str, Any]] = []
                if estimate * fraction > rows_per_partition:
                    table_rows = max(1, math.ceil(rows_per_partition / fraction))
                    parts = [p.to_dict() for p in connector.plan_partitions(table, table_rows)]
                    if parts and "key" in parts[0] and policy.get("sampling_strategy") in ("FULL", "PERCENT"):
                        # Rows inserted after planning beyond the planned min/max belong to the end ranges
                        # (RANDOM and HEAD pick keys within the range, so they keep the real bounds).
                        parts[0]["lo"], parts[-1]["hi"] = -(2**63 - 1), 2**63 - 1
                out.append((table, parts))
            return out
        finally:
            connector.close()

    try:
        return await asyncio.wait_for(asyncio.to_thread(run), CONNECT_TIMEOUT_S * 4)
    except SourceError as exc:
        raise type(exc)(scrub(str(exc), password)) from None


def adaptive_order(
    tables: list[tuple[TableSchema, list[dict[str, Any]]]], history: History | None
) -> list[tuple[TableSchema, list[dict[str, Any]]]]:
    """Likely positives first, then cheapest first (see the module docstring)."""
    if history is None:
        return tables
    rate = history.rows_per_second or 0.0

    def key(item: tuple[TableSchema, list[dict[str, Any]]]) -> tuple[int, float]:
        table = item[0]
        cost = history.tables.get((table.schema, table.name))
        if cost is not None:
            return (0 if cost.findings else 1, cost.seconds)
        estimate = float(table.row_estimate or 0)
        predicted = estimate / rate if rate else estimate
        return (1, predicted)  # never scanned: not known to be positive

    return sorted(tables, key=key)


def unit_plans(source_id: str, table: TableSchema, partitions: list[dict[str, Any]]) -> list[repo.UnitPlan]:
    spec = table_to_spec(table)
    if not partitions:
        return [repo.UnitPlan(source_id, table.schema, table.name, spec)]
    return [
        repo.UnitPlan(source_id, table.schema, table.name, spec, part, index, len(partitions))
        for index, part in enumerate(partitions)
    ]


def unit_sampling(policy: dict[str, Any], partition_count: int) -> dict[str, Any]:
    """The Sampling fields of one unit: a row budget is shared between a table's partitions."""
    rows = int(policy.get("sample_size") or 0)
    if partition_count > 1 and rows:
        rows = math.ceil(rows / partition_count)
    return {
        "strategy": policy.get("sampling_strategy") or "RANDOM",
        "rows": rows,
        "percent": float(policy.get("sample_percent") or 0.0),
    }
