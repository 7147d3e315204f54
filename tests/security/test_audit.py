"""The audit trail: every mutation is recorded with who, what, on which resource and how it ended, in the
same transaction as the change; ListAuditEvents filters and pages; nothing can change an event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from scanrules.v1 import audit_event_pb2, monitoring_service_pb2, rule_pb2, rule_service_pb2
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from scanrules_client import (
    AlreadyExistsError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ScanRulesClient,
)
from scanrules_server.api import audit as api_audit
from scanrules_server.api.monitoring import MonitoringServicer
from scanrules_server.api.orchestration import OrchestrationServicer
from scanrules_server.api.rule_service import RuleServicer
from scanrules_server.persistence import audit as audit_repo
from tests.persistence.conftest import db_kind, db_url, engine, migrated_db_url, postgres_session_database
from tests.security.auth_server import AuthServer, auth_server

__all__ = ["auth_server", "db_kind", "db_url", "engine", "migrated_db_url", "postgres_session_database"]

RULES = "/scanrules.v1.RuleService/"
EXPRESSION = "match value ~ /^[a-z]+@corp[.]example$/"


def _id() -> str:
    return f"audit-{uuid.uuid4().hex[:10]}"


def _create(rule_id: str, expression: str = EXPRESSION, request_id: str = "") -> rule_service_pb2.CreateRuleRequest:
    return rule_service_pb2.CreateRuleRequest(
        rule_id=rule_id,
        rule=rule_pb2.Rule(expression=expression, classification="EMAIL_ADDRESS"),
        request_id=request_id,
    )


@pytest.fixture
async def admin(auth_server: AuthServer) -> AsyncIterator[ScanRulesClient]:
    async with ScanRulesClient.connect(auth_server.target, token=auth_server.admin_key) as client:
        yield client


@pytest.fixture
async def editor(auth_server: AuthServer) -> AsyncIterator[tuple[str, ScanRulesClient]]:
    key_id, key = auth_server.key("editor")
    async with ScanRulesClient.connect(auth_server.target, token=key) as client:
        yield f"key:{key_id}", client


async def _events(admin: ScanRulesClient, filter: str, order_by: str = "") -> list[audit_event_pb2.AuditEvent]:
    request = monitoring_service_pb2.ListAuditEventsRequest(filter=filter, order_by=order_by, page_size=1000)
    return list((await admin.monitoring.list_audit_events(request)).audit_events)


async def test_create_update_delete_are_audited_with_principal_and_outcome(
    admin: ScanRulesClient, editor: tuple[str, ScanRulesClient]
) -> None:
    principal, client = editor
    rule_id, request_id = _id(), str(uuid.uuid4())
    created = (await client.rules.create_rule(_create(rule_id, request_id=request_id))).rule
    updated = (
        await client.rules.update_rule(
            rule_service_pb2.UpdateRuleRequest(
                rule=rule_pb2.Rule(name=created.name, display_name="renamed", etag=created.etag),
                update_mask={"paths": ["display_name"]},
            )
        )
    ).rule
    await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=updated.name, etag=updated.etag))

    events = await _events(admin, f'resource = "rules/{rule_id}"', "create_time asc")
    assert [(e.rpc, e.outcome) for e in events] == [
        (RULES + "CreateRule", "OK"),
        (RULES + "UpdateRule", "OK"),
        (RULES + "DeleteRule", "OK"),
    ]
    assert {e.principal for e in events} == {principal}
    assert events[0].request_id == request_id
    for e in events:
        assert e.name.startswith("auditEvents/") and e.peer.startswith("ipv4:127.0.0.1:")
        assert abs(e.create_time.ToDatetime(UTC) - datetime.now(UTC)) < timedelta(minutes=1)


async def test_failed_mutations_are_audited_with_their_code(
    auth_server: AuthServer, admin: ScanRulesClient, editor: tuple[str, ScanRulesClient]
) -> None:
    principal, client = editor
    rule_id = _id()
    await client.rules.create_rule(_create(rule_id))
    with pytest.raises(AlreadyExistsError):
        await client.rules.create_rule(_create(rule_id))
    with pytest.raises(InvalidArgumentError):
        await client.rules.create_rule(_create(broken := _id(), expression="match value ~ /(a/"))
    with pytest.raises(NotFoundError):
        await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=f"rules/{(gone := _id())}"))
    _, viewer_key = auth_server.key("viewer")
    async with ScanRulesClient.connect(auth_server.target, token=viewer_key) as viewer:
        with pytest.raises(PermissionDeniedError):
            await viewer.rules.create_rule(_create(denied := _id()))

    outcomes = [(e.rpc, e.outcome) for e in await _events(admin, f'resource = "rules/{rule_id}"', "create_time")]
    assert outcomes == [(RULES + "CreateRule", "OK"), (RULES + "CreateRule", "ALREADY_EXISTS")]
    [bad] = await _events(admin, f'resource = "rules/{broken}"')
    assert (bad.outcome, bad.principal) == ("INVALID_ARGUMENT", principal)
    [missing] = await _events(admin, f'resource = "rules/{gone}"')
    assert (missing.rpc, missing.outcome) == (RULES + "DeleteRule", "NOT_FOUND")
    [refused] = await _events(admin, f'resource = "rules/{denied}"')
    assert refused.outcome == "PERMISSION_DENIED" and refused.principal.startswith("key:")
    assert refused.principal != principal


async def test_validate_only_changes_nothing_and_records_nothing(
    admin: ScanRulesClient, editor: tuple[str, ScanRulesClient]
) -> None:
    _, client = editor
    request = _create(rule_id := _id())
    request.validate_only = True
    await client.rules.create_rule(request)
    assert await _events(admin, f'resource = "rules/{rule_id}"') == []


async def test_event_and_change_share_one_transaction(
    admin: ScanRulesClient, editor: tuple[str, ScanRulesClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the audit write fails, the change it records is rolled back with it."""
    _, client = editor

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_repo, "append_event", broken)
    with pytest.raises(InternalError):
        await client.rules.create_rule(_create(rule_id := _id()))
    monkeypatch.undo()
    with pytest.raises(NotFoundError):
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/{rule_id}"))


