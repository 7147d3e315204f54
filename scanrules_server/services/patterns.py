"""The pattern library as rules see it: built-in match clauses plus stored custom patterns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import ast
from ..domain.errors import InvalidArgumentError, RuleError, Violation
from ..domain.parser import parse_rule
from ..domain.resources import Pattern
from ..engine.compiler import builtin_patterns
from ..engine.library import builtin_classifications
from ..engine.regexes import regex_error
from ..engine.validators import validator_exists
from ..persistence import patterns as pattern_repo


def _regex_literal(source: str) -> str:
    escaped = []
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            escaped.append(source[i : i + 2])
            i += 2
            continue
        escaped.append("\\/" if c == "/" else c)
        i += 1
    return "/" + "".join(escaped) + "/"


def pattern_clause(regex: str, validator: str, keywords: list[str], exclusions: list[str], window: int = 50) -> str:
    """A custom pattern as a match clause: regex, then validator, context and exclusions."""
    parts = [f"value ~ {_regex_literal(regex)}"]
    if validator:
        parts.append(f"valid({json.dumps(validator)})")
    if keywords:
        parts.append(f"near([{', '.join(json.dumps(k) for k in keywords)}], {window})")
    parts.extend(f"value !~ {_regex_literal(e)}" for e in exclusions)
    return " and ".join(parts)


def check_pattern_fields(fields: Mapping[str, Any], *, partial: bool = False) -> None:
    """Custom pattern fields that would not compile: named, field by field."""
    problems: list[Violation] = []
    regex = fields.get("regex")
    if regex is not None or not partial:
        if not regex:
            problems.append(Violation("pattern.regex", "a regex is required"))
        else:
            error = regex_error(ast.Regex(str(regex)))
            if error:
                problems.append(Violation("pattern.regex", error))
    validator = fields.get("validator")
    if validator and not validator_exists(str(validator)):
        problems.append(Violation("pattern.validator", f"unknown validator {validator!r}"))
    for i, excl in enumerate(fields.get("exclusions") or []):
        error = regex_error(ast.Regex(str(excl)))
        if error:
            problems.append(Violation(f"pattern.exclusions[{i}]", error))
    if problems:
        raise InvalidArgumentError(problems)
    if regex:
        try:
            parse_rule(
                "match "
                + pattern_clause(
                    str(regex),
                    str(validator or ""),
                    list(fields.get("keywords") or []),
                    list(fields.get("exclusions") or []),
                )
            )
        except RuleError as exc:
            raise InvalidArgumentError([Violation("pattern", v.description) for v in exc.violations]) from exc


def custom_pattern_node(p: Pattern) -> ast.Node | None:
    if not p.regex:
        return None
    parsed = parse_rule("match " + pattern_clause(p.regex, p.validator, p.keywords, p.exclusions))
    return parsed.match


@lru_cache(maxsize=1)
def _builtin_catalog() -> dict[str, ast.Node]:
    return builtin_patterns()  # parsing 189 clauses takes ~100 ms: once per process


async def pattern_catalog(session: AsyncSession) -> dict[str, ast.Node]:
    """Every pattern a rule may reference by name: built-ins, then stored custom ones."""
    catalog: dict[str, ast.Node] = dict(_builtin_catalog())
    token = ""
    while True:
        page, token = await pattern_repo.list_patterns(session, 1000, token, "builtin = false")
        for p in page:
            node = custom_pattern_node(p)
            if node is not None:
                catalog[p.pattern_id] = node
        if not token:
            return catalog


def _first(node: ast.Node, kind: type[Any]) -> Any:
    return next((n for n in ast.walk(node) if isinstance(n, kind)), None)


def builtin_pattern_rows() -> list[dict[str, Any]]:
    """Seed rows for the built-in patterns: the headline regex, validator and keywords of each clause."""
    rows = []
    for c in builtin_classifications():
        parsed = parse_rule(c.rule)
        if parsed.match is None:
            continue
        regex = _first(parsed.match, ast.ValueRegex)
        validator = _first(parsed.match, ast.Validator)
        near = _first(parsed.match, ast.Near)
        rows.append(
            {
                "pattern_id": c.name,
                "display_name": c.name.replace("_", " ").title(),
                "description": c.description,
                "regex": regex.regex.source if regex is not None else "",
                "validator": validator.name if validator is not None else "",
                "keywords": list(near.keywords) if near is not None else [],
                "exclusions": [],
            }
        )
    return rows
