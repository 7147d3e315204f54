import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SamplingStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAMPLING_STRATEGY_UNSPECIFIED: _ClassVar[SamplingStrategy]
    SAMPLING_STRATEGY_HEAD: _ClassVar[SamplingStrategy]
    SAMPLING_STRATEGY_RANDOM: _ClassVar[SamplingStrategy]
    SAMPLING_STRATEGY_PERCENT: _ClassVar[SamplingStrategy]
    SAMPLING_STRATEGY_FULL: _ClassVar[SamplingStrategy]
SAMPLING_STRATEGY_UNSPECIFIED: SamplingStrategy
SAMPLING_STRATEGY_HEAD: SamplingStrategy
SAMPLING_STRATEGY_RANDOM: SamplingStrategy
SAMPLING_STRATEGY_PERCENT: SamplingStrategy
SAMPLING_STRATEGY_FULL: SamplingStrategy

class RetryPolicy(_message.Message):
    __slots__ = ("max_attempts", "initial_backoff", "max_backoff", "backoff_multiplier")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MAX_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    BACKOFF_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    initial_backoff: _duration_pb2.Duration
    max_backoff: _duration_pb2.Duration
    backoff_multiplier: float
    def __init__(self, max_attempts: _Optional[int] = ..., initial_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., backoff_multiplier: _Optional[float] = ...) -> None: ...

class ScanPolicy(_message.Message):
    __slots__ = ("sampling_strategy", "sample_size", "sample_percent", "confidence_threshold", "priority", "retry_policy", "source_types", "unit_timeout", "partition_rows")
    SAMPLING_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    RETRY_POLICY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    UNIT_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ROWS_FIELD_NUMBER: _ClassVar[int]
    sampling_strategy: SamplingStrategy
    sample_size: int
    sample_percent: float
    confidence_threshold: float
    priority: int
    retry_policy: RetryPolicy
    source_types: _containers.RepeatedScalarFieldContainer[str]
    unit_timeout: _duration_pb2.Duration
    partition_rows: int
    def __init__(self, sampling_strategy: _Optional[_Union[SamplingStrategy, str]] = ..., sample_size: _Optional[int] = ..., sample_percent: _Optional[float] = ..., confidence_threshold: _Optional[float] = ..., priority: _Optional[int] = ..., retry_policy: _Optional[_Union[RetryPolicy, _Mapping]] = ..., source_types: _Optional[_Iterable[str]] = ..., unit_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., partition_rows: _Optional[int] = ...) -> None: ...

class RuleSet(_message.Message):
    __slots__ = ("name", "display_name", "description", "rules", "policy", "include_builtin", "read_only", "revision_id", "etag", "create_time", "update_time", "revision_create_time", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_BUILTIN_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REVISION_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    rules: _containers.RepeatedScalarFieldContainer[str]
    policy: ScanPolicy
    include_builtin: bool
    read_only: bool
    revision_id: str
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    revision_create_time: _timestamp_pb2.Timestamp
    labels: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., rules: _Optional[_Iterable[str]] = ..., policy: _Optional[_Union[ScanPolicy, _Mapping]] = ..., include_builtin: _Optional[bool] = ..., read_only: _Optional[bool] = ..., revision_id: _Optional[str] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revision_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...
