"""Rules: current state in `rules`, one immutable snapshot per revision in `rule_revisions`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.resources import RULES, Rule, parse_rule_name, rule_name
from . import _checks as c
from ._store import MAX_REVISION, Spec, Store
from .filters import FieldKind, FilterField
from .models import RuleRevisionRow, RuleRow

RULE_CHECKS: dict[str, c.Check] = {
    "display_name": c.text,
    "description": c.text,
    "expression": c.text,
    "classification": c.text,
    "pattern_type": c.text,
    "complexity_level": c.text,
    "confidence_threshold": c.fraction,
    "is_active": c.boolean,
    "owner": c.text,
    "compliance_tags": c.text_list,
    "labels": c.text_map,
    "sensitivity_label": c.text,
}

RULE_FILTER_FIELDS: dict[str, FilterField] = {
    "rule_id": FilterField(RuleRow.rule_id, FieldKind.STRING),
    "display_name": FilterField(RuleRow.display_name, FieldKind.STRING),
    "classification": FilterField(RuleRow.classification, FieldKind.STRING),
    "pattern_type": FilterField(RuleRow.pattern_type, FieldKind.STRING),
    "complexity_level": FilterField(RuleRow.complexity_level, FieldKind.STRING),
    "confidence_threshold": FilterField(RuleRow.confidence_threshold, FieldKind.NUMBER),
    "is_active": FilterField(RuleRow.is_active, FieldKind.BOOL),
    "owner": FilterField(RuleRow.owner, FieldKind.STRING),
    "sensitivity_label": FilterField(RuleRow.sensitivity_label, FieldKind.STRING),
}

CREATE_RULE_METHOD = "CreateRule"

_store: Store[Rule] = Store(
    Spec(
        resource=Rule,
        collection=RULES,
        noun="rule",
        id_field="rule_id",
        row=RuleRow,
        revision_row=RuleRevisionRow,
        checks=RULE_CHECKS,
        filter_fields=RULE_FILTER_FIELDS,
        create_method=CREATE_RULE_METHOD,
    )
)


async def create_rule(
    session: AsyncSession, rule_id: str, fields: Mapping[str, Any], request_id: str | None = None
) -> Rule:
    """Create `rules/{rule_id}` at revision "1" (or the next number, if the id was used by a deleted rule).

    `fields` holds any of `RULE_CHECKS`' keys; the others take the `Rule` defaults. A `request_id`
    already used for a create returns what that create made (even if another id is asked for now).
    Raises AlreadyExistsError, InvalidArgumentError.
    """
    return await _store.create(session, rule_id, fields, request_id)


async def get_rule(session: AsyncSession, rule_id: str, revision_id: str | None = None) -> Rule:
    """The current rule, or the snapshot of one revision (also after the rule was deleted). NotFoundError."""
    return await _store.get(session, rule_id, revision_id)


async def list_rules(
    session: AsyncSession, page_size: int | None = 0, page_token: str | None = "", filter: str | None = ""
) -> tuple[list[Rule], str]:
    """One page of live rules in creation order, and the token of the next page ("" after the last)."""
    return await _store.list_resources(session, page_size, page_token, filter)


async def update_rule(session: AsyncSession, rule_id: str, changes: Mapping[str, Any], etag: str | None = None) -> Rule:
    """Apply `changes` (field -> new value) as a new revision with a new etag, even if nothing changed.

    Raises NotFoundError, EtagMismatchError (a non-empty `etag` that is not the current one),
    InvalidArgumentError.
    """
    return await _store.update(session, rule_id, changes, etag)


async def delete_rule(session: AsyncSession, rule_id: str, etag: str | None = None) -> None:
    """Delete the rule; its revisions stay readable (`get_rule(session, id, revision_id)`)."""
    await _store.delete(session, rule_id, etag)


async def list_rule_revisions(
    session: AsyncSession, rule_id: str, page_size: int | None = 0, page_token: str | None = ""
) -> tuple[list[Rule], str]:
    """The rule's revisions, newest first. NotFoundError if the id never had one."""
    return await _store.list_revisions(session, rule_id, page_size, page_token)


async def pin_rule_revisions(session: AsyncSession, names: Sequence[str], *, field: str = "rules") -> list[str]:
    """`rules/x` -> `rules/x@<current revision>`; `rules/x@3` is kept if that revision exists.

    For building a rule set's `rules`. InvalidArgumentError (on `field[i]`) for malformed names and
    rules or revisions that do not exist.
    """
    pinned: list[str] = []
    violations: list[Violation] = []
    for i, name in enumerate(names):
        parsed = parse_rule_name(name) if isinstance(name, str) else None
        if parsed is None:
            violations.append(Violation(f"{field}[{i}]", f"{name!r} is not a rule name like 'rules/email@3'"))
            continue
        rule_id, revision_id = parsed
        if revision_id is None:
            revision = await session.scalar(select(RuleRow.revision).where(RuleRow.rule_id == rule_id))
            if revision is None:
                violations.append(Violation(f"{field}[{i}]", f"{name} does not exist"))
                continue
            pinned.append(rule_name(rule_id, str(revision)))
            continue
        # Revisions are 32-bit integer columns: a larger number names no revision (and must not reach the driver).
        found = (
            await session.scalar(
                select(RuleRevisionRow.seq).where(
                    RuleRevisionRow.rule_id == rule_id, RuleRevisionRow.revision == int(revision_id)
                )
            )
            if len(revision_id) <= 10 and int(revision_id) <= MAX_REVISION
            else None
        )
        if found is None:
            violations.append(Violation(f"{field}[{i}]", f"{name} does not exist"))
            continue
        pinned.append(name)
    if violations:
        raise InvalidArgumentError(violations)
    return pinned
