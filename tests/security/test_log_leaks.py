"""No raw sensitive value and no secret in any log or console output (issue 6, point 7).

Data full of card numbers, passwords, emails and SSNs is scanned through the embedded CLI (a real `scanrules scan`
subprocess, also with every logger at DEBUG) and through the server (TestRule over the values; data sources whose
URIs carry passwords, connection-tested and discovered). Everything written to stdout, stderr and the logging
system is collected and searched for the raw values. Masked evidence (`**** **** **** 4242`) is fine.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from scanrules.v1 import data_source_pb2, monitoring_service_pb2, orchestration_service_pb2, rule_pb2, rule_service_pb2

from scanrules_client import ScanRulesError, SyncScanRulesClient
from scanrules_server import cli
from scanrules_server.secretbox import load_key
from scanrules_server.settings import Settings
from tests.integration.conftest import ServerThread

# Luhn-valid test card numbers, as stored (some with separators).
CARDS = (
    "4242424242424242",
    "4111111111111111",
    "5555555555554444",
    "4000056655665556",
    "5105 1051 0510 5100",
    "6011-1111-1111-1117",
)
PASSWORDS = ("Zq9!hunter2-Kx7", "S3cr3t-P@ssw0rd-771", "correct-horse-battery-staple-42", "pa55:w0rd/with@signs")
EMAILS = ("alice.wonderland@example.org", "bob.builder+shop@example.com", "carol_c@mail.example.net")
SSNS = ("536-22-1234", "401-77-0042", "219-45-6789")
#: Connection secrets, only ever in URIs, password fields and the environment.
DB_PASSWORDS = ("Db-Pa55word-9f3k2", "My5ql-R00t-Secret-p4q")
ROWS = 120


def _rows() -> list[dict[str, str]]:
    return [
        {
            "card_number": CARDS[i % len(CARDS)],
            "password": PASSWORDS[i % len(PASSWORDS)],
            "notes": f"my password is {PASSWORDS[(i + 1) % len(PASSWORDS)]}; card {CARDS[(i + 2) % len(CARDS)]}",
            "email": EMAILS[i % len(EMAILS)],
            "ssn": SSNS[i % len(SSNS)],
        }
        for i in range(ROWS)
    ]


def forbidden() -> list[str]:
    """Every raw value that must not appear: as stored, and card numbers also without separators."""
    cards = {c for c in CARDS} | {c.replace(" ", "").replace("-", "") for c in CARDS}
    return sorted(cards | set(PASSWORDS) | set(EMAILS) | set(SSNS) | set(DB_PASSWORDS))


def assert_no_leak(where: str, text: str) -> None:
    leaked = [value for value in forbidden() if value in text]
    if leaked:
        lines = [line for line in text.splitlines() if any(v in line for v in leaked)]
        pytest.fail(f"{where} leaks {leaked}:\n" + "\n".join(line[:400] for line in lines[:10]))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the data as CSV, JSONL and SQLite, plus a malformed CSV (a row with an extra field)."""
    root = tmp_path_factory.mktemp("leaky")
    rows = _rows()
    files = root / "files"
    files.mkdir()
    with (files / "customers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (files / "accounts.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    broken = root / "broken"
    broken.mkdir()
    with (broken / "dump.csv").open("w", encoding="utf-8") as handle:
        handle.write("card_number,password,notes\n")
        for row in rows[:20]:
            handle.write(f"{row['card_number']},{row['password']},{row['email']}\n")
        handle.write(f"{CARDS[0]},{PASSWORDS[0]},{EMAILS[0]},{SSNS[0]},extra\n")  # one field too many
        handle.write(f'"{CARDS[1]},{PASSWORDS[1]}\n')  # an unclosed quote
    with sqlite3.connect(root / "shop.db") as db:
        db.execute(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, card_number TEXT, password TEXT, notes TEXT, "
            "email TEXT, ssn TEXT)"
        )
        db.executemany(
            "INSERT INTO customers (card_number, password, notes, email, ssn) VALUES (?, ?, ?, ?, ?)",
            [(r["card_number"], r["password"], r["notes"], r["email"], r["ssn"]) for r in rows],
        )
    return root


# ---- capturing every log record ---------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))  # with the traceback and its exception messages, if any
        except Exception as exc:  # a record that cannot be formatted is reported, not lost
            self.lines.append(f"UNFORMATTABLE {record.name} {record.msg!r} {record.args!r}: {exc!r}")


@pytest.fixture
def all_logs() -> Iterator[_Collect]:
    """Every record of every logger at DEBUG, including loggers that do not propagate or set their own level."""
    handler = _Collect()
    root = logging.getLogger()
    saved = [(root, root.level)]
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    extra: list[logging.Logger] = []
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            if logger.level > logging.DEBUG:
                saved.append((logger, logger.level))
                logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(handler)
                extra.append(logger)
    try:
        yield handler
    finally:
        for logger in extra:
            logger.removeHandler(handler)
        root.removeHandler(handler)
        for logger, level in saved:
            logger.setLevel(level)


# ---- the embedded CLI -------------------------------------------------------------------------------------

#: Runs `scanrules` with the root logger (and so every library's logger) at DEBUG before the CLI configures it.
DEBUG_MAIN = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.DEBUG, format='%(levelname)s %(name)s %(message)s')\n"
    "from scanrules_server.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@dataclass(frozen=True)
