from __future__ import annotations

import pytest

from scanrules_server.domain.errors import RuleError
from scanrules_server.engine.compiler import check_rule
from scanrules_server.engine.models import InMemoryModelRegistry


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('match value ~ /x/ and valid("no.such")', "unknown validator 'no.such'"),
        ("match pattern(NOPE)", "unknown pattern 'NOPE'"),
        ('match value in dictionary("nope") and value ~ /x/', "unknown dictionary 'nope'"),
        ('match phone("XX")', "unknown phone region 'XX'"),
        ('when model("missing") >= 0.5', "unknown model 'missing'"),
        (r"match value ~ /(a)\1/", "backreference"),
        ("match value ~ /foo(?=bar)/", "lookahead"),
        ("match value ~ /(?<!x)foo/", "lookbehind"),
        ("match value ~ /(?>a+)b/", "atomic group"),
        ("match value ~ /a++/", "possessive"),
        ("match value ~ /(unclosed/", "not a valid regular expression"),
    ],
)
def test_static_analysis_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(RuleError) as info:
        check_rule(text)
    assert message in str(info.value)


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(RuleError) as info:
        check_rule('match value ~ /(?=x)/ and valid("nope") and pattern(MISSING)')
    assert len(info.value.violations) == 3
    assert all(v.line == 1 and v.column > 0 for v in info.value.violations)


@pytest.mark.parametrize(
    ("text", "pattern_type"),
    [
        ('match value ~ /^\\d{9}$/ and valid("us.ssn")', "REGEX"),
        ("match value ~ /x/ when match_ratio >= 0.5", "STATISTICAL"),
        ('when semantic("email") >= 0.8', "AI_SEMANTIC"),
        ('when model("m") >= 0.9', "ML_PATTERN"),
        ("when references(US_SOCIAL_SECURITY_NUMBER)", "GRAPH_BASED"),
        # keywords inside regexes or strings do not change the type
        ('match value ~ /semantic|model|references/ and near(["model"])', "REGEX"),
    ],
)
def test_pattern_type_from_what_the_rule_uses(text: str, pattern_type: str) -> None:
    registry = InMemoryModelRegistry({"m": lambda column, profile: 1.0})
    _, analysis = check_rule(text, models=registry)
    assert analysis.pattern_type == pattern_type


def test_complexity_levels_grow_with_the_tree() -> None:
    simple = check_rule("match value ~ /a/")[1]
    intermediate = check_rule(
        'match value ~ /^\\d{3}-\\d{2}-\\d{4}$/ and valid("us.ssn") evidence column.name ~ /ssn/i'
    )[1]
    advanced = check_rule(
        'match (value ~ /^\\d{9}$/ and valid("us.ssn") and column.name ~ /ssn/i) or (value ~ /^\\d{3}-\\d{2}-\\d{4}$/ '
        'and valid("us.ssn")) or (value ~ /\\b\\d{3}-\\d{2}-\\d{4}\\b/ and near(["ssn","social"], 30))'
        " evidence column.name ~ /ssn|social/i when non_null >= 10"
    )[1]
    expert_expr = " or ".join(
        f'(value ~ /^[A-Z]{{2}}\\d{{{n}}}[A-Z]$/ and valid("luhn") and not length > 40)' for n in range(5, 17)
    )
    expert = check_rule(f"match {expert_expr} when match_ratio > 0.1 and distinct_ratio > 0.5")[1]
    levels = [a.complexity_level for a in (simple, intermediate, advanced, expert)]
    assert levels == ["SIMPLE", "INTERMEDIATE", "ADVANCED", "EXPERT"]
    assert simple.complexity_score < intermediate.complexity_score < advanced.complexity_score < expert.complexity_score


def test_analysis_lists_references() -> None:
    _, analysis = check_rule('match value ~ /x/ and valid("fr.nir") and pattern(EMAIL_ADDRESS) when distinct >= 3')
    assert analysis.validators == ("fr.nir",)
    assert analysis.patterns == ("EMAIL_ADDRESS",)
    assert analysis.statistics == ("distinct",)
