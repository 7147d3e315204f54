"""Column decisions: statistics and evidence become a confidence, with its explanation.

Confidence is built in log-odds from a low prior, one step per piece of evidence,
so that every finding can say how much each piece moved it:

* values  — validated hits exist (+2.5, +1 more from three on: a few strong hits
            are enough for a sparse column),
            plus coverage: 6 × the Wilson lower bound of validated / non-null;
* validator consistency — most shape matches pass their check digit (+), or they
            pass at about chance rate (look-alikes such as random digits: strongly −);
* name    — the rule's `evidence` clause holds for the column (+);
* sample  — very few non-null values (−).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from ..domain import ast
from .column import ColumnInfo, ColumnProfile
from .columnpreds import column_predicate
from .compiler import CompiledRule, CompiledRuleSet
from .evaluate import OPS, ColumnState, RuleTally
from .semantic import similarity

PRIOR = 0.05
OVERLAP_SUPPRESS = 0.8


def wilson_lower(k: int, n: int, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval for k successes in n trials."""
    if n <= 0:
        return 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@dataclass
class Finding:
    table: str
    column: str
    classification: str
    rule: str
    confidence: float
    match_ratio: float
    validated_ratio: float
    matched: int
    validated: int
    sampled: int
    non_null: int
    distinct: int
    validated_estimated: bool
    explanation: list[dict[str, object]]
    evidence: list[str] = field(default_factory=list)
    coverage: float = 0.0
    #: the sampling strategy the scan read the column with (HEAD, RANDOM, PERCENT, FULL); set by the caller
    sampling_strategy: str = ""

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("coverage")
        return out

    def summary(self) -> str:
        parts = [str(e["detail"]) for e in self.explanation]
        return "; ".join(parts)


GraphLookup = Callable[[ColumnInfo, str], bool]


@dataclass
class _Context:
    info: ColumnInfo
    profile: ColumnProfile
    tally: RuleTally
    compiled: CompiledRuleSet
    graph: GraphLookup | None
    scores: list[float] = field(default_factory=list)

    def stat(self, name: str) -> float | None:
        p, t = self.profile, self.tally
        n = p.non_null
        values: dict[str, float | None] = {
            "match_ratio": t.matched / n if n else 0.0,
            "validated_ratio": t.validated / n if n else 0.0,
            "matched": t.matched,
            "validated": t.validated,
            "sampled": p.sampled,
            "non_null": n,
            "distinct": p.distinct,
            "distinct_ratio": p.distinct_ratio,
            "null_ratio": p.null_ratio,
            "min_length": p.min_length,
            "max_length": p.max_length,
            "avg_length": p.avg_length,
            "min_value": p.min_value,
            "max_value": p.max_value,
        }
        return values[name]


def _column_truth(node: ast.Node, ctx: _Context) -> bool:
    if isinstance(node, ast.And):
        return all(_column_truth(i, ctx) for i in node.items)
    if isinstance(node, ast.Or):
        return any(_column_truth(i, ctx) for i in node.items)
    if isinstance(node, ast.Not):
        return not _column_truth(node.item, ctx)
    if isinstance(node, (ast.ColumnRegex, ast.ColumnIn)):
        return column_predicate(node, ctx.info)
    if isinstance(node, ast.StatCmp):
        value = ctx.stat(node.stat)
        return value is not None and bool(OPS[node.op](value, node.number))
    if isinstance(node, ast.SemanticCmp):
        score = similarity(ctx.info.name, ctx.info.comment, node.concept)
        ok = bool(OPS[node.op](score, node.number))
        if ok and node.op in (">", ">="):
            ctx.scores.append(score)
        return ok
    if isinstance(node, ast.ModelCmp):
        score = ctx.compiled.models.score(node.model, ctx.info, ctx.profile)
        ok = bool(OPS[node.op](score, node.number))
        if ok and node.op in (">", ">="):
            ctx.scores.append(score)
        return ok
    if isinstance(node, ast.References):
        return ctx.graph is not None and ctx.graph(ctx.info, node.classification)
    raise TypeError(f"{type(node).__name__} cannot be evaluated for a column")


def _step(steps: list[dict[str, object]], logit: float, delta: float, kind: str, detail: str) -> float:
    before, after = _sigmoid(logit), _sigmoid(logit + delta)
    steps.append({"evidence": kind, "detail": detail, "effect": round(after - before, 4)})
    return logit + delta


