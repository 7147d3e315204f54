"""RuleService: rules, rule sets, patterns, classifications, validation and testing."""

from __future__ import annotations

from typing import Any

from scanrules.v1 import rule_service_pb2, rule_service_pb2_grpc

from ..domain.errors import InvalidArgumentError, RuleError, Violation
from ..domain.filtering import And, Comparison, FilterExpr, Not, Or, parse_filter
from ..domain.resources import parse_rule_name
from ..engine.column import ColumnInfo
from ..engine.library import Classification, builtin_classifications
from ..persistence import patterns as pattern_repo
from ..persistence import rule_sets as rule_set_repo
from ..persistence import rules as rule_repo
from ..persistence.idempotency import check_request_id
from ..persistence.paging import decode_page_token, encode_page_token, fingerprint, page_size_or_default
from ..services import rules as rule_service
from ..services.patterns import check_pattern_fields
from . import convert
from .audit import RULE_SERVICE, audit, audited, rpc_name
from .context import Ctx, Database, check_order_by, resource_id, split_revision
from .errors import Unimplemented, mapped_errors
from .limits import Limits

_audited = audited(RULE_SERVICE)


def _rpc(method: str) -> str:
    return rpc_name(RULE_SERVICE, method)


_RULE_OUTPUT_ONLY = (
    "name",
    "pattern_type",
    "complexity_level",
    "revision_id",
    "etag",
    "create_time",
    "update_time",
    "revision_create_time",
    "complexity_score",
)
_RULE_SET_OUTPUT_ONLY = (
    "name",
    "read_only",
    "revision_id",
    "etag",
    "create_time",
    "update_time",
    "revision_create_time",
)
_PATTERN_OUTPUT_ONLY = ("name", "builtin", "usage_count", "measured_precision", "etag", "create_time", "update_time")


def _rule_name(name: str) -> tuple[str, str | None]:
    parsed = parse_rule_name(name)
    if parsed is None:
        raise InvalidArgumentError(
            [Violation("name", f"expected rules/{{rule}} or rules/{{rule}}@{{revision}}, got {name!r}")]
        )
    return parsed


def _filter_classifications(items: list[Classification], text: str) -> list[Classification]:
    if not text.strip():
        return items
    expr = parse_filter(text)
    fields = {"name", "category", "countries", "aliases"}

    def holds(e: FilterExpr, c: Classification) -> bool:
        if isinstance(e, And):
            return all(holds(o, c) for o in e.operands)
        if isinstance(e, Or):
            return any(holds(o, c) for o in e.operands)
        if isinstance(e, Not):
            return not holds(e.operand, c)
        assert isinstance(e, Comparison)
        if e.field not in fields:
            raise InvalidArgumentError(
                [
                    Violation(
                        "filter", f"unknown field {e.field!r} at {e.position}; filterable: {', '.join(sorted(fields))}"
                    )
                ]
            )
        if e.op not in ("=", "!="):
            raise InvalidArgumentError([Violation("filter", f"{e.field} supports = and != only")])
        value = str(e.value)
        found = (
            value in (c.countries if e.field == "countries" else c.aliases)
            if e.field in ("countries", "aliases")
            else getattr(c, e.field) == value
        )
        return found if e.op == "=" else not found

    return [c for c in items if holds(expr, c)]


