"""Scan one table as several partitions (row ranges), possibly in different processes,
and merge the partial results into the findings one pass over the whole table gives.

`scan_partial` evaluates a partition like `scan_tables` but stops before deciding: it
returns a compact, JSON-safe snapshot of every column's statistics and rule tallies.
`merge_partials` rebuilds and merges those snapshots, then decides once.

What is exact and what is not, compared with one pass over the same rows:

* counts, lengths, min/max values, overlaps: exact (sums, minima, maxima);
* distinct counts: exact when every partition hashed strings with the same seed (same
  process, `fork`ed workers, or a fixed PYTHONHASHSEED) — checked with `hash_probe`;
  otherwise each group of comparable partitions is merged and the groups' counts summed,
  capped at the non-null count (an upper bound), and the result says so;
* validated counts: exact when every match was checked; when the per-column validation
  cap was hit, each partition checked its own sample, so the estimate (from more checks)
  can differ slightly from the single pass's;
* evidence: the first examples in partition order — pass partials in row order.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .column import ColumnInfo, ColumnProfile
from .compiler import CompiledRuleSet
from .decision import Finding, decide_column
from .evaluate import ColumnEvaluator, ColumnState, RuleTally
from .scanner import ScanResult, ScanStats, Table, _graph_phase, feed

PARTIAL_FORMAT = 1
_PROBE_TEXT = "scanrules-kmv-probe"


def hash_probe() -> int:
    """This process's hash of a fixed string: equal values mean comparable distinct sketches."""
    return hash(_PROBE_TEXT)


def ruleset_fingerprint(compiled: CompiledRuleSet) -> str:
    """Identifies the rule list: tallies are keyed by rule index, so partials only merge under the same set."""
    digest = hashlib.sha256()
    for rule in compiled.rules:
        spec = rule.spec
        digest.update(f"{spec.name}\0{spec.classification}\0{spec.expression}\0{spec.confidence_threshold}\1".encode())
    return digest.hexdigest()[:16]


def scan_partial(compiled: CompiledRuleSet, table: Table, validation_budget: int = 1024) -> dict[str, Any]:
    """Evaluate one partition of a table; a JSON-safe partial result for `merge_partials`.

    Shape::

        {"format": 1, "table": str, "ruleset": str, "hash_probe": int,
         "stats": {"rows": int, "values": int, "bytes": int, "seconds": float},
         "columns": {column name: {"profile": ColumnProfile.to_dict(),
                                   "tallies": {str(rule index): RuleTally.to_dict()}}}}
    """
    started = time.perf_counter()
    evaluators = {c.name: ColumnEvaluator(compiled, c, validation_budget) for c in table.columns}
    rows = feed(evaluators, table.batches)  # as scan_tables does, so partitions see what one pass sees
    columns: dict[str, Any] = {}
    n_values = n_bytes = 0
    for name, evaluator in evaluators.items():
        state = evaluator.state
        n_values += state.profile.non_null
        n_bytes += state.profile.length_sum
        # state.constants is not kept: it is a per-process cache keyed by object ids, and decisions recompute it.
        columns[name] = {
            "profile": state.profile.to_dict(),
            "tallies": {str(index): tally.to_dict() for index, tally in state.tallies.items()},
        }
    return {
        "format": PARTIAL_FORMAT,
        "table": table.name,
        "ruleset": ruleset_fingerprint(compiled),
        "hash_probe": hash_probe(),
        "stats": {"rows": rows, "values": n_values, "bytes": n_bytes, "seconds": time.perf_counter() - started},
        "columns": columns,
    }


@dataclass
class BoundedDistinctProfile(ColumnProfile):
    """A merged profile whose distinct sketches were not comparable: `distinct` is an upper bound."""

    distinct_bound: int = 0

    @property
    def distinct(self) -> int:
        return self.distinct_bound


@dataclass
class MergedScanResult(ScanResult):
    """A `ScanResult` that says whether its distinct counts are exact merges of the partitions'."""

    #: False when partitions hashed strings with different seeds (their `hash_probe` differ)
    sketches_comparable: bool = True
    #: columns whose distinct count is the summed upper bound rather than a sketch estimate
    approximate_distinct: list[str] = field(default_factory=list)
    partitions: int = 0
    #: every column's merged statistics, by column name
    profiles: dict[str, ColumnProfile] = field(default_factory=dict)


