"""A real in-process `grpc.aio` server with small scripted servicers, for the SDK and ctl tests.

The server runs on its own event loop in a background thread, so that the blocking client (and `scanrules-ctl`)
can call it from the test thread, and async tests can call it from their own loop. Behaviour is chosen by the
resource name in the request (e.g. ``rules/flaky-…`` fails UNAVAILABLE twice); each test uses unique names, so
the call counters in `Recorder` are per test.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from scanrules.v1 import (
    classification_pb2,
    monitoring_service_pb2,
    monitoring_service_pb2_grpc,
    orchestration_service_pb2,
    orchestration_service_pb2_grpc,
    pattern_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_service_pb2_grpc,
    rule_set_pb2,
    scan_job_pb2,
)

from scanrules_client import RetryPolicy, ScanRulesClient, SyncScanRulesClient

DOMAIN = "scanrules.dev"
TOKEN = "secret-token"
FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.01, max_backoff=0.05)
RULE_COUNT = 5


def uid() -> str:
    return uuid.uuid4().hex[:10]


@dataclass
class Recorder:
    """What the servicers saw, keyed by ``"Method:name"``."""

    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    requests: dict[str, list[Any]] = field(default_factory=lambda: collections.defaultdict(list))
    metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, key: str, request: Message, context: Any) -> int:
        """Records a call; returns how many calls with this key there have been, this one included."""
        name = f"{method}:{key}"
        with self.lock:
            self.calls[name] += 1
            self.requests[name].append(request)
            self.metadata[name] = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
            return self.calls[name]


def rich_status(
    code: grpc.StatusCode, message: str, reason: str, *extra: Message, metadata: dict[str, str] | None = None
) -> grpc.Status:
    """A `grpc.Status` carrying a `google.rpc.Status` with an ErrorInfo and `extra` details."""
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message=message)
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata or {}))
    for detail in extra:
        status.details.add().Pack(detail)
    return rpc_status.to_status(status)


def make_rule(name: str, **fields: Any) -> rule_pb2.Rule:
    defaults: dict[str, Any] = {
        "display_name": "Test rule",
        "expression": 'match regex("[a-z]+@[a-z]+")',
        "classification": "EMAIL_ADDRESS",
        "pattern_type": rule_pb2.PATTERN_TYPE_REGEX,
        "complexity_level": rule_pb2.COMPLEXITY_LEVEL_SIMPLE,
        "confidence_threshold": 0.8,
        "is_active": True,
        "revision_id": "3",
        "etag": "etag-3",
    }
    defaults.update(fields)
    return rule_pb2.Rule(name=name, **defaults)


class RuleServicer(rule_service_pb2_grpc.RuleServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def GetRule(self, request: rule_service_pb2.GetRuleRequest, context: Any) -> Any:
        n = self.recorder.record("GetRule", request.name, request, context)
        rule_id = request.name.removeprefix("rules/")
        if rule_id.startswith("missing-"):
            await context.abort_with_status(
                rich_status(
                    grpc.StatusCode.NOT_FOUND,
                    f"rule {request.name} not found",
                    "RULE_NOT_FOUND",
                    metadata={"name": request.name},
                )
            )
        if rule_id.startswith("flaky-") and n <= 2:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "server is restarting")
        if rule_id.startswith("down-"):
            await context.abort(grpc.StatusCode.UNAVAILABLE, "server is down")
        if rule_id.startswith("retry-after-") and n == 1:
            retry_info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(nanos=300_000_000))
            await context.abort_with_status(
                rich_status(grpc.StatusCode.UNAVAILABLE, "overloaded", "OVERLOADED", retry_info)
            )
        if rule_id.startswith("slow-"):
            await asyncio.sleep(3)
        if rule_id.startswith("broken-"):
            await context.abort(grpc.StatusCode.INTERNAL, "internal error")
        authorization = self.recorder.metadata[f"GetRule:{request.name}"].get("authorization", "")
        return rule_service_pb2.GetRuleResponse(rule=make_rule(request.name, description=authorization))

    async def CreateRule(self, request: rule_service_pb2.CreateRuleRequest, context: Any) -> Any:
        n = self.recorder.record("CreateRule", request.rule_id, request, context)
        if request.rule_id.startswith("bad-"):
            bad_request = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field="rule.expression", description="line 1, column 7: unexpected token '('"
                    ),
                    error_details_pb2.BadRequest.FieldViolation(
                        field="rule.classification", description="unknown classification 'NOPE'"
                    ),
                ]
            )
            await context.abort_with_status(
                rich_status(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "the rule is invalid",
                    "INVALID_RULE",
                    bad_request,
                    metadata={"rule_id": request.rule_id},
                )
            )
        if request.rule_id.startswith("taken-"):
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, f"rule rules/{request.rule_id} already exists")
        if request.rule_id.startswith("flaky-") and n == 1:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "try again")
        rule = rule_pb2.Rule()
        rule.CopyFrom(request.rule)
        rule.name = f"rules/{request.rule_id}"
        rule.revision_id = "1"
        rule.etag = "etag-1"
        return rule_service_pb2.CreateRuleResponse(rule=rule)

    async def ListRules(self, request: rule_service_pb2.ListRulesRequest, context: Any) -> Any:
        self.recorder.record("ListRules", request.filter, request, context)
        start = int(request.page_token or 0)
        size = request.page_size or 2
        end = min(start + size, RULE_COUNT)
        rules = [make_rule(f"rules/r{i}") for i in range(start, end)]
        return rule_service_pb2.ListRulesResponse(rules=rules, next_page_token=str(end) if end < RULE_COUNT else "")

    async def UpdateRule(self, request: rule_service_pb2.UpdateRuleRequest, context: Any) -> Any:
        self.recorder.record("UpdateRule", request.rule.name, request, context)
        if request.rule.etag != "etag-3":
            await context.abort(grpc.StatusCode.ABORTED, "etag mismatch")
        rule = make_rule(request.rule.name, revision_id="4", etag="etag-4")
        request.update_mask.MergeMessage(request.rule, rule)
        rule.revision_id, rule.etag = "4", "etag-4"
        return rule_service_pb2.UpdateRuleResponse(rule=rule)

    async def DeleteRule(self, request: rule_service_pb2.DeleteRuleRequest, context: Any) -> Any:
        self.recorder.record("DeleteRule", request.name, request, context)
        if request.name.startswith("rules/in-use"):
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION, "rule is used by ruleSets/default\nremove it first"
            )
        return rule_service_pb2.DeleteRuleResponse()

    async def ListRuleRevisions(self, request: rule_service_pb2.ListRuleRevisionsRequest, context: Any) -> Any:
        self.recorder.record("ListRuleRevisions", request.name, request, context)
        rules = [make_rule(f"{request.name}@{i}", revision_id=str(i)) for i in (3, 2, 1)]
        return rule_service_pb2.ListRuleRevisionsResponse(rules=rules)

    async def ValidateRule(self, request: rule_service_pb2.ValidateRuleRequest, context: Any) -> Any:
        self.recorder.record("ValidateRule", request.expression, request, context)
        if "((" in request.expression:
            violation = rule_service_pb2.RuleViolation(
                field="expression", description="unbalanced parenthesis", line=1, column=3
            )
            return rule_service_pb2.ValidateRuleResponse(valid=False, violations=[violation])
        return rule_service_pb2.ValidateRuleResponse(
            valid=True,
            pattern_type=rule_pb2.PATTERN_TYPE_REGEX,
            complexity_level=rule_pb2.COMPLEXITY_LEVEL_SIMPLE,
            complexity_score=2,
        )

    async def TestRule(self, request: rule_service_pb2.TestRuleRequest, context: Any) -> Any:
        self.recorder.record("TestRule", request.name or request.rule.expression, request, context)
        matches = [
            rule_service_pb2.ValueMatch(
                index=i, matched="@" in v, validated="@" in v, evidence="a***@x" if "@" in v else ""
            )
            for i, v in enumerate(request.values)
        ]
        matched = sum(m.matched for m in matches)
        decision = rule_service_pb2.ColumnDecision(
            classification=request.rule.classification or "EMAIL_ADDRESS",
            confidence=0.9,
            match_ratio=matched / max(len(matches), 1),
            matched=matched,
            validated=matched,
            sampled=len(matches),
            reported=matched > 0,
        )
        return rule_service_pb2.TestRuleResponse(matches=matches, decision=decision)

    async def CreateRuleSet(self, request: rule_service_pb2.CreateRuleSetRequest, context: Any) -> Any:
        self.recorder.record("CreateRuleSet", request.rule_set_id, request, context)
        rule_set = rule_set_pb2.RuleSet()
        rule_set.CopyFrom(request.rule_set)
        rule_set.name = f"ruleSets/{request.rule_set_id}"
        return rule_service_pb2.CreateRuleSetResponse(rule_set=rule_set)

    async def ListRuleSets(self, request: rule_service_pb2.ListRuleSetsRequest, context: Any) -> Any:
        self.recorder.record("ListRuleSets", request.filter, request, context)
        default = rule_set_pb2.RuleSet(name="ruleSets/default", display_name="Built-ins", read_only=True)
        return rule_service_pb2.ListRuleSetsResponse(rule_sets=[default])

    async def ListClassifications(self, request: rule_service_pb2.ListClassificationsRequest, context: Any) -> Any:
        self.recorder.record("ListClassifications", request.filter, request, context)
        items = [
            classification_pb2.Classification(name="EMAIL_ADDRESS", display_name="Email address", builtin=True),
            classification_pb2.Classification(name="IBAN_CODE", display_name="IBAN", category="FINANCE"),
        ]
        return rule_service_pb2.ListClassificationsResponse(classifications=items)

    async def GetPattern(self, request: rule_service_pb2.GetPatternRequest, context: Any) -> Any:
        self.recorder.record("GetPattern", request.name, request, context)
        return rule_service_pb2.GetPatternResponse(
            pattern=pattern_pb2.Pattern(name=request.name, regex=r"[0-9]{4}\b[x]", keywords=["badge", "id"])
        )


class OrchestrationServicer(orchestration_service_pb2_grpc.OrchestrationServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def WatchScanJob(
        self, request: orchestration_service_pb2.WatchScanJobRequest, context: Any
    ) -> AsyncIterator[orchestration_service_pb2.WatchScanJobResponse]:
        n = self.recorder.record("WatchScanJob", request.name, request, context)
        job_id = request.name.removeprefix("scanJobs/")
        if job_id.startswith("flaky-") and n == 1:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "not yet")
        event = orchestration_service_pb2.WatchScanJobResponse
        job = scan_job_pb2.ScanJob
        yield event(scan_job=job(name=request.name, state=job.STATE_PENDING), event_type=event.EVENT_TYPE_SNAPSHOT)
        if job_id.startswith("breaks-"):
            await context.abort(grpc.StatusCode.UNAVAILABLE, "connection lost")
        if job_id.startswith("endless-"):
            while True:
                await asyncio.sleep(0.02)
                yield event(scan_job=job(name=request.name), event_type=event.EVENT_TYPE_PROGRESS)
        yield event(scan_job=job(name=request.name, state=job.STATE_RUNNING), event_type=event.EVENT_TYPE_STATE_CHANGED)
        yield event(
            scan_job=job(name=request.name, state=job.STATE_SUCCEEDED), event_type=event.EVENT_TYPE_STATE_CHANGED
        )


class MonitoringServicer(monitoring_service_pb2_grpc.MonitoringServiceServicer):
    async def GetSystemStatus(self, request: monitoring_service_pb2.GetSystemStatusRequest, context: Any) -> Any:
        return monitoring_service_pb2.GetSystemStatusResponse(version="0.0.0-test", executor="local")


class FakeServer:
    """The test server, on its own event loop in a daemon thread."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fake-scanrules-server", daemon=True)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("test server did not start")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # pragma: no cover - surfaced by start()
            self._error = exc
            self._started.set()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = grpc.aio.server()
        rule_service_pb2_grpc.add_RuleServiceServicer_to_server(RuleServicer(self.recorder), server)
        orchestration_service_pb2_grpc.add_OrchestrationServiceServicer_to_server(
            OrchestrationServicer(self.recorder), server
        )
        monitoring_service_pb2_grpc.add_MonitoringServiceServicer_to_server(MonitoringServicer(), server)
        self.port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        self._started.set()
        await self._stop.wait()
        await server.stop(None)


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeServer]:
    server = FakeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def client(fake_server: FakeServer) -> AsyncIterator[ScanRulesClient]:
    async with ScanRulesClient.connect(fake_server.target, token=TOKEN, timeout=5.0, retry=FAST_RETRY) as c:
        yield c


@pytest.fixture
def sync_client(fake_server: FakeServer) -> Iterator[SyncScanRulesClient]:
    with SyncScanRulesClient.connect(fake_server.target, token=TOKEN, timeout=5.0, retry=FAST_RETRY) as c:
        yield c


@pytest.fixture
def dead_target() -> str:
    """An address nothing listens on: a port the OS handed out and that was closed again."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"
