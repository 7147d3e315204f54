"""What runs inside an executor's worker process: one work unit (one table of one source)."""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ..connectors.base import Sampling, TableSchema, open_source
from ..engine.column import ColumnInfo
from ..engine.compiler import CompiledRuleSet
from ..engine.scanner import Table, scan_tables

BATCH_SIZE = 2048

#: compiled rule sets already loaded in this worker process, by key (the rule set revision)
_compiled: dict[str, CompiledRuleSet] = {}


@dataclass(frozen=True)
class UnitSpec:
    """Everything a worker needs; picklable, no database access."""

    unit_seq: int
    uri: str
    password: str | None
    table: dict[str, Any]  # table_to_spec(TableSchema)
    sampling: dict[str, Any]  # Sampling fields
    compiled_key: str
    compiled: bytes = field(repr=False)


def table_to_spec(table: TableSchema) -> dict[str, Any]:
    return {
        "schema": table.schema,
        "name": table.name,
        "columns": [
            {"name": c.name, "type": c.type, "comment": c.comment, "references": list(c.references or ()) or None}
            for c in table.columns
        ],
        "primary_key": list(table.primary_key),
        "row_estimate": table.row_estimate,
    }


def table_from_spec(spec: dict[str, Any]) -> TableSchema:
    qualified = f"{spec['schema']}.{spec['name']}" if spec["schema"] else spec["name"]
    columns = tuple(
        ColumnInfo(
            qualified,
            c["name"],
            c.get("type", ""),
            c.get("comment", ""),
            tuple(c["references"]) if c.get("references") else None,
        )
        for c in spec["columns"]
    )
    return TableSchema(
        spec["schema"], spec["name"], columns, spec.get("row_estimate"), tuple(spec.get("primary_key") or ())
    )


def _peak_memory_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def run_unit(spec: UnitSpec) -> dict[str, Any]:
    """Scan one table; returns findings (as dicts) and stats. Raises on any failure (the orchestrator retries)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    compiled = _compiled.get(spec.compiled_key)
    if compiled is None:
        compiled = CompiledRuleSet.loads(spec.compiled)
        _compiled.clear()  # keep one: bounded memory per worker
        _compiled[spec.compiled_key] = compiled
    table = table_from_spec(spec.table)
    sampling = Sampling(**spec.sampling)
    types = {c.name: c.type for c in table.columns}
    with open_source(spec.uri, password=spec.password) as connector:
        batches = connector.batches(table, sampling, BATCH_SIZE)
        result = scan_tables(compiled, [Table(table.qualified, table.columns, batches)])
    findings = []
    for f in result.findings:
        item = f.to_dict()
        item["sampling_strategy"] = sampling.effective
        item["column_type"] = types.get(f.column, "")
        findings.append(item)
    return {
        "findings": findings,
        "rows_read": result.stats.rows,
        "cpu_seconds": time.process_time() - cpu0,
        "wall_seconds": time.perf_counter() - wall0,
        "peak_memory_bytes": _peak_memory_bytes(),
    }
