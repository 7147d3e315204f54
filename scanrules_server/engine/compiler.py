"""Compile a rule set once: parse and analyse every rule, expand pattern references,
gather every value regex into one `Matcher`, and turn match clauses into plans
whose atoms point at matcher pattern ids."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..domain import ast
from ..domain.analysis import RuleAnalysis, analyze
from ..domain.errors import RuleError, Violation
from ..domain.parser import parse_rule
from . import validators
from .column import ColumnInfo
from .library import builtin_classifications, dictionary
from .liveness import GENERIC_COLUMN, fold
from .matcher import Matcher
from .models import InMemoryModelRegistry, ModelRegistry
from .plan import PAnd, PColumn, PConfirm, PLength, PNode, PNot, POr, PRegex
from .regexes import regex_error


@dataclass(frozen=True)
class RuleSpec:
    """A rule as users write it."""

    name: str
    classification: str
    expression: str
    confidence_threshold: float = 0.6
    description: str = ""


def _cost(node: PNode) -> int:
    # Cheap vectorised atoms first so confirmations run on as few rows as possible.
    if isinstance(node, (PRegex, PColumn, PLength)):
        return 0
    if isinstance(node, PConfirm):
        return 2
    return 1


@dataclass
class CompiledRule:
    spec: RuleSpec
    ast: ast.RuleAst
    analysis: RuleAnalysis
    plan: PNode | None
    has_confirmations: bool
    required_pids: tuple[int, ...] | None
    is_graph: bool


class EngineCatalog:
    """What rules may refer to: validators, patterns, word lists, regions, models."""

    def __init__(self, patterns: Mapping[str, ast.Node], models: ModelRegistry) -> None:
        self.patterns = patterns
        self.models = models

    def validator_exists(self, name: str) -> bool:
        return validators.validator_exists(name)

    def pattern_exists(self, name: str) -> bool:
        return name in self.patterns

    def dictionary_exists(self, name: str) -> bool:
        return dictionary(name) is not None

    def region_exists(self, region: str) -> bool:
        return validators.known_region(region)

    def model_exists(self, name: str) -> bool:
        return self.models.exists(name)

    def regex_error(self, regex: ast.Regex) -> str | None:
        return regex_error(regex)


def builtin_patterns() -> dict[str, ast.Node]:
    """The pattern library: each built-in classification's match clause, by name."""
    out: dict[str, ast.Node] = {}
    for c in builtin_classifications():
        parsed = parse_rule(c.rule)
        if parsed.match is not None:
            out[c.name] = parsed.match
    return out


_BUILTIN_PATTERNS: dict[str, ast.Node] | None = None


def _default_patterns() -> dict[str, ast.Node]:
    global _BUILTIN_PATTERNS
    if _BUILTIN_PATTERNS is None:
        _BUILTIN_PATTERNS = builtin_patterns()
    return _BUILTIN_PATTERNS


@dataclass
class _Planner:
    patterns: Mapping[str, ast.Node]
    regex_ids: dict[tuple[str, bool], int] = field(default_factory=dict)
    regexes: list[ast.Regex] = field(default_factory=list)

    def pid(self, regex: ast.Regex) -> int:
        key = (regex.source, regex.caseless)
        if key not in self.regex_ids:
            self.regex_ids[key] = len(self.regexes)
            self.regexes.append(ast.Regex(regex.source, regex.caseless))
        return self.regex_ids[key]

    def plan(self, node: ast.Node, span_pids: tuple[int, ...] = (), stack: tuple[str, ...] = ()) -> PNode:
        if isinstance(node, ast.ValueRegex):
            return PRegex(self.pid(node.regex))
        if isinstance(node, ast.PatternRef):
            if node.name in stack:
                raise RuleError(
                    [Violation("expression", f"pattern {node.name} refers to itself through {' -> '.join(stack)}")]
                )
            return self.plan(self.patterns[node.name], span_pids, (*stack, node.name))
        if isinstance(node, ast.And):
            pids = tuple(self.pid(i.regex) for i in node.items if isinstance(i, ast.ValueRegex)) or span_pids
            items = tuple(self.plan(i, pids, stack) for i in node.items)
            return PAnd(tuple(sorted(items, key=_cost)))
        if isinstance(node, ast.Or):
            return POr(tuple(self.plan(i, span_pids, stack) for i in node.items))
        if isinstance(node, ast.Not):
            return PNot(self.plan(node.item, span_pids, stack))
        if isinstance(node, ast.Validator):
            return PConfirm("validator", name=node.name, span_pids=span_pids, label=f'valid("{node.name}")')
        if isinstance(node, ast.Phone):
            label = "phone(" + ",".join(node.regions) + ")"
            return PConfirm("phone", regions=node.regions, span_pids=span_pids, label=label)
        if isinstance(node, ast.InDictionary):
            label = f'{node.selector} in dictionary("{node.dictionary}")'
            return PConfirm("dictionary", name=node.dictionary, selector=node.selector, label=label)
        if isinstance(node, ast.InList):
            words = frozenset(w.casefold() for w in node.words)
            return PConfirm("list", selector=node.selector, words=words, label=f"{node.selector} in word list")
        if isinstance(node, ast.Near):
            words = frozenset(w.casefold() for w in node.keywords)
            return PConfirm(
                "near",
                words=words,
                window=node.window,
                span_pids=span_pids,
                label="near(" + ",".join(sorted(words)) + ")",
            )
        if isinstance(node, ast.ValueLength):
            return PLength(node.op, node.length)
        return PColumn(node)


