"""Roles, permissions, and THE table of the permission every RPC needs.

`METHOD_PERMISSIONS` is the only place an RPC's permission is declared; the authentication interceptor
enforces it before the handler runs, and `tests/security/test_auth.py` walks the service descriptors to
prove that no RPC is missing (an RPC not in the table is denied to everyone). docs/security.md carries
`markdown_tables()` verbatim (a test checks it).
"""

from __future__ import annotations

from types import MappingProxyType

# ---- permissions -------------------------------------------------------------------------------------

SCAN_RULES_CREATE = "scan_rules:create"
SCAN_RULES_READ = "scan_rules:read"
SCAN_RULES_UPDATE = "scan_rules:update"
SCAN_RULES_EXECUTE = "scan_rules:execute"
AI_OPTIMIZE = "ai:optimize"
COMPLIANCE_INTEGRATE = "compliance:integrate"
CLASSIFICATION_INTEGRATE = "classification:integrate"
ANALYTICS_READ = "analytics:read"
MONITORING_READ = "monitoring:read"
MONITORING_STREAM = "monitoring:stream"
DATA_SOURCES_READ = "data_sources:read"
DATA_SOURCES_WRITE = "data_sources:write"
SCAN_JOBS_EXECUTE = "scan_jobs:execute"
AUDIT_READ = "audit:read"
TOKENS_ADMIN = "tokens:admin"

PERMISSIONS: tuple[str, ...] = (
    SCAN_RULES_CREATE,
    SCAN_RULES_READ,
    SCAN_RULES_UPDATE,
    SCAN_RULES_EXECUTE,
    AI_OPTIMIZE,
    COMPLIANCE_INTEGRATE,
    CLASSIFICATION_INTEGRATE,
    ANALYTICS_READ,
    MONITORING_READ,
    MONITORING_STREAM,
    DATA_SOURCES_READ,
    DATA_SOURCES_WRITE,
    SCAN_JOBS_EXECUTE,
    AUDIT_READ,
    TOKENS_ADMIN,
)

# ---- roles: each one the previous plus more ----------------------------------------------------------

VIEWER = "viewer"
EDITOR = "editor"
OPERATOR = "operator"
ADMIN = "admin"

_VIEWER = frozenset({SCAN_RULES_READ, ANALYTICS_READ, MONITORING_READ, DATA_SOURCES_READ})
_EDITOR = _VIEWER | {SCAN_RULES_CREATE, SCAN_RULES_UPDATE, AI_OPTIMIZE, COMPLIANCE_INTEGRATE, CLASSIFICATION_INTEGRATE}
_OPERATOR = _EDITOR | {DATA_SOURCES_WRITE, SCAN_JOBS_EXECUTE, SCAN_RULES_EXECUTE, MONITORING_STREAM}
_ADMIN = frozenset(PERMISSIONS)

ROLES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {VIEWER: _VIEWER, EDITOR: _EDITOR, OPERATOR: _OPERATOR, ADMIN: _ADMIN}
)


def role_permissions(role: str) -> frozenset[str]:
    """The permissions of `role`; KeyError for an unknown role."""
    return ROLES[role]


# ---- methods never authenticated (configurable: Settings.open_methods) -------------------------------

#: Full method names, or service prefixes ending in "/", callable without credentials.
OPEN_METHODS: tuple[str, ...] = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)


def is_open(method: str, open_methods: tuple[str, ...] | list[str]) -> bool:
    return any(method == entry or (entry.endswith("/") and method.startswith(entry)) for entry in open_methods)


# ---- THE table ---------------------------------------------------------------------------------------

_RULES = "/scanrules.v1.RuleService/"
_ORCH = "/scanrules.v1.OrchestrationService/"
_MON = "/scanrules.v1.MonitoringService/"

