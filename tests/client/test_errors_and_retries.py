"""Typed errors, rich status details, retries and deadlines against a real in-process gRPC server."""

from __future__ import annotations

import datetime
import time

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from scanrules.v1 import monitoring_service_pb2, orchestration_service_pb2, rule_pb2, rule_service_pb2

from scanrules_client import (
    AlreadyExistsError,
    DeadlineExceededError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    RetryPolicy,
    ScanRulesClient,
    ScanRulesError,
    SyncScanRulesClient,
    UnavailableError,
    UnimplementedError,
)
from scanrules_client._errors import make_error

from .conftest import DOMAIN, TOKEN, FakeServer, uid

# ------------------------------------------------------------------------------------------- async client


async def test_rich_invalid_argument_is_parsed(client: ScanRulesClient, fake_server: FakeServer) -> None:
    rule_id = f"bad-{uid()}"
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id=rule_id, rule=rule_pb2.Rule()))
    error = caught.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.message == "the rule is invalid"
    assert error.reason == "INVALID_RULE"
    assert error.domain == DOMAIN
    assert error.metadata == {"rule_id": rule_id}
    assert error.field_violations == [
        ("rule.expression", "line 1, column 7: unexpected token '('"),
        ("rule.classification", "unknown classification 'NOPE'"),
    ]
    assert error.status is not None and len(error.status.details) == 2
    assert str(error) == "INVALID_ARGUMENT: the rule is invalid"
    assert fake_server.recorder.calls[f"CreateRule:{rule_id}"] == 1


async def test_not_found_is_typed_and_not_retried(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/missing-{uid()}"
    with pytest.raises(NotFoundError) as caught:
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert caught.value.reason == "RULE_NOT_FOUND"
    assert caught.value.metadata == {"name": name}
    assert isinstance(caught.value, ScanRulesError)
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 1


async def test_plain_status_without_details(client: ScanRulesClient, fake_server: FakeServer) -> None:
    rule_id = f"taken-{uid()}"
    with pytest.raises(AlreadyExistsError) as caught:
        await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id=rule_id))
    assert caught.value.reason == "" and caught.value.field_violations == [] and caught.value.status is None
    with pytest.raises(InternalError):
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/broken-{uid()}"))


async def test_unavailable_is_retried_then_succeeds(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/flaky-{uid()}"
    response = await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert response.rule.name == name
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 3


async def test_unavailable_gives_up_after_max_attempts(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/down-{uid()}"
    with pytest.raises(UnavailableError, match="server is down"):
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 4


async def test_server_retry_info_sets_the_minimum_back_off(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/retry-after-{uid()}"
    started = time.monotonic()
    await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert time.monotonic() - started >= 0.3
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 2


async def test_retries_keep_one_request_id(client: ScanRulesClient, fake_server: FakeServer) -> None:
    rule_id = f"flaky-{uid()}"
    request = rule_service_pb2.CreateRuleRequest(rule_id=rule_id, rule=rule_pb2.Rule(classification="EMAIL_ADDRESS"))
    await client.rules.create_rule(request)
    seen = [r.request_id for r in fake_server.recorder.requests[f"CreateRule:{rule_id}"]]
    assert len(seen) == 2 and seen[0] == seen[1] and len(seen[0]) == 36
    assert request.request_id == "", "the caller's request is not modified"


async def test_deadline_exceeded(client: ScanRulesClient) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/slow-{uid()}"), timeout=0.2)
    assert time.monotonic() - started < 2


async def test_default_deadline_comes_from_connect(fake_server: FakeServer) -> None:
    async with ScanRulesClient.connect(fake_server.target, timeout=0.2) as client:
        with pytest.raises(DeadlineExceededError):
            await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/slow-{uid()}"))


async def test_unimplemented(client: ScanRulesClient) -> None:
    with pytest.raises(UnimplementedError):
        await client.orchestration.get_scan_job(orchestration_service_pb2.GetScanJobRequest(name="scanJobs/x"))


async def test_token_goes_into_authorization_metadata(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/whoami-{uid()}"
    response = await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert response.rule.description == f"Bearer {TOKEN}"
    metadata = fake_server.recorder.metadata[f"GetRule:{name}"]
    assert metadata["authorization"] == f"Bearer {TOKEN}"
    assert metadata["user-agent"].startswith("scanrules-client/")


async def test_token_defaults_to_environment(fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCANRULES_TOKEN", "from-env")
    async with ScanRulesClient.connect(fake_server.target) as client:
        response = await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/env-{uid()}"))
    assert response.rule.description == "Bearer from-env"
    monkeypatch.delenv("SCANRULES_TOKEN")
    async with ScanRulesClient.connect(fake_server.target) as client:
        response = await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/anon-{uid()}"))
    assert response.rule.description == ""


async def test_connect_to_dead_port_fails_fast(dead_target: str) -> None:
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="cannot connect"):
        await ScanRulesClient.connect(dead_target, connect_timeout=3)
    assert time.monotonic() - started < 2.5


async def test_await_connect_then_async_with(fake_server: FakeServer) -> None:
    client = await ScanRulesClient.connect(fake_server.target)
    async with client as same:
        assert same is client
        status = await client.monitoring.get_system_status(monitoring_service_pb2.GetSystemStatusRequest())
        assert status.version == "0.0.0-test"
    # the channel is closed now
    with pytest.raises(Exception):  # noqa: B017 - grpc raises its own UsageError type
        await client.monitoring.get_system_status(monitoring_service_pb2.GetSystemStatusRequest())


# ------------------------------------------------------------------------------------------- sync client


def test_sync_rich_invalid_argument(sync_client: SyncScanRulesClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        sync_client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id=f"bad-{uid()}"))
    assert caught.value.reason == "INVALID_RULE"
    assert caught.value.domain == DOMAIN
    assert [field for field, _ in caught.value.field_violations] == ["rule.expression", "rule.classification"]


def test_sync_not_found_not_retried(sync_client: SyncScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/missing-{uid()}"
    with pytest.raises(NotFoundError) as caught:
        sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert caught.value.reason == "RULE_NOT_FOUND"
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 1


def test_sync_unavailable_retried(sync_client: SyncScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/flaky-{uid()}"
    assert sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name)).rule.name == name
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 3
    name = f"rules/down-{uid()}"
    with pytest.raises(UnavailableError):
        sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name))
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 4


def test_sync_deadline_exceeded(sync_client: SyncScanRulesClient) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"rules/slow-{uid()}"), timeout=0.2)
    assert time.monotonic() - started < 2


