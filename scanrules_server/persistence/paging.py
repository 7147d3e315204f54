"""Keyset pagination with opaque page tokens.

A token is urlsafe base64 (unpadded) of JSON `{"k": <last key seen>, "f": <fingerprint>}`; the
fingerprint hashes what the list was asked for (resource collection + canonical filter), so a token
replayed against another filter or collection is rejected. Pages are `WHERE key > last ORDER BY key`,
so rows inserted or deleted between pages never make a row that was already there appear twice or not
at all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ..domain.errors import InvalidArgumentError, Violation

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

PAGE_SIZE_FIELD = "page_size"
PAGE_TOKEN_FIELD = "page_token"

T = TypeVar("T")


def page_size_or_default(page_size: int | None) -> int:
    """0 or None -> the default (50); above 1000 -> 1000; negative -> INVALID_ARGUMENT."""
    if page_size is None or page_size == 0:
        return DEFAULT_PAGE_SIZE
    if page_size < 0:
        raise InvalidArgumentError([Violation(PAGE_SIZE_FIELD, f"must not be negative (got {page_size})")])
    return min(page_size, MAX_PAGE_SIZE)


def fingerprint(scope: str, canonical_filter: str = "") -> str:
    """What a token is bound to: the collection (or parent) listed and the filter, normalised."""
    digest = hashlib.sha256(f"{scope}\x00{canonical_filter}".encode()).hexdigest()
    return digest[:16]


def encode_page_token(last_key: int, query_fingerprint: str) -> str:
    raw = json.dumps({"k": last_key, "f": query_fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_token(description: str) -> InvalidArgumentError:
    return InvalidArgumentError([Violation(PAGE_TOKEN_FIELD, description)])


def decode_page_token(token: str | None, query_fingerprint: str) -> int | None:
    """The last key seen, or None for the first page. Garbage or a token from another query ->
    INVALID_ARGUMENT on `page_token`."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data: Any = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise _bad_token("not a page token from this service; start again without a page_token") from None
    key = data.get("k") if isinstance(data, dict) else None
    if (
        not isinstance(key, int)
        or isinstance(key, bool)
        or not -(2**31) <= key < 2**31  # keys are 32-bit integer columns
        or not isinstance(data.get("f"), str)
    ):
        raise _bad_token("not a page token from this service; start again without a page_token")
    if data["f"] != query_fingerprint:
        raise _bad_token(
            "the page token belongs to a different query (filter or collection changed); "
            "pass the same filter as for the first page, or start again without a page_token"
        )
    return key


async def keyset_page(
    session: AsyncSession,
    entity: type[T],
    key: InstrumentedAttribute[int],
    where: ColumnElement[bool] | None,
    page_size: int,
    after: int | None,
    *,
    descending: bool = False,
) -> tuple[list[T], int | None]:
    """One page of `entity` ordered by the unique integer `key`, starting after `after`.

    Returns the rows and the key to continue after (None when this was the last page). Fetches one
    row more than asked to know whether another page exists, so the last page never has a token.
    """
    stmt = select(entity)
    if where is not None:
        stmt = stmt.where(where)
    if after is not None:
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(page_size + 1)
    rows = list((await session.scalars(stmt)).all())
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    last: int = getattr(rows[-1], key.key)
    return rows, last
