"""Domain errors. The API layer maps each to a gRPC status; the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass, field


class ScanRulesError(Exception):
    """Base of every error the domain raises on purpose."""

    reason = "SCANRULES_ERROR"


@dataclass
class Violation:
    """One problem in a piece of input, with where it is."""

    field: str
    description: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        where = f" at line {self.line}, column {self.column}" if self.line else ""
        return f"{self.field}{where}: {self.description}"


@dataclass
class RuleError(ScanRulesError):
    """A rule that does not parse or does not pass static analysis."""

    violations: list[Violation] = field(default_factory=list)
    reason_code: str = "INVALID_RULE"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def reason(self) -> str:  # type: ignore[override]
        return self.reason_code

    @property
    def message(self) -> str:
        return "; ".join(str(v) for v in self.violations)

    def __str__(self) -> str:
        return self.message


class RuleSetError(ScanRulesError):
    """A rule set file or definition that cannot be used."""

    reason = "INVALID_RULE_SET"


class SourceError(ScanRulesError):
    """A data source that cannot be opened or read."""

    reason = "SOURCE_UNAVAILABLE"
