"""Limits: request sizes, server-side deadlines, stream duration and the per-principal rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from scanrules.v1 import pattern_pb2, rule_pb2, rule_service_pb2, rule_set_pb2

from scanrules_client import (
    DeadlineExceededError,
    InvalidArgumentError,
    ResourceExhaustedError,
    ScanRulesClient,
)
from scanrules_client._errors import error_from_rpc
from scanrules_server.api.limits import Limits, LimitsInterceptor
from scanrules_server.api.principal import current_principal
from scanrules_server.api.ratelimit import RateLimitInterceptor, TokenBuckets, principal_key
from scanrules_server.settings import Settings
from tests.integration.conftest import ServerThread

MAX_REGEX = 50


def _settings(tmp: Path, **kwargs: Any) -> Settings:
    """A server on an empty SQLite database; authentication off (tested on its own), unless `kwargs` say else."""
    kwargs.setdefault("auth_enabled", False)
    return Settings(
        host="127.0.0.1", port=0, database_url=f"sqlite+aiosqlite:///{tmp / 'scanrules.db'}", migrate=True, **kwargs
    )


@pytest.fixture(scope="module")
def limited_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Small regex and rule-set limits, the default expression limit, no rate limit."""
    settings = _settings(
        tmp_path_factory.mktemp("limits"), max_regex_chars=MAX_REGEX, max_rules_per_rule_set=2, rate_limit_per_second=0
    )
    server = ServerThread(settings)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def throttled_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ServerThread(_settings(tmp_path_factory.mktemp("ratelimit"), rate_limit_per_second=1, rate_limit_burst=3))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
async def client(limited_target: str) -> AsyncIterator[ScanRulesClient]:
    async with ScanRulesClient.connect(limited_target) as c:
        yield c


def test_defaults_are_documented_values() -> None:
    s = Settings()
    assert s.max_message_bytes == 16 * 1024 * 1024
    assert s.max_expression_chars == 20_000
    assert s.max_regex_chars == 4_096
    assert s.max_rules_per_rule_set == 5_000
    assert s.max_stream_seconds == 3_600
    assert s.default_deadline_seconds == 60
    assert (s.rate_limit_per_second, s.rate_limit_burst) == (50, 100)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    for text in ("16 MiB", "20,000", "4,096", "5,000", "1,000", "10,000", "3,600", "60 s", "50", "100"):
        assert text in doc


# ---- sizes, through the SDK ----------------------------------------------------------


async def test_expression_longer_than_the_limit_is_rejected(client: ScanRulesClient) -> None:
    expression = "match value ~ /@/\n#" + "x" * 20_000
    rule = rule_pb2.Rule(classification="TEST_DATA", expression=expression)
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id="long", rule=rule))
    assert caught.value.reason == "EXPRESSION_TOO_LONG"
    [(field, description)] = caught.value.field_violations
    assert field == "rule.expression" and "at most 20,000 characters" in description
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.test_rule(rule_service_pb2.TestRuleRequest(rule=rule, values=["a@b"]))
    assert caught.value.field_violations[0][0] == "rule.expression"


async def test_regex_longer_than_the_limit_is_rejected_naming_its_position(client: ScanRulesClient) -> None:
    long_a, long_b = "a" * (MAX_REGEX + 1), "b" * (MAX_REGEX + 10)
    expression = f'match value ~ /{long_a}/ or valid("luhn")\nwhen column.name ~ /{long_b}/i'
    rule = rule_pb2.Rule(classification="TEST_DATA", expression=expression)
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id="longregex", rule=rule))
    assert caught.value.reason == "REGEX_TOO_LONG"
    assert [f for f, _ in caught.value.field_violations] == ["rule.expression", "rule.expression"]
    first, second = (d for _, d in caught.value.field_violations)
    assert first.startswith("line 1, column 15:") and f"{MAX_REGEX + 1} characters; at most {MAX_REGEX}" in first
    assert second.startswith("line 2, column 20:")

    validated = await client.rules.validate_rule(rule_service_pb2.ValidateRuleRequest(expression=expression))
    assert not validated.valid
    assert [(v.field, v.line, v.column) for v in validated.violations] == [("expression", 1, 15), ("expression", 2, 20)]

    at_limit = f"match value ~ /{'a' * MAX_REGEX}/"
    assert (await client.rules.validate_rule(rule_service_pb2.ValidateRuleRequest(expression=at_limit))).valid


