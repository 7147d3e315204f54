import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PatternType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PATTERN_TYPE_UNSPECIFIED: _ClassVar[PatternType]
    PATTERN_TYPE_REGEX: _ClassVar[PatternType]
    PATTERN_TYPE_ML_PATTERN: _ClassVar[PatternType]
    PATTERN_TYPE_AI_SEMANTIC: _ClassVar[PatternType]
    PATTERN_TYPE_STATISTICAL: _ClassVar[PatternType]
    PATTERN_TYPE_GRAPH_BASED: _ClassVar[PatternType]

class ComplexityLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPLEXITY_LEVEL_UNSPECIFIED: _ClassVar[ComplexityLevel]
    COMPLEXITY_LEVEL_SIMPLE: _ClassVar[ComplexityLevel]
    COMPLEXITY_LEVEL_INTERMEDIATE: _ClassVar[ComplexityLevel]
    COMPLEXITY_LEVEL_ADVANCED: _ClassVar[ComplexityLevel]
    COMPLEXITY_LEVEL_EXPERT: _ClassVar[ComplexityLevel]
PATTERN_TYPE_UNSPECIFIED: PatternType
PATTERN_TYPE_REGEX: PatternType
PATTERN_TYPE_ML_PATTERN: PatternType
PATTERN_TYPE_AI_SEMANTIC: PatternType
PATTERN_TYPE_STATISTICAL: PatternType
PATTERN_TYPE_GRAPH_BASED: PatternType
COMPLEXITY_LEVEL_UNSPECIFIED: ComplexityLevel
COMPLEXITY_LEVEL_SIMPLE: ComplexityLevel
COMPLEXITY_LEVEL_INTERMEDIATE: ComplexityLevel
COMPLEXITY_LEVEL_ADVANCED: ComplexityLevel
COMPLEXITY_LEVEL_EXPERT: ComplexityLevel

class Rule(_message.Message):
    __slots__ = ("name", "display_name", "description", "expression", "classification", "pattern_type", "complexity_level", "confidence_threshold", "is_active", "owner", "compliance_tags", "labels", "sensitivity_label", "revision_id", "etag", "create_time", "update_time", "revision_create_time", "complexity_score")
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
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    PATTERN_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_TAGS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SENSITIVITY_LABEL_FIELD_NUMBER: _ClassVar[int]
    REVISION_ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REVISION_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    expression: str
    classification: str
    pattern_type: PatternType
    complexity_level: ComplexityLevel
    confidence_threshold: float
    is_active: bool
    owner: str
    compliance_tags: _containers.RepeatedScalarFieldContainer[str]
    labels: _containers.ScalarMap[str, str]
    sensitivity_label: str
    revision_id: str
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    revision_create_time: _timestamp_pb2.Timestamp
    complexity_score: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., expression: _Optional[str] = ..., classification: _Optional[str] = ..., pattern_type: _Optional[_Union[PatternType, str]] = ..., complexity_level: _Optional[_Union[ComplexityLevel, str]] = ..., confidence_threshold: _Optional[float] = ..., is_active: _Optional[bool] = ..., owner: _Optional[str] = ..., compliance_tags: _Optional[_Iterable[str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., sensitivity_label: _Optional[str] = ..., revision_id: _Optional[str] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revision_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complexity_score: _Optional[int] = ...) -> None: ...
