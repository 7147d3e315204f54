"""DataSource RPCs through the SDK: passwords are write-only, encrypted at rest, never returned,
logged or echoed in errors; connections are tested and schemas discovered for real."""

from __future__ import annotations

import logging
import sqlite3
import stat
import time
import uuid
from pathlib import Path

import pytest
from google.protobuf import field_mask_pb2
from scanrules.v1 import data_source_pb2
from scanrules.v1 import orchestration_service_pb2 as orch
from sqlalchemy import text

from scanrules_client import (
    AbortedError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ScanRulesClient,
)
from scanrules_server.persistence.db import make_engine
from scanrules_server.secretbox import KEY_ENV, SecretBox, load_key
from scanrules_server.settings import Settings
from tests.integration.conftest import running_servers

SECRET = "s3cr3t-Pa55-" + uuid.uuid4().hex[:8]


def _id() -> str:
    return f"ds-{uuid.uuid4().hex[:10]}"


async def _create(client: ScanRulesClient, uri: str, **fields: object) -> data_source_pb2.DataSource:
    source = data_source_pb2.DataSource(uri=uri, display_name="test source")
    for key, value in fields.items():
        if isinstance(value, list):
            getattr(source, key).extend(value)
        else:
            setattr(source, key, value)
    reply = await client.orchestration.create_data_source(
        orch.CreateDataSourceRequest(data_source=source, data_source_id=_id())
    )
    return reply.data_source


async def test_password_is_split_sealed_and_never_returned(
    client: ScanRulesClient, server_target: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await _create(client, f"postgresql://scanner:{SECRET}@127.0.0.1:5432/test")
    assert created.uri == "postgresql://scanner@127.0.0.1:5432/test"
    assert created.password_set and created.password == ""
    assert created.kind == data_source_pb2.SOURCE_KIND_POSTGRESQL
    got = await client.orchestration.get_data_source(orch.GetDataSourceRequest(name=created.name))
    listed = await client.orchestration.list_data_sources(orch.ListDataSourcesRequest(page_size=1000))
    for message in (got, listed):
        assert SECRET.encode() not in message.SerializeToString()
    # At rest: only a Fernet token.
    # Our own engine: the server's is bound to the server's event loop.
    engine = make_engine(running_servers[server_target].db.engine.url)
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT uri, secret FROM data_sources"))).all()
    finally:
        await engine.dispose()
    assert stored and all(SECRET not in f"{uri}{secret}" for uri, secret in stored)
    assert any(secret.startswith("gAAAA") for _, secret in stored)
    assert SECRET not in caplog.text


async def test_explicit_password_field_and_updates(client: ScanRulesClient) -> None:
    created = await _create(client, "mysql://root@127.0.0.1:3306/test", password=SECRET)
    assert created.password_set and created.kind == data_source_pb2.SOURCE_KIND_MYSQL
    change = data_source_pb2.DataSource(name=created.name, display_name="renamed", etag=created.etag)
    updated = (
        await client.orchestration.update_data_source(
            orch.UpdateDataSourceRequest(
                data_source=change, update_mask=field_mask_pb2.FieldMask(paths=["display_name"])
            )
        )
    ).data_source
    assert updated.display_name == "renamed" and updated.password_set
    with pytest.raises(AbortedError):
        await client.orchestration.update_data_source(
            orch.UpdateDataSourceRequest(
                data_source=change, update_mask=field_mask_pb2.FieldMask(paths=["display_name"])
            )
        )
    cleared = data_source_pb2.DataSource(name=created.name, password="")
    after = (
        await client.orchestration.update_data_source(
            orch.UpdateDataSourceRequest(data_source=cleared, update_mask=field_mask_pb2.FieldMask(paths=["password"]))
        )
    ).data_source
    assert not after.password_set
    await client.orchestration.delete_data_source(orch.DeleteDataSourceRequest(name=created.name))
    with pytest.raises(NotFoundError):
        await client.orchestration.get_data_source(orch.GetDataSourceRequest(name=created.name))


async def test_bad_input_is_named(client: ScanRulesClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, "ftp://example.com/x")
    assert caught.value.field_violations[0][0] == "data_source.uri"
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, "/data/x.csv", include=["a.b.c.d"])
    assert caught.value.field_violations[0][0] == "data_source.include[0]"


async def test_connection_check_against_real_postgres(client: ScanRulesClient) -> None:
    created = await _create(client, "postgresql://postgres@127.0.0.1:5432/test")
    ok = await client.orchestration.test_data_source_connection(orch.TestDataSourceConnectionRequest(name=created.name))
    assert ok.reachable and ok.authenticated and ok.read_only
    assert ok.latency.ToNanoseconds() > 0
    inline = data_source_pb2.DataSource(uri=f"postgresql://no_such_role_x:{SECRET}@127.0.0.1:5432/test")
    bad = await client.orchestration.test_data_source_connection(
        orch.TestDataSourceConnectionRequest(data_source=inline)
    )
    assert not bad.authenticated and bad.message and SECRET not in bad.message
    down = data_source_pb2.DataSource(uri=f"postgresql://postgres:{SECRET}@127.0.0.1:1/test")
    unreachable = await client.orchestration.test_data_source_connection(
        orch.TestDataSourceConnectionRequest(data_source=down)
    )
    assert not unreachable.reachable and SECRET not in unreachable.message


async def test_discover_applies_include_and_exclude(client: ScanRulesClient, tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, password_hash TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL);
            CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
            INSERT INTO customers VALUES (1, 'a@example.com', 'x');
            """
        )
    created = await _create(client, f"sqlite:///{path}", exclude=["*.audit.*", "*.customers.password_hash"])
    reply = await client.orchestration.discover_data_source(
        orch.DiscoverDataSourceRequest(name=created.name, include_row_estimates=True)
    )
    tables = {t.name: t for s in reply.schemas for t in s.tables}
    assert set(tables) == {"customers", "orders"}
    assert [c.name for c in tables["customers"].columns] == ["id", "email"]
    assert tables["customers"].primary_key == ["id"]
    (fk,) = tables["orders"].foreign_keys
    assert list(fk.columns) == ["customer_id"] and fk.referenced_table == "customers"
    assert path.stat().st_size > 0 and reply.discover_time.seconds > 0


def test_embedded_default_key_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/scanrules.db", secret_key_file=None)
    key_file = settings.key_file()
    assert key_file == tmp_path / "scanrules.key"
    key = load_key(key_file, create=True)
    assert key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key(key_file, create=False) == key  # same key on the next start
    box = SecretBox(key)
    token = box.seal(SECRET)
    assert SECRET not in token and box.open(token) == SECRET
    assert load_key(None, create=False) is None
    assert Settings(database_url="postgresql+asyncpg://x@h/db", secret_key_file=None).key_file() is None


async def test_discover_on_an_unreachable_source_fails_fast_and_clean(client: ScanRulesClient) -> None:
    created = await _create(client, f"postgresql://postgres:{SECRET}@127.0.0.1:1/test")
    started = time.monotonic()
    with pytest.raises(FailedPreconditionError) as caught:
        await client.orchestration.discover_data_source(orch.DiscoverDataSourceRequest(name=created.name))
    assert time.monotonic() - started < 30
    assert caught.value.reason == "SOURCE_UNREACHABLE" and SECRET not in caught.value.message
    missing = await _create(client, "/nonexistent/folder/data.csv")
    with pytest.raises(FailedPreconditionError) as caught:
        await client.orchestration.discover_data_source(orch.DiscoverDataSourceRequest(name=missing.name))
    assert caught.value.reason == "SOURCE_NOT_FOUND"
