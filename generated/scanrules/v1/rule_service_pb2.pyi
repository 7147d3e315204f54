import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from scanrules.v1 import classification_pb2 as _classification_pb2
from scanrules.v1 import compliance_pb2 as _compliance_pb2
from scanrules.v1 import finding_pb2 as _finding_pb2
from scanrules.v1 import pattern_pb2 as _pattern_pb2
from scanrules.v1 import rule_pb2 as _rule_pb2
from scanrules.v1 import rule_set_pb2 as _rule_set_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateRuleRequest(_message.Message):
    __slots__ = ("rule", "rule_id", "request_id", "validate_only")
    RULE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    rule_id: str
    request_id: str
    validate_only: bool
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ..., rule_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ...) -> None: ...

class GetRuleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ...) -> None: ...

class ListRulesRequest(_message.Message):
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

class ListRulesResponse(_message.Message):
    __slots__ = ("rules", "next_page_token")
    RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[_rule_pb2.Rule]
    next_page_token: str
    def __init__(self, rules: _Optional[_Iterable[_Union[_rule_pb2.Rule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateRuleRequest(_message.Message):
    __slots__ = ("rule", "update_mask")
    RULE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ...) -> None: ...

class DeleteRuleRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RuleViolation(_message.Message):
    __slots__ = ("field", "description", "line", "column")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    line: int
    column: int
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ..., line: _Optional[int] = ..., column: _Optional[int] = ...) -> None: ...

class ValidateRuleRequest(_message.Message):
    __slots__ = ("expression", "classification")
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    expression: str
    classification: str
    def __init__(self, expression: _Optional[str] = ..., classification: _Optional[str] = ...) -> None: ...

class ValidateRuleResponse(_message.Message):
    __slots__ = ("valid", "violations", "pattern_type", "complexity_level", "complexity_score", "referenced_validators", "referenced_patterns", "referenced_classifications", "referenced_models", "referenced_concepts", "referenced_statistics", "warnings")
    VALID_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    PATTERN_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_PATTERNS_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_MODELS_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_CONCEPTS_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_STATISTICS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    pattern_type: _rule_pb2.PatternType
    complexity_level: _rule_pb2.ComplexityLevel
    complexity_score: int
    referenced_validators: _containers.RepeatedScalarFieldContainer[str]
    referenced_patterns: _containers.RepeatedScalarFieldContainer[str]
    referenced_classifications: _containers.RepeatedScalarFieldContainer[str]
    referenced_models: _containers.RepeatedScalarFieldContainer[str]
    referenced_concepts: _containers.RepeatedScalarFieldContainer[str]
    referenced_statistics: _containers.RepeatedScalarFieldContainer[str]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, valid: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ..., pattern_type: _Optional[_Union[_rule_pb2.PatternType, str]] = ..., complexity_level: _Optional[_Union[_rule_pb2.ComplexityLevel, str]] = ..., complexity_score: _Optional[int] = ..., referenced_validators: _Optional[_Iterable[str]] = ..., referenced_patterns: _Optional[_Iterable[str]] = ..., referenced_classifications: _Optional[_Iterable[str]] = ..., referenced_models: _Optional[_Iterable[str]] = ..., referenced_concepts: _Optional[_Iterable[str]] = ..., referenced_statistics: _Optional[_Iterable[str]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class ValueMatch(_message.Message):
    __slots__ = ("index", "matched", "validated", "evidence")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    index: int
    matched: bool
    validated: bool
    evidence: str
    def __init__(self, index: _Optional[int] = ..., matched: _Optional[bool] = ..., validated: _Optional[bool] = ..., evidence: _Optional[str] = ...) -> None: ...

class ColumnDecision(_message.Message):
    __slots__ = ("classification", "confidence", "match_ratio", "matched", "validated", "sampled", "reported", "explanation")
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_RATIO_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_FIELD_NUMBER: _ClassVar[int]
    REPORTED_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    classification: str
    confidence: float
    match_ratio: float
    matched: int
    validated: int
    sampled: int
    reported: bool
    explanation: _containers.RepeatedCompositeFieldContainer[_finding_pb2.ExplanationStep]
    def __init__(self, classification: _Optional[str] = ..., confidence: _Optional[float] = ..., match_ratio: _Optional[float] = ..., matched: _Optional[int] = ..., validated: _Optional[int] = ..., sampled: _Optional[int] = ..., reported: _Optional[bool] = ..., explanation: _Optional[_Iterable[_Union[_finding_pb2.ExplanationStep, _Mapping]]] = ...) -> None: ...

class TestRuleRequest(_message.Message):
    __slots__ = ("rule", "name", "values", "column_name", "column_comment", "column_type")
    RULE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    COLUMN_NAME_FIELD_NUMBER: _ClassVar[int]
    COLUMN_COMMENT_FIELD_NUMBER: _ClassVar[int]
    COLUMN_TYPE_FIELD_NUMBER: _ClassVar[int]
    rule: _rule_pb2.Rule
    name: str
    values: _containers.RepeatedScalarFieldContainer[str]
    column_name: str
    column_comment: str
    column_type: str
    def __init__(self, rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ..., name: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ..., column_name: _Optional[str] = ..., column_comment: _Optional[str] = ..., column_type: _Optional[str] = ...) -> None: ...

class TestRuleResponse(_message.Message):
    __slots__ = ("matches", "decision")
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    matches: _containers.RepeatedCompositeFieldContainer[ValueMatch]
    decision: ColumnDecision
    def __init__(self, matches: _Optional[_Iterable[_Union[ValueMatch, _Mapping]]] = ..., decision: _Optional[_Union[ColumnDecision, _Mapping]] = ...) -> None: ...

class ListRuleRevisionsRequest(_message.Message):
    __slots__ = ("name", "page_size", "page_token")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    page_size: int
    page_token: str
    def __init__(self, name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRuleRevisionsResponse(_message.Message):
    __slots__ = ("rules", "next_page_token")
    RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[_rule_pb2.Rule]
    next_page_token: str
    def __init__(self, rules: _Optional[_Iterable[_Union[_rule_pb2.Rule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateRuleSetRequest(_message.Message):
    __slots__ = ("rule_set", "rule_set_id", "request_id", "validate_only")
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rule_set_pb2.RuleSet
    rule_set_id: str
    request_id: str
    validate_only: bool
    def __init__(self, rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ..., rule_set_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateRuleSetResponse(_message.Message):
    __slots__ = ("rule_set",)
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rule_set_pb2.RuleSet
    def __init__(self, rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ...) -> None: ...

class GetRuleSetRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetRuleSetResponse(_message.Message):
    __slots__ = ("rule_set",)
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rule_set_pb2.RuleSet
    def __init__(self, rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ...) -> None: ...

class ListRuleSetsRequest(_message.Message):
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

class ListRuleSetsResponse(_message.Message):
    __slots__ = ("rule_sets", "next_page_token")
    RULE_SETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rule_sets: _containers.RepeatedCompositeFieldContainer[_rule_set_pb2.RuleSet]
    next_page_token: str
    def __init__(self, rule_sets: _Optional[_Iterable[_Union[_rule_set_pb2.RuleSet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateRuleSetRequest(_message.Message):
    __slots__ = ("rule_set", "update_mask")
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rule_set_pb2.RuleSet
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateRuleSetResponse(_message.Message):
    __slots__ = ("rule_set",)
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rule_set_pb2.RuleSet
    def __init__(self, rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ...) -> None: ...

class DeleteRuleSetRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteRuleSetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRuleSetRevisionsRequest(_message.Message):
    __slots__ = ("name", "page_size", "page_token")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    page_size: int
    page_token: str
    def __init__(self, name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRuleSetRevisionsResponse(_message.Message):
    __slots__ = ("rule_sets", "next_page_token")
    RULE_SETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rule_sets: _containers.RepeatedCompositeFieldContainer[_rule_set_pb2.RuleSet]
    next_page_token: str
    def __init__(self, rule_sets: _Optional[_Iterable[_Union[_rule_set_pb2.RuleSet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LabeledColumn(_message.Message):
    __slots__ = ("table", "column_name", "column_comment", "column_type", "values", "expected_classifications")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_NAME_FIELD_NUMBER: _ClassVar[int]
    COLUMN_COMMENT_FIELD_NUMBER: _ClassVar[int]
    COLUMN_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    table: str
    column_name: str
    column_comment: str
    column_type: str
    values: _containers.RepeatedScalarFieldContainer[str]
    expected_classifications: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, table: _Optional[str] = ..., column_name: _Optional[str] = ..., column_comment: _Optional[str] = ..., column_type: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ..., expected_classifications: _Optional[_Iterable[str]] = ...) -> None: ...

class LabeledColumns(_message.Message):
    __slots__ = ("columns",)
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedCompositeFieldContainer[LabeledColumn]
    def __init__(self, columns: _Optional[_Iterable[_Union[LabeledColumn, _Mapping]]] = ...) -> None: ...

class ColumnLabel(_message.Message):
    __slots__ = ("table", "column", "expected_classifications")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    table: str
    column: str
    expected_classifications: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, table: _Optional[str] = ..., column: _Optional[str] = ..., expected_classifications: _Optional[_Iterable[str]] = ...) -> None: ...

class DetectionMetrics(_message.Message):
    __slots__ = ("true_positives", "false_positives", "false_negatives", "precision", "recall", "f1_score")
    TRUE_POSITIVES_FIELD_NUMBER: _ClassVar[int]
    FALSE_POSITIVES_FIELD_NUMBER: _ClassVar[int]
    FALSE_NEGATIVES_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    RECALL_FIELD_NUMBER: _ClassVar[int]
    F1_SCORE_FIELD_NUMBER: _ClassVar[int]
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1_score: float
    def __init__(self, true_positives: _Optional[int] = ..., false_positives: _Optional[int] = ..., false_negatives: _Optional[int] = ..., precision: _Optional[float] = ..., recall: _Optional[float] = ..., f1_score: _Optional[float] = ...) -> None: ...

class ClassificationMetrics(_message.Message):
    __slots__ = ("classification", "metrics")
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    classification: str
    metrics: DetectionMetrics
    def __init__(self, classification: _Optional[str] = ..., metrics: _Optional[_Union[DetectionMetrics, _Mapping]] = ...) -> None: ...

class BacktestMismatch(_message.Message):
    __slots__ = ("table", "column", "classification", "kind", "confidence", "explanation")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[BacktestMismatch.Kind]
        KIND_FALSE_POSITIVE: _ClassVar[BacktestMismatch.Kind]
        KIND_FALSE_NEGATIVE: _ClassVar[BacktestMismatch.Kind]
    KIND_UNSPECIFIED: BacktestMismatch.Kind
    KIND_FALSE_POSITIVE: BacktestMismatch.Kind
    KIND_FALSE_NEGATIVE: BacktestMismatch.Kind
    TABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    table: str
    column: str
    classification: str
    kind: BacktestMismatch.Kind
    confidence: float
    explanation: _containers.RepeatedCompositeFieldContainer[_finding_pb2.ExplanationStep]
    def __init__(self, table: _Optional[str] = ..., column: _Optional[str] = ..., classification: _Optional[str] = ..., kind: _Optional[_Union[BacktestMismatch.Kind, str]] = ..., confidence: _Optional[float] = ..., explanation: _Optional[_Iterable[_Union[_finding_pb2.ExplanationStep, _Mapping]]] = ...) -> None: ...

class BacktestRuleSetRequest(_message.Message):
    __slots__ = ("name", "data_source", "labeled_columns", "labels", "policy_override")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    LABELED_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    POLICY_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_source: str
    labeled_columns: LabeledColumns
    labels: _containers.RepeatedCompositeFieldContainer[ColumnLabel]
    policy_override: _rule_set_pb2.ScanPolicy
    def __init__(self, name: _Optional[str] = ..., data_source: _Optional[str] = ..., labeled_columns: _Optional[_Union[LabeledColumns, _Mapping]] = ..., labels: _Optional[_Iterable[_Union[ColumnLabel, _Mapping]]] = ..., policy_override: _Optional[_Union[_rule_set_pb2.ScanPolicy, _Mapping]] = ...) -> None: ...

class BacktestRuleSetResponse(_message.Message):
    __slots__ = ("rule_set_revision", "overall", "per_classification", "mismatches", "columns_evaluated", "duration")
    RULE_SET_REVISION_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    PER_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_EVALUATED_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    rule_set_revision: str
    overall: DetectionMetrics
    per_classification: _containers.RepeatedCompositeFieldContainer[ClassificationMetrics]
    mismatches: _containers.RepeatedCompositeFieldContainer[BacktestMismatch]
    columns_evaluated: int
    duration: _duration_pb2.Duration
    def __init__(self, rule_set_revision: _Optional[str] = ..., overall: _Optional[_Union[DetectionMetrics, _Mapping]] = ..., per_classification: _Optional[_Iterable[_Union[ClassificationMetrics, _Mapping]]] = ..., mismatches: _Optional[_Iterable[_Union[BacktestMismatch, _Mapping]]] = ..., columns_evaluated: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreatePatternRequest(_message.Message):
    __slots__ = ("pattern", "pattern_id", "request_id", "validate_only")
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    PATTERN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    pattern: _pattern_pb2.Pattern
    pattern_id: str
    request_id: str
    validate_only: bool
    def __init__(self, pattern: _Optional[_Union[_pattern_pb2.Pattern, _Mapping]] = ..., pattern_id: _Optional[str] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreatePatternResponse(_message.Message):
    __slots__ = ("pattern",)
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    pattern: _pattern_pb2.Pattern
    def __init__(self, pattern: _Optional[_Union[_pattern_pb2.Pattern, _Mapping]] = ...) -> None: ...

class GetPatternRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPatternResponse(_message.Message):
    __slots__ = ("pattern",)
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    pattern: _pattern_pb2.Pattern
    def __init__(self, pattern: _Optional[_Union[_pattern_pb2.Pattern, _Mapping]] = ...) -> None: ...

class ListPatternsRequest(_message.Message):
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

class ListPatternsResponse(_message.Message):
    __slots__ = ("patterns", "next_page_token")
    PATTERNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    patterns: _containers.RepeatedCompositeFieldContainer[_pattern_pb2.Pattern]
    next_page_token: str
    def __init__(self, patterns: _Optional[_Iterable[_Union[_pattern_pb2.Pattern, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdatePatternRequest(_message.Message):
    __slots__ = ("pattern", "update_mask")
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    pattern: _pattern_pb2.Pattern
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, pattern: _Optional[_Union[_pattern_pb2.Pattern, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdatePatternResponse(_message.Message):
    __slots__ = ("pattern",)
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    pattern: _pattern_pb2.Pattern
    def __init__(self, pattern: _Optional[_Union[_pattern_pb2.Pattern, _Mapping]] = ...) -> None: ...

class DeletePatternRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeletePatternResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListClassificationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ...) -> None: ...

class ListClassificationsResponse(_message.Message):
    __slots__ = ("classifications", "next_page_token")
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    classifications: _containers.RepeatedCompositeFieldContainer[_classification_pb2.Classification]
    next_page_token: str
    def __init__(self, classifications: _Optional[_Iterable[_Union[_classification_pb2.Classification, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class OptimizeRuleRequest(_message.Message):
    __slots__ = ("name", "target_precision", "apply", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_PRECISION_FIELD_NUMBER: _ClassVar[int]
    APPLY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    target_precision: float
    apply: bool
    etag: str
    def __init__(self, name: _Optional[str] = ..., target_precision: _Optional[float] = ..., apply: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class OptimizeRuleResponse(_message.Message):
    __slots__ = ("rule", "labeled_findings", "current_confidence_threshold", "current_metrics", "suggested_confidence_threshold", "expected_metrics", "suggestions", "similar_rules", "updated_rule")
    RULE_FIELD_NUMBER: _ClassVar[int]
    LABELED_FINDINGS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_CONFIDENCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CURRENT_METRICS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_CONFIDENCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_METRICS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_RULES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_RULE_FIELD_NUMBER: _ClassVar[int]
    rule: str
    labeled_findings: int
    current_confidence_threshold: float
    current_metrics: DetectionMetrics
    suggested_confidence_threshold: float
    expected_metrics: DetectionMetrics
    suggestions: _containers.RepeatedScalarFieldContainer[str]
    similar_rules: _containers.RepeatedScalarFieldContainer[str]
    updated_rule: _rule_pb2.Rule
    def __init__(self, rule: _Optional[str] = ..., labeled_findings: _Optional[int] = ..., current_confidence_threshold: _Optional[float] = ..., current_metrics: _Optional[_Union[DetectionMetrics, _Mapping]] = ..., suggested_confidence_threshold: _Optional[float] = ..., expected_metrics: _Optional[_Union[DetectionMetrics, _Mapping]] = ..., suggestions: _Optional[_Iterable[str]] = ..., similar_rules: _Optional[_Iterable[str]] = ..., updated_rule: _Optional[_Union[_rule_pb2.Rule, _Mapping]] = ...) -> None: ...

class GetRuleAnalyticsRequest(_message.Message):
    __slots__ = ("name", "start_time", "end_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRuleAnalyticsResponse(_message.Message):
    __slots__ = ("name", "execution_count", "failed_execution_count", "rows_read", "match_count", "finding_count", "confirmed_count", "rejected_count", "precision", "mean_duration", "cpu_seconds", "last_execution_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILED_EXECUTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    ROWS_READ_FIELD_NUMBER: _ClassVar[int]
    MATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    FINDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    MEAN_DURATION_FIELD_NUMBER: _ClassVar[int]
    CPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LAST_EXECUTION_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    execution_count: int
    failed_execution_count: int
    rows_read: int
    match_count: int
    finding_count: int
    confirmed_count: int
    rejected_count: int
    precision: float
    mean_duration: _duration_pb2.Duration
    cpu_seconds: float
    last_execution_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., execution_count: _Optional[int] = ..., failed_execution_count: _Optional[int] = ..., rows_read: _Optional[int] = ..., match_count: _Optional[int] = ..., finding_count: _Optional[int] = ..., confirmed_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., precision: _Optional[float] = ..., mean_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., cpu_seconds: _Optional[float] = ..., last_execution_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ApplyComplianceRequirementsRequest(_message.Message):
    __slots__ = ("frameworks", "rules", "rule_set", "validate_only")
    FRAMEWORKS_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    frameworks: _containers.RepeatedScalarFieldContainer[_compliance_pb2.ComplianceFramework]
    rules: _containers.RepeatedScalarFieldContainer[str]
    rule_set: str
    validate_only: bool
    def __init__(self, frameworks: _Optional[_Iterable[_Union[_compliance_pb2.ComplianceFramework, str]]] = ..., rules: _Optional[_Iterable[str]] = ..., rule_set: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class ApplyComplianceRequirementsResponse(_message.Message):
    __slots__ = ("updated_rules", "updated_rule_set", "missing_classifications")
    UPDATED_RULES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_RULE_SET_FIELD_NUMBER: _ClassVar[int]
    MISSING_CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    updated_rules: _containers.RepeatedCompositeFieldContainer[_rule_pb2.Rule]
    updated_rule_set: _rule_set_pb2.RuleSet
    missing_classifications: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, updated_rules: _Optional[_Iterable[_Union[_rule_pb2.Rule, _Mapping]]] = ..., updated_rule_set: _Optional[_Union[_rule_set_pb2.RuleSet, _Mapping]] = ..., missing_classifications: _Optional[_Iterable[str]] = ...) -> None: ...

class ApplySensitivityLabelsRequest(_message.Message):
    __slots__ = ("labels_by_classification", "overwrite", "validate_only")
    class LabelsByClassificationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LABELS_BY_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    labels_by_classification: _containers.ScalarMap[str, str]
    overwrite: bool
    validate_only: bool
    def __init__(self, labels_by_classification: _Optional[_Mapping[str, str]] = ..., overwrite: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class ApplySensitivityLabelsResponse(_message.Message):
    __slots__ = ("updated_rules", "unchanged_count")
    UPDATED_RULES_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    updated_rules: _containers.RepeatedCompositeFieldContainer[_rule_pb2.Rule]
    unchanged_count: int
    def __init__(self, updated_rules: _Optional[_Iterable[_Union[_rule_pb2.Rule, _Mapping]]] = ..., unchanged_count: _Optional[int] = ...) -> None: ...
