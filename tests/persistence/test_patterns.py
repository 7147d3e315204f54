from __future__ import annotations

import logging
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
from scanrules_server.domain.resources import Pattern
from scanrules_server.persistence import (
    create_pattern,
    delete_pattern,
    get_pattern,
    list_patterns,
    record_pattern_stats,
    seed_builtin_patterns,
    update_pattern,
)
from scanrules_server.persistence.patterns import BUILTIN_PATTERN

BUILTINS: list[dict[str, Any]] = [
    {
        "pattern_id": "CREDIT_CARD_NUMBER",
        "display_name": "Credit card number",
        "regex": "\\b(?:\\d[ -]?){12,18}\\d\\b",
        "validator": "luhn",
        "keywords": ["card", "visa"],
        "exclusions": ["0000 0000 0000 0000"],
    },
    {"pattern_id": "IBAN_CODE", "display_name": "IBAN", "regex": "[A-Z]{2}\\d{2}[A-Z0-9]{11,30}", "validator": "iban"},
    {"pattern_id": "EMAIL_ADDRESS", "display_name": "Email", "regex": "[^@\\s]+@[^@\\s]+"},
]


async def all_patterns(session: AsyncSession, page_size: int, filter: str = "") -> list[Pattern]:
    out: list[Pattern] = []
    token = ""
    while True:
        page, token = await list_patterns(session, page_size, token, filter)
        out.extend(page)
        if not token:
            return out


async def test_crud(session: AsyncSession) -> None:
    created = await create_pattern(
        session,
        "badge",
        {"display_name": "Badge", "regex": "EMP-\\d{6}", "keywords": ["employee"], "measured_precision": 0.9},
    )
    await session.commit()
    assert created.name == "patterns/badge" and created.builtin is False and created.usage_count == 0
    assert created.measured_precision == 0.9 and created.keywords == ["employee"] and created.exclusions == []
    assert await get_pattern(session, "badge") == created
    with pytest.raises(AlreadyExistsError):
        await create_pattern(session, "badge", {})

    updated = await update_pattern(session, "badge", {"exclusions": ["EMP-000000"]}, created.etag)
    assert updated.etag != created.etag and updated.exclusions == ["EMP-000000"] and updated.regex == created.regex
    assert updated.update_time >= created.update_time
    with pytest.raises(EtagMismatchError):
        await update_pattern(session, "badge", {"regex": "x"}, created.etag)
    with pytest.raises(InvalidArgumentError) as caught:
        await update_pattern(session, "badge", {"builtin": True, "usage_count": -1})
    assert {v.field for v in caught.value.violations} == {"builtin", "usage_count"}

    await delete_pattern(session, "badge", updated.etag)
    with pytest.raises(NotFoundError):
        await get_pattern(session, "badge")
    with pytest.raises(NotFoundError):
        await delete_pattern(session, "badge")


async def test_idempotent_create(session: AsyncSession) -> None:
    first = await create_pattern(session, "badge", {"regex": "a"}, request_id="r1")
    assert await create_pattern(session, "other", {"regex": "b"}, request_id="r1") == first


async def test_seeding_is_idempotent_and_builtins_are_read_only(session: AsyncSession) -> None:
    seeded = await seed_builtin_patterns(session, BUILTINS)
    await session.commit()
    assert [p.pattern_id for p in seeded] == ["CREDIT_CARD_NUMBER", "IBAN_CODE", "EMAIL_ADDRESS"]
    assert all(p.builtin for p in seeded)
    assert await seed_builtin_patterns(session, BUILTINS) == seeded  # same etags: nothing rewritten
    assert len(await all_patterns(session, 2)) == 3

    card = seeded[0]
    for attempt in (
        update_pattern(session, "CREDIT_CARD_NUMBER", {"regex": "x"}, card.etag),
        delete_pattern(session, "CREDIT_CARD_NUMBER", card.etag),
    ):
        with pytest.raises(FailedPreconditionError) as caught:
            await attempt
        assert caught.value.reason == BUILTIN_PATTERN

    # Statistics move on built-ins too, and survive a re-seed that changes the definition.
    counted = await record_pattern_stats(session, "CREDIT_CARD_NUMBER", uses=3, measured_precision=0.97)
    counted = await record_pattern_stats(session, "CREDIT_CARD_NUMBER", uses=2)
    assert counted.usage_count == 5 and counted.measured_precision == 0.97 and counted.etag != card.etag
    changed = [{**BUILTINS[0], "keywords": ["card", "visa", "mastercard"]}, *BUILTINS[1:]]
    reseeded = await seed_builtin_patterns(session, changed)
    assert reseeded[0].keywords == ["card", "visa", "mastercard"] and reseeded[0].usage_count == 5
    assert reseeded[0].etag != counted.etag and reseeded[1:] == seeded[1:]
    # Leaving a field out of a definition resets it.
    trimmed = await seed_builtin_patterns(session, [{k: v for k, v in changed[0].items() if k != "exclusions"}])
    assert trimmed[0].exclusions == []


async def test_seeding_skips_a_user_pattern_with_the_same_id(
    session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    mine = await create_pattern(session, "IBAN_CODE", {"regex": "mine"})
    with caplog.at_level(logging.WARNING):
        seeded = await seed_builtin_patterns(session, BUILTINS)
    assert [p.pattern_id for p in seeded] == ["CREDIT_CARD_NUMBER", "EMAIL_ADDRESS"]
    assert await get_pattern(session, "IBAN_CODE") == mine
    assert "IBAN_CODE" in caplog.text
    with pytest.raises(InvalidArgumentError):
        await seed_builtin_patterns(session, [{"display_name": "no id"}])


async def test_filters(session: AsyncSession) -> None:
    await seed_builtin_patterns(session, BUILTINS)
    await create_pattern(session, "badge", {"display_name": "Badge", "validator": "luhn"})
    await session.commit()

    async def ids(filter: str) -> list[str]:
        return [p.pattern_id for p in await all_patterns(session, 2, filter)]

    assert await ids("builtin = true") == ["CREDIT_CARD_NUMBER", "IBAN_CODE", "EMAIL_ADDRESS"]
    assert await ids("builtin = false") == ["badge"]
    assert await ids('validator = "luhn"') == ["CREDIT_CARD_NUMBER", "badge"]
    assert await ids('validator = "luhn" AND builtin = false') == ["badge"]
    assert await ids('display_name = "IBAN" OR display_name = "Email"') == ["IBAN_CODE", "EMAIL_ADDRESS"]
    assert await ids("usage_count > 0") == []
    with pytest.raises(InvalidArgumentError) as caught:
        await ids('regex = "x"')
    assert "unknown field 'regex'" in caught.value.violations[0].description
