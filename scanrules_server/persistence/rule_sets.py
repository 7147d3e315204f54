"""Rule sets: named collections of pinned rule revisions plus scan policy, versioned like rules.

A read-only rule set (the built-in system one) is written only by `upsert_system_rule_set`; updates
and deletes of it raise FailedPreconditionError(reason="READ_ONLY_RULE_SET").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import AlreadyExistsError, FailedPreconditionError
from ..domain.resources import RULE_SETS, RuleSet
from . import _checks as c
from ._store import Spec, Store
from .filters import FieldKind, FilterField
from .models import RuleSetRevisionRow, RuleSetRow

READ_ONLY_RULE_SET = "READ_ONLY_RULE_SET"

RULE_SET_CHECKS: dict[str, c.Check] = {
    "display_name": c.text,
    "description": c.text,
    "rules": c.pinned_rule_names,
    "policy": c.json_object,
}

RULE_SET_FILTER_FIELDS: dict[str, FilterField] = {
    "rule_set_id": FilterField(RuleSetRow.rule_set_id, FieldKind.STRING),
    "display_name": FilterField(RuleSetRow.display_name, FieldKind.STRING),
    "read_only": FilterField(RuleSetRow.read_only, FieldKind.BOOL),
}

CREATE_RULE_SET_METHOD = "CreateRuleSet"

_store: Store[RuleSet] = Store(
    Spec(
        resource=RuleSet,
        collection=RULE_SETS,
        noun="rule set",
        id_field="rule_set_id",
        row=RuleSetRow,
        revision_row=RuleSetRevisionRow,
        checks=RULE_SET_CHECKS,
        filter_fields=RULE_SET_FILTER_FIELDS,
        create_method=CREATE_RULE_SET_METHOD,
    )
)


def _writable(row: RuleSetRow) -> None:
    if row.read_only:
        raise FailedPreconditionError(
            f"{_store.name(row.rule_set_id)} is a read-only system rule set; copy it into a new rule set to change it",
            READ_ONLY_RULE_SET,
        )


async def create_rule_set(
    session: AsyncSession, rule_set_id: str, fields: Mapping[str, Any], request_id: str | None = None
) -> RuleSet:
    """Create `ruleSets/{rule_set_id}` (writable) at its first revision.

    `fields`: display_name, description, rules (pinned names `rules/x@N`; see `pin_rule_revisions`),
    policy (a JSON object). Raises AlreadyExistsError, InvalidArgumentError.
    """
    return await _store.create(session, rule_set_id, fields, request_id)


async def get_rule_set(session: AsyncSession, rule_set_id: str, revision_id: str | None = None) -> RuleSet:
    return await _store.get(session, rule_set_id, revision_id)


async def list_rule_sets(
    session: AsyncSession, page_size: int | None = 0, page_token: str | None = "", filter: str | None = ""
) -> tuple[list[RuleSet], str]:
    return await _store.list_resources(session, page_size, page_token, filter)


async def update_rule_set(
    session: AsyncSession, rule_set_id: str, changes: Mapping[str, Any], etag: str | None = None
) -> RuleSet:
    """New revision with `changes` applied. NotFoundError, FailedPreconditionError (read-only),
    EtagMismatchError, InvalidArgumentError."""
    return await _store.update(session, rule_set_id, changes, etag, guard=_writable)


async def delete_rule_set(session: AsyncSession, rule_set_id: str, etag: str | None = None) -> None:
    await _store.delete(session, rule_set_id, etag, guard=_writable)


async def list_rule_set_revisions(
    session: AsyncSession, rule_set_id: str, page_size: int | None = 0, page_token: str | None = ""
) -> tuple[list[RuleSet], str]:
    return await _store.list_revisions(session, rule_set_id, page_size, page_token)


async def upsert_system_rule_set(
    session: AsyncSession,
    rule_set_id: str,
    display_name: str,
    description: str,
    rules: Sequence[str],
    policy: Mapping[str, Any],
) -> RuleSet:
    """Create or refresh the read-only rule set `rule_set_id`; a new revision only if the content changed.

    AlreadyExistsError if a user's (writable) rule set holds that id.
    """
    content = _store.checked(
        {"display_name": display_name, "description": description, "rules": list(rules), "policy": policy}
    )
    await _store.lock_for_write(session)
    row: RuleSetRow | None = await _store.row(session, rule_set_id, lock=True)
    if row is None:
        return await _store.create(session, rule_set_id, content, system={"read_only": True})
    if not row.read_only:
        raise AlreadyExistsError(_store.name(rule_set_id))
    if all(getattr(row, key) == value for key, value in content.items()):
        return _store.resource_of(row)
    resource = _store.apply(session, row, content)
    await session.flush()
    return resource
