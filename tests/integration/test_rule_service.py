"""RuleService end to end: the real SDK against a real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2
from scanrules.v1 import (
    monitoring_service_pb2,
    pattern_pb2,
    rule_pb2,
    rule_service_pb2,
    rule_set_pb2,
)

from scanrules_client import (
    AbortedError,
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ScanRulesClient,
    UnimplementedError,
)

EMAIL = r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i"


def _id(prefix: str = "r") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _create(client: ScanRulesClient, rule_id: str | None = None, **fields: object) -> rule_pb2.Rule:
    rule = rule_pb2.Rule(expression=EMAIL, classification="EMAIL_ADDRESS", display_name="Email")
    for key, value in fields.items():
        setattr(rule, key, value)
    request = rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=rule_id or _id())
    return (await client.rules.create_rule(request)).rule


# ---- rules ---------------------------------------------------------------------


async def test_create_get_and_computed_fields(client: ScanRulesClient) -> None:
    rule_id = _id()
    created = await _create(client, rule_id, confidence_threshold=0.7)
    assert created.name == f"rules/{rule_id}"
    assert created.revision_id == "1" and created.etag
    assert created.pattern_type == rule_pb2.PATTERN_TYPE_REGEX
    assert created.complexity_level == rule_pb2.COMPLEXITY_LEVEL_SIMPLE
    assert created.confidence_threshold == pytest.approx(0.7)
    assert created.create_time.seconds > 0 and created.update_time == created.create_time
    fetched = (await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=created.name))).rule
    assert fetched == created


async def test_pattern_type_and_complexity_come_from_the_tree(client: ScanRulesClient) -> None:
    semantic = await _create(client, expression='when semantic("email") >= 0.6 and match_ratio > 0.2')
    assert semantic.pattern_type == rule_pb2.PATTERN_TYPE_AI_SEMANTIC
    # The word "semantic" in a regex is just text: still a REGEX rule.
    regex = await _create(client, expression="match value ~ /semantic model references/")
    assert regex.pattern_type == rule_pb2.PATTERN_TYPE_REGEX
    graph = await _create(client, expression='when references("US_SOCIAL_SECURITY_NUMBER")')
    assert graph.pattern_type == rule_pb2.PATTERN_TYPE_GRAPH_BASED


async def test_syntax_error_is_invalid_argument_with_line_and_column(client: ScanRulesClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, expression="match value ~ /a/ and\n  valid(")
    err = caught.value
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.reason == "INVALID_RULE" and err.domain == "scanrules.dev"
    (field, description), *_ = err.field_violations
    assert field == "rule.expression"
    assert description.startswith("line 2, column")


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("match value ~ /(?<=x)y/", "lookbehind"),
        ("match value ~ /(a)\\1/", "backreference"),
        ('match valid("no.such.validator")', "no.such.validator"),
        ('match pattern("NO_SUCH_PATTERN")', "NO_SUCH_PATTERN"),
    ],
)
async def test_analysis_rejects_unsupported_constructs(client: ScanRulesClient, expression: str, needle: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, expression=expression)
    assert any(needle in d for _, d in caught.value.field_violations), caught.value.field_violations


async def test_bad_fields_are_named(client: ScanRulesClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await _create(client, "Not A Valid Id!", classification="lower case", confidence_threshold=1.5)
    fields = {f for f, _ in caught.value.field_violations}
    assert fields == {"rule_id", "rule.classification", "rule.confidence_threshold"}


async def test_taken_id_and_idempotent_create(client: ScanRulesClient) -> None:
    rule_id = _id()
    await _create(client, rule_id)
    with pytest.raises(AlreadyExistsError):
        await _create(client, rule_id)
    request_id = str(uuid.uuid4())
    request = rule_service_pb2.CreateRuleRequest(
        rule=rule_pb2.Rule(expression=EMAIL, classification="EMAIL_ADDRESS"), rule_id=_id(), request_id=request_id
    )
    first = (await client.rules.create_rule(request)).rule
    again = (await client.rules.create_rule(request)).rule
    assert again.name == first.name and again.etag == first.etag


async def test_update_makes_revisions_and_checks_etags(client: ScanRulesClient) -> None:
    created = await _create(client)
    change = rule_pb2.Rule(name=created.name, display_name="Renamed", etag=created.etag)
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    updated = (await client.rules.update_rule(rule_service_pb2.UpdateRuleRequest(rule=change, update_mask=mask))).rule
    assert updated.revision_id == "2" and updated.display_name == "Renamed"
    assert updated.expression == created.expression and updated.etag != created.etag
    with pytest.raises(AbortedError):  # the etag of revision 1 is stale now
        await client.rules.update_rule(rule_service_pb2.UpdateRuleRequest(rule=change, update_mask=mask))
    old = (await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"{created.name}@1"))).rule
    assert old.display_name == "Email" and old.revision_id == "1"
    revisions = [r.revision_id async for r in client.rules.iter_rule_revisions(created.name)]
    assert revisions == ["2", "1"]


async def test_update_reanalyses_and_rejects_output_only_fields(client: ScanRulesClient) -> None:
    created = await _create(client)
    change = rule_pb2.Rule(name=created.name, expression='when semantic("email") >= 0.5')
    updated = (
        await client.rules.update_rule(
            rule_service_pb2.UpdateRuleRequest(rule=change, update_mask=field_mask_pb2.FieldMask(paths=["expression"]))
        )
    ).rule
    assert updated.pattern_type == rule_pb2.PATTERN_TYPE_AI_SEMANTIC
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.update_rule(
            rule_service_pb2.UpdateRuleRequest(
                rule=change, update_mask=field_mask_pb2.FieldMask(paths=["pattern_type"])
            )
        )
    assert caught.value.field_violations[0][0] == "update_mask"
    bad = rule_pb2.Rule(name=created.name, expression="match value ~ /(/")
    with pytest.raises(InvalidArgumentError):
        await client.rules.update_rule(
            rule_service_pb2.UpdateRuleRequest(rule=bad, update_mask=field_mask_pb2.FieldMask(paths=["expression"]))
        )


async def test_delete_with_etag_keeps_revisions_readable(client: ScanRulesClient) -> None:
    created = await _create(client)
    with pytest.raises(AbortedError):
        await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=created.name, etag="stale"))
    await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=created.name, etag=created.etag))
    with pytest.raises(NotFoundError) as caught:
        await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=created.name))
    assert caught.value.metadata.get("resource") == created.name
    pinned = (await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name=f"{created.name}@1"))).rule
    assert pinned.expression == EMAIL


async def test_list_pages_filters_and_concurrent_inserts(client: ScanRulesClient) -> None:
    owner = f"team-{uuid.uuid4().hex[:8]}"
    for i in range(7):
        await _create(client, owner=owner, is_active=i % 2 == 0)
    query = f'owner = "{owner}"'
    seen: list[str] = []
    token = ""
    while True:
        page = await client.rules.list_rules(
            rule_service_pb2.ListRulesRequest(page_size=3, page_token=token, filter=query)
        )
        assert len(page.rules) <= 3
        seen.extend(r.name for r in page.rules)
        if len(seen) == 3:  # someone inserts while we page: nothing already there is skipped or repeated
            await _create(client, owner=owner)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 8
    active = [r async for r in client.rules.iter_rules(filter=f"{query} AND is_active = true")]
    assert len(active) == 4 + 1  # the late insert is active by default


async def test_bad_filters_and_tokens(client: ScanRulesClient) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.list_rules(rule_service_pb2.ListRulesRequest(filter='owner = "x" AND'))
    assert caught.value.field_violations[0][0] == "filter"
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.list_rules(rule_service_pb2.ListRulesRequest(filter='no_such_field = "x"'))
    assert "no_such_field" in caught.value.field_violations[0][1]
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.list_rules(rule_service_pb2.ListRulesRequest(page_token="garbage"))
    assert caught.value.field_violations[0][0] == "page_token"


# ---- built-in content and rule sets ---------------------------------------------


async def test_default_rule_set_is_read_only_and_complete(client: ScanRulesClient) -> None:
    default = (await client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name="ruleSets/default"))).rule_set
    assert default.read_only and len(default.rules) >= 150
    assert all("@" in name for name in default.rules)
    assert any(name.startswith("rules/EMAIL_ADDRESS@") for name in default.rules)
    change = rule_set_pb2.RuleSet(name=default.name, display_name="mine")
    with pytest.raises(FailedPreconditionError) as caught:
        await client.rules.update_rule_set(
            rule_service_pb2.UpdateRuleSetRequest(
                rule_set=change, update_mask=field_mask_pb2.FieldMask(paths=["display_name"])
            )
        )
    assert caught.value.reason == "READ_ONLY_RULE_SET"
    builtin = rule_pb2.Rule(name="rules/EMAIL_ADDRESS", display_name="mine")
    with pytest.raises(FailedPreconditionError):
        await client.rules.update_rule(
            rule_service_pb2.UpdateRuleRequest(
                rule=builtin, update_mask=field_mask_pb2.FieldMask(paths=["display_name"])
            )
        )


async def test_rule_sets_pin_revisions_and_version_themselves(client: ScanRulesClient) -> None:
    a, b = await _create(client), await _create(client)
    rule_set = rule_set_pb2.RuleSet(
        display_name="PII",
        rules=[a.name, f"{b.name}@1"],
        policy=rule_set_pb2.ScanPolicy(priority=8, sampling_strategy=rule_set_pb2.SAMPLING_STRATEGY_HEAD),
    )
    rs_id = _id("rs")
    created = (
        await client.rules.create_rule_set(rule_service_pb2.CreateRuleSetRequest(rule_set=rule_set, rule_set_id=rs_id))
    ).rule_set
    assert list(created.rules) == [f"{a.name}@1", f"{b.name}@1"]
    assert created.policy.priority == 8 and created.policy.retry_policy.max_attempts >= 1
    assert created.revision_id == "1" and not created.read_only
    with pytest.raises(FailedPreconditionError) as caught:  # a rule set still uses it
        await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name=a.name))
    assert caught.value.reason == "RULE_IN_USE"
    change = rule_set_pb2.RuleSet(name=created.name, rules=[a.name], etag=created.etag)
    updated = (
        await client.rules.update_rule_set(
            rule_service_pb2.UpdateRuleSetRequest(
                rule_set=change, update_mask=field_mask_pb2.FieldMask(paths=["rules"])
            )
        )
    ).rule_set
    assert updated.revision_id == "2" and list(updated.rules) == [f"{a.name}@1"]
    first = (await client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name=f"{created.name}@1"))).rule_set
    assert len(first.rules) == 2
    revisions = await client.rules.list_rule_set_revisions(
        rule_service_pb2.ListRuleSetRevisionsRequest(name=created.name)
    )
    assert [r.revision_id for r in revisions.rule_sets] == ["2", "1"]


async def test_rule_set_validation(client: ScanRulesClient) -> None:
    bad = rule_set_pb2.RuleSet(rules=["rules/does-not-exist"], policy=rule_set_pb2.ScanPolicy(priority=11))
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_rule_set(rule_service_pb2.CreateRuleSetRequest(rule_set=bad, rule_set_id=_id("rs")))
    fields = {f for f, _ in caught.value.field_violations}
    assert fields & {"rule_set.rules[0]", "rule_set.policy.priority"}


# ---- patterns, classifications, validate, test ------------------------------------


async def test_patterns_seeded_and_custom_ones_usable_in_rules(client: ScanRulesClient) -> None:
    builtin = (await client.rules.get_pattern(rule_service_pb2.GetPatternRequest(name="patterns/IBAN_CODE"))).pattern
    assert builtin.builtin and builtin.validator
    pattern_id = _id("p")
    pattern = pattern_pb2.Pattern(regex=r"^EMP-\d{6}$", keywords=["employee"], display_name="Employee id")
    created = (
        await client.rules.create_pattern(rule_service_pb2.CreatePatternRequest(pattern=pattern, pattern_id=pattern_id))
    ).pattern
    assert created.name == f"patterns/{pattern_id}" and not created.builtin
    rule = await _create(client, expression=f'match pattern("{pattern_id}")', classification="EMPLOYEE_ID")
    result = await client.rules.test_rule(
        rule_service_pb2.TestRuleRequest(name=rule.name, values=["employee EMP-123456", "EMP-000001", "x"])
    )
    assert [m.matched for m in result.matches] == [False, True, False]  # anchored: the first has a prefix
    with pytest.raises(InvalidArgumentError) as caught:
        await client.rules.create_pattern(
            rule_service_pb2.CreatePatternRequest(pattern=pattern_pb2.Pattern(regex="(a+)\\1"), pattern_id=_id("p"))
        )
    assert caught.value.field_violations[0][0] == "pattern.regex"


async def test_list_classifications(client: ScanRulesClient) -> None:
    names = []
    token = ""
    while True:
        page = await client.rules.list_classifications(
            rule_service_pb2.ListClassificationsRequest(page_size=50, page_token=token)
        )
        names.extend(c.name for c in page.classifications)
        token = page.next_page_token
        if not token:
            break
    assert len(names) == len(set(names)) >= 150 and "classifications/CREDIT_CARD_NUMBER" in names
    financial = await client.rules.list_classifications(
        rule_service_pb2.ListClassificationsRequest(page_size=500, filter='category = "FINANCIAL" AND countries = "US"')
    )
    assert financial.classifications
    assert all(c.category == "FINANCIAL" and "US" in c.countries for c in financial.classifications)


async def test_validate_rule(client: ScanRulesClient) -> None:
    ok = await client.rules.validate_rule(
        rule_service_pb2.ValidateRuleRequest(expression='match value ~ /^\\d{16}$/ and valid("luhn")')
    )
    assert ok.valid and list(ok.referenced_validators) == ["luhn"]
    assert ok.pattern_type == rule_pb2.PATTERN_TYPE_REGEX
    bad = await client.rules.validate_rule(rule_service_pb2.ValidateRuleRequest(expression="match value ~"))
    assert not bad.valid and bad.violations[0].line == 1 and bad.violations[0].column > 0


async def test_test_rule_explains_and_masks(client: ScanRulesClient) -> None:
    values = ["4111 1111 1111 1111", "4111 1111 1111 1112", "hello", "5500 0000 0000 0004"]
    inline = rule_pb2.Rule(expression='match value ~ /^[\\d ]{16,19}$/ and valid("luhn")', classification="CARD")
    result = await client.rules.test_rule(
        rule_service_pb2.TestRuleRequest(rule=inline, values=values, column_name="card_number")
    )
    assert [(m.matched, m.validated) for m in result.matches] == [
        (True, True),
        (True, False),
        (False, False),
        (True, True),
    ]
    assert result.matches[0].evidence.endswith("1111") and "4111 1111" not in result.matches[0].evidence
    decision = result.decision
    assert decision.classification == "CARD" and decision.matched == 3 and decision.validated == 2
    assert {s.evidence for s in decision.explanation} >= {"pattern", "validator"}
    builtin = await client.rules.test_rule(
        rule_service_pb2.TestRuleRequest(name="rules/EMAIL_ADDRESS", values=["a@example.com"] * 20, column_name="email")
    )
    assert builtin.decision.reported and builtin.decision.confidence > 0.9


# ---- what later issues build ---------------------------------------------------------


async def test_pending_rpcs_are_honestly_unimplemented(client: ScanRulesClient) -> None:
    with pytest.raises(UnimplementedError) as caught:
        await client.monitoring.get_performance_dashboard(monitoring_service_pb2.GetPerformanceDashboardRequest())
    assert "monitoring" in caught.value.message.lower() and caught.value.reason == "NOT_IMPLEMENTED"
    with pytest.raises(UnimplementedError):
        await client.rules.backtest_rule_set(rule_service_pb2.BacktestRuleSetRequest(name="ruleSets/default"))


async def test_concurrent_creates_all_land(client: ScanRulesClient) -> None:
    owner = f"burst-{uuid.uuid4().hex[:8]}"
    await asyncio.gather(*(_create(client, owner=owner) for _ in range(10)))
    assert len([r async for r in client.rules.iter_rules(filter=f'owner = "{owner}"')]) == 10
