"""`scanrules scan` end to end on every kind of source, as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.connectors.conftest import HOSTILE_TABLE, PASSWORD

from .test_cli import run

CUSTOMERS = {("contact", "EMAIL_ADDRESS"), ("card_number", "CREDIT_CARD_NUMBER")}


def scan(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = run("scan", *args, "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


def found(doc: dict[str, object]) -> set[tuple[str, str, str]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {(f["table"], f["column"], f["classification"]) for f in findings}


def test_postgresql_default_random_sample(pg_url: str) -> None:
    doc = scan(pg_url)
    assert found(doc) == {
        ("crm.customers", "contact", "EMAIL_ADDRESS"),
        ("crm.customers", "card_number", "CREDIT_CARD_NUMBER"),
        (f"public.{HOSTILE_TABLE}", 'e"mail', "EMAIL_ADDRESS"),
    }
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert {f["sampling_strategy"] for f in findings} == {"RANDOM"}
    assert doc["sampling"] == {"strategy": "RANDOM", "rows": 10_000, "percent": 0.0, "seed": 0, "time_budget_s": None}
    stats = doc["stats"]
    assert isinstance(stats, dict) and stats["tables"] == 5
    assert stats["rows"] < 200_000  # the 200,000-row table was sampled, not read


def test_postgresql_include_exclude_and_head(pg_url: str) -> None:
    doc = scan(pg_url, "--include", "crm.*", "--exclude", "*.card_number", "--sample", "head", "--sample-size", "120")
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert found(doc) == {("crm.customers", "contact", "EMAIL_ADDRESS")}
    assert findings[0]["sampled"] == 120 and findings[0]["sampling_strategy"] == "HEAD"


@pytest.mark.parametrize("scheme", ["mysql", "mariadb"])
def test_mysql_and_mariadb(mysql_url: str, scheme: str) -> None:
    url = make_url(mysql_url).set(drivername=scheme).render_as_string(hide_password=False)
    database = make_url(mysql_url).database
    doc = scan(url, "--sample", "percent", "--sample-percent", "50", "--seed", "7")
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert {(c, k) for t, c, k in found(doc) if t == f"{database}.customers"} == CUSTOMERS
    assert (f"{database}.{HOSTILE_TABLE}", 'e"mail', "EMAIL_ADDRESS") in found(doc)
    assert {f["sampling_strategy"] for f in findings} == {"PERCENT"}
    assert all(0 < f["sampled"] < 200 for f in findings)


def test_sqlite_full(sqlite_path: Path) -> None:
    doc = scan(f"sqlite:///{sqlite_path}", "--sample-size", "0")
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert {(c, k) for t, c, k in found(doc) if t == "main.customers"} == CUSTOMERS
    assert {f["sampling_strategy"] for f in findings} == {"FULL"}
    assert all(f["sampled"] == 200 for f in findings)


def test_folder_with_part_files(files_dir: Path) -> None:
    doc = scan(str(files_dir), "--sample", "random", "--sample-size", "500")
    assert found(doc) == {
        *(("customers", c, k) for c, k in CUSTOMERS),
        *(("contacts", c, k) for c, k in CUSTOMERS),
        *(("orders", c, k) for c, k in CUSTOMERS),
        ("logs", "user", "EMAIL_ADDRESS"),
        ("nested/deeper/people", "email", "EMAIL_ADDRESS"),
    }
    stats = doc["stats"]
    assert isinstance(stats, dict) and stats["tables"] == 7  # events/ is one table of four parts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sample", "percent"], "--sample-percent"),
        (["--sample-size", "-1"], "--sample-size"),
    ],
)
def test_bad_sampling_options_exit_2(files_dir: Path, args: list[str], message: str) -> None:
    proc = run("scan", str(files_dir / "customers.csv"), *args)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_connection_errors_exit_2_without_the_password(pg_url: str, mysql_url: str) -> None:
    sources = [
        make_url(pg_url).set(password=PASSWORD, port=1).render_as_string(hide_password=False),
        make_url(mysql_url).set(password=PASSWORD).render_as_string(hide_password=False),
    ]
    for source in sources:
        proc = run("scan", source)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("scanrules: cannot connect to ") and len(proc.stderr.splitlines()) == 1
        assert PASSWORD not in proc.stderr + proc.stdout
    # The password may come from the environment instead of the URL (here: wrong for root).
    proc = run("scan", mysql_url, env={**os.environ, "SCANRULES_SOURCE_PASSWORD": PASSWORD})
    assert proc.returncode == 2 and "Access denied" in proc.stderr and PASSWORD not in proc.stderr
