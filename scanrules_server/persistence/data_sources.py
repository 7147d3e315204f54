"""Data sources. The row holds the URI without its password; the password lives in `secret`,
already encrypted by the caller (see `scanrules_server.secrets`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.resources import DATA_SOURCES, DataSource
from . import _checks as c
from ._store import Spec, Store
from .filters import FieldKind, FilterField
from .models import DataSourceRow

DATA_SOURCE_CHECKS: dict[str, c.Check] = {
    "display_name": c.text,
    "description": c.text,
    "uri": c.text,
    "kind": c.text,
    "include": c.text_list,
    "exclude": c.text_list,
    "labels": c.text_map,
    "secret": c.text,
}

DATA_SOURCE_FILTER_FIELDS: dict[str, FilterField] = {
    "data_source_id": FilterField(DataSourceRow.data_source_id, FieldKind.STRING),
    "display_name": FilterField(DataSourceRow.display_name, FieldKind.STRING),
    "kind": FilterField(DataSourceRow.kind, FieldKind.STRING),
}

CREATE_DATA_SOURCE_METHOD = "CreateDataSource"

_store: Store[DataSource] = Store(
    Spec(
        resource=DataSource,
        collection=DATA_SOURCES,
        noun="data source",
        id_field="data_source_id",
        row=DataSourceRow,
        revision_row=None,
        checks=DATA_SOURCE_CHECKS,
        filter_fields=DATA_SOURCE_FILTER_FIELDS,
        create_method=CREATE_DATA_SOURCE_METHOD,
    )
)


async def create_data_source(
    session: AsyncSession, data_source_id: str, fields: Mapping[str, Any], request_id: str | None = None
) -> DataSource:
    """AlreadyExistsError, InvalidArgumentError; idempotent on `request_id`."""
    return await _store.create(session, data_source_id, fields, request_id)


async def get_data_source(session: AsyncSession, data_source_id: str) -> DataSource:
    return await _store.get(session, data_source_id, None)


async def list_data_sources(
    session: AsyncSession, page_size: int | None = 0, page_token: str | None = "", filter: str | None = ""
) -> tuple[list[DataSource], str]:
    return await _store.list_resources(session, page_size, page_token, filter)


async def update_data_source(
    session: AsyncSession, data_source_id: str, changes: Mapping[str, Any], etag: str | None = None
) -> DataSource:
    return await _store.update(session, data_source_id, changes, etag)


async def delete_data_source(session: AsyncSession, data_source_id: str, etag: str | None = None) -> None:
    await _store.delete(session, data_source_id, etag)
