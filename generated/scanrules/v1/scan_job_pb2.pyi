import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import rule_set_pb2 as _rule_set_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScanJob(_message.Message):
    __slots__ = ("name", "display_name", "rule_set", "data_sources", "priority", "state", "progress_percent", "eta", "units_total", "units_succeeded", "units_failed", "units_running", "finding_count", "rows_scanned", "create_time", "start_time", "end_time", "strategy", "max_concurrency_per_source", "policy_override", "executor", "error_message", "rules", "retry_count", "labels", "schedule", "depends_on", "force", "units_skipped")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[ScanJob.State]
        STATE_PENDING: _ClassVar[ScanJob.State]
        STATE_RUNNING: _ClassVar[ScanJob.State]
        STATE_SUCCEEDED: _ClassVar[ScanJob.State]
        STATE_FAILED: _ClassVar[ScanJob.State]
        STATE_CANCELLED: _ClassVar[ScanJob.State]
        STATE_PARTIALLY_SUCCEEDED: _ClassVar[ScanJob.State]
    STATE_UNSPECIFIED: ScanJob.State
    STATE_PENDING: ScanJob.State
    STATE_RUNNING: ScanJob.State
    STATE_SUCCEEDED: ScanJob.State
    STATE_FAILED: ScanJob.State
    STATE_CANCELLED: ScanJob.State
    STATE_PARTIALLY_SUCCEEDED: ScanJob.State
    class Strategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STRATEGY_UNSPECIFIED: _ClassVar[ScanJob.Strategy]
        STRATEGY_PARALLEL: _ClassVar[ScanJob.Strategy]
        STRATEGY_SEQUENTIAL: _ClassVar[ScanJob.Strategy]
        STRATEGY_ADAPTIVE: _ClassVar[ScanJob.Strategy]
    STRATEGY_UNSPECIFIED: ScanJob.Strategy
    STRATEGY_PARALLEL: ScanJob.Strategy
    STRATEGY_SEQUENTIAL: ScanJob.Strategy
    STRATEGY_ADAPTIVE: ScanJob.Strategy
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ETA_FIELD_NUMBER: _ClassVar[int]
    UNITS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UNITS_SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    UNITS_FAILED_FIELD_NUMBER: _ClassVar[int]
    UNITS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    FINDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    ROWS_SCANNED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENCY_PER_SOURCE_FIELD_NUMBER: _ClassVar[int]
    POLICY_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    RETRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    DEPENDS_ON_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    UNITS_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    rule_set: str
    data_sources: _containers.RepeatedScalarFieldContainer[str]
    priority: int
    state: ScanJob.State
    progress_percent: float
    eta: _duration_pb2.Duration
    units_total: int
    units_succeeded: int
    units_failed: int
    units_running: int
    finding_count: int
    rows_scanned: int
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    strategy: ScanJob.Strategy
    max_concurrency_per_source: int
    policy_override: _rule_set_pb2.ScanPolicy
    executor: str
    error_message: str
    rules: _containers.RepeatedScalarFieldContainer[str]
    retry_count: int
    labels: _containers.ScalarMap[str, str]
    schedule: str
    depends_on: _containers.RepeatedScalarFieldContainer[str]
    force: bool
    units_skipped: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., rule_set: _Optional[str] = ..., data_sources: _Optional[_Iterable[str]] = ..., priority: _Optional[int] = ..., state: _Optional[_Union[ScanJob.State, str]] = ..., progress_percent: _Optional[float] = ..., eta: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., units_total: _Optional[int] = ..., units_succeeded: _Optional[int] = ..., units_failed: _Optional[int] = ..., units_running: _Optional[int] = ..., finding_count: _Optional[int] = ..., rows_scanned: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., strategy: _Optional[_Union[ScanJob.Strategy, str]] = ..., max_concurrency_per_source: _Optional[int] = ..., policy_override: _Optional[_Union[_rule_set_pb2.ScanPolicy, _Mapping]] = ..., executor: _Optional[str] = ..., error_message: _Optional[str] = ..., rules: _Optional[_Iterable[str]] = ..., retry_count: _Optional[int] = ..., labels: _Optional[_Mapping[str, str]] = ..., schedule: _Optional[str] = ..., depends_on: _Optional[_Iterable[str]] = ..., force: _Optional[bool] = ..., units_skipped: _Optional[int] = ...) -> None: ...
