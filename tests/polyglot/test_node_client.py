"""Polyglot proof: a Node.js client generated from nothing but the .proto files talks to the server.

The server runs as users run it (`scanrules serve`, a real subprocess on a free port with its own
SQLite database); `client.mjs` drives it with @grpc/grpc-js and prints what it observed as JSON.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "tests" / "polyglot" / "client.mjs"
NODE_PACKAGES = ("@grpc/grpc-js", "@grpc/proto-loader")
START_TIMEOUT = 60.0
CLIENT_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def _node() -> str:
    """The `node` executable, or a test failure saying how to get the Node.js side in place."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: install Node.js 20 to run the polyglot test", pytrace=False)
    missing = [name for name in NODE_PACKAGES if not (REPO / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing from {REPO / 'node_modules'}: run `npm ci --no-audit --no-fund` "
            "(or `make test`, which does it)",
            pytrace=False,
        )
    return node


@contextmanager
def running_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`scanrules serve` on a free port; yields `host:port` and the admin API key it printed on first start once
    it accepts calls, SIGTERMs it after."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'scanrules.db'}"
    log_path = tmp_path / "server.log"
    command = [sys.executable, "-m", "scanrules_server.cli", "serve", "--port", "0", "--database-url", database_url]
    with (
        log_path.open("w") as log,
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=log, text=True) as proc,
    ):
        assert proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=pump, name="server-stdout", daemon=True)
        reader.start()
        try:
            yield _await_listening(lines, proc, log_path)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    pytest.fail(f"server did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM", pytrace=False)
                assert proc.returncode == 0, f"server exited {proc.returncode} after SIGTERM:\n{log_path.read_text()}"
            reader.join(timeout=5)


def _await_listening(lines: queue.Queue[str | None], proc: subprocess.Popen[str], log_path: Path) -> tuple[str, str]:
    deadline = time.monotonic() + START_TIMEOUT
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            proc.wait(timeout=STOP_TIMEOUT)
            pytest.fail(
                f"server exited {proc.returncode} before listening; stdout {seen!r}; log:\n{log_path.read_text()}",
                pytrace=False,
            )
        seen.append(line)
        if line.startswith("listening on "):
            keys = [s.removeprefix("admin api key: ").strip() for s in seen if s.startswith("admin api key: ")]
            assert len(keys) == 1, f"expected one `admin api key:` line before `listening on`, got {seen!r}"
            return line.removeprefix("listening on ").strip(), keys[0]
    pytest.fail(
        f"server printed no `listening on` line within {START_TIMEOUT:.0f} s; stdout {seen!r}; "
        f"log:\n{log_path.read_text()}",
        pytrace=False,
    )


def test_node_client_speaks_the_contract(tmp_path: Path) -> None:
    node = _node()
    with running_server(tmp_path) as (address, admin_key):
        try:
            result = subprocess.run(
                [node, str(CLIENT), address],
                cwd=REPO,
                env={**os.environ, "SCANRULES_TOKEN": admin_key},
                capture_output=True,
                text=True,
                timeout=CLIENT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"node client did not finish within {CLIENT_TIMEOUT:.0f} s: {exc.stderr!r}", pytrace=False)
    assert result.returncode == 0, f"node client failed ({result.returncode}):\n{result.stderr}{result.stdout}"
    out_lines = result.stdout.splitlines()
    assert len(out_lines) == 1, f"expected one JSON line, got {result.stdout!r}"
    seen = json.loads(out_lines[0])

    assert seen["target"] == address
    created = seen["created"]
    assert created["name"].startswith("rules/node-email-")
    assert created["classification"] == "EMAIL_ADDRESS"
    assert created["owner"] == ""
    assert created["revision_id"]
    assert seen["listed"]["contains_created"] is True
    assert seen["listed"]["count"] >= 1
    assert seen["got"]["name"] == created["name"]
    for key, code, name in (
        ("not_found", 5, "NOT_FOUND"),
        ("invalid_argument", 3, "INVALID_ARGUMENT"),
        ("unimplemented", 12, "UNIMPLEMENTED"),
        ("unauthenticated", 16, "UNAUTHENTICATED"),
    ):
        assert seen[key]["code"] == code, seen[key]
        assert seen[key]["code_name"] == name, seen[key]
        assert seen[key]["message"], seen[key]
        assert seen[key]["has_status_details"] is True, f"{key}: no grpc-status-details-bin trailer"
    assert "does-not-exist" in seen["not_found"]["message"]
    assert "GetPerformanceDashboard" in seen["unimplemented"]["message"]
