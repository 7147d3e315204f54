"""`scanrules-ctl scan ...` run in-process (`main([...])`) against a real server (`ServerThread`, SQLite)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import duration_pb2
from scanrules.v1 import data_source_pb2, rule_pb2, rule_service_pb2, rule_set_pb2, scan_job_pb2
from scanrules.v1 import orchestration_service_pb2 as orch

from scanrules_client import SyncScanRulesClient, ctl_scan
from scanrules_client.ctl import main
from scanrules_server.secretbox import load_key
from scanrules_server.settings import Settings
from tests.dbs import temporary_database
from tests.integration.conftest import ServerThread
from tests.integration.test_scan_jobs import CARD, EMAIL, make_shop


@dataclass(frozen=True)
class Env:
    target: str
    token: str
    rule_set: str  # ruleSets/x
    source: str  # dataSources/x: customers (1 email column), payments (1 card column), notes
    big_source: str  # the same plus 40 tables of emails


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("ctl-scan")
    with temporary_database("sqlite", tmp) as url:
        key_file = tmp / "scanrules.key"
        load_key(key_file, create=True)
        settings = Settings(
            host="127.0.0.1",
            port=0,
            database_url=url,
            migrate=True,
            secret_key_file=str(key_file),
            rate_limit_per_second=0,
        )
        server = ServerThread(settings)
        try:
            target = server.start()
            assert server.running is not None and server.running.admin_key
            token = server.running.admin_key
            with SyncScanRulesClient.connect(target, token=token, timeout=30) as client:
                names = []
                for expression, classification in ((EMAIL, "EMAIL_ADDRESS"), (CARD, "CREDIT_CARD_NUMBER")):
                    rule = rule_pb2.Rule(expression=expression, classification=classification)
                    request = rule_service_pb2.CreateRuleRequest(rule=rule, rule_id=_id("r"))
                    names.append(client.rules.create_rule(request).rule.name)
                rule_set = client.rules.create_rule_set(
                    rule_service_pb2.CreateRuleSetRequest(
                        rule_set=rule_set_pb2.RuleSet(display_name="PII", rules=names), rule_set_id=_id("rs")
                    )
                ).rule_set

                def source(path: Path) -> str:
                    request = orch.CreateDataSourceRequest(
                        data_source=data_source_pb2.DataSource(uri=str(path)), data_source_id=_id("ds")
                    )
                    return client.orchestration.create_data_source(request).data_source.name

                shop = source(make_shop(tmp / "shop.db"))
                big = source(make_shop(tmp / "big.db", extra_tables=40))
            yield Env(target, token, rule_set.name, shop, big)
        finally:
            server.stop()


def ctl(capsys: pytest.CaptureFixture[str], env: Env, *args: str) -> tuple[int, str, str]:
    code = main(["--target", env.target, "--token", env.token, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def finished_job(env: Env) -> str:
    """A job on the small shop, watched to SUCCEEDED through the SDK: 3 units, 2 findings."""
    with SyncScanRulesClient.connect(env.target, token=env.token, timeout=30) as client:
        job = client.orchestration.create_scan_job(
            orch.CreateScanJobRequest(scan_job=scan_job_pb2.ScanJob(rule_set=env.rule_set, data_sources=[env.source]))
        ).scan_job
        with client.orchestration.watch_scan_job(orch.WatchScanJobRequest(name=job.name), timeout=120) as events:
            last = [e.scan_job for e in events][-1]
    assert last.state == ctl_scan.State.STATE_SUCCEEDED and last.finding_count == 2
    return str(job.name)


def test_create_watch_to_succeeded(capsys: pytest.CaptureFixture[str], env: Env) -> None:
    job_id = _id("job")
    code, out, err = ctl(
        capsys, env, "scan", "create", "--rule-set", env.rule_set, "--source", env.source, "--id", job_id,
        "--priority", "7", "--strategy", "parallel", "--sample-size", "50", "--watch",
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"created scanJobs/{job_id}: 3 units, rule set {env.rule_set}@1"
    assert "SNAPSHOT" in lines[1]  # stdout is not a terminal: one plain line per event
    assert any("UNIT_FINISHED" in line for line in lines)
    assert "SUCCEEDED  3/3 units  100%  2 findings" in lines[-2]
    assert lines[-1] == f"scanJobs/{job_id} SUCCEEDED: 3/3 units (0 failed), 100%, 2 findings, 140 rows scanned"

    code, out, _ = ctl(capsys, env, "scan", "get", job_id, "-o", "json")
    job = json.loads(out)
    assert code == 0 and job["state"] == "STATE_SUCCEEDED" and job["priority"] == 7
    assert job["strategy"] == "STRATEGY_PARALLEL"
    code, out, _ = ctl(capsys, env, "scan", "findings", job_id, "-o", "json")
    assert code == 0 and {f["sampled"] for f in json.loads(out)["findings"]} == {"50"}  # --sample-size


def test_watch_json_lines(capsys: pytest.CaptureFixture[str], env: Env, finished_job: str) -> None:
    code, out, err = ctl(capsys, env, "scan", "watch", finished_job, "--output", "json")
    assert (code, err) == (0, "")
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 1 and events[0]["event_type"] == "EVENT_TYPE_SNAPSHOT"
    assert events[0]["scan_job"]["state"] == "STATE_SUCCEEDED" and events[0]["scan_job"]["finding_count"] == "2"


def test_watch_progress_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], env: Env, finished_job: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctl_scan, "_is_terminal", lambda: True)
    code, out, err = ctl(capsys, env, "scan", "watch", finished_job)
    assert (code, err) == (0, "")
    bar, summary = out.splitlines()[-2:]
    assert finished_job in bar and "3/3" in bar and "100%" in bar and "2 findings" in bar and "SUCCEEDED" in bar
    assert summary.startswith(f"{finished_job} SUCCEEDED: 3/3 units")
    # --no-progress wins over the terminal
    code, out, _ = ctl(capsys, env, "scan", "watch", finished_job, "--no-progress")
    assert code == 0 and "SNAPSHOT" in out.splitlines()[0]


def test_get_list_and_findings(capsys: pytest.CaptureFixture[str], env: Env, finished_job: str) -> None:
    code, out, err = ctl(capsys, env, "scan", "get", finished_job)
    assert (code, err) == (0, "")
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:] if line.strip()}
    assert rows["state"] == ["SUCCEEDED"] and rows["units_total"] == ["3"] and rows["finding_count"] == ["2"]

    code, out, _ = ctl(
        capsys, env, "scan", "list", "--filter", f'rule_set = "{env.rule_set}@1" AND state = "SUCCEEDED"'
    )
    assert code == 0 and finished_job in out
    assert out.splitlines()[0].split() == [
        "NAME", "STATE", "PROGRESS", "UNITS", "FAILED", "FINDINGS", "RULE", "SET", "DATA", "SOURCES", "CREATED"
    ]  # fmt: skip
    line = next(line for line in out.splitlines() if finished_job in line)
    assert line.split()[1:6] == ["SUCCEEDED", "100%", "3/3", "0", "2"]
    code, out, _ = ctl(capsys, env, "scan", "list", "-o", "json", "--filter", 'state = "FAILED"')
    assert code == 0 and finished_job not in out and "scan_jobs" in json.loads(out)

    code, out, _ = ctl(capsys, env, "scan", "findings", finished_job)
    assert code == 0 and out.splitlines()[0].strip() == "2 findings"
    assert "EMAIL_ADDRESS" in out and "CREDIT_CARD_NUMBER" in out and "main.customers" in out and "contact" in out
    code, out, _ = ctl(
        capsys, env, "scan", "findings", finished_job, "--filter", 'classification = "EMAIL_ADDRESS"', "-o", "json"
    )
    found = json.loads(out)["findings"]
    assert code == 0 and [f["column"] for f in found] == ["contact"]
    code, out, _ = ctl(capsys, env, "scan", "findings", finished_job, "--min-confidence", "0.5", "-o", "json")
    assert code == 0 and len(json.loads(out)["findings"]) == 2
    code, out, _ = ctl(capsys, env, "scan", "findings", finished_job, "--min-confidence", "1", "-o", "json")
    assert code == 0 and json.loads(out)["findings"] == []
    code, _, err = ctl(capsys, env, "scan", "findings", finished_job, "--min-confidence", "2")
    assert code == 2 and "must be between 0 and 1" in err


def test_cancel_and_retry_of_a_finished_job_fail_precondition(
    capsys: pytest.CaptureFixture[str], env: Env, finished_job: str
) -> None:
    code, out, err = ctl(capsys, env, "scan", "cancel", finished_job, "--reason", "too late")
    assert code == 2 and out == ""
    assert err.startswith("error: FAILED_PRECONDITION: ") and len(err.splitlines()) == 1
    code, out, err = ctl(capsys, env, "scan", "retry", finished_job)
    assert code == 2 and out == "" and err.startswith("error: FAILED_PRECONDITION: ")


def test_cancel_then_watch_exits_cancelled_then_retry(capsys: pytest.CaptureFixture[str], env: Env) -> None:
    job_id = _id("slow")
    code, out, err = ctl(
        capsys, env, "scan", "create", "--rule-set", env.rule_set, "--source", env.big_source, "--id", job_id,
        "--strategy", "sequential", "--priority", "1",
    )  # fmt: skip
    assert (code, err) == (0, "") and f"scanJobs/{job_id}" in out
    code, out, err = ctl(capsys, env, "scan", "cancel", job_id, "--reason", "oops")
    assert (code, err) == (0, "") and out.startswith(f"cancelled scanJobs/{job_id}: CANCELLED, ")
    code, out, err = ctl(capsys, env, "scan", "watch", job_id)
    assert code == ctl_scan.WATCH_EXIT_CODES[ctl_scan.State.STATE_CANCELLED] == 6 and err == ""
    assert f"scanJobs/{job_id} CANCELLED: " in out.splitlines()[-1] and "; oops" in out.splitlines()[-1]


def test_failed_job_exits_4_then_retry(capsys: pytest.CaptureFixture[str], env: Env) -> None:
    with SyncScanRulesClient.connect(env.target, token=env.token, timeout=30) as client:
        rules = client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name=env.rule_set)).rule_set.rules
        policy = rule_set_pb2.ScanPolicy(  # every unit times out once: a deterministic failure
            unit_timeout=duration_pb2.Duration(nanos=1), retry_policy=rule_set_pb2.RetryPolicy(max_attempts=1)
        )
        failing = client.rules.create_rule_set(
            rule_service_pb2.CreateRuleSetRequest(
                rule_set=rule_set_pb2.RuleSet(rules=rules, policy=policy), rule_set_id=_id("rs")
            )
        ).rule_set.name
    code, out, err = ctl(
        capsys, env, "scan", "create", "--rule-set", failing, "--source", env.source, "--watch", "--no-progress"
    )
    assert code == ctl_scan.WATCH_EXIT_CODES[ctl_scan.State.STATE_FAILED] == 4 and err == ""
    summary = out.splitlines()[-1]
    assert " FAILED: 0/3 units" not in summary and " FAILED: 3/3 units (3 failed), 100%, 0 findings" in summary
    name = summary.split()[0]
    code, out, err = ctl(capsys, env, "scan", "retry", name, "-o", "json")
    assert (code, err) == (0, "")
    job = json.loads(out)
    assert job["retry_count"] == 1 and job["state"] in ("STATE_PENDING", "STATE_RUNNING", "STATE_FAILED")
    code, out, _ = ctl(capsys, env, "scan", "watch", name)
    assert code == 4 and out.splitlines()[-1].startswith(f"{name} FAILED: 3/3 units (3 failed)")


def test_watch_of_a_missing_job_exits_not_found(capsys: pytest.CaptureFixture[str], env: Env) -> None:
    code, out, err = ctl(capsys, env, "scan", "watch", "scanJobs/no-such-job")
    assert code == 2 and out == ""
    assert err.startswith("error: NOT_FOUND: ") and len(err.splitlines()) == 1
    code, out, err = ctl(capsys, env, "scan", "get", "no-such-job")
    assert code == 2 and out == "" and err.startswith("error: NOT_FOUND: ")


def test_create_usage_and_not_found_errors(capsys: pytest.CaptureFixture[str], env: Env) -> None:
    code, _, err = ctl(capsys, env, "scan", "create", "--rule-set", env.rule_set)
    assert code == 2 and "--source" in err
    code, _, err = ctl(capsys, env, "scan", "create", "--rule-set", "missing", "--source", env.source)
    assert code == 2 and err.startswith("error: NOT_FOUND: ")
    code, _, err = ctl(
        capsys, env, "scan", "create", "--rule-set", env.rule_set, "--source", env.source, "--strategy", "random"
    )
    assert code == 2 and "invalid choice" in err


def test_live_progress_bar_prints_findings_as_they_come(
    capsys: pytest.CaptureFixture[str], env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctl_scan, "_is_terminal", lambda: True)
    job_id = _id("live")
    code, out, err = ctl(
        capsys, env, "scan", "create", "--rule-set", env.rule_set, "--source", env.source, "--id", job_id,
        "--watch", "--sample-size", "60",
    )  # fmt: skip
    assert (code, err) == (0, "")
    found = sorted(line.split(" (")[0] for line in out.splitlines() if line.startswith("found "))
    assert len(found) == 2 and all(" in main." in line for line in found)
    assert out.splitlines()[-1].startswith(f"scanJobs/{job_id} SUCCEEDED: 3/3 units")
