"""Descriptor-driven: the SDK has a correctly typed method for every RPC of every `scanrules.v1` service."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from scanrules.v1 import monitoring_service_pb2, orchestration_service_pb2, rule_service_pb2

import scanrules_client
from scanrules_client import (
    AsyncResponseStream,
    MonitoringClient,
    OrchestrationClient,
    ResponseStream,
    RulesClient,
    ScanRulesClient,
    SyncMonitoringClient,
    SyncOrchestrationClient,
    SyncRulesClient,
    SyncScanRulesClient,
)

SERVICE_MODULES = (rule_service_pb2, orchestration_service_pb2, monitoring_service_pb2)
SERVICES: list[ServiceDescriptor] = [
    service for module in SERVICE_MODULES for service in module.DESCRIPTOR.services_by_name.values()
]
METHODS: list[tuple[ServiceDescriptor, MethodDescriptor]] = [
    (service, method) for service in SERVICES for method in service.methods
]
SUB_CLIENT = {"RuleService": "rules", "OrchestrationService": "orchestration", "MonitoringService": "monitoring"}
ASYNC_CLASS = {"rules": RulesClient, "orchestration": OrchestrationClient, "monitoring": MonitoringClient}
SYNC_CLASS = {"rules": SyncRulesClient, "orchestration": SyncOrchestrationClient, "monitoring": SyncMonitoringClient}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def iterator_name(method: MethodDescriptor) -> str:
    return "iter_" + snake(method.name.removeprefix("List"))


def method_id(item: tuple[ServiceDescriptor, MethodDescriptor]) -> str:
    return f"{item[0].name}.{item[1].name}"


def full_name(annotation: Any) -> str:
    return str(annotation.DESCRIPTOR.full_name)


def test_every_service_is_mapped() -> None:
    assert {service.name for service in SERVICES} == set(SUB_CLIENT)
    assert len(METHODS) >= 50


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[method_id(m) for m in METHODS])
@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_method_exists_with_descriptor_types(
    service: ServiceDescriptor, method: MethodDescriptor, flavour: str
) -> None:
    cls = (ASYNC_CLASS if flavour == "async" else SYNC_CLASS)[SUB_CLIENT[service.name]]
    assert service.full_name == cls.SERVICE
    fn = getattr(cls, snake(method.name), None)
    assert callable(fn), f"{cls.__name__} lacks {snake(method.name)} for {method.full_name}"
    assert fn.__doc__ and method.name in fn.__doc__
    hints = typing.get_type_hints(fn)
    assert full_name(hints["request"]) == method.input_type.full_name
    assert "timeout" in inspect.signature(fn).parameters
    returned = hints["return"]
    if method.server_streaming:
        stream_class = AsyncResponseStream if flavour == "async" else ResponseStream
        assert typing.get_origin(returned) is stream_class
        assert full_name(typing.get_args(returned)[0]) == method.output_type.full_name
        assert not inspect.iscoroutinefunction(fn)
    else:
        assert full_name(returned) == method.output_type.full_name
        assert inspect.iscoroutinefunction(fn) is (flavour == "async")


LIST_METHODS = [m for m in METHODS if m[1].name.startswith("List")]


@pytest.mark.parametrize(("service", "method"), LIST_METHODS, ids=[method_id(m) for m in LIST_METHODS])
@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_list_methods_have_page_iterators(service: ServiceDescriptor, method: MethodDescriptor, flavour: str) -> None:
    cls = (ASYNC_CLASS if flavour == "async" else SYNC_CLASS)[SUB_CLIENT[service.name]]
    fn = getattr(cls, iterator_name(method), None)
    assert callable(fn), f"{cls.__name__} lacks {iterator_name(method)}"
    items = [f for f in method.output_type.fields if f.is_repeated]
    assert len(items) == 1
    returned = typing.get_type_hints(fn)["return"]
    assert typing.get_origin(returned) is (AsyncIterator if flavour == "async" else Iterator)
    assert full_name(typing.get_args(returned)[0]) == items[0].message_type.full_name
    parameters = inspect.signature(fn).parameters
    request_fields = {f.name for f in method.input_type.fields} - {"page_token"}
    assert request_fields <= set(parameters), "every request field but page_token is a parameter"


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_no_stale_public_methods(flavour: str) -> None:
    classes = ASYNC_CLASS if flavour == "async" else SYNC_CLASS
    for service in SERVICES:
        cls = classes[SUB_CLIENT[service.name]]
        expected = {snake(m.name) for m in service.methods}
        expected |= {iterator_name(m) for m in service.methods if m.name.startswith("List")}
        public = {name for name, _ in inspect.getmembers(cls, callable) if not name.startswith("_")}
        assert public == expected, cls.__name__


async def test_async_instances_return_iterators_without_network(dead_target: str) -> None:
    client = ScanRulesClient(grpc.aio.insecure_channel(dead_target))
    try:
        for service, method in METHODS:
            sub = getattr(client, SUB_CLIENT[service.name])
            request = _request(method)
            if method.server_streaming:
                stream = getattr(sub, snake(method.name))(request, timeout=1)
                assert isinstance(stream, AsyncIterator) and isinstance(stream, AsyncResponseStream)
                stream.cancel()
            if method.name.startswith("List"):
                iterator = _call_iterator(getattr(sub, iterator_name(method)))
                assert isinstance(iterator, AsyncGenerator)
                await iterator.aclose()
    finally:
        await client.close()


def test_sync_instances_return_iterators_without_network(dead_target: str) -> None:
    with SyncScanRulesClient(grpc.insecure_channel(dead_target)) as client:
        for service, method in METHODS:
            sub = getattr(client, SUB_CLIENT[service.name])
            request = _request(method)
            if method.server_streaming:
                stream = getattr(sub, snake(method.name))(request, timeout=1)
                assert isinstance(stream, Iterator) and isinstance(stream, ResponseStream)
                stream.cancel()
            if method.name.startswith("List"):
                iterator = _call_iterator(getattr(sub, iterator_name(method)))
                assert isinstance(iterator, Iterator)


def _request(method: MethodDescriptor) -> Any:
    module = sys.modules[f"scanrules.v1.{Path(method.input_type.file.name).stem}_pb2"]
    return getattr(module, method.input_type.name)()


def _call_iterator(fn: Any) -> Any:
    positional = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.default is inspect.Parameter.empty
    ]
    return fn(*["scanJobs/-" for _ in positional])


# The SDK's import boundary: generated code, grpc, grpc-status, protobuf, googleapis-common-protos, the standard
# library, and rich only inside ctl (lazily). Never the server.
ALLOWED_ROOTS = {"grpc", "grpc_status", "google", "scanrules", "scanrules_client"}
ALLOWED_GOOGLE = ("google.protobuf", "google.rpc")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at_top_level) for every import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, id(node) in top_level) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, id(node) in top_level))
    return found


def test_sdk_imports_only_its_declared_dependencies() -> None:
    package = Path(scanrules_client.__file__).parent
    files = sorted(package.glob("*.py"))
    assert files
    for path in files:
        for module, top_level in _imports(path):
            root = module.split(".")[0]
            assert root != "scanrules_server", f"{path.name} imports the server"
            if root == "rich":
                assert path.name in ("ctl.py", "ctl_scan.py") and not top_level, (
                    f"{path.name}: rich must be imported lazily in ctl"
                )
                continue
            if root == "google":
                assert module.startswith(ALLOWED_GOOGLE), f"{path.name}: {module}"
            elif root == "scanrules":
                assert module.startswith("scanrules.v1"), f"{path.name}: {module}"
            else:
                assert root in ALLOWED_ROOTS or root in sys.stdlib_module_names, f"{path.name}: {module}"


def test_public_api_is_exported() -> None:
    for name in scanrules_client.__all__:
        assert hasattr(scanrules_client, name), name
    assert issubclass(scanrules_client.NotFoundError, scanrules_client.ScanRulesError)