async def test_update_is_checked_too(client: ScanRulesClient) -> None:
    rule = rule_pb2.Rule(classification="TEST_DATA", expression="match value ~ /x@y/")
    created = (await client.rules.create_rule(rule_service_pb2.CreateRuleRequest(rule_id="short", rule=rule))).rule
    created.expression = f"match value ~ /{'c' * (MAX_REGEX + 1)}/"
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.update_rule(rule_service_pb2.UpdateRuleRequest(rule=created))
    assert caught.value.reason == "REGEX_TOO_LONG"


async def test_pattern_regex_longer_than_the_limit_is_rejected(client: ScanRulesClient) -> None:
    pattern = pattern_pb2.Pattern(regex="d" * (MAX_REGEX + 1), exclusions=["ok", "e" * (MAX_REGEX + 1)])
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_pattern(rule_service_pb2.CreatePatternRequest(pattern_id="longp", pattern=pattern))
    assert [f for f, _ in caught.value.field_violations] == ["pattern.regex", "pattern.exclusions[1]"]


async def test_rule_set_with_too_many_rules_is_rejected(client: ScanRulesClient) -> None:
    rule_set = rule_set_pb2.RuleSet(rules=["rules/EMAIL_ADDRESS", "rules/IBAN_CODE", "rules/CREDIT_CARD_NUMBER"])
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_rule_set(rule_service_pb2.CreateRuleSetRequest(rule_set_id="big", rule_set=rule_set))
    assert caught.value.reason == "TOO_MANY_RULES"
    [(field, description)] = caught.value.field_violations
    assert field == "rule_set.rules" and "at most 2 rules" in description


async def test_a_call_without_deadline_is_served_normally(client: ScanRulesClient) -> None:
    response = await client.rules.list_rules(rule_service_pb2.ListRulesRequest(page_size=2), timeout=None)
    assert len(response.rules) == 2


# ---- rate limit ------------------------------------------------------------------------


async def test_rate_limit_answers_resource_exhausted_with_retry_info(throttled_target: str) -> None:
    async with ScanRulesClient.connect(throttled_target) as client:
        request = rule_service_pb2.ListRulesRequest(page_size=1)
        for _ in range(3):
            await client.rules.list_rules(request)
        with pytest.raises(ResourceExhaustedError) as caught:
            await client.rules.list_rules(request)
        error = caught.value
        assert error.reason == "RATE_LIMITED" and error.domain == "scanrules.dev"
        assert error.retry_delay is not None and 0 < error.retry_delay.total_seconds() <= 1.0

        # health checks are exempt, even with an empty bucket
        health = health_pb2_grpc.HealthStub(client.channel)
        for _ in range(5):
            answer = await health.Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING

        await asyncio.sleep(error.retry_delay.total_seconds() + 0.05)
        assert len((await client.rules.list_rules(request)).rules) == 1


def test_token_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(2.0, 3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # another principal has its own bucket
    now[0] = 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 100.0
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refills to the burst, no further


def test_token_bucket_forgets_the_least_recently_used() -> None:
    buckets = TokenBuckets(1.0, 1, max_keys=2, clock=lambda: 0.0)
    assert buckets.take("a") == 0.0 and buckets.take("b") == 0.0 and buckets.take("c") == 0.0
    assert buckets.take("a") == 0.0  # forgotten, so full again
    assert buckets.take("c") > 0


def test_token_bucket_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError):
        TokenBuckets(0, 1)


class FakeContext:
    def __init__(self, metadata: tuple[tuple[str, str], ...] = (), peer: str = "ipv4:10.1.2.3:51234") -> None:
        self._metadata, self._peer = metadata, peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer(self) -> str:
        return self._peer


def test_principal_key_prefers_the_authenticated_principal() -> None:
    assert principal_key(FakeContext()) == "peer:ipv4:10.1.2.3"
    assert principal_key(FakeContext(peer="ipv6:[::1]:6000")) == "peer:ipv6:[::1]"
    by_token = principal_key(FakeContext((("authorization", "Bearer secret"),)))
    assert by_token.startswith("authorization:") and "secret" not in by_token
    token = current_principal.set("keys/alice")
    try:
        assert principal_key(FakeContext((("authorization", "Bearer s"),))) == "principal:keys/alice"
    finally:
        current_principal.reset(token)


# ---- time limits, on a small real server with test handlers -------------------------------