def _check(compiled: CompiledRuleSet, table_qualified: str, partials: Sequence[dict[str, Any]]) -> None:
    fingerprint = ruleset_fingerprint(compiled)
    for i, partial in enumerate(partials):
        if partial.get("format") != PARTIAL_FORMAT:
            raise ValueError(f"partial {i}: unsupported format {partial.get('format')!r}")
        if partial.get("ruleset") != fingerprint:
            raise ValueError(f"partial {i}: scanned with another rule set (rule indexes would not match)")
        if partial.get("table") != table_qualified:
            raise ValueError(f"partial {i}: belongs to table {partial.get('table')!r}, not {table_qualified!r}")


def _merge_column(
    compiled: CompiledRuleSet, info: ColumnInfo, parts: Sequence[tuple[int, dict[str, Any] | None]]
) -> tuple[ColumnState, bool]:
    """One column's state over every partition; True when its distinct count is the fallback bound."""
    groups: dict[int, ColumnProfile] = {}  # by hash probe: sketches within a group are comparable
    tallies: dict[int, RuleTally] = {}
    for probe, part in parts:
        if part is None:
            continue
        profile = ColumnProfile.from_dict(part["profile"])
        if probe in groups:
            groups[probe].merge(profile)
        else:
            groups[probe] = profile
        for key, data in (part.get("tallies") or {}).items():
            index = int(key)
            if not 0 <= index < len(compiled.rules):
                raise ValueError(f"column {info.name}: rule index {index} out of range")
            tally = RuleTally.from_dict(data)
            if index in tallies:
                tallies[index].merge(tally)
            else:
                tallies[index] = tally
    if len(groups) <= 1:
        merged = next(iter(groups.values()), ColumnProfile())
        return ColumnState(info, merged, tallies), False
    bounded = BoundedDistinctProfile()
    for group in groups.values():
        bounded.merge(group)
    bounded.distinct_bound = min(bounded.non_null, sum(g.distinct for g in groups.values()))
    return ColumnState(info, bounded, tallies), True


def merge_partials(
    compiled: CompiledRuleSet,
    table_qualified: str,
    columns: Sequence[ColumnInfo],
    partials: Sequence[dict[str, Any]],
) -> MergedScanResult:
    """Merge a table's partial results (in row order) and decide, as `scan_tables` does for the whole table.

    `stats.seconds` is the partitions' scan time summed plus the merge's. Raises ValueError for
    partials of another table, rule set or format; differing hash seeds only degrade distinct counts.
    """
    started = time.perf_counter()
    _check(compiled, table_qualified, partials)
    probes = [int(p["hash_probe"]) for p in partials]
    comparable = len(set(probes)) <= 1
    stats = ScanStats(tables=1, columns=len(columns))
    states: list[ColumnState] = []
    findings: list[Finding] = []
    approximate: list[str] = []
    profiles: dict[str, ColumnProfile] = {}
    for info in columns:
        parts = [(probe, (p.get("columns") or {}).get(info.name)) for probe, p in zip(probes, partials, strict=True)]
        state, bounded = _merge_column(compiled, info, parts)
        profiles[info.name] = state.profile
        stats.values += state.profile.non_null
        stats.bytes += state.profile.length_sum
        column_findings = decide_column(compiled, state)
        if bounded:
            approximate.append(info.name)
            for finding in column_findings:
                _note_bounded(finding)
        findings.extend(column_findings)
        states.append(state)
    if any(rule.is_graph for rule in compiled.rules):
        graph_findings = list(_graph_phase(compiled, states, findings))
        for finding in graph_findings:
            if finding.column in approximate:
                _note_bounded(finding)
        findings.extend(graph_findings)
    for partial in partials:
        stats.rows += int(partial["stats"]["rows"])
        stats.seconds += float(partial["stats"].get("seconds", 0.0))
    stats.seconds += time.perf_counter() - started
    findings.sort(key=lambda f: (f.table, f.column, -f.confidence))
    return MergedScanResult(findings, stats, comparable, approximate, len(partials), profiles)


def _note_bounded(finding: Finding) -> None:
    finding.explanation.append(
        {
            "evidence": "statistics",
            "detail": f"distinct count {finding.distinct} is an upper bound: partitions were hashed with different "
            "seeds (set PYTHONHASHSEED for the workers)",
            "effect": 0.0,
        }
    )
