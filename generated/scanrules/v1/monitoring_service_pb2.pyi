import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import audit_event_pb2 as _audit_event_pb2
from scanrules.v1 import compliance_pb2 as _compliance_pb2
from scanrules.v1 import monitoring_pb2 as _monitoring_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetPerformanceDashboardRequest(_message.Message):
    __slots__ = ("window",)
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    window: _duration_pb2.Duration
    def __init__(self, window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetPerformanceDashboardResponse(_message.Message):
    __slots__ = ("rpc_stats", "scan_throughput", "window", "compute_time")
    RPC_STATS_FIELD_NUMBER: _ClassVar[int]
    SCAN_THROUGHPUT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    rpc_stats: _containers.RepeatedCompositeFieldContainer[_monitoring_pb2.RpcStats]
    scan_throughput: _monitoring_pb2.ScanThroughput
    window: _duration_pb2.Duration
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, rpc_stats: _Optional[_Iterable[_Union[_monitoring_pb2.RpcStats, _Mapping]]] = ..., scan_throughput: _Optional[_Union[_monitoring_pb2.ScanThroughput, _Mapping]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WatchMetricsRequest(_message.Message):
    __slots__ = ("interval",)
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    interval: _duration_pb2.Duration
    def __init__(self, interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class WatchMetricsResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: _monitoring_pb2.MetricSnapshot
    def __init__(self, snapshot: _Optional[_Union[_monitoring_pb2.MetricSnapshot, _Mapping]] = ...) -> None: ...

class GetSystemStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSystemStatusResponse(_message.Message):
    __slots__ = ("version", "database", "uptime", "start_time", "state", "components", "executor")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DATABASE_FIELD_NUMBER: _ClassVar[int]
    UPTIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_FIELD_NUMBER: _ClassVar[int]
    version: str
    database: str
    uptime: _duration_pb2.Duration
    start_time: _timestamp_pb2.Timestamp
    state: _monitoring_pb2.HealthState
    components: _containers.RepeatedCompositeFieldContainer[_monitoring_pb2.ComponentHealth]
    executor: str
    def __init__(self, version: _Optional[str] = ..., database: _Optional[str] = ..., uptime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[_monitoring_pb2.HealthState, str]] = ..., components: _Optional[_Iterable[_Union[_monitoring_pb2.ComponentHealth, _Mapping]]] = ..., executor: _Optional[str] = ...) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ("audit_events", "next_page_token", "total_size")
    AUDIT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    audit_events: _containers.RepeatedCompositeFieldContainer[_audit_event_pb2.AuditEvent]
    next_page_token: str
    total_size: int
    def __init__(self, audit_events: _Optional[_Iterable[_Union[_audit_event_pb2.AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetComplianceReportRequest(_message.Message):
    __slots__ = ("frameworks", "data_sources", "start_time")
    FRAMEWORKS_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    frameworks: _containers.RepeatedScalarFieldContainer[_compliance_pb2.ComplianceFramework]
    data_sources: _containers.RepeatedScalarFieldContainer[str]
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, frameworks: _Optional[_Iterable[_Union[_compliance_pb2.ComplianceFramework, str]]] = ..., data_sources: _Optional[_Iterable[str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetComplianceReportResponse(_message.Message):
    __slots__ = ("frameworks", "create_time")
    FRAMEWORKS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    frameworks: _containers.RepeatedCompositeFieldContainer[_monitoring_pb2.FrameworkReport]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, frameworks: _Optional[_Iterable[_Union[_monitoring_pb2.FrameworkReport, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