def _required(node: PNode) -> tuple[int, ...] | None:
    """Pattern ids of which at least one must match for the node to hold, if known."""
    if isinstance(node, PRegex):
        return (node.pid,)
    if isinstance(node, PAnd):
        found = [r for r in map(_required, node.items) if r is not None]
        return min(found, key=len) if found else None
    if isinstance(node, POr):
        parts = [_required(i) for i in node.items]
        if any(p is None for p in parts):
            return None
        return tuple(sorted({pid for p in parts if p is not None for pid in p}))
    return None


def _has_confirmations(node: PNode | None) -> bool:
    if isinstance(node, PConfirm):
        return True
    if isinstance(node, (PAnd, POr)):
        return any(_has_confirmations(i) for i in node.items)
    if isinstance(node, PNot):
        return _has_confirmations(node.item)
    return False


class CompiledRuleSet:
    """Every rule of a set, compiled once; picklable (the Hyperscan database serializes)."""

    def __init__(self, rules: list[CompiledRule], matcher: Matcher) -> None:
        self.rules = rules
        self.matcher = matcher
        self.models: ModelRegistry = InMemoryModelRegistry()

    def __getstate__(self) -> dict[str, object]:
        return {"rules": self.rules, "matcher": self.matcher}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.rules = state["rules"]  # type: ignore[assignment]
        self.matcher = state["matcher"]  # type: ignore[assignment]
        self.models = InMemoryModelRegistry()

    def dumps(self) -> bytes:
        return pickle.dumps(self)

    @staticmethod
    def loads(data: bytes) -> CompiledRuleSet:
        loaded = pickle.loads(data)
        assert isinstance(loaded, CompiledRuleSet)
        return loaded

    def column_plan(self, info: ColumnInfo) -> tuple[list[int], bool]:
        """Indexes of the rules whose match clause can hold on this column, and
        whether any of them needs a column-gated pattern."""
        live: list[int] = []
        needed: set[int] = set()
        for index, rule in enumerate(self.rules):
            if rule.plan is None:
                continue
            folded = fold(rule.plan, info)
            if folded.value is not False:
                live.append(index)
                needed |= folded.pids
        return live, not needed.isdisjoint(self.matcher.gated)

    @property
    def wants_numbers(self) -> bool:
        return any(s in ("min_value", "max_value") for r in self.rules for s in r.analysis.statistics)


def check_rule(
    expression: str,
    patterns: Mapping[str, ast.Node] | None = None,
    models: ModelRegistry | None = None,
) -> tuple[ast.RuleAst, RuleAnalysis]:
    """Parse and analyse one rule; raises RuleError with every problem found."""
    parsed = parse_rule(expression)
    catalog = EngineCatalog(
        patterns if patterns is not None else _default_patterns(), models or InMemoryModelRegistry()
    )
    return parsed, analyze(parsed, catalog)


def compile_rules(
    specs: Iterable[RuleSpec],
    patterns: Mapping[str, ast.Node] | None = None,
    models: ModelRegistry | None = None,
) -> CompiledRuleSet:
    """Compile rules into one matcher. Errors name the rule they come from."""
    patterns = patterns if patterns is not None else _default_patterns()
    models = models or InMemoryModelRegistry()
    planner = _Planner(patterns)
    rules: list[CompiledRule] = []
    problems: list[Violation] = []
    for spec in specs:
        try:
            parsed, analysis = check_rule(spec.expression, patterns, models)
            plan = planner.plan(parsed.match) if parsed.match is not None else None
        except RuleError as exc:
            problems.extend(Violation(f"rule {spec.name}", v.description, v.line, v.column) for v in exc.violations)
            continue
        rules.append(
            CompiledRule(
                spec=spec,
                ast=parsed,
                analysis=analysis,
                plan=plan,
                has_confirmations=_has_confirmations(plan),
                required_pids=_required(plan) if plan is not None else None,
                is_graph=bool(analysis.references),
            )
        )
    if problems:
        raise RuleError(problems)
    # Patterns a rule needs even on a column nothing singles out go in the main
    # database; the rest only matter behind a column gate.
    base: set[int] = set()
    for rule in rules:
        if rule.plan is not None:
            base |= fold(rule.plan, GENERIC_COLUMN).pids
    gated = [i for i in range(len(planner.regexes)) if i not in base]
    compiled = CompiledRuleSet(rules, Matcher(planner.regexes, gated))
    compiled.models = models
    return compiled


def builtin_rule_specs() -> list[RuleSpec]:
    """One rule per built-in classification: the system rule set."""
    return [RuleSpec(c.name, c.name, c.rule, c.confidence_threshold, c.description) for c in builtin_classifications()]
