"""What runs inside an executor's worker process: one work unit (one table, or partition of one, of one
source). It first takes the table's content fingerprint: if it equals `skip_if_fingerprint` (the last
successful scan's, with the same rules) nothing is read and the unit says `unchanged`."""

from __future__ import annotations

import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..connectors.base import Partition, Sampling, TableSchema, open_source
from ..domain.errors import SourceError
from ..engine.column import ColumnInfo
from ..engine.compiler import CompiledRuleSet
from ..engine.partials import scan_partial
from ..engine.scanner import Table, scan_tables

BATCH_SIZE = 2048

#: the compiled rule set last loaded by this thread: one per thread, because a compiled set holds one
#: Hyperscan scratch that two threads cannot scan with at once (Dask workers may run several threads)
_cache = threading.local()


def _load(key: str, data: bytes, path: str = "") -> CompiledRuleSet:
    cached: tuple[str, CompiledRuleSet] | None = getattr(_cache, "compiled", None)
    if cached is None or cached[0] != key:
        if path:
            with open(path, "rb") as file:
                data = file.read()
        cached = (key, CompiledRuleSet.loads(data))  # keeps one: bounded memory per thread
        _cache.compiled = cached
    return cached[1]


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
    #: where `compiled` was written instead (the local executor: one file per rule set, not megabytes per call)
    compiled_path: str = ""
    partition: dict[str, Any] | None = None  # Partition.to_dict(); None: the whole table
    partial: bool = False  # return mergeable statistics (a partition) instead of findings
    skip_if_fingerprint: str = ""
    #: the unit whose results an unchanged table reuses (echoed back with `unchanged`)
    reuse_unit: int = 0


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
    """Scan one table or partition; returns findings (as dicts) or a partial, and stats. Raises on any failure
    (the orchestrator retries)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    compiled = _load(spec.compiled_key, spec.compiled, spec.compiled_path)
    table = table_from_spec(spec.table)
    sampling = Sampling(**spec.sampling)
    partition = Partition.from_dict(spec.partition) if spec.partition else None
    types = {c.name: c.type for c in table.columns}
    result: dict[str, Any] = {"findings": [], "rows_read": 0}
    with open_source(spec.uri, password=spec.password) as connector:
        try:
            fingerprint = connector.fingerprint(table)
        except SourceError:
            fingerprint = ""  # no fingerprint: never skipped next time, still scanned now
        if spec.skip_if_fingerprint and fingerprint == spec.skip_if_fingerprint:
            result["unchanged"], result["reuse_unit"] = True, spec.reuse_unit
        else:
            batches = connector.batches(table, sampling, BATCH_SIZE, partition=partition)
            if spec.partial:
                partial = scan_partial(compiled, Table(table.qualified, table.columns, batches))
                result["partial"] = partial
                result["rows_read"] = int(partial["stats"]["rows"])
            else:
                scanned = scan_tables(compiled, [Table(table.qualified, table.columns, batches)])
                for f in scanned.findings:
                    item = f.to_dict()
                    item["sampling_strategy"] = sampling.effective
                    item["column_type"] = types.get(f.column, "")
                    result["findings"].append(item)
                result["rows_read"] = scanned.stats.rows
    result.update(
        fingerprint=fingerprint,
        cpu_seconds=time.process_time() - cpu0,
        wall_seconds=time.perf_counter() - wall0,
        peak_memory_bytes=_peak_memory_bytes(),
    )
    return result
