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
class ViolationsError(ScanRulesError):
    """Input with one or more named problems; the API turns each into a field violation."""

    violations: list[Violation] = field(default_factory=list)
    reason_code: str = "INVALID_ARGUMENT"

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


@dataclass
class RuleError(ViolationsError):
    """A rule that does not parse or does not pass static analysis."""

    reason_code: str = "INVALID_RULE"


class RuleSetError(ScanRulesError):
    """A rule set file or definition that cannot be used."""

    reason = "INVALID_RULE_SET"


class SourceError(ScanRulesError):
    """A data source that cannot be opened or read."""

    reason = "SOURCE_UNAVAILABLE"


@dataclass
class InvalidArgumentError(ViolationsError):
    """A request field that is missing or malformed (beyond rule expressions)."""


class NotFoundError(ScanRulesError):
    """The named resource does not exist (or was deleted)."""

    reason = "RESOURCE_NOT_FOUND"

    def __init__(self, resource_name: str) -> None:
        super().__init__(f"{resource_name} not found")
        self.resource_name = resource_name


class AlreadyExistsError(ScanRulesError):
    """A create asked for an id that is taken."""

    reason = "RESOURCE_ALREADY_EXISTS"

    def __init__(self, resource_name: str) -> None:
        super().__init__(f"{resource_name} already exists")
        self.resource_name = resource_name


class EtagMismatchError(ScanRulesError):
    """The caller's etag is stale: someone changed the resource since it was read."""

    reason = "ETAG_MISMATCH"

    def __init__(self, resource_name: str) -> None:
        super().__init__(f"etag does not match the current state of {resource_name}; read it again and retry")
        self.resource_name = resource_name


class FailedPreconditionError(ScanRulesError):
    """The resource is not in a state that allows the operation (e.g. a read-only system rule set)."""

    reason = "FAILED_PRECONDITION"

    def __init__(self, message: str, reason: str = "FAILED_PRECONDITION") -> None:
        super().__init__(message)
        self.reason = reason
