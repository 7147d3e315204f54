"""Data sources: URIs split from their passwords, passwords sealed, connections tested and
schemas discovered through the connectors (in worker threads: drivers block)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncSession

from ..connectors.base import ConnectionCheck, TableSchema, check_source, open_source
from ..connectors.filters import filter_tables
from ..domain.errors import InvalidArgumentError, SourceError, Violation
from ..domain.resources import DataSource, is_valid_resource_id
from ..persistence import data_sources as repo
from ..secretbox import SecretBox

SCHEMES = {
    "postgresql": "POSTGRESQL",
    "postgres": "POSTGRESQL",
    "mysql": "MYSQL",
    "mariadb": "MYSQL",
    "sqlite": "SQLITE",
}
FILE_KINDS = {
    ".csv": "CSV",
    ".jsonl": "JSONL",
    ".ndjson": "JSONL",
    ".parquet": "PARQUET",
    ".db": "SQLITE",
    ".sqlite": "SQLITE",
    ".sqlite3": "SQLITE",
}
CONNECT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SplitUri:
    uri: str
    password: str | None
    kind: str


def split_uri(uri: str, field: str = "data_source.uri") -> SplitUri:
    """The URI without its password, the password, and the source kind."""
    uri = uri.strip()
    if not uri:
        raise InvalidArgumentError([Violation(field, "a URI or path is required")])
    if uri.lower().startswith("file://"):
        uri = uri[len("file://") :]
    if "://" not in uri:
        suffix = PurePath(uri).suffix.lower()
        return SplitUri(uri, None, FILE_KINDS.get(suffix, "DIRECTORY" if not suffix else ""))
    scheme = uri.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme not in SCHEMES:
        raise InvalidArgumentError(
            [
                Violation(
                    field,
                    f"unsupported scheme {scheme!r}; use postgresql://, mysql://, mariadb://, sqlite:/// "
                    "or a file or folder path",
                )
            ]
        )
    try:
        url = make_url(uri)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number, an unclosed [IPv6]
        raise InvalidArgumentError([Violation(field, "not a valid database URL")]) from exc
    if url.port is not None and not 0 < url.port < 65_536:
        raise InvalidArgumentError([Violation(field, f"port {url.port} is not between 1 and 65535")])
    password = url.password
    if password is not None:
        # Not url.set(password=None): SQLAlchemy 2.1 leaves a field unchanged when given None.
        url = URL.create(
            url.drivername, username=url.username, host=url.host, port=url.port, database=url.database, query=url.query
        )
    return SplitUri(url.render_as_string(hide_password=False), str(password) if password else None, SCHEMES[scheme])


def _check_globs(fields: dict[str, Any]) -> None:
    problems = []
    for key in ("include", "exclude"):
        for i, glob in enumerate(fields.get(key) or []):
            if not glob or glob.count(".") > 2:
                problems.append(Violation(f"data_source.{key}[{i}]", "a glob on schema.table.column, e.g. public.*.*"))
    if problems:
        raise InvalidArgumentError(problems)


def prepare(fields: dict[str, Any], box: SecretBox, *, creating: bool) -> dict[str, Any]:
    """Fields as stored: password split from the URI (an explicit password wins) and sealed."""
    values = dict(fields)
    password = values.pop("password", None)
    if "uri" in values or creating:
        split = split_uri(str(values.get("uri", "")))
        values["uri"], values["kind"] = split.uri, split.kind
        if not password and split.password:
            password = split.password
    _check_globs(values)
    if password:
        values["secret"] = box.seal(password)
    elif password == "" and "password" in fields and not creating:
        values["secret"] = ""  # an explicit empty password in the mask clears it
    return values


async def create(
    session: AsyncSession, box: SecretBox, data_source_id: str, fields: dict[str, Any], request_id: str | None
) -> DataSource:
    if not is_valid_resource_id(data_source_id):
        raise InvalidArgumentError(
            [Violation("data_source_id", "1-63 characters: a letter, then letters, digits, '-' or '_'")]
        )
    return await repo.create_data_source(session, data_source_id, prepare(fields, box, creating=True), request_id)


async def update(
    session: AsyncSession, box: SecretBox, data_source_id: str, changes: dict[str, Any], etag: str | None
) -> DataSource:
    return await repo.update_data_source(session, data_source_id, prepare(changes, box, creating=False), etag)


def scrub(message: str, password: str | None) -> str:
    return message.replace(password, "***") if password else message


async def test_connection(uri: str, password: str | None) -> tuple[ConnectionCheck, float]:
    """The connector's check, in a thread, bounded in time; never raises for an unreachable source."""
    started = time.perf_counter()
    try:
        check = await asyncio.wait_for(asyncio.to_thread(check_source, uri, password=password), CONNECT_TIMEOUT_S)
    except TimeoutError:
        check = ConnectionCheck(False, False, False, CONNECT_TIMEOUT_S, f"no answer within {CONNECT_TIMEOUT_S:.0f} s")
    message = scrub(check.message, password)
    return replace(check, message=message), time.perf_counter() - started


async def discover(source: DataSource, box: SecretBox) -> list[TableSchema]:
    password = box.open(source.secret) or None

    def run() -> list[TableSchema]:
        connector = open_source(source.uri, password=password)
        try:
            return connector.discover()
        finally:
            connector.close()

    try:
        tables = await asyncio.wait_for(asyncio.to_thread(run), CONNECT_TIMEOUT_S * 4)
    except SourceError as exc:
        raise type(exc)(scrub(str(exc), password)) from None
    return filter_tables(tables, source.include, source.exclude)
