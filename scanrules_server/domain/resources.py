"""The stored resources as plain dataclasses: what repositories return and servicers convert.

No SQLAlchemy, no gRPC. Times are aware datetimes in UTC. Revision ids are decimal strings
("1", "2", ...) increasing per resource; an etag is an opaque token that changes on every update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Resource ids: a letter, then letters, digits, '_' or '-', 63 characters at most. Upper case and '_'
# are allowed because built-in rules are named after their classification (EMAIL_ADDRESS).
RESOURCE_ID_PATTERN = r"[A-Za-z][A-Za-z0-9_-]{0,62}"
_RESOURCE_ID = re.compile(rf"^{RESOURCE_ID_PATTERN}$")
_RULE_NAME = re.compile(rf"^rules/({RESOURCE_ID_PATTERN})(?:@([1-9][0-9]*))?$")

RULES = "rules"
RULE_SETS = "ruleSets"
PATTERNS = "patterns"
DATA_SOURCES = "dataSources"


def is_valid_resource_id(resource_id: str) -> bool:
    return bool(_RESOURCE_ID.match(resource_id))


def rule_name(rule_id: str, revision_id: str | None = None) -> str:
    """`rules/{rule_id}`, or the pinned `rules/{rule_id}@{revision_id}`."""
    return f"{RULES}/{rule_id}" + (f"@{revision_id}" if revision_id else "")


def parse_rule_name(name: str) -> tuple[str, str | None] | None:
    """`rules/email@3` -> ("email", "3"); `rules/email` -> ("email", None); anything else -> None."""
    m = _RULE_NAME.match(name)
    return (m.group(1), m.group(2)) if m else None


def rule_set_name(rule_set_id: str, revision_id: str | None = None) -> str:
    return f"{RULE_SETS}/{rule_set_id}" + (f"@{revision_id}" if revision_id else "")


def pattern_name(pattern_id: str) -> str:
    return f"{PATTERNS}/{pattern_id}"


@dataclass(frozen=True, kw_only=True)
class Rule:
    rule_id: str
    display_name: str = ""
    description: str = ""
    expression: str = ""
    classification: str = ""
    pattern_type: str = ""
    complexity_level: str = ""
    confidence_threshold: float = 0.6
    is_active: bool = True
    owner: str = ""
    compliance_tags: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    sensitivity_label: str = ""
    revision_id: str
    etag: str
    create_time: datetime
    update_time: datetime
    revision_create_time: datetime

    @property
    def name(self) -> str:
        return rule_name(self.rule_id)

    @property
    def revision_name(self) -> str:
        """The pinned name of this revision, as rule sets reference it: `rules/{id}@{revision}`."""
        return rule_name(self.rule_id, self.revision_id)


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    rule_set_id: str
    display_name: str = ""
    description: str = ""
    rules: list[str] = field(default_factory=list)
    policy: dict[str, Any] = field(default_factory=dict)
    read_only: bool = False
    revision_id: str
    etag: str
    create_time: datetime
    update_time: datetime
    revision_create_time: datetime

    @property
    def name(self) -> str:
        return rule_set_name(self.rule_set_id)

    @property
    def revision_name(self) -> str:
        return rule_set_name(self.rule_set_id, self.revision_id)


@dataclass(frozen=True, kw_only=True)
class Pattern:
    pattern_id: str
    display_name: str = ""
    description: str = ""
    regex: str = ""
    validator: str = ""
    keywords: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    builtin: bool = False
    usage_count: int = 0
    measured_precision: float | None = None
    etag: str
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        return pattern_name(self.pattern_id)


# The fields a caller may set on create and change on update (system fields are the repository's).
RULE_MUTABLE_FIELDS: tuple[str, ...] = (
    "display_name",
    "description",
    "expression",
    "classification",
    "pattern_type",
    "complexity_level",
    "confidence_threshold",
    "is_active",
    "owner",
    "compliance_tags",
    "labels",
    "sensitivity_label",
)
RULE_SET_MUTABLE_FIELDS: tuple[str, ...] = ("display_name", "description", "rules", "policy")
PATTERN_MUTABLE_FIELDS: tuple[str, ...] = (
    "display_name",
    "description",
    "regex",
    "validator",
    "keywords",
    "exclusions",
    "usage_count",
    "measured_precision",
)


@dataclass(frozen=True, kw_only=True)
class DataSource:
    """A connection to scan. `uri` never holds a password: that is `secret`, encrypted at rest."""

    data_source_id: str
    display_name: str = ""
    description: str = ""
    uri: str = ""
    kind: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    #: Fernet token of the password ("" when none); only the secrets module can read it.
    secret: str = ""
    etag: str
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        return f"{DATA_SOURCES}/{self.data_source_id}"

    @property
    def password_set(self) -> bool:
        return bool(self.secret)
