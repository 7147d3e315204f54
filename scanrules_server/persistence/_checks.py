"""Type checks for the values repositories store (the domain validates meaning; this keeps rows sane)."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.resources import parse_rule_name

# A check returns the value to store, or raises ValueError whose message describes the problem.
Check = Callable[[Any], Any]


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("must be a number")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"must be within 0..1 (got {value})")
    return float(value)


def optional_fraction(value: Any) -> float | None:
    return None if value is None else fraction(value)


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a non-negative integer")
    return value


def text_list(value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ValueError("must be a list of strings")
    if not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return list(value)


def text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError("must be a map of strings to strings")
    return dict(value)


def json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError("must be an object")
    try:
        normalised: dict[str, Any] = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"must be JSON-serialisable ({exc})") from None
    return normalised


def pinned_rule_names(value: Any) -> list[str]:
    names = text_list(value)
    for i, name in enumerate(names):
        parsed = parse_rule_name(name)
        if parsed is None or parsed[1] is None:
            raise ValueError(f"[{i}] {name!r} is not a pinned rule revision name like 'rules/email@3'")
    return names


def checked(values: Mapping[str, Any], checks: Mapping[str, Check], *, what: str) -> dict[str, Any]:
    """`values` passed through `checks`; INVALID_ARGUMENT listing every unknown field and bad value."""
    if not isinstance(values, Mapping):
        raise InvalidArgumentError([Violation(what, "must be a mapping of field names to values")])
    out: dict[str, Any] = {}
    violations: list[Violation] = []
    for key, value in values.items():
        check = checks.get(key)
        if check is None:
            allowed = ", ".join(checks)
            violations.append(Violation(str(key), f"is not a field of {what} that can be set; settable: {allowed}"))
            continue
        try:
            out[key] = check(value)
        except ValueError as exc:
            violations.append(Violation(key, str(exc)))
    if violations:
        raise InvalidArgumentError(violations)
    return out


def fresh(value: Any) -> Any:
    """A copy of a stored JSON-ish value, so callers never share mutable state with ORM rows."""
    return copy.deepcopy(value)
