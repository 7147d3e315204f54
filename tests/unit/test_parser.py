from __future__ import annotations

import pytest

from scanrules_server.domain import ast
from scanrules_server.domain.errors import RuleError
from scanrules_server.domain.parser import parse_rule


def test_three_clauses_with_every_connective() -> None:
    rule = parse_rule(
        """
        # card numbers, with an exclusion
        match value ~ /\\b(?:\\d[ -]?){12,18}\\d\\b/ and valid("luhn") and not value ~ /^0+$/
           or (value ~ /^\\d{9}$/ and column.name ~ /ssn/i)
        evidence column.name ~ /card/i or semantic("credit card") >= 0.6
        when not column.type in ["boolean"] and match_ratio >= 0.1
        """
    )
    assert isinstance(rule.match, ast.Or)
    first = rule.match.items[0]
    assert isinstance(first, ast.And)
    assert isinstance(first.items[1], ast.Validator) and first.items[1].name == "luhn"
    assert isinstance(first.items[2], ast.Not)
    assert isinstance(rule.evidence, ast.Or)
    assert isinstance(rule.when, ast.And)
    stat = rule.when.items[1]
    assert isinstance(stat, ast.StatCmp) and stat.stat == "match_ratio" and stat.number == 0.1


def test_value_predicates() -> None:
    rule = parse_rule(
        'match first_word in dictionary("given_names") and last_word in ["x", "y"] '
        'and near(["ssn"], 30) and phone("US", "gb") and phone() and length >= 5 and pattern(EMAIL_ADDRESS) '
        "and value !~ /test/i"
    )
    assert isinstance(rule.match, ast.And)
    kinds = [type(i) for i in rule.match.items]
    assert kinds == [
        ast.InDictionary,
        ast.InList,
        ast.Near,
        ast.Phone,
        ast.Phone,
        ast.ValueLength,
        ast.PatternRef,
        ast.Not,
    ]
    phone = rule.match.items[3]
    assert isinstance(phone, ast.Phone) and phone.regions == ("US", "GB")
    near = rule.match.items[2]
    assert isinstance(near, ast.Near) and near.window == 30
    negated = rule.match.items[7]
    assert isinstance(negated, ast.Not) and isinstance(negated.item, ast.ValueRegex)
    assert negated.item.regex.caseless


def test_graph_model_semantic_atoms() -> None:
    rule = parse_rule('when references(US_SOCIAL_SECURITY_NUMBER) or model("pii") >= 0.9 or semantic("email") > 0.5')
    assert isinstance(rule.when, ast.Or)
    assert [type(i) for i in rule.when.items] == [ast.References, ast.ModelCmp, ast.SemanticCmp]


def test_escaped_slash_in_regex() -> None:
    rule = parse_rule(r"match value ~ /^https?:\/\/x/")
    assert isinstance(rule.match, ast.ValueRegex)
    assert rule.match.regex.source == "^https?://x"


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        ("match value ~ ", 1, 13, "a regex"),
        ("match value ~ /a/ and", 1, 19, "'valid'"),
        ("when match_ratio >= ", 1, 18, "a number"),
        ("match valid(luhn)", 1, 13, "a string"),
        ("foo", 1, 1, "'match'"),
        ("when\n  column.name ~ /x/ and\n  sampled >= x", 3, 14, "a number"),
        ("match value ~ /a/ when when", 1, 24, "column.name"),
    ],
)
def test_syntax_errors_carry_position_and_expectation(text: str, line: int, column: int, expected: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rule(text)
    violation = info.value.violations[0]
    assert (violation.line, violation.column) == (line, column)
    assert "expected" in violation.description and expected in violation.description
    assert info.value.reason == "RULE_SYNTAX_ERROR"


def test_unknown_regex_flag_is_named() -> None:
    with pytest.raises(RuleError, match="unknown regex flag"):
        parse_rule("match value ~ /a/x")


@pytest.mark.parametrize("text", ["", "   ", "# only a comment"])
def test_empty_rule_rejected(text: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(text)
