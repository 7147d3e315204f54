"""Static analysis of a parsed rule: names resolve, regexes are linear-time, and the
rule's pattern type and complexity level follow from its syntax tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from . import ast
from .errors import RuleError, Violation

PATTERN_TYPES = ("REGEX", "ML_PATTERN", "AI_SEMANTIC", "STATISTICAL", "GRAPH_BASED")
COMPLEXITY_LEVELS = ("SIMPLE", "INTERMEDIATE", "ADVANCED", "EXPERT")

# Score bounds per level; the score weighs nodes, nesting and regex size (see complexity()).
_LEVEL_BOUNDS = ((4, "SIMPLE"), (12, "INTERMEDIATE"), (30, "ADVANCED"))


class Catalog(Protocol):
    """What a rule may refer to. The engine provides the real one."""

    def validator_exists(self, name: str) -> bool: ...

    def pattern_exists(self, name: str) -> bool: ...

    def dictionary_exists(self, name: str) -> bool: ...

    def region_exists(self, region: str) -> bool: ...

    def model_exists(self, name: str) -> bool: ...

    def regex_error(self, regex: ast.Regex) -> str | None:
        """Why the regex cannot be compiled by a linear-time engine, or None if it can."""
        ...


@dataclass(frozen=True)
class RuleAnalysis:
    pattern_type: str
    complexity_level: str
    complexity_score: int
    node_count: int
    depth: int
    regex_chars: int
    validators: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    statistics: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def _regexes(node: ast.Node) -> list[ast.Regex]:
    if isinstance(node, ast.ValueRegex):
        return [node.regex]
    if isinstance(node, ast.ColumnRegex):
        return [node.regex]
    return []


def complexity(rule: ast.RuleAst) -> tuple[str, int, int, int, int]:
    """(level, score, node count, depth, regex characters) from the syntax tree alone."""
    nodes = [n for clause in (rule.match, rule.evidence, rule.when) for n in ast.walk(clause)]
    node_count = len(nodes)
    tree_depth = max(ast.depth(rule.match), ast.depth(rule.evidence), ast.depth(rule.when))
    regex_chars = sum(len(r.source) for n in nodes for r in _regexes(n))
    score = node_count + 2 * (tree_depth - 1) + regex_chars // 25
    level = next((name for bound, name in _LEVEL_BOUNDS if score <= bound), "EXPERT")
    return level, score, node_count, tree_depth, regex_chars


def pattern_type(nodes: list[ast.Node]) -> str:
    """The most advanced kind of evidence the rule relies on."""
    kinds = {type(n) for n in nodes}
    if ast.References in kinds:
        return "GRAPH_BASED"
    if ast.ModelCmp in kinds:
        return "ML_PATTERN"
    if ast.SemanticCmp in kinds:
        return "AI_SEMANTIC"
    if ast.StatCmp in kinds:
        return "STATISTICAL"
    return "REGEX"


def analyze(rule: ast.RuleAst, catalog: Catalog) -> RuleAnalysis:
    """Check every reference and regex; raise RuleError listing all problems at once."""
    nodes = [n for clause in (rule.match, rule.evidence, rule.when) for n in ast.walk(clause)]
    problems: list[Violation] = []

    def bad(description: str, line: int = 0, column: int = 0) -> None:
        problems.append(Violation("expression", description, line, column))

    for node in nodes:
        for regex in _regexes(node):
            error = catalog.regex_error(regex)
            if error:
                bad(f"regex {regex.literal()} is rejected: {error}", regex.line, regex.column)
        if isinstance(node, ast.Validator) and not catalog.validator_exists(node.name):
            bad(f"unknown validator {node.name!r}", node.line, node.column)
        elif isinstance(node, ast.PatternRef) and not catalog.pattern_exists(node.name):
            bad(f"unknown pattern {node.name!r}", node.line, node.column)
        elif isinstance(node, ast.InDictionary) and not catalog.dictionary_exists(node.dictionary):
            bad(f"unknown dictionary {node.dictionary!r}", node.line, node.column)
        elif isinstance(node, ast.Phone):
            for region in node.regions:
                if not catalog.region_exists(region):
                    bad(f"unknown phone region {region!r}", node.line, node.column)
        elif isinstance(node, ast.ModelCmp) and not catalog.model_exists(node.model):
            bad(f"unknown model {node.model!r}", node.line, node.column)
        elif isinstance(node, ast.Near) and node.window <= 0:
            bad("near() window must be positive")
    if rule.match is None and rule.when is None:
        bad("an evidence clause alone cannot decide: add a match or when clause")
    if problems:
        raise RuleError(problems)

    level, score, node_count, tree_depth, regex_chars = complexity(rule)
    warnings: list[str] = []
    if rule.match is not None and not any(
        isinstance(n, (ast.ValueRegex, ast.PatternRef)) for n in ast.walk(rule.match)
    ):
        warnings.append("the match clause has no regex or pattern: every value is checked individually, which is slow")
    return RuleAnalysis(
        pattern_type=pattern_type(nodes),
        complexity_level=level,
        complexity_score=score,
        node_count=node_count,
        depth=tree_depth,
        regex_chars=regex_chars,
        validators=tuple(sorted({n.name for n in nodes if isinstance(n, ast.Validator)})),
        patterns=tuple(sorted({n.name for n in nodes if isinstance(n, ast.PatternRef)})),
        references=tuple(sorted({n.classification for n in nodes if isinstance(n, ast.References)})),
        models=tuple(sorted({n.model for n in nodes if isinstance(n, ast.ModelCmp)})),
        concepts=tuple(sorted({n.concept for n in nodes if isinstance(n, ast.SemanticCmp)})),
        statistics=tuple(sorted({n.stat for n in nodes if isinstance(n, ast.StatCmp)})),
        warnings=tuple(warnings),
    )
