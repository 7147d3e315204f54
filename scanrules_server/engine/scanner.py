"""Scan tables with a compiled rule set: stream batches, evaluate, decide, then
resolve graph rules (foreign keys to classified columns) once every column is known."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .column import ColumnInfo
from .compiler import CompiledRuleSet
from .decision import Finding, decide_column
from .evaluate import ColumnEvaluator, ColumnState

MAX_GRAPH_ROUNDS = 8


@dataclass
class Table:
    """A table to scan: its columns and an iterator of batches (column name -> values)."""

    name: str
    columns: Sequence[ColumnInfo]
    batches: Iterable[Mapping[str, Sequence[object]]]


@dataclass
class ScanStats:
    tables: int = 0
    columns: int = 0
    rows: int = 0
    values: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        secs = self.seconds or 1e-9
        return {
            "tables": self.tables,
            "columns": self.columns,
            "rows": self.rows,
            "values": self.values,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 4),
            "values_per_second": round(self.values / secs),
            "mb_per_second": round(self.bytes / secs / 1e6, 2),
        }


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)


def feed(evaluators: Mapping[str, ColumnEvaluator], batches: Iterable[Mapping[str, Sequence[object]]]) -> int:
    """Every batch into its columns' evaluators; returns the rows read (a partition's scan runs this too)."""
    rows = 0
    for batch in batches:
        n_rows = 0
        for name, values in batch.items():
            evaluator = evaluators.get(name)
            if evaluator is None:
                continue
            n_rows = max(n_rows, len(values))
            evaluator.add(list(values))
        rows += n_rows
    return rows


def scan_tables(
    compiled: CompiledRuleSet,
    tables: Iterable[Table],
    validation_budget: int = 1024,
) -> ScanResult:
    """Scan every table; memory is bounded by one batch plus per-column counters."""
    started = time.perf_counter()
    stats = ScanStats()
    states: list[ColumnState] = []
    findings: list[Finding] = []
    for table in tables:
        stats.tables += 1
        evaluators = {c.name: ColumnEvaluator(compiled, c, validation_budget) for c in table.columns}
        stats.columns += len(evaluators)
        stats.rows += feed(evaluators, table.batches)
        for evaluator in evaluators.values():
            profile = evaluator.state.profile
            stats.values += profile.non_null
            stats.bytes += profile.length_sum
            findings.extend(decide_column(compiled, evaluator.state))
            states.append(evaluator.state)
    if any(rule.is_graph for rule in compiled.rules):
        findings.extend(_graph_phase(compiled, states, findings))
    stats.seconds = time.perf_counter() - started
    findings.sort(key=lambda f: (f.table, f.column, -f.confidence))
    return ScanResult(findings, stats)


def _graph_phase(compiled: CompiledRuleSet, states: list[ColumnState], findings: list[Finding]) -> Iterator[Finding]:
    """Graph rules, repeated until no new finding appears (a chain of foreign keys)."""
    classified: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        classified.setdefault((f.table, f.column), set()).add(f.classification)

    def lookup(info: ColumnInfo, classification: str) -> bool:
        return info.references is not None and classification in classified.get(info.references, set())

    done: set[tuple[str, str, str]] = set()
    for _ in range(MAX_GRAPH_ROUNDS):
        new = []
        for state in states:
            for finding in decide_column(compiled, state, lookup, graph_phase=True):
                key = (finding.table, finding.column, finding.classification)
                if key not in done:
                    done.add(key)
                    new.append(finding)
        if not new:
            return
        for finding in new:
            classified.setdefault((finding.table, finding.column), set()).add(finding.classification)
            yield finding
