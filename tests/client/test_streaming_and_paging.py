"""Page iterators and server streams (retry before the first message only, cancellation), async and sync."""

from __future__ import annotations

import time

import pytest
from scanrules.v1 import orchestration_service_pb2

from scanrules_client import ScanRulesClient, SyncScanRulesClient, UnavailableError

from .conftest import RULE_COUNT, FakeServer, uid

EventType = orchestration_service_pb2.WatchScanJobResponse


def watch(name: str) -> orchestration_service_pb2.WatchScanJobRequest:
    return orchestration_service_pb2.WatchScanJobRequest(name=name)


async def test_iter_rules_follows_page_tokens(client: ScanRulesClient, fake_server: FakeServer) -> None:
    filter_ = f'labels.test = "{uid()}"'
    names = [rule.name async for rule in client.rules.iter_rules(filter=filter_, page_size=2)]
    assert names == [f"rules/r{i}" for i in range(RULE_COUNT)]
    requests = fake_server.recorder.requests[f"ListRules:{filter_}"]
    assert [r.page_token for r in requests] == ["", "2", "4"]
    assert {r.page_size for r in requests} == {2}


def test_sync_iter_rules_follows_page_tokens(sync_client: SyncScanRulesClient, fake_server: FakeServer) -> None:
    filter_ = f'labels.test = "{uid()}"'
    names = [rule.name for rule in sync_client.rules.iter_rules(filter=filter_, page_size=3)]
    assert names == [f"rules/r{i}" for i in range(RULE_COUNT)]
    assert fake_server.recorder.calls[f"ListRules:{filter_}"] == 2


async def test_iterators_are_lazy(client: ScanRulesClient, fake_server: FakeServer) -> None:
    filter_ = f'labels.lazy = "{uid()}"'
    iterator = client.rules.iter_rules(filter=filter_, page_size=2)
    assert fake_server.recorder.calls[f"ListRules:{filter_}"] == 0
    first = await anext(iterator)
    assert first.name == "rules/r0"
    assert fake_server.recorder.calls[f"ListRules:{filter_}"] == 1


async def test_watch_streams_until_the_end(client: ScanRulesClient) -> None:
    events = [event async for event in client.orchestration.watch_scan_job(watch(f"scanJobs/ok-{uid()}"))]
    assert [e.event_type for e in events] == [
        EventType.EVENT_TYPE_SNAPSHOT,
        EventType.EVENT_TYPE_STATE_CHANGED,
        EventType.EVENT_TYPE_STATE_CHANGED,
    ]


async def test_watch_retries_before_the_first_message(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"scanJobs/flaky-{uid()}"
    events = [event async for event in client.orchestration.watch_scan_job(watch(name))]
    assert len(events) == 3
    assert fake_server.recorder.calls[f"WatchScanJob:{name}"] == 2


async def test_watch_is_not_retried_after_the_first_message(client: ScanRulesClient, fake_server: FakeServer) -> None:
    name = f"scanJobs/breaks-{uid()}"
    received = []
    with pytest.raises(UnavailableError, match="connection lost"):
        async for event in client.orchestration.watch_scan_job(watch(name)):
            received.append(event)
    assert len(received) == 1
    assert fake_server.recorder.calls[f"WatchScanJob:{name}"] == 1


async def test_watch_can_be_cancelled(client: ScanRulesClient) -> None:
    async with client.orchestration.watch_scan_job(watch(f"scanJobs/endless-{uid()}")) as stream:
        count = 0
        async for _ in stream:
            count += 1
            if count == 3:
                break
    assert [e async for e in stream] == [], "a cancelled stream yields nothing more"


async def test_watch_timeout_bounds_the_stream(client: ScanRulesClient) -> None:
    from scanrules_client import DeadlineExceededError

    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        async for _ in client.orchestration.watch_scan_job(watch(f"scanJobs/endless-{uid()}"), timeout=0.3):
            pass
    assert time.monotonic() - started < 2


def test_sync_watch(sync_client: SyncScanRulesClient, fake_server: FakeServer) -> None:
    name = f"scanJobs/flaky-{uid()}"
    assert len(list(sync_client.orchestration.watch_scan_job(watch(name)))) == 3
    assert fake_server.recorder.calls[f"WatchScanJob:{name}"] == 2

    name = f"scanJobs/breaks-{uid()}"
    stream = sync_client.orchestration.watch_scan_job(watch(name))
    assert next(stream).event_type == EventType.EVENT_TYPE_SNAPSHOT
    with pytest.raises(UnavailableError):
        next(stream)
    assert fake_server.recorder.calls[f"WatchScanJob:{name}"] == 1

    with sync_client.orchestration.watch_scan_job(watch(f"scanJobs/endless-{uid()}")) as endless:
        assert [next(endless).event_type for _ in range(3)][-1] == EventType.EVENT_TYPE_PROGRESS
    assert list(endless) == []
