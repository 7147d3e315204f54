"""The pattern library: named, reusable regex + validator + keywords + exclusions, with usage statistics.

Built-in patterns are seeded by `seed_builtin_patterns` and read-only through update/delete
(FailedPreconditionError(reason="BUILTIN_PATTERN")); their statistics still move with
`record_pattern_stats`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import FailedPreconditionError, InvalidArgumentError, Violation
from ..domain.resources import PATTERNS, Pattern
from . import _checks as c
from ._store import Spec, Store
from .filters import FieldKind, FilterField
from .models import PatternRow

log = logging.getLogger(__name__)

BUILTIN_PATTERN = "BUILTIN_PATTERN"

PATTERN_CHECKS: dict[str, c.Check] = {
    "display_name": c.text,
    "description": c.text,
    "regex": c.text,
    "validator": c.text,
    "keywords": c.text_list,
    "exclusions": c.text_list,
    "usage_count": c.count,
    "measured_precision": c.optional_fraction,
}
# What a built-in's definition consists of (seeding compares and replaces these, and keeps statistics).
PATTERN_CONTENT_FIELDS = ("display_name", "description", "regex", "validator", "keywords", "exclusions")

PATTERN_FILTER_FIELDS: dict[str, FilterField] = {
    "pattern_id": FilterField(PatternRow.pattern_id, FieldKind.STRING),
    "display_name": FilterField(PatternRow.display_name, FieldKind.STRING),
    "builtin": FilterField(PatternRow.builtin, FieldKind.BOOL),
    "validator": FilterField(PatternRow.validator, FieldKind.STRING),
    "usage_count": FilterField(PatternRow.usage_count, FieldKind.NUMBER),
    "measured_precision": FilterField(PatternRow.measured_precision, FieldKind.NUMBER),
}

CREATE_PATTERN_METHOD = "CreatePattern"

_store: Store[Pattern] = Store(
    Spec(
        resource=Pattern,
        collection=PATTERNS,
        noun="pattern",
        id_field="pattern_id",
        row=PatternRow,
        revision_row=None,
        checks=PATTERN_CHECKS,
        filter_fields=PATTERN_FILTER_FIELDS,
        create_method=CREATE_PATTERN_METHOD,
    )
)


def _not_builtin(row: PatternRow) -> None:
    if row.builtin:
        raise FailedPreconditionError(
            f"{_store.name(row.pattern_id)} is a built-in pattern and cannot be changed or deleted", BUILTIN_PATTERN
        )


async def create_pattern(
    session: AsyncSession, pattern_id: str, fields: Mapping[str, Any], request_id: str | None = None
) -> Pattern:
    """Create a (user) pattern. AlreadyExistsError, InvalidArgumentError; idempotent on `request_id`."""
    return await _store.create(session, pattern_id, fields, request_id)


async def get_pattern(session: AsyncSession, pattern_id: str) -> Pattern:
    return await _store.get(session, pattern_id)


async def list_patterns(
    session: AsyncSession, page_size: int | None = 0, page_token: str | None = "", filter: str | None = ""
) -> tuple[list[Pattern], str]:
    return await _store.list_resources(session, page_size, page_token, filter)


async def update_pattern(
    session: AsyncSession, pattern_id: str, changes: Mapping[str, Any], etag: str | None = None
) -> Pattern:
    """NotFoundError, FailedPreconditionError (built-in), EtagMismatchError, InvalidArgumentError."""
    return await _store.update(session, pattern_id, changes, etag, guard=_not_builtin)


async def delete_pattern(session: AsyncSession, pattern_id: str, etag: str | None = None) -> None:
    await _store.delete(session, pattern_id, etag, guard=_not_builtin)


async def record_pattern_stats(
    session: AsyncSession, pattern_id: str, *, uses: int = 0, measured_precision: float | None = None
) -> Pattern:
    """Add `uses` to the usage count and/or set the measured precision (built-ins included)."""
    changes: dict[str, Any] = {}
    if measured_precision is not None:
        changes["measured_precision"] = measured_precision
    values = _store.checked({"usage_count": uses, **changes})
    await _store.lock_for_write(session)
    row: PatternRow = await _store.existing_row(session, pattern_id, lock=True)
    values["usage_count"] = row.usage_count + values["usage_count"]
    resource = _store.apply(session, row, values)
    await session.flush()
    return resource


async def seed_builtin_patterns(session: AsyncSession, patterns: Iterable[Mapping[str, Any]]) -> list[Pattern]:
    """Make the built-in library match `patterns` (each: `pattern_id` plus content fields). Idempotent:
    missing ones are created, changed ones replaced (statistics kept), equal ones left alone (same etag).

    An id held by a user's pattern is skipped with a warning. Returns the built-ins as now stored.
    """
    seeded: list[Pattern] = []
    await _store.lock_for_write(session)
    for i, spec in enumerate(patterns):
        if not isinstance(spec, Mapping) or not isinstance(spec.get("pattern_id"), str):
            raise InvalidArgumentError([Violation(f"patterns[{i}].pattern_id", "is required")])
        pattern_id: str = spec["pattern_id"]
        content = _store.checked({k: v for k, v in spec.items() if k != "pattern_id"})
        row: PatternRow | None = await _store.row(session, pattern_id, lock=True)
        if row is None:
            seeded.append(await _store.create(session, pattern_id, content, system={"builtin": True}))
        elif not row.builtin:
            log.warning("built-in pattern %s not seeded: a user pattern holds that id", pattern_id)
        else:
            full = _store.with_defaults(content)
            definition = {key: full[key] for key in PATTERN_CONTENT_FIELDS}
            if all(getattr(row, key) == value for key, value in definition.items()):
                seeded.append(_store.resource_of(row))
            else:
                seeded.append(_store.apply(session, row, definition))
    await session.flush()
    return seeded