def decide_rule(
    rule: CompiledRule,
    tally: RuleTally | None,
    state: ColumnState,
    compiled: CompiledRuleSet,
    graph: GraphLookup | None = None,
) -> Finding | None:
    """The finding this rule makes for the column, or None."""
    profile, info = state.profile, state.info
    tally = tally or RuleTally()
    ctx = _Context(info, profile, tally, compiled, graph)
    if rule.ast.when is not None and not _column_truth(rule.ast.when, ctx):
        return None
    name_ok = rule.ast.evidence is not None and _column_truth(rule.ast.evidence, ctx)
    n = profile.non_null
    steps: list[dict[str, object]] = [{"evidence": "rule", "detail": f"rule {rule.spec.name}", "effect": 0.0}]
    if rule.plan is None:
        confidence = min(ctx.scores) if ctx.scores else 1.0
        what = "column conditions hold"
        if ctx.scores:
            what += f" (score {confidence:.2f})"
        steps.append({"evidence": "column", "detail": what, "effect": round(confidence, 4)})
    else:
        v = tally.validated
        if v == 0:
            return None
        logit = _logit(PRIOR)
        steps.append({"evidence": "prior", "detail": f"prior {PRIOR:.2f}", "effect": PRIOR})
        lb = wilson_lower(v, n)
        verb = "matched and validated" if rule.has_confirmations else "matched"
        approx = "≈" if tally.estimated else ""
        delta = 2.5 + (1.0 if v >= 3 else 0.0) + 6 * lb
        detail = f"{approx}{v} of {n} non-null values {verb} ({v / n:.1%}; Wilson lower bound {lb:.1%})"
        logit = _step(steps, logit, delta, "pattern", detail)
        if rule.has_confirmations and tally.checked:
            share = tally.checked_valid / tally.checked
            checked = f"{tally.checked_valid} of {tally.checked} pattern matches pass validation"
            if tally.checked >= 5 and share < 0.5:
                logit = _step(steps, logit, -6.0, "validator", f"only {checked}: look-alikes, not real values")
            elif share >= 0.9:
                logit = _step(steps, logit, 1.5, "validator", checked)
            else:
                logit = _step(steps, logit, 0.0, "validator", checked)
        if name_ok:
            logit = _step(steps, logit, 2.0, "name", f"column name/comment supports it ({info.name})")
        if n < 10:
            logit = _step(steps, logit, -1.0, "statistics", f"only {n} non-null values sampled")
        confidence = _sigmoid(logit)
    if confidence < rule.spec.confidence_threshold:
        return None
    n = profile.non_null
    return Finding(
        table=info.table,
        column=info.name,
        classification=rule.spec.classification,
        rule=rule.spec.name,
        confidence=round(confidence, 4),
        match_ratio=round(tally.matched / n, 4) if n else 0.0,
        validated_ratio=round(tally.validated / n, 4) if n else 0.0,
        matched=tally.matched,
        validated=tally.validated,
        sampled=profile.sampled,
        non_null=n,
        distinct=profile.distinct,
        validated_estimated=tally.estimated,
        explanation=steps,
        evidence=list(tally.evidence),
        coverage=tally.span_chars / tally.value_chars if tally.value_chars else 0.0,
    )


def decide_column(
    compiled: CompiledRuleSet, state: ColumnState, graph: GraphLookup | None = None, graph_phase: bool = False
) -> list[Finding]:
    """Findings for one column. Graph rules run only in the graph phase."""
    found: list[tuple[int, Finding]] = []
    for index, rule in enumerate(compiled.rules):
        if rule.is_graph != graph_phase:
            continue
        finding = decide_rule(rule, state.tallies.get(index), state, compiled, graph)
        if finding is not None:
            found.append((index, finding))
    return _suppress_overlaps(found, state.tallies)


def _suppress_overlaps(found: list[tuple[int, Finding]], tallies: Mapping[int, RuleTally]) -> list[Finding]:
    """Two rules explaining the same values: keep the more confident, more complete one."""
    order = sorted(found, key=lambda f: (f[1].confidence + 0.1 * f[1].coverage, f[1].validated), reverse=True)
    kept: list[tuple[int, Finding]] = []
    for index, finding in order:
        tally = tallies.get(index)
        winner = None
        if tally is not None and tally.matched:
            for k_index, k_finding in kept:
                if tally.overlaps.get(k_index, 0) >= OVERLAP_SUPPRESS * tally.matched:
                    winner = k_finding
                    break
        if winner is None:
            kept.append((index, finding))
    return [f for _, f in kept]