def test_sync_token_and_unimplemented(sync_client: SyncScanRulesClient, fake_server: FakeServer) -> None:
    name = f"rules/whoami-{uid()}"
    assert sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name)).rule.description == f"Bearer {TOKEN}"
    with pytest.raises(UnimplementedError):
        sync_client.orchestration.get_scan_job(orchestration_service_pb2.GetScanJobRequest(name="scanJobs/x"))


def test_sync_connect_to_dead_port_fails_fast(dead_target: str) -> None:
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="cannot connect"):
        SyncScanRulesClient.connect(dead_target, connect_timeout=3)
    assert time.monotonic() - started < 2.5


def test_no_retry_when_the_back_off_would_pass_the_deadline(
    sync_client: SyncScanRulesClient, fake_server: FakeServer
) -> None:
    # The server asks for 0.3 s before a retry; with 0.2 s left the client gives up at once.
    name = f"rules/retry-after-{uid()}"
    started = time.monotonic()
    with pytest.raises(UnavailableError) as caught:
        sync_client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=name), timeout=0.2)
    assert time.monotonic() - started < 0.2
    assert caught.value.retry_delay == datetime.timedelta(milliseconds=300)
    assert fake_server.recorder.calls[f"GetRule:{name}"] == 1


# ------------------------------------------------------------------------------------------- pure units


def test_retry_policy_back_off_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.initial_backoff, policy.max_backoff, policy.multiplier) == (4, 0.1, 2.0, 2.0)
    assert [policy.backoff_ceiling(n) for n in (1, 2, 3, 4, 5, 6)] == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0]
    samples = [policy.backoff(3) for _ in range(500)]
    assert all(0 <= s <= 0.4 for s in samples)
    assert min(samples) < 0.1 < max(samples) > 0.3, "spread over the whole interval"


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy(max_attempts=3)
    unavailable = UnavailableError("down")
    assert policy.delay_before_retry(1, unavailable, None) is not None
    assert policy.delay_before_retry(3, unavailable, None) is None, "attempts exhausted"
    assert policy.delay_before_retry(1, unavailable, 0.0) is None, "no time left"
    for error in (NotFoundError("x"), DeadlineExceededError("x"), ScanRulesError("x")):
        assert policy.delay_before_retry(1, error, None) is None
    hinted = UnavailableError("busy", retry_delay=datetime.timedelta(seconds=1.5))
    assert policy.delay_before_retry(1, hinted, None) == 1.5
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_make_error_parses_every_detail() -> None:
    status = status_pb2.Status(code=code_pb2.UNAVAILABLE, message="busy")
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason="OVERLOADED", domain=DOMAIN, metadata={"a": "b"}))
    status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2)))
    status.details.add().Pack(
        error_details_pb2.BadRequest(
            field_violations=[error_details_pb2.BadRequest.FieldViolation(field="f", description="d")]
        )
    )
    error = make_error(grpc.StatusCode.UNAVAILABLE, "busy", status)
    assert type(error) is UnavailableError
    assert (error.reason, error.domain, error.metadata) == ("OVERLOADED", DOMAIN, {"a": "b"})
    assert error.retry_delay == datetime.timedelta(seconds=2)
    assert error.field_violations == [("f", "d")]
    assert type(make_error(grpc.StatusCode.DATA_LOSS, "x")) is ScanRulesError
    assert NotFoundError("gone").code == grpc.StatusCode.NOT_FOUND
