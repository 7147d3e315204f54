import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import data_source_pb2 as _data_source_pb2
from scanrules.v1 import execution_pb2 as _execution_pb2
from scanrules.v1 import finding_pb2 as _finding_pb2
from scanrules.v1 import rule_set_pb2 as _rule_set_pb2
from scanrules.v1 import scan_job_pb2 as _scan_job_pb2
from scanrules.v1 import schedule_pb2 as _schedule_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateDataSourceRequest(_message.Message):
    __slots__ = ("data_source", "data_source_id", "request_id", "validate_only")
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    data_source: _data_source_pb2.DataSource
    data_source_id: str
    request_id: str
    validate_only: bool
    def __init__(self, data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ..., data_source_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateDataSourceResponse(_message.Message):
    __slots__ = ("data_source",)
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    data_source: _data_source_pb2.DataSource
    def __init__(self, data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ...) -> None: ...

class GetDataSourceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDataSourceResponse(_message.Message):
    __slots__ = ("data_source",)
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    data_source: _data_source_pb2.DataSource
    def __init__(self, data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ...) -> None: ...

class ListDataSourcesRequest(_message.Message):
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

class ListDataSourcesResponse(_message.Message):
    __slots__ = ("data_sources", "next_page_token")
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data_sources: _containers.RepeatedCompositeFieldContainer[_data_source_pb2.DataSource]
    next_page_token: str
    def __init__(self, data_sources: _Optional[_Iterable[_Union[_data_source_pb2.DataSource, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDataSourceRequest(_message.Message):
    __slots__ = ("data_source", "update_mask")
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    data_source: _data_source_pb2.DataSource
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateDataSourceResponse(_message.Message):
    __slots__ = ("data_source",)
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    data_source: _data_source_pb2.DataSource
    def __init__(self, data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ...) -> None: ...

class DeleteDataSourceRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteDataSourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TestDataSourceConnectionRequest(_message.Message):
    __slots__ = ("name", "data_source")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_source: _data_source_pb2.DataSource
    def __init__(self, name: _Optional[str] = ..., data_source: _Optional[_Union[_data_source_pb2.DataSource, _Mapping]] = ...) -> None: ...

class TestDataSourceConnectionResponse(_message.Message):
    __slots__ = ("reachable", "authenticated", "read_only", "latency", "message")
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATED_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    reachable: bool
    authenticated: bool
    read_only: bool
    latency: _duration_pb2.Duration
    message: str
    def __init__(self, reachable: _Optional[bool] = ..., authenticated: _Optional[bool] = ..., read_only: _Optional[bool] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., message: _Optional[str] = ...) -> None: ...

class DiscoverDataSourceRequest(_message.Message):
    __slots__ = ("name", "include_row_estimates")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ROW_ESTIMATES_FIELD_NUMBER: _ClassVar[int]
    name: str
    include_row_estimates: bool
    def __init__(self, name: _Optional[str] = ..., include_row_estimates: _Optional[bool] = ...) -> None: ...

class DiscoverDataSourceResponse(_message.Message):
    __slots__ = ("schemas", "discover_time")
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    DISCOVER_TIME_FIELD_NUMBER: _ClassVar[int]
    schemas: _containers.RepeatedCompositeFieldContainer[_data_source_pb2.SchemaInfo]
    discover_time: _timestamp_pb2.Timestamp
    def __init__(self, schemas: _Optional[_Iterable[_Union[_data_source_pb2.SchemaInfo, _Mapping]]] = ..., discover_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateScanJobRequest(_message.Message):
    __slots__ = ("scan_job", "scan_job_id", "request_id", "validate_only")
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    SCAN_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    scan_job_id: str
    request_id: str
    validate_only: bool
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ..., scan_job_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateScanJobResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ...) -> None: ...

class GetScanJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetScanJobResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ...) -> None: ...

class ListScanJobsRequest(_message.Message):
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

class ListScanJobsResponse(_message.Message):
    __slots__ = ("scan_jobs", "next_page_token", "total_size")
    SCAN_JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    scan_jobs: _containers.RepeatedCompositeFieldContainer[_scan_job_pb2.ScanJob]
    next_page_token: str
    total_size: int
    def __init__(self, scan_jobs: _Optional[_Iterable[_Union[_scan_job_pb2.ScanJob, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class CancelScanJobRequest(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelScanJobResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ...) -> None: ...

class RetryScanJobRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RetryScanJobResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ...) -> None: ...

class WatchScanJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchScanJobResponse(_message.Message):
    __slots__ = ("scan_job", "event_type", "event_time", "detail", "work_unit", "finding")
    class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        EVENT_TYPE_UNSPECIFIED: _ClassVar[WatchScanJobResponse.EventType]
        EVENT_TYPE_SNAPSHOT: _ClassVar[WatchScanJobResponse.EventType]
        EVENT_TYPE_STATE_CHANGED: _ClassVar[WatchScanJobResponse.EventType]
        EVENT_TYPE_PROGRESS: _ClassVar[WatchScanJobResponse.EventType]
        EVENT_TYPE_UNIT_FINISHED: _ClassVar[WatchScanJobResponse.EventType]
        EVENT_TYPE_FINDING: _ClassVar[WatchScanJobResponse.EventType]
    EVENT_TYPE_UNSPECIFIED: WatchScanJobResponse.EventType
    EVENT_TYPE_SNAPSHOT: WatchScanJobResponse.EventType
    EVENT_TYPE_STATE_CHANGED: WatchScanJobResponse.EventType
    EVENT_TYPE_PROGRESS: WatchScanJobResponse.EventType
    EVENT_TYPE_UNIT_FINISHED: WatchScanJobResponse.EventType
    EVENT_TYPE_FINDING: WatchScanJobResponse.EventType
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    WORK_UNIT_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    event_type: WatchScanJobResponse.EventType
    event_time: _timestamp_pb2.Timestamp
    detail: str
    work_unit: str
    finding: _finding_pb2.Finding
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ..., event_type: _Optional[_Union[WatchScanJobResponse.EventType, str]] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ..., work_unit: _Optional[str] = ..., finding: _Optional[_Union[_finding_pb2.Finding, _Mapping]] = ...) -> None: ...

class ExecuteRulesRequest(_message.Message):
    __slots__ = ("rules", "data_sources", "policy", "include_builtin", "scan_job_id", "request_id")
    RULES_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_BUILTIN_FIELD_NUMBER: _ClassVar[int]
    SCAN_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedScalarFieldContainer[str]
    data_sources: _containers.RepeatedScalarFieldContainer[str]
    policy: _rule_set_pb2.ScanPolicy
    include_builtin: bool
    scan_job_id: str
    request_id: str
    def __init__(self, rules: _Optional[_Iterable[str]] = ..., data_sources: _Optional[_Iterable[str]] = ..., policy: _Optional[_Union[_rule_set_pb2.ScanPolicy, _Mapping]] = ..., include_builtin: _Optional[bool] = ..., scan_job_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ExecuteRulesResponse(_message.Message):
    __slots__ = ("scan_job",)
    SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    scan_job: _scan_job_pb2.ScanJob
    def __init__(self, scan_job: _Optional[_Union[_scan_job_pb2.ScanJob, _Mapping]] = ...) -> None: ...

class GetExecutionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetExecutionResponse(_message.Message):
    __slots__ = ("execution",)
    EXECUTION_FIELD_NUMBER: _ClassVar[int]
    execution: _execution_pb2.Execution
    def __init__(self, execution: _Optional[_Union[_execution_pb2.Execution, _Mapping]] = ...) -> None: ...

class ListExecutionsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListExecutionsResponse(_message.Message):
    __slots__ = ("executions", "next_page_token", "total_size")
    EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    executions: _containers.RepeatedCompositeFieldContainer[_execution_pb2.Execution]
    next_page_token: str
    total_size: int
    def __init__(self, executions: _Optional[_Iterable[_Union[_execution_pb2.Execution, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListFindingsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListFindingsResponse(_message.Message):
    __slots__ = ("findings", "next_page_token", "total_size")
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    findings: _containers.RepeatedCompositeFieldContainer[_finding_pb2.Finding]
    next_page_token: str
    total_size: int
    def __init__(self, findings: _Optional[_Iterable[_Union[_finding_pb2.Finding, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetFindingRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetFindingResponse(_message.Message):
    __slots__ = ("finding",)
    FINDING_FIELD_NUMBER: _ClassVar[int]
    finding: _finding_pb2.Finding
    def __init__(self, finding: _Optional[_Union[_finding_pb2.Finding, _Mapping]] = ...) -> None: ...

class SubmitFindingFeedbackRequest(_message.Message):
    __slots__ = ("name", "verdict", "reviewer", "note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    verdict: _finding_pb2.FeedbackVerdict
    reviewer: str
    note: str
    def __init__(self, name: _Optional[str] = ..., verdict: _Optional[_Union[_finding_pb2.FeedbackVerdict, str]] = ..., reviewer: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class SubmitFindingFeedbackResponse(_message.Message):
    __slots__ = ("finding",)
    FINDING_FIELD_NUMBER: _ClassVar[int]
    finding: _finding_pb2.Finding
    def __init__(self, finding: _Optional[_Union[_finding_pb2.Finding, _Mapping]] = ...) -> None: ...

class CreateScheduleRequest(_message.Message):
    __slots__ = ("schedule", "schedule_id", "request_id", "validate_only")
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    schedule: _schedule_pb2.Schedule
    schedule_id: str
    request_id: str
    validate_only: bool
    def __init__(self, schedule: _Optional[_Union[_schedule_pb2.Schedule, _Mapping]] = ..., schedule_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateScheduleResponse(_message.Message):
    __slots__ = ("schedule",)
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    schedule: _schedule_pb2.Schedule
    def __init__(self, schedule: _Optional[_Union[_schedule_pb2.Schedule, _Mapping]] = ...) -> None: ...

class ListSchedulesRequest(_message.Message):
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

class ListSchedulesResponse(_message.Message):
    __slots__ = ("schedules", "next_page_token", "total_size")
    SCHEDULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    schedules: _containers.RepeatedCompositeFieldContainer[_schedule_pb2.Schedule]
    next_page_token: str
    total_size: int
    def __init__(self, schedules: _Optional[_Iterable[_Union[_schedule_pb2.Schedule, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateScheduleRequest(_message.Message):
    __slots__ = ("schedule", "update_mask")
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    schedule: _schedule_pb2.Schedule
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, schedule: _Optional[_Union[_schedule_pb2.Schedule, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateScheduleResponse(_message.Message):
    __slots__ = ("schedule",)
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    schedule: _schedule_pb2.Schedule
    def __init__(self, schedule: _Optional[_Union[_schedule_pb2.Schedule, _Mapping]] = ...) -> None: ...

class DeleteScheduleRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteScheduleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
