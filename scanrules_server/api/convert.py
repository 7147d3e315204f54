"""Protobuf <-> domain conversions. Pure functions; no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2
from scanrules.v1 import (
    classification_pb2,
    finding_pb2,
    pattern_pb2,
    rule_pb2,
    rule_set_pb2,
)

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.resources import Pattern, Rule, RuleSet
from ..engine.decision import Finding
from ..engine.library import Classification


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(round(seconds * 1e9))
    return d


def rule_to_proto(rule: Rule) -> rule_pb2.Rule:
    return rule_pb2.Rule(
        name=rule.name,
        display_name=rule.display_name,
        description=rule.description,
        expression=rule.expression,
        classification=rule.classification,
        pattern_type=f"PATTERN_TYPE_{rule.pattern_type or 'UNSPECIFIED'}",
        complexity_level=f"COMPLEXITY_LEVEL_{rule.complexity_level or 'UNSPECIFIED'}",
        confidence_threshold=rule.confidence_threshold,
        is_active=rule.is_active,
        owner=rule.owner,
        compliance_tags=rule.compliance_tags,
        labels=rule.labels,
        sensitivity_label=rule.sensitivity_label,
        revision_id=rule.revision_id,
        etag=rule.etag,
        create_time=timestamp(rule.create_time),
        update_time=timestamp(rule.update_time),
        revision_create_time=timestamp(rule.revision_create_time),
    )


#: Rule fields a client may set, by proto field name.
RULE_WRITABLE = (
    "display_name",
    "description",
    "expression",
    "classification",
    "confidence_threshold",
    "is_active",
    "owner",
    "compliance_tags",
    "labels",
    "sensitivity_label",
)


def rule_fields(
    message: rule_pb2.Rule, paths: tuple[str, ...] = RULE_WRITABLE, creating: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in paths:
        if path == "is_active" and creating and not message.HasField("is_active"):
            out[path] = True  # a new rule runs unless asked otherwise
            continue
        value = getattr(message, path)
        if path in ("compliance_tags",):
            value = list(value)
        elif path == "labels":
            value = dict(value)
        out[path] = value
    return out


def mask_paths(
    mask: field_mask_pb2.FieldMask, writable: tuple[str, ...], output_only: tuple[str, ...], prefix: str
) -> tuple[str, ...]:
    """The update mask's paths, checked; empty or `*` means every writable field."""
    paths = list(mask.paths)
    if not paths or paths == ["*"]:
        return writable
    problems = []
    for path in paths:
        if path in output_only:
            problems.append(Violation("update_mask", f"{prefix}.{path} is output only"))
        elif path not in writable:
            problems.append(Violation("update_mask", f"unknown or immutable field {prefix}.{path}"))
    if problems:
        raise InvalidArgumentError(problems)
    return tuple(dict.fromkeys(paths))


_SAMPLING = {
    rule_set_pb2.SAMPLING_STRATEGY_HEAD: "HEAD",
    rule_set_pb2.SAMPLING_STRATEGY_RANDOM: "RANDOM",
    rule_set_pb2.SAMPLING_STRATEGY_PERCENT: "PERCENT",
    rule_set_pb2.SAMPLING_STRATEGY_FULL: "FULL",
}


#: google.protobuf.Duration's own range (about 10,000 years): past it a value cannot even be returned.
_MAX_DURATION_SECONDS = 315_576_000_000


def _seconds(d: duration_pb2.Duration, field: str, problems: list[Violation]) -> float:
    """A Duration in seconds; one breaking the type's rules (range, nanos under 1 s, one sign) is a violation."""
    if (
        abs(d.seconds) > _MAX_DURATION_SECONDS
        or abs(d.nanos) > 999_999_999
        or (d.seconds > 0 > d.nanos)
        or (d.seconds < 0 < d.nanos)
    ):
        problems.append(Violation(field, "not a valid Duration: at most 10,000 years, nanos under 1 s, one sign"))
        return 0.0
    return d.ToNanoseconds() / 1e9


def policy_from_proto(message: rule_set_pb2.RuleSet, field: str = "rule_set.policy") -> dict[str, Any]:
    """The policy as a dict; INVALID_ARGUMENT (on `field`'s sub-fields) for durations that are not valid."""
    p = message.policy
    retry = p.retry_policy
    problems: list[Violation] = []
    seconds = {
        "initial_backoff": _seconds(retry.initial_backoff, f"{field}.retry_policy.initial_backoff", problems),
        "max_backoff": _seconds(retry.max_backoff, f"{field}.retry_policy.max_backoff", problems),
        "unit_timeout": _seconds(p.unit_timeout, f"{field}.unit_timeout", problems),
    }
    if problems:
        raise InvalidArgumentError(problems)
    return {
        "sampling_strategy": _SAMPLING.get(p.sampling_strategy, ""),
        "sample_size": p.sample_size,
        "sample_percent": p.sample_percent,
        "confidence_threshold": p.confidence_threshold,
        "priority": p.priority,
        "retry_policy": {
            "max_attempts": retry.max_attempts,
            "initial_backoff_seconds": seconds["initial_backoff"],
            "max_backoff_seconds": seconds["max_backoff"],
            "backoff_multiplier": retry.backoff_multiplier,
        },
        "source_types": list(p.source_types),
        "unit_timeout_seconds": seconds["unit_timeout"],
        "partition_rows": p.partition_rows,
        "include_builtin": message.include_builtin,
        "labels": dict(message.labels),
    }