@asynccontextmanager
async def serving(
    interceptors: list[Any], handlers: dict[str, grpc.RpcMethodHandler]
) -> AsyncIterator[grpc.aio.Channel]:
    server = grpc.aio.server(interceptors=interceptors)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Limits", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        await server.stop(0)


async def test_unary_call_without_deadline_gets_the_server_default() -> None:
    cancelled = asyncio.Event()

    async def sleep(request: bytes, context: Any) -> bytes:
        try:
            await asyncio.sleep(float(request.decode()))
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return b"done"

    limits = LimitsInterceptor(Limits(default_deadline_seconds=0.3))
    async with serving([limits], {"Sleep": grpc.unary_unary_rpc_method_handler(sleep)}) as channel:
        call = channel.unary_unary("/test.Limits/Sleep")
        assert await call(b"0.01") == b"done"
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(b"30")
        assert time.monotonic() - started < 5
        error = error_from_rpc(caught.value)
        assert isinstance(error, DeadlineExceededError)
        assert error.reason == "DEADLINE_EXCEEDED" and "default deadline of 0.3 s" in error.message
        await asyncio.wait_for(cancelled.wait(), 5)  # the handler was cancelled, not left running
        # A deadline the client set is the client's business, even a longer one.
        assert await call(b"0.6", timeout=5) == b"done"


async def test_stream_ends_after_the_duration_limit() -> None:
    closed = asyncio.Event()

    async def ticks(request: bytes, context: Any) -> AsyncIterator[bytes]:
        try:
            n = 0
            while True:
                yield str(n).encode()
                n += 1
                await asyncio.sleep(0.05)
        finally:
            closed.set()

    async def silent(request: bytes, context: Any) -> AsyncIterator[bytes]:
        await asyncio.sleep(60)
        yield b"never"

    async def short(request: bytes, context: Any) -> AsyncIterator[bytes]:
        for item in (b"a", b"b"):
            yield item

    handlers = {
        "Ticks": grpc.unary_stream_rpc_method_handler(ticks),
        "Silent": grpc.unary_stream_rpc_method_handler(silent),
        "Short": grpc.unary_stream_rpc_method_handler(short),
    }
    limits = LimitsInterceptor(Limits(max_stream_seconds=0.5))
    async with serving([limits], handlers) as channel:
        for method, min_items in (("Ticks", 3), ("Silent", 0)):
            received: list[bytes] = []
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                async for item in channel.unary_stream(f"/test.Limits/{method}")(b"", timeout=30):
                    received.append(item)
            elapsed = time.monotonic() - started
            error = error_from_rpc(caught.value)
            assert isinstance(error, DeadlineExceededError), error
            assert error.reason == "STREAM_DURATION_EXCEEDED"
            assert 0.4 < elapsed < 5 and len(received) >= min_items
        await asyncio.wait_for(closed.wait(), 5)  # the handler's finally ran
        assert [item async for item in channel.unary_stream("/test.Limits/Short")(b"")] == [b"a", b"b"]


async def test_rate_limit_interceptor_covers_streams_and_uses_the_principal() -> None:
    async def short(request: bytes, context: Any) -> AsyncIterator[bytes]:
        yield b"a"

    async def echo(request: bytes, context: Any) -> bytes:
        return request

    class SetPrincipal(grpc.aio.ServerInterceptor):  # type: ignore[misc]
        """Stands in for authentication: the principal is the `x-user` metadata."""

        async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
            handler = await continuation(details)
            user = dict(details.invocation_metadata or ()).get("x-user")
            if user:
                current_principal.set(user)
            return handler

    handlers = {
        "Short": grpc.unary_stream_rpc_method_handler(short),
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
    }
    async with serving([SetPrincipal(), RateLimitInterceptor(1, 2)], handlers) as channel:
        stream, echo_call = channel.unary_stream("/test.Limits/Short"), channel.unary_unary("/test.Limits/Echo")
        assert [x async for x in stream(b"", metadata=(("x-user", "alice"),))] == [b"a"]
        assert await echo_call(b"1", metadata=(("x-user", "alice"),)) == b"1"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            [x async for x in stream(b"", metadata=(("x-user", "alice"),))]
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error_from_rpc(caught.value).retry_delay is not None
        # bob has a bucket of his own
        assert await echo_call(b"2", metadata=(("x-user", "bob"),)) == b"2"
