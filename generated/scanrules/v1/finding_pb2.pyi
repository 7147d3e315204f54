import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import rule_set_pb2 as _rule_set_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeedbackVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_VERDICT_UNSPECIFIED: _ClassVar[FeedbackVerdict]
    FEEDBACK_VERDICT_CONFIRMED: _ClassVar[FeedbackVerdict]
    FEEDBACK_VERDICT_REJECTED: _ClassVar[FeedbackVerdict]
FEEDBACK_VERDICT_UNSPECIFIED: FeedbackVerdict
FEEDBACK_VERDICT_CONFIRMED: FeedbackVerdict
FEEDBACK_VERDICT_REJECTED: FeedbackVerdict

class ExplanationStep(_message.Message):
    __slots__ = ("evidence", "detail", "delta")
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    evidence: str
    detail: str
    delta: float
    def __init__(self, evidence: _Optional[str] = ..., detail: _Optional[str] = ..., delta: _Optional[float] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ("name", "data_source", "table", "column", "classification", "confidence", "match_ratio", "sampled", "non_null", "distinct", "matched", "validated", "sampling_strategy", "explanation", "evidence", "rule", "rule_set_revision", "create_time", "validated_ratio", "validated_estimated", "column_type", "verdict", "reviewer", "review_note", "review_time", "sensitivity_label", "origin_scan_job")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_RATIO_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_FIELD_NUMBER: _ClassVar[int]
    NON_NULL_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_REVISION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_RATIO_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    COLUMN_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    REVIEW_NOTE_FIELD_NUMBER: _ClassVar[int]
    REVIEW_TIME_FIELD_NUMBER: _ClassVar[int]
    SENSITIVITY_LABEL_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_SCAN_JOB_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_source: str
    table: str
    column: str
    classification: str
    confidence: float
    match_ratio: float
    sampled: int
    non_null: int
    distinct: int
    matched: int
    validated: int
    sampling_strategy: _rule_set_pb2.SamplingStrategy
    explanation: _containers.RepeatedCompositeFieldContainer[ExplanationStep]
    evidence: _containers.RepeatedScalarFieldContainer[str]
    rule: str
    rule_set_revision: str
    create_time: _timestamp_pb2.Timestamp
    validated_ratio: float
    validated_estimated: bool
    column_type: str
    verdict: FeedbackVerdict
    reviewer: str
    review_note: str
    review_time: _timestamp_pb2.Timestamp
    sensitivity_label: str
    origin_scan_job: str
    def __init__(self, name: _Optional[str] = ..., data_source: _Optional[str] = ..., table: _Optional[str] = ..., column: _Optional[str] = ..., classification: _Optional[str] = ..., confidence: _Optional[float] = ..., match_ratio: _Optional[float] = ..., sampled: _Optional[int] = ..., non_null: _Optional[int] = ..., distinct: _Optional[int] = ..., matched: _Optional[int] = ..., validated: _Optional[int] = ..., sampling_strategy: _Optional[_Union[_rule_set_pb2.SamplingStrategy, str]] = ..., explanation: _Optional[_Iterable[_Union[ExplanationStep, _Mapping]]] = ..., evidence: _Optional[_Iterable[str]] = ..., rule: _Optional[str] = ..., rule_set_revision: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., validated_ratio: _Optional[float] = ..., validated_estimated: _Optional[bool] = ..., column_type: _Optional[str] = ..., verdict: _Optional[_Union[FeedbackVerdict, str]] = ..., reviewer: _Optional[str] = ..., review_note: _Optional[str] = ..., review_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sensitivity_label: _Optional[str] = ..., origin_scan_job: _Optional[str] = ...) -> None: ...
