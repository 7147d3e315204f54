"""Column-gated patterns: scanned only where a rule using them can hold, with the same findings."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from scanrules_server.engine.column import ColumnInfo
from scanrules_server.engine.compiler import CompiledRuleSet, RuleSpec, compile_rules
from scanrules_server.engine.liveness import GENERIC_COLUMN, fold
from scanrules_server.engine.matcher import anchored_whole_value
from scanrules_server.engine.scanner import Table, scan_tables

GATED = compile_rules(
    [
        RuleSpec("secret", "PASSWORD", r"match value ~ /^\S.*$/ and column.name ~ /passw/i"),
        RuleSpec("either", "CODE", r"match value ~ /^\d{4}$/ or (value ~ /^[a-z]+$/ and column.name ~ /code/)"),
        RuleSpec("negated", "NOT_HASH", r"match value ~ /^\d{3}$/ and not column.name ~ /hash/"),
    ]
)


def _pid(compiled: CompiledRuleSet, source: str) -> int:
    return next(i for i, r in enumerate(compiled.matcher.regexes) if r.source == source)


def test_patterns_behind_a_column_gate_leave_the_main_database() -> None:
    gated = GATED.matcher.gated
    assert _pid(GATED, r"^\S.*$") in gated
    assert _pid(GATED, "^[a-z]+$") in gated
    assert _pid(GATED, r"^\d{4}$") not in gated
    assert _pid(GATED, r"^\d{3}$") not in gated  # live on a column nothing singles out


def test_fold_decides_liveness_from_column_metadata() -> None:
    secret, either, negated = (r.plan for r in GATED.rules)
    assert secret is not None and either is not None and negated is not None
    assert fold(secret, GENERIC_COLUMN).value is False
    assert fold(secret, ColumnInfo("t", "user_password")).value is None
    assert fold(either, GENERIC_COLUMN).pids == {_pid(GATED, r"^\d{4}$")}
    assert len(fold(either, ColumnInfo("t", "zip_code")).pids) == 2
    assert fold(negated, ColumnInfo("t", "pw_hash")).value is False
    live, needs_gated = GATED.column_plan(ColumnInfo("t", "notes"))
    assert live == [1, 2] and not needs_gated
    live, needs_gated = GATED.column_plan(ColumnInfo("t", "password"))
    assert live == [0, 1, 2] and needs_gated


def test_gated_scan_reports_gated_hits_only_when_asked() -> None:
    values = ["hunter2", "1234", "abc"]
    pid = _pid(GATED, r"^\S.*$")
    assert not GATED.matcher.scan(values).present(pid).any()
    assert GATED.matcher.scan(values, gated=True).present(pid).all()


@pytest.mark.parametrize("compiled", [GATED, pickle.loads(pickle.dumps(GATED))], ids=["fresh", "unpickled"])
def test_findings_follow_the_gate(compiled: CompiledRuleSet) -> None:
    values = [f"s3cret-{i}" for i in range(50)]
    tables = [Table("t", [ColumnInfo("t", n)], [{n: values}]) for n in ("password", "notes")]
    found = {(f.column, f.classification) for f in scan_tables(compiled, tables).findings}
    assert ("password", "PASSWORD") in found
    assert ("notes", "PASSWORD") not in found


def test_builtin_library_keeps_catch_alls_out_of_the_main_database(builtin: CompiledRuleSet) -> None:
    catch_all = _pid(builtin, r"^\S.*$")
    assert catch_all in builtin.matcher.gated
    hits = builtin.matcher.scan(["plain text", "another value"])
    assert not np.isin(hits.pattern, list(builtin.matcher.gated)).any()


@pytest.mark.parametrize(
    ("source", "whole"),
    [
        (r"^\d+$", True),
        (r"^a$|^b$", True),
        (r"^(?:a|b)$", True),
        (r"^a|b$", False),
        (r"^a\$", False),
        (r"\b\d{3}\b", False),
        (r"^[|]x$", True),
    ],
)
def test_anchored_whole_value(source: str, whole: bool) -> None:
    assert anchored_whole_value(source) is whole
