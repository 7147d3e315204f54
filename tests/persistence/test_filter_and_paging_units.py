"""Pure parts: the filter parser (domain.filtering) and page tokens (persistence.paging)."""

from __future__ import annotations

import pytest

from scanrules_server.domain.errors import InvalidArgumentError
from scanrules_server.domain.filtering import MATCH_ALL, And, Comparison, Not, Or, canonical, parse_filter
from scanrules_server.persistence.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_page_token,
    encode_page_token,
    fingerprint,
    page_size_or_default,
)


def test_comparisons_and_values() -> None:
    assert parse_filter('display_name = "Card \\"numbers\\""') == Comparison("display_name", "=", 'Card "numbers"')
    assert parse_filter("is_active != false") == Comparison("is_active", "!=", False)
    assert parse_filter("confidence_threshold >= 0.8") == Comparison("confidence_threshold", ">=", 0.8)
    assert parse_filter("usage_count<3") == Comparison("usage_count", "<", 3)
    assert parse_filter("x > -2.5e1") == Comparison("x", ">", -25.0)
    assert parse_filter("classification = EMAIL_ADDRESS") == Comparison("classification", "=", "EMAIL_ADDRESS")
    assert parse_filter('x = "true"') == Comparison("x", "=", "true")  # a string, not a boolean
    assert parse_filter("ANDROID = ORACLE") == Comparison("ANDROID", "=", "ORACLE")  # keywords are whole words
    assert parse_filter("") == parse_filter("  \n ") == MATCH_ALL


def test_connectives_and_precedence() -> None:
    a, b, c = (Comparison(n, "=", 1) for n in "abc")
    assert parse_filter("a = 1 AND b = 1 AND c = 1") == And((a, b, c))
    assert parse_filter("a = 1 OR b = 1 AND c = 1") == Or((a, And((b, c))))
    assert parse_filter("(a = 1 OR b = 1) AND c = 1") == And((Or((a, b)), c))
    assert parse_filter("NOT a = 1 AND b = 1") == And((Not(a), b))
    assert parse_filter("((a = 1))") == a


def test_canonical_ignores_spacing_quoting_and_parentheses() -> None:
    assert canonical(parse_filter("a=x AND (b = 2)")) == canonical(parse_filter('a = "x"   AND b=2'))
    assert canonical(parse_filter("a = 1 OR b = 1")) != canonical(parse_filter("a = 1 AND b = 1"))
    assert canonical(parse_filter("(a = 1 OR b = 1) AND c = 1")) == "(a = 1 OR b = 1) AND c = 1"


@pytest.mark.parametrize(
    ("text", "line", "column", "needle"),
    [
        ("a = ", 1, 5, "unexpected end of filter"),
        ("= 1", 1, 1, "unexpected '='"),
        ("a = 1 b = 2", 1, 7, "unexpected 'b'"),
        ('a = "open', 1, 5, "unexpected '\"'"),
        ("a = 1 and b = 2", 1, 7, "unexpected 'and'"),  # operators are upper case
        ("a = 1\nAND b ! 2", 2, 7, "line 2, column 7"),
        ('a = "\\q"', 1, 5, "bad escape"),
        ("a = 1e999", 1, 5, "out of range"),
        ("a : 1", 1, 3, "expected a comparison"),
    ],
)
def test_syntax_errors_say_where(text: str, line: int, column: int, needle: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_filter(text)
    [violation] = caught.value.violations
    assert violation.field == "filter"
    assert (violation.line, violation.column) == (line, column)
    assert needle in violation.description
    assert f"column {column}" in violation.description


def test_page_sizes() -> None:
    assert page_size_or_default(None) == page_size_or_default(0) == DEFAULT_PAGE_SIZE == 50
    assert page_size_or_default(7) == 7
    assert page_size_or_default(MAX_PAGE_SIZE + 1) == page_size_or_default(10**9) == MAX_PAGE_SIZE == 1000
    with pytest.raises(InvalidArgumentError) as caught:
        page_size_or_default(-1)
    assert caught.value.violations[0].field == "page_size"


def test_page_tokens() -> None:
    query = fingerprint("rules", "is_active = true")
    token = encode_page_token(42, query)
    assert "=" not in token and decode_page_token(token, query) == 42
    assert decode_page_token("", query) is None and decode_page_token(None, query) is None
    assert fingerprint("rules", "") != fingerprint("ruleSets", "")
    for bad in ("%%%", "e30", "bnVsbA", "eyJrIjp0cnVlLCJmIjoiIn0", token + "x"):
        with pytest.raises(InvalidArgumentError) as caught:
            decode_page_token(bad, query)
        assert caught.value.violations[0].field == "page_token"
    with pytest.raises(InvalidArgumentError, match="different query"):
        decode_page_token(token, fingerprint("rules", "is_active = false"))
