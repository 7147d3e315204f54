from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scanrules_server.domain.errors import (
    AlreadyExistsError,
    EtagMismatchError,
    InvalidArgumentError,
    NotFoundError,
)
from scanrules_server.domain.resources import Rule
from scanrules_server.persistence import (
    create_pattern,
    create_rule,
    delete_rule,
    get_rule,
    idempotency,
    list_rule_revisions,
    list_rules,
    pin_rule_revisions,
    purge_idempotency_keys,
    update_rule,
)

EMAIL: dict[str, Any] = {
    "display_name": "Email addresses",
    "description": "RFC 5322-ish addresses",
    "expression": "match value ~ /[^@\\s]+@[^@\\s]+\\.[a-z]{2,}/i",
    "classification": "EMAIL_ADDRESS",
    "pattern_type": "REGEX",
    "complexity_level": "SIMPLE",
    "confidence_threshold": 0.85,
    "is_active": True,
    "owner": "alice@example.com",
    "compliance_tags": ["GDPR", "CCPA"],
    "labels": {"team": "privacy", "tier": "1"},
    "sensitivity_label": "CONFIDENTIAL",
}


def fields(**overrides: Any) -> dict[str, Any]:
    return {**EMAIL, **overrides}


async def all_rules(session: AsyncSession, page_size: int, filter: str = "") -> list[Rule]:
    out: list[Rule] = []
    token = ""
    while True:
        page, token = await list_rules(session, page_size, token, filter)
        assert len(page) <= page_size
        out.extend(page)
        if not token:
            return out


async def test_create_and_get(session: AsyncSession) -> None:
    created = await create_rule(session, "email", fields())
    await session.commit()
    assert created.name == "rules/email" and created.revision_name == "rules/email@1"
    assert created.revision_id == "1" and created.etag
    assert created.create_time.tzinfo == UTC
    assert created.create_time == created.update_time == created.revision_create_time
    for key, value in EMAIL.items():
        assert getattr(created, key) == value, key
    assert await get_rule(session, "email") == created
    assert await get_rule(session, "email", "1") == created


async def test_defaults_for_fields_not_given(session: AsyncSession) -> None:
    rule = await create_rule(session, "bare", {"expression": 'match valid("luhn")'})
    assert rule.is_active is True and rule.compliance_tags == [] and rule.labels == {}
    assert rule.confidence_threshold == 0.6 and rule.display_name == ""


async def test_returned_values_are_not_shared_with_the_session(session: AsyncSession) -> None:
    rule = await create_rule(session, "email", fields())
    rule.compliance_tags.append("HIPAA")
    rule.labels["x"] = "y"
    again = await get_rule(session, "email")
    assert again.compliance_tags == ["GDPR", "CCPA"] and again.labels == EMAIL["labels"]