def policy_to_proto(p: dict[str, Any]) -> rule_set_pb2.ScanPolicy:
    """A stored policy dict (`policy_from_proto`'s shape, defaults filled in) as a ScanPolicy."""
    retry = p.get("retry_policy") or {}
    return rule_set_pb2.ScanPolicy(
        sampling_strategy=f"SAMPLING_STRATEGY_{p.get('sampling_strategy') or 'UNSPECIFIED'}",
        sample_size=int(p.get("sample_size", 0)),
        sample_percent=float(p.get("sample_percent", 0.0)),
        confidence_threshold=float(p.get("confidence_threshold", 0.0)),
        priority=int(p.get("priority", 0)),
        retry_policy=rule_set_pb2.RetryPolicy(
            max_attempts=int(retry.get("max_attempts", 0)),
            initial_backoff=duration(float(retry.get("initial_backoff_seconds", 0.0))),
            max_backoff=duration(float(retry.get("max_backoff_seconds", 0.0))),
            backoff_multiplier=float(retry.get("backoff_multiplier", 0.0)),
        ),
        source_types=list(p.get("source_types") or []),
        unit_timeout=duration(float(p.get("unit_timeout_seconds", 0.0) or 0.0)),
        partition_rows=int(p.get("partition_rows", 0) or 0),
    )


def rule_set_to_proto(rs: RuleSet) -> rule_set_pb2.RuleSet:
    p = rs.policy
    return rule_set_pb2.RuleSet(
        name=rs.name,
        display_name=rs.display_name,
        description=rs.description,
        rules=rs.rules,
        policy=policy_to_proto(p),
        include_builtin=bool(p.get("include_builtin", False)),
        read_only=rs.read_only,
        revision_id=rs.revision_id,
        etag=rs.etag,
        create_time=timestamp(rs.create_time),
        update_time=timestamp(rs.update_time),
        revision_create_time=timestamp(rs.revision_create_time),
        labels=dict(p.get("labels") or {}),
    )


RULE_SET_WRITABLE = ("display_name", "description", "rules", "policy", "include_builtin", "labels")


def rule_set_fields(message: rule_set_pb2.RuleSet, paths: tuple[str, ...] = RULE_SET_WRITABLE) -> dict[str, Any]:
    out: dict[str, Any] = {}
    policy = policy_from_proto(message)
    for path in paths:
        if path == "rules":
            out["rules"] = list(message.rules)
        elif path in ("display_name", "description"):
            out[path] = getattr(message, path)
        elif path == "policy" or path.startswith("policy."):
            out["policy"] = {k: v for k, v in policy.items() if k not in ("include_builtin", "labels")}
    if any(p in paths for p in ("include_builtin", "labels")):
        extra = {p: policy[p] for p in ("include_builtin", "labels") if p in paths}
        out.setdefault("policy", {}).update(extra)
    return out


def pattern_to_proto(p: Pattern) -> pattern_pb2.Pattern:
    return pattern_pb2.Pattern(
        name=p.name,
        display_name=p.display_name,
        description=p.description,
        regex=p.regex,
        validator=p.validator,
        keywords=p.keywords,
        exclusions=p.exclusions,
        builtin=p.builtin,
        usage_count=p.usage_count,
        measured_precision=p.measured_precision or 0.0,
        etag=p.etag,
        create_time=timestamp(p.create_time),
        update_time=timestamp(p.update_time),
    )


PATTERN_WRITABLE = ("display_name", "description", "regex", "validator", "keywords", "exclusions")


def pattern_fields(message: pattern_pb2.Pattern, paths: tuple[str, ...] = PATTERN_WRITABLE) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in paths:
        value = getattr(message, path)
        out[path] = list(value) if path in ("keywords", "exclusions") else value
    return out


def classification_to_proto(c: Classification) -> classification_pb2.Classification:
    return classification_pb2.Classification(
        name=f"classifications/{c.name}",
        display_name=c.name.replace("_", " ").title(),
        description=c.description,
        category=c.category,
        countries=list(c.countries),
        aliases=list(c.aliases),
        expression=c.rule,
        confidence_threshold=c.confidence_threshold,
        builtin=True,
    )


def explanation(steps: list[dict[str, object]]) -> list[finding_pb2.ExplanationStep]:
    return [
        finding_pb2.ExplanationStep(
            evidence=str(s.get("evidence", "")),
            detail=str(s.get("detail", "")),
            delta=float(s.get("effect", 0.0)),  # type: ignore[arg-type]
        )
        for s in steps
    ]


def decision_finding(f: Finding) -> dict[str, Any]:
    return {
        "classification": f.classification,
        "confidence": f.confidence,
        "match_ratio": f.match_ratio,
        "matched": f.matched,
        "validated": f.validated,
        "sampled": f.sampled,
        "explanation": explanation(f.explanation),
    }
