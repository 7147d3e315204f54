"""User patterns can never backtrack catastrophically: Hyperscan/RE2 only."""

from __future__ import annotations

import time

import pytest

from scanrules_server.engine.column import ColumnInfo
from scanrules_server.engine.compiler import RuleSpec, compile_rules
from scanrules_server.engine.scanner import Table, scan_tables


@pytest.mark.timeout(60)
@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(a*)*b", "(x+x+)+y"])
def test_pathological_pattern_runs_in_linear_time(pattern: str) -> None:
    compiled = compile_rules([RuleSpec("evil", "EVIL", f"match value ~ /{pattern}/")], patterns={})

    def run(n: int) -> float:
        value = "a" * n + "!"
        started = time.perf_counter()
        scan_tables(compiled, [Table("t", [ColumnInfo("t", "c")], [{"c": [value]}])])
        return time.perf_counter() - started

    run(1000)
    small, large = run(100_000), run(400_000)
    # A backtracking engine needs exponential time here; linear time means 4x input ~ 4x time.
    assert large < 1.0
    assert large < max(small, 0.005) * 40
