"""Pagination: follow ``next_page_token`` (AIP-158) and yield the items of every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Protocol, TypeVar

__all__ = ["paginate", "paginate_sync"]


class PageRequest(Protocol):
    page_token: str


class PageResponse(Protocol):
    @property
    def next_page_token(self) -> str: ...


RequestT = TypeVar("RequestT", bound=PageRequest)
ResponseT = TypeVar("ResponseT", bound=PageResponse)
ItemT = TypeVar("ItemT")


async def paginate(
    fetch: Callable[[RequestT], Awaitable[ResponseT]],
    request: RequestT,
    items: Callable[[ResponseT], Iterable[ItemT]],
) -> AsyncIterator[ItemT]:
    """Calls `fetch` page after page, starting from `request`, and yields `items(page)` of each."""
    while True:
        page = await fetch(request)
        for item in items(page):
            yield item
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token


def paginate_sync(
    fetch: Callable[[RequestT], ResponseT],
    request: RequestT,
    items: Callable[[ResponseT], Iterable[ItemT]],
) -> Iterator[ItemT]:
    """Blocking `paginate`."""
    while True:
        page = fetch(request)
        yield from items(page)
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token
