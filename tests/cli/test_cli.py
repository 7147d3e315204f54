"""`scanrules scan | detect | classifications` as users run them: a real subprocess each time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

EMAILS = [f"person{i}@example.org" for i in range(200)]
CARDS = ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009", "6011 0000 0000 0004"] * 50
NOTES = ["nothing to report"] * 200


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanrules_server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def _classified(doc: dict[str, object]) -> set[tuple[str, str]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {(f["column"], f["classification"]) for f in findings}


EXPECTED = {("contact", "EMAIL_ADDRESS"), ("card_number", "CREDIT_CARD_NUMBER")}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    rows = list(zip(EMAILS, CARDS, NOTES, strict=True))
    folder = tmp_path / "files"
    folder.mkdir()
    with (folder / "customers.csv").open("w") as handle:
        handle.write("contact,card_number,notes\n")
        for row in rows:
            handle.write(",".join(row) + "\n")
    with (folder / "events.jsonl").open("w") as handle:
        for email, card, note in rows:
            handle.write(json.dumps({"contact": email, "card_number": card, "notes": note}) + "\n")
    table = pa.table({"contact": EMAILS, "card_number": CARDS, "notes": NOTES})
    pq.write_table(table, folder / "orders.parquet")
    return folder


def test_scan_sqlite_json(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table customers (id integer primary key, contact text, card_number text, notes text)")
        conn.executemany(
            "insert into customers (contact, card_number, notes) values (?, ?, ?)",
            zip(EMAILS, CARDS, NOTES, strict=True),
        )
    before = db.read_bytes()
    proc = run("scan", f"sqlite:///{db}", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert _classified(doc) == EXPECTED
    finding = doc["findings"][0]
    for key in (
        "table",
        "column",
        "classification",
        "confidence",
        "match_ratio",
        "matched",
        "validated",
        "sampled",
        "explanation",
        "evidence",
    ):
        assert key in finding
    assert doc["stats"]["values"] > 0 and doc["stats"]["values_per_second"] > 0
    assert db.read_bytes() == before  # read-only: nothing written
    assert "person1@example.org" not in proc.stdout  # evidence is masked


@pytest.mark.parametrize("name", ["customers.csv", "events.jsonl", "orders.parquet"])
def test_scan_each_file_kind(data_dir: Path, name: str) -> None:
    proc = run("scan", str(data_dir / name), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert _classified(json.loads(proc.stdout)) == EXPECTED


def test_scan_folder_is_one_table_per_file(data_dir: Path) -> None:
    proc = run("scan", str(data_dir), "--format", "json", "--sample-size", "0")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {f["table"] for f in doc["findings"]} == {"customers", "events", "orders"}
    assert doc["stats"]["tables"] == 3


def test_sample_size_limits_rows(data_dir: Path) -> None:
    proc = run("scan", str(data_dir / "customers.csv"), "--format", "json", "--sample-size", "50")
    doc = json.loads(proc.stdout)
    assert doc["stats"]["rows"] == 50 and all(f["sampled"] == 50 for f in doc["findings"])


def test_table_format(data_dir: Path) -> None:
    proc = run("scan", str(data_dir / "customers.csv"), "--format", "table")
    assert proc.returncode == 0 and "CREDIT_CARD_NUMBER" in proc.stdout and "EMAIL_ADDRESS" in proc.stdout


def test_custom_rule_set(data_dir: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: example_org\n    classification: EXAMPLE_ORG_EMAIL\n"
        "    expression: 'match value ~ /@example\\.org$/'\n"
    )
    proc = run("scan", str(data_dir / "customers.csv"), "--format", "json", "--rule-set", str(rules))
    assert proc.returncode == 0, proc.stderr
    assert _classified(json.loads(proc.stdout)) == {("contact", "EXAMPLE_ORG_EMAIL")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [", "not valid YAML"),
        ("rules:\n  - name: x\n", "lacks classification, expression"),
        ("rules:\n  - name: x\n    classification: X\n    expression: 'match value ~ /(?=a)/'\n", "lookahead"),
        ("rules:\n  - name: x\n    classification: X\n    expression: 'match value ~'\n", "line 1, column"),
    ],
)
def test_malformed_rule_set_exits_2_with_one_line(data_dir: Path, tmp_path: Path, content: str, message: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(content)
    proc = run("scan", str(data_dir / "customers.csv"), "--rule-set", str(rules))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("source", ["/no/such/file.csv", "sqlite:////no/such.db", "notes.txt", "bogus://x"])
def test_unreadable_source_exits_2(tmp_path: Path, source: str) -> None:
    if source == "notes.txt":
        (tmp_path / source).write_text("hello")
        source = str(tmp_path / source)
    proc = run("scan", source)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("scanrules: ")


def test_detect_one_json_array_per_line() -> None:
    values = ["john.doe@example.com", "4111 1111 1111 1111", "4111 1111 1111 1112", "hello", "", "536-22-8426"]
    proc = run("detect", "--format", "json", stdin="\n".join(values) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == len(values)
    assert "EMAIL_ADDRESS" in lines[0]
    assert "CREDIT_CARD_NUMBER" in lines[1]
    assert "CREDIT_CARD_NUMBER" not in lines[2]
    assert lines[3] == [] and lines[4] == []
    assert "US_SOCIAL_SECURITY_NUMBER" in lines[5]


def test_classifications_json() -> None:
    proc = run("classifications", "--format", "json")
    items = json.loads(proc.stdout)
    assert len(items) >= 150
    email = next(i for i in items if i["name"] == "EMAIL_ADDRESS")
    assert email["category"] and email["countries"] and isinstance(email["aliases"], list)