async def test_already_exists(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    await session.commit()
    with pytest.raises(AlreadyExistsError) as caught:
        await create_rule(session, "email", fields(display_name="other"))
    assert caught.value.resource_name == "rules/email"
    assert (await get_rule(session, "email")).display_name == "Email addresses"


async def test_concurrent_creates_of_one_id(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async def attempt(n: int) -> str:
        async with session_factory() as session:
            try:
                await create_rule(session, "race", fields(display_name=f"#{n}"))
            except AlreadyExistsError:
                return "exists"
            await asyncio.sleep(0.2)  # hold the transaction open while the other one tries
            await session.commit()
            return "created"

    assert sorted(await asyncio.gather(attempt(1), attempt(2))) == ["created", "exists"]


async def test_concurrent_creates_with_one_request_id(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async def attempt(rule_id: str, delay: float) -> Rule:
        await asyncio.sleep(delay)
        async with session_factory() as session:
            rule = await create_rule(session, rule_id, fields(), request_id="same-request")
            await asyncio.sleep(0.2)
            await session.commit()
            return rule

    first, second = await asyncio.gather(attempt("one", 0), attempt("two", 0.05))
    assert first == second and first.rule_id == "one"
    async with session_factory() as session:
        assert [r.rule_id for r in (await list_rules(session))[0]] == ["one"]


@pytest.mark.parametrize(
    ("rule_id", "values", "bad_fields"),
    [
        ("has/slash", {}, {"rule_id"}),
        ("9starts-with-digit", {}, {"rule_id"}),
        ("", {}, {"rule_id"}),
        ("ok", {"colour": "red"}, {"colour"}),
        ("ok", {"rule_id": "other"}, {"rule_id"}),
        ("ok", {"etag": "x", "revision_id": "7"}, {"etag", "revision_id"}),
        ("ok", {"confidence_threshold": "high", "is_active": "yes"}, {"confidence_threshold", "is_active"}),
        ("ok", {"confidence_threshold": 1.5}, {"confidence_threshold"}),
        ("ok", {"compliance_tags": "GDPR", "labels": {"a": 1}}, {"compliance_tags", "labels"}),
    ],
)
async def test_invalid_create_arguments(
    session: AsyncSession, rule_id: str, values: dict[str, Any], bad_fields: set[str]
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await create_rule(session, rule_id, values)
    assert {v.field for v in caught.value.violations} == bad_fields


async def test_get_missing(session: AsyncSession) -> None:
    with pytest.raises(NotFoundError) as caught:
        await get_rule(session, "nope")
    assert caught.value.resource_name == "rules/nope"
    await create_rule(session, "email", fields())
    for revision in ("2", "0", "abc", "-1"):
        with pytest.raises(NotFoundError) as caught:
            await get_rule(session, "email", revision)
        assert caught.value.resource_name == f"rules/email@{revision}"


async def test_update_makes_a_revision_and_a_new_etag(session: AsyncSession) -> None:
    first = await create_rule(session, "email", fields())
    await session.commit()
    second = await update_rule(session, "email", {"display_name": "Emails", "is_active": False}, first.etag)
    await session.commit()
    assert second.revision_id == "2" and second.etag != first.etag
    assert second.display_name == "Emails" and second.is_active is False
    assert second.update_time >= first.update_time and second.create_time == first.create_time
    assert second.revision_create_time == second.update_time
    assert second.classification == first.classification  # untouched fields stay
    assert await get_rule(session, "email") == second

    third = await update_rule(session, "email", {}, None)  # no-op change, no etag: still a revision
    assert third.revision_id == "3" and third.etag not in (first.etag, second.etag)
    fourth = await update_rule(session, "email", {"display_name": "Emails"}, "")  # "" = no etag
    assert fourth.revision_id == "4"


async def test_stale_etag(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        read = await create_rule(session, "email", fields())
        await session.commit()
    async with session_factory() as a, session_factory() as b:
        seen_by_a = await get_rule(a, "email")
        seen_by_b = await get_rule(b, "email")
        await a.rollback()
        await b.rollback()
        assert seen_by_a.etag == seen_by_b.etag == read.etag
        await update_rule(a, "email", {"owner": "a"}, seen_by_a.etag)
        await a.commit()
        with pytest.raises(EtagMismatchError) as caught:
            await update_rule(b, "email", {"owner": "b"}, seen_by_b.etag)
        assert caught.value.resource_name == "rules/email"
        await b.rollback()
        with pytest.raises(EtagMismatchError):
            await delete_rule(b, "email", seen_by_b.etag)
    async with session_factory() as session:
        assert (await get_rule(session, "email")).owner == "a"


async def test_concurrent_updates_with_the_same_etag(session_factory: async_sessionmaker[AsyncSession]) -> None:
    # PostgreSQL: the second writer waits on the row lock; SQLite: on the database write lock.
    async with session_factory() as session:
        etag = (await create_rule(session, "email", fields())).etag
        await session.commit()

    async def writer(owner: str, hold: float) -> str:
        async with session_factory() as session:
            try:
                await update_rule(session, "email", {"owner": owner}, etag)
            except EtagMismatchError:
                return "stale"
            await asyncio.sleep(hold)  # keep the row locked for a while
            await session.commit()
            return "updated"

    first = asyncio.create_task(writer("a", 0.3))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(writer("b", 0))
    assert [await first, await second] == ["updated", "stale"]


async def test_update_errors(session: AsyncSession) -> None:
    with pytest.raises(NotFoundError):
        await update_rule(session, "nope", {"display_name": "x"})
    await create_rule(session, "email", fields())
    with pytest.raises(InvalidArgumentError) as caught:
        await update_rule(session, "email", {"create_time": "now", "display_name": 3})
    assert {v.field for v in caught.value.violations} == {"create_time", "display_name"}
    assert (await get_rule(session, "email")).revision_id == "1"


async def test_revisions_are_immutable_and_listed_newest_first(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    for n in range(2, 6):
        await update_rule(session, "email", {"display_name": f"v{n}", "compliance_tags": [f"T{n}"]})
    await session.commit()
    one = await get_rule(session, "email", "1")
    assert one.display_name == "Email addresses" and one.compliance_tags == ["GDPR", "CCPA"]
    three = await get_rule(session, "email", "3")
    assert three.display_name == "v3" and three.compliance_tags == ["T3"] and three.revision_id == "3"

    revisions, token = await list_rule_revisions(session, "email")
    assert [r.revision_id for r in revisions] == ["5", "4", "3", "2", "1"] and token == ""
    assert revisions[0] == await get_rule(session, "email")
    assert len({r.etag for r in revisions}) == 5

    pages: list[list[str]] = []
    token = ""
    while True:
        page, token = await list_rule_revisions(session, "email", 2, token)
        pages.append([r.revision_id for r in page])
        if not token:
            break
    assert pages == [["5", "4"], ["3", "2"], ["1"]]

    with pytest.raises(NotFoundError):
        await list_rule_revisions(session, "nope")
    _, token = await list_rule_revisions(session, "email", 2)
    with pytest.raises(InvalidArgumentError) as caught:
        await list_rule_revisions(session, "other", 2, token)  # a token of another rule's revisions
    assert caught.value.violations[0].field == "page_token"


async def test_delete_keeps_revisions_readable(session: AsyncSession) -> None:
    created = await create_rule(session, "email", fields())
    updated = await update_rule(session, "email", {"display_name": "v2"})
    await session.commit()
    with pytest.raises(EtagMismatchError):
        await delete_rule(session, "email", created.etag)
    await delete_rule(session, "email", updated.etag)
    await session.commit()
    with pytest.raises(NotFoundError):
        await get_rule(session, "email")
    with pytest.raises(NotFoundError):
        await delete_rule(session, "email")
    with pytest.raises(NotFoundError):
        await update_rule(session, "email", {})
    assert await get_rule(session, "email", "1") == created
    assert await get_rule(session, "email", "2") == updated
    assert [r.revision_id for r in (await list_rule_revisions(session, "email"))[0]] == ["2", "1"]
    assert await list_rules(session) == ([], "")

    # The id can be used again; revision numbers go on, so pinned names keep their meaning.
    again = await create_rule(session, "email", fields(display_name="reborn"))
    assert again.revision_id == "3"
    assert (await get_rule(session, "email", "1")).display_name == "Email addresses"


async def test_idempotent_create(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        first = await create_rule(session, "email", fields(), request_id="req-1")
        await session.commit()
    async with session_factory() as session:
        again = await create_rule(session, "email", fields(), request_id="req-1")
        assert again == first
        other_id = await create_rule(session, "phone", fields(), request_id="req-1")
        assert other_id == first  # the first outcome, even though another id is asked for
        with pytest.raises(NotFoundError):
            await get_rule(session, "phone")
        # The original create's result, even after later changes and deletion.
        await update_rule(session, "email", {"display_name": "changed"})
        await delete_rule(session, "email")
        await session.commit()
        assert await create_rule(session, "email", fields(), request_id="req-1") == first
        # A new request id is a new create.
        second = await create_rule(session, "email2", fields(), request_id="req-2")
        assert second.rule_id == "email2"
        with pytest.raises(InvalidArgumentError):
            await create_rule(session, "email3", fields(), request_id="x" * 300)


async def test_failed_create_does_not_burn_the_request_id(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    with pytest.raises(AlreadyExistsError):
        await create_rule(session, "email", fields(), request_id="req")
    created = await create_rule(session, "phone", fields(), request_id="req")
    assert created.rule_id == "phone"


async def test_list_walks_every_page(session: AsyncSession) -> None:
    ids = [f"r{n:02d}" for n in range(23)]
    for rule_id in ids:
        await create_rule(session, rule_id, fields())
    await session.commit()
    for size in (1, 5, 7, 23, 24, 1000, 5000):
        assert [r.rule_id for r in await all_rules(session, size)] == ids, size
    page, token = await list_rules(session)  # default page size 50
    assert len(page) == 23 and token == ""
    page, token = await list_rules(session, 23)
    assert len(page) == 23 and token == ""  # no empty last page


async def test_list_is_stable_under_concurrent_writes(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    original = [f"r{n:02d}" for n in range(20)]
    for rule_id in original:
        await create_rule(session, rule_id, fields())
    await session.commit()

    seen: list[str] = []
    page, token = await list_rules(session, 6)
    seen += [r.rule_id for r in page]
    n = 0
    while token:
        async with session_factory() as writer:  # another client writes between page fetches
            await create_rule(writer, f"new{n}", fields())
            await update_rule(writer, seen[-1], {"display_name": "touched"})  # a row already seen moves nothing
            await writer.commit()
            n += 1
        page, token = await list_rules(session, 6, token)
        seen += [r.rule_id for r in page]
    assert len(seen) == len(set(seen))  # nothing twice
    assert [s for s in seen if s in original] == original  # nothing that was there is skipped
    assert all(s.startswith("new") for s in seen[len(original) :])


async def test_filters(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    await create_rule(session, "email_off", fields(is_active=False, owner="bob"))
    await create_rule(
        session,
        "iban",
        fields(
            classification="IBAN_CODE",
            pattern_type="ML_PATTERN",
            complexity_level="ADVANCED",
            confidence_threshold=0.5,
            sensitivity_label="RESTRICTED",
            display_name="IBAN",
        ),
    )
    await session.commit()

    async def ids(filter: str) -> list[str]:
        return [r.rule_id for r in await all_rules(session, 2, filter)]

    assert await ids('classification = "EMAIL_ADDRESS"') == ["email", "email_off"]
    assert await ids("classification = IBAN_CODE") == ["iban"]  # bare word
    assert await ids('classification = "EMAIL_ADDRESS" AND is_active = false') == ["email_off"]
    assert await ids("is_active = true") == ["email", "iban"]
    assert await ids("is_active != true") == ["email_off"]
    assert await ids('owner = "bob" OR pattern_type = ML_PATTERN') == ["email_off", "iban"]
    assert await ids('NOT (owner = "bob" OR pattern_type = ML_PATTERN)') == ["email"]
    assert await ids("confidence_threshold < 0.6") == ["iban"]
    assert await ids("confidence_threshold >= 0.85 AND is_active = true") == ["email"]
    assert await ids('complexity_level = "ADVANCED" AND sensitivity_label = "RESTRICTED"') == ["iban"]
    assert await ids('display_name = "IBAN"') == ["iban"]
    assert await ids('rule_id > "email"') == ["email_off", "iban"]
    assert await ids('owner = "nobody"') == []
    assert await ids("   ") == ["email", "email_off", "iban"]


@pytest.mark.parametrize(
    ("filter", "needle"),
    [
        ('colour = "red"', "unknown field 'colour' at column 1"),
        ('is_active = true AND expression = "x"', "unknown field 'expression' at column 22"),
        ('is_active = "yes"', "is_active is a boolean field"),
        ("is_active > false", "only = and != apply"),
        ("display_name = 3", "display_name is a string field"),
        ("confidence_threshold = high", "confidence_threshold is a number field"),
        ("is_active = ", "column 13"),
        ("is_active == true", "column 12"),
        ('owner = "bob" AND', "column 18"),
        ("(is_active = true", "column 18"),
        ("owner ~ bob", "column 7"),
    ],
)
async def test_filter_errors(session: AsyncSession, filter: str, needle: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await list_rules(session, 10, "", filter)
    violation = caught.value.violations[0]
    assert violation.field == "filter"
    assert needle in violation.description


async def test_page_token_and_size_errors(session: AsyncSession) -> None:
    for n in range(3):
        await create_rule(session, f"r{n}", fields(is_active=n != 1))
    _, token = await list_rules(session, 1, "", "is_active = true")
    assert token
    # The same filter written differently is the same query.
    page, _ = await list_rules(session, 1, token, "is_active=true")
    assert [r.rule_id for r in page] == ["r2"]
    for bad_token, filter in [
        (token, "is_active = false"),
        (token, ""),
        ("garbage!", "is_active = true"),
        ("eyJrIjoiMSJ9", "is_active = true"),  # valid base64 JSON, wrong shape
        (token[:-3], "is_active = true"),
    ]:
        with pytest.raises(InvalidArgumentError) as caught:
            await list_rules(session, 1, bad_token, filter)
        assert [v.field for v in caught.value.violations] == ["page_token"], bad_token
    with pytest.raises(InvalidArgumentError) as caught:
        await list_rules(session, -1)
    assert caught.value.violations[0].field == "page_size"


async def test_pin_rule_revisions(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    await update_rule(session, "email", {})
    await create_rule(session, "phone", fields())
    assert await pin_rule_revisions(session, ["rules/email", "rules/email@1", "rules/phone"]) == [
        "rules/email@2",
        "rules/email@1",
        "rules/phone@1",
    ]
    with pytest.raises(InvalidArgumentError) as caught:
        await pin_rule_revisions(session, ["rules/email@9", "ruleSets/x", "rules/nope"])
    assert [v.field for v in caught.value.violations] == ["rules[0]", "rules[1]", "rules[2]"]


async def test_repositories_flush_but_never_commit(session: AsyncSession) -> None:
    await create_rule(session, "email", fields())
    await session.rollback()
    with pytest.raises(NotFoundError):
        await get_rule(session, "email")


async def test_lost_idempotency_race_returns_the_winner(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another transaction recorded the request id between our lookup and our insert: the insert fails on
    # the unique key, only our savepoint rolls back, and the winner's resource is returned.
    winner = await create_rule(session, "winner", fields(), request_id="req")
    real_lookup = idempotency.lookup
    calls = 0

    async def lookup_missing_once(*args: Any) -> idempotency.IdempotencyRecord | None:
        nonlocal calls
        calls += 1
        return None if calls == 1 else await real_lookup(*args)

    monkeypatch.setattr(idempotency, "lookup", lookup_missing_once)
    assert await create_rule(session, "loser", fields(), request_id="req") == winner
    assert calls == 2
    with pytest.raises(NotFoundError):
        await get_rule(session, "loser")
    await session.commit()  # the surrounding transaction is intact
    assert [r.rule_id for r in (await list_rules(session))[0]] == ["winner"]


async def test_purge_idempotency_keys(session: AsyncSession) -> None:
    first = await create_rule(session, "a", fields(), request_id="r1")
    await create_pattern(session, "p", {}, request_id="r1")
    assert await purge_idempotency_keys(session, first.create_time - timedelta(seconds=1)) == 0
    assert await purge_idempotency_keys(session, datetime.now(UTC) + timedelta(seconds=1)) == 2
    again = await create_rule(session, "b", fields(), request_id="r1")  # the id is free again
    assert again.rule_id == "b"
