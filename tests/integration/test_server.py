"""The server process: reflection, health, metrics, migrations, listening line, graceful stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from scanrules.v1 import rule_service_pb2

from scanrules_client import NotFoundError, ScanRulesClient
from scanrules_server.app import SERVICE_NAMES

SCANRULES = str(Path(sys.executable).with_name("scanrules"))


def test_reflection_lists_the_three_services(server_target: str) -> None:
    with grpc.insecure_channel(server_target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = set(database.get_services())
        assert set(SERVICE_NAMES) <= services
        pool = DescriptorPool(database)
        rpcs = sum(len(pool.FindServiceByName(name).methods) for name in SERVICE_NAMES)
    assert rpcs >= 45


def test_health_per_service(server_target: str) -> None:
    with grpc.insecure_channel(server_target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ("", *SERVICE_NAMES):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
        with pytest.raises(grpc.RpcError) as caught:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_metrics_count_rpcs_by_code(server_target: str) -> None:
    from prometheus_client import generate_latest

    from tests.integration.conftest import admin_tokens, running_servers

    async with ScanRulesClient.connect(server_target, token=admin_tokens[server_target]) as client:
        await client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name="ruleSets/default"))
        with pytest.raises(NotFoundError):
            await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name="rules/absent"))
    not_found = 'scanrules_rpc_calls_total{code="NOT_FOUND",method="/scanrules.v1.RuleService/GetRule"}'
    deadline = time.monotonic() + 5
    # The status reaches the client a moment before the server-side handler returns.
    while not_found not in (text := generate_latest(running_servers[server_target].metrics.registry).decode()):
        assert time.monotonic() < deadline, text
        await asyncio.sleep(0.05)
    assert 'scanrules_rpc_calls_total{code="OK",method="/scanrules.v1.RuleService/GetRuleSet"}' in text
    assert "scanrules_rpc_latency_seconds_bucket" in text and "scanrules_rpc_in_flight" in text


def _start(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SCANRULES, "serve", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
    )


def test_embedded_default_migrates_listens_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = _start(tmp_path, env={k: v for k, v in os.environ.items() if k != "SCANRULES_DATABASE_URL"})
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("admin api key: sr_"), first  # first start: the admin key, printed once
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on 127.0.0.1:"), line
        target = line.removeprefix("listening on ")
        with grpc.insecure_channel(target) as channel:
            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert status.status == health_pb2.HealthCheckResponse.SERVING
        assert (tmp_path / "scanrules.db").is_file()  # the embedded default, next to where it runs
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # reaps the process and closes its pipes


def test_unmigrated_database_is_refused_with_one_line(tmp_path: Path) -> None:
    from tests.dbs import temporary_database

    with temporary_database("postgresql", tmp_path) as url:
        proc = _start(tmp_path, "--database-url", url)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2
        assert "scanrules migrate" in err and "Traceback" not in err
        migrated = subprocess.run(
            [SCANRULES, "migrate", "--database-url", url], capture_output=True, text=True, timeout=120
        )
        assert migrated.returncode == 0, migrated.stderr
        proc = _start(tmp_path, "--database-url", url)
        try:
            assert proc.stdout is not None
            started = time.monotonic()
            assert proc.stdout.readline().startswith("admin api key: sr_"), proc.stderr
            assert proc.stdout.readline().startswith("listening on "), proc.stderr
            assert time.monotonic() - started < 120
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=20) == 0
            proc.communicate()
