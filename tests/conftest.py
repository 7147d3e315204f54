"""Shared fixtures: the built-in rule set is compiled once per test session."""

from __future__ import annotations

import pytest

from scanrules_server.engine.compiler import CompiledRuleSet, builtin_rule_specs, compile_rules


@pytest.fixture(scope="session")
def builtin() -> CompiledRuleSet:
    return compile_rules(builtin_rule_specs())
