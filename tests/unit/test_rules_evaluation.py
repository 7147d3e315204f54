"""Custom rules through the engine: every kind of predicate, graph rules, models, serialization."""

from __future__ import annotations

import pickle

from scanrules_server.engine.column import ColumnInfo, ColumnProfile
from scanrules_server.engine.compiler import CompiledRuleSet, RuleSpec, compile_rules
from scanrules_server.engine.detect import detect
from scanrules_server.engine.models import InMemoryModelRegistry
from scanrules_server.engine.scanner import Table, scan_tables
from scanrules_server.engine.semantic import similarity, words


def _one(compiled: CompiledRuleSet, column: ColumnInfo, values: list[object]) -> list[str]:
    result = scan_tables(compiled, [Table(column.table, [column], [{column.name: values}])])
    return [f.classification for f in result.findings]


def test_validator_applies_to_the_matched_text_inside_free_text() -> None:
    compiled = compile_rules([RuleSpec("c", "CARD", r'match value ~ /\b(?:\d[ -]?){12,18}\d\b/ and valid("luhn")')], {})
    assert detect(compiled, ["paid with 4111 1111 1111 1111 yesterday", "ref 4111 1111 1111 1112"]) == [["CARD"], []]


def test_keyword_context_near_a_match() -> None:
    rule = r'match value ~ /\b\d{6}\b/ and near(["badge", "employee"], 15)'
    compiled = compile_rules([RuleSpec("b", "BADGE", rule)], {})
    got = detect(compiled, ["badge 123456", "123456 is the zip code of a town far away", "employee no. 654321"])
    assert got == [["BADGE"], [], ["BADGE"]]


def test_dictionaries_word_lists_and_exclusions() -> None:
    rule = (
        r'match value ~ /^[A-Z][a-z]+ [A-Z][a-z]+$/ and first_word in dictionary("given_names") '
        r'and not last_word in ["Street", "Avenue"] and value !~ /^Test /'
    )
    compiled = compile_rules([RuleSpec("n", "NAME", rule)], {})
    assert detect(compiled, ["Maria Lopez", "Maria Street", "Test Person", "Blue Ocean"]) == [["NAME"], [], [], []]


def test_phone_numbers_by_region() -> None:
    compiled = compile_rules([RuleSpec("p", "PHONE", r'match value ~ /^[+\d][\d ()-]{6,}$/ and phone("GB")')], {})
    assert detect(compiled, ["020 7946 0018", "+44 20 7946 0018", "000 0000 0000"]) == [["PHONE"], ["PHONE"], []]


def test_column_predicates_statistics_and_when() -> None:
    rule = (
        r"match value ~ /^\d{4}$/ and column.name ~ /pin/i "
        r'when distinct_ratio > 0.5 and min_value >= 0 and max_value <= 9999 and not column.type in ["boolean"]'
    )
    compiled = compile_rules([RuleSpec("p", "PIN", rule)], {})
    values: list[object] = [f"{i:04d}" for i in range(0, 2000, 7)]
    assert _one(compiled, ColumnInfo("t", "card_pin", "varchar"), values) == ["PIN"]
    assert _one(compiled, ColumnInfo("t", "year", "varchar"), values) == []
    assert _one(compiled, ColumnInfo("t", "card_pin", "varchar"), ["1234"] * 300) == []  # distinct ratio too low


def test_semantic_similarity_across_languages_and_styles() -> None:
    for name in ("cust_mail", "correo_electronico", "e-post", "EmailAddr", "courriel"):
        assert similarity(name, "", "email") >= 0.7, name
    assert similarity("order_total", "", "email") < 0.5
    assert similarity("x", "Adresse électronique du client", "email") >= 0.7
    assert words("custMailAddr") == ["customer", "mail", "address"]


def test_ai_semantic_rule_fires_on_name_similarity() -> None:
    compiled = compile_rules([RuleSpec("s", "EMAIL_BY_NAME", 'when semantic("email") >= 0.7')], {})
    assert compiled.rules[0].analysis.pattern_type == "AI_SEMANTIC"
    assert _one(compiled, ColumnInfo("t", "correo_electronico"), ["x"]) == ["EMAIL_BY_NAME"]
    assert _one(compiled, ColumnInfo("t", "order_total"), ["x"]) == []


def test_ml_pattern_rule_reads_the_model_registry() -> None:
    def scorer(column: ColumnInfo, profile: ColumnProfile) -> float:
        return 0.95 if profile.avg_length > 10 else 0.1

    registry = InMemoryModelRegistry({"long-values": scorer})
    compiled = compile_rules([RuleSpec("m", "LONG", 'when model("long-values") >= 0.9')], {}, registry)
    assert compiled.rules[0].analysis.pattern_type == "ML_PATTERN"
    assert _one(compiled, ColumnInfo("t", "a"), ["a much longer value"] * 5) == ["LONG"]
    assert _one(compiled, ColumnInfo("t", "a"), ["short"] * 5) == []


def test_graph_rule_follows_foreign_keys_after_its_dependencies() -> None:
    compiled = compile_rules(
        [
            RuleSpec("ssn", "SSN", r'match value ~ /^\d{3}-\d{2}-\d{4}$/ and valid("us.ssn")'),
            RuleSpec("ref", "SSN_REFERENCE", "when references(SSN)"),
            RuleSpec("ref2", "SSN_REFERENCE_2", "when references(SSN_REFERENCE)"),
        ],
        {},
    )
    assert compiled.rules[1].analysis.pattern_type == "GRAPH_BASED"
    people = Table("people", [ColumnInfo("people", "ssn")], [{"ssn": ["536-22-8426", "078-05-1121"] * 20}])
    # listed before the table it depends on: order must not matter
    claims = Table("claims", [ColumnInfo("claims", "person", references=("people", "ssn"))], [{"person": ["1"] * 5}])
    audit = Table("audit", [ColumnInfo("audit", "claim", references=("claims", "person"))], [{"claim": ["1"]}])
    findings = scan_tables(compiled, [audit, claims, people]).findings
    got = {(f.table, f.column, f.classification) for f in findings}
    assert got == {
        ("people", "ssn", "SSN"),
        ("claims", "person", "SSN_REFERENCE"),
        ("audit", "claim", "SSN_REFERENCE_2"),
    }


def test_compiled_rule_set_serializes_without_recompiling() -> None:
    compiled = compile_rules([RuleSpec("e", "EMAIL", r"match value ~ /\b[\w.]+@[\w-]+\.[a-z]{2,}\b/")], {})
    restored = pickle.loads(compiled.dumps())
    assert detect(restored, ["a@b.com", "nope"]) == [["EMAIL"], []]


def test_re2_fallback_for_patterns_hyperscan_rejects() -> None:
    # Hyperscan has no (?U) (ungreedy) flag; RE2 does, and is still linear-time.
    rule = r"match value ~ /(?U)^id=\d+;/ or value ~ /^plain$/"
    compiled = compile_rules([RuleSpec("u", "UNGREEDY", rule)], {})
    assert compiled.matcher.re2_ids == [0] and compiled.matcher.hs_ids == [1]
    assert detect(compiled, ["id=42;", "id=;", "plain", "nothing"]) == [["UNGREEDY"], [], ["UNGREEDY"], []]


def test_matches_do_not_run_across_values() -> None:
    compiled = compile_rules([RuleSpec("x", "X", r"match value ~ /foo[^z]+bar/")], {})
    assert detect(compiled, ["foo", "bar", "foo bar"]) == [[], [], ["X"]]
