"""`scanrules-ctl` run in-process (`main([...])`) against the real in-process test server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from scanrules.v1 import rule_set_pb2

from scanrules_client.ctl import main

from .conftest import RULE_COUNT, TOKEN, FakeServer, uid


def run(capsys: pytest.CaptureFixture[str], server: FakeServer, *args: str) -> tuple[int, str, str]:
    code = main(["--target", server.target, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rules_get_json(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    code, out, err = run(capsys, fake_server, "--output", "json", "--token", TOKEN, "rules", "get", "rules/abc")
    assert (code, err) == (0, "")
    rule = json.loads(out)
    assert rule["name"] == "rules/abc"
    assert rule["confidence_threshold"] == 0.8 and rule["is_active"] is True
    assert rule["description"] == f"Bearer {TOKEN}"


def test_global_options_may_follow_the_command(
    capsys: pytest.CaptureFixture[str], fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCANRULES_TARGET", fake_server.target)
    assert main(["rules", "get", "bare-id", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "rules/bare-id"


def test_rules_get_not_found_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    name = f"rules/missing-{uid()}"
    code, out, err = run(capsys, fake_server, "rules", "get", name)
    assert code == 2
    assert out == ""
    assert err == f"error: NOT_FOUND: rule {name} not found\n"


def test_field_violations_follow_the_error_line(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    args = ("rules", "create", f"bad-{uid()}", "--expression", "match ((", "--classification", "NOPE")
    code, out, err = run(capsys, fake_server, *args)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: INVALID_ARGUMENT: the rule is invalid",
        "  rule.expression: line 1, column 7: unexpected token '('",
        "  rule.classification: unknown classification 'NOPE'",
    ]


def test_multi_line_messages_are_one_line(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    code, _, err = run(capsys, fake_server, "rules", "delete", f"in-use-{uid()}")
    assert code == 2
    assert err == "error: FAILED_PRECONDITION: rule is used by ruleSets/default remove it first\n"


def test_unreachable_server_exits_3(capsys: pytest.CaptureFixture[str], dead_target: str) -> None:
    code = main(["--target", dead_target, "rules", "list"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("error: UNAVAILABLE: cannot connect to ") and err.count("\n") == 1


def test_rules_list_all_pages(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    code, out, _ = run(capsys, fake_server, "-o", "json", "rules", "list", "--filter", uid(), "--page-size", "2")
    assert code == 0
    assert [r["name"] for r in json.loads(out)["rules"]] == [f"rules/r{i}" for i in range(RULE_COUNT)]

    code, out, _ = run(capsys, fake_server, "rules", "list")
    assert code == 0
    assert "NAME" in out and "CLASSIFICATION" in out
    for i in range(RULE_COUNT):
        assert f"rules/r{i}" in out
    assert "REGEX" in out and "EMAIL_ADDRESS" in out


def test_rules_update_sends_mask_and_etag(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    name = f"rules/u-{uid()}"
    args = ("rules", "update", name, "--threshold", "0.95", "--inactive", "--display-name", "Badge")
    code, out, err = run(capsys, fake_server, "-o", "json", *args)
    assert (code, err) == (0, "")
    (request,) = fake_server.recorder.requests[f"UpdateRule:{name}"]
    assert sorted(request.update_mask.paths) == ["confidence_threshold", "display_name", "is_active"]
    assert request.rule.etag == "etag-3"
    updated = json.loads(out)
    assert updated["display_name"] == "Badge" and updated["confidence_threshold"] == 0.95
    assert updated["is_active"] is False  # `optional bool`: present even when false
    assert updated["revision_id"] == "4"


def test_rules_update_without_fields_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fake_server: FakeServer
) -> None:
    code, _, err = run(capsys, fake_server, "rules", "update", "x")
    assert code == 2
    assert err.startswith("error: nothing to update")


def test_rules_create_reads_the_expression_file(
    capsys: pytest.CaptureFixture[str], fake_server: FakeServer, tmp_path: Path
) -> None:
    path = tmp_path / "rule.srl"
    path.write_text('match regex("B[0-9]{6}")\n', encoding="utf-8")
    rule_id = f"badge-{uid()}"
    args = ("rules", "create", rule_id, "--expression-file", str(path), "--classification", "EMPLOYEE_BADGE")
    code, out, _ = run(capsys, fake_server, "-o", "json", *args)
    assert code == 0
    created = json.loads(out)
    assert created["name"] == f"rules/{rule_id}"
    (request,) = fake_server.recorder.requests[f"CreateRule:{rule_id}"]
    assert not request.rule.HasField("is_active"), "left to the server's default (active)"
    assert created["expression"] == 'match regex("B[0-9]{6}")\n'

    code, _, err = run(capsys, fake_server, *args[:3], "--expression-file", str(tmp_path / "nope"), *args[5:])
    assert code == 2 and err.startswith("error: cannot read ") and err.count("\n") == 1


def test_rules_validate_exit_codes(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    code, out, _ = run(capsys, fake_server, "rules", "validate", "--expression", 'match regex("a")')
    assert code == 0 and out.startswith("valid: REGEX, SIMPLE")
    code, out, _ = run(capsys, fake_server, "rules", "validate", "--expression", "match ((")
    assert code == 1 and "unbalanced parenthesis" in out and "1:3" in out


def test_rules_test_inline(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    args = ("rules", "test", "--expression", "match email", "--classification", "EMAIL_ADDRESS")
    code, out, _ = run(capsys, fake_server, *args, "--value", "a@x.org", "--value", "nope", "--column-name", "mail")
    assert code == 0
    assert "decision" in out and "a@x.org" in out and "a***@x" in out
    code, out, _ = run(capsys, fake_server, "-o", "json", *args, "--value", "a@x.org", "b@y.org", "--value", "c")
    decision = json.loads(out)["decision"]
    assert (decision["matched"], decision["sampled"]) == ("2", "3")  # int64 is a string in proto3 JSON
    code, _, err = run(capsys, fake_server, "rules", "test", "x")
    assert code == 2 and "--value" in err


def test_rule_sets_create(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    set_id = f"pci-{uid()}"
    args = ("rule-sets", "create", set_id, "--rule", "cards", "rules/iban@2", "--rule", "ssn", "--priority", "8")
    code, out, _ = run(capsys, fake_server, "-o", "json", *args, "--sampling", "random", "--sample-size", "500")
    assert code == 0
    (request,) = fake_server.recorder.requests[f"CreateRuleSet:{set_id}"]
    assert list(request.rule_set.rules) == ["rules/cards", "rules/iban@2", "rules/ssn"]
    assert request.rule_set.policy.priority == 8
    assert request.rule_set.policy.sampling_strategy == rule_set_pb2.SAMPLING_STRATEGY_RANDOM
    assert request.rule_set.policy.sample_size == 500
    assert json.loads(out)["name"] == f"ruleSets/{set_id}"


def test_tables_for_other_resources(capsys: pytest.CaptureFixture[str], fake_server: FakeServer) -> None:
    code, out, _ = run(capsys, fake_server, "classifications", "list")
    assert code == 0 and "EMAIL_ADDRESS" in out and "IBAN_CODE" in out
    code, out, _ = run(capsys, fake_server, "patterns", "get", "badge")
    assert code == 0 and "patterns/badge" in out
    assert r"[0-9]{4}\b[x]" in out, "values are not parsed as rich markup"
    code, out, _ = run(capsys, fake_server, "rule-sets", "list")
    assert code == 0 and "ruleSets/default" in out
    code, out, _ = run(capsys, fake_server, "rules", "revisions", "abc")
    assert code == 0 and "rules/abc@3" in out and "rules/abc@1" in out


def test_plain_text_without_rich(
    capsys: pytest.CaptureFixture[str], fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # makes `import rich...` raise ImportError
    code, out, _ = run(capsys, fake_server, "rules", "list")
    assert code == 0
    header = ["NAME", "CLASSIFICATION", "TYPE", "COMPLEXITY", "THRESHOLD", "ACTIVE", "REVISION"]
    assert out.splitlines()[0].split() == header
    assert len(out.splitlines()) == 1 + RULE_COUNT


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 2
    assert "usage:" in capsys.readouterr().err
    assert main(["rules", "create", "x", "--classification", "A", "--threshold", "7"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert main(["--help"]) == 0