class RuleServicer(rule_service_pb2_grpc.RuleServiceServicer):
    def __init__(self, db: Database, limits: Limits | None = None) -> None:
        self.db = db
        self.limits = limits or Limits()

    # ---- rules -------------------------------------------------------------

    @mapped_errors
    @_audited
    async def CreateRule(
        self, request: rule_service_pb2.CreateRuleRequest, context: Ctx
    ) -> rule_service_pb2.CreateRuleResponse:
        request_id = check_request_id(request.request_id)
        self.limits.check_expression(request.rule.expression)
        async with self.db.transaction(rollback=request.validate_only) as session:
            rule = await rule_service.create_rule(
                session, request.rule_id, convert.rule_fields(request.rule, creating=True), request_id
            )
            await audit(session, _rpc("CreateRule"), rule.name, request_id=request_id)
        return rule_service_pb2.CreateRuleResponse(rule=convert.rule_to_proto(rule))

    @mapped_errors
    async def GetRule(self, request: rule_service_pb2.GetRuleRequest, context: Ctx) -> rule_service_pb2.GetRuleResponse:
        rule_id, revision = _rule_name(request.name)
        async with self.db.transaction() as session:
            rule = await rule_repo.get_rule(session, rule_id, revision)
        return rule_service_pb2.GetRuleResponse(rule=convert.rule_to_proto(rule))

    @mapped_errors
    async def ListRules(
        self, request: rule_service_pb2.ListRulesRequest, context: Ctx
    ) -> rule_service_pb2.ListRulesResponse:
        check_order_by(request.order_by)
        async with self.db.transaction() as session:
            rules, token = await rule_repo.list_rules(session, request.page_size, request.page_token, request.filter)
        return rule_service_pb2.ListRulesResponse(
            rules=[convert.rule_to_proto(r) for r in rules], next_page_token=token
        )

    @mapped_errors
    @_audited
    async def UpdateRule(
        self, request: rule_service_pb2.UpdateRuleRequest, context: Ctx
    ) -> rule_service_pb2.UpdateRuleResponse:
        rule_id, revision = _rule_name(request.rule.name)
        if revision:
            raise InvalidArgumentError(
                [Violation("rule.name", "revisions are immutable; name the rule without @revision")]
            )
        paths = convert.mask_paths(request.update_mask, convert.RULE_WRITABLE, _RULE_OUTPUT_ONLY, "rule")
        if "expression" in paths:
            self.limits.check_expression(request.rule.expression)
        async with self.db.transaction() as session:
            rule = await rule_service.update_rule(
                session, rule_id, convert.rule_fields(request.rule, paths), request.rule.etag or None
            )
            await audit(session, _rpc("UpdateRule"), rule.name)
        return rule_service_pb2.UpdateRuleResponse(rule=convert.rule_to_proto(rule))

    @mapped_errors
    @_audited
    async def DeleteRule(
        self, request: rule_service_pb2.DeleteRuleRequest, context: Ctx
    ) -> rule_service_pb2.DeleteRuleResponse:
        rule_id, revision = _rule_name(request.name)
        if revision:
            raise InvalidArgumentError([Violation("name", "delete the rule, not one revision")])
        async with self.db.transaction() as session:
            await rule_service.delete_rule(session, rule_id, request.etag or None)
            await audit(session, _rpc("DeleteRule"), request.name)
        return rule_service_pb2.DeleteRuleResponse()

    @mapped_errors
    async def ListRuleRevisions(
        self, request: rule_service_pb2.ListRuleRevisionsRequest, context: Ctx
    ) -> rule_service_pb2.ListRuleRevisionsResponse:
        rule_id, _ = _rule_name(request.name)
        async with self.db.transaction() as session:
            rules, token = await rule_repo.list_rule_revisions(session, rule_id, request.page_size, request.page_token)
        return rule_service_pb2.ListRuleRevisionsResponse(
            rules=[convert.rule_to_proto(r) for r in rules], next_page_token=token
        )

    @mapped_errors
    async def ValidateRule(
        self, request: rule_service_pb2.ValidateRuleRequest, context: Ctx
    ) -> rule_service_pb2.ValidateRuleResponse:
        async with self.db.transaction(rollback=True) as session:
            try:
                self.limits.check_expression(request.expression, "expression")
                checked = await rule_service.check_expression(session, request.expression, "expression")
            except RuleError as exc:
                return rule_service_pb2.ValidateRuleResponse(
                    valid=False,
                    violations=[
                        rule_service_pb2.RuleViolation(
                            field=v.field, description=v.description, line=v.line, column=v.column
                        )
                        for v in exc.violations
                    ],
                )
        a = checked.analysis
        return rule_service_pb2.ValidateRuleResponse(
            valid=True,
            pattern_type=f"PATTERN_TYPE_{a.pattern_type}",
            complexity_level=f"COMPLEXITY_LEVEL_{a.complexity_level}",
            complexity_score=a.complexity_score,
            referenced_validators=list(a.validators),
            referenced_patterns=list(a.patterns),
            referenced_classifications=list(a.references),
            referenced_models=list(a.models),
            referenced_concepts=list(a.concepts),
            referenced_statistics=list(a.statistics),
            warnings=list(a.warnings),
        )

    @mapped_errors
    async def TestRule(
        self, request: rule_service_pb2.TestRuleRequest, context: Ctx
    ) -> rule_service_pb2.TestRuleResponse:
        column = ColumnInfo("test", request.column_name, request.column_type, request.column_comment)
        async with self.db.transaction(rollback=True) as session:
            if request.WhichOneof("rule_source") == "name":
                rule_id, revision = _rule_name(request.name)
                stored = await rule_repo.get_rule(session, rule_id, revision)
                expression, classification, threshold = (
                    stored.expression,
                    stored.classification,
                    stored.confidence_threshold,
                )
                field, rule_name = "name", stored.revision_name
            elif request.WhichOneof("rule_source") == "rule":
                expression, classification = request.rule.expression, request.rule.classification
                threshold, field = request.rule.confidence_threshold, "rule.expression"
                self.limits.check_expression(expression, field)
                rule_name = "inline rule"
            else:
                raise InvalidArgumentError([Violation("rule_source", "give a rule or the name of a stored rule")])
            result = await rule_service.test_rule(
                session, expression, classification, threshold, list(request.values), column, field, rule_name
            )
        decision = rule_service_pb2.ColumnDecision(
            reported=result.reported, **convert.decision_finding(result.decision)
        )
        return rule_service_pb2.TestRuleResponse(
            matches=[
                rule_service_pb2.ValueMatch(
                    index=v.index, matched=v.matched, validated=v.validated, evidence=v.evidence
                )
                for v in result.values
            ],
            decision=decision,
        )

    # ---- rule sets ---------------------------------------------------------

    @mapped_errors
    @_audited
    async def CreateRuleSet(
        self, request: rule_service_pb2.CreateRuleSetRequest, context: Ctx
    ) -> rule_service_pb2.CreateRuleSetResponse:
        request_id = check_request_id(request.request_id)
        self.limits.check_rule_count(request.rule_set.rules)
        async with self.db.transaction(rollback=request.validate_only) as session:
            rs = await rule_service.create_rule_set(
                session, request.rule_set_id, convert.rule_set_fields(request.rule_set), request_id
            )
            await audit(session, _rpc("CreateRuleSet"), rs.name, request_id=request_id)
        return rule_service_pb2.CreateRuleSetResponse(rule_set=convert.rule_set_to_proto(rs))

    @mapped_errors
    async def GetRuleSet(
        self, request: rule_service_pb2.GetRuleSetRequest, context: Ctx
    ) -> rule_service_pb2.GetRuleSetResponse:
        rule_set_id, revision = split_revision(resource_id(request.name, "ruleSets"))
        async with self.db.transaction() as session:
            rs = await rule_set_repo.get_rule_set(session, rule_set_id, revision)
        return rule_service_pb2.GetRuleSetResponse(rule_set=convert.rule_set_to_proto(rs))

    @mapped_errors
    async def ListRuleSets(
        self, request: rule_service_pb2.ListRuleSetsRequest, context: Ctx
    ) -> rule_service_pb2.ListRuleSetsResponse:
        check_order_by(request.order_by)
        async with self.db.transaction() as session:
            items, token = await rule_set_repo.list_rule_sets(
                session, request.page_size, request.page_token, request.filter
            )
        return rule_service_pb2.ListRuleSetsResponse(
            rule_sets=[convert.rule_set_to_proto(r) for r in items], next_page_token=token
        )

    @mapped_errors
    @_audited
    async def UpdateRuleSet(
        self, request: rule_service_pb2.UpdateRuleSetRequest, context: Ctx
    ) -> rule_service_pb2.UpdateRuleSetResponse:
        rule_set_id = resource_id(request.rule_set.name, "ruleSets", "rule_set.name")
        paths = convert.mask_paths(request.update_mask, convert.RULE_SET_WRITABLE, _RULE_SET_OUTPUT_ONLY, "rule_set")
        self.limits.check_rule_count(request.rule_set.rules)
        async with self.db.transaction() as session:
            rs = await rule_service.update_rule_set(
                session, rule_set_id, convert.rule_set_fields(request.rule_set, paths), request.rule_set.etag or None
            )
            await audit(session, _rpc("UpdateRuleSet"), rs.name)
        return rule_service_pb2.UpdateRuleSetResponse(rule_set=convert.rule_set_to_proto(rs))

    @mapped_errors
    @_audited
    async def DeleteRuleSet(
        self, request: rule_service_pb2.DeleteRuleSetRequest, context: Ctx
    ) -> rule_service_pb2.DeleteRuleSetResponse:
        rule_set_id = resource_id(request.name, "ruleSets")
        async with self.db.transaction() as session:
            await rule_set_repo.delete_rule_set(session, rule_set_id, request.etag or None)
            await audit(session, _rpc("DeleteRuleSet"), request.name)
        return rule_service_pb2.DeleteRuleSetResponse()

    @mapped_errors
    async def ListRuleSetRevisions(
        self, request: rule_service_pb2.ListRuleSetRevisionsRequest, context: Ctx
    ) -> rule_service_pb2.ListRuleSetRevisionsResponse:
        rule_set_id = resource_id(request.name, "ruleSets")
        async with self.db.transaction() as session:
            items, token = await rule_set_repo.list_rule_set_revisions(
                session, rule_set_id, request.page_size, request.page_token
            )
        return rule_service_pb2.ListRuleSetRevisionsResponse(
            rule_sets=[convert.rule_set_to_proto(r) for r in items], next_page_token=token
        )

    # ---- patterns ----------------------------------------------------------

    @mapped_errors
    @_audited
    async def CreatePattern(
        self, request: rule_service_pb2.CreatePatternRequest, context: Ctx
    ) -> rule_service_pb2.CreatePatternResponse:
        request_id = check_request_id(request.request_id)
        fields = convert.pattern_fields(request.pattern)
        self.limits.check_pattern_regexes(request.pattern.regex, request.pattern.exclusions)
        check_pattern_fields(fields)
        async with self.db.transaction(rollback=request.validate_only) as session:
            p = await pattern_repo.create_pattern(session, request.pattern_id, fields, request_id)
            await audit(session, _rpc("CreatePattern"), p.name, request_id=request_id)
        return rule_service_pb2.CreatePatternResponse(pattern=convert.pattern_to_proto(p))

    @mapped_errors
    async def GetPattern(
        self, request: rule_service_pb2.GetPatternRequest, context: Ctx
    ) -> rule_service_pb2.GetPatternResponse:
        pattern_id = resource_id(request.name, "patterns")
        async with self.db.transaction() as session:
            p = await pattern_repo.get_pattern(session, pattern_id)
        return rule_service_pb2.GetPatternResponse(pattern=convert.pattern_to_proto(p))

    @mapped_errors
    async def ListPatterns(
        self, request: rule_service_pb2.ListPatternsRequest, context: Ctx
    ) -> rule_service_pb2.ListPatternsResponse:
        check_order_by(request.order_by)
        async with self.db.transaction() as session:
            items, token = await pattern_repo.list_patterns(
                session, request.page_size, request.page_token, request.filter
            )
        return rule_service_pb2.ListPatternsResponse(
            patterns=[convert.pattern_to_proto(p) for p in items], next_page_token=token
        )

    @mapped_errors
    @_audited
    async def UpdatePattern(
        self, request: rule_service_pb2.UpdatePatternRequest, context: Ctx
    ) -> rule_service_pb2.UpdatePatternResponse:
        pattern_id = resource_id(request.pattern.name, "patterns", "pattern.name")
        paths = convert.mask_paths(request.update_mask, convert.PATTERN_WRITABLE, _PATTERN_OUTPUT_ONLY, "pattern")
        fields = convert.pattern_fields(request.pattern, paths)
        self.limits.check_pattern_regexes(request.pattern.regex, request.pattern.exclusions)
        check_pattern_fields(fields, partial=True)
        async with self.db.transaction() as session:
            p = await pattern_repo.update_pattern(session, pattern_id, fields, request.pattern.etag or None)
            await audit(session, _rpc("UpdatePattern"), p.name)
        return rule_service_pb2.UpdatePatternResponse(pattern=convert.pattern_to_proto(p))

    @mapped_errors
    @_audited
    async def DeletePattern(
        self, request: rule_service_pb2.DeletePatternRequest, context: Ctx
    ) -> rule_service_pb2.DeletePatternResponse:
        pattern_id = resource_id(request.name, "patterns")
        async with self.db.transaction() as session:
            await pattern_repo.delete_pattern(session, pattern_id, request.etag or None)
            await audit(session, _rpc("DeletePattern"), request.name)
        return rule_service_pb2.DeletePatternResponse()

    # ---- classifications ---------------------------------------------------

    @mapped_errors
    async def ListClassifications(
        self, request: rule_service_pb2.ListClassificationsRequest, context: Ctx
    ) -> rule_service_pb2.ListClassificationsResponse:
        items = _filter_classifications(list(builtin_classifications()), request.filter)
        scope = fingerprint("classifications", request.filter.strip())
        start = decode_page_token(request.page_token, scope) or 0
        size = page_size_or_default(request.page_size)
        page = items[start : start + size]
        token = encode_page_token(start + size, scope) if start + size < len(items) else ""
        return rule_service_pb2.ListClassificationsResponse(
            classifications=[convert.classification_to_proto(c) for c in page], next_page_token=token
        )

    # ---- capabilities of later issues ---------------------------------------

    @mapped_errors
    async def BacktestRuleSet(self, request: Any, context: Ctx) -> Any:
        raise Unimplemented("BacktestRuleSet needs data sources and scan jobs (orchestration), not built yet")

    @mapped_errors
    @_audited
    async def OptimizeRule(self, request: Any, context: Ctx) -> Any:
        raise Unimplemented("OptimizeRule needs the feedback-trained optimizer, not built yet")

    @mapped_errors
    async def GetRuleAnalytics(self, request: Any, context: Ctx) -> Any:
        raise Unimplemented("GetRuleAnalytics needs execution history from scan jobs, not built yet")

    @mapped_errors
    @_audited
    async def ApplyComplianceRequirements(self, request: Any, context: Ctx) -> Any:
        raise Unimplemented("ApplyComplianceRequirements needs the compliance mapping, not built yet")

    @mapped_errors
    @_audited
    async def ApplySensitivityLabels(self, request: Any, context: Ctx) -> Any:
        raise Unimplemented("ApplySensitivityLabels needs the labelling integration, not built yet")
