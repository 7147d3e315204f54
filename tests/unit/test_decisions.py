"""Column decisions with the whole built-in library: decoys stay quiet, sparse columns are found."""

from __future__ import annotations

import hashlib
import random
import uuid

import pytest
from stdnum import luhn

from scanrules_server.engine.column import ColumnInfo
from scanrules_server.engine.compiler import CompiledRuleSet
from scanrules_server.engine.decision import Finding, wilson_lower
from scanrules_server.engine.scanner import Table, scan_tables

RNG = random.Random(42)
N = 1000


def _digits(n: int) -> str:
    return str(RNG.randint(1, 9)) + "".join(RNG.choice("0123456789") for _ in range(n - 1))


def _card() -> str:
    body = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    return body + luhn.calc_check_digit(body)


def _not_luhn16() -> str:
    while True:
        value = _digits(16)
        if not luhn.is_valid(value):
            return value


def _scan(compiled: CompiledRuleSet, name: str, values: list[object], comment: str = "") -> list[Finding]:
    column = ColumnInfo("t", name, comment=comment)
    return scan_tables(compiled, [Table("t", [column], [{name: values}])]).findings


DECOYS = {
    "not_luhn_16_digits": ("ref_code", lambda: _not_luhn16()),
    "nine_digit_numbers": ("account_ref", lambda: _digits(9)),
    "md5_hashes": ("checksum", lambda: hashlib.md5(_digits(12).encode()).hexdigest()),
    "sha1_hashes": ("digest", lambda: hashlib.sha1(_digits(12).encode()).hexdigest()),
    "version_strings": (
        "version",
        lambda: f"{RNG.randint(256, 999)}.{RNG.randint(0, 20)}.{RNG.randint(0, 9)}.{RNG.randint(0, 9)}",
    ),
    "uuids": ("row_id", lambda: str(uuid.UUID(int=RNG.getrandbits(128)))),
    "opt_in_booleans": ("email_opt_in", lambda: RNG.choice(["true", "false"])),
    "verified_flags": ("email_verified", lambda: RNG.choice(["0", "1"])),
    "card_brands": ("card_type", lambda: RNG.choice(["visa", "mastercard", "amex", "discover"])),
    "years": ("model_year", lambda: str(RNG.randint(1990, 2025))),
    "prices": ("price", lambda: f"{RNG.randint(1, 999)}.{RNG.randint(0, 99):02d}"),
    "ten_digit_order_numbers": ("order_number", lambda: _digits(10)),
    "words_in_email_column": ("email", lambda: RNG.choice(["apple", "orange", "pear", "plum"])),
    "uuids_in_ssn_column": ("ssn", lambda: str(uuid.UUID(int=RNG.getrandbits(128)))),
}


@pytest.mark.parametrize("kind", sorted(DECOYS))
def test_decoys_are_not_reported(builtin: CompiledRuleSet, kind: str) -> None:
    name, make = DECOYS[kind]
    findings = _scan(builtin, name, [make() for _ in range(N)])
    assert findings == [], [(f.classification, f.confidence, f.summary()) for f in findings]


def test_dense_card_column_is_found_with_explanation(builtin: CompiledRuleSet) -> None:
    findings = _scan(builtin, "pan", [_card() for _ in range(N)])
    card = [f for f in findings if f.classification == "CREDIT_CARD_NUMBER"]
    assert card and card[0].confidence >= 0.95 and card[0].match_ratio == 1.0
    kinds = [e["evidence"] for e in card[0].explanation]
    assert "pattern" in kinds and "validator" in kinds
    assert all(e.startswith("*") and e[-4:].isdigit() for e in card[0].evidence)


def test_free_text_with_a_few_emails_is_reported_with_its_ratio(builtin: CompiledRuleSet) -> None:
    values = [
        f"please contact jane.doe{i}@example.org about the invoice" if i % 33 == 0 else "the weather was fine today"
        for i in range(N)
    ]
    findings = [f for f in _scan(builtin, "notes", values) if f.classification == "EMAIL_ADDRESS"]
    assert findings, "a free-text column with ~3% emails must be reported"
    assert 0.02 < findings[0].match_ratio < 0.05
    assert "@" in findings[0].evidence[0] and "jane" not in findings[0].evidence[0]


def test_one_ssn_in_a_thousand_rows_is_found(builtin: CompiledRuleSet) -> None:
    values: list[object] = ["nothing to see"] * N
    values[517] = "employee ssn 536-22-8426 on file"
    findings = [f for f in _scan(builtin, "comments", values) if f.classification == "US_SOCIAL_SECURITY_NUMBER"]
    assert findings and findings[0].validated == 1 and findings[0].sampled == N


def test_nulls_and_numbers_count_in_statistics(builtin: CompiledRuleSet) -> None:
    values: list[object] = [None] * 500 + [f"user{i}@mail.example.com" for i in range(500)]
    (finding,) = [f for f in _scan(builtin, "contact", values) if f.classification == "EMAIL_ADDRESS"]
    assert finding.sampled == 1000 and finding.non_null == 500 and finding.match_ratio == 1.0


def test_name_evidence_raises_confidence(builtin: CompiledRuleSet) -> None:
    values: list[object] = ["x"] * 996 + ["536-22-8426", "321-54-9876", "612-44-1290", "287-65-4321"]
    plain = [f for f in _scan(builtin, "misc", values) if f.classification == "US_SOCIAL_SECURITY_NUMBER"]
    named = [f for f in _scan(builtin, "ssn", values) if f.classification == "US_SOCIAL_SECURITY_NUMBER"]
    assert named and plain and named[0].confidence > plain[0].confidence


def test_wilson_lower_bound() -> None:
    assert wilson_lower(0, 10) == 0.0
    assert 0.0 < wilson_lower(1, 1000) < 0.001
    assert wilson_lower(1000, 1000) > 0.99
    assert wilson_lower(50, 100) < 0.5 < wilson_lower(60, 100)
