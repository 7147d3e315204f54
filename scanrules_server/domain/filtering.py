"""List filters (an AIP-160 subset), parsed with lark (LALR) into a small expression tree.

`parse_filter` is pure: which fields exist and what types they hold is the caller's business (the
persistence layer checks the tree against an allow-list per resource).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from importlib import resources
from typing import Any, TypeAlias

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .errors import InvalidArgumentError, Violation
from .parser import too_deep

FILTER_FIELD = "filter"

Value: TypeAlias = str | int | float | bool

COMPARATORS = ("=", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Comparison:
    """`field op value`. `line` and `column` say where the field name starts in the filter (1-based)."""

    field: str
    op: str
    value: Value
    line: int = dataclass_field(default=1, compare=False, repr=False)
    column: int = dataclass_field(default=1, compare=False, repr=False)

    @property
    def position(self) -> str:
        """ "column 7", or "line 2, column 7" in a filter of several lines."""
        return f"line {self.line}, column {self.column}" if self.line > 1 else f"column {self.column}"


@dataclass(frozen=True)
class And:
    """All operands hold. `And(())` matches everything (the empty filter)."""

    operands: tuple[FilterExpr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[FilterExpr, ...]


@dataclass(frozen=True)
class Not:
    operand: FilterExpr


FilterExpr: TypeAlias = Comparison | And | Or | Not

MATCH_ALL = And(())

_TERMINAL_NAMES = {
    "NAME": "a field name or bare word",
    "STRING": 'a string like "..."',
    "NUMBER": "a number",
    "TRUE": "true",
    "FALSE": "false",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "_AND": "AND",
    "_OR": "OR",
    "_NOT": "NOT",
    "LPAR": "'('",
    "RPAR": "')'",
    "$END": "end of filter",
}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files(__package__).joinpath("filter.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True)


class _Problem(Exception):
    def __init__(self, message: str, token: Token) -> None:
        super().__init__(message)
        self.message = message
        self.line = token.line or 1
        self.column = token.column or 1


def _flatten(kind: type[And] | type[Or], items: tuple[FilterExpr, ...]) -> tuple[FilterExpr, ...]:
    out: list[FilterExpr] = []
    for item in items:
        out.extend(item.operands if isinstance(item, kind) else (item,))
    return tuple(out)


@v_args(inline=True)
class _ToExpr(Transformer[Token, FilterExpr]):
    def or_expr(self, *items: FilterExpr) -> FilterExpr:
        return Or(_flatten(Or, items))

    def and_expr(self, *items: FilterExpr) -> FilterExpr:
        return And(_flatten(And, items))

    def not_expr(self, item: FilterExpr) -> FilterExpr:
        return Not(item)

    def comparison(self, name: Token, op: Token, value: Value) -> Comparison:
        return Comparison(str(name), str(op), value, name.line or 1, name.column or 1)

    def value(self, token: Token) -> Value:
        text = str(token)
        if token.type == "TRUE":
            return True
        if token.type == "FALSE":
            return False
        if token.type == "NUMBER":
            if any(c in text for c in ".eE"):
                number = float(text)
                if number in (float("inf"), float("-inf")):
                    raise _Problem(f"number {text} is out of range", token)
                return number
            # Numbers are compared in SQL: past 64 bits a driver fails (and past 4,300 digits so does int()).
            if len(text.lstrip("-")) > 19 or not -(2**63) <= int(text) < 2**63:
                raise _Problem(f"number {text[:30]}{'…' if len(text) > 30 else ''} is out of range", token)
            return int(text)
        if token.type == "STRING":
            try:
                decoded: Any = json.loads(text)
            except ValueError:
                raise _Problem(f"bad escape in string {text}", token) from None
            return str(decoded)
        return text


def _where(line: int, column: int, text: str) -> str:
    return f"line {line}, column {column}" if "\n" in text else f"column {column}"


def _expected(exc: UnexpectedInput) -> str:
    expected: set[str] = set()
    if isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        expected = set(exc.expected)
    elif isinstance(exc, UnexpectedCharacters):
        expected = set(exc.allowed or ())
    names = sorted({_TERMINAL_NAMES.get(t, t) for t in expected})
    return ", ".join(names) if names else "something else"


def _syntax_error(text: str, exc: UnexpectedInput) -> InvalidArgumentError:
    line, column = exc.line or 0, exc.column or 0
    at_end = isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END")
    if at_end or line < 1:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    if at_end:
        found = "end of filter"
    elif isinstance(exc, UnexpectedCharacters):
        found = repr(text[exc.pos_in_stream]) if exc.pos_in_stream is not None else "a character"
    elif isinstance(exc, UnexpectedToken):
        found = repr(str(exc.token))
    else:
        found = "input"
    message = f"syntax error at {_where(line, column, text)}: unexpected {found}; expected {_expected(exc)}"
    return InvalidArgumentError([Violation(FILTER_FIELD, message, line, column)])


def parse_filter(text: str) -> FilterExpr:
    """Parse a List filter. Empty text matches everything (`MATCH_ALL`).

    Raises `InvalidArgumentError` (field "filter") whose description says where the problem is.
    """
    if not text or not text.strip():
        return MATCH_ALL
    try:
        tree = _parser().parse(text)
        deep = too_deep(tree)
        if deep is not None:
            line, column = getattr(deep.meta, "line", 1), getattr(deep.meta, "column", 1)
            message = f"nested too deeply at {_where(line, column, text)}: use fewer NOTs and parentheses"
            raise InvalidArgumentError([Violation(FILTER_FIELD, message, line, column)])
        expr: FilterExpr = _ToExpr().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, _Problem):
            p = exc.orig_exc
            message = f"{p.message} at {_where(p.line, p.column, text)}"
            raise InvalidArgumentError([Violation(FILTER_FIELD, message, p.line, p.column)]) from None
        raise
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return expr


def _render_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def canonical(expr: FilterExpr) -> str:
    """A normal text form: equal for filters that differ only in spacing, quoting or redundant parentheses."""
    if isinstance(expr, Comparison):
        return f"{expr.field} {expr.op} {_render_value(expr.value)}"
    if isinstance(expr, Not):
        return f"NOT ({canonical(expr.operand)})"
    if not expr.operands:
        return ""
    joiner = " AND " if isinstance(expr, And) else " OR "
    return joiner.join(f"({canonical(o)})" if isinstance(o, (And, Or)) else canonical(o) for o in expr.operands)


def comparisons(expr: FilterExpr) -> list[Comparison]:
    """Every comparison in the tree, left to right."""
    if isinstance(expr, Comparison):
        return [expr]
    if isinstance(expr, Not):
        return comparisons(expr.operand)
    return [c for o in expr.operands for c in comparisons(o)]
