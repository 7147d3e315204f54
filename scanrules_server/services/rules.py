"""Rules and rule sets: validation with the engine, storage through the repositories.

Every expression is parsed and analysed before it is stored, so a stored rule always
compiles; pattern type and complexity come from the analysis, never from the caller.
Built-in classifications are stored as rules owned by `system` and pinned by the
read-only rule set `ruleSets/default`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import ast
from ..domain.analysis import RuleAnalysis
from ..domain.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError, RuleError, Violation
from ..domain.resources import Rule, RuleSet, is_valid_resource_id, parse_rule_name
from ..engine.cache import compiled_builtin
from ..engine.column import ColumnInfo
from ..engine.compiler import RuleSpec, check_rule, compile_rules
from ..engine.decision import Finding, decide_rule
from ..engine.evaluate import ColumnBatch, ColumnEvaluator
from ..engine.library import builtin_classifications
from ..engine.masking import mask
from ..persistence import rule_sets as rule_set_repo
from ..persistence import rules as rule_repo
from .patterns import pattern_catalog

log = logging.getLogger("scanrules.rules")

SYSTEM_OWNER = "system"
DEFAULT_RULE_SET = "default"
DEFAULT_THRESHOLD = 0.6
MAX_TEST_VALUES = 10_000
_CLASSIFICATION = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
SAMPLING_STRATEGIES = ("HEAD", "RANDOM", "PERCENT", "FULL")

MAX_BACKOFF_SECONDS = 366 * 86_400

DEFAULT_POLICY: dict[str, Any] = {
    "sampling_strategy": "RANDOM",
    "sample_size": 10_000,
    "sample_percent": 0.0,
    "confidence_threshold": DEFAULT_THRESHOLD,
    "priority": 5,
    "retry_policy": {
        "max_attempts": 3,
        "initial_backoff_seconds": 1.0,
        "max_backoff_seconds": 60.0,
        "backoff_multiplier": 2.0,
    },
    "source_types": [],
}


@dataclass(frozen=True)
class Checked:
    """An expression that parsed and passed analysis."""

    parsed: ast.RuleAst
    analysis: RuleAnalysis


async def check_expression(session: AsyncSession, expression: str, field: str = "rule.expression") -> Checked:
    """Parse and analyse; problems come back as RuleError naming `field` with line and column."""
    if not expression.strip():
        raise InvalidArgumentError([Violation(field, "an expression is required")])
    try:
        parsed, analysis = check_rule(expression, await pattern_catalog(session))
    except RuleError as exc:
        raise RuleError([Violation(field, v.description, v.line, v.column) for v in exc.violations]) from exc
    return Checked(parsed, analysis)


def _check_scalar_fields(fields: Mapping[str, Any]) -> list[Violation]:
    problems = []
    if "classification" in fields and not _CLASSIFICATION.match(str(fields["classification"])):
        problems.append(
            Violation("rule.classification", "must be UPPER_SNAKE_CASE, e.g. EMAIL_ADDRESS (at most 100 characters)")
        )
    threshold = fields.get("confidence_threshold")
    if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
        problems.append(Violation("rule.confidence_threshold", "must be between 0 and 1"))
    if len(str(fields.get("display_name", ""))) > 200:
        problems.append(Violation("rule.display_name", "at most 200 characters"))
    # Expression and regex lengths are request limits (api/limits.py, Settings.max_expression_chars).
    return problems


async def create_rule(
    session: AsyncSession, rule_id: str, fields: dict[str, Any], request_id: str | None, owner: str = ""
) -> Rule:
    problems = []
    if not is_valid_resource_id(rule_id):
        problems.append(Violation("rule_id", "1-63 characters: a letter, then letters, digits, '-' or '_'"))
    if not fields.get("classification"):
        problems.append(Violation("rule.classification", "a classification is required"))
    problems += _check_scalar_fields(fields)
    if problems:
        raise InvalidArgumentError(problems)
    checked = await check_expression(session, str(fields.get("expression", "")))
    values = dict(fields)
    values["pattern_type"] = checked.analysis.pattern_type
    values["complexity_level"] = checked.analysis.complexity_level
    if not values.get("confidence_threshold"):
        values["confidence_threshold"] = DEFAULT_THRESHOLD
    values.setdefault("owner", owner)
    return await rule_repo.create_rule(session, rule_id, values, request_id)


def _not_system(rule: Rule) -> None:
    if rule.owner == SYSTEM_OWNER:
        raise FailedPreconditionError(
            f"{rule.name} is a built-in rule; create a rule of your own (copy its expression) to change it",
            "BUILTIN_RULE",
        )


async def update_rule(session: AsyncSession, rule_id: str, changes: dict[str, Any], etag: str | None) -> Rule:
    current = await rule_repo.get_rule(session, rule_id)
    _not_system(current)
    problems = _check_scalar_fields(changes)
    if "classification" in changes and not changes["classification"]:
        problems.append(Violation("rule.classification", "a classification is required"))
    if problems:
        raise InvalidArgumentError(problems)
    values = dict(changes)
    if "expression" in values:
        checked = await check_expression(session, str(values["expression"]))
        values["pattern_type"] = checked.analysis.pattern_type
        values["complexity_level"] = checked.analysis.complexity_level
    if "confidence_threshold" in values and not values["confidence_threshold"]:
        values["confidence_threshold"] = DEFAULT_THRESHOLD
    return await rule_repo.update_rule(session, rule_id, values, etag)


async def delete_rule(session: AsyncSession, rule_id: str, etag: str | None) -> None:
    current = await rule_repo.get_rule(session, rule_id)
    _not_system(current)
    users = await rule_sets_using(session, rule_id)
    if users:
        raise FailedPreconditionError(
            f"{current.name} is used by {', '.join(users[:5])}; remove it from those rule sets first", "RULE_IN_USE"
        )
    await rule_repo.delete_rule(session, rule_id, etag)


async def rule_sets_using(session: AsyncSession, rule_id: str) -> list[str]:
    """Names of rule sets whose latest revision pins any revision of the rule."""
    found = []
    token = ""
    while True:
        page, token = await rule_set_repo.list_rule_sets(session, 1000, token, "")
        for rs in page:
            for pinned in rs.rules:
                parsed = parse_rule_name(pinned)
                if parsed is not None and parsed[0] == rule_id:
                    found.append(rs.name)
                    break
        if not token:
            return found


# ---- rule sets ----------------------------------------------------------------


def check_policy(policy: Mapping[str, Any], field: str = "rule_set.policy") -> dict[str, Any]:
    """The policy with defaults filled in; INVALID_ARGUMENT naming each bad field under `field` (the policy's
    path in the request: `rule_set.policy`, `scan_job.policy_override`, ...)."""
    merged = {**DEFAULT_POLICY, **{k: v for k, v in policy.items() if v not in (None, "", 0, 0.0, [])}}
    retry = {**DEFAULT_POLICY["retry_policy"], **{k: v for k, v in (policy.get("retry_policy") or {}).items() if v}}
    merged["retry_policy"] = retry
    problems = []
    if merged["sampling_strategy"] not in SAMPLING_STRATEGIES:
        problems.append(Violation(f"{field}.sampling_strategy", f"one of {', '.join(SAMPLING_STRATEGIES)}"))
    if not 1 <= int(merged["priority"]) <= 10:
        problems.append(Violation(f"{field}.priority", "must be between 1 and 10"))
    if int(merged["sample_size"]) < 0:
        problems.append(Violation(f"{field}.sample_size", "must not be negative"))
    if not 0.0 <= float(merged["sample_percent"]) <= 100.0:
        problems.append(Violation(f"{field}.sample_percent", "must be between 0 and 100"))
    if merged["sampling_strategy"] == "PERCENT" and not merged["sample_percent"]:
        problems.append(Violation(f"{field}.sample_percent", "required with sampling strategy PERCENT"))
    if not 0.0 <= float(merged["confidence_threshold"]) <= 1.0:
        problems.append(Violation(f"{field}.confidence_threshold", "must be between 0 and 1"))
    if not 1 <= int(retry["max_attempts"]) <= 10:
        problems.append(Violation(f"{field}.retry_policy.max_attempts", "must be between 1 and 10"))
    if float(retry["initial_backoff_seconds"]) > float(retry["max_backoff_seconds"]):
        problems.append(Violation(f"{field}.retry_policy", "initial back-off exceeds the maximum"))
    if int(merged.get("partition_rows") or 0) < 0:
        problems.append(Violation(f"{field}.partition_rows", "must not be negative"))
    if float(retry["backoff_multiplier"]) < 1.0:
        problems.append(Violation(f"{field}.retry_policy.backoff_multiplier", "must be at least 1"))
    for key, name in (("initial_backoff_seconds", "initial_backoff"), ("max_backoff_seconds", "max_backoff")):
        # Years-long delays overflow the next attempt's date; negative ones make no sense.
        if not 0.0 <= float(retry[key]) <= MAX_BACKOFF_SECONDS:
            problems.append(Violation(f"{field}.retry_policy.{name}", "must be between 0 and 366 days"))
    if not math.isfinite(float(retry["backoff_multiplier"])):
        problems.append(Violation(f"{field}.retry_policy.backoff_multiplier", "must be a finite number"))
    if float(merged.get("unit_timeout_seconds") or 0.0) < 0.0:
        problems.append(Violation(f"{field}.unit_timeout", "must not be negative (unset: no limit)"))
    if problems:
        raise InvalidArgumentError(problems)
    return merged


async def create_rule_set(
    session: AsyncSession, rule_set_id: str, fields: dict[str, Any], request_id: str | None
) -> RuleSet:
    if not is_valid_resource_id(rule_set_id):
        raise InvalidArgumentError(
            [Violation("rule_set_id", "1-63 characters: a letter, then letters, digits, '-' or '_'")]
        )
    values = dict(fields)
    values["rules"] = await rule_repo.pin_rule_revisions(session, values.get("rules") or [], field="rule_set.rules")
    values["policy"] = check_policy(values.get("policy") or {})
    return await rule_set_repo.create_rule_set(session, rule_set_id, values, request_id)


async def update_rule_set(
    session: AsyncSession, rule_set_id: str, changes: dict[str, Any], etag: str | None
) -> RuleSet:
    values = dict(changes)
    if "rules" in values:
        values["rules"] = await rule_repo.pin_rule_revisions(session, values["rules"] or [], field="rule_set.rules")
    if "policy" in values:
        values["policy"] = check_policy(values["policy"] or {})
    return await rule_set_repo.update_rule_set(session, rule_set_id, values, etag)


# ---- the built-in content ---------------------------------------------------


async def seed_builtin(session: AsyncSession) -> RuleSet:
    """Store every built-in classification's rule (owner `system`) and pin them in `ruleSets/default`.

    Idempotent: unchanged rules keep their revision, changed ones get a new one.
    """
    existing: dict[str, Rule] = {}
    token = ""
    while True:
        page, token = await rule_repo.list_rules(session, 1000, token, f'owner = "{SYSTEM_OWNER}"')
        existing.update((r.rule_id, r) for r in page)
        if not token:
            break
    # The compiled built-in library (cached on disk) already holds every rule's analysis.
    analyses = {r.spec.name: r.analysis for r in compiled_builtin().rules}
    pinned: list[str] = []
    for c in builtin_classifications():
        analysis = analyses[c.name]
        fields = {
            "display_name": c.name.replace("_", " ").title(),
            "description": c.description,
            "expression": c.rule,
            "classification": c.name,
            "confidence_threshold": c.confidence_threshold,
            "pattern_type": analysis.pattern_type,
            "complexity_level": analysis.complexity_level,
            "owner": SYSTEM_OWNER,
        }
        rule = existing.get(c.name)
        if rule is None:
            try:
                rule = await rule_repo.get_rule(session, c.name)
            except NotFoundError:
                rule = await rule_repo.create_rule(session, c.name, fields)
        if any(getattr(rule, k) != v for k, v in fields.items()):
            rule = await rule_repo.update_rule(session, c.name, fields)
        pinned.append(rule.revision_name)
    return await rule_set_repo.upsert_system_rule_set(
        session,
        DEFAULT_RULE_SET,
        "Default (built-in classifications)",
        "Read-only system rule set with the rule of every built-in classification. Copy it to customise.",
        pinned,
        DEFAULT_POLICY,
    )


# ---- testing a rule -----------------------------------------------------------


@dataclass
class ValueResult:
    index: int
    matched: bool
    validated: bool
    evidence: str


@dataclass
class TestResult:
    values: list[ValueResult]
    decision: Finding
    reported: bool


async def test_rule(
    session: AsyncSession,
    expression: str,
    classification: str,
    threshold: float,
    values: Sequence[str],
    column: ColumnInfo,
    field: str = "rule.expression",
    rule_name: str = "inline rule",
) -> TestResult:
    """Evaluate one rule over sample values of one column: per-value results and the column decision."""
    if len(values) > MAX_TEST_VALUES:
        raise InvalidArgumentError([Violation("values", f"at most {MAX_TEST_VALUES:,} values")])
    await check_expression(session, expression, field)
    compiled = compile_rules(
        [RuleSpec(rule_name, classification or "TEST", expression, confidence_threshold=0.0)],
        patterns=await pattern_catalog(session),
    )
    rule = compiled.rules[0]
    results = [ValueResult(i, False, False, "") for i in range(len(values))]
    present = [i for i, v in enumerate(values) if v]
    evaluator = ColumnEvaluator(compiled, column, validation_budget=0, validation_cap=0)
    evaluator.add(list(values))
    if rule.plan is not None and present:
        texts = [values[i] for i in present]
        hits = compiled.matcher.scan(texts, gated=True)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        batch = ColumnBatch(texts, hits, lengths, evaluator.state)
        shape = batch.shape_rows(rule)
        valid = set(shape[batch.evaluate(rule.plan, shape, full=True)].tolist()) if len(shape) else set()
        for row in shape.tolist():
            r = results[present[row]]
            r.matched = True
            r.validated = row in valid
            r.evidence = mask(texts[row])
    decision = decide_rule(rule, evaluator.state.tallies.get(0), evaluator.state, compiled)
    if decision is None:
        decision = Finding(
            table=column.table,
            column=column.name,
            classification=rule.spec.classification,
            rule=rule_name,
            confidence=0.0,
            match_ratio=0.0,
            validated_ratio=0.0,
            matched=0,
            validated=0,
            sampled=evaluator.state.profile.sampled,
            non_null=evaluator.state.profile.non_null,
            distinct=evaluator.state.profile.distinct,
            validated_estimated=False,
            explanation=[
                {"evidence": "rule", "detail": "no value matched, or a `when` condition does not hold", "effect": 0.0}
            ],
        )
    effective = threshold or DEFAULT_THRESHOLD
    return TestResult(results, decision, decision.confidence > 0 and decision.confidence >= effective)
