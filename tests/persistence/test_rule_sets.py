from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scanrules_server.domain.errors import (
    AlreadyExistsError,
    EtagMismatchError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from scanrules_server.domain.resources import RuleSet
from scanrules_server.persistence import (
    create_rule,
    create_rule_set,
    delete_rule,
    delete_rule_set,
    get_rule,
    get_rule_set,
    list_rule_set_revisions,
    list_rule_sets,
    list_rules,
    update_rule_set,
    upsert_system_rule_set,
)
from scanrules_server.persistence.rule_sets import READ_ONLY_RULE_SET

POLICY: dict[str, Any] = {
    "sampling_strategy": "RANDOM",
    "sample_size": 1000,
    "sample_percent": 2.5,
    "confidence_threshold": 0.7,
    "priority": 5,
    "retry_policy": {"max_attempts": 3, "initial_backoff_seconds": 1.5, "multiplier": 2},
    "source_types": ["POSTGRESQL", "CSV"],
}


def pii(**overrides: Any) -> dict[str, Any]:
    return {
        "display_name": "PII",
        "description": "personal data",
        "rules": ["rules/email@1", "rules/phone@2"],
        "policy": POLICY,
        **overrides,
    }


async def all_rule_sets(session: AsyncSession, page_size: int, filter: str = "") -> list[RuleSet]:
    out: list[RuleSet] = []
    token = ""
    while True:
        page, token = await list_rule_sets(session, page_size, token, filter)
        out.extend(page)
        if not token:
            return out


async def test_crud(session: AsyncSession) -> None:
    created = await create_rule_set(session, "pii", pii())
    await session.commit()
    assert created.name == "ruleSets/pii" and created.revision_name == "ruleSets/pii@1"
    assert created.rules == ["rules/email@1", "rules/phone@2"] and created.policy == POLICY
    assert created.read_only is False and created.revision_id == "1"
    assert await get_rule_set(session, "pii") == created

    changed_policy = {**POLICY, "priority": 9, "retry_policy": {"max_attempts": 1}}
    updated = await update_rule_set(session, "pii", {"policy": changed_policy, "rules": []}, created.etag)
    await session.commit()
    assert updated.revision_id == "2" and updated.etag != created.etag
    assert updated.policy == changed_policy and updated.rules == [] and updated.display_name == "PII"
    assert await get_rule_set(session, "pii", "1") == created
    assert await get_rule_set(session, "pii", "2") == updated

    with pytest.raises(EtagMismatchError):
        await update_rule_set(session, "pii", {"description": "x"}, created.etag)
    with pytest.raises(EtagMismatchError):
        await delete_rule_set(session, "pii", created.etag)
    await delete_rule_set(session, "pii", updated.etag)
    await session.commit()
    with pytest.raises(NotFoundError) as caught:
        await get_rule_set(session, "pii")
    assert caught.value.resource_name == "ruleSets/pii"
    assert await get_rule_set(session, "pii", "1") == created
    revisions, _ = await list_rule_set_revisions(session, "pii")
    assert [r.revision_id for r in revisions] == ["2", "1"]


async def test_already_exists_and_idempotency(session: AsyncSession) -> None:
    first = await create_rule_set(session, "pii", pii(), request_id="abc")
    with pytest.raises(AlreadyExistsError):
        await create_rule_set(session, "pii", pii())
    assert await create_rule_set(session, "other", pii(), request_id="abc") == first
    # Request ids are per method: the same id on CreateRule is a different request.
    rule = await create_rule(session, "email", {}, request_id="abc")
    assert rule.rule_id == "email"


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"rules": ["rules/email"]}, "rules"),  # must be pinned
        ({"rules": ["ruleSets/x@1"]}, "rules"),
        ({"rules": "rules/email@1"}, "rules"),
        ({"policy": {"when": object()}}, "policy"),
        ({"policy": [1, 2]}, "policy"),
        ({"read_only": True}, "read_only"),  # only the system rule set is read-only
        ({"revision_id": "3"}, "revision_id"),
    ],
)
async def test_invalid_arguments(session: AsyncSession, values: dict[str, Any], bad: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await create_rule_set(session, "pii", pii(**values))
    assert [v.field for v in caught.value.violations] == [bad]


async def test_system_rule_set_is_read_only_and_upserted(session: AsyncSession) -> None:
    system = await upsert_system_rule_set(session, "builtin", "Built-in", "every classification", ["rules/a@1"], POLICY)
    await session.commit()
    assert system.read_only is True and system.revision_id == "1"

    same = await upsert_system_rule_set(session, "builtin", "Built-in", "every classification", ["rules/a@1"], POLICY)
    assert same == system  # unchanged content: no new revision, same etag

    newer = await upsert_system_rule_set(
        session, "builtin", "Built-in", "every classification", ["rules/a@1", "rules/b@1"], POLICY
    )
    await session.commit()
    assert newer.revision_id == "2" and newer.etag != system.etag and newer.read_only
    assert (await get_rule_set(session, "builtin", "1")).rules == ["rules/a@1"]

    for attempt in (
        update_rule_set(session, "builtin", {"display_name": "mine"}, newer.etag),
        update_rule_set(session, "builtin", {}),
        delete_rule_set(session, "builtin", newer.etag),
    ):
        with pytest.raises(FailedPreconditionError) as caught:
            await attempt
        assert caught.value.reason == READ_ONLY_RULE_SET
    assert await get_rule_set(session, "builtin") == newer

    await create_rule_set(session, "mine", pii())
    with pytest.raises(AlreadyExistsError):
        await upsert_system_rule_set(session, "mine", "x", "", [], {})

    assert [s.rule_set_id for s in await all_rule_sets(session, 1, "read_only = true")] == ["builtin"]
    assert [s.rule_set_id for s in await all_rule_sets(session, 1, "read_only = false")] == ["mine"]


async def test_list_and_filters(session: AsyncSession) -> None:
    for n in range(7):
        await create_rule_set(session, f"s{n}", pii(display_name="even" if n % 2 == 0 else "odd"))
    await session.commit()
    assert [s.rule_set_id for s in await all_rule_sets(session, 3)] == [f"s{n}" for n in range(7)]
    assert [s.rule_set_id for s in await all_rule_sets(session, 2, 'display_name = "odd"')] == ["s1", "s3", "s5"]
    assert [s.rule_set_id for s in await all_rule_sets(session, 2, 'rule_set_id >= "s5"')] == ["s5", "s6"]
    with pytest.raises(InvalidArgumentError) as caught:
        await list_rule_sets(session, 2, "", "priority = 5")
    assert "unknown field 'priority'" in caught.value.violations[0].description
    _, rules_token = await list_rules(session, 1)
    assert rules_token == ""
    await create_rule(session, "a", {})
    await create_rule(session, "b", {})
    _, rules_token = await list_rules(session, 1)
    with pytest.raises(InvalidArgumentError) as caught:
        await list_rule_sets(session, 2, rules_token)  # a token of another collection
    assert caught.value.violations[0].field == "page_token"


async def test_pinned_rule_revisions_survive_rule_deletion(session: AsyncSession) -> None:
    rule = await create_rule(session, "email", {"expression": "match value ~ /@/"})
    rule_set = await create_rule_set(session, "pii", pii(rules=[rule.revision_name]))
    await delete_rule(session, "email")
    await session.commit()
    for name in rule_set.rules:
        rule_id, revision = name.removeprefix("rules/").split("@")
        assert (await get_rule(session, rule_id, revision)).expression == "match value ~ /@/"