async def test_token_operations_and_first_start_are_audited(auth_server: AuthServer, admin: ScanRulesClient) -> None:
    key_id, _ = auth_server.key("viewer")
    auth_server.revoke(key_id)
    events = await _events(admin, f'resource = "apiKeys/{key_id}"', "create_time")
    assert [(e.rpc, e.principal, e.outcome) for e in events] == [
        ("scanrules token create", "test:fixture", "OK"),
        ("scanrules token revoke", "test:fixture", "OK"),
    ]
    [first] = await _events(admin, 'principal = "system:first-start"')
    assert first.rpc == "scanrules serve (first start)" and first.resource.startswith("apiKeys/")


async def test_list_audit_events_filters_and_pages(admin: ScanRulesClient, editor: tuple[str, ScanRulesClient]) -> None:
    principal, client = editor
    before = datetime.now(UTC) - timedelta(seconds=1)
    ids = [_id() for _ in range(5)]
    for rule_id in ids:
        await client.rules.create_rule(_create(rule_id))
    after = datetime.now(UTC) + timedelta(seconds=1)

    by_principal = f'principal = "{principal}" AND rpc = "{RULES}CreateRule" AND outcome = "OK"'
    first = await admin.monitoring.list_audit_events(
        monitoring_service_pb2.ListAuditEventsRequest(filter=by_principal, page_size=2)
    )
    assert first.total_size == 5 and len(first.audit_events) == 2 and first.next_page_token
    # newest first by default
    assert [e.resource for e in first.audit_events] == [f"rules/{ids[4]}", f"rules/{ids[3]}"]
    seen = [e.resource async for e in admin.monitoring.iter_audit_events(filter=by_principal, page_size=2)]
    assert seen == [f"rules/{i}" for i in reversed(ids)]

    window = f'create_time >= "{before.isoformat()}" AND create_time <= "{after.isoformat()}"'
    in_window = await _events(admin, f"{by_principal} AND {window}", "create_time asc")
    assert [e.resource for e in in_window] == [f"rules/{i}" for i in ids]
    assert await _events(admin, f'{by_principal} AND create_time > "{after.isoformat()}"') == []

    for bad_filter in ('secret = "x"', 'create_time > "yesterday"'):
        with pytest.raises(InvalidArgumentError):
            await _events(admin, bad_filter)
    with pytest.raises(InvalidArgumentError):
        await _events(admin, "", order_by="principal")
    with pytest.raises(InvalidArgumentError):  # a token is bound to its filter
        await admin.monitoring.list_audit_events(
            monitoring_service_pb2.ListAuditEventsRequest(filter='outcome = "OK"', page_token=first.next_page_token)
        )


@pytest.mark.parametrize("role", ["viewer", "editor", "operator"])
async def test_only_admins_read_the_audit_log(auth_server: AuthServer, role: str) -> None:
    _, key = auth_server.key(role)
    async with ScanRulesClient.connect(auth_server.target, token=key) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.monitoring.list_audit_events(monitoring_service_pb2.ListAuditEventsRequest())
    assert caught.value.metadata["permission"] == "audit:read"


# ---- append-only -------------------------------------------------------------------------------------------


def test_no_rpc_and_no_repository_function_changes_an_event() -> None:
    from scanrules.v1 import monitoring_service_pb2 as mon
    from scanrules.v1 import orchestration_service_pb2 as orch

    for module in (rule_service_pb2, orch, mon):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                if "Audit" in method.name:
                    assert method.name == "ListAuditEvents"
                    assert method.GetOptions().idempotency_level == method.GetOptions().NO_SIDE_EFFECTS
                assert method.input_type.name != "AuditEvent"
                fields = {f.message_type.name for f in method.input_type.fields if f.message_type is not None}
                assert "AuditEvent" not in fields, f"{method.full_name} takes an AuditEvent"
    assert [n for n in dir(MonitoringServicer) if "Audit" in n] == ["ListAuditEvents"]
    public = [n for n in vars(audit_repo) if not n.startswith("_") and callable(getattr(audit_repo, n))]
    writers = [n for n in public if n.startswith(("update", "delete", "remove", "edit", "set", "purge"))]
    assert writers == [] and set(audit_repo.__all__) == {"AUDIT_FILTER_FIELDS", "append_event", "list_audit_events"}


def test_every_implemented_mutation_is_audited() -> None:
    for servicer, service in (
        (RuleServicer, api_audit.RULE_SERVICE),
        (OrchestrationServicer, api_audit.ORCHESTRATION_SERVICE),
    ):
        for rpc in api_audit.MUTATING_METHODS:
            name = rpc.rsplit("/", 1)[1]
            if rpc.startswith(f"/{service}/") and name in vars(servicer):  # built here, not pending
                assert getattr(getattr(servicer, name), "audited", False), f"{rpc} is not @audited"


async def test_the_database_refuses_to_change_or_delete_events(engine: AsyncEngine) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    async with async_sessionmaker(engine)() as session, session.begin():
        await audit_repo.append_event(session, principal="key:x", rpc="/r/Create", outcome="OK", resource="rules/a")
    for statement in ("UPDATE audit_events SET outcome = 'FORGED'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT outcome FROM audit_events"))).all()
    assert [r[0] for r in rows] == ["OK"]