class Run:
    """One `scanrules` invocation: its arguments, whether every logger is at DEBUG, extra environment."""

    args: tuple[str, ...]
    debug: bool = False
    env: tuple[tuple[str, str], ...] = ()


def scanrules(*args: str, debug: bool = False, env: dict[str, str] | None = None) -> Run:
    return Run(args, debug, tuple((env or {}).items()))


def run_all(runs: dict[str, Run]) -> dict[str, subprocess.CompletedProcess[str]]:
    """The invocations as real subprocesses, all at once (each spends seconds importing and compiling)."""

    def run(r: Run) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", DEBUG_MAIN] if r.debug else [sys.executable, "-m", "scanrules_server.cli"]
        return subprocess.run(
            [*command, *r.args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            env={**os.environ, **dict(r.env)},
        )

    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        futures = {name: pool.submit(run, r) for name, r in runs.items()}
        return {name: future.result() for name, future in futures.items()}


def test_cli_scan_output_and_logs_hold_no_raw_values(data: Path) -> None:
    """`scanrules scan` subprocesses, two of them with every logger at DEBUG: output and logs hold masked evidence
    only, also when the connection fails."""
    runs = run_all(
        {
            "folder json, debug": scanrules(
                "scan", str(data / "files"), "--format", "json", "--sample", "full", debug=True
            ),
            "sqlite table": scanrules("scan", f"sqlite:///{data / 'shop.db'}", "--format", "table"),
            "postgres with password in URI, debug": scanrules(
                "scan", f"postgresql://scanner:{DB_PASSWORDS[0]}@127.0.0.1:1/shop", debug=True
            ),
        }
    )
    for name, proc in runs.items():
        assert "Traceback" not in proc.stderr, f"{name}: {proc.stderr[-2000:]}"
        assert_no_leak(f"`scanrules scan` ({name}) stdout", proc.stdout)
        assert_no_leak(f"`scanrules scan` ({name}) stderr", proc.stderr)
    assert runs["folder json, debug"].returncode == 0, runs["folder json, debug"].stderr[-2000:]
    assert runs["sqlite table"].returncode == 0, runs["sqlite table"].stderr[-2000:]
    assert runs["postgres with password in URI, debug"].returncode == 2
    # The scans did look at the values: the sensitive columns were found (with masked evidence only).
    found = {(f["column"], f["classification"]) for f in json.loads(runs["folder json, debug"].stdout)["findings"]}
    assert {("card_number", "CREDIT_CARD_NUMBER"), ("email", "EMAIL_ADDRESS")} <= found, found
    assert "card_number" in runs["sqlite table"].stdout


def test_cli_errors_hold_no_raw_values_or_secrets(
    data: Path, all_logs: _Collect, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failures quote neither the data that broke the reader nor the connection's password (the CLI's `main` in
    this process, for speed: the subprocess above covers the entry point)."""
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "malformed csv": ([str(data / "broken"), "--format", "json", "--sample", "full"], {}),
        "mysql, password in URI": ([f"mysql://root:{DB_PASSWORDS[1]}@127.0.0.1:1/app"], {}),
        "postgres, password from the environment": (
            ["postgresql://scanner@127.0.0.1:1/shop"],
            {"SCANRULES_SOURCE_PASSWORD": DB_PASSWORDS[0]},
        ),
        "unparsable URI with password": ([f"postgresql://scanner:{DB_PASSWORDS[0]}@[::1/shop"], {}),
        "bad port with password": ([f"mysql://root:{DB_PASSWORDS[1]}@db:port/app"], {}),
    }
    for name, (args, env) in cases.items():
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            code = cli.main(["scan", *args])
        out, err = capfd.readouterr()
        assert code == 2 and err.startswith("scanrules: "), f"{name}: exit {code}, {err[-2000:]}"
        assert_no_leak(f"`scanrules scan` ({name}) stdout", out)
        assert_no_leak(f"`scanrules scan` ({name}) stderr", err)
    assert_no_leak("logs of the failing scans", "\n".join(all_logs.lines))


# ---- the server -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("leak-server")
    key_file = tmp / "scanrules.key"
    load_key(key_file, create=True)
    running = ServerThread(
        Settings(
            host="127.0.0.1",
            port=0,
            database_url=f"sqlite+aiosqlite:///{tmp / 'scanrules.db'}",
            migrate=True,
            secret_key_file=str(key_file),
            rate_limit_per_second=0,
        )
    )
    try:
        target = running.start()
        assert running.running is not None and running.running.admin_key
        yield target, running.running.admin_key
    finally:
        running.stop()


RULES = {
    "card_number": r'match value ~ /\b(?:\d[ -]?){12,18}\d\b/ and valid("luhn")',
    "password": r"match value ~ /^\S{8,}$/ and column.name ~ /passw/i",
    "notes": r'match value ~ /password is \S+/i or (value ~ /\b(?:\d[ -]?){12,18}\d\b/ and valid("luhn"))',
    "email": r"match value ~ /^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$/i",
    "ssn": r'match value ~ /^\d{3}-\d{2}-\d{4}$/ and valid("us.ssn")',
}


def _server_calls(c: SyncScanRulesClient, data: Path) -> list[str]:
    """Runs the server paths that touch sensitive values or secrets; returns what the client was told."""
    told: list[str] = []

    def call(method: Callable[..., Any], request: Message) -> Any:
        try:
            response = method(request, timeout=60)
        except ScanRulesError as exc:
            assert exc.code != grpc.StatusCode.INTERNAL, f"{type(request).__name__}: {exc}"
            told.append(f"{exc.code.name}: {exc.message} {exc.field_violations} {exc.metadata}")
            return None
        told.append(str(response))
        return response

    rows = _rows()
    for column, expression in RULES.items():
        values = [row[column] for row in rows]
        response = call(
            c.rules.test_rule,
            rule_service_pb2.TestRuleRequest(
                rule=rule_pb2.Rule(expression=expression, classification="SECRET_STUFF", confidence_threshold=0.5),
                values=values,
                column_name=column,
            ),
        )
        assert response is not None and any(m.matched for m in response.matches), column
        for match in response.matches:
            assert_no_leak(f"TestRule evidence ({column})", match.evidence)
        # A broken rule over the same values: the error may quote the rule, never the values.
        call(
            c.rules.test_rule,
            rule_service_pb2.TestRuleRequest(
                rule=rule_pb2.Rule(expression=expression + " and (", classification="SECRET_STUFF"),
                values=values,
                column_name=column,
            ),
        )
    # Stored rules run by name over the values.
    call(
        c.rules.create_rule,
        rule_service_pb2.CreateRuleRequest(
            rule_id="leak-card", rule=rule_pb2.Rule(expression=RULES["card_number"], classification="CARD")
        ),
    )
    call(c.rules.test_rule, rule_service_pb2.TestRuleRequest(name="rules/leak-card", values=[r["notes"] for r in rows]))

    sources = {
        "pg-in-uri": data_source_pb2.DataSource(uri=f"postgresql://scanner:{DB_PASSWORDS[0]}@127.0.0.1:1/shop"),
        "pg-field": data_source_pb2.DataSource(uri="postgresql://scanner@127.0.0.1:1/shop", password=DB_PASSWORDS[0]),
        "mysql-in-uri": data_source_pb2.DataSource(uri=f"mysql://root:{DB_PASSWORDS[1]}@127.0.0.1:1/app"),
        "sqlite": data_source_pb2.DataSource(uri=f"sqlite:///{data / 'shop.db'}", password=DB_PASSWORDS[1]),
        "files": data_source_pb2.DataSource(uri=str(data / "files")),
        "broken": data_source_pb2.DataSource(uri=str(data / "broken")),
    }
    for source_id, source in sources.items():
        created = call(
            c.orchestration.create_data_source,
            orchestration_service_pb2.CreateDataSourceRequest(data_source_id=source_id, data_source=source),
        )
        assert created is not None, source_id
        name = created.data_source.name
        call(
            c.orchestration.test_data_source_connection,
            orchestration_service_pb2.TestDataSourceConnectionRequest(name=name),
        )
        call(
            c.orchestration.discover_data_source,
            orchestration_service_pb2.DiscoverDataSourceRequest(name=name, include_row_estimates=True),
        )
        call(c.orchestration.get_data_source, orchestration_service_pb2.GetDataSourceRequest(name=name))
        # The same source inline, not stored.
        call(
            c.orchestration.test_data_source_connection,
            orchestration_service_pb2.TestDataSourceConnectionRequest(data_source=source),
        )
    # Invalid requests that carry a password.
    call(
        c.orchestration.create_data_source,
        orchestration_service_pb2.CreateDataSourceRequest(
            data_source_id="bad-port",
            data_source=data_source_pb2.DataSource(uri=f"postgresql://scanner:{DB_PASSWORDS[0]}@db:abc/shop"),
        ),
    )
    call(
        c.orchestration.create_data_source,
        orchestration_service_pb2.CreateDataSourceRequest(
            data_source_id="bad-scheme",
            data_source=data_source_pb2.DataSource(uri=f"mongodb://scanner:{DB_PASSWORDS[0]}@db/shop"),
        ),
    )
    call(
        c.orchestration.update_data_source,
        orchestration_service_pb2.UpdateDataSourceRequest(
            data_source=data_source_pb2.DataSource(
                name="dataSources/pg-field", uri=f"postgresql://scanner:{DB_PASSWORDS[1]}@127.0.0.1:1/other"
            ),
        ),
    )
    call(c.orchestration.list_data_sources, orchestration_service_pb2.ListDataSourcesRequest())
    call(c.monitoring.list_audit_events, monitoring_service_pb2.ListAuditEventsRequest(page_size=1000))
    return told


def test_server_logs_hold_no_raw_values_or_secrets(
    server: tuple[str, str], data: Path, all_logs: _Collect, capfd: pytest.CaptureFixture[str]
) -> None:
    target, token = server
    with SyncScanRulesClient.connect(target, token=token, timeout=60) as c:
        told = _server_calls(c, data)
    out, err = capfd.readouterr()
    assert all_logs.lines, "the server logged nothing at DEBUG: the capture is not working"
    assert_no_leak("server logs", "\n".join(all_logs.lines))
    assert_no_leak("stdout and stderr during server calls", out + err)
    assert_no_leak("what the server told the client", "\n".join(told))
