"""Persistence: SQLAlchemy 2.0 models, repositories and Alembic migrations.

Repository functions take an `AsyncSession`, flush and never commit (the caller owns the transaction),
and return `domain.resources` dataclasses, never ORM objects.
"""

from __future__ import annotations

from .db import DEFAULT_DATABASE_URL, make_engine, make_session_factory, normalize_url
from .idempotency import purge_idempotency_keys
from .migrate import current_revision, downgrade, run_upgrade, upgrade
from .paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .patterns import (
    create_pattern,
    delete_pattern,
    get_pattern,
    list_patterns,
    record_pattern_stats,
    seed_builtin_patterns,
    update_pattern,
)
from .rule_sets import (
    create_rule_set,
    delete_rule_set,
    get_rule_set,
    list_rule_set_revisions,
    list_rule_sets,
    update_rule_set,
    upsert_system_rule_set,
)
from .rules import (
    create_rule,
    delete_rule,
    get_rule,
    list_rule_revisions,
    list_rules,
    pin_rule_revisions,
    update_rule,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "create_pattern",
    "create_rule",
    "create_rule_set",
    "current_revision",
    "delete_pattern",
    "delete_rule",
    "delete_rule_set",
    "downgrade",
    "get_pattern",
    "get_rule",
    "get_rule_set",
    "list_patterns",
    "list_rule_revisions",
    "list_rule_set_revisions",
    "list_rule_sets",
    "list_rules",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "pin_rule_revisions",
    "purge_idempotency_keys",
    "record_pattern_stats",
    "run_upgrade",
    "seed_builtin_patterns",
    "update_pattern",
    "update_rule",
    "update_rule_set",
    "upgrade",
    "upsert_system_rule_set",
]
