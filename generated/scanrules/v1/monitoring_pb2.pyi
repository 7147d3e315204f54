import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import compliance_pb2 as _compliance_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HealthState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_STATE_UNSPECIFIED: _ClassVar[HealthState]
    HEALTH_STATE_SERVING: _ClassVar[HealthState]
    HEALTH_STATE_DEGRADED: _ClassVar[HealthState]
    HEALTH_STATE_DOWN: _ClassVar[HealthState]
HEALTH_STATE_UNSPECIFIED: HealthState
HEALTH_STATE_SERVING: HealthState
HEALTH_STATE_DEGRADED: HealthState
HEALTH_STATE_DOWN: HealthState

class RpcStats(_message.Message):
    __slots__ = ("method", "request_count", "error_count", "latency_p50", "latency_p95", "latency_p99")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_FIELD_NUMBER: _ClassVar[int]
    method: str
    request_count: int
    error_count: int
    latency_p50: _duration_pb2.Duration
    latency_p95: _duration_pb2.Duration
    latency_p99: _duration_pb2.Duration
    def __init__(self, method: _Optional[str] = ..., request_count: _Optional[int] = ..., error_count: _Optional[int] = ..., latency_p50: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., latency_p95: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., latency_p99: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ScanThroughput(_message.Message):
    __slots__ = ("rows_per_second", "bytes_per_second", "units_completed", "findings_recorded", "jobs_running", "jobs_pending")
    ROWS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    BYTES_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    UNITS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_RECORDED_FIELD_NUMBER: _ClassVar[int]
    JOBS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    JOBS_PENDING_FIELD_NUMBER: _ClassVar[int]
    rows_per_second: float
    bytes_per_second: float
    units_completed: int
    findings_recorded: int
    jobs_running: int
    jobs_pending: int
    def __init__(self, rows_per_second: _Optional[float] = ..., bytes_per_second: _Optional[float] = ..., units_completed: _Optional[int] = ..., findings_recorded: _Optional[int] = ..., jobs_running: _Optional[int] = ..., jobs_pending: _Optional[int] = ...) -> None: ...

class MetricSnapshot(_message.Message):
    __slots__ = ("snapshot_time", "active_scan_jobs", "queued_work_units", "running_work_units", "rows_per_second", "findings_per_second", "rpcs_per_second", "rpc_error_ratio", "memory_bytes", "cpu_cores")
    SNAPSHOT_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SCAN_JOBS_FIELD_NUMBER: _ClassVar[int]
    QUEUED_WORK_UNITS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_WORK_UNITS_FIELD_NUMBER: _ClassVar[int]
    ROWS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    RPCS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    RPC_ERROR_RATIO_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    snapshot_time: _timestamp_pb2.Timestamp
    active_scan_jobs: int
    queued_work_units: int
    running_work_units: int
    rows_per_second: float
    findings_per_second: float
    rpcs_per_second: float
    rpc_error_ratio: float
    memory_bytes: int
    cpu_cores: float
    def __init__(self, snapshot_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., active_scan_jobs: _Optional[int] = ..., queued_work_units: _Optional[int] = ..., running_work_units: _Optional[int] = ..., rows_per_second: _Optional[float] = ..., findings_per_second: _Optional[float] = ..., rpcs_per_second: _Optional[float] = ..., rpc_error_ratio: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., cpu_cores: _Optional[float] = ...) -> None: ...

class ComponentHealth(_message.Message):
    __slots__ = ("component", "state", "message", "check_time")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CHECK_TIME_FIELD_NUMBER: _ClassVar[int]
    component: str
    state: HealthState
    message: str
    check_time: _timestamp_pb2.Timestamp
    def __init__(self, component: _Optional[str] = ..., state: _Optional[_Union[HealthState, str]] = ..., message: _Optional[str] = ..., check_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClassificationCoverage(_message.Message):
    __slots__ = ("classification", "finding_count", "data_sources", "covered")
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    FINDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    COVERED_FIELD_NUMBER: _ClassVar[int]
    classification: str
    finding_count: int
    data_sources: _containers.RepeatedScalarFieldContainer[str]
    covered: bool
    def __init__(self, classification: _Optional[str] = ..., finding_count: _Optional[int] = ..., data_sources: _Optional[_Iterable[str]] = ..., covered: _Optional[bool] = ...) -> None: ...

class FrameworkReport(_message.Message):
    __slots__ = ("framework", "classifications", "data_sources", "rule_coverage", "source_coverage", "finding_count")
    FRAMEWORK_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    RULE_COVERAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_COVERAGE_FIELD_NUMBER: _ClassVar[int]
    FINDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    framework: _compliance_pb2.ComplianceFramework
    classifications: _containers.RepeatedCompositeFieldContainer[ClassificationCoverage]
    data_sources: _containers.RepeatedScalarFieldContainer[str]
    rule_coverage: float
    source_coverage: float
    finding_count: int
    def __init__(self, framework: _Optional[_Union[_compliance_pb2.ComplianceFramework, str]] = ..., classifications: _Optional[_Iterable[_Union[ClassificationCoverage, _Mapping]]] = ..., data_sources: _Optional[_Iterable[str]] = ..., rule_coverage: _Optional[float] = ..., source_coverage: _Optional[float] = ..., finding_count: _Optional[int] = ...) -> None: ...
