"""Translate a parsed List filter (`domain.filtering`) into a SQL WHERE clause, against an allow-list of
fields per resource with their types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Integer, Numeric, Text, and_, cast, literal, not_, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.filtering import FILTER_FIELD, And, Comparison, FilterExpr, Not, Value


class FieldKind(Enum):
    STRING = "string"
    BOOL = "boolean"
    NUMBER = "number"
    #: A timestamp column compared with an RFC 3339 string, e.g. `create_time >= "2026-01-01T00:00:00Z"`.
    TIMESTAMP = "timestamp"
    #: A JSON list of ids: `field = "x"` holds when the list contains x (`!=`: does not).
    MEMBER = "list membership"


@dataclass(frozen=True)
class FilterField:
    column: InstrumentedAttribute[Any]
    kind: FieldKind
    #: MEMBER: a resource-name prefix the stored ids lack (e.g. "dataSources/")
    prefix: str = ""


_EXPECTED = {
    FieldKind.STRING: 'a string (e.g. "text")',
    FieldKind.BOOL: "true or false",
    FieldKind.NUMBER: "a number",
    FieldKind.TIMESTAMP: 'an RFC 3339 time in quotes (e.g. "2026-01-01T00:00:00Z")',
    FieldKind.MEMBER: 'a string (e.g. "dataSources/crm")',
}


def parse_timestamp(value: Value) -> datetime | None:
    """An RFC 3339 string with a time zone (`Z` or an offset) as an aware datetime; None otherwise."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return None
        parsed.astimezone(UTC)  # stored times are UTC: 9999-12-31T23:59:59-14:00 has no UTC equivalent
    except (ValueError, OverflowError):
        return None
    return parsed


def _fits(kind: FieldKind, value: Value) -> bool:
    if kind is FieldKind.BOOL:
        return isinstance(value, bool)
    if kind is FieldKind.NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is FieldKind.TIMESTAMP:
        return parse_timestamp(value) is not None
    return isinstance(value, str)


def _contains(spec: FilterField, value: str) -> ColumnElement[bool]:
    return json_list_contains(spec.column, value.removeprefix(spec.prefix))


def json_list_contains(column: InstrumentedAttribute[Any], item: str) -> ColumnElement[bool]:
    """The JSON list column holds the string `item` (ids never contain quotes; LIKE wildcards are escaped).
    The JSON text is `["a", "b"]` on both SQLite and PostgreSQL (jsonb::text), so `"a"` matches only a whole
    item."""
    escaped = item.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")
    return cast(column, Text).like(f'%"{escaped}"%', escape="\\")


def _render(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _compare(
    column: InstrumentedAttribute[Any], op: str, value: Value | datetime | ColumnElement[Any] | None
) -> ColumnElement[bool]:
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == "<":
        return column < value
    if op == "<=":
        return column <= value
    if op == ">":
        return column > value
    return column >= value


def build_where(expr: FilterExpr, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    """The WHERE clause for `expr`; INVALID_ARGUMENT (field "filter") for fields not in `fields` or
    values of the wrong type. `And(())` (the empty filter) is TRUE."""
    violations: list[Violation] = []

    def where(node: FilterExpr) -> ColumnElement[bool]:
        if isinstance(node, Comparison):
            spec = fields.get(node.field)
            if spec is None:
                known = ", ".join(sorted(fields))
                violations.append(
                    Violation(
                        FILTER_FIELD,
                        f"unknown field {node.field!r} at {node.position}; filterable fields: {known}",
                        node.line,
                        node.column,
                    )
                )
                return true()
            if not _fits(spec.kind, node.value):
                violations.append(
                    Violation(
                        FILTER_FIELD,
                        f"{node.field} is a {spec.kind.value} field: compare it with {_EXPECTED[spec.kind]}, "
                        f"not {_render(node.value)} (at {node.position})",
                        node.line,
                        node.column,
                    )
                )
                return true()
            if spec.kind in (FieldKind.BOOL, FieldKind.MEMBER) and node.op not in ("=", "!="):
                violations.append(
                    Violation(
                        FILTER_FIELD,
                        f"{node.field} is a {spec.kind.value} field: only = and != apply, not {node.op} "
                        f"(at {node.position})",
                        node.line,
                        node.column,
                    )
                )
                return true()
            if spec.kind is FieldKind.TIMESTAMP:
                return _compare(spec.column, node.op, parse_timestamp(node.value))
            if spec.kind is FieldKind.MEMBER:
                found = _contains(spec, str(node.value))
                return found if node.op == "=" else not_(found)
            if spec.kind is FieldKind.NUMBER and isinstance(spec.column.type, Integer):
                # As NUMERIC, so 2**40 or 1.5 compare with an int4 column instead of overflowing the driver.
                return _compare(spec.column, node.op, literal(node.value, Numeric()))
            return _compare(spec.column, node.op, node.value)
        if isinstance(node, Not):
            return not_(where(node.operand))
        parts = [where(o) for o in node.operands]
        if not parts:
            return true()
        return and_(*parts) if isinstance(node, And) else or_(*parts)

    clause = where(expr)
    if violations:
        raise InvalidArgumentError(violations)
    return clause
