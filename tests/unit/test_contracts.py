"""The v1 gRPC contract, checked on the generated descriptors (no server, no network)."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, MethodDescriptor, ServiceDescriptor
from scanrules.v1 import (
    data_source_pb2,
    execution_pb2,
    finding_pb2,
    monitoring_service_pb2,
    orchestration_service_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
    scan_job_pb2,
)

PACKAGE = "scanrules.v1"

RPCS: dict[str, set[str]] = {
    "RuleService": {
        "CreateRule",
        "GetRule",
        "ListRules",
        "UpdateRule",
        "DeleteRule",
        "ValidateRule",
        "TestRule",
        "ListRuleRevisions",
        "CreateRuleSet",
        "GetRuleSet",
        "ListRuleSets",
        "UpdateRuleSet",
        "DeleteRuleSet",
        "ListRuleSetRevisions",
        "BacktestRuleSet",
        "CreatePattern",
        "GetPattern",
        "ListPatterns",
        "UpdatePattern",
        "DeletePattern",
        "ListClassifications",
        "OptimizeRule",
        "GetRuleAnalytics",
        "ApplyComplianceRequirements",
        "ApplySensitivityLabels",
    },
    "OrchestrationService": {
        "CreateDataSource",
        "GetDataSource",
        "ListDataSources",
        "UpdateDataSource",
        "DeleteDataSource",
        "TestDataSourceConnection",
        "DiscoverDataSource",
        "CreateScanJob",
        "GetScanJob",
        "ListScanJobs",
        "CancelScanJob",
        "RetryScanJob",
        "WatchScanJob",
        "ExecuteRules",
        "GetExecution",
        "ListExecutions",
        "ListFindings",
        "GetFinding",
        "SubmitFindingFeedback",
        "CreateSchedule",
        "ListSchedules",
        "UpdateSchedule",
        "DeleteSchedule",
    },
    "MonitoringService": {
        "GetPerformanceDashboard",
        "WatchMetrics",
        "GetSystemStatus",
        "ListAuditEvents",
        "GetComplianceReport",
    },
}
SERVER_STREAMING = {"WatchScanJob", "WatchMetrics"}
READ_PREFIXES = ("Get", "List", "Validate", "Test", "Watch", "Backtest")

SERVICES: dict[str, ServiceDescriptor] = {
    name: module.DESCRIPTOR.services_by_name[name]
    for module, name in (
        (rule_service_pb2, "RuleService"),
        (orchestration_service_pb2, "OrchestrationService"),
        (monitoring_service_pb2, "MonitoringService"),
    )
}
METHODS: list[MethodDescriptor] = [m for s in SERVICES.values() for m in s.methods]

# Messages that are resources (AIP-122): each has `string name = 1`.
RESOURCES = {
    "Rule",
    "RuleSet",
    "Pattern",
    "Classification",
    "DataSource",
    "ScanJob",
    "Finding",
    "Execution",
    "Schedule",
    "AuditEvent",
}


def _method_options(method: MethodDescriptor) -> descriptor_pb2.MethodOptions:
    proto = descriptor_pb2.MethodDescriptorProto()
    method.CopyToProto(proto)
    return proto.options


def _fields(message: Descriptor) -> set[str]:
    return set(message.fields_by_name)


def _all_messages() -> dict[str, Descriptor]:
    out: dict[str, Descriptor] = {}
    for module in (rule_service_pb2, orchestration_service_pb2, monitoring_service_pb2):
        for file in (module.DESCRIPTOR, *module.DESCRIPTOR.dependencies):
            if file.package == PACKAGE:
                out.update(file.message_types_by_name)
    return out


def test_services_and_rpcs_exist() -> None:
    for name, service in SERVICES.items():
        assert service.full_name == f"{PACKAGE}.{name}"
        assert {m.name for m in service.methods} == RPCS[name]
    assert len(METHODS) >= 45
    assert len(METHODS) == sum(len(v) for v in RPCS.values()) == 53


def test_only_watch_rpcs_stream_from_the_server() -> None:
    streaming = {m.name for m in METHODS if m.server_streaming}
    assert streaming == SERVER_STREAMING
    assert not any(m.client_streaming for m in METHODS)


def test_each_rpc_has_its_own_request_and_response() -> None:
    seen: set[str] = set()
    for m in METHODS:
        assert m.input_type.full_name == f"{PACKAGE}.{m.name}Request"
        assert m.output_type.full_name == f"{PACKAGE}.{m.name}Response"
        seen |= {m.input_type.full_name, m.output_type.full_name}
    assert len(seen) == 2 * len(METHODS)


def test_reads_have_no_side_effects() -> None:
    no_side_effects = descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS
    for m in METHODS:
        if m.name.startswith(READ_PREFIXES) or m.containing_service.name == "MonitoringService":
            assert _method_options(m).idempotency_level == no_side_effects, m.name
        if m.name.startswith(("Create", "Update", "Delete")):
            assert _method_options(m).idempotency_level != no_side_effects, m.name


REQUIRED_FIELDS: list[tuple[Any, str]] = [
    (
        rule_pb2.Rule,
        "name display_name description expression classification pattern_type complexity_level "
        "confidence_threshold is_active revision_id etag create_time update_time revision_create_time "
        "owner compliance_tags labels sensitivity_label",
    ),
    (
        rule_set_pb2.RuleSet,
        "name display_name description rules policy read_only revision_id etag create_time update_time "
        "revision_create_time",
    ),
    (
        rule_set_pb2.ScanPolicy,
        "sampling_strategy sample_size sample_percent confidence_threshold priority retry_policy source_types",
    ),
    (
        scan_job_pb2.ScanJob,
        "name rule_set data_sources priority state progress_percent eta create_time start_time end_time "
        "strategy max_concurrency_per_source executor",
    ),
    (
        finding_pb2.Finding,
        "name data_source table column classification confidence match_ratio sampled non_null distinct "
        "matched validated sampling_strategy explanation evidence rule rule_set_revision create_time",
    ),
    (
        data_source_pb2.DataSource,
        "name display_name uri password include exclude create_time update_time etag labels kind",
    ),
    (
        execution_pb2.Execution,
        "name rule data_source status start_time end_time duration rows_read matches cpu_seconds "
        "peak_memory_bytes error",
    ),
    (rule_service_pb2.CreateRuleRequest, "rule rule_id request_id"),
    (rule_service_pb2.ListRuleRevisionsRequest, "name page_size page_token"),
    (rule_service_pb2.ValidateRuleResponse, "valid violations pattern_type complexity_level"),
    (rule_service_pb2.TestRuleRequest, "rule name values column_name column_comment column_type"),
    (rule_service_pb2.TestRuleResponse, "matches decision"),
    (orchestration_service_pb2.ListFindingsRequest, "parent page_size page_token filter"),
    (orchestration_service_pb2.SubmitFindingFeedbackRequest, "name verdict reviewer note"),
]


@pytest.mark.parametrize(("message", "required"), REQUIRED_FIELDS, ids=[m.DESCRIPTOR.name for m, _ in REQUIRED_FIELDS])
def test_required_fields(message: Any, required: str) -> None:
    descriptor: Descriptor = message.DESCRIPTOR
    assert set(required.split()) <= _fields(descriptor), set(required.split()) - _fields(descriptor)


def test_enums_and_shared_messages() -> None:
    assert rule_pb2.PatternType.Name(0) == "PATTERN_TYPE_UNSPECIFIED"
    assert {f"PATTERN_TYPE_{k}" for k in ("REGEX", "ML_PATTERN", "AI_SEMANTIC", "STATISTICAL", "GRAPH_BASED")} <= set(
        rule_pb2.PatternType.keys()
    )
    states = {"PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "PARTIALLY_SUCCEEDED"}
    assert {f"STATE_{s}" for s in states} <= set(scan_job_pb2.ScanJob.State.keys())
    assert rule_service_pb2.TestRuleRequest.DESCRIPTOR.oneofs_by_name["rule_source"].fields
    step = finding_pb2.ExplanationStep.DESCRIPTOR
    assert finding_pb2.Finding.DESCRIPTOR.fields_by_name["explanation"].message_type is step
    assert rule_service_pb2.ColumnDecision.DESCRIPTOR.fields_by_name["explanation"].message_type is step


def test_standard_methods_follow_aip() -> None:
    for m in METHODS:
        request, response = _fields(m.input_type), _fields(m.output_type)
        resource = m.output_type.fields[0].message_type if m.output_type.fields else None
        if m.name.startswith("Create"):
            assert resource is not None
            field = m.input_type.fields[0]
            assert field.message_type is resource, m.name
            assert {field.name, f"{field.name}_id", "request_id"} <= request, m.name
        elif m.name.startswith("Update"):
            assert resource is not None
            assert {"update_mask", "etag"} <= request | _fields(resource), m.name
            assert m.input_type.fields[0].message_type is resource, m.name
        elif m.name.startswith("Delete"):
            assert request == {"name", "etag"} and not response, m.name
        elif m.name.startswith("List") and not m.name.endswith("Revisions"):
            assert {"page_size", "page_token", "filter"} <= request, m.name
            assert "next_page_token" in response, m.name
        elif m.name.startswith("Get") and m.containing_service.name != "MonitoringService":
            assert "name" in request, m.name


def test_every_resource_has_a_string_name_first() -> None:
    messages = _all_messages()
    for resource in RESOURCES:
        name = messages[resource].fields_by_number[1]
        assert (name.name, name.type) == ("name", name.TYPE_STRING), resource