METHOD_PERMISSIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        # RuleService: rules
        _RULES + "CreateRule": SCAN_RULES_CREATE,
        _RULES + "GetRule": SCAN_RULES_READ,
        _RULES + "ListRules": SCAN_RULES_READ,
        _RULES + "UpdateRule": SCAN_RULES_UPDATE,
        _RULES + "DeleteRule": SCAN_RULES_UPDATE,
        _RULES + "ValidateRule": SCAN_RULES_READ,
        _RULES + "TestRule": SCAN_RULES_READ,  # runs on the caller's own sample values only
        _RULES + "ListRuleRevisions": SCAN_RULES_READ,
        # rule sets
        _RULES + "CreateRuleSet": SCAN_RULES_CREATE,
        _RULES + "GetRuleSet": SCAN_RULES_READ,
        _RULES + "ListRuleSets": SCAN_RULES_READ,
        _RULES + "UpdateRuleSet": SCAN_RULES_UPDATE,
        _RULES + "DeleteRuleSet": SCAN_RULES_UPDATE,
        _RULES + "ListRuleSetRevisions": SCAN_RULES_READ,
        _RULES + "BacktestRuleSet": SCAN_RULES_EXECUTE,  # reads data sources
        # patterns and classifications
        _RULES + "CreatePattern": SCAN_RULES_CREATE,
        _RULES + "GetPattern": SCAN_RULES_READ,
        _RULES + "ListPatterns": SCAN_RULES_READ,
        _RULES + "UpdatePattern": SCAN_RULES_UPDATE,
        _RULES + "DeletePattern": SCAN_RULES_UPDATE,
        _RULES + "ListClassifications": SCAN_RULES_READ,
        # optimizer, analytics, integrations
        _RULES + "OptimizeRule": AI_OPTIMIZE,
        _RULES + "GetRuleAnalytics": ANALYTICS_READ,
        _RULES + "ApplyComplianceRequirements": COMPLIANCE_INTEGRATE,
        _RULES + "ApplySensitivityLabels": CLASSIFICATION_INTEGRATE,
        # OrchestrationService: data sources
        _ORCH + "CreateDataSource": DATA_SOURCES_WRITE,
        _ORCH + "GetDataSource": DATA_SOURCES_READ,
        _ORCH + "ListDataSources": DATA_SOURCES_READ,
        _ORCH + "UpdateDataSource": DATA_SOURCES_WRITE,
        _ORCH + "DeleteDataSource": DATA_SOURCES_WRITE,
        _ORCH + "TestDataSourceConnection": DATA_SOURCES_WRITE,  # may connect to any address given inline
        _ORCH + "DiscoverDataSource": DATA_SOURCES_READ,
        # scan jobs, executions, findings
        _ORCH + "CreateScanJob": SCAN_JOBS_EXECUTE,
        _ORCH + "GetScanJob": MONITORING_READ,
        _ORCH + "ListScanJobs": MONITORING_READ,
        _ORCH + "CancelScanJob": SCAN_JOBS_EXECUTE,
        _ORCH + "RetryScanJob": SCAN_JOBS_EXECUTE,
        _ORCH + "WatchScanJob": MONITORING_STREAM,
        _ORCH + "ExecuteRules": SCAN_RULES_EXECUTE,
        _ORCH + "GetExecution": MONITORING_READ,
        _ORCH + "ListExecutions": MONITORING_READ,
        _ORCH + "ListFindings": ANALYTICS_READ,
        _ORCH + "GetFinding": ANALYTICS_READ,
        _ORCH + "SubmitFindingFeedback": SCAN_RULES_UPDATE,
        # schedules
        _ORCH + "CreateSchedule": SCAN_JOBS_EXECUTE,
        _ORCH + "ListSchedules": MONITORING_READ,
        _ORCH + "UpdateSchedule": SCAN_JOBS_EXECUTE,
        _ORCH + "DeleteSchedule": SCAN_JOBS_EXECUTE,
        # MonitoringService
        _MON + "GetPerformanceDashboard": MONITORING_READ,
        _MON + "WatchMetrics": MONITORING_STREAM,
        _MON + "GetSystemStatus": MONITORING_READ,
        _MON + "ListAuditEvents": AUDIT_READ,
        _MON + "GetComplianceReport": ANALYTICS_READ,
    }
)


def required_permission(method: str) -> str | None:
    """The permission `method` (full name, `/pkg.Service/Method`) needs; None: not in the table (denied)."""
    return METHOD_PERMISSIONS.get(method)


def markdown_tables() -> str:
    """The role x permission matrix and the RPC -> permission table, as docs/security.md shows them."""
    roles = list(ROLES)
    lines = ["| permission | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
    for permission in PERMISSIONS:
        marks = " | ".join("✓" if permission in ROLES[role] else "" for role in roles)
        lines.append(f"| `{permission}` | {marks} |")
    lines += ["", "| RPC | permission |", "|---|---|"]
    for method, permission in METHOD_PERMISSIONS.items():
        lines.append(f"| `{method.lstrip('/')}` | `{permission}` |")
    return "\n".join(lines) + "\n"
